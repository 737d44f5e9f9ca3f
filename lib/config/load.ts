import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod/mini';
import { findDuplicateKeys } from '../collectors/json-document';
import { ENV_NAME, configSchema, type MonitoringConfig, type PublisherId } from './schema';
import { closest } from './suggest';

/** A configuration that cannot be used; the message names the key and the value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** CDK context keys that override the file, exactly as users type them on the command line. */
export const CONTEXT_KEYS = ['alertEmails', 'alertPhoneNumbers', 'monthlyBudgetUsd', 'dataLakeBucket', 'namespacePrefix', 'profile', 'costBudgetUsd'] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];
/** Context keys that choose the configuration and the stack rather than override a value. */
export const SELECTION_CONTEXT_KEYS = ['env', 'config', 'stackName'] as const;

/**
 * Stops on a `-c` key that is not ours but close to one (`monthlyBudget` for `monthlyBudgetUsd`):
 * CDK would otherwise ignore it and synthesize the default silently. Keys with `:` or `@` are
 * CDK's own (feature flags, `aws:cdk:*`); other unknown keys may belong to the user's app.
 */
export function checkContextKeys(context: Record<string, unknown>): void {
  const ours: readonly string[] = [...CONTEXT_KEYS, ...SELECTION_CONTEXT_KEYS];
  const typos: string[] = [];
  for (const key of Object.keys(context)) {
    if (ours.includes(key) || /[:@/]/.test(key)) continue;
    const near = closest(key, ours);
    if (near) typos.push(`-c ${key}=... is not a context key of this app: did you mean ${near}? (keys: ${ours.join(', ')})`);
  }
  if (typos.length > 0) throw new ConfigError(typos.join('; '));
}

export interface LoadConfigOptions {
  /** Environment name; reads `<configDir>/<envName>.json`. @default 'default' */
  readonly envName?: string;
  /** Explicit config file; wins over the environment's file. */
  readonly configFile?: string;
  /** Folder of per-environment files. @default `<cwd>/config` */
  readonly configDir?: string;
  /** Raw CDK context values (strings from `-c key=value`, or JSON values from cdk.json). */
  readonly context?: Partial<Record<ContextKey, unknown>>;
}

export interface LoadedConfig {
  readonly config: MonitoringConfig;
  /** Where the values came from, for messages. */
  readonly sources: string[];
  /** Things that are allowed but probably not what the user wants. */
  readonly warnings: string[];
}

/** Reads the environment's file, applies context overrides, validates. Throws ConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const envName = options.envName ?? 'default';
  const configDir = options.configDir ?? join(process.cwd(), 'config');
  const sources: string[] = [];
  let fileValues: Record<string, unknown> = {};

  if (!options.configFile && !ENV_NAME.test(envName)) {
    throw new ConfigError(`Environment name ${JSON.stringify(envName)} must be letters, digits and "-" (it names config/<env>.json and the stack).`);
  }
  const file = options.configFile ?? join(configDir, `${envName}.json`);
  if (existsSync(file)) {
    fileValues = readJsonObject(file);
    sources.push(file);
  } else if (options.configFile || envName !== 'default') {
    throw new ConfigError(
      `Config file ${file} for environment "${envName}" does not exist. Create it with ` +
        `\`npm run -s monitor -- init --env ${envName} --bucket <bucket> --email <address>\`, ` +
        `or write \`{}\` into it to use every default.`,
    );
  }

  const overrides = contextOverrides(options.context ?? {});
  if (Object.keys(overrides).length > 0) sources.push(`context (${Object.keys(overrides).join(', ')})`);
  const config = parseConfig({ ...fileValues, ...overrides, envName }, sources.join(' + ') || 'defaults');

  return { config, sources, warnings: configWarnings(config).map((w) => w.message) };
}

/** Something allowed but probably not what the user wants; `id` lets a team acknowledge it at synth. */
export interface ConfigWarning {
  readonly id: string;
  readonly message: string;
}

/** What is allowed but probably not what the user wants, one sentence each (shown at synth). */
export function configWarnings(config: MonitoringConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (config.alertEmails.length === 0) {
    warnings.push({
      id: 'monitoring:noAlertEmail',
      message:
        'No alert email is configured (alertEmails): alarms will notify nobody' +
        (config.alertPhoneNumbers.length > 0 ? ' by email; only critical alarms reach the phone numbers.' : '.'),
    });
  }
  if (!config.runbookBaseUrl) {
    warnings.push({
      id: 'monitoring:noRunbookBaseUrl',
      message:
        'runbookBaseUrl is not set: runbook links in alarm notifications are repository paths, not clickable in an email or SMS ' +
        '(set it to where the docs are browsable, e.g. "https://github.com/<org>/<repo>/blob/main").',
    });
  }
  if (config.dims.enabled && !config.s3.enabled) {
    warnings.push({
      id: 'monitoring:dimsWithoutS3',
      message: 'dims.enabled without s3.enabled: the DIMS inventory is published, but its drift against the live bucket is not watched (no live object count).',
    });
  }
  return warnings;
}

/** Validates a config object (already merged). Used by the app, the Lambdas and the CLI. */
export function parseConfig(input: unknown, origin = 'config'): MonitoringConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(formatIssues(result.error, input, origin));
  const inconsistent = consistencyProblems(result.data);
  if (inconsistent.length > 0) throw new ConfigError(`Invalid configuration from ${origin}: ${inconsistent.join('; ')}`);
  return result.data;
}

/** Rules across keys that the schema cannot state one key at a time. */
function consistencyProblems(config: MonitoringConfig): string[] {
  const problems: string[] = [];
  if (config.s3.buckets && config.s3.bucket) {
    problems.push(`s3.bucket = ${JSON.stringify(config.s3.bucket)} and s3.buckets are both set: use s3.buckets alone for several buckets`);
  }
  const names = (config.s3.buckets ?? []).map((b) => b.name);
  for (const [i, name] of names.entries()) {
    if (names.indexOf(name) !== i) problems.push(`s3.buckets[${i}].name = ${JSON.stringify(name)}: listed twice`);
  }
  dataLakeBuckets(config).forEach((bucket, i) => {
    if (!bucket.prefixes) return;
    const at = config.s3.buckets ? `s3.buckets[${i}]` : 's3';
    const listed = bucket.prefixes;
    const unknown = (key: string, prefix: string) => {
      const near = closest(prefix, listed);
      problems.push(
        `${key} names ${JSON.stringify(prefix)}, which is not one of the configured prefixes (${at}.prefixes: ${listed.join(', ')})` +
          (near ? `: did you mean ${JSON.stringify(near)}?` : ''),
      );
    };
    for (const prefix of Object.keys(bucket.freshness.perPrefix)) {
      if (!listed.includes(prefix)) unknown(`${bucket.freshnessFrom}.freshness.perPrefix`, prefix);
    }
    for (const prefix of bucket.perPrefixMetrics) {
      if (!listed.includes(prefix)) unknown(`${bucket.perPrefixMetricsFrom}.perPrefixMetrics`, prefix);
    }
  });
  return problems;
}

function formatIssues(error: z.core.$ZodError, input: unknown, origin: string): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const at = issue.path.length ? `${pathText(issue.path)}.` : '';
      const known = knownKeysAt(issue.path);
      return issue.keys
        .map((k) => {
          const near = closest(k, known);
          return `unknown key "${at}${k}" (value ${show(valueAt(input, [...issue.path, k]))})${near ? `: did you mean "${at}${near}"?` : ''}`;
        })
        .join('; ');
    }
    const value = valueAt(input, issue.path);
    return `${pathText(issue.path) || '(root)'} = ${show(value)}: ${issueText(issue, value)}`;
  });
  return `Invalid configuration from ${origin}: ${lines.join('; ')}`;
}

/** The keys the schema allows at a path (through defaults, optionals, arrays and pipes). */
function knownKeysAt(path: PropertyKey[]): string[] {
  type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown; element?: unknown };
  const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
  const unwrap = (schema: unknown): unknown => {
    let cur = schema;
    for (;;) {
      const d = defOf(cur);
      if (d.innerType !== undefined) cur = d.innerType;
      else if (d.type === 'pipe' && d.in !== undefined) cur = d.in;
      else return cur;
    }
  };
  let cur: unknown = configSchema;
  for (const p of path) {
    const d = defOf(unwrap(cur));
    if (typeof p === 'number' && d.type === 'array') cur = d.element;
    else if (d.shape && typeof p === 'string' && p in d.shape) cur = d.shape[p];
    else return [];
  }
  return Object.keys(defOf(unwrap(cur)).shape ?? {});
}

/** zod/mini's own messages are "Invalid input": say what was expected instead. */
function issueText(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.message !== 'Invalid input') return issue.message;
  if (issue.code === 'invalid_type') return `expected ${issue.expected === 'record' || issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, got ${kindOf(value)}`;
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function pathText(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}... (${text.length} characters)` : text;
}

function readJsonObject(file: string): Record<string, unknown> {
  let parsed: unknown;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const duplicate = findDuplicateKeys(text)[0];
  if (duplicate) throw new ConfigError(`Config file ${file}: key "${duplicate.path}" appears ${duplicate.lines.length} times (lines ${duplicate.lines.join(', ')}); keep one.`);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${file} must hold a JSON object, got ${show(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

/** `-c alertEmails=a@x.com,b@y.com -c monthlyBudgetUsd=200`: strings become lists and numbers. */
function contextOverrides(context: Partial<Record<ContextKey, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const raw = context[key];
    if (raw === undefined) continue;
    switch (key) {
      case 'alertEmails':
      case 'alertPhoneNumbers':
        out[key] = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : raw;
        break;
      case 'monthlyBudgetUsd':
      case 'costBudgetUsd':
        out[key] = typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
        break;
      default:
        out[key] = raw;
    }
  }
  return out;
}

/** Full CloudWatch namespace of a group, e.g. `NBA-Simulator/ADCE`. */
export function namespaceOf(config: Pick<MonitoringConfig, 'namespacePrefix'>, group: string): string {
  return `${config.namespacePrefix}/${group}`;
}

/** The bucket the ADCE or DIMS publisher reads; each falls back to the data-lake bucket. */
export function sourceBucket(config: MonitoringConfig, publisher: Exclude<PublisherId, 'cost' | 's3'>): string {
  return config[publisher].bucket ?? config.dataLakeBucket;
}

/** One data-lake bucket the S3 publisher measures, every key resolved. */
export interface DataLakeBucket {
  readonly name: string;
  /** Data sources; undefined: every top-level prefix found at run time. */
  readonly prefixes?: readonly string[];
  readonly excludeFromFreshness: readonly string[];
  readonly freshness: { readonly defaultThresholdHours: number; readonly perPrefix: Readonly<Record<string, number>> };
  readonly perPrefixMetrics: readonly string[];
  readonly scanMode: 'list' | 'inventory';
  readonly inventory?: MonitoringConfig['s3']['inventory'];
  /** Config path the freshness and per-prefix settings came from (for messages). */
  readonly freshnessFrom: string;
  readonly perPrefixMetricsFrom: string;
}

/**
 * The buckets the S3 publisher measures: `s3.buckets`, each key falling back to the same key of
 * `s3`; without it one bucket, `s3.bucket` (default `dataLakeBucket`).
 */
export function dataLakeBuckets(config: MonitoringConfig): DataLakeBucket[] {
  const s3 = config.s3;
  if (!s3.buckets) {
    return [
      {
        name: s3.bucket ?? config.dataLakeBucket,
        prefixes: s3.prefixes,
        excludeFromFreshness: s3.excludeFromFreshness,
        freshness: s3.freshness,
        perPrefixMetrics: s3.perPrefixMetrics,
        scanMode: s3.scanMode,
        inventory: s3.inventory,
        freshnessFrom: 's3',
        perPrefixMetricsFrom: 's3',
      },
    ];
  }
  return s3.buckets.map((b, i) => ({
    name: b.name,
    prefixes: b.prefixes ?? s3.prefixes,
    excludeFromFreshness: b.excludeFromFreshness ?? s3.excludeFromFreshness,
    freshness: {
      defaultThresholdHours: b.freshness?.defaultThresholdHours ?? s3.freshness.defaultThresholdHours,
      perPrefix: b.freshness?.perPrefix ?? s3.freshness.perPrefix,
    },
    perPrefixMetrics: b.perPrefixMetrics ?? s3.perPrefixMetrics,
    scanMode: b.scanMode ?? s3.scanMode,
    inventory: b.inventory ?? s3.inventory,
    freshnessFrom: b.freshness?.perPrefix ? `s3.buckets[${i}]` : 's3',
    perPrefixMetricsFrom: b.perPrefixMetrics ? `s3.buckets[${i}]` : 's3',
  }));
}

/** Hours after which a data source of the bucket counts as stale: its own threshold, else the bucket's default. */
export function freshnessThresholdHours(bucket: Pick<DataLakeBucket, 'freshness'>, prefix: string): number {
  return bucket.freshness.perPrefix[prefix] ?? bucket.freshness.defaultThresholdHours;
}

/**
 * The name of an alarm that exists once per data-lake bucket: the base name with one bucket (as
 * documented), `<base>-<bucket>` with several. Its runbook section is the base name's.
 */
export function perBucketAlarmName(config: MonitoringConfig, base: string, bucket: string): string {
  return dataLakeBuckets(config).length > 1 ? `${base}-${bucket}` : base;
}

/** `-<envName>` for resource names, empty in the default environment (names stay as documented). */
export function envSuffix(config: Pick<MonitoringConfig, 'envName'>): string {
  return config.envName === 'default' ? '' : `-${config.envName}`;
}

/** `<namespacePrefix>[-<env>]` with only letters, digits and "-": what names this instance's resources. */
export function resourcePrefix(config: Pick<MonitoringConfig, 'namespacePrefix' | 'envName'>): string {
  return `${config.namespacePrefix.replace(/[^A-Za-z0-9-]/g, '-')}${envSuffix(config)}`;
}

/** Template Metadata key under which each DataLakeMonitoring records its validated configuration. */
export const CONFIG_METADATA_KEY = 'DataLakeMonitoring';

/** Stack tag naming the environment a stack was deployed for; `monitor` finds the stack by it. */
export const MONITOR_ENV_TAG = 'data-lake-monitoring:env';

/**
 * The AWS Budgets budget of a stack. Budgets are account-wide, so the name carries the
 * environment and the region: a second region or environment never collides.
 */
export function budgetName(config: Pick<MonitoringConfig, 'namespacePrefix' | 'envName'>, region: string): string {
  // Budget names may not contain ":" or "\".
  return `${config.namespacePrefix}-monthly-cost${envSuffix(config)}-${region}`.replace(/[:\\]/g, '-');
}

/** The stack `cdk deploy` creates for a config; `monitor verify` looks for the same name. */
export function monitoringStackName(config: Pick<MonitoringConfig, 'namespacePrefix' | 'envName'>): string {
  return `${config.namespacePrefix.replace(/[^A-Za-z0-9-]/g, '-')}-Monitoring${envSuffix(config)}`;
}

/** An alarm's name in CloudWatch: `<alarmNamePrefix>-<base>` (bare when the prefix is ""). */
export function alarmName(config: Pick<MonitoringConfig, 'envName' | 'namespacePrefix' | 'alarmNamePrefix'>, base: string): string {
  const prefix = config.alarmNamePrefix ?? resourcePrefix(config);
  return prefix === '' ? base : `${prefix}-${base}`;
}
