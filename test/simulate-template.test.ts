import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lib/config/load';
import { type MonitoringConfigInput, PUBLISHERS, publisherServiceName } from '../lib/config/schema';
import type { SimAlarm, SimMetricAlarm, SimStack } from '../lib/simulate/model';
import { ANOMALY_NOT_SIMULATED, TemplateReadError, publisherOf, readStackTemplate } from '../lib/simulate/template';
import { inMemoryStack } from '../lib/stacks/monitoring-stack';

type Json = Record<string, any>;
const templateOf = (input: MonitoringConfigInput): Json => Template.fromStack(inMemoryStack(parseConfig(input, 'default'))).toJSON();
const STACK = 'NBA-Simulator-Monitoring';

const defaultTemplate = templateOf({});
const standard = readStackTemplate(defaultTemplate, STACK);
const full = readStackTemplate(templateOf({ profile: 'full' }), STACK);

const alarm = (stack: SimStack, name: string): SimAlarm => {
  const found = stack.alarms.filter((a) => a.name === `NBA-Simulator-${name}`);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
const metricAlarm = (stack: SimStack, name: string): SimMetricAlarm => {
  const a = alarm(stack, name);
  if (a.kind !== 'metric') throw new Error(`${name} is ${a.kind}`);
  return a;
};
const topicOf = (stack: SimStack, severity: string) => stack.topics.find((t) => t.severity === severity)!.logicalId;

/** A template of the given resources, as CDK writes it. */
const templateWith = (resources: Json): Json => ({ Resources: resources });
const topic = { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'Test warning' } };
const singleMetricAlarm = (extra: Json = {}): Json => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: 'A',
    Namespace: 'N',
    MetricName: 'M',
    Period: 300,
    Statistic: 'Sum',
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 0,
    EvaluationPeriods: 1,
    AlarmActions: [{ Ref: 'Topic' }],
    ...extra,
  },
});
const readError = (template: Json): TemplateReadError => {
  try {
    readStackTemplate(template, 'S');
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateReadError);
    return err as TemplateReadError;
  }
  throw new Error('read without an error');
};

describe('default configuration', () => {
  it('reads the 15 alarms, all simulated threshold alarms', () => {
    expect(standard.alarms).toHaveLength(15);
    expect(standard.alarms.every((a) => a.kind === 'metric')).toBe(true);
    expect(standard.stackName).toBe(STACK);
  });

  it('S3-PublisherHeartbeat: FILL over one SampleCount query of 7200 s, LessThan 1, 2 of 2, breaching, to the warning topic', () => {
    expect(metricAlarm(standard, 'S3-PublisherHeartbeat')).toEqual({
      kind: 'metric',
      name: 'NBA-Simulator-S3-PublisherHeartbeat',
      logicalId: expect.stringMatching(/^MonitoringAlarmsS3PublisherHeartbeat/),
      queries: [
        { kind: 'expression', id: 'expr_1', expression: 'FILL(count, 0)', returnData: true },
        {
          kind: 'metric',
          id: 'count',
          metric: { namespace: 'NBA-Simulator/DataCollection', name: 'S3ObjectCount', dimensions: { Bucket: 'nba-sim-raw-data-lake' } },
          periodSeconds: 7200,
          stat: 'SampleCount',
          returnData: false,
        },
      ],
      returnId: 'expr_1',
      periodSeconds: 7200,
      comparison: 'LessThanThreshold',
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'breaching',
      actions: { alarm: [topicOf(standard, 'warning')], ok: [topicOf(standard, 'warning')], insufficientData: [] },
      description: expect.stringContaining('Severity: warning.'),
    });
  });

  it('a single-metric alarm is one query m1 that returns data', () => {
    const a = metricAlarm(standard, 'ADCE-QueueStale');
    expect(a.queries).toEqual([{ kind: 'metric', id: 'm1', metric: { namespace: 'NBA-Simulator/ADCE', name: 'ADCEQueueAgeMinutes', dimensions: {} }, periodSeconds: 300, stat: 'Maximum', returnData: true }]);
    expect(a.returnId).toBe('m1');
  });

  it('ADCE-NoRecentRun: metric math over depth and lastRunAge, the expression returns, period 300 s', () => {
    const a = metricAlarm(standard, 'ADCE-NoRecentRun');
    expect(a.returnId).toBe('expr_1');
    expect(a.periodSeconds).toBe(300);
    expect(a.queries).toEqual([
      { kind: 'expression', id: 'expr_1', expression: 'IF(depth > 0 AND lastRunAge > 360, 1, 0)', returnData: true },
      { kind: 'metric', id: 'depth', metric: { namespace: 'NBA-Simulator/ADCE', name: 'ADCEQueueDepth', dimensions: {} }, periodSeconds: 300, stat: 'Maximum', returnData: false },
      { kind: 'metric', id: 'lastRunAge', metric: { namespace: 'NBA-Simulator/ADCE', name: 'ADCELastRunAgeMinutes', dimensions: {} }, periodSeconds: 300, stat: 'Maximum', returnData: false },
    ]);
    expect(a).toMatchObject({ comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'notBreaching' });
    expect(a.actions.alarm).toEqual([topicOf(standard, 'critical')]);
  });

  it('two severity topics, without subscribers when the config has no recipients', () => {
    expect(standard.topics.map((t) => [t.displayName, t.severity, t.subscribers])).toEqual([
      ['NBA-Simulator critical', 'critical', []],
      ['NBA-Simulator warning', 'warning', []],
    ]);
    const topicIds = new Set(standard.topics.map((t) => t.logicalId));
    const actions = standard.alarms.flatMap((a) => [...a.actions.alarm, ...a.actions.ok]);
    expect(actions.every((t) => topicIds.has(t))).toBe(true);
  });

  it('four publishers at their rates, one retry, failed runs to the queue, the PublisherErrors log filter each', () => {
    const queue = standard.queues[0]!.logicalId;
    expect(standard.publishers.map((p) => [p.publisher, p.everyMinutes, p.retryAttempts, p.failureQueue])).toEqual([
      ['s3', 120, 1, queue],
      ['adce', 5, 1, queue],
      ['dims', 360, 1, queue],
      ['cost', 1440, 1, queue],
    ]);
    for (const p of standard.publishers) {
      expect(p.functionLogicalId).toMatch(/^MonitoringPublishers(S3|Adce|Dims|Cost)Function/);
      expect(p.logFilters).toEqual([{ pattern: expect.stringContaining('ERROR'), metric: { namespace: 'NBA-Simulator/Monitoring', name: 'PublisherErrors', dimensions: {} }, value: 1 }]);
    }
  });

  it('the FailedRuns alarm watches the queue under the name the queue is simulated with', () => {
    expect(standard.queues).toEqual([{ logicalId: expect.stringMatching(/^MonitoringPublishersFailedRuns/), queueName: expect.any(String), retentionSeconds: 1_209_600 }]);
    const q = metricAlarm(standard, 'Publishers-FailedRuns').queries[0]!;
    expect(q.kind === 'metric' && q.metric).toEqual({ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: standard.queues[0]!.queueName } });
  });

  it('notes what sends to the topics beside the alarms: the budget and the cost anomaly subscription', () => {
    expect(standard.notes).toEqual([
      expect.stringMatching(/^AWS::Budgets::Budget \w+ sends to "NBA-Simulator warning", "NBA-Simulator critical"; not simulated\.$/),
      expect.stringMatching(/^Custom::CostAnomalyAlerts \w+ sends to "NBA-Simulator warning"; not simulated\.$/),
    ]);
  });

  it('is pure: the same template reads the same way twice and is left as it was', () => {
    const before = JSON.stringify(defaultTemplate);
    expect(readStackTemplate(defaultTemplate, STACK)).toEqual(standard);
    expect(JSON.stringify(defaultTemplate)).toBe(before);
  });
});

describe('full profile', () => {
  it('composite rules name their members by alarm name', () => {
    const fast = alarm(full, 'ADCE-SLOFastBurn');
    expect(fast).toMatchObject({ kind: 'composite', rule: '(ALARM("NBA-Simulator-ADCE-SLOFastBurn-1h") AND ALARM("NBA-Simulator-ADCE-SLOFastBurn-5m"))' });
    expect(fast.actions.alarm).toEqual([topicOf(full, 'critical')]);
    const names = new Set(full.alarms.map((a) => a.name));
    for (const c of full.alarms.filter((a) => a.kind === 'composite')) {
      const members = [...c.rule.matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]!);
      expect(members.length, c.name).toBeGreaterThan(0);
      expect(members.filter((m) => !names.has(m)), c.name).toEqual([]);
    }
    expect(full.alarms.filter((a) => a.kind === 'composite').map((a) => a.name).sort()).toEqual(
      ['ADCE-SLOFastBurn', 'ADCE-SLOSlowBurn', 'Monitoring-Degraded', 'Monitoring-Unhealthy'].map((n) => `NBA-Simulator-${n}`),
    );
  });

  it('burn-rate windows are simulated; they notify only through their composite', () => {
    const window = metricAlarm(full, 'ADCE-SLOFastBurn-1h');
    expect(window).toMatchObject({ periodSeconds: 3600, returnId: 'expr_1', threshold: 14.4, actions: { alarm: [], ok: [], insufficientData: [] } });
  });

  it('anomaly-band alarms are not simulated, with why, and keep their actions', () => {
    const anomalies = full.alarms.filter((a) => a.kind === 'not-simulated');
    expect(anomalies.map((a) => a.name).sort()).toEqual(
      ['DataExtraction-DurationAnomaly', 'S3-ObjectGrowthAnomaly', 'S3Upload-DurationAnomaly', 'Validation-DurationAnomaly'].map((n) => `NBA-Simulator-${n}`),
    );
    for (const a of anomalies) {
      expect(a).toMatchObject({ reason: "anomaly detection bands are trained by CloudWatch on the metric's history; not simulated" });
      expect(a.actions.alarm).toEqual([topicOf(full, 'warning')]);
    }
    expect(ANOMALY_NOT_SIMULATED).toContain('not simulated');
  });

  it('has the same notes as the standard profile', () => {
    expect(full.notes).toEqual(standard.notes);
  });
});

describe('recipients', () => {
  const slack = { workspaceId: 'T012ABCDEFG', channelId: 'C0123ABCDEF', severities: ['critical' as const] };
  const withRecipients = readStackTemplate(templateOf({ alertEmails: ['a@example.com'], alertPhoneNumbers: ['+15555550100'], chat: { slack: [slack] } }), STACK);
  const subscribers = (severity: string) => withRecipients.topics.find((t) => t.severity === severity)!.subscribers;

  it('emails reach both topics, phone numbers and the Slack channel only critical', () => {
    expect(subscribers('critical')).toEqual([
      { protocol: 'email', endpoint: 'a@example.com' },
      { protocol: 'sms', endpoint: '+15555550100' },
      { protocol: 'chatbot', endpoint: 'NBA-Simulator-slack-C0123ABCDEF' },
    ]);
    expect(subscribers('warning')).toEqual([{ protocol: 'email', endpoint: 'a@example.com' }]);
  });

  it('inline topic subscriptions count too', () => {
    const stack = readStackTemplate(templateWith({ T: { Type: 'AWS::SNS::Topic', Properties: { Subscription: [{ Protocol: 'https', Endpoint: 'https://example.com/hook' }] } } }), 'S');
    expect(stack.topics).toEqual([{ logicalId: 'T', displayName: 'T', subscribers: [{ protocol: 'https', endpoint: 'https://example.com/hook' }] }]);
  });
});

describe('values the deploy fills in', () => {
  it('Fn::Join and Fn::Sub alarm names resolve; pseudo parameters read as stand-ins, noted once', () => {
    const stack = readStackTemplate(
      templateWith({
        Topic: topic,
        Joined: singleMetricAlarm({ AlarmName: { 'Fn::Join': ['-', ['A', { Ref: 'AWS::Region' }]] } }),
        Subbed: singleMetricAlarm({ AlarmName: { 'Fn::Sub': 'B-${AWS::Region}-${AWS::AccountId}-${!Literal}' } }),
      }),
      'S',
    );
    expect(stack.alarms.map((a) => a.name)).toEqual(['A-us-east-1', 'B-us-east-1-123456789012-${Literal}']);
    expect(stack.notes).toEqual(['AWS::Region is read as us-east-1; the template leaves it to the deploy.', 'AWS::AccountId is read as 123456789012; the template leaves it to the deploy.']);
  });

  it('a named queue is simulated under its QueueName, and GetAtt QueueName resolves to it', () => {
    const stack = readStackTemplate(
      templateWith({
        Topic: topic,
        Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'failed-runs' } },
        Depth: singleMetricAlarm({ Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['Q', 'QueueName'] } }] }),
      }),
      'S',
    );
    expect(stack.queues).toEqual([{ logicalId: 'Q', queueName: 'failed-runs', retentionSeconds: 345_600 }]);
    const q = (stack.alarms[0] as SimMetricAlarm).queries[0]!;
    expect(q.kind === 'metric' && q.metric.dimensions).toEqual({ QueueName: 'failed-runs' });
  });

  it('defaults: DatapointsToAlarm = EvaluationPeriods, TreatMissingData missing; a generated alarm name is noted', () => {
    const stack = readStackTemplate(templateWith({ Topic: topic, Unnamed: singleMetricAlarm({ AlarmName: undefined, EvaluationPeriods: 3 }) }), 'S');
    expect(stack.alarms[0]).toMatchObject({ name: 'S-Unnamed', evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'missing' });
    expect(stack.notes).toEqual([expect.stringContaining('Unnamed has no AlarmName')]);
  });

  it('an action that is an ARN is kept as the ARN and noted', () => {
    const stack = readStackTemplate(templateWith({ Topic: topic, A: singleMetricAlarm({ AlarmActions: [{ Ref: 'Topic' }, 'arn:aws:lambda:us-east-1:123456789012:function:fix'] }) }), 'S');
    expect(stack.alarms[0]!.actions.alarm).toEqual(['Topic', 'arn:aws:lambda:us-east-1:123456789012:function:fix']);
    expect(stack.notes).toEqual(['A: AlarmActions[1] arn:aws:lambda:us-east-1:123456789012:function:fix is not a topic of the stack; not simulated.']);
  });

  it('a percentile statistic is not simulated, with a note', () => {
    const stack = readStackTemplate(templateWith({ Topic: topic, A: singleMetricAlarm({ Statistic: undefined, ExtendedStatistic: 'p99' }) }), 'S');
    expect(stack.alarms[0]).toMatchObject({ kind: 'not-simulated', reason: 'statistic p99 is not simulated', actions: { alarm: ['Topic'] } });
    expect(stack.notes).toEqual([expect.stringContaining('statistic p99 is not simulated')]);
  });

  it('math queries return data unless ReturnData says false', () => {
    const metricStat = (period: number) => ({ Metric: { Namespace: 'N', MetricName: 'M' }, Period: period, Stat: 'Sum' });
    const stack = readStackTemplate(
      templateWith({ Topic: topic, A: singleMetricAlarm({ Namespace: undefined, MetricName: undefined, Period: undefined, Statistic: undefined, Metrics: [{ Id: 'e', Expression: 'm * 2' }, { Id: 'm', MetricStat: metricStat(60), ReturnData: false }] }) }),
      'S',
    );
    expect(stack.alarms[0]).toMatchObject({ kind: 'metric', returnId: 'e', periodSeconds: 60 });
  });
});

describe('templates the simulator cannot run', () => {
  const scheduled = (expression: string): Json =>
    templateWith({
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: publisherServiceName('cost') } } } },
      Nightly: { Type: 'AWS::Scheduler::Schedule', Properties: { ScheduleExpression: expression, Target: { Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } } } },
    });

  it('a cron schedule names the schedule and its expression', () => {
    const err = readError(scheduled('cron(0 3 * * ? *)'));
    expect(err).toMatchObject({ logicalId: 'Nightly', property: 'ScheduleExpression' });
    expect(err.message).toBe('Nightly.ScheduleExpression: cron(0 3 * * ? *) is not rate(N minutes|hours|days); the simulator runs fixed-rate schedules only');
  });

  it('rate expressions in every unit; a function without EventInvokeConfig has Lambda’s 2 retries and no failure queue', () => {
    const minutes = (e: string) => readStackTemplate(scheduled(e), 'S').publishers[0]!;
    expect(['rate(1 minute)', 'rate(15 minutes)', 'rate(1 hour)', 'rate(3 hours)', 'rate(1 day)', 'rate(2 days)'].map((e) => minutes(e).everyMinutes)).toEqual([1, 15, 60, 180, 1440, 2880]);
    expect(minutes('rate(1 day)')).toEqual({ publisher: 'cost', functionLogicalId: 'Fn', everyMinutes: 1440, retryAttempts: 2, logFilters: [] });
  });

  it('metric math with two periods', () => {
    const metricStat = (period: number) => ({ Metric: { Namespace: 'N', MetricName: 'M' }, Period: period, Stat: 'Sum' });
    const err = readError(
      templateWith({
        Mixed: singleMetricAlarm({
          Namespace: undefined,
          Statistic: undefined,
          Metrics: [{ Id: 'e', Expression: 'a + b', ReturnData: true }, { Id: 'a', MetricStat: metricStat(300), ReturnData: false }, { Id: 'b', MetricStat: metricStat(3600), ReturnData: false }],
          AlarmActions: [],
        }),
      }),
    );
    expect(err).toMatchObject({ logicalId: 'Mixed', property: 'Metrics' });
    expect(err.message).toContain('mixes periods 300 s, 3600 s');
  });

  it('an action that is neither a Ref nor an ARN', () => {
    const err = readError(templateWith({ Topic: topic, Odd: singleMetricAlarm({ OKActions: [{ 'Fn::ImportValue': 'shared-topic' }] }) }));
    expect(err).toMatchObject({ logicalId: 'Odd', property: 'OKActions[0]' });
    expect(err.message).toContain('is not an action the simulator reads');
  });

  it('a missing property and an unresolvable attribute name both the resource and the property', () => {
    expect(readError(templateWith({ Topic: topic, A: singleMetricAlarm({ Threshold: undefined }) })).message).toBe('A.Threshold: is missing');
    const att = readError(templateWith({ Topic: topic, A: singleMetricAlarm({ Dimensions: [{ Name: 'Fn', Value: { 'Fn::GetAtt': ['Topic', 'TopicName'] } }] }) }));
    expect(att).toMatchObject({ logicalId: 'A', property: 'Dimensions[0].Value' });
  });

  it('not a template', () => {
    expect(() => readStackTemplate({ Parameters: {} }, 'S')).toThrow(TemplateReadError);
  });
});

describe('naming rules', () => {
  it('the publisher of a function is the one its Powertools service name names, as the stack sets it', () => {
    const fn = (service?: string) => (service === undefined ? {} : { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: service } } });
    for (const p of PUBLISHERS) expect(publisherOf(fn(publisherServiceName(p)))).toBe(p);
    expect(publisherOf(fn('monitor-backup-publisher'))).toBeUndefined();
    expect(publisherOf(fn())).toBeUndefined();
  });
});
