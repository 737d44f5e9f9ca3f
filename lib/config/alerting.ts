import type { MonitoringConfig } from './schema';

/**
 * Who gets which alert, decided once (free of aws-cdk-lib, so the CDK alerting construct and the
 * `monitor` CLI can both read it): critical pages every email and phone number, warning only emails.
 */

export const SEVERITIES = ['critical', 'warning'] as const;
/** How loud an alarm is. */
export type Severity = (typeof SEVERITIES)[number];

/** Severity of an alerting topic, read from its ARN, name or display name (`...-critical...` / `... warning`). */
export function topicSeverity(topicArnOrName: string): Severity | undefined {
  const name = topicArnOrName.split(':').pop() ?? topicArnOrName;
  return SEVERITIES.find((severity) => name.toLowerCase().includes(severity));
}

export interface AlertRecipient {
  /** The SNS subscription protocol. */
  readonly protocol: 'email' | 'sms';
  readonly endpoint: string;
}

/** The subscriptions the topic of a severity should have, in config order (emails first). */
export function recipientsFor(config: Pick<MonitoringConfig, 'alertEmails' | 'alertPhoneNumbers'>, severity: Severity): AlertRecipient[] {
  const emails = config.alertEmails.map((endpoint) => ({ protocol: 'email' as const, endpoint }));
  if (severity === 'warning') return emails;
  return [...emails, ...config.alertPhoneNumbers.map((endpoint) => ({ protocol: 'sms' as const, endpoint }))];
}
