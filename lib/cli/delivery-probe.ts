import { randomBytes } from 'node:crypto';
import { ConfirmSubscriptionCommand, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { CliClients } from './aws';
import { awsErrorText } from './aws';

/**
 * A temporary SQS queue subscribed to alert topics, so `monitor fire-drill` sees the
 * notifications SNS really sends instead of assuming them.
 *
 * Encryption: the topics are encrypted with the stack's KMS key, but SNS decrypts a message
 * before it delivers it to a subscriber, so the queue needs no right on that key. The queue uses
 * SQS-managed encryption (SSE-SQS), which SNS can write to without any key policy; a queue with a
 * customer-managed key would need that key to admit sns.amazonaws.com. Delivery is not raw: the
 * SNS envelope names the topic each notification came through.
 *
 * The queue policy admits only sns.amazonaws.com, only for SendMessage, only from the drilled
 * topics (aws:SourceArn). Every queue and subscription it creates is removed by `close()`, which
 * callers run whatever happens; names start with QUEUE_PREFIX so a leftover (a killed process)
 * is easy to find.
 */

export const QUEUE_PREFIX = 'monitor-fire-drill-';

export type ProbeClients = Pick<CliClients, 'sqs' | 'sns'>;

/** One notification the drill expects: an alarm's state change through one topic. */
export interface Expectation {
  readonly alarm: string;
  readonly on: 'ALARM' | 'OK';
  readonly topicArn: string;
}

export interface Arrival {
  /** When this machine received it. */
  readonly receivedAt: Date;
  /** When SNS put it on the queue (SQS SentTimestamp). */
  readonly sentAt?: Date;
}

export interface CleanupStep {
  readonly what: string;
  readonly ok: boolean;
  readonly error?: string;
  /** The command that finishes the step by hand when it failed. */
  readonly command?: string;
}

export interface ProbeLog {
  (line: string): void;
}

export const expectationKey = (e: Expectation) => `${e.on} ${e.alarm} ${e.topicArn}`;

/** A drill's queue: open() subscribes it, waitFor() collects notifications, close() removes it. */
export class DeliveryProbe {
  readonly arrivals = new Map<string, Arrival>();
  private readonly subscriptions: Array<{ topicArn: string; subscriptionArn?: string }> = [];
  private queueUrl?: string;
  private queueArn?: string;
  private closed?: Promise<CleanupStep[]>;
  private readonly seenMessages = new Set<string>();

  private constructor(
    private readonly clients: ProbeClients,
    readonly queueName: string,
    private readonly log: ProbeLog,
  ) {}

  /**
   * Creates the queue and subscribes it to every topic. When a step fails, what was created is
   * removed before the error is rethrown (its cleanup steps attached as `cleanup`).
   */
  static async open(clients: ProbeClients, topicArns: readonly string[], options: { label: string; log: ProbeLog; signal?: AbortSignal; confirmTimeoutMs?: number }): Promise<DeliveryProbe> {
    const probe = new DeliveryProbe(clients, queueName(options.label), options.log);
    try {
      await probe.create(topicArns, options.signal, options.confirmTimeoutMs ?? 30_000);
      return probe;
    } catch (err) {
      const cleanup = await probe.close();
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { cleanup });
    }
  }

  /** Whether the queue was created (so close() has something to remove). */
  get created(): boolean {
    return this.queueUrl !== undefined;
  }

  private async create(topicArns: readonly string[], signal: AbortSignal | undefined, confirmTimeoutMs: number): Promise<void> {
    const sqs = this.clients.sqs();
    const sns = this.clients.sns();
    this.log(`creating queue ${this.queueName}`);
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: this.queueName,
        Attributes: { SqsManagedSseEnabled: 'true', MessageRetentionPeriod: '900' },
        tags: { 'monitor:purpose': 'fire-drill delivery probe; safe to delete' },
      }),
      { abortSignal: signal },
    );
    this.queueUrl = created.QueueUrl;
    if (!this.queueUrl) throw new Error('CreateQueue returned no QueueUrl');
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }), { abortSignal: signal });
    this.queueArn = attributes.Attributes?.QueueArn;
    if (!this.queueArn) throw new Error('GetQueueAttributes returned no QueueArn');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: this.queueUrl, Attributes: { Policy: JSON.stringify(queuePolicy(this.queueArn, topicArns)) } }), { abortSignal: signal });

    const pending: string[] = [];
    for (const topicArn of topicArns) {
      const entry: { topicArn: string; subscriptionArn?: string } = { topicArn };
      this.subscriptions.push(entry);
      const result = await sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: this.queueArn, ReturnSubscriptionArn: true, Attributes: { RawMessageDelivery: 'false' } }),
        { abortSignal: signal },
      );
      if (result.SubscriptionArn && result.SubscriptionArn.startsWith('arn:')) entry.subscriptionArn = result.SubscriptionArn;
      else pending.push(topicArn);
      this.log(`subscribed to ${topicArn.split(':').pop()}${entry.subscriptionArn ? '' : ' (pending confirmation)'}`);
    }
    if (pending.length > 0) await this.confirm(pending, confirmTimeoutMs, signal);
  }

  /** A topic of another account sends a SubscriptionConfirmation to the queue: confirm it. */
  private async confirm(pending: string[], timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const left = new Set(pending);
    while (left.size > 0 && Date.now() < deadline) {
      for (const message of await this.receive(deadline, signal)) {
        if (message.envelope?.Type !== 'SubscriptionConfirmation' || !message.envelope.TopicArn || !left.has(message.envelope.TopicArn)) continue;
        const topicArn = message.envelope.TopicArn;
        const confirmed = await this.clients.sns().send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: message.envelope.Token }), { abortSignal: signal });
        const entry = this.subscriptions.find((s) => s.topicArn === topicArn);
        if (entry && confirmed.SubscriptionArn) entry.subscriptionArn = confirmed.SubscriptionArn;
        left.delete(topicArn);
      }
    }
    if (left.size > 0 && !signal?.aborted) throw new Error(`the subscription to ${[...left].join(', ')} was not confirmed within ${Math.round(timeoutMs / 1000)} s`);
  }

  /**
   * Reads the queue until every expectation arrived or the deadline passed (epoch ms), recording
   * arrivals of any expectation given. Resolves early when the signal aborts.
   */
  async waitFor(expectations: readonly Expectation[], deadline: number, signal?: AbortSignal): Promise<void> {
    const missing = () => expectations.filter((e) => !this.arrivals.has(expectationKey(e)));
    while (missing().length > 0 && Date.now() < deadline && !signal?.aborted) {
      for (const message of await this.receive(deadline, signal)) {
        const { alarm, envelope } = message;
        if (!alarm?.AlarmName || !envelope?.TopicArn || (alarm.NewStateValue !== 'ALARM' && alarm.NewStateValue !== 'OK')) continue;
        const key = expectationKey({ alarm: alarm.AlarmName, on: alarm.NewStateValue, topicArn: envelope.TopicArn });
        if (!this.arrivals.has(key)) this.arrivals.set(key, { receivedAt: new Date(), sentAt: message.sentAt });
      }
    }
  }

  private async receive(deadline: number, signal: AbortSignal | undefined): Promise<ProbeMessage[]> {
    const waitSeconds = Math.max(1, Math.min(20, Math.ceil((deadline - Date.now()) / 1000)));
    let result;
    try {
      result = await this.clients.sqs().send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['SentTimestamp'] }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (signal?.aborted) return [];
      throw err;
    }
    const out: ProbeMessage[] = [];
    for (const m of result.Messages ?? []) {
      if (m.MessageId && this.seenMessages.has(m.MessageId)) continue;
      if (m.MessageId) this.seenMessages.add(m.MessageId);
      out.push(parseMessage(m.Body, m.Attributes?.SentTimestamp));
    }
    return out;
  }

  /**
   * Unsubscribes and deletes the queue, each step tried even when another failed. Idempotent;
   * never rejects (a failed step carries the command that finishes it by hand).
   */
  close(): Promise<CleanupStep[]> {
    this.closed ??= this.cleanup();
    return this.closed;
  }

  private async cleanup(): Promise<CleanupStep[]> {
    const steps: CleanupStep[] = [];
    for (const { topicArn, subscriptionArn } of this.subscriptions) {
      if (!subscriptionArn) continue;
      try {
        await this.clients.sns().send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
        steps.push({ what: `unsubscribed from ${topicArn.split(':').pop()}`, ok: true });
      } catch (err) {
        steps.push({ what: `unsubscribe ${subscriptionArn}`, ok: false, error: awsErrorText(err), command: `aws sns unsubscribe --subscription-arn '${subscriptionArn}'` });
      }
    }
    if (this.queueUrl) {
      try {
        await this.clients.sqs().send(new DeleteQueueCommand({ QueueUrl: this.queueUrl }));
        steps.push({ what: `deleted queue ${this.queueName}`, ok: true });
      } catch (err) {
        steps.push({ what: `delete queue ${this.queueName}`, ok: false, error: awsErrorText(err), command: `aws sqs delete-queue --queue-url '${this.queueUrl}'` });
      }
    }
    for (const step of steps) this.log(step.ok ? step.what : `could not ${step.what}: ${step.error}`);
    return steps;
  }
}

/** The queue's resource policy: SNS may send, only from the given topics. */
export function queuePolicy(queueArn: string, topicArns: readonly string[]) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DrilledTopicsOnly',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': [...topicArns] } },
      },
    ],
  };
}

/** `monitor-fire-drill-<alarm>-<random>`: SQS allows 80 letters, digits, `-` and `_`. */
function queueName(label: string): string {
  const suffix = randomBytes(4).toString('hex');
  const middle = label.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80 - QUEUE_PREFIX.length - suffix.length - 1);
  return `${QUEUE_PREFIX}${middle}-${suffix}`;
}

interface ProbeMessage {
  readonly envelope?: { Type?: string; TopicArn?: string; Token?: string; Message?: string };
  readonly alarm?: { AlarmName?: string; NewStateValue?: string };
  readonly sentAt?: Date;
}

function parseMessage(body: string | undefined, sentTimestamp: string | undefined): ProbeMessage {
  const sentAt = sentTimestamp && Number.isFinite(Number(sentTimestamp)) ? new Date(Number(sentTimestamp)) : undefined;
  const envelope = parseJson(body) as ProbeMessage['envelope'];
  const alarm = envelope?.Type === 'Notification' ? (parseJson(envelope.Message) as ProbeMessage['alarm']) : undefined;
  return { envelope, alarm, sentAt };
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
