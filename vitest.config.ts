import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// CDK writes cdk.out* folders into TMPDIR: keep them inside the project, not in /tmp.
const tmpDir = join(import.meta.dirname, 'test', '.tmp');
mkdirSync(tmpDir, { recursive: true });

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { TMPDIR: tmpDir, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Synth and the S3 emulator are CPU-heavy on a 2-core machine: generous, not tight.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
