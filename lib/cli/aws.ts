import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Command } from 'commander';
import { SEVERITIES, type Severity, recipientsFor } from '../config/alerting';
import type { MonitoringConfig } from '../config/schema';

/**
 * AWS clients for the CLI commands. Created on first use, so `--dry-run` and `--help` never need
 * credentials; the region comes from `--region` or the SDK's usual chain (AWS_REGION, profile).
 * Tests mock the client classes with aws-sdk-client-mock, which patches every instance.
 */
export interface CliClients {
  cloudwatch(): CloudWatchClient;
  sns(): SNSClient;
  cloudformation(): CloudFormationClient;
}

export function cliClients(region?: string): CliClients {
  const cache = new Map<string, unknown>();
  const lazy = <T>(key: string, make: () => T) => (): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  const options = region ? { region } : {};
  return {
    cloudwatch: lazy('cw', () => new CloudWatchClient(options)),
    sns: lazy('sns', () => new SNSClient(options)),
    cloudformation: lazy('cfn', () => new CloudFormationClient(options)),
  };
}

/** Adds `--region` to a command that talks to AWS. */
export function withRegion(command: Command): Command {
  return command.option('--region <region>', 'AWS region (default: AWS_REGION or your profile)');
}

export { awsErrorText } from '../sources/aws-error';

/** Severity of an alerting topic, read from its ARN or name (`...-critical...` / `...-warning...`). */
export function topicSeverity(topicArnOrName: string): Severity | undefined {
  const name = topicArnOrName.split(':').pop() ?? topicArnOrName;
  return SEVERITIES.find((severity) => name.toLowerCase().includes(severity));
}

/** Who config says a severity reaches (lib/config/alerting.ts), as `protocol endpoint` like SNS lists them. */
export function expectedRecipients(config: Pick<MonitoringConfig, 'alertEmails' | 'alertPhoneNumbers'>, severity: Severity): string[] {
  return recipientsFor(config, severity).map((r) => `${r.protocol} ${r.endpoint}`);
}
