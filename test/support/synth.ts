import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config/load';
import type { MonitoringConfig, MonitoringConfigInput } from '../../lib/config/schema';
import { MonitoringStack, inMemoryStack } from '../../lib/stacks/monitoring-stack';

export interface SynthOptions {
  /** Bundle Lambda code for real (slow). @default false: `aws:cdk:bundling-stacks` is empty */
  readonly bundle?: boolean;
  /** @default `Test-Monitoring` */
  readonly stackName?: string;
  /** @default env-agnostic, like `cdk synth` without credentials */
  readonly env?: { account: string; region: string };
}

export interface Synthesized {
  readonly app: App;
  readonly stack: MonitoringStack;
  readonly config: MonitoringConfig;
  readonly template: Template;
}

/**
 * Builds the monitoring stack from a config (validated with parseConfig), not yet synthesized.
 * Alarm names are bare base names (`alarmNamePrefix: ""`) unless the input sets a prefix, so
 * tests can name alarms as the runbook does; the naming rule itself is tested in stack-alarms.
 */
export function buildStack(input: MonitoringConfigInput = {}, options: SynthOptions = {}): Omit<Synthesized, 'template'> {
  const config = parseConfig({ alarmNamePrefix: '', ...input }, 'test config');
  const stackName = options.stackName ?? 'Test-Monitoring';
  const stack = options.bundle ? new MonitoringStack(new App(), stackName, { config, env: options.env }) : inMemoryStack(config, { stackName, env: options.env });
  return { app: stack.node.root as App, stack, config };
}

/** Builds and synthesizes the monitoring stack from a config. */
export function synthStack(input: MonitoringConfigInput = {}, options: SynthOptions = {}): Synthesized {
  const built = buildStack(input, options);
  return { ...built, template: Template.fromStack(built.stack) };
}
