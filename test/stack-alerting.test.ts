import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, synthStack } from './support/synth';

const emails = ['ops@example.com', 'lead@example.org'];
const phones = ['+14155550123', '+442071838750'];
const { template, stack } = synthStack({ alertEmails: emails, alertPhoneNumbers: phones });
const topics = template.findResources('AWS::SNS::Topic');
const topicId = (severity: 'critical' | 'warning') => stack.resolve(stack.alerting.topics[severity].topicArn).Ref as string;

describe('alert topics', () => {
  it('has exactly the critical and warning topics, both encrypted with the customer-managed key', () => {
    expect(Object.keys(topics).sort()).toEqual([topicId('critical'), topicId('warning')].sort());
    const keyId = stack.resolve(stack.alerting.key.keyArn)['Fn::GetAtt'][0];
    for (const topic of Object.values(topics)) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  it('uses a rotating customer-managed key', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 2560 });
  });

  it('lets CloudWatch alarms, AWS Budgets and Cost Anomaly Detection use the key for publishing, and nothing more', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0]!;
    const statements: any[] = key.Properties.KeyPolicy.Statement;
    const services = statements.filter((s) => s.Principal?.Service);
    // costalerts: the Cost Anomaly Detection subscription of the health checks (costAnomalyDetection, default on).
    expect(services.map((s) => s.Principal.Service).sort()).toEqual(['budgets.amazonaws.com', 'cloudwatch.amazonaws.com', 'costalerts.amazonaws.com']);
    for (const s of services) {
      expect(s).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
    }
    // The remaining statement is the account root's administration of its own key.
    expect(statements.filter((s) => !s.Principal?.Service)).toHaveLength(1);
  });

  it.each(['critical', 'warning'] as const)('the %s topic refuses non-TLS publishes and admits the two services for this account only', (severity) => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId(severity) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          ...['cloudwatch.amazonaws.com', 'budgets.amazonaws.com'].map((service) =>
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: service },
              Action: 'sns:Publish',
              Resource: { Ref: topicId(severity) },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ),
        ]),
      },
    });
  });

  it('allows more publishing services on request (Cost Anomaly Detection), once', () => {
    const { stack: s } = buildStack();
    s.alerting.allowServicePublish('costalerts.amazonaws.com');
    s.alerting.allowServicePublish('costalerts.amazonaws.com');
    const t = Template.fromStack(s);
    const key = Object.values(t.findResources('AWS::KMS::Key'))[0]!;
    expect(key.Properties.KeyPolicy.Statement.filter((st: any) => st.Principal?.Service === 'costalerts.amazonaws.com')).toHaveLength(1);
    for (const policy of Object.values(t.findResources('AWS::SNS::TopicPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement.filter((st: any) => st.Principal?.Service === 'costalerts.amazonaws.com')).toEqual([
        expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
      ]);
    }
  });
});

describe('subscriptions per severity', () => {
  const subs = Object.values(template.findResources('AWS::SNS::Subscription')).map((r) => r.Properties);
  const on = (severity: 'critical' | 'warning', protocol: string) =>
    subs.filter((s) => s.TopicArn.Ref === topicId(severity) && s.Protocol === protocol).map((s) => s.Endpoint).sort();

  it('sends critical to every email and every phone number', () => {
    expect(on('critical', 'email')).toEqual([...emails].sort());
    expect(on('critical', 'sms')).toEqual([...phones].sort());
  });

  it('sends warning to email only, never SMS', () => {
    expect(on('warning', 'email')).toEqual([...emails].sort());
    expect(on('warning', 'sms')).toEqual([]);
    expect(subs).toHaveLength(emails.length * 2 + phones.length);
  });

  it('subscribes nobody when nothing is configured (synth still works)', () => {
    synthStack({}, { stackName: 'Nobody' }).template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
