import {
  Annotations,
  Arn,
  ArnFormat,
  Aws,
  Stack,
  Token,
  Validations,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as actions,
  aws_events as events,
  aws_iam as iam,
  aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigError } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import type { AlarmFactory, RegisteredAlarm } from './alarm-factory';

export interface RemediationProps {
  /** Validated configuration: `remediation`. */
  readonly config: MonitoringConfig;
  /** The stack's alarms; every `remediation[].alarm` must be one of their base names. */
  readonly alarms: AlarmFactory;
}

/** CloudWatch runs at most 5 actions per state of an alarm. */
const MAX_ALARM_ACTIONS = 5;

/** The remediation of one alarm, as built. */
export interface RemediationHook {
  readonly alarm: RegisteredAlarm;
  /** `lambda`: an alarm action; `automation`: an EventBridge rule on the alarm's state change. */
  readonly kind: 'lambda' | 'automation';
  /** The function ARN or the runbook name. */
  readonly target: string;
  /** Automation only: the rule that starts the runbook. */
  readonly rule?: events.Rule;
}

/**
 * What the config's `remediation` asks for when an alarm goes to ALARM:
 *
 * - `lambdaArn`: a Lambda alarm action, with the function permission CloudWatch needs
 *   (`lambda.alarms.cloudwatch.amazonaws.com`, only this alarm: aws:SourceArn, this account:
 *   aws:SourceAccount). A function of another account gets the action, and a synth warning with
 *   the `aws lambda add-permission` to run there.
 * - `ssmAutomation`: CloudWatch alarm actions cannot start an Automation runbook (they can
 *   create OpsCenter OpsItems or Incident Manager incidents only), so an EventBridge rule on the
 *   alarm's "CloudWatch Alarm State Change" to ALARM starts it, with a role that may start only
 *   that runbook (and pass only its `automationAssumeRoleArn`). State-change events are free.
 *
 * Built after every alarm is registered; an unknown alarm name stops the synth with the list.
 */
export class Remediation extends Construct {
  readonly hooks: RemediationHook[] = [];

  constructor(scope: Construct, id: string, props: RemediationProps) {
    super(scope, id);
    const { config, alarms } = props;
    const actionsPerAlarm = new Map<string, number>();
    for (const [i, hook] of config.remediation.entries()) {
      const at = `remediation[${i}]`;
      const entry = alarms.select({ baseNames: [hook.alarm] })[0];
      if (!entry) {
        const names = alarms.registered.map((e) => e.baseName).sort();
        throw new ConfigError(
          `Invalid configuration: ${at}.alarm = ${JSON.stringify(hook.alarm)}: this stack has no such alarm (alarms of a source or feature that is off are not created). ` +
            `Alarms: ${names.join(', ')}`,
        );
      }
      if (hook.lambdaArn) {
        const used = (actionsPerAlarm.get(entry.baseName) ?? (entry.notifies ? 1 : 0)) + 1;
        if (used > MAX_ALARM_ACTIONS) {
          throw new ConfigError(`Invalid configuration: ${at}: ${entry.baseName} would have ${used} actions on ALARM; CloudWatch allows ${MAX_ALARM_ACTIONS}.`);
        }
        actionsPerAlarm.set(entry.baseName, used);
        this.invokeLambda(`Lambda${i + 1}`, at, entry, hook.lambdaArn);
      } else if (hook.ssmAutomation) {
        this.startAutomation(`Automation${i + 1}`, entry, hook.ssmAutomation, hook.parameters ?? {}, hook.automationAssumeRoleArn);
      }
    }
  }

  private invokeLambda(id: string, at: string, entry: RegisteredAlarm, functionArn: string): void {
    const stack = Stack.of(this);
    const arn = Arn.split(functionArn, ArnFormat.COLON_RESOURCE_NAME);
    if (!Token.isUnresolved(stack.region) && arn.region !== stack.region) {
      throw new ConfigError(`Invalid configuration: ${at}.lambdaArn is in ${arn.region}; the alarm ${entry.baseName} is in ${stack.region}, and CloudWatch invokes functions of its own region only.`);
    }
    const sameAccount = Token.isUnresolved(stack.account) || arn.account === stack.account;
    const fn = lambda.Function.fromFunctionAttributes(this, id, { functionArn, sameEnvironment: sameAccount, skipPermissions: !sameAccount });
    if (sameAccount) {
      // Adds the permission with aws:SourceAccount and aws:SourceArn (this alarm only).
      entry.alarm.addAlarmAction(new actions.LambdaAction(fn, { useUniquePermissionId: true }));
    } else {
      entry.alarm.addAlarmAction({ bind: (): cloudwatch.AlarmActionConfig => ({ alarmActionArn: functionArn }) });
      const alarmArn = Token.isUnresolved(stack.region) ? `<arn of alarm ${entry.alarmName}>` : `arn:${arn.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${entry.alarmName}`;
      Annotations.of(this).addWarningV2(
        'monitoring:remediation-permission',
        `${at}: ${functionArn} is in account ${arn.account}, not this stack's: allow the alarm there: ` +
          `aws lambda add-permission --function-name '${functionArn}' --statement-id ${entry.alarmName}-alarm --action lambda:InvokeFunction ` +
          `--principal lambda.alarms.cloudwatch.amazonaws.com --source-account ${stack.account} --source-arn '${alarmArn}'`,
      );
    }
    this.hooks.push({ alarm: entry, kind: 'lambda', target: functionArn });
  }

  private startAutomation(id: string, entry: RegisteredAlarm, document: string, parameters: Record<string, string[]>, assumeRoleArn: string | undefined): void {
    // Amazon's runbooks (names starting aws, amazon or amzn, which SSM reserves) have no account in their ARN.
    const owner = /^(aws|amazon|amzn)/i.test(document) ? '' : Aws.ACCOUNT_ID;
    const definition = `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${owner}:automation-definition/${document}`;
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }),
      description: `Starts the ${document} runbook when ${entry.alarmName} goes to ALARM.`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: [`${definition}:*`] }));
    if (assumeRoleArn) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [assumeRoleArn], conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } }),
      );
    }
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:${owner ? '<AWS::AccountId>' : ''}:automation-definition/${document}:*]`,
      reason: 'Any version of this one runbook: the rule starts its default version, whose number changes when the runbook is updated.',
    });
    const input = { ...parameters, ...(assumeRoleArn ? { AutomationAssumeRole: [assumeRoleArn] } : {}) };
    const rule = new events.Rule(this, id, {
      description: `Starts SSM Automation ${document} when ${entry.alarmName} goes to ALARM.`.slice(0, 512),
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [entry.alarm.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
    });
    // The input is the runbook's parameters (always set: without it EventBridge would pass the event itself).
    rule.addTarget({ bind: () => ({ arn: `${definition}:$DEFAULT`, role, input: events.RuleTargetInput.fromObject(input) }) });
    this.hooks.push({ alarm: entry, kind: 'automation', target: document, rule });
  }
}
