#!/usr/bin/env node
// `npm test`: the type check and the test suite side by side (the type check is one thread;
// vitest's workers use the other cores), then one verdict. Extra arguments go to vitest.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = (path) => fileURLToPath(new URL(`../node_modules/${path}`, import.meta.url));
const run = (file, args, { buffer }) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: buffer ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (buffer) for (const stream of [child.stdout, child.stderr]) stream.on('data', (d) => (output += d));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });

const started = Date.now();
const [typecheck, tests] = await Promise.all([
  // Buffered, so its lines do not interleave with vitest's report.
  run(bin('typescript/bin/tsc'), ['--noEmit'], { buffer: true }),
  run(bin('vitest/vitest.mjs'), ['run', ...process.argv.slice(2)], { buffer: false }),
]);
process.stdout.write(typecheck.code === 0 ? 'type check: ok\n' : `type check failed:\n${typecheck.output}`);
process.stdout.write(`npm test: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(Math.max(typecheck.code, tests.code));
