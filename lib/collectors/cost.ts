import type { MetricCatalog } from '../catalog/catalog';
import type { MetricDatum } from '../catalog/datum';
import type { MonitoringConfig } from '../config/schema';
import type { Problem } from '../jobs/job';
import { round2 } from './round';

/**
 * Cost collector (pure): Cost Explorer answers in, datums out. Dates are UTC days, as Cost
 * Explorer counts them; End dates are exclusive.
 *
 * - Month to date = [1st of the month, tomorrow): today's partial (estimated) cost included.
 *   Start < End always holds, also on the 1st (End = the 2nd).
 * - GetCostForecast returns the forecast for its window only, so the whole month is
 *   actual [1st, today) + forecast [today, 1st of next month). The forecast window starts
 *   today (Cost Explorer's earliest allowed Start), so on the last day of the month it is one
 *   day long: never empty, and the forecast replaces today's partial actual instead of adding
 *   to it.
 */

export interface DateInterval {
  readonly Start: string;
  readonly End: string;
}

export interface CostPeriods {
  /** Today (UTC), `YYYY-MM-DD`. */
  readonly today: string;
  /** GetCostAndUsage window: [1st of the month, tomorrow). */
  readonly monthToDate: DateInterval;
  /** GetCostForecast window: [today, 1st of next month); undefined if it were empty. */
  readonly forecast?: DateInterval;
}

export function costPeriods(now: Date): CostPeriods {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const day = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm, dd)).toISOString().slice(0, 10);
  const today = day(y, m, d);
  const tomorrow = day(y, m, d + 1);
  const nextMonth = day(y, m + 1, 1);
  return {
    today,
    monthToDate: { Start: day(y, m, 1), End: tomorrow < nextMonth ? tomorrow : nextMonth },
    forecast: today < nextMonth ? { Start: today, End: nextMonth } : undefined,
  };
}

/** The parts of a GetCostAndUsage ResultByTime the collector reads. */
export interface CostResultByTime {
  readonly TimePeriod?: { readonly Start?: string; readonly End?: string };
  readonly Total?: Record<string, { readonly Amount?: string; readonly Unit?: string }>;
  readonly Groups?: ReadonlyArray<{ readonly Keys?: readonly string[]; readonly Metrics?: Record<string, { readonly Amount?: string; readonly Unit?: string }> }>;
}

export interface CostInput {
  readonly periods: CostPeriods;
  /** DAILY results of the month-to-date window grouped by SERVICE (all pages); undefined: unavailable. */
  readonly usage?: readonly CostResultByTime[];
  /** Why `usage` is missing (e.g. DataUnavailableException). */
  readonly usageUnavailable?: string;
  /** GetCostForecast Total.Amount for the forecast window. */
  readonly forecastAmount?: string;
  /** Why there is no forecast. */
  readonly forecastUnavailable?: string;
}

export interface CostCollectorContext {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly now: Date;
}

export interface CostOutput {
  readonly datums: MetricDatum[];
  readonly problems: Problem[];
  readonly warnings: string[];
  readonly summary: Record<string, unknown>;
}

/** The Cost Explorer metric the job asks for and the collector reads. */
export const COST_METRIC = 'UnblendedCost';

export function collectCost(input: CostInput, ctx: CostCollectorContext): CostOutput {
  const { catalog, now, config } = ctx;
  const datums: MetricDatum[] = [];
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const source = 'cost-explorer';
  if (!input.usage) {
    problems.push({
      source,
      message: `Cost Explorer month-to-date cost (${input.periods.monthToDate.Start}..${input.periods.monthToDate.End}) is unavailable: ${input.usageUnavailable ?? 'no answer'}; no cost metrics published`,
      fatal: false,
    });
    return { datums, problems, warnings, summary: { usage: 'unavailable' } };
  }

  let monthToDate = 0;
  let beforeToday = 0;
  const byService = new Map<string, number>();
  const amount = (where: string, m: { Amount?: string; Unit?: string } | undefined): number | undefined => {
    if (!m || m.Amount === undefined) return undefined;
    const v = Number(m.Amount);
    if (!Number.isFinite(v)) {
      problems.push({ source, message: `Cost Explorer returned a non-numeric ${COST_METRIC} ${JSON.stringify(m.Amount)} for ${where}; left out`, fatal: false });
      return undefined;
    }
    if (m.Unit && m.Unit !== 'USD') warnings.push(`${where}: ${COST_METRIC} is in ${m.Unit}, not USD`);
    return v;
  };
  for (const result of input.usage) {
    const dayStart = result.TimePeriod?.Start ?? '';
    let dayTotal = 0;
    if (result.Groups && result.Groups.length > 0) {
      for (const g of result.Groups) {
        const service = g.Keys?.[0] ?? 'Unknown';
        const v = amount(`${service} on ${dayStart}`, g.Metrics?.[COST_METRIC]);
        if (v === undefined) continue;
        dayTotal += v;
        byService.set(service, (byService.get(service) ?? 0) + v);
      }
    } else {
      dayTotal = amount(`total on ${dayStart}`, result.Total?.[COST_METRIC]) ?? 0;
    }
    monthToDate += dayTotal;
    if (dayStart < input.periods.today) beforeToday += dayTotal;
  }

  const budget = config.monthlyBudgetUsd;
  datums.push(catalog.datum('MonthlyAWSCost', round2(monthToDate), {}, now));
  datums.push(catalog.datum('BudgetUtilization', round2((monthToDate / budget) * 100), {}, now));

  let forecastMonth: number | undefined;
  if (input.forecastAmount !== undefined) {
    const remainder = Number(input.forecastAmount);
    if (Number.isFinite(remainder)) {
      forecastMonth = beforeToday + remainder;
      datums.push(catalog.datum('ForecastedMonthlyCost', round2(forecastMonth), {}, now));
      datums.push(catalog.datum('ForecastedBudgetUtilization', round2((forecastMonth / budget) * 100), {}, now));
    } else {
      problems.push({ source, message: `Cost Explorer returned a non-numeric forecast ${JSON.stringify(input.forecastAmount)}; no forecast published`, fatal: false });
    }
  } else {
    warnings.push(`No cost forecast published: ${input.forecastUnavailable ?? 'no forecast window left this month'}`);
  }

  const top = [...byService.entries()]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, config.cost.topServices);
  for (const [service, v] of top) datums.push(catalog.datum('ServiceMonthlyCost', round2(v), { Service: service.slice(0, 1024) }, now));

  return {
    datums,
    problems,
    warnings,
    summary: {
      monthToDate: { ...input.periods.monthToDate, usd: round2(monthToDate) },
      actualBeforeTodayUsd: round2(beforeToday),
      forecast: input.periods.forecast ? { ...input.periods.forecast, remainderUsd: input.forecastAmount, monthUsd: forecastMonth && round2(forecastMonth) } : undefined,
      topServices: top.map(([s, v]) => ({ service: s, usd: round2(v) })),
    },
  };
}
