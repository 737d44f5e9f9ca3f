import type { MetricCatalog } from '../catalog/catalog';
import type { MetricDatum } from '../catalog/datum';
import { type DataLakeBucket, dataLakeBuckets, freshnessThresholdHours } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { staleBeforeNextCheck } from '../health/windows';
import type { BucketScan, PrefixAggregate } from '../sources/s3-scan';

/**
 * S3 data-lake collector (pure): a bucket scan (listing or inventory) plus `now` in, datums and
 * the per-source freshness table out. Bucket totals are always published; per-source metrics
 * only for the prefixes config lists in `s3.perPrefixMetrics` (each costs money); freshness
 * reaches alarms as one number, `S3StaleSources`, and the table goes to the run's log.
 */

const GIB = 1024 ** 3;

/** One row of the freshness table: one data source (top-level prefix). */
export interface SourceFreshness {
  readonly prefix: string;
  readonly objects: number;
  readonly bytes: number;
  /** GiB, rounded to 3 decimals (the metric keeps full precision). */
  readonly sizeGB: number;
  /** ISO time of the newest object; null when the source has none. */
  readonly newest: string | null;
  /** Minutes since the newest object was written (0.1 min resolution); null when there is none. */
  readonly ageMinutes: number | null;
  /** The source's threshold; null when the source is excluded from freshness. */
  readonly thresholdHours: number | null;
  /** False for prefixes in `s3.excludeFromFreshness`: counted, never stale. */
  readonly judged: boolean;
  /**
   * Past its threshold by the next check (age + s3.scheduleMinutes > threshold, see
   * `staleBeforeNextCheck`), or no object at all: the warning is never later than threshold + the alarm's period.
   */
  readonly stale: boolean;
}

export interface S3CollectorInput {
  readonly scan: BucketScan;
  /** The bucket's settings (sources, thresholds, per-prefix metrics). @default the first of `dataLakeBuckets(config)` */
  readonly bucket?: DataLakeBucket;
  /** Data sources to judge. @default the bucket's `prefixes`, else every top-level prefix found */
  readonly sources?: readonly string[];
}

export interface S3CollectorContext {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly now: Date;
}

export interface S3Output {
  readonly datums: MetricDatum[];
  readonly sources: SourceFreshness[];
  /** Worth a warning, not an error (e.g. a configured source with no objects). */
  readonly warnings: string[];
}

export function collectS3(input: S3CollectorInput, ctx: S3CollectorContext): S3Output {
  const { scan } = input;
  const { config, catalog, now } = ctx;
  const bucket = { Bucket: scan.bucket };
  const warnings: string[] = [];

  const aggregateOf = (prefix: string): PrefixAggregate =>
    (prefix === '' ? scan.root : undefined) ??
    scan.prefixes.find((p) => p.prefix === prefix) ??
    scan.nested.find((p) => p.prefix === prefix) ?? { prefix, objects: 0, bytes: 0 };

  const settings = input.bucket ?? dataLakeBuckets(config)[0]!;
  const configured = input.sources ?? settings.prefixes;
  const sourceNames = configured ? [...new Set(configured)] : scan.prefixes.map((p) => p.prefix);
  const excluded = new Set(settings.excludeFromFreshness);
  if (!configured) {
    // Discovered sources: a threshold or per-prefix metric naming no prefix found is a typo or a source gone.
    const found = new Set(sourceNames);
    const unmatched = (key: string, prefixes: readonly string[]) => {
      for (const prefix of prefixes.filter((p) => !found.has(p))) {
        warnings.push(`${key} names "${prefix}", which is not a top-level prefix of s3://${scan.bucket} (found: ${[...found].join(', ') || 'none'}): it applies to nothing.`);
      }
    };
    unmatched(`${settings.freshnessFrom}.freshness.perPrefix`, Object.keys(settings.freshness.perPrefix));
    unmatched(`${settings.perPrefixMetricsFrom}.perPrefixMetrics`, settings.perPrefixMetrics);
  }

  const sources = sourceNames.map((prefix): SourceFreshness => {
    const agg = aggregateOf(prefix);
    const ageMinutes = agg.newest ? minutesSince(agg.newest, now) : null;
    const judged = !excluded.has(prefix);
    const thresholdHours = judged ? freshnessThresholdHours(settings, prefix) : null;
    if (agg.objects === 0) {
      warnings.push(`Data source s3://${scan.bucket}/${prefix} has no objects${judged ? ': counted as stale' : ''}.`);
    }
    return {
      prefix,
      objects: agg.objects,
      bytes: agg.bytes,
      sizeGB: Math.round((agg.bytes / GIB) * 1000) / 1000,
      newest: agg.newest ? agg.newest.toISOString() : null,
      ageMinutes,
      thresholdHours,
      judged,
      stale: thresholdHours !== null && (ageMinutes === null || staleBeforeNextCheck(ageMinutes, thresholdHours * 60, config.s3.scheduleMinutes)),
    };
  });

  const datums: MetricDatum[] = [
    catalog.datum('S3ObjectCount', scan.objects, bucket, now),
    catalog.datum('S3TotalSizeGB', scan.bytes / GIB, bucket, now),
    catalog.datum('S3StaleSources', sources.filter((s) => s.stale).length, bucket, now),
  ];
  for (const prefix of new Set(settings.perPrefixMetrics)) {
    if (prefix === '') {
      warnings.push('s3.perPrefixMetrics lists "" (the bucket root): a Prefix dimension cannot be empty; skipped.');
      continue;
    }
    const agg = aggregateOf(prefix);
    const dims = { ...bucket, Prefix: prefix };
    datums.push(catalog.datum('S3PrefixObjectCount', agg.objects, dims, now));
    datums.push(catalog.datum('S3PrefixSizeGB', agg.bytes / GIB, dims, now));
    // No object, no age: the alarm sees missing data rather than a made-up number.
    if (agg.newest) datums.push(catalog.datum('S3PrefixAgeMinutes', minutesSince(agg.newest, now), dims, now));
  }
  return { datums, sources, warnings };
}

/** Whole tenths of a minute since `then`; never negative (clock skew). */
function minutesSince(then: Date, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - then.getTime()) / 6_000) / 10);
}
