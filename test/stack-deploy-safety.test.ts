import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { COST_ANOMALY_ALERTS_TYPE } from '../lib/constructs/cost-anomaly-alerts';
import { anomalyImpactExpression } from '../lib/constructs/health/cost-guard';
import { ASYNC_RETRY_ATTEMPTS } from '../lib/constructs/scheduled-publisher';
import type { PublisherId } from '../lib/config/schema';
import { synthStack } from './support/synth';

/**
 * What a real account would hit first on deploy and at run time: the template carries the
 * answers (one synth of the default config, a few variants).
 */
type Json = Record<string, any>;
const { template, stack } = synthStack({ alertEmails: ['ops@example.com'] });
const json = template.toJSON() as { Resources: Record<string, Json> };
const ofType = (t: Json, type: string) => Object.entries<Json>(t.Resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const topicPolicyId = (severity: 'critical' | 'warning') => stack.getLogicalId(stack.alerting.topics[severity].node.findChild('Policy').node.defaultChild as CfnElement);
const keyId = stack.getLogicalId(stack.alerting.key.node.defaultChild as CfnElement);
/** Every statement of every IAM policy attached to a role (by the role's logical id). */
const roleStatements = (t: Json, roleId: string): Json[] =>
  ofType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);

describe('Cost Anomaly Detection deploys in every region, with or without a services monitor', () => {
  const [alerts] = ofType(json, COST_ANOMALY_ALERTS_TYPE);

  it('has no AWS::CE::* resource (CloudFormation knows them only in us-east-1): one custom resource instead', () => {
    expect(Object.values(json.Resources).filter((r) => String(r.Type).startsWith('AWS::CE::'))).toEqual([]);
    expect(ofType(json, COST_ANOMALY_ALERTS_TYPE)).toHaveLength(1);
  });

  it('subscribes the warning topic, to the account services monitor by default (found or created at deploy time)', () => {
    const p = alerts![1].Properties;
    expect(p).toMatchObject({
      TopicArn: stack.resolve(stack.alerting.topics.warning.topicArn),
      MonitorName: 'NBA-Simulator-services',
      MonitorArn: '',
      ThresholdExpression: anomalyImpactExpression(5),
      SubscriptionName: { 'Fn::Join': ['', ['NBA-Simulator-cost-anomalies-', { Ref: 'AWS::Region' }]] },
    });
    expect(JSON.parse(anomalyImpactExpression(2.5))).toEqual({
      Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['2.5'] },
    });
  });

  it('is created after the warning topic policy and the key policy that admit costalerts.amazonaws.com', () => {
    expect(alerts![1].DependsOn).toEqual(expect.arrayContaining([topicPolicyId('warning'), keyId]));
  });

  it('its handler may create and list monitors and manage subscriptions, and nothing else', () => {
    const fn = ofType(json, 'AWS::Lambda::Function').find(([, f]) => String(f.Properties.Description).includes('Cost Anomaly Detection alert subscription'))!;
    const statements = roleStatements(json, fn[1].Properties.Role['Fn::GetAtt'][0]);
    const ceActions = statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('ce:')).sort();
    expect(ceActions).toEqual(['ce:CreateAnomalyMonitor', 'ce:CreateAnomalySubscription', 'ce:DeleteAnomalySubscription', 'ce:GetAnomalyMonitors', 'ce:UpdateAnomalySubscription']);
    const scoped = statements.find((s) => [s.Action].flat().includes('ce:DeleteAnomalySubscription'))!;
    expect(JSON.stringify(scoped.Resource)).toContain(':anomalysubscription/*');
    expect(fn[1].Properties.Runtime).toBe('nodejs24.x');
  });

  it('costAnomalyMonitorArn subscribes to that monitor; costAnomalyDetection: false removes it all', () => {
    const arn = 'arn:aws:ce::123456789012:anomalymonitor/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
    const pinned = synthStack({ costAnomalyMonitorArn: arn }).template.toJSON();
    expect(ofType(pinned, COST_ANOMALY_ALERTS_TYPE)[0]![1].Properties.MonitorArn).toBe(arn);
    expect(() => synthStack({ costAnomalyMonitorArn: 'mon-123' })).toThrow(/costAnomalyMonitorArn = "mon-123": is not a Cost Anomaly Detection monitor ARN/);

    const off = synthStack({ costAnomalyDetection: false }).template.toJSON();
    expect(ofType(off, COST_ANOMALY_ALERTS_TYPE)).toEqual([]);
    expect(JSON.stringify(off)).not.toContain('costalerts.amazonaws.com');
    expect(JSON.stringify(off)).not.toContain('ce:CreateAnomalyMonitor');
  });
});

describe('failed publisher runs reach the failed-runs queue, and it alarms', () => {
  const cases: Array<{ publisher: PublisherId; maxEventAgeSeconds: number }> = [
    { publisher: 's3', maxEventAgeSeconds: 7200 },
    { publisher: 'adce', maxEventAgeSeconds: 300 },
    // One interval, at most Lambda's 6 hours.
    { publisher: 'dims', maxEventAgeSeconds: 21600 },
    { publisher: 'cost', maxEventAgeSeconds: 21600 },
  ];
  const queue = stack.publishers.failedRuns!;
  const queueArn = stack.resolve(queue.queueArn);

  it('is one encrypted queue for every publisher (one alarm metric)', () => {
    expect(ofType(json, 'AWS::SQS::Queue')).toHaveLength(1);
    expect(json.Resources[logicalId(queue)]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    for (const { publisher } of cases) expect(stack.publishers.get(publisher).deadLetterQueue).toBe(queue);
  });

  it.each(cases)('$publisher: a throwing run is retried once, then sent to the queue (EventInvokeConfig); the schedule dead-letters there too', ({ publisher, maxEventAgeSeconds }) => {
    const p = stack.publishers.get(publisher);
    const fnId = logicalId(p.fn);
    const configs = ofType(json, 'AWS::Lambda::EventInvokeConfig').filter(([, c]) => c.Properties.FunctionName.Ref === fnId);
    expect(configs).toHaveLength(1);
    expect(configs[0]![1].Properties).toEqual({
      FunctionName: { Ref: fnId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
      MaximumEventAgeInSeconds: maxEventAgeSeconds,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
    expect(ASYNC_RETRY_ATTEMPTS).toBe(1);
    const send = roleStatements(json, logicalId(p.fn.role!)).find((s) => [s.Action].flat().includes('sqs:SendMessage'));
    expect(send?.Resource).toEqual(queueArn);
    const schedule = ofType(json, 'AWS::Scheduler::Schedule').find(([, s]) => s.Properties.Target.Arn['Fn::GetAtt'][0] === fnId)!;
    expect(schedule[1].Properties.Target.DeadLetterConfig).toEqual({ Arn: queueArn });
  });

  it('Publishers-FailedRuns: warning as soon as the queue holds a message', () => {
    const found = ofType(json, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.AlarmName === 'Publishers-FailedRuns');
    expect(found).toHaveLength(1);
    expect(found[0]![1].Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(queue.queueName) }],
      Statistic: 'Maximum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [stack.resolve(stack.alerting.topics.warning.topicArn)],
    });
    expect(found[0]![1].Properties.AlarmDescription).toMatch(/\(s3, adce, dims, cost\).*ALARM_RUNBOOKS\.md#publishers-failedruns$/);
  });

  it('a turned-off source has no async config; with every source off there is no queue and no alarm', () => {
    const t = synthStack({ adce: { enabled: false } }).template.toJSON();
    expect(ofType(t, 'AWS::Lambda::EventInvokeConfig')).toHaveLength(3);
    const none = synthStack({ s3: { enabled: false }, adce: { enabled: false }, dims: { enabled: false }, cost: { enabled: false } }).template.toJSON();
    expect(ofType(none, 'AWS::SQS::Queue')).toEqual([]);
    expect(ofType(none, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName)).not.toContain('Publishers-FailedRuns');
  });
});

describe('AWS Budgets budget', () => {
  const [budget] = ofType(json, 'AWS::Budgets::Budget');

  it('is created after both topic policies and the key policy (Budgets checks its SNS subscribers at create)', () => {
    expect(budget![1].DependsOn).toEqual(expect.arrayContaining([topicPolicyId('critical'), topicPolicyId('warning'), keyId]));
  });

  it('has a name unique per environment and region (Budgets are account-wide)', () => {
    const inRegion = (env: string, region: string) =>
      synthStack({ envName: env }, { env: { account: '111122223333', region } }).stack.budget!.budgetName;
    expect(inRegion('default', 'eu-west-1')).toBe('NBA-Simulator-monthly-cost-eu-west-1');
    expect(inRegion('default', 'us-east-1')).toBe('NBA-Simulator-monthly-cost-us-east-1');
    expect(inRegion('prod', 'eu-west-1')).toBe('NBA-Simulator-monthly-cost-prod-eu-west-1');
  });
});

describe('SSE-KMS data-lake buckets (bucketKmsKeyArns)', () => {
  const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const INVENTORY_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef';
  const built = synthStack(
    {
      bucketKmsKeyArns: { 'nba-sim-raw-data-lake': KEY, 'lake-inventory': INVENTORY_KEY, 'not-read-by-anyone': KEY },
      s3: { scanMode: 'inventory', inventory: { destinationBucket: 'lake-inventory', configurationId: 'daily' } },
    },
    { stackName: 'Kms' },
  );
  const t = built.template.toJSON();
  const decrypts = (publisher: PublisherId) =>
    roleStatements(t, built.stack.getLogicalId(built.stack.publishers.get(publisher).fn.role!.node.defaultChild as CfnElement)).filter((s) => [s.Action].flat().includes('kms:Decrypt'));

  it('every role that reads objects from the bucket may decrypt with its key, only through S3 of the key region', () => {
    for (const publisher of ['adce', 'dims'] as const) {
      expect(decrypts(publisher)).toEqual([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }]);
    }
  });

  it('listing needs no key: the S3 publisher gets only the key of the inventory bucket it reads', () => {
    expect(decrypts('s3')).toEqual([expect.objectContaining({ Resource: INVENTORY_KEY, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } })]);
    // Without the key map, nobody gets kms:Decrypt on anything.
    expect(JSON.stringify(json)).not.toContain('kms:ViaService');
  });

  it('a key for a bucket no source reads is reported at synth, and an alias is refused', () => {
    const warnings = Annotations.fromStack(built.stack).findWarning('*', Match.stringLikeRegexp('bucketKmsKeyArns names bucket "not-read-by-anyone"'));
    expect(warnings).toHaveLength(1);
    expect(() => synthStack({ bucketKmsKeyArns: { 'nba-sim-raw-data-lake': 'arn:aws:kms:eu-west-1:111122223333:alias/lake' } })).toThrow(
      /bucketKmsKeyArns\.nba-sim-raw-data-lake = "arn:aws:kms:eu-west-1:111122223333:alias\/lake": is not a KMS key ARN .*an alias does not work/,
    );
    expect(() => synthStack({ bucketKmsKeyArns: { 'Bad_Bucket': KEY } })).toThrow(/bucketKmsKeyArns/);
  });
});

describe('service principals act for this account only (confused deputy)', () => {
  const key = ofType(json, 'AWS::KMS::Key')[0]![1].Properties.KeyPolicy.Statement as Json[];
  const account = { Ref: 'AWS::AccountId' };
  const alarmArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', account, ':alarm:*']] };
  const budgetArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::', account, ':*']] };
  const expected: Record<string, Json> = {
    'cloudwatch.amazonaws.com': { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': alarmArn } },
    'budgets.amazonaws.com': { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': budgetArn } },
    // Cost Anomaly Detection documents aws:SourceAccount only.
    'costalerts.amazonaws.com': { StringEquals: { 'aws:SourceAccount': account } },
  };

  it.each(Object.keys(expected))('the key policy lets %s use the key only with aws:SourceAccount (and its documented aws:SourceArn)', (service) => {
    const statements = key.filter((s) => s.Principal?.Service === service);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' });
    expect(statements[0]!.Condition).toEqual(expected[service]);
  });

  it.each(Object.keys(expected))('both topic policies admit %s with the same conditions', (service) => {
    const policies = ofType(json, 'AWS::SNS::TopicPolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      const statements = (policy.Properties.PolicyDocument.Statement as Json[]).filter((s) => s.Principal?.Service === service);
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish' });
      expect(statements[0]!.Condition).toEqual(expected[service]);
    }
  });

  it('every service-principal statement of the stack carries aws:SourceAccount', () => {
    const all = [...key, ...ofType(json, 'AWS::SNS::TopicPolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])];
    const services = all.filter((s) => s.Principal?.Service && s.Effect === 'Allow');
    expect(services.length).toBe(9);
    for (const s of services) expect(s.Condition?.StringEquals?.['aws:SourceAccount'], JSON.stringify(s)).toEqual(account);
  });
});
