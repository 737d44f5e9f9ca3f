import { tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { runbookLink } from '../lib/constructs/alarm-factory';
import { parseConfig } from '../lib/config/load';
import { captureIO, configFile } from './cli-helpers';

/**
 * The hostile-input corpus (test/fixtures/hostile, README there): one case per way real input
 * went wrong, each through `monitor publish <x> --dry-run` as a user runs it. Each asserts the
 * exit status, the message, and which datums are still printed: bad input is named and the
 * good data beside it is kept.
 */
const FIX = join(import.meta.dirname, 'fixtures');
const HOSTILE = join(FIX, 'hostile');
const NOW = '2025-11-08T00:30:00.000Z';
const config = configFile();
const tmp = mkdtempSync(join(tmpdir(), 'hostile-'));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
});
afterEach(() => vi.useRealTimers());

async function publish(...args: string[]) {
  const io = captureIO();
  const code = await main(['--config', config, 'publish', ...args], io);
  const lines = io.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { MetricName: string; Value: number; Timestamp: string; Dimensions?: unknown });
  return { code, err: io.stderr, metrics: lines.map((l) => l.MetricName), lines };
}
const adce = (queue: string, runs?: string) =>
  publish('adce', '--dry-run', '--file', queue.includes('/') ? queue : join(HOSTILE, 'adce', queue), ...(runs ? ['--dir', runs.includes('/') ? runs : join(HOSTILE, 'adce', runs)] : []));
const dims = (file: string, ...more: string[]) => publish('dims', '--dry-run', '--file', file.includes('/') ? file : join(HOSTILE, 'dims', file), '--live-count', '173000', ...more);
const QUEUE = join(FIX, 'adce', 'gaps.json');
// The default (standard profile) logs tasks by priority instead of sending ADCEQueueTasks.
const QUEUE_METRICS = ['ADCEQueueDepth', 'ADCEBacklogMinutes', 'ADCEQueueAgeMinutes'];
const RUN_METRICS = ['ADCETasksCompleted', 'ADCETasksFailed', 'ADCETasksSkipped', 'ADCESuccessRate'];
const DIMS_METRICS = ['DIMS_S3Objects', 'DIMS_S3SizeGB', 'DIMS_PythonFiles', 'DIMS_TestFiles', 'DIMS_VerificationAgeHours', 'DIMS_S3ObjectsDriftPct'];

describe('future timestamps are problems, never the newest; no negative age is published', () => {
  it('a run report ending 24 h in the future is not counted and is not the last run', async () => {
    const r = await adce(QUEUE, 'runs-future');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/runs-future\/2025-11-09T00-20-00.json: end_time 2025-11-09 00:20:00.000000 is 23.8 hours in the future in zone UTC \(check adce.timeZone\); the report is not counted and does not count as the latest run/);
    expect(r.metrics).toEqual([...QUEUE_METRICS, ...RUN_METRICS, 'ADCELastRunAgeMinutes']);
    // The last run is the valid report's: 00:30:00 - 00:14:55.902.
    expect(r.lines.at(-1)!.Value).toBe(15.07);
    expect(r.lines.every((l) => l.Value >= 0)).toBe(true);
  });

  it('a queue generated in the future publishes no queue age, the rest of the queue does', async () => {
    const r = await adce('queue-generated-in-future.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('generated_at 2025-11-09T00:20:00.000000 is 23.8 hours in the future in zone UTC; check adce.timeZone. ADCEQueueAgeMinutes is not published');
    expect(r.metrics).toEqual(QUEUE_METRICS.filter((m) => m !== 'ADCEQueueAgeMinutes'));
  });

  it('a DIMS last_verified in 2099 is a problem; the verification age comes from the other entries', async () => {
    const r = await dims('verified-in-2099.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/verified-in-2099.yaml: code_base.python_files.last_verified 2099-01-01T00:00:00.000Z is [\d.]+ days in the future; it is not used for DIMS_VerificationAgeHours/);
    expect(r.metrics).toEqual(DIMS_METRICS);
    const age = r.lines.find((l) => l.MetricName === 'DIMS_VerificationAgeHours')!;
    // Newest valid last_verified: test_files, 2025-11-07T00:20:50.343Z.
    expect(age.Value).toBe(24.15);
  });
});

describe('values that defeat alarms', () => {
  it('a negative DIMS count is a problem, not a datum, and no drift is computed from it', async () => {
    const r = await dims('negative-count.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('"s3_storage.total_objects.value" must be a number >= 0 (a count or size), got -200; not published');
    expect(r.metrics).toEqual(DIMS_METRICS.filter((m) => m !== 'DIMS_S3Objects' && m !== 'DIMS_S3ObjectsDriftPct'));
    expect(r.err).toContain('DIMS_S3ObjectsDriftPct skipped: the inventory has no numeric s3_storage.total_objects');
  });

  it('a negative run-report count is a problem; that report\'s other counts are kept', async () => {
    const r = await adce(QUEUE, 'runs-fields');
    expect(r.err).toContain('2025-11-08T00-10-00.json is not a valid ADCE run report: "completed" must be >= 0, got -3; not published');
    const at = (iso: string) => r.lines.filter((l) => l.Timestamp === iso).map((l) => `${l.MetricName}=${l.Value}`);
    expect(at('2025-11-08T00:10:00.000Z')).toEqual(['ADCETasksFailed=2', 'ADCETasksSkipped=1']);
  });
});

describe('one bad field never drops a whole document', () => {
  it('"estimated_total_minutes": "140" loses only the backlog datum, with expected and got', async () => {
    const r = await adce('queue-minutes-as-text.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('queue-minutes-as-text.json is not a valid ADCE task queue: "estimated_total_minutes" must be a number, got "140" (a string); not published');
    expect(r.err).not.toContain('Invalid input');
    expect(r.metrics).toEqual(QUEUE_METRICS.filter((m) => m !== 'ADCEBacklogMinutes'));
  });
});

describe('duplicate keys are errors naming the key and the lines', () => {
  it('JSON: total_tasks written twice publishes no queue depth, the rest of the queue is kept', async () => {
    const r = await adce('queue-duplicate-key.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('queue-duplicate-key.json: key "total_tasks" appears 2 times (lines 3, 4); its value is ambiguous, not published');
    expect(r.metrics).toEqual(QUEUE_METRICS.filter((m) => m !== 'ADCEQueueDepth'));
  });

  it('JSON: a run report with "failed" twice keeps its other counts', async () => {
    const r = await adce(QUEUE, 'runs-fields');
    expect(r.err).toContain('2025-11-08T00-05-00.json: key "failed" appears 2 times (lines 3, 4); its value is ambiguous, not published');
    const at = r.lines.filter((l) => l.Timestamp === '2025-11-08T00:05:00.000Z').map((l) => `${l.MetricName}=${l.Value}`);
    expect(at).toEqual(['ADCETasksCompleted=4', 'ADCETasksSkipped=0']);
  });

  it('YAML: a duplicate value: never publishes 999 instead of 172975', async () => {
    const r = await dims('duplicate-value.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('duplicate-value.yaml: key "s3_storage.total_objects.value" appears 2 times (lines 6, 7); its value is ambiguous, so entries under it are not published');
    expect(r.metrics).toEqual(DIMS_METRICS.filter((m) => m !== 'DIMS_S3Objects' && m !== 'DIMS_S3ObjectsDriftPct'));
    expect(r.lines.some((l) => l.Value === 999)).toBe(false);
  });
});

describe('nothing is skipped silently', () => {
  it('--dir follows symbolic links, takes *.JSON, and names what it skips', async () => {
    const dir = join(HOSTILE, 'adce', 'runs-mixed');
    const r = await adce(QUEUE, 'runs-mixed');
    expect(r.code).toBe(0);
    // Both fixtures reports: one through a symbolic link, one named .JSON.
    expect(r.lines.filter((l) => l.MetricName === 'ADCETasksCompleted').map((l) => l.Value)).toEqual([3, 2]);
    expect(r.err).toContain(`warning: ${join(dir, '2025-11-08T00-20-00.json')} skipped: a symbolic link to nothing`);
    expect(r.err).toContain(`warning: ${join(dir, 'README.txt')} skipped: not a .json file`);
    expect(r.err).toContain(`warning: ${join(dir, 'archive')} skipped: a directory (folders are not read recursively)`);
  });

  it('reports too old for CloudWatch are counted and their time range said by default', async () => {
    vi.setSystemTime(new Date('2025-12-01T00:00:00Z'));
    const r = await adce(QUEUE, join(FIX, 'adce', 'runs'));
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      'warning: 2 ADCE run report(s) ended more than 14 days ago (2025-11-07T23:59:40.007Z .. 2025-11-08T00:14:55.902Z): CloudWatch takes no datums that old, so they are not counted',
    );
    expect(r.metrics).toEqual([...QUEUE_METRICS, 'ADCELastRunAgeMinutes']);
  });
});

describe('documents too large for the Lambda are refused with a clear error', () => {
  it('a DIMS inventory over 1 MiB is not parsed (YAML takes 70-100 MB per MB)', async () => {
    const file = join(tmp, 'big.yaml');
    writeFileSync(file, `s3_storage:\n  total_objects:\n    value: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
    const r = await dims(file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`DIMS inventory: Cannot read ${file}: it is 1 MiB; documents over 1 MiB are not read (a larger one would exceed the publisher Lambda's memory)`);
    expect(r.metrics).toEqual([]);
  });

  it('a run report over 8 MiB is named; the queue and the other reports are still published', async () => {
    const dir = mkdtempSync(join(tmp, 'runs-'));
    writeFileSync(join(dir, '2025-11-08T00-14-55.json'), JSON.stringify({ completed: 2, failed: 0, skipped: 0, end_time: '2025-11-08 00:14:55' }));
    writeFileSync(join(dir, '2025-11-08T00-20-00.json'), `{"completed": 1, "failed": 0, "skipped": 0, "end_time": "2025-11-08 00:20:00", "log": "${'x'.repeat(9 * 1024 * 1024)}"}`);
    const r = await adce(QUEUE, dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ADCE run report: Cannot read .*2025-11-08T00-20-00.json: it is 9 MiB; documents over 8 MiB are not read/);
    expect(r.metrics).toEqual([...QUEUE_METRICS, ...RUN_METRICS, 'ADCELastRunAgeMinutes']);
  });
});

describe('messages a user can act on', () => {
  it('a byte order mark before the JSON is accepted', async () => {
    const r = await adce('queue-with-bom.json');
    expect(r.err).toBe('warning: ADCE run reports not read: no --dir given with --file; run metrics skipped\n');
    expect(r.code).toBe(0);
    expect(r.metrics).toEqual(QUEUE_METRICS);
  });

  it('the YAML alias limit names the file', async () => {
    const r = await dims('alias-bomb.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: ${join(HOSTILE, 'dims', 'alias-bomb.yaml')} cannot be read: it expands more than 100 YAML aliases (*name), which is how a document exhausts memory; write the values out`);
    expect(r.metrics).toEqual([]);
  });

  it('echoed input is cut: a 100,000-character value is shown in a few hundred characters', async () => {
    const file = join(tmp, 'long-value.json');
    writeFileSync(file, JSON.stringify({ generated_at: 'y'.repeat(100_000), total_tasks: 1, estimated_total_minutes: 2 }));
    const r = await adce(file);
    expect(r.code).toBe(1);
    const line = r.err.split('\n').find((l) => l.includes('generated_at'))!;
    expect(line).toMatch(/generated_at "y{120}\.\.\." \(a string of 100000 characters\) is not a timestamp/);
    expect(line.length).toBeLessThan(400);
    expect(r.metrics).toEqual(['ADCEQueueDepth', 'ADCEBacklogMinutes']);
  });

  it('--endpoint that is not a URL is a usage error (exit 2), before anything is read', async () => {
    const r = await publish('adce', '--dry-run', '--endpoint', 'localhost:4566');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --endpoint must be an http(s) URL like http://127.0.0.1:4566, got "localhost:4566"\n');
  });

  it('--env is checked before it names a file', async () => {
    const io = captureIO();
    expect(await main(['--env', '../../etc/passwd', 'publish', 'dims', '--dry-run'], io)).toBe(2);
    expect(io.stderr).toBe('error: Environment name "../../etc/passwd" must be letters, digits and "-" (it names config/<env>.json and the stack).\n');
  });

  it('"Region is missing" says to set AWS_REGION or --region, and is not retried', async () => {
    const saved = { ...process.env };
    for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[k];
    Object.assign(process.env, { AWS_CONFIG_FILE: join(tmp, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'none'), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    try {
      const io = captureIO();
      const code = await main(['--config', config, 'publish', 'dims', '--file', join(FIX, 'dims', 'metrics.yaml'), '--live-count', '173000', '--json'], io);
      expect(code).toBe(1);
      const summary = JSON.parse(io.stdout) as { sent: number; failed: Array<{ error: string }> };
      expect(summary.sent).toBe(0);
      expect(summary.failed[0]!.error).toBe('Region is missing: set AWS_REGION (or a region in your AWS profile), or pass --region (a configuration error: not retried)');
      expect(io.stderr).not.toContain('retry');
    } finally {
      process.env = saved;
    }
  });
});

describe('config that failed only at run time is refused at synth', () => {
  it.each([
    ['an adce.priorities entry over 1,024 characters', { adce: { priorities: ['p'.repeat(1025)] } }, /adce.priorities\[0\] = "p{119}\.\.\. \(1027 characters\): must be at most 1024 characters \(it becomes a CloudWatch dimension value\)/],
    ['an adce.timeZone Intl does not know', { adce: { timeZone: 'EST5EDT-ish' } }, /adce.timeZone = "EST5EDT-ish": is not an IANA time zone/],
    ['an offset as adce.timeZone', { adce: { timeZone: '+05:00' } }, /adce.timeZone = "\+05:00": is not an IANA time zone/],
    ['an enum value (expected vs got, not "Invalid input")', { s3: { scanMode: 'both' } }, /s3.scanMode = "both": expected one of "list", "inventory"/],
  ])('%s', (_what, input, message) => {
    expect(() => parseConfig(input)).toThrow(message);
  });

  it('runbookBaseUrl is encoded where it goes into descriptions and Markdown links', () => {
    const config = parseConfig({ runbookBaseUrl: 'https://git.example.com/data team/repo (mirror)/blob/main/' });
    const link = runbookLink(config, 'adce-stall');
    expect(link).toBe('https://git.example.com/data%20team/repo%20%28mirror%29/blob/main/docs/monitoring/ALARM_RUNBOOKS.md#adce-stall');
    expect(link).not.toMatch(/[\s()<>]/);
  });
});
