import { type MonitoringConfig, PUBLISHERS } from '../config/schema';
import { type Scenario, type ScenarioEvent, parseScenario } from './scenario';
import { dataSources } from './world';

/**
 * The built-in scenarios, one per failure mode the stack claims to catch, each made for the
 * configuration: the failure starts after a healthy hour at a minute that fits the schedules,
 * lasts long enough to be caught, then the world is restored. Each bound follows from the
 * configuration and says how; every bound includes the one minute CloudWatch takes to evaluate
 * an alarm on a datum it has just received.
 */

/** A healthy hour before every failure (the simulation itself starts from a steady state: see warmUpMinutes). */
const WARM_UP_MINUTES = 60;
/** After the world is restored: time for the alarms to clear. */
const RECOVERY_MINUTES = 12 * 60;
/** CloudWatch evaluates each alarm once a minute on the data it holds by then. */
const EVALUATION_MINUTES = 1;

/** The first minute at or after `from` that is a multiple of `every`. */
function aligned(from: number, every: number): number {
  return Math.ceil(from / every) * every;
}

interface Spec {
  name: string;
  description: string;
  requires: Scenario['requires'];
  events: ScenarioEvent[];
  alarms: string[];
  withinMinutes: number;
  bound: string;
  world?: Scenario['world'];
}

function make(spec: Spec): Scenario {
  // A failure lasts at least an hour past its bound, so a late detection is seen as late, not as missed.
  const events = spec.events.map((e) => (e.untilMinute === undefined ? e : { ...e, untilMinute: Math.max(e.untilMinute, e.atMinute + spec.withinMinutes + 60) }));
  const end = Math.max(...events.map((e) => e.untilMinute ?? e.atMinute)) + RECOVERY_MINUTES;
  return parseScenario(
    {
      name: spec.name,
      description: spec.description,
      days: Math.ceil(end / 1440),
      requires: spec.requires,
      events,
      ...(spec.world ? { world: spec.world } : {}),
      expect: { alarms: spec.alarms, withinMinutes: spec.withinMinutes, bound: spec.bound },
    },
    `built-in scenario ${spec.name}`,
  );
}

export function builtInScenarios(config: MonitoringConfig): Scenario[] {
  const { s3, adce, dims, cost } = config;
  const s3Every = s3.scheduleMinutes;
  // The source that goes silent: the first one judged for freshness, with its own threshold.
  const silent = dataSources(config).find((d) => d.thresholdHours !== null) ?? { prefix: 'none/', thresholdHours: s3.freshness.defaultThresholdHours };
  const freshness = silent.thresholdHours! * 60;
  const maxWithoutRun = adce.maxHoursWithoutRun * 60;
  const orchestratorFailure = aligned(WARM_UP_MINUTES, 60);
  const running = PUBLISHERS.filter((p) => config[p].enabled);
  // With no publisher on, the throttling scenario has nobody to fail: it names s3 and is skipped.
  const fastestPublisher = running.length === 0 ? 's3' : running.reduce((a, b) => (config[b].scheduleMinutes < config[a].scheduleMinutes ? b : a));
  const fastest = config[fastestPublisher].scheduleMinutes;
  const erring = adce.enabled ? 'adce' : 'dims';
  const erringEvery = config[erring].scheduleMinutes;

  const scenarios: Scenario[] = [
    parseScenario({ name: 'healthy', description: 'Seven healthy days: every source delivers, ADCE runs, DIMS verifies, cost stays in budget. Nothing may fire.', days: 7, events: [], expect: { nothing: true } }, 'built-in scenario healthy'),
  ];
  const at = (start: number, length: number) => ({ atMinute: start, untilMinute: start + length });

  const s3Failure = aligned(WARM_UP_MINUTES, s3Every);
  scenarios.push(
    make({
      name: 's3-publisher-dies',
      description: 'The S3 publisher is no longer invoked (its schedule or function is gone).',
      requires: ['s3'],
      events: [{ kind: 'publisher-stops', publisher: 's3', ...at(s3Failure, 3 * s3Every) }],
      alarms: ['S3-PublisherHeartbeat'],
      withinMinutes: 2 * s3Every + EVALUATION_MINUTES,
      bound: `2 schedule intervals (2 x ${s3Every} min) + 1 min`,
    }),
    make({
      name: 'source-goes-silent',
      description: 'One data source stops receiving objects.',
      requires: ['s3'],
      events: [{ kind: 'source-silent', prefix: silent.prefix, ...at(WARM_UP_MINUTES, freshness + 3 * 60) }],
      alarms: ['S3-StaleSources'],
      withinMinutes: freshness + 60 + EVALUATION_MINUTES,
      bound: `freshness threshold (${freshness / 60} h) + 1 h + 1 min`,
    }),
  );

  const adceBound = maxWithoutRun + adce.scheduleMinutes + EVALUATION_MINUTES;
  const adceBoundText = `adce.maxHoursWithoutRun (${adce.maxHoursWithoutRun} h) + 1 schedule interval (${adce.scheduleMinutes} min) + 1 min`;
  const recon = adce.reconciliationIntervalMinutes;
  scenarios.push(
    make({
      name: 'adce-orchestrator-dies',
      description: 'The ADCE orchestrator stops running while its queue holds tasks.',
      requires: ['adce'],
      events: [{ kind: 'orchestrator-stops', ...at(orchestratorFailure, maxWithoutRun + 2 * 60) }],
      alarms: ['ADCE-NoRecentRun'],
      withinMinutes: adceBound,
      bound: adceBoundText,
    }),
    make({
      name: 'adce-never-ran',
      description: 'The task queue holds tasks but the orchestrator has never written a run report.',
      requires: ['adce'],
      world: { adceHistory: false },
      events: [{ kind: 'orchestrator-stops', ...at(0, maxWithoutRun + 2 * 60) }],
      alarms: ['ADCE-NoRecentRun'],
      withinMinutes: adceBound,
      bound: `${adceBoundText}, counted from the first ADCE publisher run`,
    }),
    make({
      name: 'adce-queue-not-regenerated',
      description: "ADCE's reconciliation stops rewriting the task queue.",
      requires: ['adce'],
      events: [{ kind: 'queue-not-regenerated', ...at(aligned(WARM_UP_MINUTES, recon), 3 * recon + 120) }],
      alarms: ['ADCE-QueueStale'],
      withinMinutes: 3 * recon + 2 * adce.scheduleMinutes + EVALUATION_MINUTES,
      bound: `3 x adce.reconciliationIntervalMinutes (${recon} min) + 2 periods of ${adce.scheduleMinutes} min + 1 min`,
    }),
    make({
      name: 'adce-failure-burst',
      description: 'Half of the tasks of every ADCE run fail for two hours.',
      requires: ['adce'],
      events: [{ kind: 'adce-failure-rate', failedPct: 50, ...at(orchestratorFailure, 120) }],
      alarms: ['ADCE-HighFailureRate', 'ADCE-SLOFastBurn'],
      withinMinutes: 10,
      bound: 'ADCE failure: 10 min',
    }),
    make({
      name: 'adce-slow-burn',
      description: 'One task in twelve fails in every ADCE run for twelve hours (success 92 %).',
      requires: ['adce'],
      events: [{ kind: 'adce-failure-rate', failedPct: 8, ...at(orchestratorFailure, 12 * 60) }],
      alarms: ['ADCE-HighFailureRate', 'ADCE-SLOSlowBurn'],
      withinMinutes: 10,
      bound: 'ADCE failure: 10 min',
    }),
  );

  const cadence = Math.round(dims.verificationCadenceHours * 60);
  scenarios.push(
    make({
      name: 'dims-not-verified',
      description: 'DIMS stops verifying its inventory.',
      requires: ['dims'],
      events: [{ kind: 'dims-not-verified', ...at(aligned(WARM_UP_MINUTES, cadence), 3 * cadence) }],
      alarms: ['DIMS-VerificationStale'],
      withinMinutes: cadence + 2 * dims.scheduleMinutes + EVALUATION_MINUTES,
      bound: `verification older than 2 x dims.verificationCadenceHours (${dims.verificationCadenceHours} h) after the last one, then 2 runs of ${dims.scheduleMinutes} min + 1 min`,
    }),
    make({
      name: 'dims-drift',
      description: 'DIMS documents an object count 25 % off the live bucket.',
      requires: ['dims', 's3'],
      events: [{ kind: 'dims-count-off', pct: 25, ...at(aligned(WARM_UP_MINUTES, dims.scheduleMinutes), 2 * dims.scheduleMinutes) }],
      alarms: ['DIMS-DriftMajor'],
      withinMinutes: dims.scheduleMinutes + EVALUATION_MINUTES,
      bound: `1 DIMS schedule interval (${dims.scheduleMinutes} min) + 1 min`,
    }),
    make({
      name: 'cost-forecast-over-budget',
      description: `The account starts costing ${config.monthlyBudgetUsd / 10} USD a day (a tenth of the monthly budget) in the afternoon.`,
      requires: ['cost'],
      events: [{ kind: 'daily-cost', usd: config.monthlyBudgetUsd / 10, ...at(WARM_UP_MINUTES + 14 * 60, 2 * cost.scheduleMinutes) }],
      alarms: ['Cost-ForecastOverBudget'],
      withinMinutes: cost.scheduleMinutes + EVALUATION_MINUTES,
      bound: `1 cost schedule interval (${cost.scheduleMinutes} min) + 1 min`,
    }),
    make({
      name: 'upload-failures',
      description: 'The pipeline reports 3 failed S3 uploads every minute for an hour.',
      requires: [],
      events: [{ kind: 'upload-failures', perMinute: 3, ...at(WARM_UP_MINUTES, 60) }],
      alarms: ['S3-UploadFailures'],
      withinMinutes: 2 * 5 + EVALUATION_MINUTES,
      bound: "the alarm's 2 periods of 5 min + 1 min",
    }),
    make({
      name: 'validation-pass-rate-drop',
      description: 'The pipeline reports a validation pass rate of 80 % for two hours.',
      requires: [],
      events: [{ kind: 'validation-pass-rate', pct: 80, ...at(WARM_UP_MINUTES, 120) }],
      alarms: ['Data-QualityIssues'],
      withinMinutes: 60 + EVALUATION_MINUTES,
      bound: "the alarm's period of 1 h + 1 min",
    }),
    make({
      name: 'publisher-errors',
      description: `The ${erring === 'adce' ? 'ADCE task queue' : 'DIMS inventory'} becomes unreadable: every ${erring} run fails.`,
      requires: [erring],
      events: [{ kind: 'corrupt-source', publisher: erring, ...at(aligned(WARM_UP_MINUTES, erringEvery), 2 * erringEvery + 60) }],
      alarms: ['Publishers-LoggedErrors', 'Publishers-FailedRuns'],
      withinMinutes: erringEvery + 5 + EVALUATION_MINUTES,
      bound: `1 ${erring} schedule interval (${erringEvery} min) + the alarm's 5 min period + 1 min`,
    }),
    make({
      name: 'cloudwatch-throttled-1h',
      description: 'CloudWatch refuses PutMetricData for an hour.',
      requires: [fastestPublisher],
      events: [{ kind: 'cloudwatch-refuses', ...at(aligned(WARM_UP_MINUTES, fastest), 60) }],
      alarms: ['Publishers-LoggedErrors', 'Publishers-FailedRuns'],
      withinMinutes: fastest + 5 + EVALUATION_MINUTES,
      bound: `the fastest publisher's schedule interval (${fastest} min) + the alarm's 5 min period + 1 min`,
    }),
  );
  return scenarios;
}
