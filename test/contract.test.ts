import { Stack, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, synthStack } from './support/synth';
import { catalogViolations, metricsInTemplate } from './support/template-metrics';

/**
 * The contract: every metric an alarm, anomaly detector, log metric filter or dashboard widget
 * of the synthesized stack uses is declared in the catalog with the same namespace, name and
 * dimension names. Vended `AWS/*` metrics are exempt. Generic, so it keeps holding as alarms
 * and widgets are added.
 */
describe('template metrics are catalog metrics', () => {
  const configs = {
    default: {},
    'all options on': {
      namespacePrefix: 'Acme/Lake',
      envName: 'prod',
      alarmNamePrefix: 'acme',
      pipelineOperations: ['Extract', { name: 'Load', expectedEveryHours: 6 }, 'ModelTraining'],
      s3: { perPrefixMetrics: ['espn/'], bucket: 'other-lake' },
      dims: { extraMetrics: ['code_base.ml_scripts'] },
      alertEmails: ['ops@example.com'],
      alertPhoneNumbers: ['+14155550123'],
    },
  };

  it.each(Object.entries(configs))('%s config', (_name, input) => {
    const { template, stack } = synthStack(input);
    const metrics = metricsInTemplate(template.toJSON());
    // Every alarm and every dashboard contributes: the check is not vacuous.
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    const boards = Object.keys(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const id of [...alarms, ...boards]) expect(metrics.some((m) => m.where.startsWith(id)), id).toBe(true);
    expect(metrics.length).toBeGreaterThan(30);
    expect(catalogViolations(metrics, stack.catalog)).toEqual([]);
  });

  it('catches the seed trap, undeclared names and wrong namespaces in alarms and widgets', () => {
    const { stack } = buildStack();
    const raw = (namespace: string, metricName: string, dimensionsMap?: Record<string, string>) =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap });
    new cloudwatch.Dashboard(stack, 'Seed', {
      widgets: [[new cloudwatch.GraphWidget({ left: [raw('NBA-Simulator/DataCollection', 'S3ObjectCount')] })]],
    });
    raw('NBA-Simulator/ADCE', 'ADCESucessRate').createAlarm(stack, 'Typo', { threshold: 1, evaluationPeriods: 1 });
    raw('NBA-Simulator/Costs', 'ADCEQueueDepth').createAlarm(stack, 'WrongNamespace', { threshold: 1, evaluationPeriods: 1 });
    new cloudwatch.MathExpression({
      expression: 'a + b',
      usingMetrics: { a: raw('NBA-Simulator/Performance', 'LoadDuration', { Status: 'success' }), b: raw('NBA-Simulator/Performance', 'LoadDuration', { Outcome: 'ok' }) },
    }).createAlarm(stack, 'Math', { threshold: 1, evaluationPeriods: 1 });
    raw('AWS/Lambda', 'Errors', { FunctionName: 'f' }).createAlarm(stack, 'Vended', { threshold: 1, evaluationPeriods: 1 });

    const problems = catalogViolations(metricsInTemplate(Template.fromStack(stack).toJSON()), stack.catalog);
    expect(problems).toHaveLength(4);
    expect(problems).toContainEqual(expect.stringMatching(/^Seed.*S3ObjectCount has dimensions \[\], the catalog declares \[Bucket\]/));
    expect(problems).toContainEqual(expect.stringMatching(/^Typo.*ADCESucessRate is not in the catalog/));
    expect(problems).toContainEqual(expect.stringMatching(/^WrongNamespace.*NBA-Simulator\/Costs\/ADCEQueueDepth is not in the catalog/));
    expect(problems).toContainEqual(expect.stringMatching(/^Math.*Metrics\[\d\].*LoadDuration has dimensions \[Outcome\]/));
  });

  it('reads dashboard rows written with the "." and "..." shorthand', () => {
    const stack = new Stack();
    const body = JSON.stringify({
      widgets: [{ type: 'metric', properties: { metrics: [['NBA-Simulator/ADCE', 'ADCEQueueTasks', 'Priority', 'high'], ['...', 'low'], ['.', 'ADCEQueueDepth']] } }],
    });
    new cloudwatch.CfnDashboard(stack, 'Hand', { dashboardBody: body });
    const metrics = metricsInTemplate(Template.fromStack(stack).toJSON());
    expect(metrics.map((m) => [m.namespace, m.name, m.dimensions])).toEqual([
      ['NBA-Simulator/ADCE', 'ADCEQueueTasks', ['Priority']],
      ['NBA-Simulator/ADCE', 'ADCEQueueTasks', ['Priority']],
      ['NBA-Simulator/ADCE', 'ADCEQueueDepth', []],
    ]);
  });
});
