import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, ListDashboardsCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { monitoringStackName, parseConfig } from '../lib/config/load';
import type { MonitoringConfigInput } from '../lib/config/schema';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const LOCAL = { alertEmails: ['ops@example.com'], alertPhoneNumbers: ['+14155550123'] };
const config = configFile(LOCAL);

/** A template as the app records it: the validated configuration under Metadata.DataLakeMonitoring. */
function recordedTemplate(input: MonitoringConfigInput) {
  return { TemplateBody: JSON.stringify({ Metadata: { DataLakeMonitoring: { [`${STACK}/Monitoring`]: { config: parseConfig(input) } } }, Resources: {} }) };
}
const STACK = 'NBA-Simulator-Monitoring';
const CRITICAL = 'arn:aws:sns:us-east-1:111122223333:NBA-Simulator-Monitoring-critical-ABC';
const WARNING = 'arn:aws:sns:us-east-1:111122223333:NBA-Simulator-Monitoring-warning-XYZ';
const ALARMS = ['ADCE-HighFailureRate', 'S3-UploadFailures', 'Monitoring-Unhealthy'];
const DASHBOARDS = ['NBA-Simulator-DataCollection', 'NBA-Simulator-Performance-Costs', 'NBA-Simulator-ADCE-Health'];

function resource(type: string, id: string) {
  return { LogicalResourceId: id.replace(/[^A-Za-z0-9]/g, ''), PhysicalResourceId: id, ResourceType: type, ResourceStatus: 'CREATE_COMPLETE' as const, LastUpdatedTimestamp: new Date() };
}

/** Metrics whose name is listed have no datum in the queried window. */
function metricData(stale: string[] = []) {
  return (input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => {
      const fresh = !stale.includes(q.MetricStat!.Metric!.MetricName!);
      return { Id: q.Id, StatusCode: 'Complete', Timestamps: fresh ? [new Date(input.EndTime!.getTime() - 60_000)] : [], Values: fresh ? [1] : [] };
    }),
  });
}

function allGreen() {
  cfn.reset();
  cw.reset();
  sns.reset();
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: STACK, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
  cfn.on(GetTemplateCommand).resolves(recordedTemplate(LOCAL));
  cfn.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      resource('AWS::SNS::Topic', CRITICAL),
      resource('AWS::SNS::Topic', WARNING),
      resource('AWS::CloudWatch::Alarm', ALARMS[0]!),
      resource('AWS::CloudWatch::Alarm', ALARMS[1]!),
      resource('AWS::CloudWatch::CompositeAlarm', ALARMS[2]!),
      ...DASHBOARDS.map((d) => resource('AWS::CloudWatch::Dashboard', d)),
      resource('AWS::Lambda::Function', 'adce-publisher'),
    ],
  });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: CRITICAL }).resolves({
    Subscriptions: [
      { TopicArn: CRITICAL, Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${CRITICAL}:1111` },
      { TopicArn: CRITICAL, Protocol: 'sms', Endpoint: '+14155550123', SubscriptionArn: `${CRITICAL}:2222` },
    ],
  });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: WARNING }).resolves({
    Subscriptions: [{ TopicArn: WARNING, Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${WARNING}:3333` }],
  });
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: ALARMS.slice(0, 2).map((AlarmName) => ({ AlarmName, StateValue: 'OK', StateReason: 'Threshold Crossed: no', ActionsEnabled: true })),
    CompositeAlarms: [{ AlarmName: ALARMS[2], StateValue: 'OK', ActionsEnabled: true }],
  });
  cw.on(ListDashboardsCommand).resolves({ DashboardEntries: [...DASHBOARDS, 'someone-elses'].map((DashboardName) => ({ DashboardName })) });
  cw.on(GetMetricDataCommand).callsFake(metricData());
}

const verify = (...args: string[]) => ['--config', config, 'verify', ...args];

describe('monitor verify', () => {
  beforeEach(allGreen);

  it('is green and exits 0 when everything is confirmed, fresh, OK and present', async () => {
    const io = captureIO();
    expect(await main(verify(), io)).toBe(0);
    expect(io.stdout).toMatch(/NBA-Simulator-Monitoring: all green \(\d+ ok, 0 warning\(s\), 0 failed\)/);
    expect(io.stdout).toMatch(/subscription\s+critical: sms \+14155550123\s+ok\s+confirmed/);
    expect(io.stderr).toBe('');
  });

  it('queries every dimension set of every every-run metric over the heartbeat window of its publisher (2 schedule intervals)', async () => {
    const io = captureIO();
    await main(verify('--json'), io);
    const queries = cw.commandCalls(GetMetricDataCommand).flatMap((c) => {
      const input = c.args[0].input;
      const minutes = (input.EndTime!.getTime() - input.StartTime!.getTime()) / 60_000;
      return input.MetricDataQueries!.map((q) => ({ name: q.MetricStat!.Metric!.MetricName!, dims: q.MetricStat!.Metric!.Dimensions, minutes }));
    });
    const byName = (name: string) => queries.filter((q) => q.name === name);
    expect(byName('S3ObjectCount')).toEqual([{ name: 'S3ObjectCount', dims: [{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }], minutes: 240 }]);
    // Standard profile: tasks by priority are log lines, not metrics to check.
    expect(byName('ADCEQueueTasks')).toEqual([]);
    expect(byName('ADCEQueueDepth')[0]!.minutes).toBe(10);
    // A dashboard-only metric sent once a day: 2 of its sends, not 2 DIMS runs.
    expect(byName('DIMS_S3Objects')[0]).toEqual({ name: 'DIMS_S3Objects', dims: [{ Name: 'Source', Value: 'DIMS' }], minutes: 2880 });
    expect(byName('DIMS_VerificationAgeHours')[0]!.minutes).toBe(720);
    expect(byName('MonthlyAWSCost')[0]!.minutes).toBe(2880);
    // Only sent when there is something to report: not a heartbeat, not checked.
    expect(byName('ADCESuccessRate')).toEqual([]);
    expect(byName('S3UploadFailures')).toEqual([]);
    expect(JSON.parse(io.stdout).ok).toBe(true);
  });

  describe('pipeline operations with an expected cadence', () => {
    const CADENCE: MonitoringConfigInput = {
      ...LOCAL,
      pipelineOperations: ['Validation', { name: 'DataExtraction', expectedEveryHours: 24 }, { name: 'S3Upload', expectedEveryHours: 0.5 }],
    };
    const withCadence = configFile(CADENCE);
    // The rows follow the configuration the stack was deployed with.
    beforeEach(() => {
      cfn.on(GetTemplateCommand).resolves(recordedTemplate(CADENCE));
    });
    /** `<Operation>Duration` datums present only for these `Operation/Status` pairs. */
    const runs = (present: string[]) => (input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q) => {
        const m = q.MetricStat!.Metric!;
        const status = m.Dimensions?.find((d) => d.Name === 'Status')?.Value;
        const op = m.MetricName!.replace(/Duration$/, '');
        const fresh = status === undefined || present.includes(`${op}/${status}`);
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: fresh ? [new Date(input.EndTime!.getTime() - 10 * 60_000)] : [], Values: fresh ? [1] : [] };
      }),
    });

    it('one row per operation with a cadence: a run of any Status within 2 intervals is ok', async () => {
      cw.on(GetMetricDataCommand).callsFake(runs(['DataExtraction/failure', 'S3Upload/success']));
      const io = captureIO();
      expect(await main(['--config', withCadence, 'verify', '--json'], io)).toBe(0);
      const rows = JSON.parse(io.stdout).checks.filter((c: { kind: string }) => c.kind === 'operation');
      expect(rows).toEqual([
        { kind: 'operation', name: 'DataExtraction (every 24 h)', status: 'ok', detail: 'last run 10 min ago, failure (within 48 h)' },
        { kind: 'operation', name: 'S3Upload (every 30 min)', status: 'ok', detail: 'last run 10 min ago, success (within 1 h)' },
      ]);
      // Both Status series over the heartbeat window, like the alarm.
      const queried = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input).filter((i) => i.MetricDataQueries![0]!.MetricStat!.Metric!.MetricName === 'DataExtractionDuration');
      expect(queried).toHaveLength(1);
      expect((queried[0]!.EndTime!.getTime() - queried[0]!.StartTime!.getTime()) / 3_600_000).toBe(48);
      expect(queried[0]!.MetricDataQueries!.map((q) => q.MetricStat!.Metric!.Dimensions)).toEqual([[{ Name: 'Status', Value: 'success' }], [{ Name: 'Status', Value: 'failure' }]]);
    });

    it('goes red when an operation sent no datum of any Status within 2 intervals; plain names get no row', async () => {
      cw.on(GetMetricDataCommand).callsFake(runs(['S3Upload/failure']));
      const io = captureIO();
      expect(await main(['--config', withCadence, 'verify'], io)).toBe(1);
      expect(io.stdout).toMatch(/operation\s+DataExtraction \(every 24 h\)\s+FAIL\s+no DataExtractionDuration datum of any Status in the last 48 h \(2 intervals\): is its job running\?/);
      expect(io.stdout).toMatch(/operation\s+S3Upload \(every 30 min\)\s+ok/);
      expect(io.stdout).not.toMatch(/operation\s+Validation/);
      expect(io.stdout).toMatch(/NOT green \(\d+ ok, 0 warning\(s\), 1 failed\)/);
    });
  });

  it('goes red on a pending subscription and names it', async () => {
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: WARNING }).resolves({
      Subscriptions: [{ TopicArn: WARNING, Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: 'PendingConfirmation' }],
    });
    const io = captureIO();
    expect(await main(verify(), io)).toBe(1);
    expect(io.stdout).toMatch(/subscription\s+warning: email ops@example\.com\s+FAIL\s+PendingConfirmation: open the "AWS Notification - Subscription Confirmation" email/);
    expect(io.stdout).toMatch(/NOT green \(\d+ ok, 0 warning\(s\), 1 failed\)/);
  });

  it('goes red on a configured recipient that is not subscribed', async () => {
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: CRITICAL }).resolves({
      Subscriptions: [{ TopicArn: CRITICAL, Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${CRITICAL}:1` }],
    });
    const io = captureIO();
    expect(await main(verify(), io)).toBe(1);
    expect(io.stdout).toMatch(/critical: sms \+14155550123\s+FAIL\s+configured but not subscribed/);
  });

  it('reads every page of subscriptions, stack resources and dashboards', async () => {
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: CRITICAL }).resolves({
      Subscriptions: [{ TopicArn: CRITICAL, Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${CRITICAL}:1` }],
      NextToken: 'subs-2',
    });
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: CRITICAL, NextToken: 'subs-2' }).resolves({
      Subscriptions: [{ TopicArn: CRITICAL, Protocol: 'sms', Endpoint: '+14155550123', SubscriptionArn: 'PendingConfirmation' }],
    });
    cw.on(ListDashboardsCommand).resolves({ DashboardEntries: [{ DashboardName: DASHBOARDS[0] }], NextToken: 'dash-2' });
    cw.on(ListDashboardsCommand, { NextToken: 'dash-2' }).resolves({ DashboardEntries: DASHBOARDS.slice(1).map((DashboardName) => ({ DashboardName })) });
    const io = captureIO();
    expect(await main(verify(), io)).toBe(1);
    // The second page's pending SMS is found (not reported as "not subscribed"), and every dashboard is present.
    expect(io.stdout).toMatch(/subscription\s+critical: sms \+14155550123\s+FAIL\s+PendingConfirmation/);
    expect(io.stdout).not.toMatch(/not subscribed/);
    expect(io.stdout).not.toMatch(/not in ListDashboards/);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand, { TopicArn: CRITICAL })).toHaveLength(2);
    expect(io.stdout).toMatch(/NOT green \(\d+ ok, 0 warning\(s\), 1 failed\)/);
  });

  it('goes red on a stale metric and says which publisher to look at', async () => {
    cw.on(GetMetricDataCommand).callsFake(metricData(['DIMS_PythonFiles']));
    const io = captureIO();
    expect(await main(verify('--json'), io)).toBe(1);
    const result = JSON.parse(io.stdout);
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([
      { kind: 'metric', name: 'NBA-Simulator/DIMS/DIMS_PythonFiles', status: 'fail', detail: 'no data in the last 2880 min (2 sends of a metric sent every 1440 min): is the dims publisher running? (its Lambda logs)' },
    ]);
  });

  it('goes red on an alarm in ALARM, with its reason', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: ALARMS[0], StateValue: 'ALARM', StateReason: 'Threshold Crossed: 2 datapoints [80.0, 75.0] < 95.0', ActionsEnabled: true },
        { AlarmName: ALARMS[1], StateValue: 'OK', ActionsEnabled: true },
      ],
      CompositeAlarms: [{ AlarmName: ALARMS[2], StateValue: 'OK', ActionsEnabled: true }],
    });
    const io = captureIO();
    expect(await main(verify(), io)).toBe(1);
    expect(io.stdout).toMatch(/alarm\s+ADCE-HighFailureRate\s+FAIL\s+ALARM: Threshold Crossed: 2 datapoints \[80\.0, 75\.0\] < 95\.0/);
  });

  it('warns (not fails) on INSUFFICIENT_DATA; --strict makes warnings fail', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: ALARMS.slice(0, 2).map((AlarmName) => ({ AlarmName, StateValue: 'OK', ActionsEnabled: true })),
      CompositeAlarms: [{ AlarmName: ALARMS[2], StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', ActionsEnabled: true }],
    });
    expect(await main(verify(), captureIO())).toBe(0);
    const io = captureIO();
    expect(await main(verify('--strict'), io)).toBe(1);
    expect(io.stdout).toMatch(/Monitoring-Unhealthy\s+WARN\s+INSUFFICIENT_DATA: Unchecked: Initial alarm creation/);
  });

  it('goes red when a dashboard of the stack is missing or an alarm cannot be found', async () => {
    cw.on(ListDashboardsCommand).resolves({ DashboardEntries: [{ DashboardName: DASHBOARDS[0] }, { DashboardName: DASHBOARDS[1] }] });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: ALARMS[0], StateValue: 'OK', ActionsEnabled: true }], CompositeAlarms: [] });
    const io = captureIO();
    expect(await main(verify(), io)).toBe(1);
    expect(io.stdout).toMatch(/dashboard\s+NBA-Simulator-ADCE-Health\s+FAIL\s+in the stack but not in ListDashboards/);
    expect(io.stdout).toMatch(/alarm\s+S3-UploadFailures\s+FAIL\s+in the stack but not found by DescribeAlarms/);
  });

  it('goes red with a clear message when the stack does not exist, naming the stack it looked for', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Other does not exist'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } }));
    const io = captureIO();
    expect(await main(verify('--stack', 'Other'), io)).toBe(1);
    expect(cfn.commandCalls(DescribeStacksCommand)[0]!.args[0].input.StackName).toBe('Other');
    expect(io.stdout).toMatch(/stack\s+Other\s+FAIL\s+cannot read the stack: ValidationError \(HTTP 400\): Stack with id Other does not exist/);
  });

  it('shows progress on stderr only when stderr is a terminal', async () => {
    const tty = captureIO({ isTTY: true });
    await main(verify(), tty);
    expect(tty.stderr).toMatch(/verify: reading stack NBA-Simulator-Monitoring\nverify: checking SNS subscriptions\n/);
    expect(tty.stderr).toMatch(/verify: checking \d+ every-run metric\(s\)/);
  });
});

describe('default stack name', () => {
  it('is the name the CDK app gives the stack, so `monitor verify` finds it without --stack', () => {
    const stack = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    expect(monitoringStackName(stack.config)).toBe(stack.stackName);
  });

});

describe('monitor verify follows the deployed stack', () => {
  beforeEach(allGreen);

  it('checks what the stack was deployed with: an S3-and-cost stack has no ADCE or DIMS rows, whatever the local config says', async () => {
    cfn.on(GetTemplateCommand).resolves(recordedTemplate({ ...LOCAL, namespacePrefix: 'NBA-Simulator', adce: { enabled: false }, dims: { enabled: false } }));
    const io = captureIO();
    await main(verify('--json'), io);
    const checks = JSON.parse(io.stdout).checks as Array<{ kind: string; name: string }>;
    const metricRows = checks.filter((c) => c.kind === 'metric').map((c) => c.name);
    expect(metricRows.some((n) => n.includes('/S3ObjectCount'))).toBe(true);
    expect(metricRows.some((n) => n.includes('/MonthlyAWSCost'))).toBe(true);
    expect(metricRows.filter((n) => /ADCE|DIMS/.test(n))).toEqual([]);
    expect(io.stderr).toMatch(/note: .*test\.json differs from what NBA-Simulator-Monitoring was deployed with \(adce\.enabled, dims\.enabled\); using the deployed configuration/);
  });

  it('follows the deployed namespace (a -c namespacePrefix override at deploy time)', async () => {
    cfn.on(GetTemplateCommand).resolves(recordedTemplate({ ...LOCAL, namespacePrefix: 'Acme' }));
    const io = captureIO();
    await main(verify('--json'), io);
    const namespaces = cw.commandCalls(GetMetricDataCommand).flatMap((c) => c.args[0].input.MetricDataQueries!.map((q) => q.MetricStat!.Metric!.Namespace!));
    expect(namespaces.length).toBeGreaterThan(0);
    expect(namespaces.every((n) => n.startsWith('Acme/'))).toBe(true);
  });
});
