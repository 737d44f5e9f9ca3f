import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { type CfnTemplate, configFromTemplates } from '../cost/model';
import { recordedConfigs } from './deployed';
import { UsageError } from './flags';
import type { LocalConfig } from './main';

/**
 * The stacks of a cloud assembly (`cdk.out`) and the one a command works on, for the commands
 * that read synthesized templates (cost-estimate, simulate).
 */

export interface AssemblyStack {
  readonly name: string;
  readonly file: string;
  readonly template: CfnTemplate;
  /** The configuration the stack's DataLakeMonitoring recorded (first instance); undefined for other stacks. */
  readonly config?: MonitoringConfig;
}

export function readStacks(dir: string): AssemblyStack[] {
  const hint = 'run `npx cdk synth` first (or pass --app DIR)';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no cloud assembly at ${dir}: ${hint}.`);
  const names = readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort();
  if (names.length === 0) throw new UsageError(`no *.template.json in ${dir}: ${hint}.`);
  return names.map((name) => {
    const file = join(dir, name);
    let body: string;
    let template: CfnTemplate;
    try {
      body = readFileSync(file, 'utf8');
      template = JSON.parse(body) as CfnTemplate;
    } catch (err) {
      throw new UsageError(`${file} is not valid JSON (${(err as Error).message}): ${hint}.`);
    }
    return { name: name.replace(/\.template\.json$/, ''), file, template, config: recordedConfigs(body)[0]?.config };
  });
}

/**
 * Exactly one stack is priced: `--stack`, else the one of the chosen environment (`--config`,
 * `--env`, MONITOR_ENV), else the only monitoring stack of the assembly. Several and no choice:
 * stop and list them (adding them up would price stacks nobody deploys together).
 */
export function chooseStack(stacks: AssemblyStack[], stackName: string | undefined, local: LocalConfig): AssemblyStack {
  if (stackName !== undefined) {
    const found = stacks.find((s) => s.name === stackName);
    if (!found) throw new UsageError(`no stack ${stackName} in the assembly; it holds ${stacks.map((s) => s.name).join(', ')}.`);
    return found;
  }
  const monitoring = stacks.filter((s) => s.config);
  const candidates = monitoring.length > 0 ? monitoring : stacks;
  if (local.chosen && monitoring.length > 0) {
    const mine = candidates.filter((s) => s.config?.envName === local.config.envName && s.config.namespacePrefix === local.config.namespacePrefix);
    const byEnv = mine.length > 0 ? mine : candidates.filter((s) => s.config?.envName === local.config.envName);
    if (byEnv.length === 1) return byEnv[0]!;
    if (byEnv.length === 0) {
      throw new UsageError(`no stack of environment "${local.config.envName}" in the assembly (${describeStacks(candidates)}): synthesize it with \`npx cdk synth -c env=${local.config.envName}\`, or pass --stack.`);
    }
  } else if (candidates.length === 1) {
    return candidates[0]!;
  }
  throw new UsageError(`the assembly holds ${candidates.length} stacks (${describeStacks(candidates)}): choose one with --stack NAME or --env NAME.`);
}

function describeStacks(stacks: AssemblyStack[]): string {
  return stacks.map((s) => (s.config ? `${s.name} [env ${s.config.envName}]` : s.name)).join(', ');
}

/** Without a recorded configuration: MONITOR_CONFIG of the template's functions, else the local one. */
export function chooseConfig(local: LocalConfig, templates: CfnTemplate[]): { config: MonitoringConfig; origin: string } {
  if (!local.chosen) {
    const embedded = configFromTemplates(templates);
    if (embedded !== undefined) return { config: parseConfig(embedded, 'MONITOR_CONFIG in the template'), origin: 'MONITOR_CONFIG in the template (the config it was synthesized with)' };
  }
  return { config: local.config, origin: local.origin };
}

