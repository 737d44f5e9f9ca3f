import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import { collectDims } from '../collectors/dims';
import { dataLakeBuckets, sourceBucket } from '../config/load';
import { beforeDeadline } from '../sources/deadline';
import { MAX_YAML_BYTES, type ObjectLocation, SourceReadError, describeLocation, readDocument } from '../sources/object-source';
import { type LiveCount, latestS3ObjectCount } from '../sources/live-count';
import type { JobContext, JobResult } from './job';

/** DIMS job: reads the DIMS inventory YAML (S3 or a file) and runs the DIMS collector. */
export interface DimsJobOptions {
  readonly s3?: S3Client;
  /** @default config.dims.bucket ?? config.dataLakeBucket */
  readonly bucket?: string;
  /** @default config.dims.key */
  readonly key?: string;
  /** A local file instead of S3. */
  readonly file?: string;
  /** The live object count for drift (CLI: `--live-count`, or why there is none). */
  readonly liveCount?: () => Promise<LiveCount>;
  /** Without `liveCount`: read the S3 publisher's latest S3ObjectCount of the first data-lake bucket. */
  readonly cloudWatch?: CloudWatchClient;
}

export async function runDimsJob(ctx: JobContext, options: DimsJobOptions): Promise<JobResult> {
  const { config, logger } = ctx;
  const location: ObjectLocation =
    options.file !== undefined ? { path: options.file } : { bucket: options.bucket ?? sourceBucket(config, 'dims'), key: options.key ?? config.dims.key };
  let text: string;
  try {
    text = (await readDocument(location, { s3: options.s3, maxBytes: MAX_YAML_BYTES, deadline: ctx.deadlines?.job })).text;
  } catch (err) {
    const where = describeLocation(location);
    const message = err instanceof SourceReadError ? `DIMS inventory: ${err.message}` : `DIMS inventory: cannot read ${where}: ${String(err)}`;
    return { datums: [], problems: [{ source: where, message, fatal: true }] };
  }

  const { cloudWatch } = options;
  const liveCount =
    options.liveCount ??
    (cloudWatch && (() => latestS3ObjectCount({ cloudWatch, catalog: ctx.catalog, bucket: dataLakeBuckets(config)[0]!.name, now: ctx.now, abortSignal: ctx.deadlines?.job.signal })));
  let live: LiveCount = {
    unavailable: config.s3.enabled ? 'no live count source configured' : 'the S3 publisher is turned off (s3.enabled: false), so there is no live count to compare with',
  };
  if (liveCount && config.s3.enabled) {
    try {
      live = await beforeDeadline(liveCount(), ctx.deadlines?.job, 'reading the live S3 object count');
    } catch (err) {
      const e = err as { name?: string; message?: string };
      live = { unavailable: `reading the live S3 object count failed: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}` };
    }
  }
  const out = collectDims({ location: describeLocation(location), text, liveObjectCount: live.value, liveCountUnavailable: live.unavailable }, ctx);
  for (const line of out.debug) logger.debug(line);
  for (const w of out.warnings) logger.warn(w);
  return {
    datums: out.datums,
    problems: out.problems,
    summary: { inventory: describeLocation(location), liveObjectCount: live.value ?? null, skippedEntries: out.debug.length },
  };
}
