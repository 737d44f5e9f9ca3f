import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { dataLakeBuckets, parseConfig } from '../lib/config/load';
import type { MonitoringConfigInput } from '../lib/config/schema';
import type { JobContext } from '../lib/jobs/job';
import { FRESHNESS_LOG_MESSAGE, runS3Job } from '../lib/jobs/s3';
import { FakeListing, type FakeObject } from './support/fake-s3-listing';
import { synthStack } from './support/synth';
import { catalogViolations, metricsInTemplate } from './support/template-metrics';

const TWO_BUCKETS: MonitoringConfigInput = {
  dataLakeBucket: 'acme-raw',
  s3: {
    freshness: { defaultThresholdHours: 24 },
    buckets: [
      { name: 'acme-raw', prefixes: ['clicks/', 'orders/'], freshness: { perPrefix: { 'orders/': 48 } }, perPrefixMetrics: ['clicks/'] },
      { name: 'acme-curated', freshness: { defaultThresholdHours: 72 } },
    ],
  },
  adce: { enabled: false },
  dims: { enabled: false },
  // The growth band per bucket is a profile feature.
  anomalyDetection: { s3Growth: true },
};

describe('several data-lake buckets: config', () => {
  it('resolves each bucket, every key falling back to the same key of s3', () => {
    const [raw, curated] = dataLakeBuckets(parseConfig(TWO_BUCKETS));
    expect(raw).toMatchObject({ name: 'acme-raw', prefixes: ['clicks/', 'orders/'], freshness: { defaultThresholdHours: 24, perPrefix: { 'orders/': 48 } }, perPrefixMetrics: ['clicks/'], scanMode: 'list' });
    expect(curated).toMatchObject({ name: 'acme-curated', prefixes: undefined, freshness: { defaultThresholdHours: 72, perPrefix: {} }, perPrefixMetrics: [], excludeFromFreshness: ['inventory-reports/'] });
  });

  it('the one-bucket shorthand is one bucket', () => {
    expect(dataLakeBuckets(parseConfig({ dataLakeBucket: 'x-lake' })).map((b) => b.name)).toEqual(['x-lake']);
    expect(dataLakeBuckets(parseConfig({ dataLakeBucket: 'x-lake', s3: { bucket: 'y-lake' } })).map((b) => b.name)).toEqual(['y-lake']);
  });

  it('refuses a bucket listed twice and s3.bucket next to s3.buckets', () => {
    expect(() => parseConfig({ s3: { buckets: [{ name: 'a-lake' }, { name: 'a-lake' }] } })).toThrow(/s3\.buckets\[1\]\.name = "a-lake": listed twice/);
    expect(() => parseConfig({ s3: { bucket: 'b-lake', buckets: [{ name: 'a-lake' }] } })).toThrow(/s3\.bucket = "b-lake" and s3\.buckets are both set/);
    expect(() => parseConfig({ s3: { buckets: [] } })).toThrow(/s3\.buckets = \[\]: must list at least one bucket/);
    expect(() => parseConfig({ s3: { buckets: [{ name: 'a-lake', prefix: ['x/'] }] } })).toThrow(/unknown key "s3\.buckets\[0\]\.prefix".*did you mean "s3\.buckets\[0\]\.prefixes"\?/);
  });
});

describe('several data-lake buckets: template', () => {
  const { template, stack } = synthStack(TWO_BUCKETS);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, any>);
  const named = (name: string) => alarms.find((a) => a.AlarmName === name);

  it('a heartbeat, a freshness alarm and a growth band per bucket, each on its own Bucket dimension', () => {
    for (const bucket of ['acme-raw', 'acme-curated']) {
      const heartbeat = named(`S3-PublisherHeartbeat-${bucket}`);
      expect(heartbeat, bucket).toMatchObject({ TreatMissingData: 'breaching' });
      // Counted through FILL(count, 0) (see the alarm factory).
      expect(heartbeat!.Metrics[1].MetricStat.Metric, bucket).toEqual({ Namespace: expect.any(String), MetricName: 'S3ObjectCount', Dimensions: [{ Name: 'Bucket', Value: bucket }] });
      expect(named(`S3-StaleSources-${bucket}`), bucket).toMatchObject({ MetricName: 'S3StaleSources', Dimensions: [{ Name: 'Bucket', Value: bucket }] });
      const growth = named(`S3-ObjectGrowthAnomaly-${bucket}`)!;
      expect(JSON.stringify(growth.Metrics)).toContain(`"Value":"${bucket}"`);
      // One runbook section serves every bucket.
      expect(heartbeat!.AlarmDescription).toContain('#s3-publisherheartbeat');
    }
    expect(named('S3-PublisherHeartbeat')).toBeUndefined();
  });

  it('one publisher lists both buckets and nothing else', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);
    const listed = policies.filter((s) => s.Action === 's3:ListBucket').map((s) => JSON.stringify(s.Resource));
    expect(listed.some((r) => r.includes(':::acme-raw"'))).toBe(true);
    expect(listed.some((r) => r.includes(':::acme-curated"'))).toBe(true);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.includes('PublishersS3'))).toHaveLength(1);
  });

  it('dashboards show each bucket and every metric is declared', () => {
    const metrics = metricsInTemplate(template.toJSON());
    expect(catalogViolations(metrics, stack.catalog)).toEqual([]);
    const boards = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(boards).toContain('S3 objects (acme-raw)');
    expect(boards).toContain('S3 objects (acme-curated)');
  });
});

describe('several data-lake buckets: one publisher run', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const ago = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const lakes: Record<string, FakeObject[]> = {
    'acme-raw': [
      ...Array.from({ length: 30 }, (_, i) => ({ key: `clicks/${i}.json`, size: 10, lastModified: ago(1) })),
      { key: 'orders/o.json', size: 5, lastModified: ago(40) },
    ],
    'acme-curated': [{ key: 'daily/d.parquet', size: 7, lastModified: ago(80) }],
  };
  const s3 = mockClient(S3Client);
  beforeEach(() => {
    s3.reset();
    s3.on(ListObjectsV2Command).callsFake((input) => new FakeListing(lakes[input.Bucket] ?? []).list(input));
  });

  it('measures every bucket with its own prefixes and thresholds', async () => {
    const config = parseConfig(TWO_BUCKETS);
    const lines: Array<{ message: string; extra?: Record<string, unknown> }> = [];
    const log = (message: string, extra?: Record<string, unknown>) => void lines.push({ message, extra });
    const ctx: JobContext = { config, catalog: createCatalog(config), now, logger: { debug: log, info: log, warn: log, error: log } };
    const result = await runS3Job(ctx, { s3: new S3Client({ region: 'us-east-1' }) });
    expect(result.problems).toEqual([]);
    const counts = result.datums.filter((d) => d.MetricName === 'S3ObjectCount').map((d) => [d.Dimensions![0]!.Value, d.Value]);
    expect(counts).toEqual([['acme-raw', 31], ['acme-curated', 1]]);
    const stale = result.datums.filter((d) => d.MetricName === 'S3StaleSources').map((d) => [d.Dimensions![0]!.Value, d.Value]);
    // orders/ is 40 h old against 48 h: fresh; daily/ is 80 h old against 72 h: stale.
    expect(stale).toEqual([['acme-raw', 0], ['acme-curated', 1]]);
    const table = lines.filter((l) => l.message === FRESHNESS_LOG_MESSAGE).map((l) => [l.extra!.bucket, l.extra!.prefix, l.extra!.thresholdHours]);
    expect(table).toEqual([['acme-raw', 'clicks/', 24], ['acme-raw', 'orders/', 48], ['acme-curated', 'daily/', 72]]);
    expect(result.datums.filter((d) => d.MetricName === 'S3PrefixObjectCount').map((d) => d.Dimensions)).toEqual([[{ Name: 'Bucket', Value: 'acme-raw' }, { Name: 'Prefix', Value: 'clicks/' }]]);
  });

  it('a bucket that cannot be listed fails the run, and the other bucket is still measured', async () => {
    s3.reset();
    s3.on(ListObjectsV2Command, { Bucket: 'acme-raw' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    s3.on(ListObjectsV2Command, { Bucket: 'acme-curated' }).callsFake((input) => new FakeListing(lakes['acme-curated']!).list(input));
    const config = parseConfig(TWO_BUCKETS);
    const quiet = () => undefined;
    const ctx: JobContext = { config, catalog: createCatalog(config), now, logger: { debug: quiet, info: quiet, warn: quiet, error: quiet } };
    const result = await runS3Job(ctx, { s3: new S3Client({ region: 'us-east-1' }) });
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ source: 's3://acme-raw/', fatal: true });
    expect(result.datums.filter((d) => d.MetricName === 'S3ObjectCount').map((d) => d.Dimensions![0]!.Value)).toEqual(['acme-curated']);
  });

  it('warns at run time when a threshold names a prefix that was not discovered', async () => {
    const config = parseConfig({ dataLakeBucket: 'acme-curated', s3: { freshness: { perPrefix: { 'dialy/': 12 } } }, adce: { enabled: false }, dims: { enabled: false } });
    const warnings: string[] = [];
    const quiet = () => undefined;
    const ctx: JobContext = { config, catalog: createCatalog(config), now, logger: { debug: quiet, info: quiet, warn: (m) => void warnings.push(m), error: quiet } };
    await runS3Job(ctx, { s3: new S3Client({ region: 'us-east-1' }) });
    expect(warnings).toContainEqual(expect.stringMatching(/s3\.freshness\.perPrefix names "dialy\/", which is not a top-level prefix of s3:\/\/acme-curated \(found: daily\/\)/));
  });
});
