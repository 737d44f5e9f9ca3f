import {
  Duration,
  Stack,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as actions,
  aws_iam as iam,
  aws_kms as kms,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MonitoringConfig } from '../config/schema';

/** How loud an alarm is: critical pages (email + SMS), warning only emails. */
export type Severity = 'critical' | 'warning';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning'];

/** AWS services that publish to the alert topics out of the box; more with `allowServicePublish` (e.g. `costalerts.amazonaws.com`). */
export const DEFAULT_PUBLISHER_SERVICES = ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com'] as const;

export interface AlertingProps {
  /** Validated configuration: `alertEmails`, `alertPhoneNumbers`, `namespacePrefix`, `envName`. */
  readonly config: MonitoringConfig;
}

/**
 * Two SNS topics, `critical` and `warning`, encrypted with a customer-managed KMS key and
 * refusing non-TLS publishes. Critical reaches every email and phone number of the config,
 * warning only the emails. Routing is decided here once: callers name a severity.
 */
export class Alerting extends Construct {
  readonly key: kms.Key;
  readonly topics: Readonly<Record<Severity, sns.Topic>>;
  private readonly services = new Set<string>();

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const { config } = props;
    const env = config.envName === 'default' ? '' : ` (${config.envName})`;

    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the ${config.namespacePrefix} monitoring alert topics${env}.`,
      enableKeyRotation: true,
      // Each of a key's first two rotations adds $1/month to its $1/month, and the key only
      // protects messages in flight: the longest period KMS allows (rotation stays on, as
      // cdk-nag AwsSolutions-KMS5 asks).
      rotationPeriod: Duration.days(2560),
    });

    const topic = (severity: Severity, label: string) =>
      new sns.Topic(this, label, {
        displayName: `${config.namespacePrefix} ${severity}${env}`.slice(0, 100),
        masterKey: this.key,
        enforceSSL: true,
      });
    this.topics = { critical: topic('critical', 'Critical'), warning: topic('warning', 'Warning') };

    for (const email of config.alertEmails) {
      for (const severity of SEVERITIES) this.topics[severity].addSubscription(new subscriptions.EmailSubscription(email));
    }
    for (const phone of config.alertPhoneNumbers) {
      this.topics.critical.addSubscription(new subscriptions.SmsSubscription(phone));
    }

    for (const service of DEFAULT_PUBLISHER_SERVICES) this.allowServicePublish(service);
  }

  /** Sends the alarm's ALARM and OK transitions to the severity's topic. */
  notify(alarm: cloudwatch.AlarmBase, severity: Severity): void {
    const action = new actions.SnsAction(this.topics[severity]);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }

  /**
   * Lets an AWS service publish to both topics, and use the key to do so, only on behalf of this
   * account (`aws:SourceAccount`) and, where AWS documents the service's source ARN (CloudWatch
   * alarms, AWS Budgets), only for its resources of this account (`aws:SourceArn`). Idempotent.
   */
  allowServicePublish(servicePrincipal: string): void {
    if (this.services.has(servicePrincipal)) return;
    this.services.add(servicePrincipal);
    const principal = new iam.ServicePrincipal(servicePrincipal);
    const conditions = publisherConditions(Stack.of(this), servicePrincipal);
    // Sids: letters and digits only, e.g. `PublishCloudwatch`.
    const service = servicePrincipal.split('.')[0]!.replace(/[^A-Za-z0-9]/g, '');
    const sid = (verb: string) => `${verb}${service.charAt(0).toUpperCase()}${service.slice(1)}`;
    for (const topic of Object.values(this.topics)) {
      topic.addToResourcePolicy(
        new iam.PolicyStatement({ sid: sid('Publish'), principals: [principal], actions: ['sns:Publish'], resources: [topic.topicArn], conditions }),
      );
    }
    // Publishing to an encrypted topic needs the key (SNS asks KMS with the publisher's request
    // context, so the same conditions apply).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({ sid: sid('AllowKeyUse'), principals: [principal], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions }),
    );
  }
}

/**
 * Source ARNs AWS documents for the services that publish alerts: CloudWatch alarms of this
 * account and region, AWS Budgets of this account. Cost Anomaly Detection documents
 * `aws:SourceAccount` only.
 */
export function publisherSourceArn(stack: Stack, servicePrincipal: string): string | undefined {
  switch (servicePrincipal) {
    case 'cloudwatch.amazonaws.com':
      return `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`;
    case 'budgets.amazonaws.com':
      return `arn:${stack.partition}:budgets::${stack.account}:*`;
    default:
      return undefined;
  }
}

function publisherConditions(stack: Stack, servicePrincipal: string): Record<string, Record<string, string>> {
  const sourceArn = publisherSourceArn(stack, servicePrincipal);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ...(sourceArn ? { ArnLike: { 'aws:SourceArn': sourceArn } } : {}),
  };
}
