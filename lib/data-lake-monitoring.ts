import { Annotations, Stack, type aws_cloudwatch as cloudwatch, type aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { type Dimensions, type MetricCatalog, createCatalog } from './catalog/catalog';
import { CONFIG_METADATA_KEY, configWarnings, parseConfig } from './config/load';
import type { MonitoringConfig, MonitoringConfigInput } from './config/schema';
import { AlarmFactory } from './constructs/alarm-factory';
import { Alerting, type Severity } from './constructs/alerting';
import { Breakdowns } from './constructs/breakdowns';
import { type CatalogMetricOptions, catalogMetric } from './constructs/catalog-metric';
import { ChatChannels } from './constructs/chat-channels';
import { type CoreAlarms, addCoreAlarms } from './constructs/core-alarms';
import { CostBudget } from './constructs/cost-budget';
import { Dashboards } from './constructs/dashboards';
import { HealthMonitoring } from './constructs/health';
import { Publishers } from './constructs/publishers';
import { Remediation } from './constructs/remediation';


/**
 * What a config file (`config/<env>.json`) holds: every key optional, validated exactly as the
 * file is (same messages). See docs/monitoring/CONFIG_REFERENCE.md.
 */
export type DataLakeMonitoringProps = MonitoringConfigInput;

/**
 * Data-lake monitoring in one construct: the scheduled metric publishers of the enabled sources,
 * alerting topics by severity, alarms (core, dead-man's switches, freshness, stall, drift, cost,
 * SLO, anomaly bands, roll-up), dashboards and the monthly budget. Physical names derive from
 * `namespacePrefix` and `envName` (alarms: `alarmNamePrefix`), so several instances with
 * different namespaces live in one stack or account without colliding.
 *
 * ```ts
 * const monitoring = new DataLakeMonitoring(stack, 'Monitoring', { dataLakeBucket: 'acme-events-lake', adce: { enabled: false } });
 * monitoring.topic('critical').addSubscription(...);
 * monitoring.alarm('S3-PublisherHeartbeat');
 * ```
 */
export class DataLakeMonitoring extends Construct {
  /** The validated configuration (every default applied). */
  readonly config: MonitoringConfig;
  /** The metric catalog: names, units, dimensions of every metric this instance publishes or expects. */
  readonly catalog: MetricCatalog;
  /** SNS topics `critical` / `warning` and their KMS key. */
  readonly alerting: Alerting;
  /** Makes and registers every alarm (severity, area, runbook link); `alarm(name)` looks one up. */
  readonly alarms: AlarmFactory;
  /** ADCE failure rate, budget utilization, upload failures, data quality (those of enabled sources). */
  readonly coreAlarms: CoreAlarms;
  /** AWS Budgets monthly budget (with the cost source). */
  readonly budget?: CostBudget;
  /** The scheduled publishers of the enabled sources. */
  readonly publishers: Publishers;
  readonly dashboards: Dashboards;
  /** Logs Insights tables of what is only looked at: ADCE tasks by priority, cost by service. */
  readonly breakdowns: Breakdowns;
  /** Dead-man's switches, freshness, stall, drift, cost guard, SLO, anomaly bands, log errors, roll-up. */
  readonly health: HealthMonitoring;
  /** Slack / Teams channels per severity through AWS Chatbot (with `chat` channels configured). */
  readonly chat?: ChatChannels;
  /** Lambda / SSM Automation actions on ALARM of named alarms (with `remediation` configured). */
  readonly remediation?: Remediation;

  constructor(scope: Construct, id: string, props: DataLakeMonitoringProps = {}) {
    super(scope, id);
    const config = (this.config = parseConfig(props, `the DataLakeMonitoring props of ${this.node.path}`));
    const catalog = (this.catalog = createCatalog(config));

    this.alerting = new Alerting(this, 'Alerting', { config });
    this.alarms = new AlarmFactory(this, 'Alarms', { config, alerting: this.alerting });
    this.coreAlarms = addCoreAlarms(this.alarms, catalog, config);
    this.publishers = new Publishers(this, 'Publishers', { config, catalog });
    if (config.cost.enabled) this.budget = new CostBudget(this, 'CostBudget', { config, alerting: this.alerting });
    this.dashboards = new Dashboards(this, 'Dashboards', { config, catalog, alarms: this.alarms });
    this.breakdowns = new Breakdowns(this, 'Breakdowns', { config, dashboards: this.dashboards, publishers: this.publishers });
    this.health = new HealthMonitoring(this, 'Health', {
      config, catalog, alarms: this.alarms, alerting: this.alerting, publishers: this.publishers, dashboards: this.dashboards,
    });
    if (config.chat.slack.length + config.chat.teams.length > 0) this.chat = new ChatChannels(this, 'ChatChannels', { config, alerting: this.alerting });
    // After every alarm of the instance is registered.
    if (config.remediation.length > 0) this.remediation = new Remediation(this, 'Remediation', { config, alarms: this.alarms });

    for (const { id: warningId, message } of configWarnings(config)) Annotations.of(this).addWarningV2(warningId, message);
    recordConfig(this, config);
  }

  /** The alert topic of a severity (critical: email + SMS, warning: email). */
  topic(severity: Severity): sns.ITopic {
    return this.alerting.topics[severity];
  }

  /** An alarm by its base name (e.g. `S3-PublisherHeartbeat`, as in the runbook); throws with the list when there is none. */
  alarm(baseName: string): cloudwatch.AlarmBase {
    return this.alarms.get(baseName).alarm;
  }

  /** A catalog metric with exactly its declared dimensions, to graph or alarm on (throws on a wrong dimension set). */
  metric(name: string, dimensions: Dimensions = {}, options: CatalogMetricOptions = {}): cloudwatch.Metric {
    return catalogMetric(this.catalog, name, dimensions, options);
  }
}

/** The configuration in the template's Metadata, keyed by construct path: `monitor verify` and friends read what was deployed. */
function recordConfig(scope: Construct, config: MonitoringConfig): void {
  const options = Stack.of(scope).templateOptions;
  const metadata = (options.metadata ??= {});
  const entries = (metadata[CONFIG_METADATA_KEY] ??= {}) as Record<string, unknown>;
  entries[scope.node.path] = { config };
}
