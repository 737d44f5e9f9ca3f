import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetSMSSandboxAccountStatusCommand, SNSClient, paginateListSMSSandboxPhoneNumbers, paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { type Severity, recipientsFor } from '../config/alerting';
import type { MonitoringConfig } from '../config/schema';
import { DEFAULT_NETWORK, type NetworkLimits, clientConfig, onFirstUse } from '../sources/aws-clients';

/**
 * AWS clients for the CLI commands. Created on first use, so `--dry-run` and `--help` never need
 * credentials; the region comes from `--region` or the SDK's usual chain (AWS_REGION, profile).
 * Tests mock the client classes with aws-sdk-client-mock, which patches every instance.
 */
export interface CliClients {
  cloudwatch(): CloudWatchClient;
  /** CloudWatch for publishDatums, which retries itself: one HTTP request per attempt. */
  publisher(): CloudWatchClient;
  sns(): SNSClient;
  cloudformation(): CloudFormationClient;
  sqs(): SQSClient;
}

/** SQS long polls wait up to 20 s for an answer: its response timeout stays above that. */
const SQS_LONG_POLL_TIMEOUT_MS = 30_000;

/**
 * Every CLI request gives up instead of hanging: the config's `network` timeouts (or their
 * defaults), from the one client factory. The SDK's own retries still apply.
 */
export function cliClients(region?: string, network: NetworkLimits = DEFAULT_NETWORK): CliClients {
  const options = { network, ...(region ? { region } : {}) };
  return {
    cloudwatch: onFirstUse(() => new CloudWatchClient(clientConfig(options))),
    publisher: onFirstUse(() => new CloudWatchClient(clientConfig({ ...options, maxAttempts: 1 }))),
    sns: onFirstUse(() => new SNSClient(clientConfig(options))),
    cloudformation: onFirstUse(() => new CloudFormationClient(clientConfig(options))),
    sqs: onFirstUse(() => new SQSClient(clientConfig({ ...options, network: { ...network, requestTimeoutMs: Math.max(network.requestTimeoutMs, SQS_LONG_POLL_TIMEOUT_MS) } }))),
  };
}

/** Adds `--region` to a command that talks to AWS. */
export function withRegion(command: Command): Command {
  return command.option('--region <region>', 'AWS region (default: AWS_REGION or your profile)');
}

/** Adds `--stack` and `--region` to a command that follows a deployed stack's recorded configuration. */
export function followsStack(command: Command): Command {
  return withRegion(command.option('--stack <name>', 'the deployed stack whose configuration to follow (default: the one of this environment)'));
}

export { awsErrorText } from '../sources/aws-error';

/** A subscription of a topic as SNS lists it. */
export interface TopicSubscription {
  readonly protocol: string;
  readonly endpoint: string;
  /** `pending` until the recipient confirms (SNS reports the ARN `PendingConfirmation`). */
  readonly status: 'confirmed' | 'pending';
}

/** Every subscription of a topic (all pages). */
export async function listSubscriptions(clients: Pick<CliClients, 'sns'>, topicArn: string): Promise<TopicSubscription[]> {
  const out: TopicSubscription[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client: clients.sns() }, { TopicArn: topicArn })) {
    for (const s of page.Subscriptions ?? []) {
      out.push({ protocol: s.Protocol ?? '?', endpoint: s.Endpoint ?? '?', status: s.SubscriptionArn === 'PendingConfirmation' ? 'pending' : 'confirmed' });
    }
  }
  return out;
}

/** Who config says a severity reaches (lib/config/alerting.ts), as `protocol endpoint` like SNS lists them. */
export function expectedRecipients(config: Pick<MonitoringConfig, 'alertEmails' | 'alertPhoneNumbers'>, severity: Severity): string[] {
  return recipientsFor(config, severity).map((r) => `${r.protocol} ${r.endpoint}`);
}

/** The account's SMS sandbox: while in it, SNS texts only the verified numbers. */
export interface SmsSandboxStatus {
  readonly inSandbox: boolean;
  /** Verified sandbox destination numbers (empty outside the sandbox). */
  readonly verified: ReadonlySet<string>;
}

export async function smsSandboxStatus(clients: Pick<CliClients, 'sns'>): Promise<SmsSandboxStatus> {
  const status = await clients.sns().send(new GetSMSSandboxAccountStatusCommand({}));
  const verified = new Set<string>();
  if (status.IsInSandbox) {
    for await (const page of paginateListSMSSandboxPhoneNumbers({ client: clients.sns() }, {})) {
      for (const n of page.PhoneNumbers ?? []) if (n.Status === 'Verified' && n.PhoneNumber) verified.add(n.PhoneNumber);
    }
  }
  return { inSandbox: status.IsInSandbox === true, verified };
}
