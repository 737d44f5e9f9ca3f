// zod/mini: the same validation as classic zod at ~18 KB instead of ~440 KB in every Lambda bundle.
import * as z from 'zod/mini';

/**
 * The one configuration of the stack. Every name, bucket, schedule and threshold lives here;
 * the CDK app, the Lambda handlers (which receive it as JSON in an environment variable) and
 * the `monitor` CLI all parse it with this schema, so they can never disagree.
 *
 * Defaults describe the first user's system (the NBA simulator data lake).
 */

const E164 = /^\+[1-9]\d{1,14}$/;
// CloudWatch namespaces: ASCII letters, digits and . - _ / # : (and no "AWS/" prefix).
const NAMESPACE_PART = /^[A-Za-z0-9._\-/#:]+$/;
// S3 bucket naming rules (general purpose buckets).
const BUCKET = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

// Small builders keep the schema readable with zod/mini's functional checks.
const def = z._default;
// Every group may be left out: an empty object gets every default.
const group = <T extends z.core.$ZodLooseShape>(shape: T) => z.prefault(z.strictObject(shape), {} as z.input<z.ZodMiniObject<T>>);
const text = (...checks: z.core.$ZodCheck<string>[]) => z.string().check(...checks);
const num = (...checks: z.core.$ZodCheck<number>[]) => z.number('must be a number').check(...checks);
const whole = (...checks: z.core.$ZodCheck<number>[]) => z.int('must be a whole number').check(...checks);
const positive = z.gt(0, 'must be > 0');
const relativeKey = z.refine<string>((k) => !k.startsWith('/'), 'must not start with "/"');

const bucketName = text(z.regex(BUCKET, 'is not a valid S3 bucket name'));
const minutes = (value: number) =>
  def(z.int('must be a whole number of minutes').check(z.minimum(1, 'must be at least 1 minute'), z.maximum(10080, 'must be at most 10080 (a week)')), value);
const percent = (value: number) => def(num(positive, z.maximum(100, 'must be <= 100')), value);
const s3Key = text(z.minLength(1, 'must not be empty'), relativeKey);
const s3Prefix = text(relativeKey);
const topLevelPrefix = text(z.regex(/^[^/].*\/$/, 'must be a top-level prefix ending in "/" (e.g. "clicks/")'));
// Normalized here, so every consumer (collectors, dashboards, alarms, CLI) reads the published values.
const unique = (values: string[]) => [...new Set(values)];
const uniqueLowerCase = (values: string[]) => unique(values.map((v) => v.toLowerCase()));

/** A pipeline operation: becomes `<Operation>Duration` in the Performance namespace. */
export const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,246}$/;

const thresholdsSchema = group({
  /** ADCE-HighFailureRate fires when ADCESuccessRate (Average, 2 x 5 min) drops below this. */
  adceMinSuccessRatePct: percent(95),
  /** AWS-CostBudgetExceeded fires when BudgetUtilization (Maximum, 1 day) exceeds this. */
  budgetUtilizationPct: percent(80),
  /** S3-UploadFailures fires when S3UploadFailures (Sum, 2 x 5 min) exceeds this. */
  maxS3UploadFailures: def(whole(z.minimum(0, 'must be >= 0')), 5),
  /** Data-QualityIssues fires when ValidationPassRate (Average, 1 h) drops below this. */
  minValidationPassRatePct: percent(95),
  /** Forecasted budget utilization above this is critical. */
  forecastedBudgetUtilizationPct: def(num(positive), 100),
});

const perPrefixThresholds = z.record(topLevelPrefix, num(positive));

const freshnessSchema = group({
  /** A source whose newest object is older than this is stale. */
  defaultThresholdHours: def(num(positive), 36),
  /** Per top-level prefix overrides, e.g. `{ "espn_schedules/": 168 }`. */
  perPrefix: def(perPrefixThresholds, {}),
});

const inventorySchema = z.strictObject({
  /** Bucket that receives the inventory reports. */
  destinationBucket: bucketName,
  /** Prefix of the reports: `<prefix>/<source-bucket>/<config-id>/`. */
  destinationPrefix: def(s3Prefix, ''),
  /** Inventory configuration id. */
  configurationId: text(z.minLength(1, 'must not be empty')),
});

/** One data-lake bucket of `s3.buckets`; every key but `name` defaults to the same key of `s3`. */
const dataLakeBucketSchema = z.strictObject({
  name: bucketName,
  prefixes: z.optional(z.array(topLevelPrefix)),
  excludeFromFreshness: z.optional(z.array(z.string())),
  freshness: z.optional(
    z.strictObject({
      defaultThresholdHours: z.optional(num(positive)),
      perPrefix: z.optional(perPrefixThresholds),
    }),
  ),
  perPrefixMetrics: z.optional(z.pipe(z.array(topLevelPrefix), z.transform(unique))),
  scanMode: z.optional(z.enum(['list', 'inventory'])),
  inventory: z.optional(inventorySchema),
});

const s3Schema = group({
  /** Measure the data-lake bucket(s): size, growth, freshness per source. */
  enabled: def(z.boolean(), true),
  scheduleMinutes: minutes(60),
  /** Data-lake bucket to measure (one bucket; for several use `buckets`). @default the top-level `dataLakeBucket` */
  bucket: z.optional(bucketName),
  /**
   * Several data-lake buckets, each `{ "name": ..., ... }` with its own `prefixes`, `freshness`,
   * `perPrefixMetrics`, `excludeFromFreshness`, `scanMode`, `inventory` (each defaults to the
   * same key here). One publisher run covers every bucket. @default one bucket: `bucket`
   */
  buckets: z.optional(z.array(dataLakeBucketSchema).check(z.minLength(1, 'must list at least one bucket'))),
  /** Top-level prefixes (data sources), each ending in "/". @default discovered at run time */
  prefixes: z.optional(z.array(topLevelPrefix)),
  /** Prefixes that are not data sources: scanned for totals, never judged for freshness. */
  excludeFromFreshness: def(z.array(z.string()), ['inventory-reports/']),
  freshness: freshnessSchema,
  /** Top-level prefixes that also get their own metrics (dimensions Bucket, Prefix); each costs money. Duplicates are dropped. */
  perPrefixMetrics: def(z.pipe(z.array(topLevelPrefix), z.transform(unique)), []),
  /** Requests in flight at once while listing. */
  maxConcurrency: def(whole(z.minimum(1, 'must be >= 1'), z.maximum(256, 'must be <= 256')), 32),
  /** `list` lists the bucket; `inventory` reads the newest S3 Inventory report. */
  scanMode: def(z.enum(['list', 'inventory']), 'list'),
  inventory: z.optional(inventorySchema),
});

const adceSchema = group({
  /** Watch the ADCE scraper orchestrator (task queue and run reports). */
  enabled: def(z.boolean(), true),
  scheduleMinutes: minutes(5),
  /** Bucket holding the task queue and run reports. @default the top-level `dataLakeBucket` */
  bucket: z.optional(bucketName),
  /** The task queue written by ADCE's reconciliation step. */
  queueKey: def(s3Key, 'adce/gaps.json'),
  /** Folder of orchestrator run reports, one JSON file per run. */
  runsPrefix: def(s3Prefix, 'adce/runs/'),
  /** IANA zone of the naive timestamps ADCE writes. */
  timeZone: def(z.string(), 'UTC'),
  /** How often ADCE regenerates the queue; the stall alarm fires at 3x this. */
  reconciliationIntervalMinutes: minutes(15),
  /** Critical when no orchestrator run finished for this long while the queue holds tasks. */
  maxHoursWithoutRun: def(num(positive), 6),
  /** Priorities to publish `ADCEQueueTasks` for; lower-cased (ADCE's by_priority keys are matched case-insensitively) and de-duplicated. */
  priorities: def(z.pipe(z.array(text(z.minLength(1, 'must not be empty'))), z.transform(uniqueLowerCase)), ['critical', 'high', 'medium', 'low']),
});

const dimsSchema = group({
  /** Publish the DIMS data inventory and its drift against the live bucket. */
  enabled: def(z.boolean(), true),
  scheduleMinutes: minutes(360),
  /** Bucket holding the DIMS inventory. @default the top-level `dataLakeBucket` */
  bucket: z.optional(bucketName),
  key: def(s3Key, 'inventory/metrics.yaml'),
  /** Extra numeric DIMS metrics to publish, as `category.metric` (each costs money). */
  extraMetrics: def(z.array(text(z.regex(/^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/, 'must look like "category.metric"'))), []),
  /** How often DIMS verifies itself; verification older than 2x this is a warning. */
  verificationCadenceHours: def(num(positive), 24),
  /** DIMS's own "major" drift. */
  driftWarnPct: def(num(positive), 15),
});

const costSchema = group({
  /** Track AWS cost against the monthly budget. */
  enabled: def(z.boolean(), true),
  scheduleMinutes: minutes(1440),
  /** How many top services by cost to publish (dimension Service). */
  topServices: def(whole(z.minimum(0, 'must be >= 0'), z.maximum(20, 'must be <= 20')), 5),
});

const sloSchema = group({
  /** Target share of ADCE tasks that succeed. */
  adceSuccessTargetPct: def(num(positive, z.lt(100, 'must be < 100')), 95),
  windowDays: def(whole(z.minimum(1, 'must be >= 1'), z.maximum(90, 'must be <= 90')), 30),
  fastBurnRate: def(num(positive), 14.4),
  slowBurnRate: def(num(positive), 6),
  /** Multi-window burn-rate alarms (4 metric-math alarms of 2 metrics + 2 composites, ~$1.80/month). */
  burnRateAlarms: def(z.boolean(), true),
});

export const configSchema = z.strictObject({
  /** Environment name (`-c env=prod` reads `config/prod.json`). */
  envName: def(text(z.regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits and "-"')), 'default'),
  /**
   * Alarm names are `<alarmNamePrefix>-<alarm>`, so two stacks (namespaces, environments) in one
   * account never collide; `""` gives the bare names (`ADCE-HighFailureRate`).
   * @default `<namespacePrefix>` plus `-<envName>` outside the default environment ("/" becomes "-")
   */
  alarmNamePrefix: z.optional(text(z.maxLength(100, 'must be at most 100 characters'), z.regex(/^[A-Za-z0-9._-]*$/, 'may only contain letters, digits and . _ -'))),
  /**
   * Base URL of this repository's files (e.g. `https://github.com/org/repo/blob/main`); alarm
   * descriptions link to `<base>/docs/monitoring/ALARM_RUNBOOKS.md#<alarm>`.
   * @default the relative path `docs/monitoring/ALARM_RUNBOOKS.md`
   */
  runbookBaseUrl: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  namespacePrefix: def(
    text(
      z.minLength(1, 'must not be empty'),
      z.maxLength(200, 'must be at most 200 characters'),
      z.regex(NAMESPACE_PART, 'may only contain letters, digits and . - _ / # :'),
      z.refine<string>((p) => !p.startsWith('AWS/'), 'must not start with "AWS/" (reserved)'),
    ),
    'NBA-Simulator',
  ),
  dataLakeBucket: def(bucketName, 'nba-sim-raw-data-lake'),
  monthlyBudgetUsd: def(num(positive), 150),
  alertEmails: def(z.array(z.email('is not a valid email address')), []),
  alertPhoneNumbers: def(z.array(text(z.regex(E164, 'is not an E.164 phone number (e.g. +14155550123)'))), []),
  thresholds: thresholdsSchema,
  /** Operations the pipeline times; each gets a `<Operation>Duration` metric and an anomaly alarm. */
  pipelineOperations: def(
    z.array(text(z.regex(OPERATION_NAME, 'must start with a letter and hold only letters, digits and _'))),
    ['DataExtraction', 'S3Upload', 'Validation'],
  ),
  s3: s3Schema,
  adce: adceSchema,
  dims: dimsSchema,
  cost: costSchema,
  slo: sloSchema,
  /** Anomaly-band alarms (each costs about 3 standard alarms). */
  anomalyDetection: group({
    s3Growth: def(z.boolean(), true),
    operationDurations: def(z.boolean(), true),
    /** Band width in standard deviations. */
    bandWidth: def(num(positive), 2),
  }),
  /** AWS Cost Anomaly Detection monitor with an immediate SNS subscription. */
  costAnomalyDetection: def(z.boolean(), true),
  /**
   * An existing Cost Anomaly Detection monitor to subscribe to instead of creating one (an
   * account holds one AWS-services monitor; AWS creates it for many new accounts).
   * @default create a monitor
   */
  costAnomalyMonitorArn: z.optional(text(z.regex(/^arn:aws[a-z-]*:ce::\d{12}:anomalymonitor\/[A-Za-z0-9-]+$/, 'is not a Cost Anomaly Detection monitor ARN'))),
  /** Cost Anomaly Detection notifies when an anomaly's total impact reaches this many USD. */
  costAnomalyMinImpactUsd: def(num(positive), 5),
  /** Composite alarms Monitoring-Unhealthy / Monitoring-Degraded at the top of every dashboard ($0.50/month each). */
  healthRollup: def(z.boolean(), true),
  logRetentionDays: def(whole(z.minimum(1, 'must be >= 1')), 30),
});

/** What users write (every key optional). */
export type MonitoringConfigInput = z.input<typeof configSchema>;
/** What code reads (every default applied). */
export type MonitoringConfig = z.output<typeof configSchema>;

export const PUBLISHERS = ['s3', 'adce', 'dims', 'cost'] as const;
export type PublisherId = (typeof PUBLISHERS)[number];

/** The publishers the config turns on (`<source>.enabled`), in PUBLISHERS order. */
export function enabledPublishers(config: Pick<MonitoringConfig, PublisherId>): PublisherId[] {
  return PUBLISHERS.filter((p) => config[p].enabled);
}
