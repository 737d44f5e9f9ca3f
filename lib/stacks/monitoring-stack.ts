import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { createCatalog, type MetricCatalog } from '../catalog/catalog';
import type { MonitoringConfig } from '../config/schema';
import { AlarmFactory } from '../constructs/alarm-factory';
import { Alerting } from '../constructs/alerting';
import { CostBudget } from '../constructs/cost-budget';
import { Dashboards } from '../constructs/dashboards';
import { HealthMonitoring } from '../constructs/health';
import { Publishers } from '../constructs/publishers';
import { addCoreAlarms, type CoreAlarms } from '../constructs/core-alarms';

export interface MonitoringStackProps extends StackProps {
  /** Validated configuration (see lib/config). */
  readonly config: MonitoringConfig;
}

/** The whole monitoring stack: alerting, publishers, alarms, dashboards, budget. */
export class MonitoringStack extends Stack {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  /** SNS topics `critical` / `warning` and their KMS key; routing by severity. */
  readonly alerting: Alerting;
  /** Makes and registers every alarm (severity, area, runbook link). */
  readonly alarms: AlarmFactory;
  /** The four core alarms (ADCE failure rate, budget, upload failures, data quality). */
  readonly coreAlarms: CoreAlarms;
  /** AWS Budgets monthly cost budget notifying the topics (only with the cost source). */
  readonly budget?: CostBudget;
  /** The enabled scheduled metric publishers (S3, ADCE, DIMS, cost), keyed by PublisherId. */
  readonly publishers: Publishers;
  /** The dashboards of dashboards/; rows and alarm states resolve at synth. */
  readonly dashboards: Dashboards;
  /** Dead-man's switches, freshness, stall, SLO burn rate, anomaly bands, log errors, health roll-up. */
  readonly health: HealthMonitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const config = (this.config = props.config);
    const catalog = (this.catalog = createCatalog(config));

    this.alerting = new Alerting(this, 'Alerting', { config });
    this.alarms = new AlarmFactory(this, 'Alarms', { config, alerting: this.alerting });
    this.coreAlarms = addCoreAlarms(this.alarms, catalog, config);
    this.publishers = new Publishers(this, 'Publishers', { config, catalog });
    if (config.cost.enabled) this.budget = new CostBudget(this, 'CostBudget', { config, alerting: this.alerting });
    this.dashboards = new Dashboards(this, 'Dashboards', { config, catalog, alarms: this.alarms });
    this.health = new HealthMonitoring(this, 'Health', {
      config, catalog, alarms: this.alarms, alerting: this.alerting, publishers: this.publishers, dashboards: this.dashboards,
    });
  }
}
