// zod/mini: the same validation as classic zod at ~18 KB instead of ~440 KB in every Lambda bundle.
import * as z from 'zod/mini';
import { MAX_HEARTBEAT_SCHEDULE_MINUTES } from '../health/windows';
import { SEVERITIES } from './alerting';
import { PROFILES, featureDefault } from './profile';

/**
 * The one configuration of the stack. Every name, bucket, schedule and threshold lives here;
 * the CDK app, the Lambda handlers (which receive it as JSON in an environment variable) and
 * the `monitor` CLI all parse it with this schema, so they can never disagree.
 *
 * The defaults are the default configuration: an NBA statistics data lake
 * (docs/monitoring/CONFIG_REFERENCE.md lists every key).
 *
 * The priced insight features (marked "profile feature") have no fixed default: `profile`
 * decides (lib/config/profile.ts), an explicit value wins.
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
// A key ARN (not an alias: IAM cannot grant key use through an alias ARN).
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const minutes = (value: number) =>
  def(z.int('must be a whole number of minutes').check(z.minimum(1, 'must be at least 1 minute'), z.maximum(10080, 'must be at most 10080 (a week)')), value);
const percent = (value: number) => def(num(positive, z.maximum(100, 'must be <= 100')), value);
const s3Key = text(z.minLength(1, 'must not be empty'), relativeKey);
const s3Prefix = text(relativeKey);
const topLevelPrefix = text(z.regex(/^[^/].*\/$/, 'must be a top-level prefix ending in "/" (e.g. "clicks/")'));
// Normalized here, so every consumer (collectors, dashboards, alarms, CLI) reads the published values.
const unique = (values: string[]) => [...new Set(values)];
const uniqueLowerCase = (values: string[]) => unique(values.map((v) => v.toLowerCase()));

/** `--env` / `-c env=`: also names the file `config/<env>.json`, so checked before it is used in a path. */
export const ENV_NAME = /^[A-Za-z0-9-]+$/;

/** An IANA zone name Intl knows (`UTC`, `America/New_York`); offsets like `+05:00` are not zones. */
export function isIanaTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A URL as it goes into alarm descriptions and dashboard Markdown: normalized by the URL parser
 * (spaces and non-ASCII percent-encoded) and with the characters that end a Markdown link
 * target, `(` `)` `<` `>`, encoded too.
 */
function encodeUrl(url: string): string {
  return new URL(url).href.replace(/[()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A pipeline operation: becomes `<Operation>Duration` in the Performance namespace. */
export const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,246}$/;

const operationName = text(z.regex(OPERATION_NAME, 'must start with a letter and hold only letters, digits and _'));
const MAX_EXPECTED_EVERY_HOURS = MAX_HEARTBEAT_SCHEDULE_MINUTES / 60;
const operationObject = z.strictObject({
  name: operationName,
  /** How often the job runs; silent for 2 of these -> `<name>-Heartbeat` alarms. Whole minutes, at most 84 h (2 intervals within CloudWatch's 7 days). */
  expectedEveryHours: z.optional(
    num(
      positive,
      z.maximum(MAX_EXPECTED_EVERY_HOURS, `must be <= ${MAX_EXPECTED_EVERY_HOURS} (2 intervals must fit CloudWatch's 7-day alarm range)`),
      z.refine<number>((h) => Math.abs(h * 60 - Math.round(h * 60)) < 1e-9, 'must be a whole number of minutes (e.g. 0.25 = 15 min)'),
    ),
  ),
});

/** A pipeline operation as code reads it (config entries normalized). */
interface PipelineOperation {
  readonly name: string;
  /** Cadence of the job; set = the operation has a heartbeat alarm. */
  readonly expectedEveryHours?: number;
}

function toOperation(entry: string | PipelineOperation): PipelineOperation {
  return typeof entry === 'string' ? { name: entry } : entry;
}

const thresholdsSchema = group({
  /** ADCE-HighFailureRate fires when ADCESuccessRate (Average, 5 min: the latest run) drops below this. */
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
  /** The bucket's name. */
  name: bucketName,
  /** Its data sources. @default `s3.prefixes` */
  prefixes: z.optional(z.array(topLevelPrefix)),
  /** Its prefixes that are not data sources. @default `s3.excludeFromFreshness` */
  excludeFromFreshness: z.optional(z.array(z.string())),
  /** Its freshness thresholds. */
  freshness: z.optional(
    z.strictObject({
      /** Threshold of its sources without their own. @default `s3.freshness.defaultThresholdHours` */
      defaultThresholdHours: z.optional(num(positive)),
      /** Replaces `s3.freshness.perPrefix` for this bucket. @default `s3.freshness.perPrefix` */
      perPrefix: z.optional(perPrefixThresholds),
    }),
  ),
  /** Its prefixes that also get their own metrics. @default `s3.perPrefixMetrics` */
  perPrefixMetrics: z.optional(z.pipe(z.array(topLevelPrefix), z.transform(unique))),
  /** `list` or `inventory` for this bucket. @default `s3.scanMode` */
  scanMode: z.optional(z.enum(['list', 'inventory'])),
  /** Where S3 Inventory delivers the reports of this bucket (`scanMode: "inventory"`). */
  inventory: z.optional(inventorySchema),
});

const s3Schema = group({
  /** Measure the data-lake bucket(s): size, growth, freshness per source. */
  enabled: def(z.boolean(), true),
  /**
   * Every 2 hours: each scan lists the whole bucket (LIST requests cost money). A data gap is
   * still reported by its threshold + 1 h (sources are judged against the next scan); a dead S3
   * publisher after 2 scans.
   */
  scheduleMinutes: minutes(120),
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
  /** When a data source counts as stale. */
  freshness: freshnessSchema,
  /** Top-level prefixes that also get their own metrics (dimensions Bucket, Prefix); each costs money. Duplicates are dropped. */
  perPrefixMetrics: def(z.pipe(z.array(topLevelPrefix), z.transform(unique)), []),
  /** Requests in flight at once while listing. */
  maxConcurrency: def(whole(z.minimum(1, 'must be >= 1'), z.maximum(256, 'must be <= 256')), 32),
  /** `list` lists the bucket; `inventory` reads the newest S3 Inventory report. */
  scanMode: def(z.enum(['list', 'inventory']), 'list'),
  /** Where S3 Inventory delivers the reports of this bucket (`scanMode: "inventory"`). */
  inventory: z.optional(inventorySchema),
});

const adceSchema = group({
  /** Watch the ADCE scraper orchestrator (task queue and run reports). */
  enabled: def(z.boolean(), true),
  /** Minutes between ADCE publisher runs. */
  scheduleMinutes: minutes(5),
  /** Bucket holding the task queue and run reports. @default the top-level `dataLakeBucket` */
  bucket: z.optional(bucketName),
  /** The task queue written by ADCE's reconciliation step. */
  queueKey: def(s3Key, 'adce/gaps.json'),
  /** Folder of orchestrator run reports, one JSON file per run. */
  runsPrefix: def(s3Prefix, 'adce/runs/'),
  /** IANA zone of the naive timestamps ADCE writes. */
  timeZone: def(text(z.refine(isIanaTimeZone, 'is not an IANA time zone (e.g. "UTC", "America/New_York")')), 'UTC'),
  /** How often ADCE regenerates the queue; the stall alarm fires at 3x this. */
  reconciliationIntervalMinutes: minutes(15),
  /** Critical when no orchestrator run finished for this long while the queue holds tasks. */
  maxHoursWithoutRun: def(num(positive), 6),
  /** Priorities to publish `ADCEQueueTasks` for; lower-cased (ADCE's by_priority keys are matched case-insensitively) and de-duplicated. */
  priorities: def(
    z.pipe(
      z.array(
        text(
          z.refine<string>((p) => p.trim().length > 0, 'must not be empty'),
          z.maxLength(1024, 'must be at most 1024 characters (it becomes a CloudWatch dimension value)'),
        ),
      ),
      z.transform(uniqueLowerCase),
    ),
    ['critical', 'high', 'medium', 'low'],
  ),
  /**
   * Profile feature: `ADCEQueueTasks` per priority as custom metrics ($0.30/month each); the per-priority Logs Insights table is always there.
   * @default off in the `standard` profile, on in `full`
   */
  priorityMetrics: z.optional(z.boolean()),
});

const dimsSchema = group({
  /** Publish the DIMS data inventory and its drift against the live bucket. */
  enabled: def(z.boolean(), true),
  /** Minutes between DIMS publisher runs. */
  scheduleMinutes: minutes(360),
  /** Bucket holding the DIMS inventory. @default the top-level `dataLakeBucket` */
  bucket: z.optional(bucketName),
  /** Key of the DIMS inventory YAML. */
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
  /** Minutes between cost publisher runs. */
  scheduleMinutes: minutes(1440),
  /** How many top services by cost the per-service breakdown lists (0: no breakdown, no Cost Explorer request). */
  topServices: def(whole(z.minimum(0, 'must be >= 0'), z.maximum(20, 'must be <= 20')), 5),
  /**
   * How often the per-service breakdown asks Cost Explorer ($0.01 a request; its data is daily).
   * Month-to-date and forecast come from the AWS Budgets budget on every run, at no charge.
   */
  serviceBreakdownMinutes: minutes(1440),
  /**
   * Profile feature: the breakdown also as `ServiceMonthlyCost` custom metrics (dimension Service); it is always a log line shown by a Logs Insights table.
   * @default off in the `standard` profile, on in `full`
   */
  serviceMetrics: z.optional(z.boolean()),
});

const sloSchema = group({
  /** Target share of ADCE tasks that succeed. */
  adceSuccessTargetPct: def(num(positive, z.lt(100, 'must be < 100')), 95),
  /** SLO window in days. */
  windowDays: def(whole(z.minimum(1, 'must be >= 1'), z.maximum(90, 'must be <= 90')), 30),
  /** Fast burn: error budget spent this many times faster than sustainable over 1 h and 5 min is critical. */
  fastBurnRate: def(num(positive), 14.4),
  /** Slow burn: this many times faster over 6 h and 30 min is a warning. */
  slowBurnRate: def(num(positive), 6),
  /**
   * Profile feature: multi-window burn-rate alarms (4 metric-math alarms of 2 metrics + 2 composites, $1.80/month).
   * @default off in the `standard` profile, on in `full`
   */
  burnRateAlarms: z.optional(z.boolean()),
});

/** Severities a chat channel receives; at least one, duplicates dropped. */
const channelSeverities = def(
  z.pipe(z.array(z.enum(SEVERITIES, `must be one of ${SEVERITIES.join(', ')}`)).check(z.minLength(1, 'must name at least one severity')), z.transform(<T>(values: T[]) => [...new Set(values)])),
  [...SEVERITIES],
);
const GUID = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/;
// The Teams channel ID as AWS Chatbot wants it: URL-encoded (`19%3a...%40thread.tacv2`).
const TEAMS_CHANNEL = /^[A-Za-z0-9\-_=+/.,]*%3[aA][A-Za-z0-9\-_=+/.,]*%40[A-Za-z0-9\-_=+/.,]*$/;
const noDuplicateChannels = <T extends { channelId: string }>(key: (c: T) => string) =>
  z.refine<T[]>((channels) => new Set(channels.map(key)).size === channels.length, 'lists the same channel twice');

const chatSchema = group({
  /**
   * Slack channels that receive the alert topics of their severities through AWS Chatbot. The
   * workspace must be authorized once in the AWS Chatbot console (docs/monitoring/MONITORING_GUIDE.md).
   */
  slack: def(
    z
      .array(
        z.strictObject({
          /** Slack workspace ID shown in the AWS Chatbot console once authorized, e.g. `T012ABCDEFG`. */
          workspaceId: text(z.regex(/^[0-9A-Z]{1,255}$/, 'must be the Slack workspace ID shown in the AWS Chatbot console (capital letters and digits, e.g. "T012ABCDEFG")')),
          /** Slack channel ID (channel details, at the bottom), e.g. `C0123ABCDEF`; invite @Amazon Q to private channels. */
          channelId: text(z.regex(/^[A-Za-z0-9]{1,255}$/, 'must be the Slack channel ID (letters and digits, e.g. "C0123ABCDEF"), not its name')),
          /** Alert severities posted to the channel. */
          severities: channelSeverities,
        }),
      )
      .check(noDuplicateChannels((c: { workspaceId: string; channelId: string }) => `${c.workspaceId}/${c.channelId}`)),
    [],
  ),
  /**
   * Microsoft Teams channels, likewise (the team must be authorized once in the AWS Chatbot console).
   * `channelId` may be pasted from the channel link (URL-encoded) or as `19:...@thread.tacv2`.
   */
  teams: def(
    z
      .array(
        z.strictObject({
          /** Microsoft Teams team ID (a GUID). */
          teamId: text(z.regex(GUID, 'must be the Microsoft Teams team ID (a GUID) shown in the AWS Chatbot console')),
          /** Microsoft Teams tenant ID (a GUID). */
          tenantId: text(z.regex(GUID, 'must be the Microsoft Teams tenant ID (a GUID) shown in the AWS Chatbot console')),
          /** Microsoft Teams channel ID, URL-encoded or as `19:...@thread.tacv2`. */
          channelId: z.pipe(
            z.pipe(z.string(), z.transform((id: string) => id.replace(/:/g, '%3a').replace(/@/g, '%40'))),
            text(z.regex(TEAMS_CHANNEL, 'must be the Teams channel ID from the channel link, e.g. "19%3a0123abcd%40thread.tacv2" (or "19:0123abcd@thread.tacv2")')),
          ),
          /** Alert severities posted to the channel. */
          severities: channelSeverities,
        }),
      )
      .check(noDuplicateChannels((c: { teamId: string; channelId: string }) => `${c.teamId}/${c.channelId}`)),
    [],
  ),
});

const ALARM_BASE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/;
// SSM reserves the prefixes aws, amazon and amzn for Amazon's own documents.
const SSM_DOCUMENT = /^[A-Za-z0-9_.-]{3,128}$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * One action on ALARM of a named alarm: invoke a Lambda function (an alarm action), or start an
 * SSM Automation runbook (through an EventBridge rule on the alarm's state change: alarm actions
 * cannot start Automation). Exactly one of `lambdaArn` / `ssmAutomation`.
 */
const remediationSchema = z
  .strictObject({
    /** Base name of one of the stack's alarms, e.g. `ADCE-QueueStale` (unknown names stop the synth). */
    alarm: text(z.regex(ALARM_BASE_NAME, 'must be an alarm base name, e.g. "ADCE-QueueStale"')),
    /** A function in this stack's account: `arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]`. */
    lambdaArn: z.optional(text(z.regex(LAMBDA_ARN, 'is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>])'))),
    /** An Automation runbook of this account and region (or Amazon's, e.g. `AWS-RestartEC2Instance`), at its default version. */
    ssmAutomation: z.optional(text(z.regex(SSM_DOCUMENT, 'is not an SSM document name (3-128 letters, digits, "_", "-", ".")'))),
    /** Runbook parameters, as SSM takes them (`{ "InstanceId": ["i-0123..."] }`). @default none */
    parameters: z.optional(z.record(text(z.minLength(1, 'must not be empty')), z.array(z.string()))),
    /** Role the runbook runs as (its `AutomationAssumeRole` parameter); the rule's role may pass it. @default the runbook runs with the rule's role */
    automationAssumeRoleArn: z.optional(text(z.regex(IAM_ROLE_ARN, 'is not an IAM role ARN'))),
  })
  .check(
    z.refine((r) => (r.lambdaArn === undefined) !== (r.ssmAutomation === undefined), 'needs exactly one of "lambdaArn" or "ssmAutomation"'),
    z.refine((r) => r.ssmAutomation !== undefined || (r.parameters === undefined && r.automationAssumeRoleArn === undefined), '"parameters" and "automationAssumeRoleArn" go with "ssmAutomation" only'),
  );

const networkSchema = group({
  /** Longest wait for a TCP/TLS connection to an AWS endpoint. */
  connectTimeoutMs: def(whole(z.minimum(100, 'must be >= 100'), z.maximum(60_000, 'must be <= 60000')), 3000),
  /** Longest wait for a response to start, and longest silence within one; then the request fails (and may be retried). */
  requestTimeoutMs: def(whole(z.minimum(100, 'must be >= 100'), z.maximum(120_000, 'must be <= 120000')), 8000),
});

const fields = z.strictObject({
  /**
   * `standard`: every failure-mode detection, no priced insight feature (fits $3/month at the
   * default config); `full`: every insight feature too. Each profile feature key set explicitly wins.
   */
  profile: def(z.enum(PROFILES, `must be ${PROFILES.map((p) => JSON.stringify(p)).join(' or ')}`), 'standard'),
  /** `cdk synth` warns when the stack's estimated monthly cost (`monitor cost-estimate`, free tier applied) exceeds this. */
  costBudgetUsd: def(num(positive), 3),
  /** Environment name (`-c env=prod` reads `config/prod.json`). */
  envName: def(text(z.regex(ENV_NAME, 'must be letters, digits and "-"')), 'default'),
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
  runbookBaseUrl: z.optional(z.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), z.transform(encodeUrl))),
  /** CloudWatch namespaces are `<namespacePrefix>/<group>` (e.g. `NBA-Simulator/ADCE`); also names the stack, dashboards, budget and (by default) alarms. */
  namespacePrefix: def(
    text(
      z.minLength(1, 'must not be empty'),
      z.maxLength(200, 'must be at most 200 characters'),
      z.regex(NAMESPACE_PART, 'may only contain letters, digits and . - _ / # :'),
      z.refine<string>((p) => !p.startsWith('AWS/'), 'must not start with "AWS/" (reserved)'),
    ),
    'NBA-Simulator',
  ),
  /** The data-lake bucket: measured by the S3 publisher (one-bucket shorthand of `s3.bucket`) and where ADCE and DIMS files are read unless their own `bucket` is set. */
  dataLakeBucket: def(bucketName, 'nba-sim-raw-data-lake'),
  /** The account's monthly AWS budget in USD: the AWS Budgets budget and every budget-utilization metric and alarm. */
  monthlyBudgetUsd: def(num(positive), 150),
  /** Email addresses subscribed to both alert topics (critical and warning). Each must confirm the subscription email once. */
  alertEmails: def(z.array(z.email('is not a valid email address')), []),
  /** E.164 phone numbers paged by SMS for critical alarms only (see the SMS prerequisites in the guide). */
  alertPhoneNumbers: def(z.array(text(z.regex(E164, 'is not an E.164 phone number (e.g. +14155550123)'))), []),
  /** Thresholds of the core alarms. */
  thresholds: thresholdsSchema,
  /**
   * Operations the pipeline times; each gets a `<Operation>Duration` metric (Status success |
   * failure), a dashboard widget and (profile feature
   * `anomalyDetection.operationDurations`) an anomaly alarm. An entry is a name, or
   * `{ "name": "DataExtraction", "expectedEveryHours": 24 }` for a job that runs on a cadence:
   * it then also gets a dead-man's switch (`<Operation>-Heartbeat`: no datum of any Status for 2
   * intervals). Normalized to objects; names must be unique.
   */
  pipelineOperations: def(
    z.array(z.pipe(z.union([operationName, operationObject], 'must be an operation name or { "name", "expectedEveryHours"? }'), z.transform(toOperation))).check(
      z.superRefine((ops, ctx) => {
        const seen = new Set<string>();
        ops.forEach((op, i) => {
          if (seen.has(op.name)) ctx.addIssue({ code: 'custom', message: `operation "${op.name}" is listed twice`, input: ops, path: [i] });
          seen.add(op.name);
        });
      }),
    ),
    [{ name: 'DataExtraction' }, { name: 'S3Upload' }, { name: 'Validation' }],
  ),
  /** The S3 data-lake publisher: buckets, sources (top-level prefixes), freshness thresholds. */
  s3: s3Schema,
  /** The ADCE scraper orchestrator publisher: task queue and run reports. */
  adce: adceSchema,
  /** The DIMS data-inventory publisher. */
  dims: dimsSchema,
  /** The AWS cost publisher. */
  cost: costSchema,
  /** The ADCE task-success SLO: error budget on the ADCE Health dashboard and burn-rate alarms. */
  slo: sloSchema,
  /** Anomaly-band alarms (each bills 3 alarm metrics). */
  anomalyDetection: group({
    /**
     * Profile feature: `S3-ObjectGrowthAnomaly` per bucket: object growth outside its anomaly band ($0.30/month each).
     * @default off in the `standard` profile, on in `full`
     */
    s3Growth: z.optional(z.boolean()),
    /**
     * Profile feature: `<Operation>-DurationAnomaly` per pipeline operation: durations above their anomaly band ($0.30/month each).
     * @default off in the `standard` profile, on in `full`
     */
    operationDurations: z.optional(z.boolean()),
    /** Band width in standard deviations. */
    bandWidth: def(num(positive), 2),
  }),
  /** AWS Cost Anomaly Detection: an immediate SNS subscription (warning topic) to the account's AWS-services monitor. */
  costAnomalyDetection: def(z.boolean(), true),
  /**
   * The Cost Anomaly Detection monitor to subscribe to (any type, e.g. a custom one).
   * @default at deploy time, the account's AWS-services monitor (an account holds at most one;
   * AWS creates it for many accounts), created when there is none
   */
  costAnomalyMonitorArn: z.optional(text(z.regex(/^arn:aws[a-z-]*:ce::\d{12}:anomalymonitor\/[A-Za-z0-9-]+$/, 'is not a Cost Anomaly Detection monitor ARN'))),
  /**
   * Buckets encrypted with a customer-managed KMS key (SSE-KMS), as bucket name -> key ARN
   * (`arn:aws:kms:<region>:<account>:key/<id>`, not an alias). Every publisher that reads
   * objects from the bucket gets `kms:Decrypt` on that key, only through S3 (`kms:ViaService`).
   * `monitor preflight` names a bucket that needs an entry. @default none
   */
  bucketKmsKeyArns: def(z.record(bucketName, text(z.regex(KMS_KEY_ARN, 'is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; an alias does not work)'))), {}),
  /** Cost Anomaly Detection notifies when an anomaly's total impact reaches this many USD. */
  costAnomalyMinImpactUsd: def(num(positive), 5),
  /**
   * Profile feature: composite alarms Monitoring-Unhealthy / Monitoring-Degraded at the top of every dashboard ($0.50/month each).
   * @default off in the `standard` profile, on in `full`
   */
  healthRollup: z.optional(z.boolean()),
  /** Days the publishers' logs are kept (rounded up to a retention CloudWatch Logs offers). */
  logRetentionDays: def(whole(z.minimum(1, 'must be >= 1')), 30),
  /** Slack / Microsoft Teams channels per severity through AWS Chatbot. @default none */
  chat: chatSchema,
  /** Actions on ALARM of named alarms: a Lambda function or an SSM Automation runbook. @default none */
  remediation: def(z.array(remediationSchema), []),
  /** Timeouts of every AWS call (publisher Lambdas and the CLI): nothing waits forever on a silent endpoint. */
  network: networkSchema,
});

/** Fills every profile feature the config leaves out from its profile (PROFILE_FEATURES lists them). */
function applyProfile(c: z.output<typeof fields>) {
  const on = (explicit: boolean | undefined) => featureDefault(c.profile, explicit);
  return {
    ...c,
    healthRollup: on(c.healthRollup),
    slo: { ...c.slo, burnRateAlarms: on(c.slo.burnRateAlarms) },
    anomalyDetection: { ...c.anomalyDetection, s3Growth: on(c.anomalyDetection.s3Growth), operationDurations: on(c.anomalyDetection.operationDurations) },
    adce: { ...c.adce, priorityMetrics: on(c.adce.priorityMetrics) },
    cost: { ...c.cost, serviceMetrics: on(c.cost.serviceMetrics) },
  };
}

export const configSchema = z.pipe(fields, z.transform(applyProfile));

/** What users write (every key optional). */
export type MonitoringConfigInput = z.input<typeof configSchema>;
/** What code reads (every default applied). */
export type MonitoringConfig = z.output<typeof configSchema>;

export const PUBLISHERS = ['s3', 'adce', 'dims', 'cost'] as const;
export type PublisherId = (typeof PUBLISHERS)[number];

/** The publishers the config turns on (`<source>.enabled`), in PUBLISHERS order. */
/** The Powertools service name of a publisher's Lambda (logs, traces); the simulator reads the publisher back from it. */
export function publisherServiceName(publisher: PublisherId): string {
  return `monitor-${publisher}-publisher`;
}

/** The publisher whose Lambda has this Powertools service name, if any. */
export function publisherOfServiceName(serviceName: string): PublisherId | undefined {
  return PUBLISHERS.find((p) => publisherServiceName(p) === serviceName);
}

export function enabledPublishers(config: Pick<MonitoringConfig, PublisherId>): PublisherId[] {
  return PUBLISHERS.filter((p) => config[p].enabled);
}

/** Names of the configured pipeline operations, in config order. */
export function operationNames(config: Pick<MonitoringConfig, 'pipelineOperations'>): string[] {
  return config.pipelineOperations.map((op) => op.name);
}

/** The operations that run on a cadence (`expectedEveryHours`), with it in whole minutes. */
export function scheduledOperations(config: Pick<MonitoringConfig, 'pipelineOperations'>): Array<{ name: string; expectedEveryMinutes: number }> {
  return config.pipelineOperations.flatMap((op) => (op.expectedEveryHours === undefined ? [] : [{ name: op.name, expectedEveryMinutes: Math.round(op.expectedEveryHours * 60) }]));
}
