import { aws_chatbot as chatbot } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CHAT_READ_ONLY_ACTIONS } from '../lib/constructs/chat-channels';
import type { MonitoringConfigInput } from '../lib/config/schema';
import { buildStack, synthStack } from './support/synth';

const FIX_QUEUE = 'arn:aws:lambda:us-east-1:111122223333:function:requeue-adce:live';
const TEAM = '0123abcd-0000-4000-8000-0123456789ab';
const TENANT = '89abcdef-0000-4000-8000-0123456789ab';
const config: MonitoringConfigInput = {
  alertEmails: ['ops@example.com'],
  // Monitoring-Unhealthy (a remediation target below) is a profile feature.
  healthRollup: true,
  chat: {
    slack: [
      { workspaceId: 'T012ABCDEFG', channelId: 'C0PAGES', severities: ['critical'] },
      { workspaceId: 'T012ABCDEFG', channelId: 'C0ALL' },
    ],
    teams: [{ teamId: TEAM, tenantId: TENANT, channelId: '19:abc123@thread.tacv2', severities: ['warning'] }],
  },
  remediation: [
    { alarm: 'ADCE-QueueStale', lambdaArn: FIX_QUEUE },
    {
      alarm: 'S3-PublisherHeartbeat',
      ssmAutomation: 'RestartS3Publisher',
      parameters: { FunctionName: ['s3-publisher'] },
      automationAssumeRoleArn: 'arn:aws:iam::111122223333:role/RunbookRole',
    },
    { alarm: 'Monitoring-Unhealthy', ssmAutomation: 'AWS-PublishSNSNotification' },
  ],
};
const { template, stack } = synthStack(config);
const topicRef = (severity: 'critical' | 'warning') => stack.resolve(stack.alerting.topics[severity].topicArn);
const alarmLogicalId = (baseName: string) => stack.getLogicalId(stack.alarms.get(baseName).alarm.node.defaultChild as never);
const single = (type: string, props: Record<string, unknown> = {}) => {
  const found = Object.entries(template.findResources(type, { Properties: props }));
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return { id: found[0]![0], props: found[0]![1].Properties };
};

describe('chat channels through AWS Chatbot', () => {
  it('gives each Slack channel the topics of its severities, the shared read-only role and the guardrail', () => {
    const role = stack.resolve(stack.chat!.role.roleArn);
    const guardrail = stack.resolve(stack.chat!.guardrail.managedPolicyArn);
    const pages = single('AWS::Chatbot::SlackChannelConfiguration', { SlackChannelId: 'C0PAGES' }).props;
    expect(pages).toMatchObject({
      ConfigurationName: 'NBA-Simulator-slack-C0PAGES',
      SlackWorkspaceId: 'T012ABCDEFG',
      SnsTopicArns: [topicRef('critical')],
      IamRoleArn: role,
      GuardrailPolicies: [guardrail],
      LoggingLevel: 'ERROR',
    });
    expect(single('AWS::Chatbot::SlackChannelConfiguration', { SlackChannelId: 'C0ALL' }).props.SnsTopicArns).toEqual([topicRef('critical'), topicRef('warning')]);
  });

  it('configures the Teams channel (L1) likewise, with the channel ID URL-encoded', () => {
    const teams = single('AWS::Chatbot::MicrosoftTeamsChannelConfiguration').props;
    expect(teams).toMatchObject({
      TeamId: TEAM,
      TeamsTenantId: TENANT,
      TeamsChannelId: '19%3aabc123%40thread.tacv2',
      SnsTopicArns: [topicRef('warning')],
      IamRoleArn: stack.resolve(stack.chat!.role.roleArn),
      GuardrailPolicies: [stack.resolve(stack.chat!.guardrail.managedPolicyArn)],
    });
    expect(teams.ConfigurationName).toMatch(/^NBA-Simulator-teams-[0-9a-f]{10}$/);
  });

  it('the channel role and the guardrail can only read alarms and metrics', () => {
    const roleId = stack.getLogicalId(stack.chat!.role.node.defaultChild as never);
    const role = template.findResources('AWS::IAM::Role')[roleId]!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' })]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = [...role.Policies.flatMap((p: any) => p.PolicyDocument.Statement), ...single('AWS::IAM::ManagedPolicy').props.PolicyDocument.Statement];
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      expect(s).toEqual({ Effect: 'Allow', Action: [...CHAT_READ_ONLY_ACTIONS], Resource: '*' });
      for (const action of s.Action) expect(action).toMatch(/^cloudwatch:(Describe|Get|List)/);
    }
    // No other policy is attached to the role.
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId));
    expect(attached).toEqual([]);
  });

  it('needs no statement for Chatbot on the topics key (SNS decrypts before delivering)', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0]!;
    const services = key.Properties.KeyPolicy.Statement.map((s: any) => s.Principal?.Service).filter(Boolean);
    expect(services).not.toContain('chatbot.amazonaws.com');
  });

  it('creates nothing for chat without channels', () => {
    const { stack: plain } = buildStack({}, { stackName: 'NoChat' });
    expect(plain.chat).toBeUndefined();
    const chatConstructs = plain.node.findAll().filter((c) => c instanceof chatbot.CfnSlackChannelConfiguration || c instanceof chatbot.CfnMicrosoftTeamsChannelConfiguration);
    expect(chatConstructs).toEqual([]);
  });
});

describe('remediation hooks', () => {
  it('adds the Lambda as an ALARM action of ADCE-QueueStale only (notification kept), never on OK', () => {
    const alarm = template.findResources('AWS::CloudWatch::Alarm')[alarmLogicalId('ADCE-QueueStale')]!.Properties;
    expect(alarm.AlarmActions).toEqual(expect.arrayContaining([FIX_QUEUE, topicRef(stack.alarms.get('ADCE-QueueStale').topic!)]));
    expect(alarm.AlarmActions).toHaveLength(2);
    expect(alarm.OKActions).not.toContain(FIX_QUEUE);
    const elsewhere = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id, a]) => id !== alarmLogicalId('ADCE-QueueStale') && JSON.stringify(a).includes(FIX_QUEUE));
    expect(elsewhere).toEqual([]);
  });

  it('lets only that alarm of this account invoke the function', () => {
    expect(single('AWS::Lambda::Permission').props).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: FIX_QUEUE,
      Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::GetAtt': [alarmLogicalId('ADCE-QueueStale'), 'Arn'] },
    });
  });

  it('starts the runbook from an EventBridge rule on the alarm going to ALARM, with its parameters', () => {
    const { props } = single('AWS::Events::Rule', { Description: 'Starts SSM Automation RestartS3Publisher when S3-PublisherHeartbeat goes to ALARM.' });
    expect(props.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: [{ 'Fn::GetAtt': [alarmLogicalId('S3-PublisherHeartbeat'), 'Arn'] }],
      detail: { state: { value: ['ALARM'] } },
    });
    expect(props.Targets).toHaveLength(1);
    const target = props.Targets[0];
    expect(stack.resolve(target.Arn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':automation-definition/RestartS3Publisher:$DEFAULT']],
    });
    expect(JSON.parse(target.Input)).toEqual({ FunctionName: ['s3-publisher'], AutomationAssumeRole: ['arn:aws:iam::111122223333:role/RunbookRole'] });
  });

  it("the rule's role, assumed by EventBridge of this account, may start only that runbook and pass only its role to SSM", () => {
    const { props } = single('AWS::Events::Rule', { Description: 'Starts SSM Automation RestartS3Publisher when S3-PublisherHeartbeat goes to ALARM.' });
    const roleId = props.Targets[0].RoleArn['Fn::GetAtt'][0];
    const role = template.findResources('AWS::IAM::Role')[roleId]!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'ssm:StartAutomationExecution',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':automation-definition/RestartS3Publisher:*']] },
      },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111122223333:role/RunbookRole', Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } },
    ]);
  });

  it("Amazon's runbooks are addressed without an account, and a composite can start one", () => {
    const { props } = single('AWS::Events::Rule', { Description: 'Starts SSM Automation AWS-PublishSNSNotification when Monitoring-Unhealthy goes to ALARM.' });
    expect(props.EventPattern.resources).toEqual([{ 'Fn::GetAtt': [alarmLogicalId('Monitoring-Unhealthy'), 'Arn'] }]);
    expect(stack.resolve(props.Targets[0].Arn)['Fn::Join'][1]).toEqual(['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, '::automation-definition/AWS-PublishSNSNotification:$DEFAULT']);
    expect(JSON.parse(props.Targets[0].Input)).toEqual({});
  });

  it('stops the synth on an unknown alarm name, listing the names', () => {
    expect(() => buildStack({ remediation: [{ alarm: 'ADCE-QueueStall', lambdaArn: FIX_QUEUE }] })).toThrow(
      /remediation\[0\]\.alarm = "ADCE-QueueStall": this stack has no such alarm .*Alarms: .*ADCE-HighFailureRate, .*ADCE-QueueStale, /,
    );
    // A turned-off source has no alarms to hook.
    expect(() => buildStack({ adce: { enabled: false }, remediation: [{ alarm: 'ADCE-QueueStale', lambdaArn: FIX_QUEUE }] })).toThrow(/no such alarm/);
  });

  it('refuses a function of another region, and warns with the permission to add for one of another account', () => {
    const env = { account: '111122223333', region: 'eu-west-1' };
    expect(() => buildStack({ remediation: [{ alarm: 'ADCE-QueueStale', lambdaArn: FIX_QUEUE }] }, { env })).toThrow(/is in us-east-1; the alarm ADCE-QueueStale is in eu-west-1/);

    const other = 'arn:aws:lambda:us-east-1:444455556666:function:fix';
    const { stack: s } = buildStack({ remediation: [{ alarm: 'ADCE-QueueStale', lambdaArn: other }] }, { env: { account: '111122223333', region: 'us-east-1' }, stackName: 'CrossAccount' });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::Lambda::Permission', 0);
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::Alarm'))).toContain(other);
    const warnings = Annotations.fromStack(s).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings.join('\n')).toMatch(
      /444455556666, not this stack's: .*aws lambda add-permission --function-name 'arn:aws:lambda:us-east-1:444455556666:function:fix' .*--source-account 111122223333 --source-arn 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:ADCE-QueueStale'/,
    );
  });
});
