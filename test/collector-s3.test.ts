import { describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { collectS3 } from '../lib/collectors/s3';
import { parseConfig } from '../lib/config/load';
import type { MonitoringConfigInput } from '../lib/config/schema';
import type { BucketScan, PrefixAggregate } from '../lib/sources/s3-scan';

const now = new Date('2025-11-08T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const GiB = 1024 ** 3;

function scanOf(root: PrefixAggregate, prefixes: PrefixAggregate[], nested: PrefixAggregate[] = []): BucketScan {
  const all = [root, ...prefixes];
  const newest = Math.max(...all.map((a) => a.newest?.getTime() ?? -Infinity));
  return {
    bucket: 'nba-sim-raw-data-lake',
    objects: all.reduce((s, a) => s + a.objects, 0),
    bytes: all.reduce((s, a) => s + a.bytes, 0),
    ...(newest > -Infinity ? { newest: new Date(newest) } : {}),
    root,
    prefixes,
    nested,
    stats: { mode: 'list', requests: 1, criticalPath: 1, maxInFlight: 1, splits: 0, durationMs: 1 },
  };
}

const lake = scanOf({ prefix: '', objects: 3, bytes: 3 * GiB, newest: hoursAgo(1) }, [
  { prefix: 'espn_play_by_play/', objects: 44_000, bytes: 40 * GiB, newest: hoursAgo(2) },
  { prefix: 'espn_schedules/', objects: 900, bytes: GiB / 2, newest: hoursAgo(100) },
  { prefix: 'inventory-reports/', objects: 30, bytes: 1024, newest: hoursAgo(500) },
  { prefix: 'nba_pbp/', objects: 30_000, bytes: 20 * GiB, newest: hoursAgo(37) },
]);

function collect(scan: BucketScan, config: MonitoringConfigInput = {}, sources?: string[]) {
  const cfg = parseConfig(config);
  return collectS3({ scan, ...(sources ? { sources } : {}) }, { config: cfg, catalog: createCatalog(cfg), now });
}
const value = (out: ReturnType<typeof collect>, name: string, prefix?: string) =>
  out.datums.find((d) => d.MetricName === name && (prefix === undefined || d.Dimensions?.some((x) => x.Name === 'Prefix' && x.Value === prefix)))?.Value;

describe('S3 collector', () => {
  it('publishes exact bucket totals, root-level keys included, in GiB, with the Bucket dimension', () => {
    const out = collect(lake);
    expect(value(out, 'S3ObjectCount')).toBe(74_933);
    expect(value(out, 'S3TotalSizeGB')).toBeCloseTo(63.5 + 1024 / GiB, 12);
    for (const d of out.datums) {
      expect(d).toMatchObject({ Namespace: 'NBA-Simulator/DataCollection', Dimensions: [{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }], Timestamp: now });
    }
  });

  it('judges each discovered source against the default 36 h threshold, skipping excluded prefixes', () => {
    const out = collect(lake);
    expect(out.sources.map((s) => [s.prefix, s.ageMinutes, s.thresholdHours, s.stale])).toEqual([
      ['espn_play_by_play/', 120, 36, false],
      ['espn_schedules/', 6000, 36, true],
      ['inventory-reports/', 30000, null, false],
      ['nba_pbp/', 2220, 36, true],
    ]);
    expect(value(out, 'S3StaleSources')).toBe(2);
    expect(out.sources[0]).toEqual({
      prefix: 'espn_play_by_play/', objects: 44_000, bytes: 40 * GiB, sizeGB: 40, newest: hoursAgo(2).toISOString(), ageMinutes: 120, thresholdHours: 36, judged: true, stale: false,
    });
  });

  it('uses per-prefix thresholds and configured sources; a configured source with no objects is stale', () => {
    const out = collect(lake, { s3: { prefixes: ['espn_schedules/', 'nba_pbp/', 'hoopr_parquet/'], freshness: { perPrefix: { 'espn_schedules/': 168, 'nba_pbp/': 48 } } } });
    expect(out.sources.map((s) => [s.prefix, s.thresholdHours, s.stale])).toEqual([
      ['espn_schedules/', 168, false],
      ['nba_pbp/', 48, false],
      ['hoopr_parquet/', 36, true],
    ]);
    expect(out.sources[2]).toMatchObject({ objects: 0, newest: null, ageMinutes: null });
    expect(value(out, 'S3StaleSources')).toBe(1);
    expect(out.warnings).toEqual(['Data source s3://nba-sim-raw-data-lake/hoopr_parquet/ has no objects: counted as stale.']);
    // Totals stay whole-bucket whatever the sources are.
    expect(value(out, 'S3ObjectCount')).toBe(74_933);
  });

  it('judges a source against the next check: stale once it would pass its threshold before the publisher looks again', () => {
    // Hourly publisher, 36 h threshold: fresh up to 35 h old, stale past that.
    const edge = scanOf({ prefix: '', objects: 0, bytes: 0 }, [
      { prefix: 'a/', objects: 1, bytes: 1, newest: hoursAgo(35) },
      { prefix: 'b/', objects: 1, bytes: 1, newest: hoursAgo(35 + 1 / 60) },
    ]);
    expect(collect(edge, { s3: { scheduleMinutes: 60 } }).sources.map((s) => s.stale)).toEqual([false, true]);
    // A slower publisher looks further ahead.
    expect(collect(edge, { s3: { scheduleMinutes: 180 } }).sources.map((s) => s.stale)).toEqual([true, true]);
  });

  it('an empty bucket publishes zero totals and no stale source', () => {
    const out = collect(scanOf({ prefix: '', objects: 0, bytes: 0 }, []));
    expect(out.datums.map((d) => [d.MetricName, d.Value])).toEqual([
      ['S3ObjectCount', 0],
      ['S3TotalSizeGB', 0],
      ['S3StaleSources', 0],
    ]);
    expect(out.sources).toEqual([]);
  });

  it('publishes per-prefix metrics only for s3.perPrefixMetrics, with Bucket and Prefix dimensions', () => {
    const none = collect(lake);
    expect(none.datums.filter((d) => d.MetricName.startsWith('S3Prefix'))).toEqual([]);

    const out = collect(lake, { s3: { perPrefixMetrics: ['nba_pbp/', 'kaggle/'] } });
    expect(out.datums.filter((d) => d.MetricName.startsWith('S3Prefix')).map((d) => [d.MetricName, d.Dimensions, d.Value])).toEqual([
      ['S3PrefixObjectCount', [{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }, { Name: 'Prefix', Value: 'nba_pbp/' }], 30_000],
      ['S3PrefixSizeGB', [{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }, { Name: 'Prefix', Value: 'nba_pbp/' }], 20],
      ['S3PrefixAgeMinutes', [{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }, { Name: 'Prefix', Value: 'nba_pbp/' }], 2220],
      // No object, no age: missing data, not a made-up number.
      ['S3PrefixObjectCount', [{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }, { Name: 'Prefix', Value: 'kaggle/' }], 0],
      ['S3PrefixSizeGB', [{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }, { Name: 'Prefix', Value: 'kaggle/' }], 0],
    ]);
  });

  it('reads nested sources from the scan and never reports a negative age (clock skew)', () => {
    const scan = scanOf({ prefix: '', objects: 0, bytes: 0 }, [{ prefix: 'telemetry/', objects: 5, bytes: 5, newest: new Date(now.getTime() + 60_000) }], [
      { prefix: 'telemetry/espn/', objects: 2, bytes: 2, newest: hoursAgo(50) },
    ]);
    const out = collect(scan, { s3: { prefixes: ['telemetry/', 'telemetry/espn/'] } });
    expect(out.sources.map((s) => [s.prefix, s.objects, s.ageMinutes, s.stale])).toEqual([
      ['telemetry/', 5, 0, false],
      ['telemetry/espn/', 2, 3000, true],
    ]);
  });
});
