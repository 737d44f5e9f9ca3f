import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MetricCatalog } from '../catalog/catalog';
import { type AdceDocument, collectAdce } from '../collectors/adce';
import { sourceBucket } from '../config/load';
import type { PublishResult } from '../publisher/publish';
import { type ObjectLocation, SourceReadError, describeLocation, listFiles, listKeys, readDocument } from '../sources/object-source';
import { CursorError, type CursorState, type CursorStore, type StoredCursor } from './adce-cursor';
import type { JobContext, Problem } from './job';
import type { PublishingJobResult } from './run';

/**
 * ADCE job: reads the task queue and the orchestrator run reports (S3 or local files) and runs
 * the ADCE collector. With a cursor (the Lambda), only reports after the cursor are read, and
 * they are claimed with a conditional write BEFORE they are published, so two overlapping runs
 * never both count a report. Without a cursor (`--dry-run`), every report is read (or those
 * that ended after `since`) and nothing is written.
 */
export interface AdceJobOptions {
  readonly s3?: S3Client;
  /** @default config.adce.bucket ?? config.dataLakeBucket */
  readonly bucket?: string;
  /** @default config.adce.queueKey */
  readonly queueKey?: string;
  /** @default config.adce.runsPrefix */
  readonly runsPrefix?: string;
  /** Local task queue file; any local option switches the job to local files. */
  readonly queueFile?: string;
  /** Local folder of run reports (`*.json`). */
  readonly runsDir?: string;
  /** Counts each report once across runs; omit for a read-only (dry) run. */
  readonly cursor?: CursorStore;
  /** Only reports that ended after this instant are counted. */
  readonly since?: Date;
  /** Reports read per run at most; the rest wait for the next run. @default 500 */
  readonly maxReportsPerRun?: number;
}

/**
 * Metrics that come from run reports (claimed via the cursor): the ADCE metrics the catalog
 * marks `when-data`, i.e. sent only when a new report arrives.
 */
export function runReportMetricNames(catalog: MetricCatalog): Set<string> {
  return new Set(catalog.publishedBy('adce').filter((m) => m.emission === 'when-data').map((m) => m.name));
}

export async function runAdceJob(ctx: JobContext, options: AdceJobOptions): Promise<PublishingJobResult> {
  const { config, logger } = ctx;
  const problems: Problem[] = [];
  const local = options.queueFile !== undefined || options.runsDir !== undefined;
  const bucket = options.bucket ?? sourceBucket(config, 'adce');
  const limit = options.maxReportsPerRun ?? 500;

  let stored: StoredCursor = {};
  let cursorUsable = options.cursor !== undefined;
  if (options.cursor) {
    try {
      stored = await options.cursor.read();
    } catch (err) {
      problems.push({ source: options.cursor.location, message: (err as Error).message, fatal: true });
      cursorUsable = false;
    }
  }

  // The task queue.
  let queue: AdceDocument | undefined;
  const queueLocation: ObjectLocation | undefined = local
    ? options.queueFile !== undefined ? { path: options.queueFile } : undefined
    : { bucket, key: options.queueKey ?? config.adce.queueKey };
  if (queueLocation) {
    try {
      queue = await readDocument(queueLocation, { s3: options.s3 });
    } catch (err) {
      problems.push(readProblem(err, describeLocation(queueLocation), 'ADCE task queue'));
    }
  } else {
    logger.warn('ADCE task queue not read: no --file given with --dir; queue metrics skipped');
  }

  // Run reports after the cursor (or all of them).
  const reports: AdceDocument[] = [];
  let listed: string[] = [];
  const runsWhere = local ? options.runsDir : `s3://${bucket}/${options.runsPrefix ?? config.adce.runsPrefix}`;
  const readReports = !(options.cursor && !cursorUsable) && (!local || options.runsDir !== undefined);
  if (local && options.runsDir === undefined) logger.warn('ADCE run reports not read: no --dir given with --file; run metrics skipped');
  if (readReports) {
    try {
      listed = local
        ? await listFiles(options.runsDir!, '.json')
        : (
            await listKeys(options.s3!, {
              bucket,
              prefix: options.runsPrefix ?? config.adce.runsPrefix,
              startAfter: cursorUsable ? stored.state?.lastKey || undefined : undefined,
            })
          ).filter((k) => k.endsWith('.json'));
    } catch (err) {
      problems.push(readProblem(err, runsWhere ?? '', 'ADCE run reports'));
    }
    if (cursorUsable && listed.length > limit) {
      logger.info(`${listed.length} new ADCE run reports; reading ${limit} now, the rest next run`);
      listed = listed.slice(0, limit);
    }
    for (const name of listed) {
      const location: ObjectLocation = local ? { path: name } : { bucket, key: name };
      try {
        reports.push(await readDocument(location, { s3: options.s3 }));
      } catch (err) {
        problems.push(readProblem(err, describeLocation(location), 'ADCE run report'));
        if (cursorUsable) {
          // Stop before it: the cursor must not move past a report that was never counted.
          listed = listed.slice(0, listed.indexOf(name));
          break;
        }
      }
    }
  }

  const previousNewestEndTime = stored.state?.newestEndTime ? new Date(stored.state.newestEndTime) : undefined;
  const out = collectAdce({ queue, reports, previousNewestEndTime, since: options.since }, ctx);
  problems.push(...out.problems);
  for (const u of out.uncountedReports) logger.info(`ADCE run report ${u.location} not counted: ${u.why}`);
  let datums = out.datums;
  const summary: Record<string, unknown> = {
    queue: queue?.location,
    reportsRead: reports.length,
    reportsCounted: out.countedReports.length,
    newestEndTime: out.newestEndTime?.toISOString(),
  };

  let afterPublish: PublishingJobResult['afterPublish'];
  if (options.cursor && cursorUsable && listed.length > 0) {
    const cursor = options.cursor;
    const fromReports = runReportMetricNames(ctx.catalog);
    const next: CursorState = {
      lastKey: listed[listed.length - 1]!,
      newestEndTime: out.newestEndTime?.toISOString(),
      updatedAt: ctx.now.toISOString(),
    };
    let version: string | undefined;
    try {
      version = await cursor.compareAndSwap(stored.version, next);
    } catch (err) {
      problems.push({ source: cursor.location, message: err instanceof CursorError ? err.message : String(err), fatal: true });
    }
    if (version === undefined) {
      // Not claimed (another run did, or the write failed): publishing them could double count.
      datums = datums.filter((d) => !fromReports.has(d.MetricName));
      logger.info(`ADCE run reports up to ${basename(next.lastKey)} were claimed by an overlapping run; not counted here`);
      summary.cursor = 'claimed by another run';
    } else {
      summary.cursor = { from: stored.state?.lastKey ?? null, to: next.lastKey };
      const runDatums = datums.filter((d) => fromReports.has(d.MetricName));
      afterPublish = async (result: PublishResult) => releaseIfNothingSent(result, runDatums, cursor, version!, stored, next);
    }
  }
  return { datums, problems, summary, afterPublish };
}

/**
 * If no run-report datum reached CloudWatch (e.g. CloudWatch was down through every retry),
 * hand the claim back so the next run counts those reports; if only some were sent, keep the
 * claim (re-counting would duplicate the sent ones) and report the loss.
 */
async function releaseIfNothingSent(
  result: PublishResult,
  runDatums: readonly unknown[],
  cursor: CursorStore,
  version: string,
  stored: StoredCursor,
  claimed: CursorState,
): Promise<Problem[]> {
  const failed = new Set<unknown>(result.failed.map((f) => f.datum));
  const lost = runDatums.filter((d) => failed.has(d)).length;
  if (lost === 0) return [];
  if (lost === runDatums.length) {
    const previous: CursorState = stored.state ?? { lastKey: '', updatedAt: claimed.updatedAt };
    const back = await cursor.compareAndSwap(version, { ...previous, updatedAt: claimed.updatedAt });
    return back
      ? []
      : [{ source: cursor.location, message: `Could not hand back the ADCE cursor claim up to ${claimed.lastKey}; those reports are not counted`, fatal: true }];
  }
  return [
    {
      source: cursor.location,
      message: `${lost} of ${runDatums.length} ADCE run-report datums up to ${claimed.lastKey} could not be sent and will not be retried (the others were counted)`,
      fatal: true,
    },
  ];
}

function readProblem(err: unknown, where: string, what: string): Problem {
  if (err instanceof SourceReadError) return { source: err.location, message: `${what}: ${err.message}`, fatal: true };
  return { source: where, message: `${what}: cannot read ${where}: ${(err as Error)?.message ?? String(err)}`, fatal: true };
}
