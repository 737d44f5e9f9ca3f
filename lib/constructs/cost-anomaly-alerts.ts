import { type CfnElement, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { bundledFunction } from './lambda-bundle';
import type { AlertSubscriptionProps } from '../cost-anomaly/alert-subscription';
import { COST_ANOMALY_ALERTS_TYPE } from '../cost-anomaly/resource-type';

// The custom resource type in the template (`monitor preflight` skips it in the region check).
export { COST_ANOMALY_ALERTS_TYPE };

export interface CostAnomalyAlertsProps {
  /** The topic Cost Anomaly Detection publishes to (its policy must admit costalerts.amazonaws.com). */
  readonly topic: sns.ITopic;
  readonly subscriptionName: string;
  /** Name of the AWS-services monitor when the account has none yet. */
  readonly monitorName: string;
  /** Subscribe to this monitor instead of the account's services monitor. */
  readonly monitorArn?: string;
  /** Cost Anomaly Detection threshold expression (JSON). */
  readonly thresholdExpression: string;
  /** Log retention of the two deploy-time functions. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * An IMMEDIATE Cost Anomaly Detection subscription of the topic, made at deploy time by a custom
 * resource (lib/cost-anomaly/alert-subscription.ts) that finds the account's AWS-services
 * monitor, creates it only when there is none, and calls the Cost Explorer API in us-east-1, so
 * the stack deploys in every region and in accounts with or without that monitor. Stack
 * deletion removes the subscription and keeps the monitor (free, shared by the account).
 */
export class CostAnomalyAlerts extends Construct {
  readonly resource: CustomResource;
  readonly handler: lambda.Function;
  /** The subscription's ARN (known after deploy). */
  readonly subscriptionArn: string;
  /** The monitor it is attached to (known after deploy). */
  readonly monitorArn: string;

  constructor(scope: Construct, id: string, props: CostAnomalyAlertsProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const partition = Stack.of(this).partition;

    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Finds or creates the Cost Anomaly Detection services monitor and manages the alert subscription',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CreateMonitorAndSubscription',
        // Cost Anomaly Detection has no resource ARN for creates: the generic ARN or "*".
        actions: ['ce:CreateAnomalyMonitor', 'ce:CreateAnomalySubscription'],
        resources: ['*'],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadMonitorsManageSubscription',
        actions: ['ce:GetAnomalyMonitors', 'ce:UpdateAnomalySubscription', 'ce:DeleteAnomalySubscription'],
        resources: [`arn:${partition}:ce::${account}:anomalymonitor/*`, `arn:${partition}:ce::${account}:anomalysubscription/*`],
      }),
    );
    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', { retention: props.logRetention });
    handlerLogs.grantWrite(role);

    this.handler = bundledFunction(this, 'Handler', 'cost-anomaly-alerts', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
      role,
      description: 'Deploy time: Cost Anomaly Detection alert subscription (custom resource)',
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: handlerLogs,
    });

    // The framework function of the Provider gets its own role and log group (no managed policy).
    const frameworkRole = new iam.Role(this, 'ProviderRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const frameworkLogs = new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetention });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: this.handler, frameworkOnEventRole: frameworkRole, logGroup: frameworkLogs });

    const properties: AlertSubscriptionProps = {
      SubscriptionName: props.subscriptionName,
      TopicArn: props.topic.topicArn,
      ThresholdExpression: props.thresholdExpression,
      MonitorName: props.monitorName,
      MonitorArn: props.monitorArn ?? '',
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: COST_ANOMALY_ALERTS_TYPE,
      properties: { ...properties },
    });
    this.subscriptionArn = this.resource.getAttString('SubscriptionArn');
    this.monitorArn = this.resource.getAttString('MonitorArn');

    this.acknowledgeNag(role, frameworkRole, provider);
  }

  /** Each exact cdk-nag finding of the deploy-time functions, with its reason. */
  private acknowledgeNag(role: iam.Role, frameworkRole: iam.Role, provider: cr.Provider): void {
    const stack = Stack.of(this);
    const handlerId = stack.getLogicalId(this.handler.node.defaultChild as CfnElement);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ce:CreateAnomalyMonitor and ce:CreateAnomalySubscription have no resource ARN to scope to (Cost Anomaly Detection access control).',
    });
    for (const kind of ['anomalymonitor', 'anomalysubscription']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ce::<AWS::AccountId>:${kind}/*]`,
        reason: 'GetAnomalyMonitors accepts only all-or-none monitor access, and the subscription ARN is known only after it is created; this account only.',
      });
    }
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`,
      reason: 'The CDK Provider framework invokes the versions of this one handler function.',
    });
    // The framework function's runtime is chosen by aws-cdk-lib (its latest supported Node.js).
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The Provider framework function runtime is set by aws-cdk-lib and updated with it; it runs only during deploys.',
    });
  }
}
