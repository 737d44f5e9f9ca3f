#!/usr/bin/env node
// The `monitor` operator CLI. Runs the TypeScript sources from a cached bundle (bin/launch.mjs
// says why), or through tsx where that bundle cannot be made, so a checkout needs no build step.
import { join } from 'node:path';
import { bundledModule, quietSdkVersionWarning } from './launch.mjs';

const root = join(import.meta.dirname, '..');
quietSdkVersionWarning(root);
const bundled = await bundledModule({ root, entry: join('lib', 'cli', 'main.ts') });
const { main } = bundled ? bundled.exports : await import('tsx/esm/api').then(({ register }) => (register(), import('../lib/cli/main.ts')));
const code = await main(process.argv.slice(2));
// Exit once the output is written: nothing left behind (a socket to an endpoint that never
// answers, a credential provider that hangs) may keep the CLI from returning its exit code.
await new Promise((resolve) => process.stdout.write('', () => process.stderr.write('', resolve)));
process.exit(code);
