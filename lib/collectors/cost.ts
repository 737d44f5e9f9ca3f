import type { MetricCatalog } from '../catalog/catalog';
import type { MetricDatum } from '../catalog/datum';
import type { MonitoringConfig } from '../config/schema';
import type { Problem } from '../jobs/job';
import { round2 } from './round';

/**
 * Cost collector (pure): the AWS Budgets budget and, when the breakdown is due, Cost Explorer's
 * per-service month to date in; datums and breakdown rows out.
 *
 * - Month to date and the forecast for the month come from the budget the stack creates
 *   (`DescribeBudget`: its calculated actual and forecasted spend, at no request charge).
 * - The per-service breakdown comes from Cost Explorer ($0.01 a request) for
 *   [1st of the month, tomorrow) in UTC days, End exclusive (Start < End also on the 1st).
 */

export interface DateInterval {
  readonly Start: string;
  readonly End: string;
}

export interface CostPeriods {
  /** Today (UTC), `YYYY-MM-DD`. */
  readonly today: string;
  /** Cost Explorer window of the breakdown: [1st of the month, tomorrow), at most to the 1st of next month. */
  readonly monthToDate: DateInterval;
}

export function costPeriods(now: Date): CostPeriods {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const day = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm, dd)).toISOString().slice(0, 10);
  const tomorrow = day(y, m, d + 1);
  const nextMonth = day(y, m + 1, 1);
  return { today: day(y, m, d), monthToDate: { Start: day(y, m, 1), End: tomorrow < nextMonth ? tomorrow : nextMonth } };
}

/** An amount as the AWS APIs give it. */
export interface Spend {
  readonly Amount?: string;
  readonly Unit?: string;
}

/** The parts of a `DescribeBudget` answer the collector reads. */
export interface BudgetReading {
  readonly budgetName: string;
  readonly limit?: Spend;
  readonly actual?: Spend;
  /** Absent when Budgets has no forecast (e.g. on the last day of the month, or too little history). */
  readonly forecast?: Spend;
}

/** The parts of a GetCostAndUsage ResultByTime the collector reads. */
export interface CostResultByTime {
  readonly TimePeriod?: { readonly Start?: string; readonly End?: string };
  readonly Total?: Record<string, Spend>;
  readonly Groups?: ReadonlyArray<{ readonly Keys?: readonly string[]; readonly Metrics?: Record<string, Spend> }>;
}

export interface CostInput {
  readonly periods: CostPeriods;
  /** The budget; undefined when it could not be read (the job says why). */
  readonly budget?: BudgetReading;
  /** Cost Explorer results of the month to date grouped by SERVICE (all pages); undefined: no breakdown this run. */
  readonly services?: readonly CostResultByTime[];
}

export interface CostCollectorContext {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly now: Date;
}

/** One row of the per-service breakdown (logged one line each; metrics only with `cost.serviceMetrics`). */
export interface ServiceCost {
  readonly rank: number;
  readonly service: string;
  readonly usd: number;
  /** The month-to-date window, `YYYY-MM-DD..YYYY-MM-DD` (End exclusive). */
  readonly window: string;
}

export interface CostOutput {
  readonly datums: MetricDatum[];
  readonly problems: Problem[];
  readonly warnings: string[];
  /** Top services by month-to-date cost, most expensive first; undefined when there was no breakdown. */
  readonly services?: ServiceCost[];
  readonly summary: Record<string, unknown>;
}

/** The Cost Explorer metric the job asks for and the collector reads. */
export const COST_METRIC = 'UnblendedCost';

export function collectCost(input: CostInput, ctx: CostCollectorContext): CostOutput {
  const { catalog, now, config } = ctx;
  const datums: MetricDatum[] = [];
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const summary: Record<string, unknown> = {};
  const amount = (source: string, what: string, m: Spend | undefined): number | undefined => {
    if (!m || m.Amount === undefined) return undefined;
    const v = Number(m.Amount);
    if (!Number.isFinite(v)) {
      problems.push({ source, message: `${source} returned a non-numeric ${what} ${JSON.stringify(m.Amount)}; left out`, fatal: false });
      return undefined;
    }
    if (m.Unit && m.Unit !== 'USD') warnings.push(`${source}: ${what} is in ${m.Unit}, not USD`);
    return v;
  };

  const budgetUsd = config.monthlyBudgetUsd;
  const b = input.budget;
  if (b) {
    const source = `budget ${b.budgetName}`;
    const limit = amount(source, 'limit', b.limit);
    if (limit !== undefined && Math.abs(limit - budgetUsd) > 0.005) {
      warnings.push(`${source} has a limit of ${limit} USD but monthlyBudgetUsd is ${budgetUsd}; utilization is computed against ${budgetUsd} (redeploy to align the budget)`);
    }
    const actual = amount(source, 'actual spend', b.actual);
    if (actual === undefined) {
      if (!b.actual) {
        problems.push({ source, message: `${source} has no calculated actual spend yet (AWS Budgets computes it within about a day of creating the budget); no cost metrics published`, fatal: false });
      }
    } else {
      datums.push(catalog.datum('MonthlyAWSCost', round2(actual), {}, now));
      datums.push(catalog.datum('BudgetUtilization', round2((actual / budgetUsd) * 100), {}, now));
    }
    const forecast = amount(source, 'forecasted spend', b.forecast);
    if (forecast !== undefined) {
      datums.push(catalog.datum('ForecastedMonthlyCost', round2(forecast), {}, now));
      datums.push(catalog.datum('ForecastedBudgetUtilization', round2((forecast / budgetUsd) * 100), {}, now));
    } else if (!b.forecast) {
      warnings.push(`No cost forecast published: ${source} has no forecasted spend (AWS Budgets gives none on the last day of the month or while the account has too little cost history)`);
    }
    summary.budget = { name: b.budgetName, actualUsd: actual, forecastUsd: forecast };
  }

  let services: ServiceCost[] | undefined;
  if (input.services) {
    const byService = new Map<string, number>();
    for (const result of input.services) {
      for (const g of result.Groups ?? []) {
        const service = g.Keys?.[0] ?? 'Unknown';
        const v = amount('Cost Explorer', `${COST_METRIC} of ${service}`, g.Metrics?.[COST_METRIC]);
        if (v !== undefined) byService.set(service, (byService.get(service) ?? 0) + v);
      }
    }
    const window = `${input.periods.monthToDate.Start}..${input.periods.monthToDate.End}`;
    services = [...byService.entries()]
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, config.cost.topServices)
      .map(([service, v], i) => ({ rank: i + 1, service, usd: round2(v), window }));
    if (config.cost.serviceMetrics) {
      for (const s of services) datums.push(catalog.datum('ServiceMonthlyCost', s.usd, { Service: s.service.slice(0, 1024) }, now));
    }
    summary.topServices = services.map(({ service, usd }) => ({ service, usd }));
  }
  return { datums, problems, warnings, services, summary };
}
