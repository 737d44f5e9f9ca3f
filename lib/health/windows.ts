/**
 * Alarm windows derived from publisher schedules (pure: no aws-cdk-lib). CloudWatch's limits:
 * a period is a whole number of minutes and at most a day; an alarm with a period under an hour
 * evaluates at most 24 hours (period x evaluation periods), one with a longer period at most 7
 * days.
 */

export const MAX_PERIOD_MINUTES = 1440;
const SHORT_RANGE_MINUTES = 1440;
const LONG_RANGE_MINUTES = 7 * 1440;
/** Longest schedule a heartbeat watches whole: its 2 intervals fill CloudWatch's 7-day range (84 h). */
export const MAX_HEARTBEAT_SCHEDULE_MINUTES = LONG_RANGE_MINUTES / 2;

/** Period used for metrics without a cadence (pushed by the pipeline), in minutes. */
export const DEFAULT_PERIOD_MINUTES = 5;

/**
 * The period of a metric sent every `cadenceMinutes`: one interval, clamped to what CloudWatch
 * accepts (whole minutes, 1 to MAX_PERIOD_MINUTES); DEFAULT_PERIOD_MINUTES without a cadence.
 */
export function periodMinutesFor(cadenceMinutes?: number): number {
  if (cadenceMinutes === undefined) return DEFAULT_PERIOD_MINUTES;
  return Math.min(Math.max(Math.ceil(cadenceMinutes), 1), MAX_PERIOD_MINUTES);
}

export interface AlarmWindow {
  readonly periodMinutes: number;
  /** Evaluation periods; a heartbeat alarms only when all of them are empty (datapoints to alarm = periods). */
  readonly periods: number;
}

/**
 * The dead-man's-switch window of a publisher that runs every `scheduleMinutes`: silent for 2
 * intervals. Each period is at least one interval long when it can be (a healthy publisher puts
 * a run into every period, so a late run never fires it); over a day, the 2 intervals are split
 * into equal periods of at most a day that must all be empty. Capped at CloudWatch's 7-day
 * range (schedules over 3.5 days: the window is then 7 days, still at least one interval).
 */
export function heartbeatWindow(scheduleMinutes: number): AlarmWindow {
  if (!(Number.isInteger(scheduleMinutes) && scheduleMinutes >= 1)) throw new RangeError(`A schedule must be a whole number of minutes >= 1, got ${scheduleMinutes}.`);
  const silence = Math.min(2 * scheduleMinutes, LONG_RANGE_MINUTES);
  if (scheduleMinutes <= MAX_PERIOD_MINUTES) return { periodMinutes: scheduleMinutes, periods: silence / scheduleMinutes };
  const periods = Math.ceil(silence / MAX_PERIOD_MINUTES);
  return { periodMinutes: Math.floor(silence / periods), periods };
}

/** How long a silence lasts before the window's alarm fires: period x periods, in minutes. */
export function windowMinutes(window: AlarmWindow): number {
  return window.periodMinutes * window.periods;
}

/** `90` -> `90 min`, `1440` -> `24 h`: a duration in the words of alarm summaries and CLI rows. */
export function minutesLabel(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/** True when CloudWatch accepts the window (see the module comment). */
export function withinCloudWatchLimits(window: AlarmWindow): boolean {
  const { periodMinutes, periods } = window;
  if (!Number.isInteger(periodMinutes) || periodMinutes < 1 || periodMinutes > MAX_PERIOD_MINUTES) return false;
  if (!Number.isInteger(periods) || periods < 1) return false;
  const range = windowMinutes(window);
  return periodMinutes < 60 ? range <= SHORT_RANGE_MINUTES : range <= LONG_RANGE_MINUTES;
}

/**
 * The freshness lookahead of the S3 collector: a source is judged against the NEXT check, so it
 * counts as stale once it would be past its threshold before the publisher looks again
 * (age + schedule > threshold). The warning then never arrives later than the threshold plus
 * the alarm's period.
 */
export function staleBeforeNextCheck(ageMinutes: number, thresholdMinutes: number, scheduleMinutes: number): boolean {
  return ageMinutes + scheduleMinutes > thresholdMinutes;
}
