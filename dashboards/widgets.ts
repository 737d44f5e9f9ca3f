import type { GraphSpec, MetricRef } from './types';

/** A percentage on a 0-100 axis, with the threshold lines of its alarms. */
export function percentGraph(title: string, metric: MetricRef, alarms: readonly string[], size: Pick<GraphSpec, 'width' | 'height'> = {}): GraphSpec {
  return { kind: 'graph', title, left: [metric], leftAxis: { min: 0, max: 100 }, alarms, ...size };
}

/** ADCE task success rate at the alarm's own period (the ADCE cadence), with `ADCE-HighFailureRate`. */
export function adceSuccessRateGraph(title: string, size: Pick<GraphSpec, 'width' | 'height'> = {}): GraphSpec {
  return percentGraph(title, { metric: 'ADCESuccessRate', statistic: 'Average', label: 'Success rate' }, ['ADCE-HighFailureRate'], size);
}
