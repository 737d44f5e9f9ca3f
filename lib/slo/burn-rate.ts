/**
 * Error-budget burn rate of the ADCE task-success SLO (pure: no aws-cdk-lib, so the CLI and
 * tests use the same arithmetic as the alarms' metric math).
 *
 * With a target of T% successful tasks the error budget is (100 - T)% of the tasks. The burn
 * rate of a window is its failure ratio divided by that budget: 1x spends the budget exactly
 * over the SLO window, 14.4x spends a 30-day budget in ~2 days (2% of it per hour).
 */

/** One alarm class of the multi-window multi-burn-rate method (Google SRE workbook, ch. 5). */
export interface BurnWindowClass {
  /** `fast` pages (critical), `slow` emails (warning). */
  readonly name: 'fast' | 'slow';
  /** Burn rate both windows must exceed. */
  readonly rate: number;
  /** The long window: is the budget really burning? */
  readonly longMinutes: number;
  /** The short window: is it still burning now? (resets the alarm quickly after a fix) */
  readonly shortMinutes: number;
}

/** Error budget as a fraction of tasks, e.g. 0.05 for a 95% target (rounded to 12 digits: no 0.0500000000004). */
export function errorBudget(targetPct: number): number {
  if (!(targetPct > 0 && targetPct < 100)) throw new RangeError(`An SLO target must be between 0 and 100 (exclusive), got ${targetPct}.`);
  return Number(((100 - targetPct) / 100).toPrecision(12));
}

/**
 * Burn rate of a window with `failed` and `completed` tasks; undefined when the window finished
 * no task (no evidence either way: the alarms see no data, not zero).
 */
export function burnRate(failed: number, completed: number, targetPct: number): number | undefined {
  if (!(failed >= 0 && completed >= 0)) throw new RangeError(`Task counts must be >= 0, got failed=${failed}, completed=${completed}.`);
  const total = failed + completed;
  if (total === 0) return undefined;
  return failed / total / errorBudget(targetPct);
}

/**
 * Share of the error budget left after a window (100 = untouched, 0 = spent, negative =
 * overspent); undefined without tasks.
 */
export function errorBudgetRemainingPct(failed: number, completed: number, targetPct: number): number | undefined {
  const rate = burnRate(failed, completed, targetPct);
  return rate === undefined ? undefined : 100 * (1 - rate);
}

/** The two classes with the rates of config.slo (defaults 14.4x over 1 h + 5 min, 6x over 6 h + 30 min). */
export function burnWindowClasses(slo: { readonly fastBurnRate: number; readonly slowBurnRate: number }): [BurnWindowClass, BurnWindowClass] {
  return [
    { name: 'fast', rate: slo.fastBurnRate, longMinutes: 60, shortMinutes: 5 },
    { name: 'slow', rate: slo.slowBurnRate, longMinutes: 360, shortMinutes: 30 },
  ];
}

/** Metric ids of the expressions below: failed and completed task sums over the same window. */
export interface TaskMetricIds {
  readonly failed: string;
  readonly completed: string;
}

/**
 * CloudWatch metric math for the burn rate of one window. `IF` without an else gives no
 * datapoint when no task finished, like `burnRate` returning undefined.
 */
export function burnRateExpression(ids: TaskMetricIds, targetPct: number): string {
  const { failed: f, completed: c } = ids;
  return `IF((${f} + ${c}) > 0, ${f} / (${f} + ${c}) / ${errorBudget(targetPct)})`;
}

/** CloudWatch metric math for the error budget remaining (%), the same formula as `errorBudgetRemainingPct`. */
export function errorBudgetRemainingExpression(ids: TaskMetricIds, targetPct: number): string {
  return `100 * (1 - ${burnRateExpression(ids, targetPct)})`;
}
