import { DescribeStacksCommand, GetTemplateCommand, type Stack, paginateDescribeStacks } from '@aws-sdk/client-cloudformation';
import { CONFIG_METADATA_KEY, MONITOR_ENV_TAG, monitoringStackName, parseConfig } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { type Deadline, beforeDeadline } from '../sources/deadline';
import { type CliClients, awsErrorText } from './aws';

/**
 * The configuration a stack was really deployed with, read back from the stack: the app tags
 * the stack with its environment (`data-lake-monitoring:env`) and records every
 * DataLakeMonitoring's validated config in the template's Metadata. Commands that talk to a
 * deployed stack use it, so namespace, buckets and thresholds match what is deployed, `-c`
 * overrides included.
 */

export interface DeployedStack {
  readonly stackName: string;
  readonly status: string;
  /** The configuration the stack was deployed with. */
  readonly config: MonitoringConfig;
  /** Config paths where the local configuration differs from the deployed one (at most 10). */
  readonly differences: readonly string[];
}

export type DeployedLookup = { readonly found: DeployedStack } | { readonly notFound: string };

/**
 * Finds the deployed stack of the local configuration's environment: `--stack` when given, else
 * the stack named as `cdk deploy` names it, else the one stack tagged with the environment.
 */
export async function findDeployedStack(clients: Pick<CliClients, 'cloudformation'>, local: MonitoringConfig, stackName?: string): Promise<DeployedLookup> {
  let stack: Stack | undefined;
  try {
    stack = await describe(clients, stackName ?? monitoringStackName(local));
    if (!stack && stackName === undefined) {
      const tagged: Stack[] = [];
      for await (const page of paginateDescribeStacks({ client: clients.cloudformation() }, {})) {
        for (const s of page.Stacks ?? []) {
          if (s.Tags?.some((t) => t.Key === MONITOR_ENV_TAG && t.Value === local.envName) && s.StackStatus !== 'DELETE_COMPLETE') tagged.push(s);
        }
      }
      if (tagged.length > 1) {
        return { notFound: `${tagged.length} stacks are tagged ${MONITOR_ENV_TAG}=${local.envName} (${tagged.map((s) => s.StackName).join(', ')}): pass --stack` };
      }
      stack = tagged[0];
    }
  } catch (err) {
    return { notFound: `cannot read CloudFormation stacks: ${awsErrorText(err)}` };
  }
  if (!stack?.StackName) {
    return { notFound: `no stack ${stackName ?? `${monitoringStackName(local)} (nor one tagged ${MONITOR_ENV_TAG}=${local.envName})`} in this account and region` };
  }

  let body: string;
  try {
    const template = await clients.cloudformation().send(new GetTemplateCommand({ StackName: stack.StackName, TemplateStage: 'Original' }));
    body = template.TemplateBody ?? '';
  } catch (err) {
    return { notFound: `cannot read the template of ${stack.StackName}: ${awsErrorText(err)}` };
  }
  const recorded = recordedConfigs(body);
  if (recorded.length === 0) return { notFound: `${stack.StackName} records no data-lake monitoring configuration (deployed by an older version, or not this app's stack)` };
  const chosen = recorded.length === 1 ? recorded[0] : recorded.find((r) => r.config.namespacePrefix === local.namespacePrefix);
  if (!chosen) {
    return { notFound: `${stack.StackName} holds ${recorded.length} monitoring instances (${recorded.map((r) => `${r.path}: ${r.config.namespacePrefix}`).join(', ')}) and none has namespacePrefix ${local.namespacePrefix}` };
  }
  return { found: { stackName: stack.StackName, status: stack.StackStatus ?? 'UNKNOWN', config: chosen.config, differences: differences(local, chosen.config) } };
}

/** The configurations a template records, by construct path; unparseable entries are skipped (they are not ours). */
export function recordedConfigs(templateBody: string): Array<{ path: string; config: MonitoringConfig }> {
  let template: { Metadata?: Record<string, unknown> };
  try {
    template = JSON.parse(templateBody);
  } catch {
    return [];
  }
  const entries = (template.Metadata?.[CONFIG_METADATA_KEY] ?? {}) as Record<string, { config?: unknown }>;
  const out: Array<{ path: string; config: MonitoringConfig }> = [];
  for (const [path, entry] of Object.entries(entries)) {
    try {
      out.push({ path, config: parseConfig(entry.config, `the configuration recorded in the stack (${path})`) });
    } catch {
      // A configuration this version cannot read: treated as not recorded.
    }
  }
  return out;
}

/** One line for stderr when local and deployed differ (empty when they agree). */
export function differenceNote(deployed: DeployedStack, localOrigin: string): string {
  if (deployed.differences.length === 0) return '';
  return `note: ${localOrigin} differs from what ${deployed.stackName} was deployed with (${deployed.differences.join(', ')}); using the deployed configuration\n`;
}

async function describe(clients: Pick<CliClients, 'cloudformation'>, name: string): Promise<Stack | undefined> {
  try {
    const out = await clients.cloudformation().send(new DescribeStacksCommand({ StackName: name }));
    return out.Stacks?.[0];
  } catch (err) {
    // CloudFormation answers a missing stack with ValidationError "... does not exist".
    if (/does not exist/.test(String((err as Error)?.message))) return undefined;
    throw err;
  }
}

/** Leaf paths where two configurations differ. */
function differences(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= 10) return out;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) differences(a[key], b[key], path ? `${path}.${key}` : key, out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(path || '(root)');
  }
  return out;
}

export interface StackConfig {
  readonly config: MonitoringConfig;
  /** The deployed stack, when one was found. */
  readonly stack?: DeployedStack;
}

/**
 * The configuration a command that talks to the deployed stack should use: the stack's own when
 * it is found (with a note when the local one differs), else the local one, saying why.
 */
export async function configForStack(
  local: { readonly config: MonitoringConfig; readonly origin: string },
  clients: Pick<CliClients, 'cloudformation'>,
  err: (text: string) => void,
  stackName?: string,
): Promise<StackConfig> {
  const lookup = await findDeployedStack(clients, local.config, stackName);
  if ('found' in lookup) {
    const note = differenceNote(lookup.found, local.origin);
    if (note) err(note);
    return { config: lookup.found.config, stack: lookup.found };
  }
  err(`note: ${lookup.notFound}; using ${local.origin}\n`);
  return { config: local.config };
}

/**
 * A `configForStack` lookup, or the local configuration (said on `err`) when it has not settled
 * by the deadline: a command never waits on CloudFormation longer than it chose to.
 */
export function settledBy(
  lookup: Promise<StackConfig>,
  local: { readonly config: MonitoringConfig; readonly origin: string },
  deadline: Deadline,
  err: (text: string) => void,
): Promise<StackConfig> {
  return beforeDeadline(lookup, deadline, 'reading the deployed stack').catch((error: unknown) => {
    err(`note: the deployed stack could not be read in time (${awsErrorText(error)}); using ${local.origin}\n`);
    return { config: local.config };
  });
}
