import { DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { budgetName } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { isServicesMonitor, listMonitors } from '../cost-anomaly/alert-subscription';
import { awsErrorName, awsErrorText } from '../sources/aws-error';
import { isAccessDenied } from './account';
import { deadline } from './clients';
import type { PreflightCheck, PreflightClients, PreflightTemplate, Target } from './types';

/**
 * Cost Anomaly Detection: the deploy subscribes to the account's AWS-services monitor (found at
 * deploy time, created when there is none) or to `costAnomalyMonitorArn`. Says which it will be,
 * and the exact setting that pins it.
 */
export async function checkAnomalyMonitor(config: MonitoringConfig, clients: PreflightClients): Promise<PreflightCheck> {
  const name = 'Cost Anomaly Detection monitor';
  let monitors;
  try {
    monitors = await listMonitors(clients.costExplorer());
  } catch (err) {
    if (isAccessDenied(err)) {
      return { area: 'cost', name, status: 'warn', detail: `cannot list monitors: ${awsErrorText(err)}; the deploy's own role can`, fix: 'Allow ce:GetAnomalyMonitors to check before deploying.' };
    }
    return {
      area: 'cost',
      name,
      status: 'fail',
      detail: `Cost Anomaly Detection did not answer: ${awsErrorText(err)}`,
      fix: 'Open Cost Explorer once in the Billing console (it enables Cost Explorer and Cost Anomaly Detection for the account), or set costAnomalyDetection to false.',
    };
  }
  const configured = config.costAnomalyMonitorArn;
  if (configured) {
    const found = monitors.find((m) => m.arn === configured);
    if (found) return { area: 'cost', name, status: 'ok', detail: `costAnomalyMonitorArn is ${found.name} (${found.type}${found.dimension ? `/${found.dimension}` : ''}): the deploy subscribes the warning topic to it` };
    return {
      area: 'cost',
      name,
      status: 'fail',
      detail: `costAnomalyMonitorArn ${configured} is not a monitor of this account (it has ${monitors.length}: ${monitors.map((m) => m.name).join(', ') || 'none'})`,
      fix: 'Remove costAnomalyMonitorArn (the deploy then uses the account\'s AWS-services monitor, or creates it), or set it to one of the ARNs `aws ce get-anomaly-monitors --region us-east-1` lists.',
    };
  }
  const services = monitors.find(isServicesMonitor);
  if (services) {
    return {
      area: 'cost',
      name,
      status: 'ok',
      detail: `the account's AWS-services monitor "${services.name}" exists: the deploy subscribes the warning topic to it (no second monitor is created). To pin it: "costAnomalyMonitorArn": "${services.arn}"`,
    };
  }
  return { area: 'cost', name, status: 'ok', detail: `the account has no AWS-services monitor: the deploy creates "${config.namespacePrefix}-services" (free) and keeps it on stack deletion` };
}

/** The budget's logical id in the template (to tell this stack's own budget from a foreign one). */
function budgetLogicalId(template: PreflightTemplate): string | undefined {
  return Object.entries(template.Resources ?? {}).find(([, r]) => r.Type === 'AWS::Budgets::Budget')?.[0];
}

/** Budgets are account-wide: a budget of the same name that is not this stack's fails the deploy. */
export async function checkBudgetName(config: MonitoringConfig, template: PreflightTemplate, target: Target, stackName: string, clients: PreflightClients): Promise<PreflightCheck> {
  const budget = budgetName(config, target.region);
  const name = `budget ${budget}`;
  try {
    await clients.budgets().send(new DescribeBudgetCommand({ AccountId: target.account, BudgetName: budget }), deadline());
  } catch (err) {
    if (awsErrorName(err) === 'NotFoundException') return { area: 'cost', name, status: 'ok', detail: 'no budget of this name in the account: the deploy creates it' };
    if (isAccessDenied(err)) return { area: 'cost', name, status: 'warn', detail: `cannot check: ${awsErrorText(err)}`, fix: 'Allow budgets:ViewBudget to check for a name collision.' };
    return { area: 'cost', name, status: 'warn', detail: `cannot check: ${awsErrorText(err)}` };
  }
  // It exists: fine when this stack made it (an update).
  const logicalId = budgetLogicalId(template);
  if (logicalId) {
    try {
      const res = await clients.cloudformation().send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: logicalId }), deadline());
      if (res.StackResourceDetail?.PhysicalResourceId === budget) return { area: 'cost', name, status: 'ok', detail: `exists and belongs to stack ${stackName} (an update)` };
    } catch {
      // No such stack or resource: the budget is someone else's.
    }
  }
  return {
    area: 'cost',
    name,
    status: 'fail',
    detail: `a budget named "${budget}" already exists in account ${target.account} and is not stack ${stackName}'s: the deploy would fail (Budgets are account-wide)`,
    fix: `Delete it if it is a leftover (\`aws budgets delete-budget --account-id ${target.account} --budget-name ${budget}\`), or deploy with another envName or namespacePrefix.`,
  };
}
