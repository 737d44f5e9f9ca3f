import { tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsPerMonth } from '../lib/cost/model';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';
import { synthStack } from './support/synth';

const alarm = (i: number) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: { AlarmName: `A${i}`, Namespace: 'NBA-Simulator/ADCE', MetricName: 'ADCEQueueDepth', Statistic: 'Maximum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' },
});
const stat = (name: string, period: number) => ({ Metric: { Namespace: 'NBA-Simulator/ADCE', MetricName: name }, Period: period, Stat: 'Sum' });
const lambda = (memory: number, arm: boolean, tracing = false) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { MemorySize: memory, ...(arm ? { Architectures: ['arm64'] } : {}), ...(tracing ? { TracingConfig: { Mode: 'Active' } } : {}), Runtime: 'nodejs24.x' },
});
const schedule = (expression: string, fn: string) => ({
  Type: 'AWS::Scheduler::Schedule',
  Properties: { ScheduleExpression: expression, FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, RoleArn: 'arn:aws:iam::1:role/x' } },
});

/** A small stack whose cost is computed by hand below. */
const TEMPLATE = {
  Resources: {
    AlertKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
    Critical: { Type: 'AWS::SNS::Topic', Properties: {} },
    CriticalEmail: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: 'Critical' } } },
    CriticalSms: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'sms', Endpoint: '+14155550123', TopicArn: { Ref: 'Critical' } } },
    AdcePublisher: lambda(256, true, true),
    AdceSchedule: schedule('rate(5 minutes)', 'AdcePublisher'),
    S3Publisher: lambda(1024, true),
    S3Schedule: schedule('rate(1 hour)', 'S3Publisher'),
    CostPublisher: lambda(128, false),
    CostSchedule: schedule('cron(0 6 * * ? *)', 'CostPublisher'),
    LogRetentionHelper: lambda(128, false),
    ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`Alarm${i}`, alarm(i)])),
    MathAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Metrics: [{ Id: 'e', Expression: 'm1/(m1+m2)' }, { Id: 'm1', MetricStat: stat('ADCETasksFailed', 300), ReturnData: false }, { Id: 'm2', MetricStat: stat('ADCETasksCompleted', 300), ReturnData: false }] },
    },
    AnomalyAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { ThresholdMetricId: 'ad1', Metrics: [{ Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)' }, { Id: 'm1', MetricStat: stat('ADCEQueueDepth', 3600) }] },
    },
    HighResAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: 'NBA-Simulator/ADCE', MetricName: 'ADCEQueueDepth', Period: 10, Statistic: 'Maximum' } },
    Unhealthy: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: 'ALARM(A1)' } },
    Degraded: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: 'ALARM(A2)' } },
    ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`Dashboard${i}`, { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: '{}' } }])),
    ErrorFilter: {
      Type: 'AWS::Logs::MetricFilter',
      Properties: { FilterPattern: '{ $.level = "ERROR" }', LogGroupName: 'x', MetricTransformations: [{ MetricNamespace: 'NBA-Simulator/Monitoring', MetricName: 'PublisherErrors', MetricValue: '1', DefaultValue: 0 }] },
    },
    CostAnomalies: { Type: 'AWS::CE::AnomalyMonitor', Properties: {} },
    Dlq: { Type: 'AWS::SQS::Queue', Properties: {} },
  },
};

function assembly(templates: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
  for (const [name, t] of Object.entries(templates)) writeFileSync(join(dir, `${name}.template.json`), JSON.stringify(t));
  return dir;
}

// The full profile: per-priority and per-service metrics are custom metrics here.
const config = configFile({ profile: 'full', pipelineOperations: ['Load'], adce: { priorities: ['high'] }, cost: { topServices: 2 } });
const FLAGS = [
  '--pipeline-hours-per-day', '3', '--pipeline-requests-per-day', '100', '--run-seconds', 'adce=2,s3=20,cost=4', '--bucket-objects', '25000',
  '--bucket-prefixes', '4', '--ce-requests-per-breakdown', '1', '--log-kb-per-run', '10', '--notifications-per-month', '40',
];

async function estimate(app: string, ...extra: string[]) {
  const io = captureIO();
  const code = await main(['--config', config, 'cost-estimate', '--app', app, ...FLAGS, ...extra], io);
  return { code, io, lastLine: io.stdout.trimEnd().split('\n').at(-1) };
}

describe('monitor cost-estimate', () => {
  /*
   * Hand computation (month = 730 h = 43,800 min = 30.4167 days):
   * runs: ADCE rate(5 minutes) = 8,760; S3 rate(1 hour) = 730; cost cron(0 6 * * ? *) = 30.4167; no DIMS function.
   * custom metrics (metric-months = sets x billed hours / 730):
   *   S3: ObjectCount, StaleSources {Bucket} = 2 x 730 h = 2 (per-prefix metrics are off);
   *       TotalSizeGB is sent every 360 min: 43,800 / 360 = 121.67 h = 0.1667
   *   ADCE: QueueDepth, QueueTasks{Priority=high}, Backlog, QueueAge, LastRunAge, Completed, Failed, Skipped, SuccessRate = 9 x 730 h = 9
   *   cost: MonthlyAWSCost, BudgetUtilization, Forecasted x2, ServiceMonthlyCost x2 services = 6 x 30.4167 h = 0.25
   *   pipeline (3 h/day = 91.25 h): S3UploadFailures, ValidationPassRate, LoadDuration{success,failure} = 4 x 91.25 h = 0.5
   *   metric filter with DefaultValue: 1 x 730 h = 1
   *   total 12.9167 - 10 free = 2.9167 x $0.30 = $0.875
   * alarms: 12 standard + math (2 metrics) = 14 x $0.10 = $1.40; anomaly 3 x $0.10 = $0.30; high-res 1 x $0.30;
   *   composites 2 x $0.50 = $1.00; free -10 x $0.10 = -$1.00  => $2.00
   * dashboards: 5 - 3 free = 2 x $3 = $6.00
   * PutMetricData: 100 x 30.4167 + 8,760 + 730 + 30.4167 = 12,562 requests < 1M free => $0
   * Lambda: ADCE 8,760 x 0.25 GB x 2 s = 4,380 GB-s; S3 730 x 1 GB x 20 s = 14,600; cost 30.4167 x 0.125 x 4 = 15.2; 9,520 requests:
   *   all within 400,000 GB-s and 1M requests => $0;  Scheduler 9,520 < 14M => $0
   * AWS Budgets: 30.4167 DescribeBudget, free; Cost Explorer: one breakdown a day (serviceBreakdownMinutes 1440) x 1 request = $0.3042
   * S3: publisher LIST 730 x (ceil(25 pages x 1.25: one partial page per range of 4) + 2 x 4 prefixes + 1 = 41)
   *   = 29,930 x $0.005/1000 = $0.14965;
   *   ADCE 8,760 LIST x $0.005/1000 + 17,520 GET x $0.0004/1000 = $0.0438 + $0.0070 = $0.0508
   * logs 9,520 x 10 KB = 0.091 GB < 5 GB free => $0; X-Ray 8,760 traces < 100,000 => $0; SNS 40 emails < 1,000 => $0
   * KMS: 1 key = $1.00
   * total = 0.875 + 2.00 + 6.00 + 0.3042 + 0.14965 + 0.0508 + 1.00 = $10.3796 => $10.38
   */
  it('matches the hand-computed monthly total of a small stack, line by line', async () => {
    const { code, io, lastLine } = await estimate(assembly({ Synthetic: TEMPLATE }));
    expect(code).toBe(0);
    expect(lastLine).toBe('Total: $10.38/month');
    expect(io.stdout).toMatch(/Custom metrics: \$0\.88\n/);
    expect(io.stdout).toMatch(/S3TotalSizeGB \{Bucket=nba-sim-raw-data-lake\} \(sent every 360 min\)\s+1 x 121\.7 h = 0\.167 metric-months\s+\$0\.05/);
    expect(io.stdout).toMatch(/NBA-Simulator\/ADCE\/ADCEQueueTasks \{Priority=\*\}\s+1 x 730\.0 h = 1\.000 metric-months\s+\$0\.30/);
    expect(io.stdout).toMatch(/NBA-Simulator\/Costs\/ServiceMonthlyCost \{Service=\*\}\s+2 x 30\.4 h = 0\.083 metric-months\s+\$0\.03/);
    expect(io.stdout).toMatch(/NBA-Simulator\/Monitoring\/PublisherErrors \(metric filter ErrorFilter\)\s+1 x 730\.0 h/);
    expect(io.stdout).toMatch(/free tier: 10 metrics\s+-10\.000 metric-months\s+-\$3\.00/);
    expect(io.stdout).toMatch(/Alarms: \$2\.00\n/);
    expect(io.stdout).toMatch(/metric-math alarms \(billed per metric in the expression\)\s+1 alarms = 2 alarm metrics\s+\$0\.20/);
    expect(io.stdout).toMatch(/anomaly detection alarms \(3 alarm metrics per metric\)\s+1 alarms = 3 alarm metrics\s+\$0\.30/);
    expect(io.stdout).toMatch(/Dashboards: \$6\.00\n/);
    expect(io.stdout).toMatch(/Cost Explorer: \$0\.30\n/);
    expect(io.stdout).toMatch(/GetCostAndUsage \(per-service breakdown every 1440 min\)\s+30\.4 breakdowns x 1 requests = 30\.4/);
    expect(io.stdout).toMatch(/AWS Budgets: \$0\.00\n\s+DescribeBudget/);
    expect(io.stdout).toMatch(/S3 publisher: LIST \(partitioned scan\)\s+730 runs x 41 requests .* = 29,930\s+\$0\.15/);
    expect(io.stdout).toMatch(/Lambda: \$0\.00\n/);
    expect(io.stdout).toMatch(/KMS: \$1\.00\n/);
    expect(io.stdout).toMatch(/No scheduled dims publisher in the template/);
    expect(io.stdout).toMatch(/Functions without a schedule .*: LogRetentionHelper/);
    expect(io.stdout).toMatch(/SMS: not estimated/);
  });

  /*
   * Without the free tier: metrics 12.9167 x 0.30 = 3.875; alarms 1.40 + 0.30 + 0.30 + 1.00 = 3.00; dashboards 5 x 3 = 15;
   * PutMetricData 12,562 x 0.01/1000 = 0.1256; Lambda (4,380 + 14,600) x 0.0000133334 + 15.2 x 0.0000166667 + 9,520 x 0.2/1M = 0.2552;
   * Scheduler 9,520 x 1/1M = 0.0095; CE 0.3042; S3 0.14965 + 0.0508 = 0.20045; logs 0.0908 GB x 0.5 = 0.0454;
   * X-Ray 8,760 x 5/1M = 0.0438; KMS 1; SNS 40 x 2/100,000 = 0.0008  => 23.8596 => $23.86
   */
  it('matches the hand-computed total without the free tier', async () => {
    const { code, lastLine, io } = await estimate(assembly({ Synthetic: TEMPLATE }), '--no-free-tier', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.totalUsd).toBe(23.86);
    expect(report.lines.some((l: { item: string }) => /free tier/.test(l.item))).toBe(false);
    expect(lastLine).toBe('}');
  });

  it('says to run `npx cdk synth` when there is no template', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cdk-out-empty-'));
    const missing = await estimate(join(empty, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.io.stderr).toMatch(/no cloud assembly at .*nope: run `npx cdk synth` first/);
    mkdirSync(join(empty, 'cdk.out'));
    const none = await estimate(join(empty, 'cdk.out'));
    expect(none.code).toBe(2);
    expect(none.io.stderr).toMatch(/no \*\.template\.json in .*cdk\.out: run `npx cdk synth` first/);
  });

  it('uses the config the template was synthesized with (MONITOR_CONFIG) when no config is named', async () => {
    const app = assembly({
      Stack: {
        Resources: {
          Dims: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512, Architectures: ['arm64'], Environment: { Variables: { MONITOR_CONFIG: JSON.stringify({ pipelineOperations: [], dims: { extraMetrics: ['code_base.ml_scripts'] } }) } } } },
          DimsSchedule: schedule('rate(6 hours)', 'Dims'),
        },
      },
    });
    const io = captureIO();
    expect(await main(['cost-estimate', '--app', app, '--pipeline-hours-per-day', '0'], io)).toBe(0);
    expect(io.stdout).toMatch(/Config: MONITOR_CONFIG in the template/);
    // DIMS runs 6-hourly (121.7 billed hours) for what its alarms read; its recorded values, the
    // configured extra one included, are sent once a day as DIMS verifies (30.4 h).
    expect(io.stdout).toMatch(/NBA-Simulator\/DIMS\/DIMS_VerificationAgeHours\s+1 x 121\.7 h = 0\.167 metric-months/);
    expect(io.stdout).toMatch(/NBA-Simulator\/DIMS\/DIMS_CodeBaseMlScripts \(sent every 1440 min\)\s+1 x 30\.4 h = 0\.042 metric-months/);
    expect(io.stdout).not.toMatch(/NBA-Simulator\/Performance\//);
    expect(io.stdout).toMatch(/GetMetricData \(DIMS drift/);
  });

  it('rejects a bad assumption flag', async () => {
    const { code, io } = await estimate(assembly({ Synthetic: TEMPLATE }), '--run-seconds', 'scraper=5');
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/--run-seconds "scraper=5" must look like PUBLISHER=SECONDS/);
  });
});

describe('schedule expressions', () => {
  it.each([
    ['rate(5 minutes)', 8760],
    ['rate(1 hour)', 730],
    ['rate(6 hours)', 121.667],
    ['rate(1 day)', 30.417],
    ['cron(0 */6 * * ? *)', 121.667],
    ['cron(0 6 ? * MON-FRI *)', 21.726],
    ['cron(0,30 8-17 ? * * *)', 608.333],
    ['cron(0 6 1 * ? *)', 1],
    ['at(2026-12-01T00:00:00)', 0],
  ])('%s runs %d times a month', (expression, runs) => {
    expect(runsPerMonth(expression)).toBeCloseTo(runs, 2);
  });

  it('returns undefined for an expression it cannot read', () => {
    expect(runsPerMonth('every tuesday')).toBeUndefined();
  });
});

describe('monitor cost-estimate prices exactly one stack', () => {
  const defaultStack = synthStack({}, { stackName: 'NBA-Simulator-Monitoring' }).template.toJSON();
  const fullStack = synthStack({ profile: 'full', envName: 'full' }, { stackName: 'NBA-Simulator-Monitoring-full' }).template.toJSON();
  const app = assembly({ 'NBA-Simulator-Monitoring': defaultStack, 'NBA-Simulator-Monitoring-full': fullStack });
  const run = async (...args: string[]) => {
    const io = captureIO();
    const code = await main([...args.slice(0, args.indexOf('cost-estimate')), 'cost-estimate', '--app', app, ...args.slice(args.indexOf('cost-estimate') + 1)], io);
    return { code, io };
  };

  it('with two stacks and no choice, stops and lists them', async () => {
    const { code, io } = await run('cost-estimate');
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/the assembly holds 2 stacks \(.*\): choose one with --stack NAME or --env NAME/);
    expect(io.stderr).toContain('NBA-Simulator-Monitoring [env default]');
    expect(io.stderr).toContain('NBA-Simulator-Monitoring-full [env full]');
    expect(io.stdout).toBe('');
  });

  it('--env prices the stack of that environment with the configuration it records', async () => {
    // A local config of environment "full" (its values are not used: the stack records its own).
    const localFile = join(mkdtempSync(join(tmpdir(), 'cost-env-')), 'full.json');
    writeFileSync(localFile, '{}');
    const { code, io } = await run('--env', 'full', '--config', localFile, 'cost-estimate', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.stack).toBe('NBA-Simulator-Monitoring-full');
    expect(report.templates).toEqual([join(app, 'NBA-Simulator-Monitoring-full.template.json')]);
    expect(report.config).toBe('the configuration recorded in NBA-Simulator-Monitoring-full');
  });

  it('--stack prices that stack only, and the two totals differ', async () => {
    const one = await run('cost-estimate', '--stack', 'NBA-Simulator-Monitoring', '--json');
    const other = await run('cost-estimate', '--stack', 'NBA-Simulator-Monitoring-full', '--json');
    expect(JSON.parse(one.io.stdout).stack).toBe('NBA-Simulator-Monitoring');
    expect(JSON.parse(other.io.stdout).totalUsd).toBeGreaterThan(JSON.parse(one.io.stdout).totalUsd);
    const missing = await run('cost-estimate', '--stack', 'Nope');
    expect(missing.code).toBe(2);
    expect(missing.io.stderr).toMatch(/no stack Nope in the assembly; it holds NBA-Simulator-Monitoring(-full)?, NBA-Simulator-Monitoring(-full)?\./);
  });
});
