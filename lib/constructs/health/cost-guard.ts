import { Aws, type aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import { envSuffix } from '../../config/load';
import type { MonitoringConfig } from '../../config/schema';
import type { AlarmFactory } from '../alarm-factory';
import type { Alerting } from '../alerting';
import { catalogMetric } from '../catalog-metric';
import { CostAnomalyAlerts } from '../cost-anomaly-alerts';
import { retentionFor } from '../scheduled-publisher';

/** The service principal of AWS Cost Anomaly Detection notifications. */
export const COST_ANOMALY_PRINCIPAL = 'costalerts.amazonaws.com';

export interface CostGuardProps {
  /**
   * Validated configuration: `thresholds.forecastedBudgetUtilizationPct` (default 100),
   * `cost.scheduleMinutes`, `costAnomalyDetection` (default on), `costAnomalyMinImpactUsd` (default 5).
   */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
  /** Cost Anomaly Detection publishes to the warning topic (topic and key policy admit it). */
  readonly alerting: Alerting;
}

/** Cost Anomaly Detection's threshold expression: total impact of an anomaly >= the given USD. */
export function anomalyImpactExpression(minImpactUsd: number): string {
  return JSON.stringify({
    Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [String(minImpactUsd)] },
  });
}

/**
 * Cost: `Cost-ForecastOverBudget` when the forecast for the month exceeds the budget (critical),
 * and an IMMEDIATE AWS Cost Anomaly Detection subscription of the warning topic to the account's
 * AWS-services monitor (free), found or created at deploy time (CostAnomalyAlerts), or to the
 * monitor named in `costAnomalyMonitorArn`.
 */
export class CostGuard extends Construct {
  readonly forecastAlarm: cloudwatch.Alarm;
  readonly anomalyAlerts?: CostAnomalyAlerts;

  constructor(scope: Construct, id: string, props: CostGuardProps) {
    super(scope, id);
    const { config, catalog, alarms, alerting } = props;
    const limit = config.thresholds.forecastedBudgetUtilizationPct;
    this.forecastAlarm = alarms.whenAbove(
      'Cost-ForecastOverBudget',
      // Period: one cost run (the catalog metric's default).
      catalogMetric(catalog, 'ForecastedBudgetUtilization', {}, { statistic: 'Maximum' }),
      {
        threshold: limit,
        periods: 1,
        // No forecast on the last day of a month (or when Cost Explorer has none): keep the verdict.
        missingData: 'ignore',
        severity: 'critical',
        summary: `The forecast for this month's AWS cost is above ${limit}% of the ${config.monthlyBudgetUsd} USD budget.`,
      },
    );

    if (!config.costAnomalyDetection) return;
    alerting.allowServicePublish(COST_ANOMALY_PRINCIPAL);
    this.anomalyAlerts = new CostAnomalyAlerts(this, 'AnomalyAlerts', {
      topic: alerting.topics.warning,
      // Account-wide: one services monitor serves every region and environment.
      monitorName: `${config.namespacePrefix}-services`.slice(0, 1024),
      monitorArn: config.costAnomalyMonitorArn,
      // One subscription per stack (environment and region).
      subscriptionName: `${config.namespacePrefix}-cost-anomalies${envSuffix(config)}-${Aws.REGION}`,
      thresholdExpression: anomalyImpactExpression(config.costAnomalyMinImpactUsd),
      logRetention: retentionFor(config.logRetentionDays),
    });
    // The topic policy must exist before Cost Anomaly Detection validates the subscriber.
    this.anomalyAlerts.resource.node.addDependency(alerting.topics.warning, alerting.key);
  }
}
