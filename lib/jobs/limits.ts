import type { PublisherId } from '../config/schema';
import { type NetworkLimits, attemptTimeoutMs } from '../sources/aws-clients';
import { Deadline, formatSeconds } from '../sources/deadline';

/**
 * How long and how big one publisher run may be. The Lambda functions are sized from here and
 * `monitor publish` runs under the same limits, so a run that would time out in Lambda stops
 * the same way on a laptop.
 */
export interface PublisherLimits {
  /** The Lambda function's timeout. */
  readonly timeoutSeconds: number;
  /** The Lambda function's memory. */
  readonly memoryMb: number;
}

export const PUBLISHER_LIMITS: Readonly<Record<PublisherId, PublisherLimits>> = {
  s3: { timeoutSeconds: 300, memoryMb: 512 },
  adce: { timeoutSeconds: 60, memoryMb: 256 },
  dims: { timeoutSeconds: 60, memoryMb: 256 },
  cost: { timeoutSeconds: 60, memoryMb: 256 },
};

/**
 * The deadlines of one run of `totalMs` (the Lambda's remaining time at the start):
 * - `job`: sources are read until then; what is left over is kept to publish and report,
 *   at least two requests' worst case (one PutMetricData, one cursor write) plus 2 s to log,
 *   and at least a fifth of the run;
 * - `publish`: no PutMetricData is started after it, and the one in flight is aborted;
 * - `run`: the cursor commit and the summary line are done by then, 1 s before the Lambda's end.
 */
export interface RunDeadlines {
  readonly job: Deadline;
  readonly publish: Deadline;
  readonly run: Deadline;
}

export function runDeadlines(totalMs: number, network?: NetworkLimits): RunDeadlines {
  const attempt = attemptTimeoutMs(network);
  const reserve = Math.max(2 * attempt + 2000, totalMs / 5);
  const jobMs = Math.max(0, totalMs - reserve);
  const publishMs = Math.max(0, totalMs - attempt - 1000);
  const runMs = Math.max(0, totalMs - 1000);
  return {
    job: new Deadline(jobMs, `the run's deadline for reading sources (${formatSeconds(jobMs)} of ${formatSeconds(totalMs)})`),
    publish: new Deadline(publishMs, `the run's deadline for publishing (${formatSeconds(publishMs)} of ${formatSeconds(totalMs)})`),
    run: new Deadline(runMs, `the run's end (${formatSeconds(runMs)} of ${formatSeconds(totalMs)})`),
  };
}
