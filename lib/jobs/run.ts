import { dueThisRun } from '../catalog/catalog';
import type { MetricDatum } from '../catalog/datum';
import type { PublishOptions, PublishResult } from '../publisher/publish';
import { publishDatums, summedIn } from '../publisher/publish';
import { beforeDeadline } from '../sources/deadline';
import type { JobContext, JobResult, Problem } from './job';

/**
 * Runs a job and publishes what it collected: the one sequence shared by every Lambda handler
 * and `monitor publish` (real mode). Problems are logged at ERROR level (a log metric filter
 * counts them); a summary line closes the run.
 */

export interface PublishingJobResult extends JobResult {
  /**
   * Called with the publish outcome before the run ends, e.g. to hand back a cursor claim when
   * nothing could be sent. Returns further problems.
   */
  readonly afterPublish?: (result: PublishResult) => Promise<Problem[]>;
}

export type PublisherJob = (ctx: JobContext) => Promise<PublishingJobResult>;

export interface RunOutcome {
  readonly result: PublishingJobResult;
  readonly publish: PublishResult;
  /** The job's problems plus any from afterPublish. */
  readonly problems: Problem[];
  /** A fatal problem or a datum that could not be sent: the run failed (after sending the rest). */
  readonly failed: boolean;
}

/** Thrown by handlers after publishing, so Lambda Errors, retries and the DLQ see the failure. */
export class PublisherRunError extends Error {
  override readonly name = 'PublisherRunError';
  constructor(
    message: string,
    readonly outcome: RunOutcome,
  ) {
    super(message);
  }
}

export async function runAndPublish(
  job: PublisherJob,
  ctx: JobContext,
  publish: Omit<PublishOptions, 'logger' | 'now'>,
): Promise<RunOutcome> {
  let result: PublishingJobResult;
  const deadlines = ctx.deadlines;
  try {
    // A job stops at deadlines.job by itself; this only guards against one that does not.
    result = await beforeDeadline(job(ctx), deadlines?.publish, 'The job');
  } catch (err) {
    // A job should report problems, not throw; if it does, nothing was collected.
    result = { datums: [], problems: [{ source: 'job', message: `The job failed: ${(err as Error)?.stack ?? String(err)}`, fatal: true }] };
  }
  const { due, held } = datumsDueThisRun(result.datums, ctx);
  if (held.length > 0) {
    ctx.logger.info('Not sent this run: dashboard-only metrics sent at their own cadence', { heldBack: held });
  }
  result = { ...result, datums: due };
  const published = await publishDatums(due, {
    summed: summedIn(ctx.catalog),
    ...publish,
    logger: ctx.logger,
    now: () => ctx.now,
    deadline: deadlines?.publish,
  });
  const problems = [...result.problems];
  if (result.afterPublish) {
    try {
      problems.push(...(await beforeDeadline(result.afterPublish(published), deadlines?.run, 'After publishing')));
    } catch (err) {
      problems.push({ source: 'job', message: `After publishing: ${(err as Error)?.message ?? String(err)}`, fatal: true });
    }
  }
  for (const p of problems) ctx.logger.error(p.message, { problemSource: p.source, fatal: p.fatal });
  const failed = problems.some((p) => p.fatal) || published.failed.length > 0;
  ctx.logger.info('Publisher run finished', {
    datums: result.datums.length,
    sent: published.sent,
    requests: published.requests,
    rejected: published.rejected.length,
    failedDatums: published.failed.length,
    problems: problems.length,
    failed,
    ...(result.summary ?? {}),
  });
  return { result, publish: published, problems, failed };
}

/**
 * Splits a run's datums into those it sends and those of metrics with a dashboard cadence whose
 * window this run is not the first of (named in `held` as `metric (every N min)`).
 */
function datumsDueThisRun(datums: readonly MetricDatum[], ctx: Pick<JobContext, 'catalog' | 'scheduledTime'>): { due: MetricDatum[]; held: string[] } {
  if (!ctx.scheduledTime) return { due: [...datums], held: [] };
  const due: MetricDatum[] = [];
  const held = new Set<string>();
  for (const d of datums) {
    const metric = ctx.catalog.findByName(d.MetricName);
    if (metric?.cadenceMinutes !== undefined && metric.scheduleMinutes !== undefined && !dueThisRun(ctx.scheduledTime, metric.cadenceMinutes, metric.scheduleMinutes)) {
      held.add(`${d.MetricName} (every ${metric.cadenceMinutes} min)`);
    } else {
      due.push(d);
    }
  }
  return { due, held: [...held] };
}

/** One line saying why a run failed: fatal problems first, then unsent datums. */
export function failureMessage(outcome: RunOutcome): string {
  const parts = outcome.problems.filter((p) => p.fatal).map((p) => p.message);
  if (outcome.publish.failed.length > 0) {
    parts.push(`${outcome.publish.failed.length} datum(s) could not be sent: ${outcome.publish.failed[0]!.error}`);
  }
  return `Publisher run failed after sending ${outcome.publish.sent} datum(s): ${parts.join('; ')}`;
}
