#!/usr/bin/env node
// `npm run -s cdk -- <command>`: the pinned CDK CLI, without the AWS SDK's Node-version warning
// that `cdk deploy`/`diff` print on Node 20 (the CLI carries its own SDK; see bin/launch.mjs).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { quietSdkVersionWarning } from './launch.mjs';

quietSdkVersionWarning(join(import.meta.dirname, '..'), 'aws-cdk');
createRequire(import.meta.url)('aws-cdk/bin/cdk');
