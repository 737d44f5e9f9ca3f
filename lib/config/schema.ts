import { z } from 'zod';

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

const bucketName = z.string().regex(BUCKET, 'is not a valid S3 bucket name');
const minutes = (def: number) =>
  z.number().int('must be a whole number of minutes').min(1, 'must be at least 1 minute').max(10080).default(def);
const percent = (def: number) => z.number().gt(0, 'must be > 0').max(100, 'must be <= 100').default(def);
const s3Key = z.string().min(1, 'must not be empty').refine((k) => !k.startsWith('/'), 'must not start with "/"');
const s3Prefix = z.string().refine((k) => !k.startsWith('/'), 'must not start with "/"');

/** A pipeline operation: becomes `<Operation>Duration` in the Performance namespace. */
export const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,246}$/;

const thresholdsSchema = z
  .strictObject({
    /** ADCE-HighFailureRate fires when ADCESuccessRate (Average, 2 x 5 min) drops below this. */
    adceMinSuccessRatePct: percent(95),
    /** AWS-CostBudgetExceeded fires when BudgetUtilization (Maximum, 1 day) exceeds this. */
    budgetUtilizationPct: percent(80),
    /** S3-UploadFailures fires when S3UploadFailures (Sum, 2 x 5 min) exceeds this. */
    maxS3UploadFailures: z.number().int().min(0, 'must be >= 0').default(5),
    /** Data-QualityIssues fires when ValidationPassRate (Average, 1 h) drops below this. */
    minValidationPassRatePct: percent(95),
    /** Forecasted budget utilization above this is critical. */
    forecastedBudgetUtilizationPct: z.number().gt(0).default(100),
  })
  .prefault({});

const freshnessSchema = z
  .strictObject({
    /** A source whose newest object is older than this is stale. */
    defaultThresholdHours: z.number().gt(0, 'must be > 0').default(36),
    /** Per top-level prefix overrides, e.g. `{ "espn_schedules/": 168 }`. */
    perPrefix: z.record(z.string(), z.number().gt(0, 'must be > 0')).default({}),
  })
  .prefault({});

const s3Schema = z
  .strictObject({
    scheduleMinutes: minutes(60),
    /** Data-lake bucket to measure. @default the top-level `dataLakeBucket` */
    bucket: bucketName.optional(),
    /** Top-level prefixes (data sources), each ending in "/". @default discovered at run time */
    prefixes: z.array(z.string().regex(/^[^/].*\/$/, 'must be a top-level prefix ending in "/"')).optional(),
    /** Prefixes that are not data sources: scanned for totals, never judged for freshness. */
    excludeFromFreshness: z.array(z.string()).default(['inventory-reports/']),
    freshness: freshnessSchema,
    /** Prefixes that also get their own metrics (dimensions Bucket, Prefix); each costs money. */
    perPrefixMetrics: z.array(z.string()).default([]),
    /** Requests in flight at once while listing. */
    maxConcurrency: z.number().int().min(1).max(256).default(32),
    /** `list` lists the bucket; `inventory` reads the newest S3 Inventory report. */
    scanMode: z.enum(['list', 'inventory']).default('list'),
    inventory: z
      .strictObject({
        /** Bucket that receives the inventory reports. */
        destinationBucket: bucketName,
        /** Prefix of the reports: `<prefix>/<source-bucket>/<config-id>/`. */
        destinationPrefix: s3Prefix.default(''),
        /** Inventory configuration id. */
        configurationId: z.string().min(1),
      })
      .optional(),
  })
  .prefault({});

const adceSchema = z
  .strictObject({
    scheduleMinutes: minutes(5),
    /** Bucket holding the task queue and run reports. @default the top-level `dataLakeBucket` */
    bucket: bucketName.optional(),
    /** The task queue written by ADCE's reconciliation step. */
    queueKey: s3Key.default('adce/gaps.json'),
    /** Folder of orchestrator run reports, one JSON file per run. */
    runsPrefix: s3Prefix.default('adce/runs/'),
    /** IANA zone of the naive timestamps ADCE writes. */
    timeZone: z.string().default('UTC'),
    /** How often ADCE regenerates the queue; the stall alarm fires at 3x this. */
    reconciliationIntervalMinutes: minutes(15),
    /** Critical when no orchestrator run finished for this long while the queue holds tasks. */
    maxHoursWithoutRun: z.number().gt(0).default(6),
    /** Priorities to publish `ADCEQueueTasks` for. */
    priorities: z.array(z.string().min(1)).default(['critical', 'high', 'medium', 'low']),
  })
  .prefault({});

const dimsSchema = z
  .strictObject({
    scheduleMinutes: minutes(360),
    /** Bucket holding the DIMS inventory. @default the top-level `dataLakeBucket` */
    bucket: bucketName.optional(),
    key: s3Key.default('inventory/metrics.yaml'),
    /** Extra numeric DIMS metrics to publish, as `category.metric` (each costs money). */
    extraMetrics: z.array(z.string().regex(/^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/, 'must look like "category.metric"')).default([]),
    /** How often DIMS verifies itself; verification older than 2x this is a warning. */
    verificationCadenceHours: z.number().gt(0).default(24),
    /** DIMS's own "major" drift. */
    driftWarnPct: z.number().gt(0).default(15),
  })
  .prefault({});

const costSchema = z
  .strictObject({
    scheduleMinutes: minutes(1440),
    /** How many top services by cost to publish (dimension Service). */
    topServices: z.number().int().min(0).max(20).default(5),
  })
  .prefault({});

const sloSchema = z
  .strictObject({
    /** Target share of ADCE tasks that succeed. */
    adceSuccessTargetPct: z.number().gt(0).lt(100, 'must be < 100').default(95),
    windowDays: z.number().int().min(1).max(90).default(30),
    fastBurnRate: z.number().gt(0).default(14.4),
    slowBurnRate: z.number().gt(0).default(6),
  })
  .prefault({});

export const configSchema = z.strictObject({
  /** Environment name (`-c env=prod` reads `config/prod.json`). */
  envName: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits and "-"').default('default'),
  /** Where the environment goes in alarm names. */
  alarmNameEnvironment: z.enum(['none', 'prefix', 'suffix']).default('none'),
  /**
   * Base URL of this repository's files (e.g. `https://github.com/org/repo/blob/main`); alarm
   * descriptions link to `<base>/docs/monitoring/ALARM_RUNBOOKS.md#<alarm>`.
   * @default the relative path `docs/monitoring/ALARM_RUNBOOKS.md`
   */
  runbookBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  namespacePrefix: z
    .string()
    .min(1)
    .max(200)
    .regex(NAMESPACE_PART, 'may only contain letters, digits and . - _ / # :')
    .refine((p) => !p.startsWith('AWS/'), 'must not start with "AWS/" (reserved)')
    .default('NBA-Simulator'),
  dataLakeBucket: bucketName.default('nba-sim-raw-data-lake'),
  monthlyBudgetUsd: z.number('must be a number').gt(0, 'must be > 0').default(150),
  alertEmails: z.array(z.email('is not a valid email address')).default([]),
  alertPhoneNumbers: z.array(z.string().regex(E164, 'is not an E.164 phone number (e.g. +14155550123)')).default([]),
  thresholds: thresholdsSchema,
  /** Operations the pipeline times; each gets a `<Operation>Duration` metric and an anomaly alarm. */
  pipelineOperations: z
    .array(z.string().regex(OPERATION_NAME, 'must start with a letter and hold only letters, digits and _'))
    .default(['DataExtraction', 'S3Upload', 'Validation']),
  s3: s3Schema,
  adce: adceSchema,
  dims: dimsSchema,
  cost: costSchema,
  slo: sloSchema,
  /** Anomaly-band alarms (each costs about 3 standard alarms). */
  anomalyDetection: z
    .strictObject({
      s3Growth: z.boolean().default(true),
      operationDurations: z.boolean().default(true),
      /** Band width in standard deviations. */
      bandWidth: z.number().gt(0).default(2),
    })
    .prefault({}),
  /** AWS Cost Anomaly Detection monitor with an immediate SNS subscription. */
  costAnomalyDetection: z.boolean().default(true),
  logRetentionDays: z.number().int().min(1).default(30),
});

/** What users write (every key optional). */
export type MonitoringConfigInput = z.input<typeof configSchema>;
/** What code reads (every default applied). */
export type MonitoringConfig = z.output<typeof configSchema>;

export const PUBLISHERS = ['s3', 'adce', 'dims', 'cost'] as const;
export type PublisherId = (typeof PUBLISHERS)[number];
