import type { MonitoringConfig } from '../config/schema';
import { checkBootstrap, checkRecipients, checkTarget, checkTemplate } from './account';
import { checkBuckets } from './buckets';
import { checkAnomalyMonitor, checkBudgetName } from './cost';
import { checkSms } from './sms';
import type { PreflightCheck, PreflightClients, PreflightTemplate, Target } from './types';

export interface PreflightOptions {
  readonly config: MonitoringConfig;
  readonly clients: PreflightClients;
  /** The stack `cdk deploy` creates (its budget is not a collision). */
  readonly stackName: string;
  /** CDK bootstrap qualifier. @default 'hnb659fds' (CDK's default) */
  readonly bootstrapQualifier?: string;
  /** The template that would deploy to this account and region. */
  readonly synthesize: (target: Target) => PreflightTemplate;
  /** Called before each slow step (shown on a terminal). */
  readonly progress?: (message: string) => void;
}

export interface PreflightReport {
  /** Unknown when credentials or region are missing (then nothing else is checked). */
  readonly target?: Target;
  readonly checks: PreflightCheck[];
}

/**
 * Every read-only check before a first deploy, for the parts the config turns on: a turned-off
 * source brings no bucket, object or cost check. Exit 0 is earned only when no check failed.
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const { config, clients } = options;
  const progress = options.progress ?? (() => undefined);
  progress('checking credentials and region');
  const { target, checks } = await checkTarget(clients);
  checks.push(checkRecipients(config));
  if (!target) return { checks };

  progress(`synthesizing the template for ${target.account} / ${target.region}`);
  const template = options.synthesize(target);
  progress('checking the account (resource types, bootstrap, cost, buckets, SMS)');
  const costOn = config.cost.enabled;
  const groups = await Promise.all([
    checkTemplate(template, target, clients),
    checkBootstrap(template, target, clients, options.bootstrapQualifier ?? 'hnb659fds').then((c) => [c]),
    costOn && config.costAnomalyDetection ? checkAnomalyMonitor(config, clients).then((c) => [c]) : [],
    costOn ? checkBudgetName(config, template, target, options.stackName, clients).then((c) => [c]) : [],
    checkBuckets(config, target, clients),
    checkSms(config.alertPhoneNumbers, target, clients),
  ]);
  return { target, checks: [...checks, ...groups.flat()] };
}
