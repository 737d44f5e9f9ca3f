import { type BudgetsClient, DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { type CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import { dueThisRun, sendCadence } from '../catalog/catalog';
import { type BudgetReading, COST_METRIC, type CostResultByTime, collectCost, costPeriods } from '../collectors/cost';
import { awsErrorText } from '../sources/aws-error';
import type { JobContext, JobResult, Problem } from './job';

/**
 * Cost job: month-to-date and forecast from the stack's AWS Budgets budget (`DescribeBudget`,
 * free) on every run; the per-service breakdown from Cost Explorer ($0.01 a request: one
 * MONTHLY GetCostAndUsage page) only on the runs due for it (`cost.serviceBreakdownMinutes`).
 * The breakdown is logged one line per service for the dashboard's Logs Insights table.
 */
export interface CostJobOptions {
  /** An AWS Budgets client (the API has one endpoint, in us-east-1). */
  readonly budgets: BudgetsClient;
  /** The account that holds the budget. */
  readonly accountId: string;
  /** The budget's name (the stack passes its own budget's). */
  readonly budgetName: string;
  /** A Cost Explorer client in us-east-1; needed when the breakdown is on (`cost.topServices` > 0). */
  readonly ce?: CostExplorerClient;
}

/** Environment variables of the cost Lambda: the account and name of the budget it reads (set by the stack). */
export const COST_BUDGET_ACCOUNT_ENV = 'COST_BUDGET_ACCOUNT';
export const COST_BUDGET_NAME_ENV = 'COST_BUDGET_NAME';

/** Message of the per-service log lines; the Performance & Costs dashboard's Logs Insights table filters on it. */
export const SERVICE_COST_LOG_MESSAGE = 'cost by service';

/** Whether this run asks Cost Explorer for the breakdown: on, and the first run of its window (every run without a scheduled time). */
export function breakdownDue(ctx: Pick<JobContext, 'config' | 'scheduledTime'>): boolean {
  const { cost } = ctx.config;
  if (cost.topServices === 0) return false;
  if (!ctx.scheduledTime) return true;
  return dueThisRun(ctx.scheduledTime, sendCadence(cost.scheduleMinutes, cost.serviceBreakdownMinutes), cost.scheduleMinutes);
}

export async function runCostJob(ctx: JobContext, options: CostJobOptions): Promise<JobResult> {
  const periods = costPeriods(ctx.now);
  const problems: Problem[] = [];
  const signal = ctx.deadlines?.job.signal;
  const sendOptions = signal ? { abortSignal: signal } : {};
  if (!/^\d{12}$/.test(options.accountId) || options.budgetName === '') {
    return {
      datums: [],
      problems: [{ source: 'config', message: `The cost job needs the budget's 12-digit account and its name; got account ${JSON.stringify(options.accountId)}, budget ${JSON.stringify(options.budgetName)}`, fatal: true }],
    };
  }

  let budget: BudgetReading | undefined;
  const budgetSource = `budget ${options.budgetName}`;
  try {
    const res = await options.budgets.send(new DescribeBudgetCommand({ AccountId: options.accountId, BudgetName: options.budgetName }), sendOptions);
    if (!res.Budget) {
      problems.push({ source: budgetSource, message: `AWS Budgets returned no budget ${options.budgetName} in account ${options.accountId}`, fatal: true });
    } else {
      budget = {
        budgetName: options.budgetName,
        limit: res.Budget.BudgetLimit,
        actual: res.Budget.CalculatedSpend?.ActualSpend,
        forecast: res.Budget.CalculatedSpend?.ForecastedSpend,
      };
    }
  } catch (err) {
    const missing = errorName(err) === 'NotFoundException';
    problems.push({
      source: budgetSource,
      message: missing
        ? `AWS Budgets has no budget "${options.budgetName}" in account ${options.accountId} (deleted, or the stack that creates it is not deployed): no month-to-date or forecast published`
        : `AWS Budgets DescribeBudget ${options.budgetName} failed: ${awsErrorText(err)}`,
      fatal: true,
    });
  }

  let services: CostResultByTime[] | undefined;
  if (breakdownDue(ctx)) {
    if (!options.ce) {
      problems.push({ source: 'cost-explorer', message: 'The per-service breakdown is on (cost.topServices > 0) but no Cost Explorer client was given', fatal: false });
    } else {
      services = [];
      try {
        let token: string | undefined;
        do {
          const page: GetCostAndUsageCommandOutput = await options.ce.send(
            new GetCostAndUsageCommand({
              TimePeriod: periods.monthToDate,
              Granularity: 'MONTHLY',
              Metrics: [COST_METRIC],
              GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
              NextPageToken: token,
            }),
            sendOptions,
          );
          services.push(...(page.ResultsByTime ?? []));
          token = page.NextPageToken;
        } while (token);
      } catch (err) {
        services = undefined;
        if (errorName(err) === 'DataUnavailableException') {
          ctx.logger.warn('No per-service breakdown: Cost Explorer has no data for this account yet (DataUnavailableException; it needs about 24 h after being enabled)');
        } else {
          problems.push({ source: 'cost-explorer', message: `Cost Explorer GetCostAndUsage ${periods.monthToDate.Start}..${periods.monthToDate.End} (per-service breakdown) failed: ${awsErrorText(err)}`, fatal: false });
        }
      }
    }
  }

  const out = collectCost({ periods, budget, services }, ctx);
  for (const w of out.warnings) ctx.logger.warn(w);
  for (const row of out.services ?? []) ctx.logger.info(SERVICE_COST_LOG_MESSAGE, { ...row });
  return { datums: out.datums, problems: [...problems, ...out.problems], summary: { ...out.summary, breakdown: services ? 'asked' : 'not this run' } };
}

function errorName(err: unknown): string {
  return (err as { name?: string })?.name ?? '';
}
