import { DescribeTypeCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { MonitoringConfig } from '../config/schema';
import { awsErrorName, awsErrorText } from '../sources/aws-error';
import { deadline } from './clients';
import type { PreflightCheck, PreflightClients, PreflightTemplate, Target } from './types';

/** CloudFormation's limit of resources in one template. */
export const MAX_TEMPLATE_RESOURCES = 500;
/** The bootstrap version CDK's default synthesizer requires when the template does not say. */
const DEFAULT_MIN_BOOTSTRAP_VERSION = 6;
/** Resource types checked at most at once (DescribeType is throttled per account). */
const DESCRIBE_TYPE_CONCURRENCY = 4;

/** A permission error of the caller (not a fact about the account). */
export const isAccessDenied = (err: unknown): boolean => /AccessDenied|AuthorizationError|UnauthorizedOperation|NotAuthorized/i.test(awsErrorName(err));

/** Credentials and region: everything else needs both. */
export async function checkTarget(clients: PreflightClients): Promise<{ target?: Target; checks: PreflightCheck[] }> {
  let region: string | undefined;
  try {
    region = await clients.sts().config.region();
  } catch {
    region = undefined;
  }
  if (!region) {
    return {
      checks: [{ area: 'account', name: 'region', status: 'fail', detail: 'Region is missing.', fix: 'Set AWS_REGION (or a region in your profile), or pass --region.' }],
    };
  }
  try {
    const id = await clients.sts().send(new GetCallerIdentityCommand({}), deadline());
    const account = id.Account!;
    return {
      target: { account, region },
      checks: [{ area: 'account', name: 'credentials', status: 'ok', detail: `account ${account}, region ${region}, as ${id.Arn}` }],
    };
  } catch (err) {
    return {
      checks: [
        {
          area: 'account',
          name: 'credentials',
          status: 'fail',
          detail: `no usable AWS credentials: ${awsErrorText(err)}`,
          fix: 'Set AWS_PROFILE (then `aws sso login` for SSO profiles) or run `aws configure`, for the account you deploy to.',
        },
      ],
    };
  }
}

/** Who the alarms reach: nobody is a deploy that notifies no one. */
export function checkRecipients(config: Pick<MonitoringConfig, 'alertEmails' | 'alertPhoneNumbers'>): PreflightCheck {
  const emails = config.alertEmails.length;
  const phones = config.alertPhoneNumbers.length;
  if (emails + phones === 0) {
    return { area: 'alerting', name: 'recipients', status: 'fail', detail: 'no alertEmails and no alertPhoneNumbers: alarms would notify nobody', fix: 'Set alertEmails (e.g. `-c alertEmails=ops@example.com`).' };
  }
  const parts = [`${emails} email(s) (critical + warning)`, `${phones} phone number(s) (critical, SMS)`];
  return {
    area: 'alerting',
    name: 'recipients',
    status: emails === 0 ? 'warn' : 'ok',
    detail: `${parts.join(', ')}; each email must confirm the "AWS Notification - Subscription Confirmation" message after the deploy (\`monitor verify\` lists pending ones)`,
    fix: emails === 0 ? 'Warnings reach nobody without an email: set alertEmails.' : undefined,
  };
}

/** Resource types the region must know (custom resources and CDK metadata are not registry types). */
export function templateResourceTypes(template: PreflightTemplate): string[] {
  const types = Object.values(template.Resources ?? {}).map((r) => r.Type);
  return [...new Set(types)].filter((t) => t.startsWith('AWS::') && t !== 'AWS::CDK::Metadata' && t !== 'AWS::CloudFormation::CustomResource').sort();
}

/** What to do when a resource type is missing from the region. */
function missingTypeFix(types: string[], target: Target): string {
  const budget = types.includes('AWS::Budgets::Budget') ? ' AWS Budgets: set cost.enabled to false, or deploy to a region that has it (e.g. us-east-1).' : '';
  return `Deploy to a region that supports every type (e.g. us-east-1), or turn off the source that brings it.${budget} (Checked in ${target.region}.)`;
}

/** The template fits CloudFormation's limits and every resource type exists in the region. */
export async function checkTemplate(template: PreflightTemplate, target: Target, clients: PreflightClients): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  const count = Object.keys(template.Resources ?? {}).length;
  checks.push(
    count <= MAX_TEMPLATE_RESOURCES
      ? { area: 'template', name: 'resources', status: 'ok', detail: `${count} resources (CloudFormation allows ${MAX_TEMPLATE_RESOURCES})` }
      : { area: 'template', name: 'resources', status: 'fail', detail: `${count} resources: CloudFormation allows ${MAX_TEMPLATE_RESOURCES}`, fix: 'Turn off features (e.g. s3.perPrefixMetrics, anomalyDetection, slo.burnRateAlarms) or sources.' },
  );

  const types = templateResourceTypes(template);
  const missing: string[] = [];
  const unknown: string[] = [];
  let denied: unknown;
  const queue = [...types];
  const worker = async () => {
    for (let type = queue.shift(); type; type = queue.shift()) {
      try {
        await clients.cloudformation().send(new DescribeTypeCommand({ Type: 'RESOURCE', TypeName: type }), deadline());
      } catch (err) {
        if (awsErrorName(err) === 'TypeNotFoundException') missing.push(type);
        else if (isAccessDenied(err)) denied = err;
        else unknown.push(`${type} (${awsErrorText(err)})`);
      }
    }
  };
  await Promise.all(Array.from({ length: DESCRIBE_TYPE_CONCURRENCY }, worker));
  if (missing.length) {
    checks.push({
      area: 'template',
      name: 'resource types',
      status: 'fail',
      detail: `${target.region} does not know ${missing.sort().join(', ')} (of ${types.length} types in the template)`,
      fix: missingTypeFix(missing, target),
    });
  } else if (denied) {
    checks.push({ area: 'template', name: 'resource types', status: 'warn', detail: `cannot check: ${awsErrorText(denied)}`, fix: 'Allow cloudformation:DescribeType to check region support before deploying.' });
  } else if (unknown.length) {
    checks.push({ area: 'template', name: 'resource types', status: 'warn', detail: `could not check ${unknown.join('; ')}` });
  } else {
    checks.push({ area: 'template', name: 'resource types', status: 'ok', detail: `all ${types.length} resource types exist in ${target.region}` });
  }
  return checks;
}

/** The lowest bootstrap version the template accepts (CDK's CheckBootstrapVersion rule lists the refused ones). */
export function requiredBootstrapVersion(template: PreflightTemplate): number {
  const rule = template.Rules?.CheckBootstrapVersion as { Assertions?: Array<{ Assert?: Record<string, unknown> }> } | undefined;
  const not = rule?.Assertions?.[0]?.Assert?.['Fn::Not'] as Array<Record<string, unknown>> | undefined;
  const refused = (not?.[0]?.['Fn::Contains'] as unknown[] | undefined)?.[0];
  if (!Array.isArray(refused)) return DEFAULT_MIN_BOOTSTRAP_VERSION;
  const versions = refused.map(Number).filter(Number.isFinite);
  return versions.length ? Math.max(...versions) + 1 : DEFAULT_MIN_BOOTSTRAP_VERSION;
}

/** `cdk bootstrap` ran in this account and region, recently enough for this template. */
export async function checkBootstrap(template: PreflightTemplate, target: Target, clients: PreflightClients, qualifier: string): Promise<PreflightCheck> {
  const name = `/cdk-bootstrap/${qualifier}/version`;
  const required = requiredBootstrapVersion(template);
  const fix = `Run \`npx cdk bootstrap aws://${target.account}/${target.region}\`${qualifier === 'hnb659fds' ? '' : ` --qualifier ${qualifier}`} (once per account and region).`;
  try {
    const res = await clients.ssm().send(new GetParameterCommand({ Name: name }), deadline());
    const version = Number(res.Parameter?.Value);
    if (!Number.isFinite(version)) return { area: 'bootstrap', name, status: 'fail', detail: `unreadable version ${JSON.stringify(res.Parameter?.Value)}`, fix };
    return version >= required
      ? { area: 'bootstrap', name, status: 'ok', detail: `version ${version} (this template needs >= ${required})` }
      : { area: 'bootstrap', name, status: 'fail', detail: `version ${version}, this template needs >= ${required}`, fix: `${fix} It upgrades the bootstrap stack.` };
  } catch (err) {
    if (awsErrorName(err) === 'ParameterNotFound') return { area: 'bootstrap', name, status: 'fail', detail: `not bootstrapped: no ${name} in ${target.region}`, fix };
    if (isAccessDenied(err)) return { area: 'bootstrap', name, status: 'warn', detail: `cannot check: ${awsErrorText(err)}`, fix: `Allow ssm:GetParameter on ${name}, or make sure \`cdk bootstrap\` ran.` };
    return { area: 'bootstrap', name, status: 'fail', detail: awsErrorText(err), fix };
  }
}

