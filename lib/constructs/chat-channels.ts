import { createHash } from 'node:crypto';
import { Validations, aws_chatbot as chatbot, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { envSuffix } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import type { Alerting, Severity } from './alerting';

export interface ChatChannelsProps {
  /** Validated configuration: `chat.slack`, `chat.teams`, `namespacePrefix`, `envName`. */
  readonly config: MonitoringConfig;
  /** The severity topics each channel subscribes to. */
  readonly alerting: Alerting;
}

/**
 * What the channels may do in the account: read alarms and the metrics their notifications
 * chart, nothing else. The same statement is the channel role and the channel guardrail, so
 * no member of the channel can run more through AWS Chatbot than this either.
 */
export const CHAT_READ_ONLY_ACTIONS = [
  'cloudwatch:DescribeAlarms',
  'cloudwatch:DescribeAlarmHistory',
  'cloudwatch:GetMetricData',
  'cloudwatch:GetMetricStatistics',
  'cloudwatch:GetMetricWidgetImage',
  'cloudwatch:ListMetrics',
] as const;

/**
 * Slack and Microsoft Teams channels of the config, each receiving the alert topics of its
 * severities through AWS Chatbot (Amazon Q Developer in chat applications). Slack uses the
 * aws-cdk-lib L2 `SlackChannelConfiguration`; aws-cdk-lib has no L2 for Teams, so Teams uses the
 * L1 `CfnMicrosoftTeamsChannelConfiguration` with the same role and guardrail.
 *
 * The topics' KMS key needs no statement for Chatbot: SNS decrypts each message before it
 * delivers it to a subscriber (Chatbot's HTTPS endpoint); what needs the key is the publisher
 * (CloudWatch, Budgets), which the alerting construct already admits.
 */
export class ChatChannels extends Construct {
  /** The role every channel runs as: read-only (CHAT_READ_ONLY_ACTIONS). */
  readonly role: iam.Role;
  /** The channel guardrail: the same read-only statement, a ceiling for anything run from chat. */
  readonly guardrail: iam.ManagedPolicy;
  readonly slack: chatbot.SlackChannelConfiguration[] = [];
  readonly teams: chatbot.CfnMicrosoftTeamsChannelConfiguration[] = [];

  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    const { config, alerting } = props;
    const readOnly = () => new iam.PolicyStatement({ actions: [...CHAT_READ_ONLY_ACTIONS], resources: ['*'] });

    // AWS Chatbot documents no aws:SourceAccount for assuming its channel role; only this
    // account's channel configurations can name the role, and it can only read.
    this.role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: `AWS Chatbot channels of the ${config.namespacePrefix} monitoring alerts: read alarms and metrics only.`,
      inlinePolicies: { ReadAlarmsAndMetrics: new iam.PolicyDocument({ statements: [readOnly()] }) },
    });
    this.guardrail = new iam.ManagedPolicy(this, 'Guardrail', {
      description: `Guardrail of the ${config.namespacePrefix} monitoring chat channels: read alarms and metrics only.`,
      statements: [readOnly()],
    });
    const wildcardReason =
      'CloudWatch GetMetricData, GetMetricStatistics, GetMetricWidgetImage and ListMetrics have no resource-level permissions; the actions are read-only.';
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: wildcardReason });
    Validations.of(this.guardrail).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: wildcardReason });

    const topicsFor = (severities: readonly Severity[]) => severities.map((s) => alerting.topics[s]);
    const base = `${config.namespacePrefix.replace(/[^A-Za-z0-9_-]/g, '-')}${envSuffix(config)}`;
    for (const [i, channel] of config.chat.slack.entries()) {
      this.slack.push(
        new chatbot.SlackChannelConfiguration(this, `Slack${i + 1}`, {
          slackChannelConfigurationName: configurationName(base, 'slack', channel.channelId),
          slackWorkspaceId: channel.workspaceId,
          slackChannelId: channel.channelId,
          notificationTopics: topicsFor(channel.severities),
          role: this.role,
          guardrailPolicies: [this.guardrail],
          loggingLevel: chatbot.LoggingLevel.ERROR,
        }),
      );
    }
    for (const [i, channel] of config.chat.teams.entries()) {
      this.teams.push(
        new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, `Teams${i + 1}`, {
          configurationName: configurationName(base, 'teams', shortHash(`${channel.teamId}/${channel.channelId}`)),
          teamId: channel.teamId,
          teamsTenantId: channel.tenantId,
          teamsChannelId: channel.channelId,
          iamRoleArn: this.role.roleArn,
          guardrailPolicies: [this.guardrail.managedPolicyArn],
          snsTopicArns: topicsFor(channel.severities).map((t) => t.topicArn),
          loggingLevel: 'ERROR',
        }),
      );
    }
  }
}

/** Chatbot names: letters, digits, `-` and `_`, at most 128, unique in the account. */
function configurationName(base: string, kind: 'slack' | 'teams', channel: string): string {
  const suffix = `-${kind}-${channel.length > 40 ? shortHash(channel) : channel}`;
  return `${base.slice(0, 128 - suffix.length)}${suffix}`;
}

/** Teams channel IDs are long; ten hex characters keep the name short and stable. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}
