import * as z from 'zod/mini';
import type { MetricCatalog } from '../catalog/catalog';
import { MAX_AGE_MS, type MetricDatum } from '../catalog/datum';
import type { MonitoringConfig } from '../config/schema';
import type { Problem } from '../jobs/job';
import { isValidTimeZone, parseNaiveTimestamp } from './naive-time';
import { round2 } from './round';

/**
 * ADCE collector (pure): the task queue (`gaps.json`) and orchestrator run reports in, datums
 * out. Timestamps in both files are naive; they are read in `config.adce.timeZone`.
 */

export interface AdceDocument {
  /** `s3://bucket/key` or a file path: named in every problem about it. */
  readonly location: string;
  readonly text: string;
}

export interface AdceInput {
  /** The task queue; undefined when it was not read (the job reports why). */
  readonly queue?: AdceDocument;
  /** Run reports not counted before, in key order. */
  readonly reports: readonly AdceDocument[];
  /** Newest end_time counted by earlier runs (from the cursor), for ADCELastRunAgeMinutes. */
  readonly previousNewestEndTime?: Date;
  /** Count only reports that ended after this instant (`--since`); older ones still set the last-run age. */
  readonly since?: Date;
}

export interface AdceCollectorContext {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly now: Date;
}

export interface AdceOutput {
  readonly datums: MetricDatum[];
  readonly problems: Problem[];
  /** Newest end_time over the previous value and every valid report read now. */
  readonly newestEndTime?: Date;
  /** Reports turned into per-run datums. */
  readonly countedReports: string[];
  /** Valid reports not counted: ended before `since`, or too old for CloudWatch (> 14 days). */
  readonly uncountedReports: Array<{ location: string; why: string }>;
}

const count = z.int('must be a whole number').check(z.minimum(0, 'must be >= 0'));
const timestampText = z.string().check(z.minLength(1, 'must not be empty'));

export const queueSchema = z.looseObject({
  generated_at: timestampText,
  total_tasks: count,
  by_priority: z._default(z.record(z.string(), count), {}),
  estimated_total_minutes: z.number().check(z.minimum(0, 'must be >= 0')),
});

export const runReportSchema = z.looseObject({
  completed: count,
  failed: count,
  skipped: count,
  end_time: timestampText,
});

export function collectAdce(input: AdceInput, ctx: AdceCollectorContext): AdceOutput {
  const { catalog, now } = ctx;
  const timeZone = ctx.config.adce.timeZone;
  const datums: MetricDatum[] = [];
  const problems: Problem[] = [];
  const countedReports: string[] = [];
  const uncountedReports: AdceOutput['uncountedReports'] = [];
  if (!isValidTimeZone(timeZone)) {
    problems.push({ source: 'config', message: `adce.timeZone "${timeZone}" is not an IANA time zone (e.g. "UTC", "America/New_York")`, fatal: true });
    return { datums, problems, newestEndTime: input.previousNewestEndTime, countedReports, uncountedReports };
  }
  const minutesSince = (t: Date) => round2((now.getTime() - t.getTime()) / 60_000);

  if (input.queue) {
    const queue = parseDocument(input.queue, queueSchema, 'ADCE task queue', problems, true);
    if (queue) {
      const generatedAt = parseNaiveTimestamp(queue.generated_at, timeZone);
      datums.push(catalog.datum('ADCEQueueDepth', queue.total_tasks, {}, now));
      const byPriority = new Map(Object.entries(queue.by_priority).map(([k, v]) => [k.toLowerCase(), v]));
      for (const priority of ctx.config.adce.priorities) {
        const p = priority.toLowerCase();
        datums.push(catalog.datum('ADCEQueueTasks', byPriority.get(p) ?? 0, { Priority: p }, now));
      }
      datums.push(catalog.datum('ADCEBacklogMinutes', queue.estimated_total_minutes, {}, now));
      if (!generatedAt) {
        problems.push({ source: input.queue.location, message: `${input.queue.location}: generated_at ${JSON.stringify(queue.generated_at)} is not a timestamp`, fatal: false });
      } else {
        const age = minutesSince(generatedAt);
        datums.push(catalog.datum('ADCEQueueAgeMinutes', age, {}, now));
        if (age < -5) {
          problems.push({
            source: input.queue.location,
            message: `${input.queue.location}: generated_at ${queue.generated_at} is ${-age} minutes in the future in zone ${timeZone}; check adce.timeZone`,
            fatal: false,
          });
        }
      }
    }
  }

  let newest = input.previousNewestEndTime;
  for (const doc of input.reports) {
    const report = parseDocument(doc, runReportSchema, 'ADCE run report', problems, false);
    if (!report) continue;
    const endTime = parseNaiveTimestamp(report.end_time, timeZone);
    if (!endTime) {
      problems.push({ source: doc.location, message: `${doc.location}: end_time ${JSON.stringify(report.end_time)} is not a timestamp`, fatal: false });
      continue;
    }
    if (!newest || endTime > newest) newest = endTime;
    if (input.since && endTime <= input.since) {
      uncountedReports.push({ location: doc.location, why: `ended ${endTime.toISOString()}, not after --since` });
      continue;
    }
    if (now.getTime() - endTime.getTime() > MAX_AGE_MS) {
      uncountedReports.push({ location: doc.location, why: `ended ${endTime.toISOString()}, older than CloudWatch's 14 days` });
      continue;
    }
    datums.push(catalog.datum('ADCETasksCompleted', report.completed, {}, endTime));
    datums.push(catalog.datum('ADCETasksFailed', report.failed, {}, endTime));
    datums.push(catalog.datum('ADCETasksSkipped', report.skipped, {}, endTime));
    const finished = report.completed + report.failed;
    if (finished > 0) datums.push(catalog.datum('ADCESuccessRate', round2((report.completed / finished) * 100), {}, endTime));
    countedReports.push(doc.location);
  }
  if (newest) datums.push(catalog.datum('ADCELastRunAgeMinutes', minutesSince(newest), {}, now));
  return { datums, problems, newestEndTime: newest, countedReports, uncountedReports };
}

/**
 * JSON + schema; every failure becomes one problem naming the document and the field. A bad
 * queue is fatal (the run's main input is unusable); a bad run report is not (the others count).
 */
function parseDocument<T extends z.ZodMiniType>(doc: AdceDocument, schema: T, what: string, problems: Problem[], fatal: boolean): z.output<T> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(doc.text);
  } catch (err) {
    problems.push({ source: doc.location, message: `${doc.location} is not valid JSON: ${(err as Error).message}`, fatal });
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues
      .map((i) => {
        const path = i.path.map(String).join('.') || '(root)';
        const missing = i.code === 'invalid_type' && valueAt(raw, i.path) === undefined;
        return missing ? `missing key "${path}"` : `"${path}" ${i.message}`;
      })
      .join('; ');
    problems.push({ source: doc.location, message: `${doc.location} is not a valid ${what}: ${why}`, fatal });
    return undefined;
  }
  return parsed.data;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}
