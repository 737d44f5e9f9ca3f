import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { MetricCatalog } from '../catalog/catalog';
import type { MetricDatum } from '../catalog/datum';
import { type AdceDocument, collectAdce } from '../collectors/adce';
import { sourceBucket } from '../config/load';
import type { PublishResult } from '../publisher/publish';
import {
  MAX_JSON_BYTES,
  type ObjectLocation,
  SourceReadError,
  cut,
  describeLocation,
  listFiles,
  listKeys,
  readDocument,
} from '../sources/object-source';
import { CursorError, type CursorState, type CursorStore, type StoredCursor } from './adce-cursor';
import type { JobContext, Problem } from './job';
import { PUBLISHER_LIMITS } from './limits';
import type { PublishingJobResult } from './run';

/**
 * ADCE job: reads the task queue and the orchestrator run reports (S3 or local files) and runs
 * the ADCE collector. With a cursor (the Lambda), only reports after the cursor are read; they
 * are claimed with a conditional write BEFORE they are published (so two overlapping runs
 * never both count a report) and confirmed AFTER (so a run that dies in between leaves a claim
 * that expires, and a later run counts those reports: none is lost; see CursorClaim). Without a
 * cursor (`--dry-run`), every report is read (or those that ended after `since`) and nothing is
 * written.
 */
/** Message of the per-priority log lines; the ADCE Health dashboard's Logs Insights table filters on it. */
export const PRIORITY_LOG_MESSAGE = 'queue tasks by priority';

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
  /** Local folder of run reports (`*.json`, any case; symbolic links followed). */
  readonly runsDir?: string;
  /** Counts each report once across runs; omit for a read-only (dry) run. */
  readonly cursor?: CursorStore;
  /** Only reports that ended after this instant are counted. */
  readonly since?: Date;
  /** Reports read per run at most; the rest wait for the next run. @default 500 */
  readonly maxReportsPerRun?: number;
  /** Bytes of run reports read per run at most (memory); the rest wait for the next run. @default MAX_REPORT_BYTES_PER_RUN */
  readonly maxReportBytesPerRun?: number;
}

/**
 * Run reports read by one run, in bytes: reports are held as text until the collector has
 * read them, 2 bytes a character at worst, plus one parse at a time (3-8 MB per MB): 16 MiB
 * keeps the 256 MB ADCE Lambda under about 200 MB (see MAX_JSON_BYTES).
 */
export const MAX_REPORT_BYTES_PER_RUN = 16 * 1024 * 1024;

/** How long after a run's end its claim still stands, for clocks that disagree. */
const CLAIM_CLOCK_SKEW_MS = 60_000;

/**
 * Metrics that come from run reports (claimed via the cursor): the ADCE metrics the catalog
 * marks `when-data`, i.e. sent only when a new report arrives.
 */
export function runReportMetricNames(catalog: MetricCatalog): Set<string> {
  return new Set(catalog.publishedBy('adce').filter((m) => m.emission === 'when-data').map((m) => m.name));
}

const isReport = (name: string) => name.toLowerCase().endsWith('.json');

export async function runAdceJob(ctx: JobContext, options: AdceJobOptions): Promise<PublishingJobResult> {
  const { config, logger, now } = ctx;
  const deadline = ctx.deadlines?.job;
  const problems: Problem[] = [];
  const local = options.queueFile !== undefined || options.runsDir !== undefined;
  const bucket = options.bucket ?? sourceBucket(config, 'adce');
  const runsPrefix = options.runsPrefix ?? config.adce.runsPrefix;
  const limit = options.maxReportsPerRun ?? 500;
  const byteBudget = options.maxReportBytesPerRun ?? MAX_REPORT_BYTES_PER_RUN;
  const summary: Record<string, unknown> = {};

  let stored: StoredCursor = {};
  let cursorUsable = options.cursor !== undefined;
  if (options.cursor) {
    try {
      stored = await options.cursor.read(deadline);
    } catch (err) {
      problems.push({ source: options.cursor.location, message: (err as Error).message, fatal: true });
      cursorUsable = false;
    }
  }
  // A claim left by another run: still running (leave its reports alone), or dead (count them again).
  const claim = stored.state?.claim;
  let claimHeld = false;
  if (cursorUsable && claim) {
    if (Date.parse(claim.expiresAt) > now.getTime()) {
      claimHeld = true;
      logger.info(`ADCE run reports after ${stored.state!.lastKey || '(start)'} up to ${basename(claim.toKey)} are claimed by a run in progress (until ${claim.expiresAt}); not read here`);
      summary.cursor = `claimed by a run in progress until ${claim.expiresAt}`;
    } else {
      problems.push({
        source: options.cursor!.location,
        message:
          `The ADCE run that claimed ${claim.reports} run report(s) after ${stored.state!.lastKey || '(start)'} up to ${claim.toKey} at ${claim.claimedAt} never confirmed them ` +
          `(it timed out or crashed): they are counted again now. Those it had already sent are counted twice (at most ${claim.reports} reports).`,
        fatal: false,
      });
    }
  }

  // The task queue.
  let queue: AdceDocument | undefined;
  const queueLocation: ObjectLocation | undefined = local
    ? options.queueFile !== undefined ? { path: options.queueFile } : undefined
    : { bucket, key: options.queueKey ?? config.adce.queueKey };
  if (queueLocation) {
    try {
      queue = await readDocument(queueLocation, { s3: options.s3, deadline });
    } catch (err) {
      problems.push(readProblem(err, describeLocation(queueLocation), 'ADCE task queue'));
    }
  } else {
    logger.warn('ADCE task queue not read: no --file given with --dir; queue metrics skipped');
  }

  // Run reports after the cursor (or all of them).
  const reports: AdceDocument[] = [];
  let listed: string[] = [];
  let runsListed = false;
  const runsWhere = local ? options.runsDir : `s3://${bucket}/${runsPrefix}`;
  const readReports = !(options.cursor && !cursorUsable) && !claimHeld && (!local || options.runsDir !== undefined);
  if (local && options.runsDir === undefined) logger.warn('ADCE run reports not read: no --dir given with --file; run metrics skipped');
  if (readReports) {
    try {
      if (local) {
        const found = await listFiles(options.runsDir!, '.json');
        listed = found.files;
        runsListed = true;
        for (const s of found.skipped) logger.warn(`${s.path} skipped: ${s.why}`);
      } else {
        const found = await listKeys(options.s3!, {
          bucket,
          prefix: runsPrefix,
          startAfter: cursorUsable ? stored.state?.lastKey || undefined : undefined,
          include: isReport,
          ...(cursorUsable ? { limit } : {}),
          deadline,
        });
        listed = found.keys;
        runsListed = true;
        if (found.skippedCount > 0) {
          logger.warn(
            `${found.skippedCount} key(s) under ${runsWhere} skipped: not .json run reports (${found.skipped.map((k) => cut(basename(k), 80)).join(', ')}${found.skippedCount > found.skipped.length ? ', ...' : ''})`,
          );
        }
        if (found.more) logger.info(`More than ${limit} new ADCE run reports; reading ${limit} now, the rest next run`);
      }
    } catch (err) {
      problems.push(readProblem(err, runsWhere ?? '', 'ADCE run reports'));
    }
    if (cursorUsable && listed.length > limit) {
      logger.info(`${listed.length} new ADCE run reports; reading ${limit} now, the rest next run`);
      listed = listed.slice(0, limit);
    }
    let bytes = 0;
    for (const [i, name] of listed.entries()) {
      const location: ObjectLocation = local ? { path: name } : { bucket, key: name };
      if (deadline?.expired() || bytes >= byteBudget) {
        const why = deadline?.expired() ? `stopped at ${deadline.label}` : `${Math.round(bytes / 1024 / 1024)} MiB of run reports were read (the most one run holds in memory)`;
        if (cursorUsable) {
          logger.warn(`${listed.length - i} of ${listed.length} ADCE run reports wait for the next run: ${why}`);
        } else {
          problems.push({ source: runsWhere ?? '', message: `${listed.length - i} of ${listed.length} ADCE run reports not read: ${why}; first not read: ${describeLocation(location)}`, fatal: true });
        }
        listed = listed.slice(0, i);
        break;
      }
      try {
        const doc = await readDocument(location, { s3: options.s3, deadline, maxBytes: MAX_JSON_BYTES });
        bytes += doc.bytes;
        reports.push(doc);
      } catch (err) {
        const deadlinePassed = err instanceof SourceReadError && err.reason === 'Deadline';
        if (cursorUsable && deadlinePassed) {
          // Not read in time: it and the rest wait for the next run.
          logger.warn(`${listed.length - i} of ${listed.length} ADCE run reports wait for the next run: ${err.detail}`);
          listed = listed.slice(0, i);
          break;
        }
        const tooLarge = err instanceof SourceReadError && err.reason === 'TooLarge';
        problems.push(readProblem(err, describeLocation(location), 'ADCE run report'));
        if (cursorUsable && !tooLarge) {
          // Stop before it: the cursor must not move past a report that was never counted.
          listed = listed.slice(0, i);
          break;
        }
        // A report too large to read never will be: named above, the cursor moves past it.
      }
    }
  }

  const previousNewestEndTime = stored.state?.newestEndTime ? new Date(stored.state.newestEndTime) : undefined;
  // Until a run has ended, the last-run age counts from when monitoring first looked (the first
  // run that listed the reports with a cursor and found none ended: age 0 then).
  const storedWatchingSince = cursorUsable && !previousNewestEndTime ? stored.state?.watchingSince : undefined;
  const mayStartWatching = cursorUsable && !previousNewestEndTime && !storedWatchingSince && !claimHeld && runsListed;
  const noRunSince = storedWatchingSince ? new Date(storedWatchingSince) : mayStartWatching ? now : undefined;
  const out = collectAdce({ queue, reports, previousNewestEndTime, since: options.since, noRunSince, runsLocation: runsWhere }, ctx);
  const watchingSince = out.newestEndTime ? undefined : (storedWatchingSince ?? (mayStartWatching ? now.toISOString() : undefined));
  problems.push(...out.problems);
  for (const w of out.warnings) logger.warn(w);
  for (const u of out.uncountedReports) logger.info(`ADCE run report ${u.location} not counted: ${u.why}`);
  for (const row of out.tasksByPriority ?? []) logger.info(PRIORITY_LOG_MESSAGE, row);
  let datums = out.datums;
  Object.assign(summary, {
    queue: queue?.location,
    reportsRead: reports.length,
    reportsCounted: out.countedReports.length,
    reportsTooOld: out.uncountedReports.filter((u) => !u.why.includes('--since')).length,
    newestEndTime: out.newestEndTime?.toISOString(),
    ...(!out.newestEndTime && noRunSince ? { noRunSince: noRunSince.toISOString() } : {}),
  });

  let afterPublish: PublishingJobResult['afterPublish'];
  if (options.cursor && cursorUsable && !claimHeld && listed.length > 0) {
    const cursor = options.cursor;
    const fromReports = runReportMetricNames(ctx.catalog);
    // watchingSince rides along the claim and the hand-back, so it is written with them (one version).
    const committed: CursorState = { ...(stored.state ?? { lastKey: '', updatedAt: now.toISOString() }), ...(watchingSince ? { watchingSince } : {}) };
    const lastKey = listed[listed.length - 1]!;
    const runEndMs = ctx.deadlines?.run.remainingMs() ?? PUBLISHER_LIMITS.adce.timeoutSeconds * 1000;
    const claimed: CursorState = {
      lastKey: committed.lastKey,
      ...(committed.newestEndTime ? { newestEndTime: committed.newestEndTime } : {}),
      ...(committed.watchingSince ? { watchingSince: committed.watchingSince } : {}),
      updatedAt: now.toISOString(),
      claim: {
        toKey: lastKey,
        reports: listed.length,
        claimedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + runEndMs + CLAIM_CLOCK_SKEW_MS).toISOString(),
      },
    };
    let version: string | undefined;
    try {
      version = await cursor.compareAndSwap(stored.version, claimed, ctx.deadlines?.run.signal);
    } catch (err) {
      problems.push({ source: cursor.location, message: err instanceof CursorError ? err.message : String(err), fatal: true });
    }
    if (version === undefined) {
      // Not claimed (another run did, or the write failed): publishing them could double count.
      datums = datums.filter((d) => !fromReports.has(d.MetricName));
      logger.info(`ADCE run reports up to ${basename(lastKey)} were claimed by an overlapping run; not counted here`);
      summary.cursor = 'claimed by another run';
    } else {
      summary.cursor = { from: committed.lastKey || null, to: lastKey };
      const runDatums = datums.filter((d) => fromReports.has(d.MetricName));
      const next: CursorState = {
        lastKey,
        ...(out.newestEndTime ? { newestEndTime: out.newestEndTime.toISOString() } : {}),
        ...(watchingSince ? { watchingSince } : {}),
        updatedAt: now.toISOString(),
      };
      afterPublish = async (result: PublishResult) =>
        confirm({ result, runDatums, cursor, version: version!, committed, claimed, next, signal: ctx.deadlines?.run.signal, reportOf: out.reportOf });
    }
  } else if (options.cursor && mayStartWatching && watchingSince) {
    problems.push(...(await startWatching(options.cursor, stored, watchingSince, ctx)));
  }
  return { datums, problems, summary, afterPublish };
}

/**
 * Records when monitoring first found that no ADCE run has ever ended. A lost race is fine:
 * the run that wrote first has the newer state. A failed write is not fatal: the age was still
 * published, and the next run tries again.
 */
async function startWatching(cursor: CursorStore, stored: StoredCursor, watchingSince: string, ctx: JobContext): Promise<Problem[]> {
  const state: CursorState = { ...(stored.state ?? { lastKey: '' }), watchingSince, updatedAt: ctx.now.toISOString() };
  try {
    const version = await cursor.compareAndSwap(stored.version, state, ctx.deadlines?.run.signal);
    if (version === undefined) ctx.logger.info('Another run wrote the ADCE cursor first; its state stands');
    return [];
  } catch (err) {
    const detail = err instanceof CursorError ? err.message : `Cannot write the ADCE cursor ${cursor.location}: ${(err as Error)?.message ?? String(err)}`;
    return [{ source: cursor.location, message: `${detail}; the time monitoring first looked for ADCE runs (${watchingSince}) is not recorded, the next run tries again`, fatal: false }];
  }
}

interface ConfirmInput {
  readonly result: PublishResult;
  readonly runDatums: readonly MetricDatum[];
  readonly cursor: CursorStore;
  readonly version: string;
  readonly committed: CursorState;
  readonly claimed: CursorState;
  readonly next: CursorState;
  readonly signal?: AbortSignal;
  readonly reportOf: ReadonlyMap<MetricDatum, string>;
}

/**
 * After publishing: every run-report datum sent (or none to send) -> move the cursor to the
 * claimed key; none sent -> hand the claim back so the next run counts them; some sent -> move
 * on (counting again would send the others twice) and name the reports whose datums were
 * lost. A failed write leaves the claim to expire: a later run counts those reports again, so
 * none is lost.
 */
async function confirm(input: ConfirmInput): Promise<Problem[]> {
  const { result, runDatums, cursor, version, committed, claimed, next, signal } = input;
  const claim = claimed.claim!;
  const failed = new Set<unknown>(result.failed.map((f) => f.datum));
  const lost = runDatums.filter((d) => failed.has(d));
  const range = `after ${committed.lastKey || '(start)'} up to ${claim.toKey}`;
  /** Undefined when written, else why not. */
  const write = async (state: CursorState): Promise<string | undefined> => {
    try {
      return (await cursor.compareAndSwap(version, state, signal)) === undefined ? 'another run wrote the cursor' : undefined;
    } catch (err) {
      return err instanceof CursorError ? err.message : String(err);
    }
  };
  const unsure = result.failed.filter((f) => f.maybeRecorded && runDatums.includes(f.datum));
  if (lost.length > 0 && lost.length === runDatums.length && unsure.length === 0) {
    const why = await write({ ...committed, updatedAt: next.updatedAt });
    return why === undefined
      ? []
      : [{ source: cursor.location, message: `No ADCE run-report datum ${range} could be sent, and the claim could not be handed back (${why}); the reports are counted again by the first run after ${claim.expiresAt}`, fatal: true }];
  }
  const problems: Problem[] = [];
  const why = await write(next);
  if (why !== undefined) {
    problems.push({
      source: cursor.location,
      message: `The ADCE run reports ${range} were sent but the cursor could not be moved (${why}): the first run after ${claim.expiresAt} counts these ${claim.reports} report(s) again (twice in all).`,
      fatal: true,
    });
  }
  if (lost.length > 0) {
    // Sent, or maybe sent (their answer was lost): counting them again could count them twice.
    const reports = [...new Set(lost.map((d) => input.reportOf.get(d) ?? d.Timestamp.toISOString()))];
    problems.push({
      source: cursor.location,
      message: `${lost.length} of ${runDatums.length} ADCE run-report datums could not be sent${unsure.length > 0 ? ` (${unsure.length} may have been recorded: their answer was lost)` : ''} and will not be retried (the others were counted); reports not fully counted: ${reports.slice(0, 10).join(', ')}${reports.length > 10 ? ` and ${reports.length - 10} more` : ''}`,
      fatal: true,
    });
  }
  return problems;
}

function readProblem(err: unknown, where: string, what: string): Problem {
  if (err instanceof SourceReadError) return { source: err.location, message: `${what}: ${err.message}`, fatal: true };
  return { source: where, message: `${what}: cannot read ${where}: ${(err as Error)?.message ?? String(err)}`, fatal: true };
}
