import * as z from 'zod/mini';
import type { MetricCatalog } from '../catalog/catalog';
import { MAX_AGE_MS, type MetricDatum } from '../catalog/datum';
import type { MonitoringConfig } from '../config/schema';
import type { Problem } from '../jobs/job';
import { aheadText, checkAge } from './age';
import { type DuplicateKey, describeValue, parseJson } from './json-document';
import { isValidTimeZone, parseNaiveTimestamp } from './naive-time';
import { round2 } from './round';

/**
 * ADCE collector (pure): the task queue (`gaps.json`) and orchestrator run reports in, datums
 * out. Timestamps in both files are naive; they are read in `config.adce.timeZone`. Every
 * field is checked on its own: a bad field is a problem naming it, expected and got, and the
 * datums of the other fields are still published.
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
  /**
   * Since when monitoring has seen no run end (from the cursor): with no newest end_time known,
   * ADCELastRunAgeMinutes counts from here, a lower bound, so a stall before the first run report
   * still shows (a missing series reads as 0 in the alarm's metric math).
   */
  readonly noRunSince?: Date;
  /** Where run reports are read, for messages. @default config.adce.runsPrefix */
  readonly runsLocation?: string;
}

export interface AdceCollectorContext {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly now: Date;
}

export interface AdceOutput {
  readonly datums: MetricDatum[];
  readonly problems: Problem[];
  /** Worth saying, not errors (clock skew, reports too old for CloudWatch). */
  readonly warnings: string[];
  /** Newest end_time over the previous value and every valid report read now (never in the future). */
  readonly newestEndTime?: Date;
  /** Reports turned into per-run datums. */
  readonly countedReports: string[];
  /** Valid reports not counted: ended before `since`, or too old for CloudWatch (> 14 days). */
  readonly uncountedReports: Array<{ location: string; why: string; endTime?: Date }>;
  /** The report each per-run datum came from. */
  readonly reportOf: Map<MetricDatum, string>;
  /**
   * Queued tasks by priority (lower-cased): the configured priorities (0 when absent) and any
   * other the queue names. Logged one line each for the dashboard's Logs Insights table; custom
   * metrics only with `adce.priorityMetrics`. Undefined when the queue was not read.
   */
  readonly tasksByPriority?: ReadonlyArray<{ priority: string; tasks: number; configured: boolean }>;
}

const count = z.int('must be a whole number').check(z.minimum(0, 'must be >= 0'));
const minutes = z.number('must be a number').check(z.minimum(0, 'must be >= 0'));
const timestampText = z.string('must be a timestamp string').check(z.minLength(1, 'must not be empty'));

export function collectAdce(input: AdceInput, ctx: AdceCollectorContext): AdceOutput {
  const { catalog, now } = ctx;
  const timeZone = ctx.config.adce.timeZone;
  const datums: MetricDatum[] = [];
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const countedReports: string[] = [];
  const uncountedReports: AdceOutput['uncountedReports'] = [];
  const reportOf = new Map<MetricDatum, string>();
  if (!isValidTimeZone(timeZone)) {
    problems.push({ source: 'config', message: `adce.timeZone "${timeZone}" is not an IANA time zone (e.g. "UTC", "America/New_York")`, fatal: true });
    return { datums, problems, warnings, newestEndTime: input.previousNewestEndTime, countedReports, uncountedReports, reportOf };
  }
  let tasksByPriority: AdceOutput['tasksByPriority'];

  if (input.queue) {
    const doc = readDocument(input.queue, 'ADCE task queue', problems, true);
    if (doc) {
      const { field, where } = doc;
      const total = field('total_tasks', count);
      if (total !== undefined) datums.push(catalog.datum('ADCEQueueDepth', total, {}, now));
      const byPriority = priorities(doc, problems);
      if (byPriority) {
        // An ambiguous or invalid count (null) is reported above and shown nowhere.
        const configured = ctx.config.adce.priorities;
        tasksByPriority = [
          ...configured.filter((p) => byPriority.get(p) !== null).map((p) => ({ priority: p, tasks: byPriority.get(p) ?? 0, configured: true })),
          ...[...byPriority.entries()]
            .filter((e): e is [string, number] => e[1] !== null && !configured.includes(e[0]))
            .map(([priority, tasks]) => ({ priority, tasks, configured: false })),
        ];
        if (ctx.config.adce.priorityMetrics) {
          for (const row of tasksByPriority) if (row.configured) datums.push(catalog.datum('ADCEQueueTasks', row.tasks, { Priority: row.priority }, now));
        }
      }
      const backlog = field('estimated_total_minutes', minutes);
      if (backlog !== undefined) datums.push(catalog.datum('ADCEBacklogMinutes', backlog, {}, now));
      const generated = field('generated_at', timestampText);
      if (generated !== undefined) {
        const generatedAt = parseNaiveTimestamp(generated, timeZone);
        if (!generatedAt) {
          problems.push({ source: where, message: `${where}: generated_at ${describeValue(generated)} is not a timestamp`, fatal: false });
        } else {
          const age = checkAge(generatedAt, now);
          if (age.kind === 'future') {
            problems.push({
              source: where,
              message: `${where}: generated_at ${generated} is ${aheadText(age.aheadMs)} in the future in zone ${timeZone}; check adce.timeZone. ADCEQueueAgeMinutes is not published (a negative age hides a stalled queue).`,
              fatal: false,
            });
          } else {
            if (age.kind === 'skew') warnings.push(`${where}: generated_at ${generated} is ${Math.round(age.aheadMs / 1000)} s ahead of this clock (clock skew); queue age published as 0`);
            datums.push(catalog.datum('ADCEQueueAgeMinutes', round2(age.ageMs / 60_000), {}, now));
          }
        }
      }
    }
  }

  let newest = input.previousNewestEndTime;
  if (newest && checkAge(newest, now).kind === 'future') {
    problems.push({ source: 'cursor', message: `The newest end_time counted before (${newest.toISOString()}) is in the future; it is ignored for ADCELastRunAgeMinutes.`, fatal: false });
    newest = undefined;
  }
  for (const report of input.reports) {
    const doc = readDocument(report, 'ADCE run report', problems, false);
    if (!doc) continue;
    const { field, where } = doc;
    const endText = field('end_time', timestampText, 'the report is not counted');
    if (endText === undefined) continue;
    const endTime = parseNaiveTimestamp(endText, timeZone);
    if (!endTime) {
      problems.push({ source: where, message: `${where}: end_time ${describeValue(endText)} is not a timestamp; the report is not counted`, fatal: false });
      continue;
    }
    const age = checkAge(endTime, now);
    if (age.kind === 'future') {
      problems.push({
        source: where,
        message: `${where}: end_time ${endText} is ${aheadText(age.aheadMs)} in the future in zone ${timeZone} (check adce.timeZone); the report is not counted and does not count as the latest run.`,
        fatal: false,
      });
      continue;
    }
    if (age.kind === 'skew') warnings.push(`${where}: end_time ${endText} is ${Math.round(age.aheadMs / 1000)} s ahead of this clock (clock skew)`);
    if (!newest || endTime > newest) newest = endTime;
    if (input.since && endTime <= input.since) {
      uncountedReports.push({ location: where, why: `ended ${endTime.toISOString()}, not after --since`, endTime });
      continue;
    }
    if (now.getTime() - endTime.getTime() > MAX_AGE_MS) {
      uncountedReports.push({ location: where, why: `ended ${endTime.toISOString()}, older than CloudWatch's 14 days`, endTime });
      continue;
    }
    const completed = field('completed', count);
    const failed = field('failed', count);
    const skipped = field('skipped', count);
    const before = datums.length;
    if (completed !== undefined) datums.push(catalog.datum('ADCETasksCompleted', completed, {}, endTime));
    if (failed !== undefined) datums.push(catalog.datum('ADCETasksFailed', failed, {}, endTime));
    if (skipped !== undefined) datums.push(catalog.datum('ADCETasksSkipped', skipped, {}, endTime));
    if (completed !== undefined && failed !== undefined && completed + failed > 0) {
      datums.push(catalog.datum('ADCESuccessRate', round2((completed / (completed + failed)) * 100), {}, endTime));
    }
    if (datums.length > before) countedReports.push(where);
    for (const d of datums.slice(before)) reportOf.set(d, where);
  }
  const tooOld = uncountedReports.filter((u) => !u.why.includes('--since'));
  if (tooOld.length > 0) {
    const times = tooOld.map((u) => u.endTime!.getTime());
    warnings.push(
      `${tooOld.length} ADCE run report(s) ended more than 14 days ago (${new Date(Math.min(...times)).toISOString()} .. ${new Date(Math.max(...times)).toISOString()}): ` +
        'CloudWatch takes no datums that old, so they are not counted (they still set the last-run age)',
    );
  }
  if (newest) {
    datums.push(catalog.datum('ADCELastRunAgeMinutes', round2((now.getTime() - newest.getTime()) / 60_000), {}, now));
  } else if (input.noRunSince) {
    const since = input.noRunSince;
    const age = checkAge(since, now);
    const runsLocation = input.runsLocation ?? ctx.config.adce.runsPrefix;
    if (age.kind === 'future') {
      problems.push({ source: 'cursor', message: `The time monitoring first looked for ADCE runs (${since.toISOString()}) is in the future; ADCELastRunAgeMinutes is not published.`, fatal: false });
    } else {
      warnings.push(`No ADCE run report has ever been recorded under ${runsLocation}: ADCELastRunAgeMinutes counts from ${since.toISOString()}, when monitoring first looked.`);
      datums.push(catalog.datum('ADCELastRunAgeMinutes', round2(age.ageMs / 60_000), {}, now));
    }
  }
  return { datums, problems, warnings, newestEndTime: newest, countedReports, uncountedReports, reportOf, tasksByPriority };
}

interface ParsedDocument {
  readonly where: string;
  readonly root: Record<string, unknown>;
  /** The field's value if it passes `schema` (and is written once), else undefined after a problem naming it. */
  field<T extends z.ZodMiniType>(key: string, schema: T, consequence?: string): z.output<T> | undefined;
  readonly duplicates: DuplicateKey[];
}

/**
 * JSON in; a document whose fields are read one at a time. Unparseable JSON or a root that is
 * not an object is one problem (fatal for the queue: the run's main input is unusable).
 */
function readDocument(doc: AdceDocument, what: string, problems: Problem[], fatal: boolean): ParsedDocument | undefined {
  const where = doc.location;
  const parsed = parseJson(doc.text);
  if (!parsed.ok) {
    problems.push({ source: where, message: `${where} is not valid JSON: ${parsed.error}`, fatal });
    return undefined;
  }
  const root = parsed.value;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    problems.push({ source: where, message: `${where} is not a valid ${what}: expected a JSON object, got ${describeValue(root)}`, fatal });
    return undefined;
  }
  const duplicates = parsed.duplicates;
  const duplicateOf = (path: string) => duplicates.find((d) => d.path === path || path.startsWith(`${d.path}.`));
  return {
    where,
    root: root as Record<string, unknown>,
    duplicates,
    field(key, schema, consequence = 'not published') {
      const dup = duplicateOf(key);
      if (dup) {
        problems.push({ source: where, message: `${where}: key "${dup.path}" appears ${dup.lines.length} times (lines ${dup.lines.join(', ')}); its value is ambiguous, ${consequence}`, fatal: false });
        return undefined;
      }
      const value = (root as Record<string, unknown>)[key];
      if (value === undefined) {
        problems.push({ source: where, message: `${where} is not a valid ${what}: missing key "${key}"; ${consequence}`, fatal: false });
        return undefined;
      }
      const result = schema.safeParse(value);
      if (!result.success) {
        const message = result.error.issues[0]?.message ?? 'is not valid';
        problems.push({ source: where, message: `${where} is not a valid ${what}: "${key}" ${message}, got ${describeValue(value)}; ${consequence}`, fatal: false });
        return undefined;
      }
      return result.data as z.output<typeof schema>;
    },
  };
}

/**
 * `by_priority`, keys lower-cased (ADCE writes them in any case): count per priority, or null
 * for a priority whose count is bad (a problem names it). Absent `by_priority`: no tasks.
 */
function priorities(doc: ParsedDocument, problems: Problem[]): Map<string, number | null> | undefined {
  const { where, root } = doc;
  const raw = root.by_priority;
  const out = new Map<string, number | null>();
  if (raw === undefined) return out;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ source: where, message: `${where} is not a valid ADCE task queue: "by_priority" must be a map of priority to task count, got ${describeValue(raw)}; ADCEQueueTasks not published`, fatal: false });
    return undefined;
  }
  for (const [key, value] of Object.entries(raw)) {
    const p = key.toLowerCase();
    const dup = doc.duplicates.find((d) => d.path === `by_priority.${key}`);
    const ok = count.safeParse(value);
    if (dup) {
      problems.push({ source: where, message: `${where}: key "by_priority.${key}" appears ${dup.lines.length} times (lines ${dup.lines.join(', ')}); its value is ambiguous, not published`, fatal: false });
      out.set(p, null);
    } else if (!ok.success) {
      problems.push({ source: where, message: `${where} is not a valid ADCE task queue: "by_priority.${key}" ${ok.error.issues[0]?.message ?? 'is not valid'}, got ${describeValue(value)}; not published`, fatal: false });
      out.set(p, null);
    } else if (out.has(p)) {
      problems.push({ source: where, message: `${where}: by_priority holds "${p}" twice in different case; not published`, fatal: false });
      out.set(p, null);
    } else out.set(p, ok.data);
  }
  return out;
}
