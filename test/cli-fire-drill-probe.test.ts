import {
  type AlarmHistoryItem,
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  GetSMSSandboxAccountStatusCommand,
  ListSMSSandboxPhoneNumbersCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';
import { mockNoDeployedStack } from './support/no-deployed-stack';

// The stack is not deployed: commands fall back to the local configuration.
mockNoDeployedStack();

const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const config = configFile({ alertEmails: ['ops@example.com', 'lead@example.com'], alertPhoneNumbers: ['+14155550123'] });
const ACCOUNT = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:';
const CRITICAL = 'arn:aws:sns:us-east-1:111122223333:NBA-Simulator-Monitoring-critical-ABC';
const WARNING = 'arn:aws:sns:us-east-1:111122223333:NBA-Simulator-Monitoring-warning-XYZ';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/monitor-fire-drill-x';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:monitor-fire-drill-x';
/** How long SNS takes to reach the queue in this fake account. */
const DELIVERY_MS = 1500;

interface FakeAlarm {
  state: 'OK' | 'ALARM';
  topics: string[];
  /** Composite alarms: the members any one of which turns it to ALARM (or all of them, with `all`). */
  members?: string[];
  all?: boolean;
  /** Actions on ALARM that are not topics (e.g. a remediation Lambda). */
  otherActions?: string[];
}

/**
 * A small fake of CloudWatch + SNS + SQS: SetAlarmState changes state, runs the alarm's actions
 * (a notification on the queue for each subscribed topic), evaluates composites over their
 * members, and writes history. `deliver: false` models notifications that never arrive.
 */
function fakeAccount(alarms: Record<string, FakeAlarm>, options: { deliver?: boolean } = {}) {
  const subscribed = new Set<string>();
  const queue: Message[] = [];
  const history = new Map<string, AlarmHistoryItem[]>();
  let sequence = 0;
  const record = (name: string, item: Omit<AlarmHistoryItem, 'AlarmName' | 'Timestamp'>) =>
    history.set(name, [...(history.get(name) ?? []), { AlarmName: name, Timestamp: new Date(), ...item }]);
  const change = (name: string, to: 'OK' | 'ALARM') => {
    const alarm = alarms[name]!;
    if (alarm.state === to) return;
    record(name, { HistoryItemType: 'StateUpdate', HistorySummary: `Alarm updated from ${alarm.state} to ${to}` });
    alarm.state = to;
    for (const topic of alarm.topics) {
      record(name, { HistoryItemType: 'Action', HistorySummary: `Successfully executed action ${topic}` });
      if (options.deliver === false || !subscribed.has(topic)) continue;
      sequence += 1;
      queue.push({
        MessageId: `m-${sequence}`,
        Body: JSON.stringify({ Type: 'Notification', TopicArn: topic, Message: JSON.stringify({ AlarmName: name, NewStateValue: to, OldStateValue: to === 'OK' ? 'ALARM' : 'OK' }) }),
        Attributes: { SentTimestamp: String(Date.now() + DELIVERY_MS) },
      });
    }
    for (const [composite, c] of Object.entries(alarms)) {
      if (!c.members?.includes(name)) continue;
      const states = c.members.map((m) => alarms[m]!.state === 'ALARM');
      change(composite, (c.all ? states.every(Boolean) : states.some(Boolean)) ? 'ALARM' : 'OK');
    }
  };
  const describe = (name: string) => {
    const a = alarms[name]!;
    const common = { AlarmName: name, StateValue: a.state, ActionsEnabled: true, AlarmActions: [...a.topics, ...(a.otherActions ?? [])], OKActions: a.topics };
    return a.members
      ? { CompositeAlarms: [{ ...common, AlarmRule: a.members.map((m) => `ALARM("${ACCOUNT}${m}")`).join(a.all ? ' AND ' : ' OR ') }] }
      : { MetricAlarms: [common] };
  };

  cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => {
    const found = (input.AlarmNames ?? []).filter((n) => alarms[n]).map(describe);
    return { MetricAlarms: found.flatMap((f) => f.MetricAlarms ?? []), CompositeAlarms: found.flatMap((f) => f.CompositeAlarms ?? []) };
  });
  cw.on(SetAlarmStateCommand).callsFake((input: { AlarmName: string; StateValue: 'OK' | 'ALARM' }) => {
    change(input.AlarmName, input.StateValue);
    return {};
  });
  cw.on(DescribeAlarmHistoryCommand).callsFake((input: { AlarmName: string }) => ({ AlarmHistoryItems: history.get(input.AlarmName) ?? [] }));
  sqs.on(CreateQueueCommand).resolves({ QueueUrl: QUEUE_URL });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: QUEUE_ARN } });
  sqs.on(SetQueueAttributesCommand).resolves({});
  sqs.on(DeleteQueueCommand).resolves({});
  sns.on(SubscribeCommand).callsFake((input: { TopicArn: string }) => {
    subscribed.add(input.TopicArn);
    return { SubscriptionArn: `${input.TopicArn}:probe` };
  });
  sns.on(UnsubscribeCommand).callsFake((input: { SubscriptionArn: string }) => {
    subscribed.delete(input.SubscriptionArn.replace(/:probe$/, ''));
    return {};
  });
  // Long poll: returns what SNS delivered, else waits its full WaitTimeSeconds (fake clock).
  sqs.on(ReceiveMessageCommand).callsFake((input: { WaitTimeSeconds?: number }) => {
    if (queue.length === 0) {
      vi.setSystemTime(Date.now() + (input.WaitTimeSeconds ?? 0) * 1000);
      return {};
    }
    vi.setSystemTime(Date.now() + DELIVERY_MS);
    return { Messages: queue.splice(0, 10) };
  });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: CRITICAL }).resolves({
    Subscriptions: [
      { Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${CRITICAL}:1` },
      { Protocol: 'email', Endpoint: 'lead@example.com', SubscriptionArn: 'PendingConfirmation' },
      { Protocol: 'sms', Endpoint: '+14155550123', SubscriptionArn: `${CRITICAL}:2` },
    ],
  });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: WARNING }).resolves({
    Subscriptions: [
      { Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: `${WARNING}:1` },
      { Protocol: 'email', Endpoint: 'lead@example.com', SubscriptionArn: `${WARNING}:2` },
    ],
  });
  sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: true });
  sns.on(ListSMSSandboxPhoneNumbersCommand).resolves({ PhoneNumbers: [{ PhoneNumber: '+14155550199', Status: 'Verified' }] });
  return { subscribed, queue, alarms };
}

const drill = (...args: string[]) => ['--config', config, 'fire-drill', '--wait-seconds', '0', ...args];
const calls = {
  setState: () => cw.commandCalls(SetAlarmStateCommand).map((c) => `${c.args[0].input.AlarmName}=${c.args[0].input.StateValue}`),
  unsubscribed: () => sns.commandCalls(UnsubscribeCommand).map((c) => c.args[0].input.SubscriptionArn),
  deletedQueues: () => sqs.commandCalls(DeleteQueueCommand).map((c) => c.args[0].input.QueueUrl),
};

describe('monitor fire-drill: the delivery probe', () => {
  beforeEach(() => {
    cw.reset();
    sns.reset();
    sqs.reset();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T12:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates an SSE-SQS queue that only the drilled topics may write to, subscribed to each with the SNS envelope', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    expect(await main(drill('ADCE-HighFailureRate'), captureIO())).toBe(0);

    const create = sqs.commandCalls(CreateQueueCommand)[0]!.args[0].input;
    expect(create.QueueName).toMatch(/^monitor-fire-drill-ADCE-HighFailureRate-[0-9a-f]{8}$/);
    expect(create.Attributes).toMatchObject({ SqsManagedSseEnabled: 'true' });
    const policy = JSON.parse(sqs.commandCalls(SetQueueAttributesCommand)[0]!.args[0].input.Attributes!.Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DrilledTopicsOnly',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: QUEUE_ARN,
        Condition: { ArnEquals: { 'aws:SourceArn': [CRITICAL] } },
      },
    ]);
    expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input)).toEqual([
      { TopicArn: CRITICAL, Protocol: 'sqs', Endpoint: QUEUE_ARN, ReturnSubscriptionArn: true, Attributes: { RawMessageDelivery: 'false' } },
    ]);
    // Subscribed before the alarm changed, so the notification cannot be missed.
    expect(sns.commandCalls(SubscribeCommand)[0]!.calledBefore(cw.commandCalls(SetAlarmStateCommand)[0]!)).toBe(true);
  });

  it('reports the ALARM and the OK notification with their latency, the history, and removes queue and subscription', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate', '--json'), io)).toBe(0);
    const result = JSON.parse(io.stdout);
    expect(result.probe.notifications).toEqual([
      { alarm: 'ADCE-HighFailureRate', on: 'ALARM', topicArn: CRITICAL, severity: 'critical', delivered: true, latencyMs: DELIVERY_MS },
      { alarm: 'ADCE-HighFailureRate', on: 'OK', topicArn: CRITICAL, severity: 'critical', delivered: true, latencyMs: DELIVERY_MS },
    ]);
    expect(result.history[0].transitions.map((t: { from: string; to: string }) => `${t.from}->${t.to}`)).toEqual(['OK->ALARM', 'ALARM->OK']);
    expect(calls.setState()).toEqual(['ADCE-HighFailureRate=ALARM', 'ADCE-HighFailureRate=OK']);
    expect(calls.unsubscribed()).toEqual([`${CRITICAL}:probe`]);
    expect(calls.deletedQueues()).toEqual([QUEUE_URL]);
    expect(result.probe.cleanup.every((s: { ok: boolean }) => s.ok)).toBe(true);
  });

  it('lists each human subscription with what it received: pending email, SMS in the sandbox with an unverified number', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(0);
    expect(io.stdout).toMatch(/ALARM ADCE-HighFailureRate via critical topic NBA-Simulator-Monitoring-critical-ABC: delivered in 1\.5 s/);
    expect(io.stdout).toMatch(/OK    ADCE-HighFailureRate via critical topic .*: delivered in 1\.5 s/);
    expect(io.stdout).toContain('- receives: email ops@example.com: confirmed');
    expect(io.stdout).toMatch(/DOES NOT receive: email lead@example\.com: subscription PENDING confirmation/);
    expect(io.stdout).toMatch(/DOES NOT receive: sms \+14155550123: the account is in the SMS sandbox and this number is NOT verified/);
    expect(io.stdout).toMatch(/ADCE-HighFailureRate: OK -> ALARM, ALARM -> OK; 2 action\(s\) executed/);
  });

  it('on timeout: says which notification never arrived, exits 1, and still resets the alarm and removes everything', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } }, { deliver: false });
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate', '--timeout', '45'), io)).toBe(1);
    expect(io.stdout).toMatch(/ALARM ADCE-HighFailureRate via critical topic .*: NOT delivered within 45 s/);
    expect(io.stdout).toMatch(/OK    ADCE-HighFailureRate via critical topic .*: NOT delivered within 45 s/);
    expect(calls.setState()).toEqual(['ADCE-HighFailureRate=ALARM', 'ADCE-HighFailureRate=OK']);
    expect(calls.unsubscribed()).toEqual([`${CRITICAL}:probe`]);
    expect(calls.deletedQueues()).toEqual([QUEUE_URL]);
    // Bounded: the long polls never asked for more than the time left.
    const waits = sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.WaitTimeSeconds!);
    expect(waits.every((w) => w >= 1 && w <= 20)).toBe(true);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 * 45 + 2);
  });

  it('an error midway (a topic refuses the subscription): removes what it created, never touches the alarm, exits 1', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL, WARNING] } });
    sns.on(SubscribeCommand, { TopicArn: WARNING }).rejects(Object.assign(new Error('not authorized to perform: SNS:Subscribe'), { name: 'AuthorizationError', $metadata: { httpStatusCode: 403 } }));
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(1);
    expect(io.stderr).toMatch(/the drill stopped: AuthorizationError \(HTTP 403\)/);
    expect(calls.setState()).toEqual([]);
    expect(calls.unsubscribed()).toEqual([`${CRITICAL}:probe`]);
    expect(calls.deletedQueues()).toEqual([QUEUE_URL]);
  });

  it('an error while waiting (the queue cannot be read): the alarm goes back to OK and everything is removed', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    sqs.on(ReceiveMessageCommand).rejects(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(1);
    expect(io.stderr).toMatch(/the drill stopped: AccessDenied/);
    expect(calls.setState()).toEqual(['ADCE-HighFailureRate=ALARM', 'ADCE-HighFailureRate=OK']);
    expect(calls.unsubscribed()).toEqual([`${CRITICAL}:probe`]);
    expect(calls.deletedQueues()).toEqual([QUEUE_URL]);
  });

  it('Ctrl-C while waiting: the alarm goes back to OK, the queue and subscription are removed, exit 130', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } }, { deliver: false });
    let interrupt: (() => void) | undefined;
    let unhooked = false;
    const io = Object.assign(captureIO(), {
      onInterrupt: (handler: () => void) => {
        interrupt = handler;
        return () => void (unhooked = true);
      },
    });
    sqs.on(ReceiveMessageCommand).callsFake(() => {
      interrupt!();
      return {};
    });
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(130);
    expect(calls.setState()).toEqual(['ADCE-HighFailureRate=ALARM', 'ADCE-HighFailureRate=OK']);
    expect(cw.commandCalls(SetAlarmStateCommand)[1]!.args[0].input.StateReason).toMatch(/stopped early/);
    expect(calls.unsubscribed()).toEqual([`${CRITICAL}:probe`]);
    expect(calls.deletedQueues()).toEqual([QUEUE_URL]);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
    expect(unhooked).toBe(true);
    expect(io.stdout).toMatch(/Interrupted \(Ctrl-C\)/);
  });

  it('an alarm that cannot be set (no cloudwatch:SetAlarmState): nothing to reset, everything removed, exit 1', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    cw.on(SetAlarmStateCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:SetAlarmState'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(1);
    expect(io.stderr).toMatch(/the drill stopped: AccessDenied/);
    expect(io.stderr).not.toMatch(/still in ALARM/);
    expect(calls.setState()).toEqual(['ADCE-HighFailureRate=ALARM']);
    expect(calls.deletedQueues()).toEqual([QUEUE_URL]);
  });

  it('a failed cleanup step prints the command that finishes it and exits 1', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    sqs.on(DeleteQueueCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled', $metadata: { httpStatusCode: 400 } }));
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(1);
    expect(io.stderr).toContain(`aws sqs delete-queue --queue-url '${QUEUE_URL}'`);
    expect(calls.unsubscribed()).toEqual([`${CRITICAL}:probe`]);
  });

  it('reports a failed action from the history (e.g. a key that refuses CloudWatch) and exits 1', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    cw.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        { HistoryItemType: 'StateUpdate', HistorySummary: 'Alarm updated from OK to ALARM' },
        { HistoryItemType: 'Action', HistorySummary: `Failed to execute action ${CRITICAL}. Received error: "null (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)"` },
        { HistoryItemType: 'StateUpdate', HistorySummary: 'Alarm updated from ALARM to OK' },
      ],
    });
    const io = captureIO();
    expect(await main(drill('ADCE-HighFailureRate'), io)).toBe(1);
    expect(io.stdout).toMatch(/0 action\(s\) executed, 1 FAILED/);
    expect(io.stdout).toMatch(/FAILED arn:aws:sns:.*critical-ABC: Failed to execute action .*AccessDeniedException/);
  });

  it('drills a composite through one member: sets the member, awaits the composite and the member notifications', async () => {
    fakeAccount({
      'Monitoring-Unhealthy': { state: 'OK', topics: [WARNING], members: ['ADCE-HighFailureRate', 'S3-UploadFailures'] },
      'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] },
      'S3-UploadFailures': { state: 'OK', topics: [CRITICAL] },
    });
    const io = captureIO();
    expect(await main(drill('Monitoring-Unhealthy', '--json'), io)).toBe(0);
    const result = JSON.parse(io.stdout);
    expect(calls.setState()).toEqual(['ADCE-HighFailureRate=ALARM', 'ADCE-HighFailureRate=OK']);
    expect(result.drilledThrough).toBe('ADCE-HighFailureRate');
    expect(result.compositeNote).toMatch(/drilled through its member ADCE-HighFailureRate/);
    expect(result.probe.notifications.map((n: { alarm: string; on: string; delivered: boolean }) => `${n.on} ${n.alarm} ${n.delivered}`).sort()).toEqual([
      'ALARM ADCE-HighFailureRate true',
      'ALARM Monitoring-Unhealthy true',
      'OK ADCE-HighFailureRate true',
      'OK Monitoring-Unhealthy true',
    ]);
    expect(result.history.map((h: { alarm: string }) => h.alarm)).toEqual(['Monitoring-Unhealthy', 'ADCE-HighFailureRate']);
  });

  it('says why a composite cannot be drilled through a member (all members must fire), and sets it directly', async () => {
    fakeAccount({
      'ADCE-SLOFastBurn': { state: 'OK', topics: [CRITICAL], members: ['ADCE-SLOFastBurn-Long', 'ADCE-SLOFastBurn-Short'], all: true },
      'ADCE-SLOFastBurn-Long': { state: 'OK', topics: [] },
      'ADCE-SLOFastBurn-Short': { state: 'OK', topics: [] },
    });
    const io = captureIO();
    expect(await main(drill('ADCE-SLOFastBurn'), io)).toBe(0);
    expect(io.stdout).toMatch(/ADCE-SLOFastBurn is set directly \(no single member alarm in ALARM makes its rule true\)/);
    expect(calls.setState()).toEqual(['ADCE-SLOFastBurn=ALARM', 'ADCE-SLOFastBurn=OK']);
  });

  it('warns that the drill runs the alarm\'s other actions (a remediation Lambda) and lists them as not probed', async () => {
    const fix = 'arn:aws:lambda:us-east-1:111122223333:function:requeue-adce';
    fakeAccount({ 'ADCE-QueueStale': { state: 'OK', topics: [CRITICAL], otherActions: [fix] } });
    const io = captureIO();
    expect(await main(drill('ADCE-QueueStale'), io)).toBe(0);
    expect(io.stderr).toContain(`warning: the drill runs ADCE-QueueStale's other actions too: ${fix}`);
    expect(io.stdout).toContain(`not an SNS topic, not probed (check it yourself): ADCE-QueueStale: ${fix}`);
    expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input.TopicArn)).toEqual([CRITICAL]);
  });

  it('--no-probe creates no queue and subscribes nothing', async () => {
    fakeAccount({ 'ADCE-HighFailureRate': { state: 'OK', topics: [CRITICAL] } });
    expect(await main(drill('ADCE-HighFailureRate', '--no-probe'), captureIO())).toBe(0);
    expect(sqs.commandCalls(CreateQueueCommand)).toHaveLength(0);
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(0);
    expect(calls.setState()).toEqual(['ADCE-HighFailureRate=ALARM', 'ADCE-HighFailureRate=OK']);
  });
});
