import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// CDK writes cdk.out* folders into TMPDIR: keep them inside the project, not in /tmp.
const tmpDir = join(import.meta.dirname, 'test', '.tmp');
mkdirSync(tmpDir, { recursive: true });

/**
 * A test file that replaces modules or globals (vi.mock, aws-sdk-client-mock's prototype
 * patches, spies, fake timers, process.env) runs in a fresh module graph of its own. Every other
 * file shares one: aws-cdk-lib and the SDK load once per worker instead of once per file, which
 * is most of the suite's time on a 2-core machine.
 */
const CHANGES_GLOBALS = /\bvi\.(mock|doMock|spyOn|stubEnv|stubGlobal|useFakeTimers)\b|\bmockClient\(|process\.env\s*(\[[^\]]+\]|\.\w+)?\s*=[^=]|delete process\.env/;
const testDir = join(import.meta.dirname, 'test');
const testFiles = readdirSync(testDir).filter((f) => f.endsWith('.test.ts'));
const isolated = testFiles.filter((f) => CHANGES_GLOBALS.test(readFileSync(join(testDir, f), 'utf8'))).map((f) => `test/${f}`);

export default defineConfig({
  test: {
    env: { TMPDIR: tmpDir, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Synth and the S3 emulator are CPU-heavy on a 2-core machine: generous, not tight.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two workers on two cores: the package test (npm and tsc in child processes) runs beside the rest.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/*.test.ts'], exclude: isolated, isolate: false } },
      { extends: true, test: { name: 'isolated', include: isolated } },
    ],
  },
});
