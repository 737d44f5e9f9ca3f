import {
  type CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  GetCostForecastCommand,
} from '@aws-sdk/client-cost-explorer';
import { COST_METRIC, collectCost, costPeriods, type CostResultByTime } from '../collectors/cost';
import { awsErrorText } from '../sources/aws-error';
import type { JobContext, JobResult } from './job';

/**
 * Cost job: asks Cost Explorer (us-east-1 only; $0.01 per request, so one GetCostAndUsage page
 * and one GetCostForecast per run) and runs the cost collector.
 */
export interface CostJobOptions {
  /** A Cost Explorer client in us-east-1. */
  readonly ce: CostExplorerClient;
}

export async function runCostJob(ctx: JobContext, options: CostJobOptions): Promise<JobResult> {
  const periods = costPeriods(ctx.now);
  const source = 'cost-explorer';
  const signal = ctx.deadlines?.job.signal;
  let usage: CostResultByTime[] | undefined = [];
  let usageUnavailable: string | undefined;
  try {
    let token: string | undefined;
    do {
      const page: GetCostAndUsageCommandOutput = await options.ce.send(
        new GetCostAndUsageCommand({
          TimePeriod: periods.monthToDate,
          Granularity: 'DAILY',
          Metrics: [COST_METRIC],
          GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
          NextPageToken: token,
        }),
        signal ? { abortSignal: signal } : {},
      );
      usage.push(...(page.ResultsByTime ?? []));
      token = page.NextPageToken;
    } while (token);
  } catch (err) {
    if (errorName(err) !== 'DataUnavailableException') {
      return {
        datums: [],
        problems: [{ source, message: `Cost Explorer GetCostAndUsage ${periods.monthToDate.Start}..${periods.monthToDate.End} failed: ${awsErrorText(err)}`, fatal: true }],
      };
    }
    usage = undefined;
    usageUnavailable = 'Cost Explorer has no data for this account yet (DataUnavailableException; it needs about 24 h after being enabled)';
  }

  let forecastAmount: string | undefined;
  let forecastUnavailable: string | undefined;
  const problems = [];
  if (usage && periods.forecast) {
    try {
      const res = await options.ce.send(
        new GetCostForecastCommand({ TimePeriod: periods.forecast, Granularity: 'MONTHLY', Metric: 'UNBLENDED_COST' }),
        signal ? { abortSignal: signal } : {},
      );
      forecastAmount = res.Total?.Amount;
      if (forecastAmount === undefined) forecastUnavailable = 'GetCostForecast returned no Total';
    } catch (err) {
      if (errorName(err) === 'DataUnavailableException') {
        forecastUnavailable = 'Cost Explorer has too little cost history to forecast (DataUnavailableException)';
      } else {
        forecastUnavailable = `GetCostForecast ${periods.forecast.Start}..${periods.forecast.End} failed: ${awsErrorText(err)}`;
        problems.push({ source, message: forecastUnavailable, fatal: false });
      }
    }
  }

  const out = collectCost({ periods, usage, usageUnavailable, forecastAmount, forecastUnavailable }, ctx);
  for (const w of out.warnings) ctx.logger.warn(w);
  return { datums: out.datums, problems: [...problems, ...out.problems], summary: out.summary };
}

function errorName(err: unknown): string {
  return (err as { name?: string })?.name ?? '';
}
