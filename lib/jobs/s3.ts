import type { S3Client } from '@aws-sdk/client-s3';
import { collectS3 } from '../collectors/s3';
import { sourceBucket } from '../config/load';
import { type InventoryLocation, scanInventory } from '../sources/s3-inventory';
import { type BucketScan, scanBucket } from '../sources/s3-scan';
import type { JobContext, JobResult, Problem } from './job';

/**
 * S3 data-lake job: scan the bucket (parallel listing, or the newest S3 Inventory report when
 * `s3.scanMode` is `inventory`), run the collector, and write the per-source freshness table to
 * the log, one line per source with the message {@link FRESHNESS_LOG_MESSAGE}.
 */

/** Message of the per-source log lines; the dashboard's Logs Insights widget filters on it. */
export const FRESHNESS_LOG_MESSAGE = 'source freshness';

/** An inventory older than this is reported as a problem: deliveries have stopped. */
const MAX_INVENTORY_AGE_HOURS = 8 * 24;

export interface S3JobOptions {
  readonly s3: S3Client;
  /** @default config.s3.bucket ?? config.dataLakeBucket */
  readonly bucket?: string;
  /** Data sources to judge. @default config.s3.prefixes, else every top-level prefix found */
  readonly prefixes?: readonly string[];
}

export async function runS3Job(ctx: JobContext, options: S3JobOptions): Promise<JobResult> {
  const { config, logger, now } = ctx;
  const bucket = options.bucket ?? sourceBucket(config, 's3');
  const prefixes = options.prefixes ?? config.s3.prefixes;
  const mode = config.s3.scanMode;
  const problems: Problem[] = [];

  let scan: BucketScan;
  let inventory: InventoryLocation | undefined;
  try {
    if (mode === 'inventory') {
      if (!config.s3.inventory) {
        return fatal(`s3://${bucket}/`, 's3.scanMode is "inventory" but s3.inventory (destinationBucket, configurationId) is not configured.');
      }
      inventory = { sourceBucket: bucket, ...config.s3.inventory };
      scan = await scanInventory(options.s3, inventory, { prefixes, logger });
    } else {
      scan = await scanBucket(options.s3, bucket, { prefixes, maxConcurrency: config.s3.maxConcurrency, logger });
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

  const out = collectS3({ scan, sources: prefixes }, ctx);
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
