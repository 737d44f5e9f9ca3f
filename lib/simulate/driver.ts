import { createCatalog } from '../catalog/catalog';
import { alarmName, budgetName } from '../config/load';
import type { MonitoringConfig, PublisherId } from '../config/schema';
import { PUBLISHERS } from '../config/schema';
import { ADCE_CURSOR_KEY, S3CursorStore } from '../jobs/adce-cursor';
import { runAdceJob } from '../jobs/adce';
import { runCostJob } from '../jobs/cost';
import { runDimsJob } from '../jobs/dims';
import type { JobContext, JobLogger } from '../jobs/job';
import { type PublisherJob, runAndPublish } from '../jobs/run';
import { runS3Job } from '../jobs/s3';
import { publishDatums, summedIn } from '../publisher/publish';
import { AlarmEvaluator, InMemoryMetricStore } from './evaluator';
import { type DatumSink, simulatedBudgets, simulatedCloudWatch, simulatedCostExplorer, simulatedS3 } from './fake-aws';
import { compileJsonFilter } from './log-filter';
import type { AlarmState, MetricRef, Notification, SimPublisher, SimStack } from './model';
import { type Scenario, failureMinute, restoredMinute } from './scenario';
import { PSEUDO_PARAMETERS } from './template';
import { World } from './world';

/**
 * Runs one scenario: every simulated minute the world moves on, the publishers the schedules
 * invoke run the real jobs against the simulated sources (with the clock at that minute), their
 * datums and log lines land in the simulated CloudWatch, Lambda's retries and the failure queue
 * follow the functions' async settings, and the alarm evaluator judges every alarm of the
 * synthesized stack. The result is the timeline of state changes and notifications, and whether
 * the failure was detected within the scenario's bound.
 */

/** Minute 0 of every simulation: a Monday early in a month (month-to-date cost starts small). */
export const SIMULATION_START = Date.UTC(2026, 10, 2, 0, 0, 0);
const STATE_BUCKET = 'monitoring-state-simulated';
/** Lambda waits this long before each async retry of a run that threw (1 min, then 2 min). */
const RETRY_DELAYS_MINUTES = [1, 2];
/** How often the pipeline pushes its quality metrics while healthy. */
const PIPELINE_PUSH_EVERY_MINUTES = 15;
const HEALTHY_VALIDATION_PASS_RATE = 99.5;

export interface TimelineEvent {
  readonly minute: number;
  readonly alarm: string;
  readonly from: AlarmState;
  readonly state: AlarmState;
  readonly reason: string;
  /** Severities of the topics notified. */
  readonly topics: string[];
  readonly notifications: readonly Notification[];
}

export type Verdict = 'detected' | 'late' | 'missed' | 'quiet' | 'false-alarm' | 'skipped';

export interface ScenarioResult {
  readonly scenario: string;
  readonly description: string;
  readonly verdict: Verdict;
  /** Why the verdict is not a pass; empty when it is. */
  readonly problems: string[];
  readonly days: number;
  readonly failureAtMinute?: number;
  readonly restoredAtMinute?: number;
  readonly events: TimelineEvent[];
  readonly detection?: { readonly alarm: string; readonly minute: number; readonly afterMinutes: number; readonly topics: string[]; readonly recipients: string[] };
  readonly withinMinutes?: number;
  readonly bound?: string;
  /** When every alarm that fired after the failure was out of ALARM again (after the world was restored). */
  readonly recoveredAtMinute?: number;
  /** Alarms still in ALARM at the end. */
  readonly stillInAlarm: string[];
  readonly runs: Record<string, { invoked: number; failed: number; toFailureQueue: number }>;
  readonly notes: string[];
}

export interface SimulationOptions {
  readonly stack: SimStack;
  readonly config: MonitoringConfig;
  readonly scenario: Scenario;
  /** Overrides the scenario's length. */
  readonly days?: number;
  /** Sees every log line of every publisher run (warnings and errors say what a scenario made the publishers meet). */
  readonly onLog?: (publisher: string, minute: number, event: Readonly<Record<string, unknown>>) => void;
}

interface LogEvent extends Record<string, unknown> {
  readonly level?: string;
  readonly message?: string;
}

export async function simulateScenario(options: SimulationOptions): Promise<ScenarioResult> {
  const { stack, config, scenario } = options;
  const days = options.days ?? scenario.days;
  const endMinute = Math.round(days * 1440);
  const notes: string[] = [...stack.notes, ...stack.alarms.flatMap((a) => (a.kind === 'not-simulated' ? [`${a.name} is not simulated: ${a.reason}`] : []))];
  const failure = failureMinute(scenario);
  const restored = restoredMinute(scenario);
  const runs: ScenarioResult['runs'] = {};

  const disabled = scenario.requires.filter((p) => !config[p].enabled);
  if (disabled.length > 0) {
    return {
      scenario: scenario.name, description: scenario.description, verdict: 'skipped', problems: [], days, events: [], stillInAlarm: [], runs,
      notes: [`skipped: the ${disabled.join(', ')} publisher${disabled.length > 1 ? 's are' : ' is'} turned off in this configuration (${disabled.map((p) => `${p}.enabled: false`).join(', ')})`],
    };
  }

  const catalog = createCatalog(config);
  const warmUp = warmUpMinutes(stack);
  const world = new World(config, scenario, SIMULATION_START, STATE_BUCKET, -warmUp);
  const store = new InMemoryMetricStore();
  const minuteOf = (ms: number) => Math.floor((ms - SIMULATION_START) / 60_000);
  const sink: DatumSink = {
    add: (ref, ms, value) => store.add(ref, { minute: minuteOf(ms), value }),
    recent: (ref, fromMs, toMs) => store.between(ref, minuteOf(fromMs), minuteOf(toMs) + 1).map((d) => d.value).reverse(),
  };
  let clock = 0;
  const s3 = simulatedS3(world.buckets, () => world.at(clock));
  const cloudWatch = simulatedCloudWatch(sink, () => world.cloudWatchRefuses(clock));
  const budgets = simulatedBudgets(() => world.budget(clock));
  const ce = simulatedCostExplorer(() => world.servicesCost());
  const jobs: Record<PublisherId, PublisherJob> = {
    s3: (ctx) => runS3Job(ctx, { s3 }),
    adce: (ctx) => runAdceJob(ctx, { s3, cursor: new S3CursorStore(s3, STATE_BUCKET, ADCE_CURSOR_KEY) }),
    dims: (ctx) => runDimsJob(ctx, { s3, cloudWatch }),
    cost: (ctx) => runCostJob(ctx, { budgets, ce, accountId: PSEUDO_PARAMETERS['AWS::AccountId']!, budgetName: budgetName(config, PSEUDO_PARAMETERS['AWS::Region']!) }),
  };
  const publishOptions = { client: cloudWatch, sleep: async () => undefined, random: () => 0.5 };

  // The stack's publishers, as its schedules and async settings say.
  const publishers = stack.publishers.filter((p): p is SimPublisher & { publisher: PublisherId } => (PUBLISHERS as readonly string[]).includes(p.publisher));
  for (const p of stack.publishers) if (!publishers.includes(p as never)) notes.push(`publisher ${p.publisher} (${p.functionLogicalId}) is not one the simulator runs`);
  const filters = new Map(publishers.map((p) => [p.publisher, p.logFilters.map((f) => ({ ...f, matches: compileJsonFilter(f.pattern) }))]));
  const queues = new Map(stack.queues.map((q) => [q.logicalId, { ...q, messages: [] as number[] }]));
  const retries: Array<{ minute: number; publisher: SimPublisher & { publisher: PublisherId }; attempt: number; scheduledMinute: number }> = [];
  for (const p of publishers) runs[p.publisher] = { invoked: 0, failed: 0, toFailureQueue: 0 };

  const invoke = async (p: SimPublisher & { publisher: PublisherId }, minute: number, scheduledMinute: number, attempt: number) => {
    const events: LogEvent[] = [];
    const logger: JobLogger = {
      debug: () => undefined,
      info: (message, extra) => void events.push({ level: 'INFO', message, ...extra }),
      warn: (message, extra) => void events.push({ level: 'WARN', message, ...extra }),
      error: (message, extra) => void events.push({ level: 'ERROR', message, ...extra }),
    };
    const ctx: JobContext = { config, catalog, now: new Date(world.at(minute)), logger, scheduledTime: new Date(world.at(scheduledMinute)) };
    let failed: boolean;
    try {
      failed = (await runAndPublish(jobs[p.publisher], ctx, publishOptions)).failed;
    } catch (err) {
      failed = true;
      events.push({ level: 'ERROR', message: `Publisher run failed: ${(err as Error).message}` });
    }
    events.push({ type: 'platform.report', record: { status: failed ? 'error' : 'success' } });
    runs[p.publisher]!.invoked++;
    if (options.onLog) for (const e of events) options.onLog(p.publisher, minute, e);
    // CloudWatch Logs turns matching lines into the metric filters' datums (not PutMetricData: never throttled with it).
    for (const f of filters.get(p.publisher) ?? []) {
      const hits = events.filter((e) => f.matches(e)).length;
      for (let i = 0; i < hits; i++) store.add(f.metric, { minute, value: f.value });
    }
    if (!failed) return;
    runs[p.publisher]!.failed++;
    if (attempt < p.retryAttempts) {
      retries.push({ minute: minute + RETRY_DELAYS_MINUTES[Math.min(attempt, RETRY_DELAYS_MINUTES.length - 1)]!, publisher: p, attempt: attempt + 1, scheduledMinute });
    } else if (p.failureQueue && queues.has(p.failureQueue)) {
      queues.get(p.failureQueue)!.messages.push(minute);
      runs[p.publisher]!.toFailureQueue++;
    } else {
      notes.push(`a failed ${p.publisher} run at minute ${minute} was dropped: the function has no failure destination`);
    }
  };

  const pushPipeline = async (minute: number) => {
    const now = new Date(world.at(minute));
    const datums = [];
    const failures = world.activeAt(minute).find((e) => e.kind === 'upload-failures');
    if (failures?.kind === 'upload-failures') datums.push(catalog.datum('S3UploadFailures', failures.perMinute, {}, now));
    else if (minute % PIPELINE_PUSH_EVERY_MINUTES === 0) datums.push(catalog.datum('S3UploadFailures', 0, {}, now));
    if (minute % PIPELINE_PUSH_EVERY_MINUTES === 0) {
      const rate = world.activeAt(minute).find((e) => e.kind === 'validation-pass-rate');
      datums.push(catalog.datum('ValidationPassRate', rate?.kind === 'validation-pass-rate' ? rate.pct : HEALTHY_VALIDATION_PASS_RATE, {}, now));
    }
    if (datums.length > 0) await publishDatums(datums, { ...publishOptions, summed: summedIn(catalog), now: () => now });
  };

  const evaluator = new AlarmEvaluator(stack.alarms, stack.topics, store);
  const events: TimelineEvent[] = [];
  const quietChanges = new Map<string, number>();
  for (let minute = -warmUp; minute < endMinute; minute++) {
    clock = minute;
    world.tick(minute);
    for (const p of publishers) {
      if (minute % p.everyMinutes === 0 && config[p.publisher].enabled && world.invokes(p.publisher, minute)) await invoke(p, minute, minute, 0);
    }
    for (const r of retries.filter((x) => x.minute === minute)) await invoke(r.publisher, minute, r.scheduledMinute, r.attempt);
    if (retries.length > 0) retries.splice(0, retries.length, ...retries.filter((x) => x.minute > minute));
    await pushPipeline(minute);
    // SQS reports the visible messages of its queues every minute; nothing reads the failure queue, so they stay until retention.
    for (const q of queues.values()) {
      const retentionMinutes = q.retentionSeconds / 60;
      const visible = q.messages.filter((m) => minute - m < retentionMinutes).length;
      if (visible > 0 || minute % 5 === 0) store.add(sqsMetric(q.queueName), { minute, value: visible });
    }
    const { changes, notifications } = evaluator.step(minute);
    // The warm-up only brings the alarms to the steady state a running deployment is in.
    if (minute < 0) continue;
    for (const c of changes) {
      const sent = notifications.filter((n) => n.alarm === c.alarm && n.minute === c.minute);
      if (sent.length === 0 && c.from !== 'ALARM' && c.to !== 'ALARM') {
        // OK <-> INSUFFICIENT_DATA with nobody notified: counted, not listed.
        quietChanges.set(c.alarm, (quietChanges.get(c.alarm) ?? 0) + 1);
        continue;
      }
      events.push({ minute: c.minute, alarm: c.alarm, from: c.from, state: c.to, reason: c.reason, topics: [...new Set(sent.map((n) => n.severity ?? n.topic))], notifications: sent });
    }
  }

  for (const [alarm, n] of quietChanges) notes.push(`${alarm} went between OK and INSUFFICIENT_DATA ${n} time(s), notifying nobody (periods without data)`);
  return judge({ scenario, config, days, events, failure, restored, runs, notes, finalState: (name) => evaluator.state(name), alarmNames: stack.alarms.map((a) => a.name) });
}

/**
 * Minutes the simulation runs before minute 0 so every alarm starts from the steady state of a
 * running deployment: the longest alarm window (period x evaluation periods), at least a day.
 */
export function warmUpMinutes(stack: SimStack): number {
  const windows = stack.alarms.flatMap((a) => (a.kind === 'metric' ? [(a.periodSeconds / 60) * a.evaluationPeriods] : []));
  return Math.ceil(Math.max(1440, ...windows) / 1440) * 1440;
}

function sqsMetric(queueName: string): MetricRef {
  return { namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: queueName } };
}

/** Whether an alarm of the stack is the scenario's `S3-PublisherHeartbeat` (per-bucket alarms carry the bucket after it). */
export function isAlarm(config: MonitoringConfig, name: string, base: string): boolean {
  const full = alarmName(config, base);
  return name === full || name.startsWith(`${full}-`);
}

interface JudgeInput {
  readonly scenario: Scenario;
  readonly config: MonitoringConfig;
  readonly days: number;
  readonly events: TimelineEvent[];
  readonly failure?: number;
  readonly restored?: number;
  readonly runs: ScenarioResult['runs'];
  readonly notes: string[];
  readonly finalState: (alarm: string) => AlarmState;
  readonly alarmNames: string[];
}

function judge(input: JudgeInput): ScenarioResult {
  const { scenario, config, events, failure, restored } = input;
  const problems: string[] = [];
  const alarms = events.filter((e) => e.state === 'ALARM');
  const stillInAlarm = input.alarmNames.filter((n) => input.finalState(n) === 'ALARM');
  const base = { scenario: scenario.name, description: scenario.description, days: input.days, events, stillInAlarm, runs: input.runs, notes: input.notes, ...(failure !== undefined ? { failureAtMinute: failure } : {}), ...(restored !== undefined ? { restoredAtMinute: restored } : {}) };
  const early = alarms.filter((e) => failure === undefined || e.minute < failure);
  for (const e of early) problems.push(`${e.alarm} fired at minute ${e.minute}${failure === undefined ? '' : ', before the failure'}: ${e.reason}`);
  if ('nothing' in scenario.expect) {
    return { ...base, verdict: problems.length > 0 ? 'false-alarm' : 'quiet', problems };
  }
  const expect = scenario.expect;
  const first = alarms.find((e) => failure !== undefined && e.minute >= failure && expect.alarms.some((a) => isAlarm(config, e.alarm, a)));
  let verdict: Verdict;
  let detection: ScenarioResult['detection'];
  if (!first) {
    verdict = 'missed';
    problems.push(`not detected: none of ${expect.alarms.join(', ')} fired within ${input.days} simulated days after the failure at minute ${failure}`);
  } else {
    const afterMinutes = first.minute - failure!;
    detection = { alarm: first.alarm, minute: first.minute, afterMinutes, topics: first.topics, recipients: [...new Set(first.notifications.flatMap((n) => n.recipients))] };
    verdict = afterMinutes <= expect.withinMinutes ? 'detected' : 'late';
    if (verdict === 'late') problems.push(`detected late: ${first.alarm} fired ${afterMinutes} min after the failure; the bound is ${expect.withinMinutes} min${expect.bound ? ` (${expect.bound})` : ''}`);
  }
  if (problems.length > 0 && verdict === 'detected') verdict = 'false-alarm';
  let recoveredAtMinute: number | undefined;
  if (restored !== undefined && failure !== undefined) {
    const fired = new Set(alarms.filter((e) => e.minute >= failure).map((e) => e.alarm));
    const stuck = [...fired].filter((a) => input.finalState(a) === 'ALARM');
    if (fired.size > 0 && stuck.length === 0) {
      recoveredAtMinute = Math.max(...[...fired].map((a) => Math.max(...events.filter((e) => e.alarm === a && e.from === 'ALARM').map((e) => e.minute))));
    }
  }
  return {
    ...base,
    verdict,
    problems,
    ...(detection ? { detection } : {}),
    withinMinutes: expect.withinMinutes,
    ...(expect.bound ? { bound: expect.bound } : {}),
    ...(recoveredAtMinute !== undefined ? { recoveredAtMinute } : {}),
  };
}
