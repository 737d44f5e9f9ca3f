import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod/mini';
import { configSchema, type MonitoringConfig, type PublisherId } from './schema';

/** A configuration that cannot be used; the message names the key and the value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** CDK context keys that override the file, exactly as users type them on the command line. */
export const CONTEXT_KEYS = ['alertEmails', 'alertPhoneNumbers', 'monthlyBudgetUsd', 'dataLakeBucket', 'namespacePrefix'] as const;
type ContextKey = (typeof CONTEXT_KEYS)[number];

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

  const file = options.configFile ?? join(configDir, `${envName}.json`);
  if (existsSync(file)) {
    fileValues = readJsonObject(file);
    sources.push(file);
  } else if (options.configFile || envName !== 'default') {
    throw new ConfigError(`Config file ${file} for environment "${envName}" does not exist.`);
  }

  const overrides = contextOverrides(options.context ?? {});
  if (Object.keys(overrides).length > 0) sources.push(`context (${Object.keys(overrides).join(', ')})`);
  const config = parseConfig({ ...fileValues, ...overrides, envName }, sources.join(' + ') || 'defaults');

  const warnings: string[] = [];
  if (config.alertEmails.length === 0) {
    warnings.push(
      'No alert email is configured (alertEmails): alarms will notify nobody' +
        (config.alertPhoneNumbers.length > 0 ? ' by email; only critical alarms reach the phone numbers.' : '.'),
    );
  }
  return { config, sources, warnings };
}

/** Validates a config object (already merged). Used by the app, the Lambdas and the CLI. */
export function parseConfig(input: unknown, origin = 'config'): MonitoringConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(formatIssues(result.error, input, origin));
  return result.data;
}

function formatIssues(error: z.core.$ZodError, input: unknown, origin: string): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const at = issue.path.length ? `${pathText(issue.path)}.` : '';
      return issue.keys.map((k) => `unknown key "${at}${k}" (value ${show(valueAt(input, [...issue.path, k]))})`).join('; ');
    }
    const value = valueAt(input, issue.path);
    return `${pathText(issue.path) || '(root)'} = ${show(value)}: ${issue.message}`;
  });
  return `Invalid configuration from ${origin}: ${lines.join('; ')}`;
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
  return value === undefined ? '(missing)' : JSON.stringify(value);
}

function readJsonObject(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
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

/** The bucket a publisher reads; each falls back to the data-lake bucket. */
export function sourceBucket(config: MonitoringConfig, publisher: Exclude<PublisherId, 'cost'>): string {
  return config[publisher].bucket ?? config.dataLakeBucket;
}

/** `-<envName>` for resource names, empty in the default environment (names stay as documented). */
export function envSuffix(config: Pick<MonitoringConfig, 'envName'>): string {
  return config.envName === 'default' ? '' : `-${config.envName}`;
}

/** The stack `cdk deploy` creates for a config; `monitor verify` looks for the same name. */
export function monitoringStackName(config: Pick<MonitoringConfig, 'namespacePrefix' | 'envName'>): string {
  return `${config.namespacePrefix.replace(/[^A-Za-z0-9-]/g, '-')}-Monitoring${envSuffix(config)}`;
}

/** An alarm's name with the environment added only when the user asked for it. */
export function alarmName(config: Pick<MonitoringConfig, 'envName' | 'alarmNameEnvironment'>, base: string): string {
  switch (config.alarmNameEnvironment) {
    case 'prefix':
      return `${config.envName}-${base}`;
    case 'suffix':
      return `${base}-${config.envName}`;
    default:
      return base;
  }
}
