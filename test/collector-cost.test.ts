import { BudgetsClient, DescribeBudgetCommand, NotFoundException } from '@aws-sdk/client-budgets';
import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { collectCost, costPeriods } from '../lib/collectors/cost';
import { parseConfig } from '../lib/config/load';
import { SERVICE_COST_LOG_MESSAGE, breakdownDue, runCostJob } from '../lib/jobs/cost';

const budgetsMock = mockClient(BudgetsClient);
const ce = mockClient(CostExplorerClient);
const budgets = new BudgetsClient({ region: 'us-east-1' });
const client = new CostExplorerClient({ region: 'us-east-1' });
beforeEach(() => {
  budgetsMock.reset();
  ce.reset();
});

const ACCOUNT = '123456789012';
const BUDGET = 'NBA-Simulator-monthly-cost';
const options = { budgets, ce: client, accountId: ACCOUNT, budgetName: BUDGET };

function jobCtx(now: string, overrides: Record<string, unknown> = {}, scheduledTime?: string) {
  const config = parseConfig({ monthlyBudgetUsd: 50, ...overrides });
  const warnings: string[] = [];
  const infos: Array<{ message: string; extra?: Record<string, unknown> }> = [];
  const logger = { debug() {}, info: (message: string, extra?: Record<string, unknown>) => void infos.push({ message, extra }), warn: (m: string) => void warnings.push(m), error() {} };
  return { ctx: { config, catalog: createCatalog(config), now: new Date(now), logger, scheduledTime: scheduledTime ? new Date(scheduledTime) : undefined }, warnings, infos };
}

const usd = (amount: string) => ({ Amount: amount, Unit: 'USD' });
const budgetAnswer = (actual?: string, forecast?: string, limit = '50.0') => ({
  Budget: {
    BudgetName: BUDGET, BudgetType: 'COST' as const, TimeUnit: 'MONTHLY' as const, BudgetLimit: usd(limit),
    CalculatedSpend: actual === undefined ? undefined : { ActualSpend: usd(actual), ...(forecast === undefined ? {} : { ForecastedSpend: usd(forecast) }) },
  },
});
/** One MONTHLY Cost Explorer result grouped by service. */
const byService = (services: Record<string, number>) => ({
  TimePeriod: { Start: '2025-11-01', End: '2025-11-16' },
  Total: {},
  Groups: Object.entries(services).map(([service, v]) => ({ Keys: [service], Metrics: { UnblendedCost: usd(String(v)) } })),
});

const valueOf = (datums: { MetricName: string; Value: number; Dimensions?: ReadonlyArray<{ Value: string }> }[]) =>
  Object.fromEntries(datums.map((d) => [`${d.MetricName}${d.Dimensions ? `/${d.Dimensions[0]!.Value}` : ''}`, d.Value]));

describe('cost periods (the per-service breakdown window)', () => {
  it('mid-month: month to date ends tomorrow (End exclusive)', () => {
    expect(costPeriods(new Date('2025-11-15T06:00:00Z'))).toEqual({ today: '2025-11-15', monthToDate: { Start: '2025-11-01', End: '2025-11-16' } });
  });
  it('on the 1st Start is still before End', () => {
    expect(costPeriods(new Date('2025-12-01T00:05:00Z')).monthToDate).toEqual({ Start: '2025-12-01', End: '2025-12-02' });
  });
  it('on the last day (also of the year and of February) it ends at the 1st of next month', () => {
    expect(costPeriods(new Date('2025-12-31T23:59:00Z')).monthToDate).toEqual({ Start: '2025-12-01', End: '2026-01-01' });
    expect(costPeriods(new Date('2024-02-29T12:00:00Z')).monthToDate).toEqual({ Start: '2024-02-01', End: '2024-03-01' });
  });
});

describe('cost job: month to date and forecast from AWS Budgets', () => {
  it('actual and forecast from DescribeBudget of the one budget; shares of monthlyBudgetUsd', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('16.654', '33.14'));
    const { ctx } = jobCtx('2025-11-15T06:00:00Z', { cost: { topServices: 0 } });
    const result = await runCostJob(ctx, options);
    expect(result.problems).toEqual([]);
    expect(valueOf(result.datums)).toEqual({ MonthlyAWSCost: 16.65, BudgetUtilization: 33.31, ForecastedMonthlyCost: 33.14, ForecastedBudgetUtilization: 66.28 });
    expect(budgetsMock.commandCalls(DescribeBudgetCommand).map((c) => c.args[0].input)).toEqual([{ AccountId: ACCOUNT, BudgetName: BUDGET }]);
    // No breakdown asked: no Cost Explorer request at all.
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
  });

  it('forecast absent (last day of the month): actual still published, no forecast datum, a warning that says why', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('48.2'));
    const { ctx, warnings } = jobCtx('2025-11-30T22:00:00Z', { cost: { topServices: 0 } });
    const result = await runCostJob(ctx, options);
    expect(result.problems).toEqual([]);
    expect(valueOf(result.datums)).toEqual({ MonthlyAWSCost: 48.2, BudgetUtilization: 96.4 });
    expect(warnings).toEqual([expect.stringMatching(/^No cost forecast published: budget NBA-Simulator-monthly-cost has no forecasted spend/)]);
  });

  it('budget missing: a fatal problem naming budget and account (the run fails); the breakdown beside it is still logged', async () => {
    budgetsMock.on(DescribeBudgetCommand).rejects(new NotFoundException({ message: 'Unable to get budget', $metadata: {} }));
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [byService({ S3: 2 })] });
    const { ctx, infos } = jobCtx('2025-11-15T06:00:00Z');
    const result = await runCostJob(ctx, options);
    expect(result.datums).toEqual([]);
    expect(result.problems).toEqual([
      { source: `budget ${BUDGET}`, fatal: true, message: `AWS Budgets has no budget "${BUDGET}" in account ${ACCOUNT} (deleted, or the stack that creates it is not deployed): no month-to-date or forecast published` },
    ]);
    expect(infos.filter((i) => i.message === SERVICE_COST_LOG_MESSAGE).map((i) => i.extra?.service)).toEqual(['S3']);
  });

  it('a new budget without calculated spend yet: nothing published, a non-fatal problem (the heartbeat notices if it lasts)', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer(undefined));
    const { ctx } = jobCtx('2025-11-15T06:00:00Z', { cost: { topServices: 0 } });
    const result = await runCostJob(ctx, options);
    expect(result.datums).toEqual([]);
    expect(result.problems).toEqual([{ source: `budget ${BUDGET}`, fatal: false, message: expect.stringMatching(/has no calculated actual spend yet/) }]);
  });

  it('other Budgets errors are fatal and name the call; a missing account or budget name never calls AWS', async () => {
    budgetsMock.on(DescribeBudgetCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const { ctx } = jobCtx('2025-11-15T06:00:00Z', { cost: { topServices: 0 } });
    expect((await runCostJob(ctx, options)).problems).toEqual([
      { source: `budget ${BUDGET}`, fatal: true, message: `AWS Budgets DescribeBudget ${BUDGET} failed: AccessDeniedException (HTTP 400): not authorized` },
    ]);
    budgetsMock.reset();
    const bad = await runCostJob(ctx, { ...options, accountId: '' });
    expect(bad.problems).toEqual([{ source: 'config', fatal: true, message: expect.stringMatching(/needs the budget's 12-digit account/) }]);
    expect(budgetsMock.commandCalls(DescribeBudgetCommand)).toHaveLength(0);
  });

  it('a budget limit that disagrees with monthlyBudgetUsd is a warning; shares stay against the config', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('10', '20', '100'));
    const { ctx, warnings } = jobCtx('2025-11-15T06:00:00Z', { cost: { topServices: 0 } });
    const result = await runCostJob(ctx, options);
    expect(valueOf(result.datums)).toMatchObject({ BudgetUtilization: 20, ForecastedBudgetUtilization: 40 });
    expect(warnings).toEqual([expect.stringMatching(/has a limit of 100 USD but monthlyBudgetUsd is 50/)]);
  });
});

describe('cost job: per-service breakdown from Cost Explorer', () => {
  it('one MONTHLY month-to-date request (all pages), top services logged one line each, no custom metric by default', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('16.65', '33'));
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce({ ResultsByTime: [byService({ 'Amazon Simple Storage Service': 1.5, Tax: 0 })], NextPageToken: 'p2' })
      .resolvesOnce({ ResultsByTime: [byService({ 'Amazon RDS': 15, AWSLambda: 0.15, Credit: -0.5 })] });
    const { ctx, infos } = jobCtx('2025-11-15T06:00:00Z', { cost: { topServices: 2 } });
    const result = await runCostJob(ctx, options);
    expect(result.problems).toEqual([]);
    expect(valueOf(result.datums)).toEqual({ MonthlyAWSCost: 16.65, BudgetUtilization: 33.3, ForecastedMonthlyCost: 33, ForecastedBudgetUtilization: 66 });
    expect(infos.filter((i) => i.message === SERVICE_COST_LOG_MESSAGE).map((i) => i.extra)).toEqual([
      { rank: 1, service: 'Amazon RDS', usd: 15, window: '2025-11-01..2025-11-16' },
      { rank: 2, service: 'Amazon Simple Storage Service', usd: 1.5, window: '2025-11-01..2025-11-16' },
    ]);
    const calls = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input as GetCostAndUsageCommandInput);
    expect(calls.map((c) => c.NextPageToken)).toEqual([undefined, 'p2']);
    expect(calls[0]).toMatchObject({ TimePeriod: { Start: '2025-11-01', End: '2025-11-16' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'], GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] });
  });

  it('with cost.serviceMetrics (the full profile) the breakdown is also ServiceMonthlyCost per service', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('3', '6'));
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [byService({ S3: 2, RDS: 1 })] });
    const { ctx } = jobCtx('2025-11-15T06:00:00Z', { profile: 'full' });
    const result = await runCostJob(ctx, options);
    expect(valueOf(result.datums)).toMatchObject({ 'ServiceMonthlyCost/S3': 2, 'ServiceMonthlyCost/RDS': 1 });
  });

  it('a Cost Explorer failure is a non-fatal problem: the budget metrics are still published', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('5', '9'));
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('slow down'), { name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } }));
    const { ctx } = jobCtx('2025-11-15T06:00:00Z');
    const result = await runCostJob(ctx, options);
    expect(valueOf(result.datums)).toEqual({ MonthlyAWSCost: 5, BudgetUtilization: 10, ForecastedMonthlyCost: 9, ForecastedBudgetUtilization: 18 });
    expect(result.problems).toEqual([{ source: 'cost-explorer', fatal: false, message: expect.stringMatching(/GetCostAndUsage 2025-11-01\.\.2025-11-16 \(per-service breakdown\) failed: LimitExceededException/) }]);
  });

  it('DataUnavailableException (new account): no breakdown, a warning, no problem', async () => {
    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('0', '0'));
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('Data is not available'), { name: 'DataUnavailableException' }));
    const { ctx, warnings } = jobCtx('2025-11-15T06:00:00Z');
    const result = await runCostJob(ctx, options);
    expect(result.problems).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/No per-service breakdown: Cost Explorer has no data/)]);
  });

  it('asked only by the first run of each serviceBreakdownMinutes window (runs without a scheduled time always ask)', async () => {
    const schedule = { cost: { scheduleMinutes: 360, serviceBreakdownMinutes: 1440 } };
    const runs = ['2025-11-15T00:00:00Z', '2025-11-15T06:00:00Z', '2025-11-15T12:00:00Z', '2025-11-15T18:00:00Z', '2025-11-16T00:00:00Z'];
    expect(runs.map((t) => breakdownDue(jobCtx(t, schedule, t).ctx))).toEqual([true, false, false, false, true]);
    // Any offset of the schedule: still exactly one run a day.
    const shifted = runs.map((t) => new Date(Date.parse(t) + 7 * 60_000).toISOString()).slice(0, 4);
    expect(shifted.filter((t) => breakdownDue(jobCtx(t, schedule, t).ctx))).toHaveLength(1);
    expect(breakdownDue(jobCtx('2025-11-15T06:00:00Z', schedule).ctx)).toBe(true);
    expect(breakdownDue(jobCtx('2025-11-15T00:00:00Z', { cost: { topServices: 0 } }, '2025-11-15T00:00:00Z').ctx)).toBe(false);

    budgetsMock.on(DescribeBudgetCommand).resolves(budgetAnswer('1', '2'));
    const notDue = jobCtx('2025-11-15T06:00:00Z', schedule, '2025-11-15T06:00:00Z');
    await runCostJob(notDue.ctx, options);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
  });
});

describe('cost collector on odd answers', () => {
  it('non-numeric amounts are problems naming the source; the other services still count', () => {
    const { ctx } = jobCtx('2025-11-03T06:00:00Z');
    const out = collectCost(
      {
        periods: costPeriods(ctx.now),
        budget: { budgetName: BUDGET, actual: usd('3.5'), forecast: usd('NaN') },
        services: [{ Groups: [{ Keys: ['S3'], Metrics: { UnblendedCost: usd('abc') } }, { Keys: ['RDS'], Metrics: { UnblendedCost: usd('1.5') } }] }],
      },
      ctx,
    );
    expect(out.problems.map((p) => p.message)).toEqual([
      `budget ${BUDGET} returned a non-numeric forecasted spend "NaN"; left out`,
      'Cost Explorer returned a non-numeric UnblendedCost of S3 "abc"; left out',
    ]);
    expect(valueOf(out.datums)).toEqual({ MonthlyAWSCost: 3.5, BudgetUtilization: 7 });
    expect(out.services?.map((s) => s.service)).toEqual(['RDS']);
  });

  it('a budget in another currency is published with a warning', () => {
    const { ctx } = jobCtx('2025-11-03T06:00:00Z');
    const out = collectCost({ periods: costPeriods(ctx.now), budget: { budgetName: BUDGET, actual: { Amount: '4', Unit: 'EUR' } } }, ctx);
    expect(valueOf(out.datums)).toEqual({ MonthlyAWSCost: 4, BudgetUtilization: 8 });
    expect(out.warnings).toContain(`budget ${BUDGET}: actual spend is in EUR, not USD`);
  });
});
