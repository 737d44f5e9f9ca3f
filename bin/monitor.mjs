#!/usr/bin/env node
// The `monitor` operator CLI. Runs the TypeScript sources through tsx, so a checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit once the output is written: nothing left behind (a socket to an endpoint that never
// answers, a credential provider that hangs) may keep the CLI from returning its exit code.
await new Promise((resolve) => process.stdout.write('', () => process.stderr.write('', resolve)));
process.exit(code);
