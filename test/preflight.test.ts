import { BudgetsClient, BudgetsServiceException, DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { CloudFormationClient, CloudFormationServiceException, DescribeStackResourceCommand, DescribeTypeCommand } from '@aws-sdk/client-cloudformation';
import { CostExplorerClient, CostExplorerServiceException, GetAnomalyMonitorsCommand } from '@aws-sdk/client-cost-explorer';
import { DescribeKeyCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetSMSAttributesCommand, GetSMSSandboxAccountStatusCommand, ListOriginationNumbersCommand, ListSMSSandboxPhoneNumbersCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { parseConfig } from '../lib/config/load';
import type { MonitoringConfigInput } from '../lib/config/schema';
import { checkBootstrap, checkRecipients, checkTarget, checkTemplate, requiredBootstrapVersion, templateResourceTypes } from '../lib/preflight/account';
import { checkBuckets } from '../lib/preflight/buckets';
import { CALL_DEADLINE_MS, preflightClients } from '../lib/preflight/clients';
import { checkAnomalyMonitor, checkBudgetName } from '../lib/preflight/cost';
import { runPreflight } from '../lib/preflight/run';
import { checkSms } from '../lib/preflight/sms';
import type { PreflightCheck, PreflightTemplate } from '../lib/preflight/types';
import { captureIO, configFile } from './cli-helpers';

const sts = mockClient(STSClient);
const cfn = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
const sns = mockClient(SNSClient);
const ce = mockClient(CostExplorerClient);
const budgets = mockClient(BudgetsClient);

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const target = { account: ACCOUNT, region: REGION };
const LAKE = 'nba-sim-raw-data-lake';
const CMK = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SERVICES_MONITOR = `arn:aws:ce::${ACCOUNT}:anomalymonitor/aaaaaaaa-0000-0000-0000-000000000001`;
const config = (input: MonitoringConfigInput = {}) => parseConfig({ alertEmails: ['ops@example.com'], ...input }, 'test');
const clients = () => preflightClients(REGION);

/** Service errors as the SDK raises them (name, HTTP status). */
const err = <E extends new (o: any) => Error>(Kind: E, name: string, status = 400, message = name) => new Kind({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });

/** The template of the default config, as far as preflight reads it. */
const TEMPLATE: PreflightTemplate = {
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic' },
    Fn: { Type: 'AWS::Lambda::Function' },
    CostBudgetB1: { Type: 'AWS::Budgets::Budget' },
    Alerts: { Type: 'Custom::CostAnomalyAlerts' },
    Meta: { Type: 'AWS::CDK::Metadata' },
  },
  Rules: { CheckBootstrapVersion: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] }] } }] } },
};

const statuses = (checks: PreflightCheck[]) => checks.map((c) => `${c.status} ${c.name}`);

/** An account where everything is in order for the default config plus a phone number. */
function allGreen() {
  for (const m of [sts, cfn, ssm, s3, kms, sns, ce, budgets]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ops` });
  cfn.on(DescribeTypeCommand).resolves({ TypeName: 'x' });
  cfn.on(DescribeStackResourceCommand).rejects(err(CloudFormationServiceException, 'ValidationError', 400, 'Stack does not exist'));
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
  ce.on(GetAnomalyMonitorsCommand).resolves({
    AnomalyMonitors: [{ MonitorArn: SERVICES_MONITOR, MonitorName: 'Default-Services-Monitor', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' }],
  });
  budgets.on(DescribeBudgetCommand).rejects(err(BudgetsServiceException, 'NotFoundException'));
  s3.on(HeadBucketCommand).resolves({ BucketRegion: REGION });
  s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
  s3.on(HeadObjectCommand).resolves({ ContentLength: 2048, LastModified: new Date('2026-11-20T10:00:00Z'), ServerSideEncryption: 'AES256' });
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: 'adce/runs/run-1.json' }] });
  sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: false });
  sns.on(ListOriginationNumbersCommand).resolves({ PhoneNumbers: [{ PhoneNumber: '+18445550100', Status: 'ACTIVE', Iso2CountryCode: 'US', NumberCapabilities: ['SMS', 'VOICE'], RouteType: 'Transactional' }] });
  sns.on(GetSMSAttributesCommand).resolves({ attributes: { MonthlySpendLimit: '20' } });
}

beforeEach(allGreen);

describe('credentials, region, recipients', () => {
  it('names the account, region and caller', async () => {
    const { target: t, checks } = await checkTarget(clients());
    expect(t).toEqual(target);
    expect(checks).toEqual([expect.objectContaining({ status: 'ok', detail: `account ${ACCOUNT}, region ${REGION}, as arn:aws:iam::${ACCOUNT}:user/ops` })]);
  });

  it('without credentials: fails and says how to get them', async () => {
    sts.on(GetCallerIdentityCommand).rejects(err(STSServiceException, 'ExpiredToken', 403, 'The security token included in the request is expired'));
    const { target: t, checks } = await checkTarget(clients());
    expect(t).toBeUndefined();
    expect(checks[0]).toMatchObject({ status: 'fail', detail: expect.stringContaining('ExpiredToken (HTTP 403)'), fix: expect.stringContaining('AWS_PROFILE') });
  });

  it('without a region: fails and names AWS_REGION and --region', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
    vi.stubEnv('AWS_PROFILE', 'nobody');
    try {
      const { checks } = await checkTarget(preflightClients());
      expect(checks).toEqual([expect.objectContaining({ name: 'region', status: 'fail', fix: 'Set AWS_REGION (or a region in your profile), or pass --region.' })]);
      expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('alarms that reach nobody fail; phones without emails warn', () => {
    expect(checkRecipients({ alertEmails: [], alertPhoneNumbers: [] })).toMatchObject({ status: 'fail', fix: expect.stringContaining('alertEmails') });
    expect(checkRecipients({ alertEmails: [], alertPhoneNumbers: ['+14155550123'] }).status).toBe('warn');
    expect(checkRecipients({ alertEmails: ['a@example.com'], alertPhoneNumbers: [] })).toMatchObject({ status: 'ok', detail: expect.stringContaining('must confirm') });
  });

  it('every client has connection and request timeouts, and every call a deadline', () => {
    // Built by the client factory: its pinned HTTP handler with those limits, not the SDK's default.
    expect(preflightClients('eu-west-1').sts().config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    expect(CALL_DEADLINE_MS).toBeLessThanOrEqual(30_000);
  });
});

describe('template: region support and limits', () => {
  it('checks the registry types only, all present', async () => {
    expect(templateResourceTypes(TEMPLATE)).toEqual(['AWS::Budgets::Budget', 'AWS::Lambda::Function', 'AWS::SNS::Topic']);
    const checks = await checkTemplate(TEMPLATE, target, clients());
    expect(statuses(checks)).toEqual(['ok resources', 'ok resource types']);
    expect(cfn.commandCalls(DescribeTypeCommand).map((c) => c.args[0].input.TypeName).sort()).toEqual(templateResourceTypes(TEMPLATE));
  });

  it('a type the region does not know fails, with what to do for AWS Budgets', async () => {
    cfn.on(DescribeTypeCommand, { TypeName: 'AWS::Budgets::Budget' }).rejects(err(CloudFormationServiceException, 'TypeNotFoundException', 404));
    const [, types] = await checkTemplate(TEMPLATE, { account: ACCOUNT, region: 'eu-central-2' }, clients());
    expect(types).toMatchObject({ status: 'fail', detail: 'eu-central-2 does not know AWS::Budgets::Budget (of 3 types in the template)', fix: expect.stringContaining('set cost.enabled to false') });
  });

  it('more than 500 resources fail; no DescribeType permission warns', async () => {
    const big: PreflightTemplate = { Resources: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`R${i}`, { Type: 'AWS::SNS::Topic' }])) };
    cfn.on(DescribeTypeCommand).rejects(err(CloudFormationServiceException, 'AccessDenied', 403));
    const checks = await checkTemplate(big, target, clients());
    expect(statuses(checks)).toEqual(['fail resources', 'warn resource types']);
    expect(checks[1]!.fix).toContain('cloudformation:DescribeType');
  });
});

describe('CDK bootstrap', () => {
  it('reads the version the template needs from its CheckBootstrapVersion rule', () => {
    expect(requiredBootstrapVersion(TEMPLATE)).toBe(6);
    expect(requiredBootstrapVersion({})).toBe(6);
  });

  it('a recent bootstrap passes', async () => {
    expect(await checkBootstrap(TEMPLATE, target, clients(), 'hnb659fds')).toMatchObject({ status: 'ok', detail: 'version 30 (this template needs >= 6)' });
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: '/cdk-bootstrap/hnb659fds/version' });
  });

  it('none, or too old, fails with the exact bootstrap command', async () => {
    ssm.on(GetParameterCommand).rejects(err(SSMServiceException, 'ParameterNotFound'));
    expect(await checkBootstrap(TEMPLATE, target, clients(), 'hnb659fds')).toMatchObject({ status: 'fail', fix: `Run \`npx cdk bootstrap aws://${ACCOUNT}/${REGION}\` (once per account and region).` });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '5' } });
    expect(await checkBootstrap(TEMPLATE, target, clients(), 'custom1')).toMatchObject({ status: 'fail', detail: 'version 5, this template needs >= 6', fix: expect.stringContaining('--qualifier custom1') });
  });
});

describe('Cost Anomaly Detection monitor', () => {
  it('an existing services monitor: the deploy subscribes to it, and the exact setting to pin it is given', async () => {
    const c = await checkAnomalyMonitor(config(), clients());
    expect(c.status).toBe('ok');
    expect(c.detail).toContain(`"costAnomalyMonitorArn": "${SERVICES_MONITOR}"`);
    expect(c.detail).toContain('no second monitor is created');
  });

  it('none: the deploy creates one', async () => {
    ce.on(GetAnomalyMonitorsCommand).resolves({ AnomalyMonitors: [] });
    expect(await checkAnomalyMonitor(config(), clients())).toMatchObject({ status: 'ok', detail: expect.stringContaining('creates "NBA-Simulator-services"') });
  });

  it('costAnomalyMonitorArn that is not in the account fails; one that is passes', async () => {
    const other = `arn:aws:ce::${ACCOUNT}:anomalymonitor/bbbbbbbb-0000-0000-0000-000000000002`;
    expect(await checkAnomalyMonitor(config({ costAnomalyMonitorArn: other }), clients())).toMatchObject({ status: 'fail', fix: expect.stringContaining('Remove costAnomalyMonitorArn') });
    expect((await checkAnomalyMonitor(config({ costAnomalyMonitorArn: SERVICES_MONITOR }), clients())).status).toBe('ok');
  });

  it('no permission warns (the deploy role has its own); a service error fails', async () => {
    ce.on(GetAnomalyMonitorsCommand).rejects(err(CostExplorerServiceException, 'AccessDeniedException', 403));
    expect((await checkAnomalyMonitor(config(), clients())).status).toBe('warn');
    ce.on(GetAnomalyMonitorsCommand).rejects(err(CostExplorerServiceException, 'DataUnavailableException', 400, 'Cost Explorer is not enabled'));
    expect(await checkAnomalyMonitor(config(), clients())).toMatchObject({ status: 'fail', fix: expect.stringContaining('Open Cost Explorer once') });
  });
});

describe('budget name', () => {
  const budgetName = `NBA-Simulator-monthly-cost-${REGION}`;

  it('a free name passes, looked up account-wide', async () => {
    expect(await checkBudgetName(config(), TEMPLATE, target, 'NBA-Simulator-Monitoring', clients())).toMatchObject({ status: 'ok', name: `budget ${budgetName}` });
    expect(budgets.commandCalls(DescribeBudgetCommand)[0]!.args[0].input).toEqual({ AccountId: ACCOUNT, BudgetName: budgetName });
  });

  it("the stack's own budget (an update) passes; anyone else's fails with how to clear it", async () => {
    budgets.on(DescribeBudgetCommand).resolves({ Budget: { BudgetName: budgetName, BudgetType: 'COST', TimeUnit: 'MONTHLY' } });
    cfn.on(DescribeStackResourceCommand, { StackName: 'NBA-Simulator-Monitoring', LogicalResourceId: 'CostBudgetB1' }).resolves({
      StackResourceDetail: { PhysicalResourceId: budgetName, LogicalResourceId: 'CostBudgetB1', ResourceType: 'AWS::Budgets::Budget', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
    });
    expect((await checkBudgetName(config(), TEMPLATE, target, 'NBA-Simulator-Monitoring', clients())).status).toBe('ok');
    const foreign = await checkBudgetName(config(), TEMPLATE, target, 'Other-Stack', clients());
    expect(foreign).toMatchObject({ status: 'fail', fix: expect.stringContaining(`aws budgets delete-budget --account-id ${ACCOUNT} --budget-name ${budgetName}`) });
  });

  it('no permission warns', async () => {
    budgets.on(DescribeBudgetCommand).rejects(err(BudgetsServiceException, 'AccessDeniedException', 403));
    expect((await checkBudgetName(config(), TEMPLATE, target, 'S', clients())).status).toBe('warn');
  });
});

describe('buckets and the objects config names', () => {
  it('default config: one bucket (S3, ADCE, DIMS), its encryption, the queue, the runs folder and the inventory', async () => {
    const checks = await checkBuckets(config(), target, clients());
    expect(statuses(checks)).toEqual([
      `ok s3://${LAKE}`,
      `ok s3://${LAKE} encryption`,
      `ok s3://${LAKE}/adce/gaps.json`,
      `ok s3://${LAKE}/adce/runs/`,
      `ok s3://${LAKE}/inventory/metrics.yaml`,
    ]);
    expect(checks[0]!.detail).toBe(`exists in ${REGION}, used by s3, adce, dims`);
  });

  it('a missing bucket fails, names the config key, and checks nothing inside it', async () => {
    s3.on(HeadBucketCommand).rejects(err(S3ServiceException, 'NotFound', 404));
    const checks = await checkBuckets(config(), target, clients());
    expect(checks).toEqual([expect.objectContaining({ status: 'fail', detail: 'does not exist (used by s3, adce, dims)', fix: 'Create it, or set dataLakeBucket to the bucket\'s real name.' })]);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('a bucket in another region fails: deploy where the bucket is', async () => {
    s3.on(HeadBucketCommand).resolves({ BucketRegion: 'us-west-2' });
    const [c] = await checkBuckets(config(), target, clients());
    expect(c).toMatchObject({ status: 'fail', fix: 'Deploy the stack to us-west-2 (`AWS_REGION=us-west-2`), where the bucket is.' });
  });

  it('SSE-KMS with a customer-managed key not in bucketKmsKeyArns fails with the exact setting; configured, it passes', async () => {
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: CMK } }] } });
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: CMK });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: CMK, KeyManager: 'CUSTOMER' } });
    const unconfigured = await checkBuckets(config(), target, clients());
    const encryption = unconfigured.find((c) => c.name.endsWith('encryption'))!;
    expect(encryption).toMatchObject({ status: 'fail', fix: expect.stringContaining(`"bucketKmsKeyArns": { "${LAKE}": "${CMK}" }`) });
    // The objects are encrypted with it too: each says so.
    expect(unconfigured.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([`s3://${LAKE} encryption`, `s3://${LAKE}/adce/gaps.json`, `s3://${LAKE}/inventory/metrics.yaml`]);
    // Described once, in the key's region.
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);

    const configured = await checkBuckets(config({ bucketKmsKeyArns: { [LAKE]: CMK } }), target, clients());
    expect(configured.every((c) => c.status === 'ok')).toBe(true);
  });

  it('a key preflight may not describe warns with the setting to add if it is customer-managed', async () => {
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: CMK } }] } });
    kms.on(DescribeKeyCommand).rejects(err(KMSServiceException, 'AccessDeniedException', 403));
    const encryption = (await checkBuckets(config(), target, clients())).find((c) => c.name.endsWith('encryption'))!;
    expect(encryption).toMatchObject({ status: 'warn', fix: expect.stringContaining(`"bucketKmsKeyArns": { "${LAKE}": "${CMK}" }`) });
  });

  it('the AWS-managed aws/s3 key needs no setting', async () => {
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } });
    s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/aws-managed-1` });
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'aws-managed-1', Arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/aws-managed-1`, KeyManager: 'AWS' } });
    expect((await checkBuckets(config(), target, clients())).every((c) => c.status === 'ok')).toBe(true);
  });

  it('a missing ADCE queue or DIMS inventory fails (every run would); no run report yet only warns', async () => {
    s3.on(HeadObjectCommand, { Key: 'adce/gaps.json' }).rejects(err(S3ServiceException, 'NotFound', 404));
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    const checks = await checkBuckets(config(), target, clients());
    expect(checks.find((c) => c.name.endsWith('gaps.json'))).toMatchObject({ status: 'fail', fix: expect.stringContaining('adce.queueKey') });
    expect(checks.find((c) => c.name.endsWith('runs/'))).toMatchObject({ status: 'warn', detail: expect.stringContaining('no object under adce.runsPrefix yet') });
  });

  it('a turned-off source brings no check: S3 alone is listing only (no encryption or object check)', async () => {
    const checks = await checkBuckets(config({ adce: { enabled: false }, dims: { enabled: false } }), target, clients());
    expect(statuses(checks)).toEqual([`ok s3://${LAKE}`]);
    expect(checks[0]!.detail).toContain('listing only');
    expect(s3.commandCalls(GetBucketEncryptionCommand)).toHaveLength(0);
  });

  it('each bucket of each source is checked once, under the config key that names it', async () => {
    s3.on(HeadBucketCommand, { Bucket: 'adce-state' }).rejects(err(S3ServiceException, 'NotFound', 404));
    const checks = await checkBuckets(config({ adce: { bucket: 'adce-state' } }), target, clients());
    expect(checks.find((c) => c.name === 's3://adce-state')).toMatchObject({ status: 'fail', detail: 'does not exist (used by adce)', fix: expect.stringContaining('set adce.bucket') });
    expect(s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input.Bucket).sort()).toEqual(['adce-state', LAKE]);
  });
});

describe('SMS', () => {
  it('no phone number: nothing to check', async () => {
    expect(await checkSms([], target, clients())).toEqual([]);
    expect(sns.calls()).toHaveLength(0);
  });

  it('out of the sandbox, an active US toll-free number, a raised limit: all ok', async () => {
    expect(statuses(await checkSms(['+14155550123'], target, clients()))).toEqual(['ok SMS sandbox', 'ok US origination number', 'ok SMS spend limit']);
  });

  it('in the sandbox: each number must be verified, and says how', async () => {
    sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: true });
    sns.on(ListSMSSandboxPhoneNumbersCommand).resolves({ PhoneNumbers: [{ PhoneNumber: '+14155550123', Status: 'Verified' }, { PhoneNumber: '+14155550124', Status: 'Pending' }] });
    const checks = await checkSms(['+14155550123', '+14155550124', '+442071838750'], target, clients());
    expect(statuses(checks)).toEqual(['ok SMS sandbox', 'ok +14155550123', 'fail +14155550124', 'fail +442071838750', 'ok US origination number', 'ok SMS spend limit']);
    expect(checks[2]!.fix).toContain('aws sns verify-sms-sandbox-phone-number --phone-number +14155550124');
    expect(checks[3]!.fix).toContain('aws sns create-sms-sandbox-phone-number --phone-number +442071838750');
  });

  it('US numbers without an active origination number fail; non-US numbers need none', async () => {
    sns.on(ListOriginationNumbersCommand).resolves({ PhoneNumbers: [{ PhoneNumber: '+18445550100', Status: 'PENDING', Iso2CountryCode: 'US', NumberCapabilities: ['SMS'] }] });
    const checks = await checkSms(['+14155550123'], target, clients());
    expect(checks.find((c) => c.name === 'US origination number')).toMatchObject({ status: 'fail', detail: expect.stringContaining('+18445550100 is PENDING'), fix: expect.stringContaining('toll-free') });
    sns.resetHistory();
    expect(statuses(await checkSms(['+442071838750'], target, clients()))).toEqual(['ok SMS sandbox', 'ok SMS spend limit']);
    expect(sns.commandCalls(ListOriginationNumbersCommand)).toHaveLength(0);
  });

  it('the default 1 USD spend limit warns with about how many texts it buys; 0 fails', async () => {
    sns.on(GetSMSAttributesCommand).resolves({ attributes: { MonthlySpendLimit: '1' } });
    const [, , limit] = await checkSms(['+14155550123'], target, clients());
    expect(limit).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^1 USD a month \(the default\): about 112 texts/), fix: expect.stringContaining('MonthlySpendLimit') });
    sns.on(GetSMSAttributesCommand).resolves({ attributes: { MonthlySpendLimit: '0' } });
    expect((await checkSms(['+14155550123'], target, clients()))[2]!.status).toBe('fail');
  });

  it('no permission warns; SMS unavailable in the region fails', async () => {
    sns.on(GetSMSSandboxAccountStatusCommand).rejects(err(SNSServiceException, 'AuthorizationError', 403));
    expect((await checkSms(['+442071838750'], target, clients()))[0]).toMatchObject({ status: 'warn', fix: 'Allow sns:GetSMSSandboxAccountStatus to check.' });
    sns.on(GetSMSSandboxAccountStatusCommand).rejects(err(SNSServiceException, 'InvalidParameter', 400, 'SMS is not supported in this region'));
    expect((await checkSms(['+442071838750'], target, clients()))[0]!.status).toBe('fail');
  });
});

describe('runPreflight', () => {
  const synthesize = vi.fn(() => TEMPLATE);
  afterEach(() => synthesize.mockClear());

  it('with the cost source off: no Cost Explorer or Budgets call, no cost check', async () => {
    const report = await runPreflight({ config: config({ cost: { enabled: false } }), clients: clients(), stackName: 'S', synthesize });
    expect(report.checks.filter((c) => c.area === 'cost')).toEqual([]);
    expect(ce.calls()).toHaveLength(0);
    expect(budgets.calls()).toHaveLength(0);
    expect(synthesize).toHaveBeenCalledWith(target);
  });

  it('without credentials: says so, synthesizes nothing and calls nothing else', async () => {
    sts.on(GetCallerIdentityCommand).rejects(err(STSServiceException, 'InvalidClientTokenId', 403));
    const report = await runPreflight({ config: config(), clients: clients(), stackName: 'S', synthesize });
    expect(statuses(report.checks)).toEqual(['fail credentials', 'ok recipients']);
    expect(synthesize).not.toHaveBeenCalled();
    expect([...s3.calls(), ...cfn.calls(), ...ce.calls()]).toEqual([]);
  });
});

describe('monitor preflight (CLI, the real template of the config)', () => {
  const file = configFile({ alertEmails: ['ops@example.com'], alertPhoneNumbers: ['+14155550123'] });

  it('all green: a table, "ready to deploy", exit 0; --json says ok', async () => {
    const io = captureIO();
    expect(await main(['--config', file, 'preflight', '--region', REGION], io)).toBe(0);
    expect(io.stdout).toMatch(/template\s+resource types\s+ok\s+all \d+ resource types exist in eu-west-1/);
    expect(io.stdout).toContain(`NBA-Simulator-Monitoring -> ${ACCOUNT} / ${REGION}: ready to deploy`);
    // The real template: its budget name carries the region, and the custom resource is not a registry type.
    expect(budgets.commandCalls(DescribeBudgetCommand)[0]!.args[0].input.BudgetName).toBe(`NBA-Simulator-monthly-cost-${REGION}`);
    const types = cfn.commandCalls(DescribeTypeCommand).map((c) => c.args[0].input.TypeName);
    expect(types).toEqual(expect.arrayContaining(['AWS::Lambda::Function', 'AWS::Lambda::EventInvokeConfig', 'AWS::Budgets::Budget', 'AWS::Scheduler::Schedule']));
    expect(types.filter((t) => !t!.startsWith('AWS::'))).toEqual([]);
    expect(types.filter((t) => t!.startsWith('AWS::CE::'))).toEqual([]);

    const json = captureIO();
    expect(await main(['--config', file, 'preflight', '--region', REGION, '--json'], json)).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ ok: true, failed: 0, account: ACCOUNT, region: REGION, stack: 'NBA-Simulator-Monitoring' });
    expect(parsed.checks.length).toBeGreaterThan(8);
  });

  it('a failed check: exit 1, NOT ready, and what to do', async () => {
    sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: true });
    sns.on(ListSMSSandboxPhoneNumbersCommand).resolves({ PhoneNumbers: [] });
    const io = captureIO();
    expect(await main(['--config', file, 'preflight', '--region', REGION], io)).toBe(1);
    expect(io.stdout).toMatch(/sms\s+\+14155550123\s+FAIL\s+not a verified sandbox number/);
    expect(io.stdout).toMatch(/What to do:\n1\. \[FAIL\] \+14155550123: `aws sns create-sms-sandbox-phone-number --phone-number \+14155550123 --region eu-west-1`/);
    expect(io.stdout).toMatch(/NOT ready \(\d+ ok, 0 warning\(s\), 1 failed\)/);
  });
});
