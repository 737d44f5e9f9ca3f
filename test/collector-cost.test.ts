import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  GetCostForecastCommand,
} from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { collectCost, costPeriods } from '../lib/collectors/cost';
import { parseConfig } from '../lib/config/load';
import { runCostJob } from '../lib/jobs/cost';

const ce = mockClient(CostExplorerClient);
const client = new CostExplorerClient({ region: 'us-east-1' });
beforeEach(() => ce.reset());

function jobCtx(now: string, overrides: Record<string, unknown> = {}) {
  const config = parseConfig({ monthlyBudgetUsd: 50, ...overrides });
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} };
  return { ctx: { config, catalog: createCatalog(config), now: new Date(now), logger }, warnings };
}

/** One DAILY result per day from `from` (inclusive) to `to` (exclusive), each service costing `perDay`. */
function days(from: string, to: string, perDay: Record<string, number>) {
  const out = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += 86400_000) {
    const start = new Date(t).toISOString().slice(0, 10);
    const end = new Date(t + 86400_000).toISOString().slice(0, 10);
    out.push({
      TimePeriod: { Start: start, End: end },
      Total: {},
      Groups: Object.entries(perDay).map(([service, usd]) => ({ Keys: [service], Metrics: { UnblendedCost: { Amount: String(usd), Unit: 'USD' } } })),
    });
  }
  return out;
}

const valueOf = (datums: { MetricName: string; Value: number; Dimensions?: ReadonlyArray<{ Value: string }> }[]) =>
  Object.fromEntries(datums.map((d) => [`${d.MetricName}${d.Dimensions ? `/${d.Dimensions[0]!.Value}` : ''}`, d.Value]));

describe('cost periods', () => {
  it('mid-month: MTD to tomorrow, forecast from today to the 1st of next month', () => {
    expect(costPeriods(new Date('2025-11-15T06:00:00Z'))).toEqual({
      today: '2025-11-15', monthToDate: { Start: '2025-11-01', End: '2025-11-16' }, forecast: { Start: '2025-11-15', End: '2025-12-01' },
    });
  });
  it('on the 1st Start is still before End; forecast covers the whole month', () => {
    expect(costPeriods(new Date('2025-12-01T00:05:00Z'))).toEqual({
      today: '2025-12-01', monthToDate: { Start: '2025-12-01', End: '2025-12-02' }, forecast: { Start: '2025-12-01', End: '2026-01-01' },
    });
  });
  it('on the last day (also of the year and of February) MTD ends at the 1st and the forecast window is one day', () => {
    expect(costPeriods(new Date('2025-12-31T23:59:00Z'))).toEqual({
      today: '2025-12-31', monthToDate: { Start: '2025-12-01', End: '2026-01-01' }, forecast: { Start: '2025-12-31', End: '2026-01-01' },
    });
    expect(costPeriods(new Date('2024-02-29T12:00:00Z')).monthToDate).toEqual({ Start: '2024-02-01', End: '2024-03-01' });
  });
});

describe('cost job against a mocked Cost Explorer', () => {
  it('mid-month: MTD, budget share, forecast = actual before today + forecast of the rest, top services', async () => {
    const usage = days('2025-11-01', '2025-11-16', { 'Amazon Simple Storage Service': 0.1, 'Amazon RDS': 1, AWSLambda: 0.01, Tax: 0 });
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce({ ResultsByTime: usage.slice(0, 10), NextPageToken: 'p2' })
      .resolvesOnce({ ResultsByTime: usage.slice(10) });
    ce.on(GetCostForecastCommand).resolves({ Total: { Amount: '17.6', Unit: 'USD' } });
    const { ctx } = jobCtx('2025-11-15T06:00:00Z', { cost: { topServices: 2 } });
    const result = await runCostJob(ctx, { ce: client });
    expect(result.problems).toEqual([]);
    // 15 days x 1.11 = 16.65 MTD; 14 days before today = 15.54; + 17.6 forecast = 33.14
    expect(valueOf(result.datums)).toEqual({
      MonthlyAWSCost: 16.65,
      BudgetUtilization: 33.3,
      ForecastedMonthlyCost: 33.14,
      ForecastedBudgetUtilization: 66.28,
      'ServiceMonthlyCost/Amazon RDS': 15,
      'ServiceMonthlyCost/Amazon Simple Storage Service': 1.5,
    });
    const calls = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input as GetCostAndUsageCommandInput);
    expect(calls.map((c) => c.NextPageToken)).toEqual([undefined, 'p2']);
    expect(calls[0]).toMatchObject({ TimePeriod: { Start: '2025-11-01', End: '2025-11-16' }, Granularity: 'DAILY', Metrics: ['UnblendedCost'], GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] });
    expect(ce.commandCalls(GetCostForecastCommand)[0]!.args[0].input).toEqual({
      TimePeriod: { Start: '2025-11-15', End: '2025-12-01' }, Granularity: 'MONTHLY', Metric: 'UNBLENDED_COST',
    });
  });

  it('on the 1st: an empty month-to-date is 0 (published), the forecast is the whole month', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [{ TimePeriod: { Start: '2025-12-01', End: '2025-12-02' }, Total: {}, Groups: [] }] });
    ce.on(GetCostForecastCommand).resolves({ Total: { Amount: '31', Unit: 'USD' } });
    const { ctx } = jobCtx('2025-12-01T00:05:00Z');
    const result = await runCostJob(ctx, { ce: client });
    expect(valueOf(result.datums)).toEqual({ MonthlyAWSCost: 0, BudgetUtilization: 0, ForecastedMonthlyCost: 31, ForecastedBudgetUtilization: 62 });
    expect(ce.commandCalls(GetCostAndUsageCommand)[0]!.args[0].input.TimePeriod).toEqual({ Start: '2025-12-01', End: '2025-12-02' });
  });

  it("on the last day: the forecast of today replaces today's partial actual (no double count)", async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: days('2025-11-01', '2025-12-01', { S3: 1 }) });
    ce.on(GetCostForecastCommand).resolves({ Total: { Amount: '1.2', Unit: 'USD' } });
    const { ctx } = jobCtx('2025-11-30T22:00:00Z');
    const result = await runCostJob(ctx, { ce: client });
    // MTD 30; actual before today 29 + forecast for today 1.2
    expect(valueOf(result.datums)).toMatchObject({ MonthlyAWSCost: 30, ForecastedMonthlyCost: 30.2 });
    expect(ce.commandCalls(GetCostForecastCommand)[0]!.args[0].input.TimePeriod).toEqual({ Start: '2025-11-30', End: '2025-12-01' });
  });

  it('DataUnavailableException on usage: no cost datum (no false 0), a clear non-fatal problem, no forecast request', async () => {
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('Data is not available'), { name: 'DataUnavailableException' }));
    const { ctx } = jobCtx('2025-11-15T06:00:00Z');
    const result = await runCostJob(ctx, { ce: client });
    expect(result.datums).toEqual([]);
    expect(result.problems).toEqual([
      { source: 'cost-explorer', fatal: false, message: expect.stringMatching(/month-to-date cost \(2025-11-01\.\.2025-11-16\) is unavailable: .*DataUnavailableException/) },
    ]);
    expect(ce.commandCalls(GetCostForecastCommand)).toHaveLength(0);
  });

  it('DataUnavailableException on the forecast: actual cost still published, forecast skipped with a warning', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: days('2025-11-01', '2025-11-03', { S3: 2 }) });
    ce.on(GetCostForecastCommand).rejects(Object.assign(new Error('Insufficient amount of historical data'), { name: 'DataUnavailableException' }));
    const { ctx, warnings } = jobCtx('2025-11-02T06:00:00Z');
    const result = await runCostJob(ctx, { ce: client });
    expect(valueOf(result.datums)).toEqual({ MonthlyAWSCost: 4, BudgetUtilization: 8, 'ServiceMonthlyCost/S3': 4 });
    expect(result.problems).toEqual([]);
    expect(warnings).toEqual(['No cost forecast published: Cost Explorer has too little cost history to forecast (DataUnavailableException)']);
  });

  it('access denied is fatal and names the call', async () => {
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const { ctx } = jobCtx('2025-11-15T06:00:00Z');
    const result = await runCostJob(ctx, { ce: client });
    expect(result.problems).toEqual([
      { source: 'cost-explorer', fatal: true, message: 'Cost Explorer GetCostAndUsage 2025-11-01..2025-11-16 failed: AccessDeniedException (HTTP 400): not authorized' },
    ]);
  });
});

describe('cost collector on odd answers', () => {
  it('a non-numeric amount is a problem; the other services still count; totals without groups are read', () => {
    const { ctx } = jobCtx('2025-11-03T06:00:00Z');
    const periods = costPeriods(ctx.now);
    const out = collectCost(
      {
        periods,
        usage: [
          { TimePeriod: { Start: '2025-11-01' }, Groups: [{ Keys: ['S3'], Metrics: { UnblendedCost: { Amount: 'abc', Unit: 'USD' } } }, { Keys: ['RDS'], Metrics: { UnblendedCost: { Amount: '1.5', Unit: 'USD' } } }] },
          { TimePeriod: { Start: '2025-11-02' }, Total: { UnblendedCost: { Amount: '2', Unit: 'USD' } } },
        ],
        forecastAmount: 'NaN',
      },
      ctx,
    );
    expect(out.problems.map((p) => p.message)).toEqual([
      'Cost Explorer returned a non-numeric UnblendedCost "abc" for S3 on 2025-11-01; left out',
      'Cost Explorer returned a non-numeric forecast "NaN"; no forecast published',
    ]);
    expect(valueOf(out.datums)).toEqual({ MonthlyAWSCost: 3.5, BudgetUtilization: 7, 'ServiceMonthlyCost/RDS': 1.5 });
  });

  it('topServices 0 publishes no service metric; credits (negative) never make the top list', () => {
    const { ctx } = jobCtx('2025-11-03T06:00:00Z', { cost: { topServices: 0 } });
    const out = collectCost({ periods: costPeriods(ctx.now), usage: days('2025-11-01', '2025-11-04', { S3: 1, Credit: -0.5 }), forecastAmount: '0' }, ctx);
    expect(out.datums.map((d) => d.MetricName)).toEqual(['MonthlyAWSCost', 'BudgetUtilization', 'ForecastedMonthlyCost', 'ForecastedBudgetUtilization']);
    const { ctx: ctx5 } = jobCtx('2025-11-03T06:00:00Z');
    const five = collectCost({ periods: costPeriods(ctx5.now), usage: days('2025-11-01', '2025-11-04', { S3: 1, Credit: -0.5 }) }, ctx5);
    expect(valueOf(five.datums)).toEqual({ MonthlyAWSCost: 1.5, BudgetUtilization: 3, 'ServiceMonthlyCost/S3': 3 });
  });
});
