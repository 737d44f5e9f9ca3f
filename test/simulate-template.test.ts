import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lib/config/load';
import type { MonitoringConfigInput } from '../lib/config/schema';
import type { SimCompositeAlarm, SimMetricAlarm, SimStack } from '../lib/simulate/model';
import { TemplateReadError, publisherOf, readStackTemplate } from '../lib/simulate/template';
import { inMemoryStack } from '../lib/stacks/monitoring-stack';

const stackOf = (input: MonitoringConfigInput = {}): { stack: SimStack; template: Record<string, any> } => {
  const template = inMemoryStack(parseConfig(input, 'test')).inMemoryTemplate() as Record<string, any>;
  return { stack: readStackTemplate(template, 'Test'), template };
};
const metricAlarm = (s: SimStack, name: string) => s.alarms.find((a) => a.name === name) as SimMetricAlarm;

describe('readStackTemplate on the default configuration', () => {
  const { stack } = stackOf({});
  const topic = (severity: string) => stack.topics.find((t) => t.severity === severity)!.logicalId;

  it('reads every alarm: 15 threshold alarms, no composite in the standard profile', () => {
    expect(stack.alarms.map((a) => a.kind).sort()).toEqual(Array(15).fill('metric'));
    expect(stack.notes).toEqual([]);
  });

  it('reads a heartbeat as its FILL expression over a SampleCount, with its window, missing-data rule and topic', () => {
    const a = metricAlarm(stack, 'NBA-Simulator-S3-PublisherHeartbeat');
    expect(a).toMatchObject({ periodSeconds: 7200, comparison: 'LessThanThreshold', threshold: 1, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: 'breaching' });
    expect(a.queries).toEqual([
      { kind: 'expression', id: 'expr_1', expression: 'FILL(count, 0)', returnData: true },
      { kind: 'metric', id: 'count', metric: { namespace: 'NBA-Simulator/DataCollection', name: 'S3ObjectCount', dimensions: { Bucket: 'nba-sim-raw-data-lake' } }, periodSeconds: 7200, stat: 'SampleCount', returnData: false },
    ]);
    expect(a.returnId).toBe('expr_1');
    expect(a.actions).toEqual({ alarm: [topic('warning')], ok: [topic('warning')], insufficientData: [] });
  });

  it('reads a single-metric alarm as one query m1, and DatapointsToAlarm defaults to EvaluationPeriods', () => {
    const a = metricAlarm(stack, 'NBA-Simulator-ADCE-QueueStale');
    expect(a.queries).toEqual([{ kind: 'metric', id: 'm1', metric: { namespace: 'NBA-Simulator/ADCE', name: 'ADCEQueueAgeMinutes', dimensions: {} }, periodSeconds: 300, stat: 'Maximum', returnData: true }]);
    expect(a).toMatchObject({ returnId: 'm1', evaluationPeriods: 2, datapointsToAlarm: 2, actions: { alarm: [topic('critical')] } });
  });

  it('reads the ADCE-NoRecentRun metric math with the period all its metrics share', () => {
    const a = metricAlarm(stack, 'NBA-Simulator-ADCE-NoRecentRun');
    expect(a.returnId).toBe('expr_1');
    expect(a.periodSeconds).toBe(300);
    expect(a.queries.map((q) => (q.kind === 'expression' ? q.expression : `${q.id}=${q.metric.name}`))).toEqual(['IF(depth > 0 AND lastRunAge > 360, 1, 0)', 'depth=ADCEQueueDepth', 'lastRunAge=ADCELastRunAgeMinutes']);
  });

  it('reads the two severity topics, each publisher with its schedule, retries, failure queue and log filter', () => {
    expect(stack.topics.map((t) => [t.displayName, t.severity, t.subscribers.length])).toEqual([
      ['NBA-Simulator critical', 'critical', 0],
      ['NBA-Simulator warning', 'warning', 0],
    ]);
    expect(stack.publishers.map((p) => [p.publisher, p.everyMinutes, p.retryAttempts, p.failureQueue === stack.queues[0]!.logicalId])).toEqual([
      ['s3', 120, 1, true],
      ['adce', 5, 1, true],
      ['dims', 360, 1, true],
      ['cost', 1440, 1, true],
    ]);
    for (const p of stack.publishers) {
      expect(p.logFilters).toEqual([{ pattern: expect.stringContaining('$.level = "ERROR"'), metric: { namespace: 'NBA-Simulator/Monitoring', name: 'PublisherErrors', dimensions: {} }, value: 1 }]);
    }
  });

  it("resolves the failed-runs alarm's QueueName to the queue's own name, the one the simulator publishes under", () => {
    const q = stack.queues[0]!;
    expect(q.retentionSeconds).toBe(1_209_600);
    const a = metricAlarm(stack, 'NBA-Simulator-Publishers-FailedRuns');
    expect((a.queries[0] as { metric: { dimensions: Record<string, string> } }).metric.dimensions).toEqual({ QueueName: q.queueName });
  });
});

describe('readStackTemplate on the full profile, with recipients', () => {
  const { stack } = stackOf({ profile: 'full', alertEmails: ['ops@example.com'], alertPhoneNumbers: ['+15555550100'] });

  it('reads composite rules with their members by name', () => {
    const fast = stack.alarms.find((a) => a.name === 'NBA-Simulator-ADCE-SLOFastBurn') as SimCompositeAlarm;
    expect(fast.kind).toBe('composite');
    expect(fast.rule).toBe('(ALARM("NBA-Simulator-ADCE-SLOFastBurn-1h") AND ALARM("NBA-Simulator-ADCE-SLOFastBurn-5m"))');
    for (const c of stack.alarms.filter((a) => a.kind === 'composite')) expect(c.rule).not.toMatch(/arn:/);
  });

  it('names anomaly-band alarms as not simulated, with the reason', () => {
    const band = stack.alarms.find((a) => a.name === 'NBA-Simulator-S3-ObjectGrowthAnomaly')!;
    expect(band).toMatchObject({ kind: 'not-simulated', reason: expect.stringMatching(/anomaly detection bands .* not simulated/) });
  });

  it('reads the subscribers of each topic: emails on both, SMS on critical', () => {
    const bySeverity = Object.fromEntries(stack.topics.map((t) => [t.severity, t.subscribers]));
    expect(bySeverity.critical).toEqual(expect.arrayContaining([{ protocol: 'email', endpoint: 'ops@example.com' }, { protocol: 'sms', endpoint: '+15555550100' }]));
    expect(bySeverity.warning).toEqual([{ protocol: 'email', endpoint: 'ops@example.com' }]);
  });
});

describe('readStackTemplate refuses what it cannot model, naming the resource', () => {
  const base = stackOf({}).template;
  const withResource = (id: string, resource: unknown) => ({ ...base, Resources: { ...base.Resources, [id]: resource } });
  const scheduleId = Object.keys(base.Resources).find((id) => base.Resources[id].Type === 'AWS::Scheduler::Schedule')!;

  it('a cron schedule', () => {
    const t = withResource(scheduleId, { ...base.Resources[scheduleId], Properties: { ...base.Resources[scheduleId].Properties, ScheduleExpression: 'cron(0 * * * ? *)' } });
    expect(() => readStackTemplate(t, 'T')).toThrow(new TemplateReadError(`${scheduleId}: ScheduleExpression "cron(0 * * * ? *)" is not simulated (only rate(N minutes|hours|days) is)`));
  });

  it('metric math over metrics of different periods', () => {
    const stat = (id: string, period: number) => ({ Id: id, ReturnData: false, MetricStat: { Metric: { Namespace: 'N', MetricName: id }, Period: period, Stat: 'Sum' } });
    const t = withResource('Mixed', {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { AlarmName: 'Mixed', ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 1, Metrics: [{ Id: 'e', Expression: 'a + b' }, stat('a', 300), stat('b', 3600)] },
    });
    expect(() => readStackTemplate(t, 'T')).toThrow(/Mixed \(Mixed\): its metrics have periods 300, 3600 s; an alarm's metric math needs one period/);
  });

  it('a Ref to nothing', () => {
    const t = withResource('Dangling', { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'D', ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 1, Namespace: 'N', MetricName: 'M', Period: 60, Statistic: 'Sum', AlarmActions: [{ Ref: 'Nowhere' }] } });
    expect(() => readStackTemplate(t, 'T')).toThrow(/Dangling\.AlarmActions: Ref Nowhere names no resource of the template/);
  });

  it('a template without resources', () => {
    expect(() => readStackTemplate({}, 'Empty')).toThrow(/Empty: the template has no Resources/);
  });
});

describe('publisherOf', () => {
  it('reads the publisher from the schedule description, else from the function id', () => {
    expect(publisherOf('Runs the dims metric publisher', 'X')).toBe('dims');
    expect(publisherOf('', 'MonitoringPublishersCostFunctionE0EE7618')).toBe('cost');
    expect(publisherOf('', 'SomethingElse')).toBe('SomethingElse');
  });
});
