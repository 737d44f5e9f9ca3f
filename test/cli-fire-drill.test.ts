import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';
import { mockNoDeployedStack } from './support/no-deployed-stack';

// The stack is not deployed: commands fall back to the local configuration.
mockNoDeployedStack();

const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const config = configFile({ alertEmails: ['ops@example.com', 'lead@example.com'], alertPhoneNumbers: ['+14155550123'] });
const CRITICAL = 'arn:aws:sns:us-east-1:111122223333:NBA-Simulator-Monitoring-critical-ABC';
const WARNING = 'arn:aws:sns:us-east-1:111122223333:NBA-Simulator-Monitoring-warning-XYZ';

function alarm(name: string, state: StateValue = 'OK', topic = CRITICAL): MetricAlarm {
  return { AlarmName: name, StateValue: state, ActionsEnabled: true, AlarmActions: [topic], OKActions: [topic] };
}

// Today's behaviour (no delivery probe); the probe has its own tests (cli-fire-drill-probe.test.ts).
const drill = (...args: string[]) => ['--config', config, 'fire-drill', '--no-probe', '--wait-seconds', '0', ...args];

describe('monitor fire-drill --no-probe', () => {
  beforeEach(() => {
    cw.reset();
    sns.reset();
    cw.on(DescribeAlarmsCommand, { AlarmNames: ['ADCE-HighFailureRate'] }).resolves({ MetricAlarms: [alarm('ADCE-HighFailureRate')] });
    cw.on(SetAlarmStateCommand).resolves({});
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: CRITICAL }).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${CRITICAL}:1` },
        { Protocol: 'email', Endpoint: 'lead@example.com', SubscriptionArn: 'PendingConfirmation' },
        { Protocol: 'sms', Endpoint: '+14155550123', SubscriptionArn: `${CRITICAL}:2` },
      ],
    });
  });

  it('sets the alarm to ALARM with a reason naming the drill, then back to OK', async () => {
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(0);
    const calls = cw.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ AlarmName: 'ADCE-HighFailureRate', StateValue: 'ALARM' });
    expect(calls[0]!.StateReason).toMatch(/^Fire drill by .+ at \d{4}-\d\d-\d\dT.+\(monitor fire-drill\): this is a test/);
    expect(calls[1]).toMatchObject({ AlarmName: 'ADCE-HighFailureRate', StateValue: 'OK' });
    expect(calls[1]!.StateReason).toMatch(/Fire drill .* finished: back to OK/);
  });

  it('tells who should have received what, and who did not (pending confirmation)', async () => {
    const io = captureIO();
    await main(drill('ADCE-HighFailureRate'), io);
    expect(io.stdout).toContain('On ALARM: critical topic NBA-Simulator-Monitoring-critical-ABC');
    expect(io.stdout).toContain('should have received it: email to ops@example.com, subject starting "ALARM: \\"ADCE-HighFailureRate\\" in"');
    expect(io.stdout).toContain('should have received it: text message to +14155550123');
    expect(io.stdout).toContain('did NOT receive it (subscription PendingConfirmation): email lead@example.com');
    expect(io.stdout).toContain('On OK: critical topic');
  });

  it('reports configured recipients missing from a warning topic, in JSON', async () => {
    cw.on(DescribeAlarmsCommand, { AlarmNames: ['Data-QualityIssues'] }).resolves({ MetricAlarms: [alarm('Data-QualityIssues', 'OK', WARNING)] });
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: WARNING }).resolves({
      Subscriptions: [{ Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${WARNING}:1` }],
    });
    const io = captureIO();
    expect(await main(drill('Data-QualityIssues', '--json'), io)).toBe(0);
    const result = JSON.parse(io.stdout);
    expect(result.backToOk).toBe(true);
    const onAlarm = result.deliveries.find((d: { on: string }) => d.on === 'ALARM');
    expect(onAlarm.severity).toBe('warning');
    // Warning goes to email only: the phone is not expected there.
    expect(onAlarm.configured).toEqual(['email ops@example.com', 'email lead@example.com']);
    expect(onAlarm.recipients).toEqual([{ protocol: 'email', endpoint: 'ops@example.com', status: 'confirmed' }]);
  });

  it('refuses an alarm that is really in ALARM unless --force, and changes nothing', async () => {
    cw.on(DescribeAlarmsCommand, { AlarmNames: ['ADCE-HighFailureRate'] }).resolves({ MetricAlarms: [alarm('ADCE-HighFailureRate', 'ALARM')] });
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(1);
    expect(io.stderr).toMatch(/is really in ALARM right now/);
    expect(cw.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
    expect(await main(drill('ADCE-HighFailureRate', '--force'), captureIO())).toBe(0);
    expect(cw.commandCalls(SetAlarmStateCommand)).toHaveLength(2);
  });

  it('exits 2 for an unknown alarm and suggests the closest name', async () => {
    cw.on(DescribeAlarmsCommand, { AlarmNames: ['ADCE-HighFailRate'] }).resolves({ MetricAlarms: [], CompositeAlarms: [] });
    cw.on(DescribeAlarmsCommand, { MaxRecords: 100 }).resolves({ MetricAlarms: [alarm('ADCE-HighFailureRate'), alarm('S3-UploadFailures')] });
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailRate'), io)).toBe(2);
    expect(io.stderr).toMatch(/no alarm named "ADCE-HighFailRate".*Did you mean ADCE-HighFailureRate\?/);
    expect(cw.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  });

  it('exits 1 and prints the command to recover when going back to OK fails', async () => {
    cw.on(SetAlarmStateCommand, { StateValue: 'OK' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(1);
    expect(io.stderr).toMatch(/still in ALARM from the drill: Throttling/);
    expect(io.stderr).toMatch(/aws cloudwatch set-alarm-state --alarm-name 'ADCE-HighFailureRate' --state-value OK/);
  });

  it('rejects a bad --wait-seconds before touching the alarm', async () => {
    const io = captureIO();
    expect(await main(['--config', config, 'fire-drill', 'ADCE-HighFailureRate', '--wait-seconds', 'soon'], io)).toBe(2);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
  });
});
