import { tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';
import { mockCloudWatch } from './support/cloudwatch-mock';
import { type Emulator, startEmulator } from './support/s3-lake';

/**
 * `monitor publish adce|dims` in-process against a real S3 protocol server (fauxqs on loopback)
 * holding the fixtures in a data-lake layout. CloudWatch is mocked: dry runs must not call it.
 */
const FIX = join(import.meta.dirname, 'fixtures');
const BUCKET = 'nba-sim-raw-data-lake';
let emulator: Emulator;
let endpoint: string;
let config: string;
const { cw, datums } = mockCloudWatch();

beforeAll(async () => {
  emulator = await startEmulator();
  endpoint = emulator.endpoint;
  emulator.server.createBucket(BUCKET);
  const put = (Key: string, Body: string) => emulator.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  await put('adce/gaps.json', readFileSync(join(FIX, 'adce', 'gaps.json'), 'utf8'));
  for (const f of readdirSync(join(FIX, 'adce', 'runs'))) await put(`adce/runs/${f}`, readFileSync(join(FIX, 'adce', 'runs', f), 'utf8'));
  await put('adce/runs/README.txt', 'not a report');
  await put('adce/bad-runs/2025-11-08T00-00-00.json', '{"completed": 1, "failed": ');
  await put('adce/bad-runs/2025-11-08T00-14-55.json', readFileSync(join(FIX, 'adce', 'runs', '2025-11-08T00-14-55.json'), 'utf8'));
  await put('inventory/metrics.yaml', readFileSync(join(FIX, 'dims', 'metrics.yaml'), 'utf8'));
  await put('inventory/broken.yaml', 's3_storage:\n  total_objects: [1,\n');
  // Data-lake neighbours the publishers must not trip over.
  for (let i = 0; i < 50; i++) await put(`espn_play_by_play/2025/game_${i}.json`, '{}');
  await put('root-level.txt', 'x');
  config = configFile({ dataLakeBucket: BUCKET, adce: { priorityMetrics: true } });
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

afterAll(async () => {
  await emulator?.stop();
});

beforeEach(() => {
  cw.reset();
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => vi.useRealTimers());

async function run(args: string[]) {
  const io = captureIO();
  const code = await main(['--config', config, 'publish', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

const DIMS_LINES = [
  '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_S3Objects","Value":172975,"Unit":"Count","Dimensions":[{"Name":"Source","Value":"DIMS"}],"Timestamp":"2025-11-06T14:32:14.608Z"}',
  '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_S3SizeGB","Value":119.33,"Unit":"Gigabytes","Dimensions":[{"Name":"Source","Value":"DIMS"}],"Timestamp":"2025-11-06T14:42:35.558Z"}',
  '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_PythonFiles","Value":1746,"Unit":"Count","Timestamp":"2025-11-08T01:02:06.752Z"}',
  '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_TestFiles","Value":586,"Unit":"Count","Timestamp":"2025-11-07T00:20:50.343Z"}',
  '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_VerificationAgeHours","Value":4.96,"Unit":"None","Timestamp":"2025-11-08T06:00:00.000Z"}',
];

describe('monitor publish dims', () => {
  beforeEach(() => vi.setSystemTime(new Date('2025-11-08T06:00:00Z')));

  it('--dry-run from S3 prints exactly the datums, with drift from --live-count, and calls no CloudWatch', async () => {
    const r = await run(['dims', '--dry-run', '--endpoint', endpoint, '--live-count', '180000']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [...DIMS_LINES, '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_S3ObjectsDriftPct","Value":4.06,"Unit":"Percent","Timestamp":"2025-11-08T06:00:00.000Z"}'].join('\n') + '\n',
    );
    expect(cw.calls()).toHaveLength(0);
  });

  it('--dry-run without --live-count skips drift with a warning on stderr', async () => {
    const r = await run(['dims', '--dry-run', '--endpoint', endpoint]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(DIMS_LINES.join('\n') + '\n');
    expect(r.err).toBe('warning: DIMS_S3ObjectsDriftPct skipped: --dry-run reads no CloudWatch data; pass --live-count N to compute drift\n');
    expect(cw.calls()).toHaveLength(0);
  });

  it('from a local file gives the same datums', async () => {
    const r = await run(['dims', '--dry-run', '--file', join(FIX, 'dims', 'metrics.yaml')]);
    expect(r.out).toBe(DIMS_LINES.join('\n') + '\n');
  });

  it('prints only what CloudWatch would accept: a value out of range is named on stderr, exit 1, the rest printed', async () => {
    const text = readFileSync(join(FIX, 'dims', 'metrics.yaml'), 'utf8').replace('value: 1746', 'value: 1.0e+200');
    const file = join(mkdtempSync(join(tmpdir(), 'dims-')), 'metrics.yaml');
    writeFileSync(file, text);
    const r = await run(['dims', '--dry-run', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CloudWatch would reject DIMS_PythonFiles: /);
    expect(r.out).toBe(DIMS_LINES.filter((l) => !l.includes('DIMS_PythonFiles')).join('\n') + '\n');
  });

  it('a missing key, bucket or file: exit 1, the error names it and why', async () => {
    const key = await run(['dims', '--dry-run', '--endpoint', endpoint, '--key', 'inventory/nope.yaml']);
    expect(key.code).toBe(1);
    expect(key.out).toBe('');
    expect(key.err).toContain(`error: DIMS inventory: Cannot read s3://${BUCKET}/inventory/nope.yaml: the object does not exist (NoSuchKey)`);
    const bucket = await run(['dims', '--dry-run', '--endpoint', endpoint, '--bucket', 'no-such-bucket']);
    expect(bucket.code).toBe(1);
    expect(bucket.err).toContain('error: DIMS inventory: Cannot read s3://no-such-bucket/inventory/metrics.yaml: the bucket does not exist (NoSuchBucket)');
    const file = await run(['dims', '--dry-run', '--file', '/nonexistent/metrics.yaml']);
    expect(file.code).toBe(1);
    expect(file.err).toContain('error: DIMS inventory: Cannot read /nonexistent/metrics.yaml: no such file or directory (ENOENT)');
  });

  it('malformed YAML: exit 1 naming the object and the line', async () => {
    const r = await run(['dims', '--dry-run', '--endpoint', endpoint, '--key', 'inventory/broken.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`error: s3://${BUCKET}/inventory/broken.yaml is not valid YAML at line \\d+`));
  });

  it('real mode publishes the same datums with PutMetricData, drift from the S3 publisher datum', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'live', Values: [172975], Timestamps: [new Date()] }] });
    cw.on(PutMetricDataCommand).resolves({});
    const r = await run(['dims', '--endpoint', endpoint, '--region', 'us-east-1', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ publisher: 'dims', datums: 6, sent: 6, rejected: [], failed: [], problems: [] });
    const sent = datums().map((d) => `${d.Namespace} ${d.MetricName}=${d.Value}`);
    expect(sent).toEqual([
      'NBA-Simulator/DIMS DIMS_S3Objects=172975',
      'NBA-Simulator/DIMS DIMS_S3SizeGB=119.33',
      'NBA-Simulator/DIMS DIMS_PythonFiles=1746',
      'NBA-Simulator/DIMS DIMS_TestFiles=586',
      'NBA-Simulator/DIMS DIMS_VerificationAgeHours=4.96',
      'NBA-Simulator/DIMS DIMS_S3ObjectsDriftPct=0',
    ]);
    const query = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries![0]!.MetricStat!.Metric;
    expect(query).toEqual({ Namespace: 'NBA-Simulator/DataCollection', MetricName: 'S3ObjectCount', Dimensions: [{ Name: 'Bucket', Value: BUCKET }] });
  });
});

const ADCE_NOW = '2025-11-08T00:30:00.000Z';
const ADCE_QUEUE_LINES = [
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCEQueueDepth","Value":5,"Unit":"Count","Timestamp":"${ADCE_NOW}"}`,
  ...[['critical', 1], ['high', 2], ['medium', 1], ['low', 1]].map(
    ([p, n]) => `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCEQueueTasks","Value":${n},"Unit":"Count","Dimensions":[{"Name":"Priority","Value":"${p}"}],"Timestamp":"${ADCE_NOW}"}`,
  ),
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCEBacklogMinutes","Value":140,"Unit":"None","Timestamp":"${ADCE_NOW}"}`,
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCEQueueAgeMinutes","Value":44.79,"Unit":"None","Timestamp":"${ADCE_NOW}"}`,
];
const run1 = (t = '2025-11-07T23:59:40.007Z') => [
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCETasksCompleted","Value":3,"Unit":"Count","Timestamp":"${t}"}`,
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCETasksFailed","Value":1,"Unit":"Count","Timestamp":"${t}"}`,
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCETasksSkipped","Value":1,"Unit":"Count","Timestamp":"${t}"}`,
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCESuccessRate","Value":75,"Unit":"Percent","Timestamp":"${t}"}`,
];
const run2 = (t = '2025-11-08T00:14:55.902Z') => [
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCETasksCompleted","Value":2,"Unit":"Count","Timestamp":"${t}"}`,
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCETasksFailed","Value":0,"Unit":"Count","Timestamp":"${t}"}`,
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCETasksSkipped","Value":0,"Unit":"Count","Timestamp":"${t}"}`,
  `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCESuccessRate","Value":100,"Unit":"Percent","Timestamp":"${t}"}`,
];
const LAST_RUN = `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCELastRunAgeMinutes","Value":15.07,"Unit":"None","Timestamp":"${ADCE_NOW}"}`;

describe('monitor publish adce', () => {
  beforeEach(() => vi.setSystemTime(new Date(ADCE_NOW)));

  it('--dry-run from S3 (queue key + run-report prefix from config) prints exactly the datums', async () => {
    const r = await run(['adce', '--dry-run', '--endpoint', endpoint]);
    // What is skipped is named, by default.
    expect(r.err).toBe(`warning: 1 key(s) under s3://${BUCKET}/adce/runs/ skipped: not .json run reports (README.txt)\n`);
    expect(r.code).toBe(0);
    expect(r.out).toBe([...ADCE_QUEUE_LINES, ...run1(), ...run2(), LAST_RUN].join('\n') + '\n');
    expect(cw.calls()).toHaveLength(0);
  });

  it('--since counts only later reports; local --file/--dir read the same data', async () => {
    const since = await run(['adce', '--dry-run', '--endpoint', endpoint, '--since', '2025-11-08T00:00:00Z']);
    expect(since.out).toBe([...ADCE_QUEUE_LINES, ...run2(), LAST_RUN].join('\n') + '\n');
    const local = await run(['adce', '--dry-run', '--file', join(FIX, 'adce', 'gaps.json'), '--dir', join(FIX, 'adce', 'runs')]);
    expect(local.out).toBe([...ADCE_QUEUE_LINES, ...run1(), ...run2(), LAST_RUN].join('\n') + '\n');
  });

  it('a malformed report: exit 1 naming its key; the valid report beside it is still printed', async () => {
    const r = await run(['adce', '--dry-run', '--endpoint', endpoint, '--prefix', 'adce/bad-runs/']);
    expect(r.code).toBe(1);
    expect(r.out).toBe([...ADCE_QUEUE_LINES, ...run2(), LAST_RUN].join('\n') + '\n');
    expect(r.err).toMatch(new RegExp(`^error: s3://${BUCKET}/adce/bad-runs/2025-11-08T00-00-00.json is not valid JSON: `));
  });

  it('a missing queue key: exit 1 naming s3://bucket/key and why', async () => {
    const r = await run(['adce', '--dry-run', '--endpoint', endpoint, '--key', 'adce/missing.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: ADCE task queue: Cannot read s3://${BUCKET}/adce/missing.json: the object does not exist (NoSuchKey)`);
    expect(r.out).toBe([...run1(), ...run2(), LAST_RUN].join('\n') + '\n');
  });

  it('real mode without the cursor sends queue metrics but never recounts run reports', async () => {
    cw.on(PutMetricDataCommand).resolves({});
    const r = await run(['adce', '--endpoint', endpoint, '--region', 'us-east-1']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: run-report metrics not sent');
    const names = datums().map((d) => d.MetricName);
    expect(names).toEqual(['ADCEQueueDepth', 'ADCEQueueTasks', 'ADCEQueueTasks', 'ADCEQueueTasks', 'ADCEQueueTasks', 'ADCEBacklogMinutes', 'ADCEQueueAgeMinutes', 'ADCELastRunAgeMinutes']);
  });

  it('bad usage exits 2', async () => {
    expect((await run(['adce', '--dry-run', '--since', 'yesterday'])).code).toBe(2);
    expect((await run(['dims', '--dry-run', '--live-count', 'many'])).code).toBe(2);
    expect((await run(['nope', '--dry-run'])).code).toBe(2);
  });
});
