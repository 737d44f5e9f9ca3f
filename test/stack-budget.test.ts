import { describe, expect, it } from 'vitest';
import { synthStack } from './support/synth';

describe('AWS Budgets monthly cost budget', () => {
  const { template, stack } = synthStack({ monthlyBudgetUsd: 150 });
  const topic = (severity: 'critical' | 'warning') => stack.resolve(stack.alerting.topics[severity].topicArn);
  const budget = () => Object.values(template.findResources('AWS::Budgets::Budget'))[0]!.Properties;

  it('is one monthly COST budget of the configured amount in USD', () => {
    template.resourceCountIs('AWS::Budgets::Budget', 1);
    expect(budget().Budget).toEqual({
      BudgetName: { 'Fn::Join': ['', ['NBA-Simulator-monthly-cost-', { Ref: 'AWS::Region' }]] },
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 150, Unit: 'USD' },
    });
  });

  it('notifies warning at 80% actual and critical at 100% forecasted, through SNS', () => {
    expect(budget().NotificationsWithSubscribers).toEqual([
      {
        Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
        Subscribers: [{ SubscriptionType: 'SNS', Address: topic('warning') }],
      },
      {
        Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
        Subscribers: [{ SubscriptionType: 'SNS', Address: topic('critical') }],
      },
    ]);
  });

  it('follows the config: amount, thresholds, environment in the name', () => {
    const { template: t } = synthStack({
      monthlyBudgetUsd: 42.5,
      envName: 'prod',
      namespacePrefix: 'Acme:Lake',
      thresholds: { budgetUtilizationPct: 60, forecastedBudgetUtilizationPct: 110 },
    });
    const p = Object.values(t.findResources('AWS::Budgets::Budget'))[0]!.Properties;
    expect(p.Budget.BudgetLimit).toEqual({ Amount: 42.5, Unit: 'USD' });
    expect(p.Budget.BudgetName).toEqual({ 'Fn::Join': ['', ['Acme-Lake-monthly-cost-prod-', { Ref: 'AWS::Region' }]] });
    expect(p.NotificationsWithSubscribers.map((n: any) => [n.Notification.NotificationType, n.Notification.Threshold])).toEqual([
      ['ACTUAL', 60],
      ['FORECASTED', 110],
    ]);
  });

  it('can publish: both topics admit budgets.amazonaws.com and the key lets it encrypt', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).map((p) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(p).toContain('"Service":"budgets.amazonaws.com"');
    const key = JSON.stringify(Object.values(template.findResources('AWS::KMS::Key'))[0]!.Properties.KeyPolicy);
    expect(key).toContain('"Service":"budgets.amazonaws.com"');
  });
});
