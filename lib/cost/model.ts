import { createCatalog, sendCadence, type CatalogMetric } from '../catalog/catalog';
import type { MonitoringConfig, PublisherId } from '../config/schema';
import { PUBLISHERS, operationNames } from '../config/schema';
import { expectedListRequests } from '../sources/s3-scan';
import { dimensionSets } from '../catalog/dimension-sets';
import { COST_ANOMALY_ALERTS_TYPE } from '../cost-anomaly/resource-type';
import { HOURS_PER_MONTH, PRICES, type Prices } from './prices';

/**
 * The monthly cost of the monitoring stack, from its synthesized CloudFormation template(s),
 * the metric catalog and stated assumptions. Pure: no AWS call, no file access, so it is tested
 * against hand-computed cases. Every number that is not in the template is an assumption with
 * a name, shown in the report.
 */

// CloudFormation JSON is loosely typed; these are the few shapes read here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface CfnTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Json }>;
}

export interface CostAssumptions {
  /** Hours per day in which the pipeline pushes its metrics (each such hour bills every pushed metric). */
  readonly pipelineHoursPerDay: number;
  /** PutMetricData requests the pipeline makes per day (`monitor put`/`time` calls). */
  readonly pipelineRequestsPerDay: number;
  /** Seconds one run of each publisher's Lambda takes. */
  readonly runSeconds: Readonly<Record<PublisherId | 'other', number>>;
  /** Objects in the data-lake bucket (S3 LIST pages of 1,000 per scan). */
  readonly bucketObjects: number;
  /** Top-level prefixes listed separately (each ends with a partial page). */
  readonly bucketPrefixes: number;
  /** Cost Explorer requests (pages) per per-service breakdown. */
  readonly ceRequestsPerBreakdown: number;
  /** ADCE run reports per day (each moves the cursor: one conditional PUT). */
  readonly adceReportsPerDay: number;
  /** Times a month someone opens each dashboard (its Logs Insights widgets scan their log groups). */
  readonly dashboardViewsPerMonth: number;
  /** Log lines per Lambda run, in KB (platform START/END/REPORT lines included). */
  readonly logKbPerRun: number;
  /** Alarm notifications (ALARM + OK) per month, for SNS email deliveries. */
  readonly notificationsPerMonth: number;
  /** Deploys (create or update) per month: each runs the deploy-time custom resources once. */
  readonly deploysPerMonth: number;
  /** Apply the AWS free tier (assumes this stack has it to itself). */
  readonly freeTier: boolean;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  pipelineHoursPerDay: 2,
  pipelineRequestsPerDay: 50,
  runSeconds: { s3: 30, adce: 3, dims: 3, cost: 5, other: 5 },
  bucketObjects: 173_000,
  bucketPrefixes: 12,
  ceRequestsPerBreakdown: 1,
  adceReportsPerDay: 96,
  dashboardViewsPerMonth: 100,
  logKbPerRun: 4,
  notificationsPerMonth: 20,
  deploysPerMonth: 4,
  freeTier: true,
};

export interface CostLine {
  readonly category: string;
  readonly item: string;
  readonly quantity: string;
  readonly usd: number;
}

export interface CostReport {
  readonly lines: CostLine[];
  readonly totalUsd: number;
  readonly assumptions: string[];
  readonly notes: string[];
  readonly prices: { readonly readOn: string; readonly region: string };
}

export interface ScheduledFunction {
  readonly logicalId: string;
  readonly publisher: PublisherId | 'other';
  readonly memoryMb: number;
  readonly arch: 'arm64' | 'x86_64';
  readonly tracing: boolean;
  readonly invocationsPerMonth: number;
  readonly schedules: string[];
}

const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;

/** Runs per month of a Scheduler / EventBridge schedule expression; undefined when it cannot be read. */
export function runsPerMonth(expression: string): number | undefined {
  const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unitMinutes = rate[2]!.startsWith('minute') ? 1 : rate[2]!.startsWith('hour') ? 60 : 1440;
    return n > 0 ? MINUTES_PER_MONTH / (n * unitMinutes) : undefined;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) return undefined;
    const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
    const perDay = cronCount(min, 0, 59) * cronCount(hour, 0, 23);
    const anyDom = dom === '*' || dom === '?';
    const anyDow = dow === '*' || dow === '?';
    const days = anyDom && anyDow ? DAYS_PER_MONTH : anyDom ? (DAYS_PER_MONTH * cronCount(dow, 1, 7)) / 7 : cronCount(dom, 1, 31);
    const months = month === '*' ? 1 : cronCount(month, 1, 12) / 12;
    return perDay * days * months;
  }
  if (/^at\(/.test(expression.trim())) return 0;
  return undefined;
}

const NAMED: Record<string, number> = { SUN: 1, MON: 2, TUE: 3, WED: 4, THU: 5, FRI: 6, SAT: 7, JAN: 1, FEB: 2, MAR: 3, APR: 4, MAY: 5, JUN: 6, JUL: 7, AUG: 8, SEP: 9, OCT: 10, NOV: 11, DEC: 12 };

/** How many values a cron field matches within [lo, hi]. */
function cronCount(field: string, lo: number, hi: number): number {
  const value = (s: string) => NAMED[s.toUpperCase()] ?? Number.parseInt(s, 10);
  let total = 0;
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Math.max(1, Number.parseInt(stepText, 10)) : 1;
    let from = lo;
    let to = hi;
    if (range !== '*' && range !== '?') {
      const [a, b] = range!.split('-');
      from = value(a!);
      to = b !== undefined ? value(b) : stepText ? hi : from;
      if (!Number.isFinite(from) || !Number.isFinite(to)) {
        total += 1; // L, W, #: one day
        continue;
      }
    }
    total += Math.floor((to - from) / step) + 1;
  }
  return Math.max(1, total);
}

/** The logical id a `{Ref}` / `{Fn::GetAtt}` points to. */
function refTarget(value: Json): string | undefined {
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref;
    const att = value['Fn::GetAtt'];
    if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
    if (typeof att === 'string') return att.split('.')[0];
  }
  return undefined;
}

/** Which publisher a function is: an env var naming it exactly, else its id/name/description. */
function publisherOf(logicalId: string, props: Json): PublisherId | 'other' {
  const env: Record<string, unknown> = props?.Environment?.Variables ?? {};
  for (const [k, v] of Object.entries(env)) {
    if (k !== 'MONITOR_CONFIG' && typeof v === 'string' && (PUBLISHERS as readonly string[]).includes(v)) return v as PublisherId;
  }
  const text = [logicalId, typeof props?.FunctionName === 'string' ? props.FunctionName : '', typeof props?.Description === 'string' ? props.Description : ''].join(' ');
  if (/adce/i.test(text)) return 'adce';
  if (/dims/i.test(text)) return 'dims';
  if (/cost/i.test(text)) return 'cost';
  if (/s3|lake|bucket/i.test(text)) return 's3';
  return 'other';
}

type Resources = Array<[string, { Type: string; Properties?: Json }]>;

function allResources(templates: readonly CfnTemplate[]): Resources {
  return templates.flatMap((t) => Object.entries(t.Resources ?? {}));
}

/** Lambda functions with a schedule, and how often they run. */
function scheduledFunctions(templates: readonly CfnTemplate[]): { functions: ScheduledFunction[]; unscheduled: string[]; unreadable: string[] } {
  const resources = allResources(templates);
  const byId = new Map(resources);
  const toFunction = (id: string | undefined): string | undefined => {
    const r = id ? byId.get(id) : undefined;
    if (!r) return undefined;
    if (r.Type === 'AWS::Lambda::Function') return id;
    if (r.Type === 'AWS::Lambda::Alias' || r.Type === 'AWS::Lambda::Version') return toFunction(refTarget(r.Properties?.FunctionName));
    return undefined;
  };
  const runs = new Map<string, { invocations: number; schedules: string[] }>();
  const unreadable: string[] = [];
  const add = (fn: string | undefined, expression: string, scheduleId: string) => {
    const n = runsPerMonth(expression);
    if (n === undefined) {
      unreadable.push(`${scheduleId} (${expression})`);
      return;
    }
    if (!fn) return;
    const cur = runs.get(fn) ?? { invocations: 0, schedules: [] };
    runs.set(fn, { invocations: cur.invocations + n, schedules: [...cur.schedules, `${scheduleId}: ${expression}`] });
  };
  for (const [id, r] of resources) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Scheduler::Schedule' && p.State !== 'DISABLED' && typeof p.ScheduleExpression === 'string') {
      add(toFunction(refTarget(p.Target?.Arn)), p.ScheduleExpression, id);
    }
    if (r.Type === 'AWS::Events::Rule' && p.State !== 'DISABLED' && typeof p.ScheduleExpression === 'string') {
      for (const target of p.Targets ?? []) add(toFunction(refTarget(target?.Arn)), p.ScheduleExpression, id);
    }
  }
  const functions: ScheduledFunction[] = [];
  const unscheduled: string[] = [];
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const run = runs.get(id);
    if (!run) {
      unscheduled.push(id);
      continue;
    }
    const p = r.Properties ?? {};
    functions.push({
      logicalId: id,
      publisher: publisherOf(id, p),
      memoryMb: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
      arch: Array.isArray(p.Architectures) && p.Architectures[0] === 'arm64' ? 'arm64' : 'x86_64',
      tracing: p.TracingConfig?.Mode === 'Active',
      invocationsPerMonth: run.invocations,
      schedules: run.schedules,
    });
  }
  return { functions, unscheduled, unreadable };
}

/** The config the template was synthesized with (the Lambdas carry it in MONITOR_CONFIG). */
export function configFromTemplates(templates: readonly CfnTemplate[]): unknown | undefined {
  for (const [, r] of allResources(templates)) {
    const raw = r.Type === 'AWS::Lambda::Function' ? r.Properties?.Environment?.Variables?.MONITOR_CONFIG : undefined;
    if (typeof raw === 'string') {
      try {
        return JSON.parse(raw);
      } catch {
        // not a literal config; keep looking
      }
    }
  }
  return undefined;
}

/** Metric-hours per month of data sent `runs` times a month (at most once per hour counts). */
function billedHours(runs: number): number {
  return Math.min(HOURS_PER_MONTH, runs);
}

const KNOWN_FREE = new Set([
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::Lambda::Permission', 'AWS::SNS::TopicPolicy', 'AWS::SNS::Topic',
  'AWS::SNS::Subscription', 'AWS::KMS::Alias', 'AWS::CDK::Metadata', 'AWS::Logs::LogGroup', 'AWS::Lambda::Function', 'AWS::Lambda::Alias',
  'AWS::Lambda::Version', 'AWS::Scheduler::Schedule', 'AWS::Scheduler::ScheduleGroup', 'AWS::Events::Rule', 'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm', 'AWS::CloudWatch::Dashboard', 'AWS::CloudWatch::AnomalyDetector', 'AWS::Logs::MetricFilter',
  'AWS::KMS::Key', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::Lambda::EventInvokeConfig', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy',
]);

export function estimateCost(
  templates: readonly CfnTemplate[],
  config: MonitoringConfig,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
  prices: Prices = PRICES,
): CostReport {
  const lines: CostLine[] = [];
  const notes: string[] = [];
  const free = assumptions.freeTier;
  const line = (category: string, item: string, quantity: string, usd: number) => lines.push({ category, item, quantity, usd });
  const resources = allResources(templates);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const { functions, unscheduled, unreadable } = scheduledFunctions(templates);
  const fnOf = (publisher: PublisherId) => functions.find((f) => f.publisher === publisher);
  const catalog = createCatalog(config);
  const cw = prices.cloudwatch;

  // --- Custom metrics: each distinct dimension set, prorated by the hours it has data.
  const M = 'Custom metrics';
  let metricMonths = 0;
  const datumsPerRun = new Map<string, number>();
  const missingPublishers = new Set<PublisherId>();
  const pipelineHours = Math.min(HOURS_PER_MONTH, assumptions.pipelineHoursPerDay * DAYS_PER_MONTH);
  for (const metric of catalog.all()) {
    if (!metric.enabled || metric.source === 'logs') continue;
    const sets = dimensionSets(config, metric).sets.length;
    if (sets === 0) continue;
    let hours: number;
    if (metric.source === 'pipeline') {
      hours = pipelineHours;
    } else {
      const fn = fnOf(metric.source);
      if (!fn) {
        missingPublishers.add(metric.source);
        continue;
      }
      // A metric with a dashboard cadence is sent once per cadence window (by the first run in it).
      const sends = metric.cadenceMinutes !== metric.scheduleMinutes && metric.cadenceMinutes ? Math.min(fn.invocationsPerMonth, MINUTES_PER_MONTH / metric.cadenceMinutes) : fn.invocationsPerMonth;
      hours = billedHours(sends);
      datumsPerRun.set(fn.logicalId, (datumsPerRun.get(fn.logicalId) ?? 0) + (sets * sends) / Math.max(1, fn.invocationsPerMonth));
    }
    const mm = (sets * hours) / HOURS_PER_MONTH;
    metricMonths += mm;
    const every = metric.cadenceMinutes !== undefined && metric.cadenceMinutes !== metric.scheduleMinutes ? ` (sent every ${metric.cadenceMinutes} min)` : '';
    line(M, `${metricLabel(metric, config)}${every}`, `${sets} x ${fmt(hours, 1)} h = ${fmt(mm, 3)} metric-months`, mm * cw.metricMonth);
  }
  for (const p of missingPublishers) notes.push(`No scheduled ${p} publisher in the template: its metrics are not counted.`);
  const busiestHours = functions.reduce((h, f) => Math.max(h, billedHours(f.invocationsPerMonth)), 0);
  for (const [id, r] of ofType('AWS::Logs::MetricFilter')) {
    for (const t of r.Properties?.MetricTransformations ?? []) {
      const hasDefault = t.DefaultValue !== undefined;
      // With a default value the filter emits for every batch of log events (publisher runs); without one only on matches.
      const hours = hasDefault ? busiestHours : 0;
      const mm = hours / HOURS_PER_MONTH;
      metricMonths += mm;
      line(M, `${t.MetricNamespace}/${t.MetricName} (metric filter ${id})`, hasDefault ? `1 x ${fmt(hours, 1)} h (DefaultValue: emits whenever logs arrive)` : '0 h (no DefaultValue: only hours with matches; assumed none)', mm * cw.metricMonth);
    }
  }
  if (free && metricMonths > 0) line(M, `free tier: ${cw.free.metrics} metrics`, `-${fmt(Math.min(cw.free.metrics, metricMonths), 3)} metric-months`, -Math.min(cw.free.metrics, metricMonths) * cw.metricMonth);

  // --- Alarms.
  const A = 'Alarms';
  let standard = 0;
  let standardMetrics = 0;
  let math = 0;
  let mathMetrics = 0;
  let anomaly = 0;
  let anomalyMetrics = 0;
  let highRes = 0;
  let highResMetrics = 0;
  for (const [, r] of ofType('AWS::CloudWatch::Alarm')) {
    const p = r.Properties ?? {};
    const queries: Json[] = Array.isArray(p.Metrics) ? p.Metrics : [];
    const stats = queries.filter((q) => q?.MetricStat);
    const period = typeof p.Period === 'number' ? p.Period : Math.min(...stats.map((q) => Number(q.MetricStat.Period ?? 60)), 60);
    const metrics = p.MetricName ? 1 : Math.max(1, stats.length);
    if (p.ThresholdMetricId) {
      anomaly++;
      anomalyMetrics += metrics * cw.anomalyAlarmMetricsPerMetric;
    } else if (period < 60) {
      highRes++;
      highResMetrics += metrics;
    } else if (p.MetricName) {
      standard++;
      standardMetrics += metrics;
    } else {
      math++;
      mathMetrics += metrics;
    }
  }
  if (standard) line(A, 'standard alarms (one metric each)', `${standard} alarms = ${standardMetrics} alarm metrics`, standardMetrics * cw.standardAlarmMetricMonth);
  if (math) line(A, 'metric-math alarms (billed per metric in the expression)', `${math} alarms = ${mathMetrics} alarm metrics`, mathMetrics * cw.standardAlarmMetricMonth);
  if (anomaly) line(A, `anomaly detection alarms (${cw.anomalyAlarmMetricsPerMetric} alarm metrics per metric)`, `${anomaly} alarms = ${anomalyMetrics} alarm metrics`, anomalyMetrics * cw.standardAlarmMetricMonth);
  if (highRes) line(A, 'high-resolution alarms (period < 60 s)', `${highRes} alarms = ${highResMetrics} alarm metrics`, highResMetrics * cw.highResolutionAlarmMetricMonth);
  const composites = ofType('AWS::CloudWatch::CompositeAlarm').length;
  if (composites) line(A, 'composite alarms', `${composites} x $${cw.compositeAlarmMonth.toFixed(2)}`, composites * cw.compositeAlarmMonth);
  const freeAlarmMetrics = Math.min(cw.free.alarmMetrics, standardMetrics + mathMetrics);
  if (free && freeAlarmMetrics > 0) line(A, `free tier: ${cw.free.alarmMetrics} standard alarm metrics (not anomaly, composite or high-res)`, `-${freeAlarmMetrics} alarm metrics`, -freeAlarmMetrics * cw.standardAlarmMetricMonth);

  // --- Dashboards.
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  if (dashboards) {
    const billable = free ? Math.max(0, dashboards - cw.free.dashboards) : dashboards;
    line('Dashboards', 'dashboards', `${dashboards} (${free ? `${cw.free.dashboards} free, ` : ''}${billable} billed x $${cw.dashboardMonth.toFixed(2)})`, billable * cw.dashboardMonth);
  }

  // --- CloudWatch API requests.
  const C = 'CloudWatch API';
  let putRequests = assumptions.pipelineRequestsPerDay * DAYS_PER_MONTH;
  for (const f of functions) putRequests += f.invocationsPerMonth * Math.max(1, Math.ceil((datumsPerRun.get(f.logicalId) ?? 0) / 1000));
  const billablePuts = free ? Math.max(0, putRequests - cw.free.apiRequests) : putRequests;
  line(C, 'PutMetricData requests (publisher runs + pipeline pushes)', `${fmt(putRequests, 0)} requests${free ? `, ${fmt(cw.free.apiRequests, 0)} free` : ''}`, (billablePuts / 1000) * cw.apiRequestsPer1000);
  const dims = fnOf('dims');
  if (dims) {
    const metrics = dims.invocationsPerMonth; // one live-count metric per DIMS run (drift)
    line(C, 'GetMetricData (DIMS drift reads the S3 publisher\'s object count)', `${fmt(metrics, 0)} metrics (no free tier)`, (metrics / 1000) * cw.getMetricDataPer1000Metrics);
  }

  // --- Lambda (GB-seconds by architecture, requests).
  const L = 'Lambda';
  let armGbs = 0;
  let x86Gbs = 0;
  let invocations = 0;
  for (const f of functions) {
    const seconds = assumptions.runSeconds[f.publisher];
    const gbs = f.invocationsPerMonth * (f.memoryMb / 1024) * seconds;
    if (f.arch === 'arm64') armGbs += gbs;
    else x86Gbs += gbs;
    invocations += f.invocationsPerMonth;
    const rate = f.arch === 'arm64' ? prices.lambda.arm64GBSecond : prices.lambda.x86GBSecond;
    line(L, `${f.logicalId} (${f.publisher}, ${f.arch}, ${f.memoryMb} MB)`, `${fmt(f.invocationsPerMonth, 0)} runs x ${seconds} s = ${fmt(gbs, 0)} GB-s`, gbs * rate);
  }
  if (functions.length) {
    line(L, 'requests', `${fmt(invocations, 0)} invocations`, (invocations / 1e6) * prices.lambda.requestsPerMillion);
    if (free) {
      const freeArm = Math.min(prices.lambda.free.gbSeconds, armGbs);
      const freeX86 = Math.min(prices.lambda.free.gbSeconds - freeArm, x86Gbs);
      const freeRequests = Math.min(prices.lambda.free.requests, invocations);
      line(L, 'free tier: 400,000 GB-s and 1M requests', `-${fmt(freeArm + freeX86, 0)} GB-s, -${fmt(freeRequests, 0)} requests`,
        -(freeArm * prices.lambda.arm64GBSecond + freeX86 * prices.lambda.x86GBSecond + (freeRequests / 1e6) * prices.lambda.requestsPerMillion));
    }
  }

  // --- EventBridge Scheduler (scheduled EventBridge rules are free).
  let schedulerRuns = 0;
  for (const [, r] of ofType('AWS::Scheduler::Schedule')) {
    if (r.Properties?.State !== 'DISABLED') schedulerRuns += runsPerMonth(String(r.Properties?.ScheduleExpression ?? '')) ?? 0;
  }
  if (ofType('AWS::Scheduler::Schedule').length) {
    const billable = free ? Math.max(0, schedulerRuns - prices.scheduler.free.invocations) : schedulerRuns;
    line('EventBridge Scheduler', 'schedule invocations', `${fmt(schedulerRuns, 0)} invocations${free ? ', 14M free' : ''}`, (billable / 1e6) * prices.scheduler.invocationsPerMillion);
  }

  // --- AWS Budgets (month to date, forecast) and Cost Explorer (per-service breakdown only).
  const cost = fnOf('cost');
  if (cost) {
    line('AWS Budgets', 'DescribeBudget (month to date and forecast, every cost run)', `${fmt(cost.invocationsPerMonth, 1)} requests (no request charge)`, 0);
    const { topServices, scheduleMinutes, serviceBreakdownMinutes } = config.cost;
    if (topServices > 0) {
      const breakdowns = Math.min(cost.invocationsPerMonth, MINUTES_PER_MONTH / sendCadence(scheduleMinutes, serviceBreakdownMinutes));
      const requests = breakdowns * assumptions.ceRequestsPerBreakdown;
      line('Cost Explorer', `GetCostAndUsage (per-service breakdown every ${sendCadence(scheduleMinutes, serviceBreakdownMinutes)} min)`, `${fmt(breakdowns, 1)} breakdowns x ${assumptions.ceRequestsPerBreakdown} requests = ${fmt(requests, 1)} (no free tier)`, requests * prices.costExplorer.apiRequest);
    }
  }

  // --- S3 requests of the publishers.
  const S = 'S3 requests';
  const s3fn = fnOf('s3');
  if (s3fn) {
    if (config.s3.scanMode === 'inventory') {
      const listed = assumptions.bucketObjects * DAYS_PER_MONTH; // daily inventory report
      line(S, 'S3 Inventory (daily report of the data-lake bucket)', `${fmt(assumptions.bucketObjects, 0)} objects x ${fmt(DAYS_PER_MONTH, 1)} reports`, (listed / 1e6) * prices.s3.inventoryPerMillionObjects);
      const gets = s3fn.invocationsPerMonth * 3;
      line(S, 'S3 publisher: LIST + GET of the newest inventory report', `${fmt(s3fn.invocationsPerMonth, 0)} runs x (2 LIST + 3 GET)`, ((2 * s3fn.invocationsPerMonth) / 1000) * prices.s3.listPer1000 + (gets / 1000) * prices.s3.getPer1000);
    } else {
      const pages = expectedListRequests(assumptions.bucketObjects, assumptions.bucketPrefixes);
      const lists = s3fn.invocationsPerMonth * pages;
      line(S, 'S3 publisher: LIST (partitioned scan)', `${fmt(s3fn.invocationsPerMonth, 0)} runs x ${pages} requests (${fmt(assumptions.bucketObjects, 0)} objects, ${assumptions.bucketPrefixes} prefixes) = ${fmt(lists, 0)}`, (lists / 1000) * prices.s3.listPer1000);
    }
  }
  const adce = fnOf('adce');
  if (adce) {
    // With a state bucket the run-report cursor is read every run and written (conditionally) when it moves:
    // at most once per new run report.
    const cursor = ofType('AWS::S3::Bucket').length > 0;
    const puts = cursor ? Math.min(adce.invocationsPerMonth, assumptions.adceReportsPerDay * DAYS_PER_MONTH) : 0;
    const tier1 = adce.invocationsPerMonth + puts;
    const gets = adce.invocationsPerMonth * (cursor ? 3 : 2);
    const what = cursor ? 'LIST + 3 GET per run, a cursor PUT per new run report' : 'LIST + 2 GET per run';
    line(S, `ADCE publisher: ${what}`, `${fmt(adce.invocationsPerMonth, 0)} LIST${cursor ? ` + ${fmt(puts, 0)} PUT` : ''}, ${fmt(gets, 0)} GET`, (tier1 / 1000) * prices.s3.listPer1000 + (gets / 1000) * prices.s3.getPer1000);
  }
  if (dims) line(S, 'DIMS publisher: 1 GET (metrics.yaml) per run', `${fmt(dims.invocationsPerMonth, 0)} runs`, (dims.invocationsPerMonth / 1000) * prices.s3.getPer1000);

  // --- Logs (ingestion, and Logs Insights scans of the dashboards' log widgets: one free tier), traces.
  if (functions.length) {
    const gb = (invocations * assumptions.logKbPerRun) / (1024 * 1024);
    const scanned = logInsightsScanGB(resources, functions, assumptions);
    const freeLeft = free ? Math.max(0, cw.free.logsGB - gb) : 0;
    const billable = free ? Math.max(0, gb - cw.free.logsGB) : gb;
    line('CloudWatch Logs', 'log ingestion (publisher Lambdas)', `${fmt(invocations, 0)} runs x ${assumptions.logKbPerRun} KB = ${fmt(gb, 3)} GB${free ? `, ${cw.free.logsGB} GB free` : ''}`, billable * cw.logsIngestionPerGB);
    if (scanned.widgets > 0) {
      line(
        'CloudWatch Logs',
        `Logs Insights scans of ${scanned.widgets} dashboard log widgets`,
        `${assumptions.dashboardViewsPerMonth} views/month x ${fmt(scanned.gbPerView * 1024, 2)} MB = ${fmt(scanned.gbPerView * assumptions.dashboardViewsPerMonth, 3)} GB${free ? ' (shares the 5 GB free tier)' : ''}`,
        Math.max(0, scanned.gbPerView * assumptions.dashboardViewsPerMonth - freeLeft) * cw.logsInsightsPerGBScanned,
      );
    }
  }
  const traced = functions.filter((f) => f.tracing).reduce((n, f) => n + f.invocationsPerMonth, 0);
  if (traced > 0) {
    const billable = free ? Math.max(0, traced - prices.xray.free.tracesRecorded) : traced;
    line('X-Ray', 'traces recorded (one per traced run)', `${fmt(traced, 0)} traces${free ? ', 100,000 free' : ''}`, (billable / 1e6) * prices.xray.tracesRecordedPerMillion);
  }

  // --- KMS, SNS.
  const keys = ofType('AWS::KMS::Key');
  if (keys.length) {
    line('KMS', 'customer managed keys (SNS topic encryption)', `${keys.length} x $${prices.kms.keyMonth.toFixed(2)}`, keys.length * prices.kms.keyMonth);
    if (keys.some(([, r]) => r.Properties?.EnableKeyRotation === true)) {
      notes.push('KMS: automatic key rotation adds $1.00/month per key after the 1st yearly rotation and $2.00 after the 2nd (then capped); the estimate is the first year.');
    }
  }
  const subs = ofType('AWS::SNS::Subscription').map(([, r]) => r.Properties?.Protocol);
  const emails = subs.filter((p) => p === 'email' || p === 'email-json').length;
  if (emails) {
    const deliveries = assumptions.notificationsPerMonth * emails;
    const billable = free ? Math.max(0, deliveries - prices.sns.free.email) : deliveries;
    line('SNS', 'email deliveries of alarm notifications', `${assumptions.notificationsPerMonth} notifications x ${emails} subscriptions = ${deliveries}${free ? ', 1,000 free' : ''}`, (billable / 100_000) * prices.sns.emailPer100000);
  }
  if (subs.some((p) => p === 'sms')) {
    notes.push('SMS: not estimated. Each text costs a per-message price that depends on the country, and US numbers need a registered origination identity (an account-level monthly fee).');
  }
  const deployTime = deployTimeResources(resources);
  for (const d of deployTime) {
    // Each deploy that creates or updates the resource: the Provider framework invokes the handler once.
    const runs = assumptions.deploysPerMonth * d.functions.length;
    const gbSeconds = runs * DEPLOY_TIME_RUN_SECONDS * (d.memoryMb / 1024);
    const lambdaUsd = free ? 0 : (runs / 1e6) * prices.lambda.requestsPerMillion + gbSeconds * prices.lambda.arm64GBSecond;
    line('Deploy time', `${d.type}: ${d.functions.length} Lambda runs per deploy`, `${assumptions.deploysPerMonth} deploys x ${d.functions.length} = ${runs} runs${free ? ' (Lambda free tier)' : ''}`, lambdaUsd);
    if (d.type === COST_ANOMALY_ALERTS_TYPE) {
      // The monitor and its subscription are free; the Cost Explorer API calls are priced as if billed ($0.01), an upper bound.
      const requests = assumptions.deploysPerMonth * COST_ANOMALY_REQUESTS_PER_DEPLOY;
      line('Deploy time', 'Cost Anomaly Detection: monitor and alert subscription (free); its API calls at the Cost Explorer request price', `${assumptions.deploysPerMonth} deploys x ${COST_ANOMALY_REQUESTS_PER_DEPLOY} requests = ${requests}`, requests * prices.costExplorer.apiRequest);
    }
  }
  const helpers = new Set(deployTime.flatMap((d) => d.functions));
  const unexplained = unscheduled.filter((id) => !helpers.has(id));
  for (const type of prices.freeServices) {
    const n = ofType(type).length;
    if (n) line('Free', type, `${n}`, 0);
  }
  if (ofType('AWS::SQS::Queue').length) line('Free', 'AWS::SQS::Queue (dead-letter queues, well within 1M free requests)', `${ofType('AWS::SQS::Queue').length}`, 0);

  const priced = new Set<string>([...KNOWN_FREE, ...prices.freeServices]);
  const unpriced = [...new Set(resources.map(([, r]) => r.Type).filter((t) => !priced.has(t) && !t.startsWith('Custom::')))];
  if (unpriced.length) notes.push(`Not priced (assumed free or usage-free): ${unpriced.sort().join(', ')}.`);
  if (unexplained.length) notes.push(`Functions without a schedule and not behind a custom resource, not counted: ${unexplained.join(', ')}.`);
  if (unreadable.length) notes.push(`Schedules whose expression could not be read, not counted: ${unreadable.join(', ')}.`);
  if (dashboards > 0) notes.push('The dashboard free tier covers dashboards of up to 50 metrics each.');

  const totalUsd = lines.reduce((s, l) => s + l.usd, 0);
  const runSeconds = functions.map((f) => `${f.publisher} ${assumptions.runSeconds[f.publisher]} s`);
  const assumptionsText = [
    `Pipeline-pushed metrics (${catalog.publishedBy('pipeline').filter((m) => m.group !== 'Performance').map((m) => m.name).join(', ')}, <Operation>Duration of ${operationNames(config).join(', ') || 'none'}) have data ${assumptions.pipelineHoursPerDay} h/day, every dimension set (--pipeline-hours-per-day); ${assumptions.pipelineRequestsPerDay} PutMetricData requests/day (--pipeline-requests-per-day).`,
    'Publisher metrics are billed in every hour in which their publisher runs (every run sends every every-run metric; when-data metrics are counted as if they did too).',
    `Lambda run time per invocation: ${[...new Set(runSeconds)].join(', ') || 'n/a'} (--run-seconds publisher=seconds).`,
    `Data-lake bucket: ${fmt(assumptions.bucketObjects, 0)} objects in ${assumptions.bucketPrefixes} top-level prefixes (--bucket-objects, --bucket-prefixes); scan mode ${config.s3.scanMode}.`,
    `Cost Explorer: ${assumptions.ceRequestsPerBreakdown} request per per-service breakdown (--ce-requests-per-breakdown); ADCE: ${assumptions.adceReportsPerDay} run reports/day (--adce-reports-per-day); logs: ${assumptions.logKbPerRun} KB per Lambda run (--log-kb-per-run); each dashboard opened ${assumptions.dashboardViewsPerMonth} times/month (--dashboard-views-per-month); ${assumptions.notificationsPerMonth} alarm notifications/month (--notifications-per-month); ${assumptions.deploysPerMonth} deploys/month (--deploys-per-month).`,
    free ? 'Free tier applied as if this stack had it to itself (--no-free-tier to see the cost without it).' : 'Free tier NOT applied.',
  ];
  return { lines, totalUsd, assumptions: assumptionsText, notes, prices: { readOn: prices.readOn, region: prices.region } };
}

/** Seconds one deploy-time handler run takes (a few API calls). */
const DEPLOY_TIME_RUN_SECONDS = 3;
/** Cost Explorer calls of one Cost Anomaly Detection deploy: find the services monitor, create or update the subscription. */
const COST_ANOMALY_REQUESTS_PER_DEPLOY = 2;

interface DeployTimeResource {
  readonly type: string;
  /** The Lambda functions that run when it is created or updated: the service token's and the ones it invokes. */
  readonly functions: string[];
  readonly memoryMb: number;
}

/**
 * The custom resources of the template, each with the functions behind it: the service token's
 * function and any function it names in its environment (the Provider framework's user handler).
 */
function deployTimeResources(resources: Resources): DeployTimeResource[] {
  const byId = new Map(resources);
  const isFunction = (id: string | undefined): id is string => id !== undefined && byId.get(id)?.Type === 'AWS::Lambda::Function';
  const byType = new Map<string, DeployTimeResource>();
  for (const [, r] of resources) {
    if (!r.Type.startsWith('Custom::') && r.Type !== 'AWS::CloudFormation::CustomResource') continue;
    const token = refTarget(r.Properties?.ServiceToken);
    if (!isFunction(token) || byType.has(r.Type)) continue;
    const invoked = Object.values<Json>(byId.get(token)?.Properties?.Environment?.Variables ?? {}).map(refTarget).filter(isFunction);
    const functions = [...new Set([token, ...invoked])];
    const memoryMb = Math.max(...functions.map((f) => byId.get(f)?.Properties?.MemorySize ?? 128));
    byType.set(r.Type, { type: r.Type, functions, memoryMb });
  }
  return [...byType.values()];
}

/**
 * What the dashboards' Logs Insights widgets scan per view of every dashboard: for each log
 * widget, its log groups' data within the dashboard's time range (a log group's monthly volume
 * is its functions' runs x logKbPerRun). Log groups are read from the dashboard bodies' Refs.
 */
function logInsightsScanGB(resources: Resources, functions: readonly ScheduledFunction[], assumptions: CostAssumptions): { widgets: number; gbPerView: number } {
  const byId = new Map(resources);
  const monthlyGB = new Map<string, number>();
  for (const f of functions) {
    const group = refTarget(byId.get(f.logicalId)?.Properties?.LoggingConfig?.LogGroup);
    if (group) monthlyGB.set(group, (monthlyGB.get(group) ?? 0) + (f.invocationsPerMonth * assumptions.logKbPerRun) / (1024 * 1024));
  }
  let widgets = 0;
  let gbPerView = 0;
  for (const [, r] of resources) {
    if (r.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const body = r.Properties?.DashboardBody;
    const parts: Json[] = typeof body === 'string' ? [body] : Array.isArray(body?.['Fn::Join']?.[1]) ? body['Fn::Join'][1] : [];
    const text = parts.map((p) => (typeof p === 'string' ? p : '')).join('');
    const rangeHours = isoHours(/"start":"(-P[^"]+)"/.exec(text)?.[1]) ?? 24 * 7;
    widgets += (text.match(/"type":"log"/g) ?? []).length;
    for (const p of parts) {
      const group = typeof p === 'object' && p !== null ? refTarget(p) : undefined;
      if (group && monthlyGB.has(group)) gbPerView += monthlyGB.get(group)! * Math.min(1, rangeHours / HOURS_PER_MONTH);
    }
  }
  return { widgets, gbPerView };
}

/** Hours of a negative ISO 8601 duration such as `-P7D` or `-PT24H`. */
function isoHours(duration: string | undefined): number | undefined {
  const m = duration ? /^-P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(duration) : null;
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 168 + Number(m[2] ?? 0) * 24 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 60;
}

function metricLabel(metric: CatalogMetric, config: MonitoringConfig): string {
  const settable = metric.dimensions.filter((d) => metric.fixedDimensions?.[d] === undefined);
  const fixed = Object.entries(metric.fixedDimensions ?? {}).map(([k, v]) => `${k}=${v}`);
  const dims = [...fixed, ...settable.map((d) => (d === 'Bucket' ? `Bucket=${config.s3.bucket ?? config.dataLakeBucket}` : `${d}=*`))];
  return `${metric.namespace}/${metric.name}${dims.length ? ` {${dims.join(', ')}}` : ''}`;
}

/** Numbers for humans: thousands separators, fixed decimals. */
export function fmt(n: number, decimals: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
