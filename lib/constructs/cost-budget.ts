import { Stack, aws_budgets as budgets } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { budgetName } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import type { Alerting, Severity } from './alerting';

export interface CostBudgetProps {
  /** Validated configuration: `monthlyBudgetUsd`, `namespacePrefix`, `envName`, `thresholds`. */
  readonly config: MonitoringConfig;
  /**
   * The topics the notifications go to: actual month-to-date cost above
   * `thresholds.budgetUtilizationPct` to warning, the forecast above
   * `thresholds.forecastedBudgetUtilizationPct` to critical.
   */
  readonly alerting: Alerting;
}

/**
 * An AWS Budgets monthly cost budget of `monthlyBudgetUsd`. Budgets evaluates several times a
 * day and notifies on its own; the cost publisher reads its actual and forecasted spend
 * (`DescribeBudget`, no request charge). Monitoring-only budgets are free. The name is unique per
 * environment and region (`budgetName`): Budgets are account-wide.
 */
export class CostBudget extends Construct {
  readonly budgetName: string;
  readonly resource: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const { config, alerting } = props;
    this.budgetName = budgetName(config, Stack.of(this).region);

    const notify = (type: 'ACTUAL' | 'FORECASTED', pct: number, severity: Severity) => ({
      notification: { notificationType: type, comparisonOperator: 'GREATER_THAN', threshold: pct, thresholdType: 'PERCENTAGE' },
      subscribers: [{ subscriptionType: 'SNS', address: alerting.topics[severity].topicArn }],
    });

    this.resource = new budgets.CfnBudget(this, 'Resource', {
      budget: {
        budgetName: this.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: config.monthlyBudgetUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        notify('ACTUAL', config.thresholds.budgetUtilizationPct, 'warning'),
        notify('FORECASTED', config.thresholds.forecastedBudgetUtilizationPct, 'critical'),
      ],
    });
    // Budgets checks its SNS subscribers when the budget is created: the topic policies (children
    // of the topics) and the key policy must exist first.
    this.resource.node.addDependency(alerting.topics.critical, alerting.topics.warning, alerting.key);
  }
}
