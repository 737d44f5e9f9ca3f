import type { MetricCatalog, MetricUnit } from '../lib/catalog/catalog';
import type { AlarmKind } from '../lib/constructs/alarm-factory';
import type { Severity } from '../lib/config/alerting';
import { periodMinutesFor } from '../lib/health/windows';
import { type Axis, type DashboardId, type ExpressionRef, type HorizontalLine, type MetricRef, type SeriesRef, isExpression } from './types';

/**
 * The dashboards as the stack deploys them, fully resolved: every metric with its namespace,
 * dimensions, statistic and period from the catalog, every alarm with its deployed name and
 * threshold. `Dashboards.resolved()` builds it from the definitions (dashboards/*.ts plus the
 * rows constructs add); the Grafana export reads nothing else. CDK-free.
 */

export interface ResolvedMetric {
  readonly kind: 'metric';
  readonly namespace: string;
  readonly metricName: string;
  /** In the catalog's order. */
  readonly dimensions: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly statistic: string;
  readonly periodSeconds: number;
  /** The catalog's unit (CloudWatch's words: `Seconds`, `Percent`, ...). */
  readonly unit: MetricUnit;
  readonly label: string;
  readonly color?: string;
}

export interface ResolvedExpression {
  readonly kind: 'expression';
  readonly expression: string;
  /** The metrics it reads, by variable name (not drawn). */
  readonly using: Readonly<Record<string, ResolvedMetric>>;
  readonly periodSeconds: number;
  readonly label: string;
  readonly color?: string;
}

export type ResolvedSeries = ResolvedMetric | ResolvedExpression;

/** A registered alarm, as deployed. */
export interface ResolvedAlarm {
  readonly baseName: string;
  /** Name in CloudWatch. */
  readonly alarmName: string;
  readonly severity: Severity;
  readonly kind: AlarmKind;
  readonly summary: string;
  readonly runbookUrl: string;
  /** Whether ALARM/OK go to an SNS topic. */
  readonly notifies: boolean;
  /** Threshold alarms: the line a graph draws. */
  readonly threshold?: { readonly value: number; readonly label: string };
  /** Alarms on one plain metric (no math): the series it watches, as CloudWatch records it (dimensions, statistic, period). */
  readonly metric?: { readonly namespace: string; readonly metricName: string; readonly dimensions: Readonly<Record<string, string>>; readonly statistic: string; readonly periodSeconds: number };
}

interface Size {
  readonly width: number;
  readonly height: number;
}

export type ResolvedWidget =
  | (Size & {
      readonly kind: 'graph';
      readonly title: string;
      readonly left: readonly ResolvedSeries[];
      readonly right: readonly ResolvedSeries[];
      readonly leftAxis?: Axis;
      readonly rightAxis?: Axis;
      readonly lines: readonly HorizontalLine[];
      /** Threshold alarms drawn on the left axis. */
      readonly alarms: readonly ResolvedAlarm[];
      readonly view: 'line' | 'bar' | 'stacked';
    })
  | (Size & { readonly kind: 'singleValue'; readonly title: string; readonly series: readonly ResolvedSeries[]; readonly rangeDays?: number })
  | (Size & { readonly kind: 'alarmStatus'; readonly title: string; readonly alarms: readonly ResolvedAlarm[] })
  | (Size & { readonly kind: 'text'; readonly markdown: string })
  | (Size & {
      readonly kind: 'logQuery';
      readonly title: string;
      /** `name` is undefined when only the deploy knows it (a generated log group name). */
      readonly logGroups: ReadonlyArray<{ readonly label: string; readonly name?: string }>;
      readonly query: string;
    });

export interface ResolvedDashboard {
  readonly id: DashboardId;
  /** Name in CloudWatch. */
  readonly name: string;
  readonly title: string;
  readonly defaultRangeHours: number;
  /** Top to bottom; widgets in a row left to right, wrapping at 24 units. */
  readonly rows: ReadonlyArray<readonly ResolvedWidget[]>;
}

/** A widget metric from the catalog: declared dimensions required, period defaulting to the publisher's cadence. */
export function resolveMetric(catalog: MetricCatalog, ref: MetricRef): ResolvedMetric {
  const declared = catalog.get(ref.metric);
  const full = catalog.dimensionsFor(declared, ref.dimensions);
  const values = declared.dimensions.map((n) => full[n]!);
  return {
    kind: 'metric',
    namespace: declared.namespace,
    metricName: declared.name,
    dimensions: declared.dimensions.map((name) => ({ name, value: full[name]! })),
    statistic: ref.statistic ?? declared.statistic,
    periodSeconds: 60 * (ref.periodMinutes ?? periodMinutesFor(declared.cadenceMinutes)),
    unit: declared.unit,
    label: ref.label ?? (values.length > 0 ? `${ref.metric} (${values.join(', ')})` : ref.metric),
    ...(ref.color ? { color: ref.color } : {}),
  };
}

export function resolveExpression(catalog: MetricCatalog, ref: ExpressionRef): ResolvedExpression {
  const using = Object.fromEntries(Object.entries(ref.using).map(([id, m]) => [id, resolveMetric(catalog, m)]));
  for (const id of Object.keys(using)) {
    if (!/^[a-z][A-Za-z0-9_]*$/.test(id)) throw new Error(`Expression "${ref.expression}": variable "${id}" must start with a lower-case letter (CloudWatch metric ids).`);
  }
  return { kind: 'expression', expression: ref.expression, using, periodSeconds: ref.periodMinutes * 60, label: ref.label ?? ref.expression, ...(ref.color ? { color: ref.color } : {}) };
}

export function resolveSeries(catalog: MetricCatalog, ref: SeriesRef): ResolvedSeries {
  return isExpression(ref) ? resolveExpression(catalog, ref) : resolveMetric(catalog, ref);
}
