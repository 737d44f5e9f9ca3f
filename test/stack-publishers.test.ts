import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHERS } from '../lib/config/schema';
import { synthStack } from './support/synth';

type Json = Record<string, any>;

const resources = (template: Template, type: string): Array<[string, Json]> => Object.entries(template.findResources(type));

/** The Lambda function of a publisher, by its construct path (Publishers/<Id>/Function). */
function functionOf(template: Template, id: string): [string, Json] {
  const found = resources(template, 'AWS::Lambda::Function').filter(([logicalId]) => logicalId.startsWith(`MonitoringPublishers${id}Function`));
  expect(found, `function of ${id}`).toHaveLength(1);
  return found[0]!;
}

/** Every policy statement attached to the role of a function. */
function statementsOf(template: Template, fn: Json): Json[] {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const actionsOf = (statements: Json[]) => statements.flatMap((s) => [s.Action].flat());
const IDS = { s3: 'S3', adce: 'Adce', dims: 'Dims', cost: 'Cost' } as const;

describe('publishers in the template (default config)', () => {
  let template: Template;
  let stack: Json;
  beforeAll(() => {
    const synth = synthStack({ dataLakeBucket: 'lake-bucket' });
    template = synth.template;
    stack = synth.stack;
  });

  it('four arm64 Node 24 functions with JSON logs, active tracing, the validated config, no reserved concurrency', () => {
    for (const id of Object.values(IDS)) {
      const [, fn] = functionOf(template, id);
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON' },
        TracingConfig: { Mode: 'Active' },
      });
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      const config = JSON.parse(fn.Properties.Environment.Variables.MONITOR_CONFIG);
      expect(config.dataLakeBucket).toBe('lake-bucket');
      expect(Buffer.byteLength(JSON.stringify(fn.Properties.Environment.Variables))).toBeLessThan(4096);
    }
    expect(resources(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('MonitoringPublishers'))).toHaveLength(4);
  });

  it('each runs on an EventBridge Scheduler rate from config with retries and the encrypted TLS-only failed-runs queue as DLQ', () => {
    const schedules = resources(template, 'AWS::Scheduler::Schedule');
    const expected = { S3: 'rate(2 hours)', Adce: 'rate(5 minutes)', Dims: 'rate(6 hours)', Cost: 'rate(1 day)' };
    for (const [id, rate] of Object.entries(expected)) {
      const [fnId] = functionOf(template, id);
      const schedule = schedules.find(([, s]) => s.Properties.Target.Arn['Fn::GetAtt']?.[0] === fnId);
      expect(schedule, `schedule of ${id}`).toBeDefined();
      const props = schedule![1].Properties;
      expect(props.ScheduleExpression).toBe(rate);
      expect(props.State).toBe('ENABLED');
      expect(props.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
      const dlqId = props.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
      expect(dlqId).toMatch(/^MonitoringPublishersFailedRuns/);
      expect(template.toJSON().Resources[dlqId].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
      const policies = resources(template, 'AWS::SQS::QueuePolicy').filter(([, p]) => p.Properties.Queues.some((q: Json) => q.Ref === dlqId));
      expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('schedules follow config; every schedule passes its scheduled time (dashboard cadences); no breakdown, no Cost Explorer grant', () => {
    const { template: t } = synthStack({ adce: { scheduleMinutes: 15 }, cost: { scheduleMinutes: 720, topServices: 0 } });
    const schedules = resources(t, 'AWS::Scheduler::Schedule');
    expect(schedules.map(([, s]) => s.Properties.ScheduleExpression).sort()).toEqual(['rate(12 hours)', 'rate(15 minutes)', 'rate(2 hours)', 'rate(6 hours)']);
    for (const [id, s] of schedules) expect(JSON.parse(s.Properties.Target.Input), id).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(actionsOf(statementsOf(t, functionOf(t, 'Cost')[1])).filter((a) => a.startsWith('ce:'))).toEqual([]);
  });

  it('log groups keep logs for config.logRetentionDays (rounded up to a value CloudWatch Logs offers)', () => {
    for (const id of Object.values(IDS)) {
      const [, fn] = functionOf(template, id);
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    }
    const { template: t } = synthStack({ logRetentionDays: 10 });
    const [, fn] = functionOf(t, 'Adce');
    expect(t.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays).toBe(14);
  });

  it('PutMetricData only into the own namespace (condition cloudwatch:namespace)', () => {
    const own = { S3: 'NBA-Simulator/DataCollection', Adce: 'NBA-Simulator/ADCE', Dims: 'NBA-Simulator/DIMS', Cost: 'NBA-Simulator/Costs' };
    for (const [id, namespace] of Object.entries(own)) {
      const put = statementsOf(template, functionOf(template, id)[1]).filter((s) => actionsOf([s]).includes('cloudwatch:PutMetricData'));
      expect(put, id).toHaveLength(1);
      expect([put[0]!.Condition.StringEquals['cloudwatch:namespace']].flat()).toEqual([namespace]);
      expect(put[0]!.Resource).toBe('*');
    }
  });

  it('Budgets and Cost Explorer only for the cost function; GetMetricData only for DIMS; no AWS managed policies', () => {
    for (const id of Object.values(IDS)) {
      const actions = actionsOf(statementsOf(template, functionOf(template, id)[1]));
      expect(actions.some((a) => a.startsWith('ce:')), id).toBe(id === 'Cost');
      expect(actions.some((a) => a.startsWith('budgets:')), id).toBe(id === 'Cost');
      expect(actions.includes('cloudwatch:GetMetricData'), id).toBe(id === 'Dims');
      expect(actions.some((a) => a.startsWith('s3:Put')), id).toBe(id === 'Adce');
    }
    const costStatements = statementsOf(template, functionOf(template, 'Cost')[1]);
    // Month to date and forecast: ViewBudget on the stack's one budget, nothing else of Budgets.
    const budgetStatements = costStatements.filter((s) => actionsOf([s]).some((a) => a.startsWith('budgets:')));
    expect(budgetStatements).toEqual([
      expect.objectContaining({
        Action: 'budgets:ViewBudget',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::', { Ref: 'AWS::AccountId' }, ':budget/NBA-Simulator-monthly-cost-', { Ref: 'AWS::Region' }]] },
      }),
    ]);
    // Cost Explorer only for the per-service breakdown: no forecast, no other call.
    expect(actionsOf(costStatements).filter((a) => a.startsWith('ce:'))).toEqual(['ce:GetCostAndUsage']);
    const env = functionOf(template, 'Cost')[1].Properties.Environment.Variables;
    // The budget the stack creates (named per region: Budgets are account-wide).
    const [[, budget]] = resources(template, 'AWS::Budgets::Budget');
    expect(budget!.Properties.Budget.BudgetName).toEqual({ 'Fn::Join': ['', ['NBA-Simulator-monthly-cost-', { Ref: 'AWS::Region' }]] });
    expect(env).toMatchObject({ COST_BUDGET_NAME: budget!.Properties.Budget.BudgetName, COST_BUDGET_ACCOUNT: { Ref: 'AWS::AccountId' } });
    for (const [id, role] of resources(template, 'AWS::IAM::Role').filter(([rid]) => rid.startsWith('MonitoringPublishers'))) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('S3 reads are limited to the named bucket and keys', () => {
    const objectArns = (id: string) =>
      statementsOf(template, functionOf(template, id)[1])
        .filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:GetObject')))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r));
    const adce = objectArns('Adce');
    expect(adce.some((r) => r.includes(':s3:::lake-bucket/adce/gaps.json'))).toBe(true);
    expect(adce.some((r) => r.includes(':s3:::lake-bucket/adce/runs/*'))).toBe(true);
    expect(adce.some((r) => r.includes('PublishersStateBucket') && r.includes('/adce/cursor.json'))).toBe(true);
    expect(adce.filter((r) => r.includes('lake-bucket/'))).toHaveLength(2);
    expect(objectArns('Dims').filter((r) => r.includes('lake-bucket/'))).toEqual([expect.stringContaining(':s3:::lake-bucket/inventory/metrics.yaml')]);
    expect(objectArns('Cost')).toEqual([]);
    // List mode: the S3 publisher lists the data lake, reads no object.
    expect(objectArns('S3')).toEqual([]);
    const list = statementsOf(template, functionOf(template, 'S3')[1]).filter((s) => actionsOf([s]).includes('s3:ListBucket'));
    expect(JSON.stringify(list)).toContain(':s3:::lake-bucket"');
    // The cursor is written with conditional PUTs to one key only.
    const put = statementsOf(template, functionOf(template, 'Adce')[1]).filter((s) => actionsOf([s]).includes('s3:PutObject'));
    expect(put.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r))).toEqual([expect.stringContaining('/adce/cursor.json')]);
  });

  it('the ADCE function knows its cursor; the state bucket is encrypted, private and TLS-only', () => {
    const [, fn] = functionOf(template, 'Adce');
    expect(fn.Properties.Environment.Variables).toMatchObject({ ADCE_CURSOR_BUCKET: { Ref: expect.stringMatching(/^MonitoringPublishersStateBucket/) }, ADCE_CURSOR_KEY: 'adce/cursor.json' });
    const [[bucketId, bucket]] = resources(template, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('MonitoringPublishersStateBucket'));
    expect(bucket!.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket!.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    const policy = resources(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId);
    expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
  });

  it('the construct exposes its publisher and schedule minutes', () => {
    const publishers = stack.publishers;
    expect(Object.keys(publishers.byId).sort()).toEqual([...PUBLISHERS].sort());
    const adce = publishers.get('adce');
    expect(adce.scheduleMinutes).toBe(5);
    expect(adce.publisher).toBe('adce');
    expect(publishers.get('cost').scheduleMinutes).toBe(1440);
    expect(publishers.all().map((p: Json) => p.publisher)).toEqual([...PUBLISHERS]);
  });
});

describe('S3 inventory mode', () => {
  it('reads only the inventory reports of this bucket and configuration', () => {
    const { template } = synthStack({
      dataLakeBucket: 'lake-bucket',
      s3: { scanMode: 'inventory', inventory: { destinationBucket: 'inv-bucket', destinationPrefix: 'reports/', configurationId: 'daily' } },
    });
    const statements = statementsOf(template, functionOf(template, 'S3')[1]);
    const gets = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:GetObject'))).flatMap((s) => [s.Resource].flat());
    expect(JSON.stringify(gets)).toContain(':s3:::inv-bucket/reports/lake-bucket/daily/*');
    expect(JSON.stringify(gets)).not.toContain('lake-bucket/*"');
  });

  it('without a destination prefix, reads <source-bucket>/<config-id>/ (the path the job reads, inventoryBase)', () => {
    const { template } = synthStack({ dataLakeBucket: 'lake-bucket', s3: { scanMode: 'inventory', inventory: { destinationBucket: 'inv-bucket', configurationId: 'daily' } } });
    const statements = statementsOf(template, functionOf(template, 'S3')[1]);
    const gets = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:GetObject'))).flatMap((s) => [s.Resource].flat());
    expect(JSON.stringify(gets)).toContain(':s3:::inv-bucket/lake-bucket/daily/*"');
  });
});
