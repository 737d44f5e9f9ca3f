import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledModule } from '../bin/launch.mjs';
import { configFile } from './cli-helpers';
import { type Emulator, startEmulator } from './support/s3-lake';

/**
 * How bin/monitor.mjs starts: from a cached bundle of the sources that follows every edit, and
 * without the AWS SDK's Node-version warning on routine commands.
 */
const ROOT = join(import.meta.dirname, '..');

describe('the CLI bundle cache', () => {
  const project = mkdtempSync(join(tmpdir(), 'launcher-'));
  const cacheDir = join(project, 'cache');
  const write = (file: string, text: string) => {
    mkdirSync(join(project, file, '..'), { recursive: true });
    writeFileSync(join(project, file), text);
  };
  write('node_modules/.package-lock.json', '{"lockfileVersion":3}');
  write('lib/answer.ts', 'export const answer: number = 41;\n');
  write('lib/main.ts', "import { answer } from './answer';\nexport const main = (): number => answer + 1;\n");
  const load = () => bundledModule({ root: project, entry: 'lib/main.ts', cacheDir });

  it('builds once, reuses the bundle, and rebuilds when a source or the installed packages change', async () => {
    const first = await load();
    expect(first?.built).toBe(true);
    expect((first!.exports.main as () => number)()).toBe(42);

    const again = await load();
    expect(again?.built).toBe(false);
    expect((again!.exports.main as () => number)()).toBe(42);

    write('lib/answer.ts', 'export const answer: number = 99;\n'); // an imported file, not the entry
    const edited = await load();
    expect(edited?.built).toBe(true);
    expect((edited!.exports.main as () => number)()).toBe(100);

    write('node_modules/.package-lock.json', '{"lockfileVersion":3,"packages":{}}');
    expect((await load())?.built).toBe(true);
    // Old bundles are removed: one bundle and its map, plus the list of inputs.
    expect(readdirSync(cacheDir).sort()).toEqual([expect.stringMatching(/^cli-[0-9a-f]+\.cjs$/), expect.stringMatching(/^cli-[0-9a-f]+\.cjs\.map$/), 'inputs.json']);
  });

  it('declines what CommonJS would get wrong (import.meta.url), so the CLI runs the sources instead', async () => {
    write('lib/meta.ts', 'export const main = (): string => import.meta.url;\n');
    expect(await bundledModule({ root: project, entry: 'lib/meta.ts', cacheDir: join(project, 'cache-meta') })).toBeUndefined();
  });

  it("keeps import.meta.dirname each source's own folder", async () => {
    write('lib/deep/where.ts', 'export const where = (): string => import.meta.dirname;\n');
    write('lib/dirname.ts', "import { where } from './deep/where';\nexport const main = (): string[] => [import.meta.dirname, where()];\n");
    const loaded = await bundledModule({ root: project, entry: 'lib/dirname.ts', cacheDir: join(project, 'cache-dirname') });
    expect((loaded!.exports.main as () => string[])()).toEqual([join(project, 'lib'), join(project, 'lib', 'deep')]);
  });

  it('bundles the real CLI (no source of it is left to tsx)', async () => {
    const loaded = await bundledModule({ root: ROOT, entry: join('lib', 'cli', 'main.ts'), cacheDir: join(project, 'cache-cli') });
    expect(loaded?.built).toBe(true);
    expect(typeof loaded!.exports.main).toBe('function');
  });
});

describe('bin/monitor.mjs output', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.server.createBucket('quiet-lake');
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('a dry run prints its datums and nothing on stderr: no AWS SDK Node-version warning', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED; // the test runner sets it; users do not
    const config = configFile({ dataLakeBucket: 'quiet-lake' });
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['bin/monitor.mjs', '--config', config, 'publish', 's3', '--dry-run', '--endpoint', emulator.endpoint],
        { cwd: ROOT, env },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const names = result.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { MetricName: string }).MetricName);
    expect(names).toContain('S3ObjectCount');
  });
});
