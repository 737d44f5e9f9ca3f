import type { S3Client } from '@aws-sdk/client-s3';
import type { MetricDatum } from '../catalog/datum';
import { collectS3 } from '../collectors/s3';
import { type DataLakeBucket, dataLakeBuckets } from '../config/load';
import { type InventoryLocation, scanInventory } from '../sources/s3-inventory';
import { type BucketScan, scanBucket } from '../sources/s3-scan';
import type { JobContext, JobResult, Problem } from './job';

/**
 * S3 data-lake job: for every configured bucket, scan it (parallel listing, or the newest S3
 * Inventory report when its `scanMode` is `inventory`), run the collector, and write the
 * per-source freshness table to the log, one line per source with the message
 * {@link FRESHNESS_LOG_MESSAGE}. Buckets are scanned one after the other, so at most
 * `s3.maxConcurrency` requests are in flight (the scan is CPU-bound on Lambda: more buckets at
 * once would not finish sooner). A bucket that cannot be read is a fatal problem of the run,
 * and the other buckets' datums are still returned.
 */

/** Message of the per-source log lines; the dashboard's Logs Insights widget filters on it. */
export const FRESHNESS_LOG_MESSAGE = 'source freshness';

/** An inventory older than this is reported as a problem: deliveries have stopped. */
const MAX_INVENTORY_AGE_HOURS = 8 * 24;

export interface S3JobOptions {
  readonly s3: S3Client;
  /** Measure only this bucket (its configured settings, or the `s3` defaults). @default every bucket of `dataLakeBuckets(config)` */
  readonly bucket?: string;
  /** Data sources to judge. @default the bucket's `prefixes`, else every top-level prefix found */
  readonly prefixes?: readonly string[];
}

export async function runS3Job(ctx: JobContext, options: S3JobOptions): Promise<JobResult> {
  const configured = dataLakeBuckets(ctx.config);
  const buckets = options.bucket === undefined ? configured : [configured.find((b) => b.name === options.bucket) ?? { ...configured[0]!, name: options.bucket }];
  const datums: MetricDatum[] = [];
  const problems: Problem[] = [];
  const summaries: Record<string, unknown>[] = [];
  for (const bucket of buckets) {
    const one = await measureBucket(ctx, bucket, options);
    datums.push(...one.datums);
    problems.push(...one.problems);
    if (one.summary) summaries.push(one.summary);
  }
  // One bucket: the summary keys stay flat (as before several buckets were possible).
  const summary = summaries.length === 1 ? summaries[0] : { buckets: summaries };
  return { datums, problems, ...(summary ? { summary } : {}) };
}

async function measureBucket(ctx: JobContext, settings: DataLakeBucket, options: S3JobOptions): Promise<JobResult> {
  const { config, logger, now } = ctx;
  const bucket = settings.name;
  const prefixes = options.prefixes ?? settings.prefixes;
  const mode = settings.scanMode;
  const problems: Problem[] = [];

  let scan: BucketScan;
  let inventory: InventoryLocation | undefined;
  try {
    if (mode === 'inventory') {
      if (!settings.inventory) {
        return fatal(`s3://${bucket}/`, `The scan mode of s3://${bucket} is "inventory" but no inventory (destinationBucket, configurationId) is configured for it.`);
      }
      inventory = { sourceBucket: bucket, ...settings.inventory };
      scan = await scanInventory(options.s3, inventory, { prefixes, logger, deadline: ctx.deadlines?.job });
    } else {
      scan = await scanBucket(options.s3, bucket, { prefixes, maxConcurrency: config.s3.maxConcurrency, logger, deadline: ctx.deadlines?.job });
    }
  } catch (err) {
    return fatal(inventory ? `s3://${inventory.destinationBucket}/` : `s3://${bucket}/`, `S3 data lake: ${(err as Error).message}`);
  }

  if (scan.asOf && mode === 'inventory') {
    const ageHours = (now.getTime() - scan.asOf.getTime()) / 3_600_000;
    if (ageHours > MAX_INVENTORY_AGE_HOURS) {
      problems.push({
        source: `s3://${inventory!.destinationBucket}/`,
        message: `The newest S3 Inventory report of ${bucket} is ${Math.round(ageHours / 24)} days old (${scan.asOf.toISOString()}): inventory delivery seems to have stopped; totals and freshness are as of then.`,
        fatal: false,
      });
    }
  }

  const out = collectS3({ scan, bucket: settings, sources: prefixes }, ctx);
  for (const w of out.warnings) logger.warn(w, { bucket });
  for (const row of out.sources) logger.info(FRESHNESS_LOG_MESSAGE, { bucket, ...row });
  const stale = out.sources.filter((s) => s.stale).map((s) => s.prefix);
  return {
    datums: out.datums,
    problems,
    summary: {
      bucket,
      scanMode: mode,
      objects: scan.objects,
      bytes: scan.bytes,
      ...(scan.asOf ? { asOf: scan.asOf.toISOString() } : {}),
      staleSources: stale,
      sources: out.sources,
      scan: scan.stats,
    },
  };
}

function fatal(source: string, message: string): JobResult {
  return { datums: [], problems: [{ source, message, fatal: true }] };
}
