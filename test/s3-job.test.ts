import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { parseConfig } from '../lib/config/load';
import type { MonitoringConfigInput } from '../lib/config/schema';
import type { JobContext } from '../lib/jobs/job';
import { FRESHNESS_LOG_MESSAGE, runS3Job } from '../lib/jobs/s3';
import { FakeListing } from './support/fake-s3-listing';

const s3Mock = mockClient(S3Client);
const cw = mockClient(CloudWatchClient);
const now = new Date('2025-11-08T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

const objects = [
  { key: 'readme.md', size: 10, lastModified: hoursAgo(1) },
  ...Array.from({ length: 1_500 }, (_, i) => ({ key: `espn_box_scores/${i}.json`, size: 100, lastModified: hoursAgo(2) })),
  ...Array.from({ length: 20 }, (_, i) => ({ key: `espn_schedules/${i}.json`, size: 5, lastModified: hoursAgo(200) })),
  { key: 'inventory-reports/x.csv.gz', size: 1, lastModified: hoursAgo(900) },
];

beforeEach(() => {
  s3Mock.reset();
  cw.reset();
  s3Mock.on(ListObjectsV2Command).callsFake(new FakeListing(objects).list);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function context(config: MonitoringConfigInput = {}) {
  const lines: Array<{ level: string; message: string; extra?: Record<string, unknown> }> = [];
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) => void lines.push({ level, message, ...(extra ? { extra } : {}) });
  const cfg = parseConfig({ dataLakeBucket: 'nba-sim-raw-data-lake', ...config });
  const ctx: JobContext = { config: cfg, catalog: createCatalog(cfg), now, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } };
  return { ctx, lines };
}

describe('runS3Job', () => {
  it('lists the configured bucket and logs one freshness line per source for the dashboard table', async () => {
    const { ctx, lines } = context();
    const result = await runS3Job(ctx, { s3: new S3Client({ region: 'us-east-1' }) });
    expect(result.problems).toEqual([]);
    expect(result.datums.map((d) => [d.MetricName, d.Value])).toEqual([
      ['S3ObjectCount', 1_522],
      ['S3TotalSizeGB', 150_111 / 1024 ** 3],
      ['S3StaleSources', 1],
    ]);
    expect(s3Mock.commandCalls(ListObjectsV2Command).every((c) => c.args[0].input.Bucket === 'nba-sim-raw-data-lake')).toBe(true);
    const table = lines.filter((l) => l.message === FRESHNESS_LOG_MESSAGE);
    expect(table.map((l) => l.extra)).toEqual([
      { bucket: 'nba-sim-raw-data-lake', prefix: 'espn_box_scores/', objects: 1_500, bytes: 150_000, sizeGB: 0, newest: hoursAgo(2).toISOString(), ageMinutes: 120, thresholdHours: 36, judged: true, stale: false },
      { bucket: 'nba-sim-raw-data-lake', prefix: 'espn_schedules/', objects: 20, bytes: 100, sizeGB: 0, newest: hoursAgo(200).toISOString(), ageMinutes: 12_000, thresholdHours: 36, judged: true, stale: true },
      { bucket: 'nba-sim-raw-data-lake', prefix: 'inventory-reports/', objects: 1, bytes: 1, sizeGB: 0, newest: hoursAgo(900).toISOString(), ageMinutes: 54_000, thresholdHours: null, judged: false, stale: false },
    ]);
    expect(table.every((l) => l.level === 'info')).toBe(true);
    expect(result.summary).toMatchObject({ bucket: 'nba-sim-raw-data-lake', scanMode: 'list', objects: 1_522, bytes: 150_111, staleSources: ['espn_schedules/'] });
  });

  it('uses the bucket and prefixes it is given over config', async () => {
    const { ctx } = context({ s3: { prefixes: ['espn_box_scores/'] } });
    const result = await runS3Job(ctx, { s3: new S3Client({ region: 'us-east-1' }), bucket: 'other-bucket', prefixes: ['espn_schedules/'] });
    expect(s3Mock.commandCalls(ListObjectsV2Command)[0]!.args[0].input.Bucket).toBe('other-bucket');
    expect(result.datums[0]!.Dimensions).toEqual([{ Name: 'Bucket', Value: 'other-bucket' }]);
    expect((result.summary!.sources as Array<{ prefix: string }>).map((s) => s.prefix)).toEqual(['espn_schedules/']);
  });

  it('reports an unreadable bucket as a fatal problem naming it, with no datum', async () => {
    s3Mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const { ctx } = context();
    const result = await runS3Job(ctx, { s3: new S3Client({ region: 'us-east-1', maxAttempts: 1 }) });
    expect(result.datums).toEqual([]);
    expect(result.problems).toEqual([
      { source: 's3://nba-sim-raw-data-lake/', message: 'S3 data lake: Cannot list s3://nba-sim-raw-data-lake/: AccessDenied (HTTP 403): Access Denied', fatal: true },
    ]);
  });

  it('refuses inventory mode without an inventory location', async () => {
    const { ctx } = context({ s3: { scanMode: 'inventory' } });
    const result = await runS3Job(ctx, { s3: new S3Client({ region: 'us-east-1' }) });
    expect(result.problems).toEqual([
      { source: 's3://nba-sim-raw-data-lake/', message: 'The scan mode of s3://nba-sim-raw-data-lake is "inventory" but no inventory (destinationBucket, configurationId) is configured for it.', fatal: true },
    ]);
    expect(s3Mock.commandCalls(ListObjectsV2Command)).toEqual([]);
  });
});

describe('S3 publisher Lambda handler', () => {
  it('publishes the totals, writes the freshness table as JSON log lines with the request id', async () => {
    vi.resetModules();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    vi.stubEnv('MONITOR_CONFIG', JSON.stringify(parseConfig({ dataLakeBucket: 'nba-sim-raw-data-lake' })));
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    const logs: string[] = [];
    const capture = (chunk: unknown) => {
      for (const line of String(chunk).split('\n')) if (line.startsWith('{')) logs.push(line);
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    cw.on(PutMetricDataCommand).resolves({});
    const { handler } = await import('../lambda/s3-publisher');
    const ctx = { awsRequestId: 'req-s3', functionName: 'fn', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '256', logGroupName: 'g', logStreamName: 's' } as unknown as Context;

    const summary = await handler({}, ctx);
    expect(summary).toMatchObject({ publisher: 's3', datums: 3, sent: 3, problems: 0 });
    const sent = cw.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData!.map((d) => [d.MetricName, d.Value]));
    expect(sent).toEqual([
      ['S3ObjectCount', 1_522],
      ['S3TotalSizeGB', 150_111 / 1024 ** 3],
      ['S3StaleSources', 1],
    ]);
    const rows = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === FRESHNESS_LOG_MESSAGE);
    expect(rows.map((r) => [r.prefix, r.ageMinutes, r.stale, r.correlation_id])).toEqual([
      ['espn_box_scores/', 120, false, 'req-s3'],
      ['espn_schedules/', 12_000, true, 'req-s3'],
      ['inventory-reports/', 54_000, false, 'req-s3'],
    ]);
  });

  it('fails the invocation (after publishing nothing) when the bucket cannot be read', async () => {
    vi.resetModules();
    vi.stubEnv('MONITOR_CONFIG', JSON.stringify(parseConfig({ dataLakeBucket: 'nba-sim-raw-data-lake' })));
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    s3Mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }));
    const { handler } = await import('../lambda/s3-publisher');
    const err = await handler({}, { awsRequestId: 'r' } as unknown as Context).catch((e: unknown) => e);
    // Modules were reset: the error class is the freshly imported one, so check by name.
    expect((err as Error).name).toBe('PublisherRunError');
    expect((err as Error).message).toContain('Cannot list s3://nba-sim-raw-data-lake/: NoSuchBucket (HTTP 404)');
    expect(cw.commandCalls(PutMetricDataCommand)).toEqual([]);
  });
});
