#!/usr/bin/env -S npx tsx
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/config/load';
import { buildApp } from '../lib/app';

const app = new App();
try {
  buildApp(app);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
app.synth();
