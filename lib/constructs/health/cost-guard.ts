import { aws_ce as ce, type aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import { envSuffix } from '../../config/load';
import type { MonitoringConfig } from '../../config/schema';
import type { AlarmFactory } from '../alarm-factory';
import type { Alerting } from '../alerting';
import { catalogMetric } from '../catalog-metric';

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
 * and an AWS Cost Anomaly Detection monitor per AWS service (free) with an IMMEDIATE SNS
 * subscription on the warning topic. Cost Anomaly Detection allows one AWS-services monitor per
 * account: if the account already has one, name it in `costAnomalyMonitorArn` and only the
 * subscription is created.
 */
export class CostGuard extends Construct {
  readonly forecastAlarm: cloudwatch.Alarm;
  readonly anomalyMonitor?: ce.CfnAnomalyMonitor;
  readonly anomalySubscription?: ce.CfnAnomalySubscription;

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
    if (!config.costAnomalyMonitorArn) {
      this.anomalyMonitor = new ce.CfnAnomalyMonitor(this, 'AnomalyMonitor', {
        monitorName: `${config.namespacePrefix}-services${envSuffix(config)}`.slice(0, 1024),
        monitorType: 'DIMENSIONAL',
        monitorDimension: 'SERVICE',
      });
    }
    this.anomalySubscription = new ce.CfnAnomalySubscription(this, 'AnomalySubscription', {
      subscriptionName: `${config.namespacePrefix}-cost-anomalies${envSuffix(config)}`.slice(0, 1024),
      frequency: 'IMMEDIATE',
      monitorArnList: [config.costAnomalyMonitorArn ?? this.anomalyMonitor!.attrMonitorArn],
      subscribers: [{ type: 'SNS', address: alerting.topics.warning.topicArn }],
      thresholdExpression: anomalyImpactExpression(config.costAnomalyMinImpactUsd),
    });
    // The topic policy must exist before Cost Anomaly Detection validates the subscriber.
    this.anomalySubscription.node.addDependency(alerting.topics.warning);
  }
}
