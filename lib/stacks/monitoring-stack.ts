import { App, type Environment, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { MetricCatalog } from '../catalog/catalog';
import type { MonitoringConfig, MonitoringConfigInput } from '../config/schema';
import type { CfnTemplate, CostReport } from '../cost/model';
import type { AlarmFactory } from '../constructs/alarm-factory';
import type { Alerting } from '../constructs/alerting';
import type { Breakdowns } from '../constructs/breakdowns';
import type { ChatChannels } from '../constructs/chat-channels';
import type { CoreAlarms } from '../constructs/core-alarms';
import type { CostBudget } from '../constructs/cost-budget';
import { type CostEstimate, addCostEstimate } from '../constructs/cost-report';
import type { Dashboards } from '../constructs/dashboards';
import type { HealthMonitoring } from '../constructs/health';
import type { Publishers } from '../constructs/publishers';
import type { Remediation } from '../constructs/remediation';
import { monitoringStackName } from '../config/load';
import { DataLakeMonitoring } from '../data-lake-monitoring';

export interface MonitoringStackProps extends StackProps {
  /** The configuration, as a config file holds it (validated by DataLakeMonitoring). */
  readonly config: MonitoringConfigInput;
  /** Called at synth with the estimated monthly cost line (the CDK app prints it). @default nothing printed */
  readonly onCostEstimate?: (line: string, report: CostReport) => void;
}

/** A stack holding one DataLakeMonitoring: what `cdk deploy` of this app creates. */
export class MonitoringStack extends Stack {
  readonly monitoring: DataLakeMonitoring;
  /** The stack's own monthly cost, priced at synth (warns above `costBudgetUsd`). */
  readonly costEstimate: CostEstimate;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.monitoring = new DataLakeMonitoring(this, 'Monitoring', props.config);
    this.costEstimate = addCostEstimate({ stack: this, config: this.monitoring.config, template: () => this.inMemoryTemplate(), onEstimate: props.onCostEstimate });
  }

  /** The template synthesis writes, rendered from the construct tree in memory (what the cost estimate prices). */
  inMemoryTemplate(): CfnTemplate {
    return this._toCloudFormation() as CfnTemplate;
  }

  get config(): MonitoringConfig {
    return this.monitoring.config;
  }
  get catalog(): MetricCatalog {
    return this.monitoring.catalog;
  }
  get alerting(): Alerting {
    return this.monitoring.alerting;
  }
  get alarms(): AlarmFactory {
    return this.monitoring.alarms;
  }
  get coreAlarms(): CoreAlarms {
    return this.monitoring.coreAlarms;
  }
  get budget(): CostBudget | undefined {
    return this.monitoring.budget;
  }
  get publishers(): Publishers {
    return this.monitoring.publishers;
  }
  get breakdowns(): Breakdowns {
    return this.monitoring.breakdowns;
  }
  get dashboards(): Dashboards {
    return this.monitoring.dashboards;
  }
  get health(): HealthMonitoring {
    return this.monitoring.health;
  }
  get chat(): ChatChannels | undefined {
    return this.monitoring.chat;
  }
  get remediation(): Remediation | undefined {
    return this.monitoring.remediation;
  }
}

export interface InMemoryStackOptions {
  /** @default the name `cdk deploy` gives it (monitoringStackName) */
  readonly stackName?: string;
  /** @default env-agnostic, like `cdk synth` without credentials */
  readonly env?: Environment;
  /** Where a synth writes the assembly. @default a temporary folder of CDK's */
  readonly outdir?: string;
}

/**
 * The stack `cdk deploy` would create for a config, built in an app of its own with Lambda
 * bundling skipped (no esbuild, no AWS call): for the commands and tests that read its
 * resources, alarms or dashboards, not its code.
 */
export function inMemoryStack(config: MonitoringConfig, options: InMemoryStackOptions = {}): MonitoringStack {
  const app = new App({ ...(options.outdir ? { outdir: options.outdir } : {}), context: { 'aws:cdk:bundling-stacks': [] } });
  return new MonitoringStack(app, options.stackName ?? monitoringStackName(config), { config, ...(options.env ? { env: options.env } : {}) });
}
