import { App, Stack, Validations, aws_sns as sns } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../lib/app';
import { buildStack } from './support/synth';

const violationsOf = (scope: IConstruct) =>
  new AwsSolutionsChecks().validateScope(scope).violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

/** Every `Validations.acknowledge` in the tree, with where it was made. */
function acknowledgements(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged (errors or warnings) in the app as `cdk synth` builds it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], alertEmails: 'ops@example.com', alertPhoneNumbers: '+14155550123' } });
    const stack = buildApp(app);
    expect(violationsOf(stack)).toEqual([]);
  });

  it('finds nothing with every optional feature configured', () => {
    const { stack } = buildStack({
      alertEmails: ['ops@example.com'],
      envName: 'prod',
      s3: { perPrefixMetrics: ['espn/'] },
      dims: { extraMetrics: ['code_base.ml_scripts'] },
      pipelineOperations: ['Extract', 'Load'],
    });
    expect(violationsOf(stack)).toEqual([]);
  });

  it('finds nothing with chat channels (Slack, Teams) and remediation hooks (Lambda, SSM Automation)', () => {
    const { stack } = buildStack({
      alertEmails: ['ops@example.com'],
      // Monitoring-Unhealthy (a remediation target below) is a profile feature.
      healthRollup: true,
      chat: {
        slack: [{ workspaceId: 'T012ABCDEFG', channelId: 'C0123ABCDEF', severities: ['critical'] }],
        teams: [{ teamId: '0123abcd-0000-4000-8000-0123456789ab', tenantId: '89abcdef-0000-4000-8000-0123456789ab', channelId: '19%3aabc%40thread.tacv2' }],
      },
      remediation: [
        { alarm: 'ADCE-QueueStale', lambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:requeue' },
        { alarm: 'S3-PublisherHeartbeat', ssmAutomation: 'RestartPublisher', automationAssumeRoleArn: 'arn:aws:iam::111122223333:role/Runbook' },
        { alarm: 'Monitoring-Unhealthy', ssmAutomation: 'AWS-PublishSNSNotification' },
      ],
    });
    expect(violationsOf(stack)).toEqual([]);
    for (const ack of acknowledgements(stack).filter((a) => /ChatChannels|Remediation/.test(a.path))) {
      expect(ack.reason.trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(20);
    }
    expect(acknowledgements(stack).filter((a) => /ChatChannels|Remediation/.test(a.path)).map((a) => a.id)).toHaveLength(4);
  });

  it('every acknowledgement gives its reason and is scoped below the stack', () => {
    // The collector sees acknowledgements where they are made (control).
    const control = new Stack(new App(), 'Acks');
    const topic = new sns.Topic(control, 'Plain');
    Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'control: a topic nobody publishes to' });
    expect(acknowledgements(control)).toEqual([{ path: 'Acks/Plain', id: 'Annotation::AwsSolutions-SNS3', reason: 'control: a topic nobody publishes to' }]);

    const { stack } = buildStack({ alertEmails: ['ops@example.com'] });
    for (const ack of acknowledgements(stack)) {
      expect(ack.reason.trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(20);
      expect(ack.path.split('/').length, `${ack.id} acknowledged on the whole stack`).toBeGreaterThan(1);
    }
  });

  it('really checks: an unencrypted topic without TLS enforcement is reported', () => {
    const stack = new Stack(new App(), 'Control');
    new sns.Topic(stack, 'Plain');
    expect(violationsOf(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/^error AwsSolutions-SNS3: Control\/Plain/)]));
  });
});
