import type { Dimensions } from '../lib/catalog/catalog';
import type { AlarmArea, AlarmSelector } from '../lib/constructs/alarm-factory';

/**
 * Dashboards as data: widgets name catalog metrics (plus dimension values) and select alarms
 * from the registry. This is the one model of every dashboard: lib/constructs/dashboards.ts
 * turns it into CloudWatch widgets and `monitor export grafana` into Grafana panels, both
 * resolving metrics through dashboards/model.ts and the catalog, so an undeclared metric or a
 * wrong dimension set fails the synth and the export alike.
 * (Type-only imports: nothing here pulls in aws-cdk-lib.)
 */

export type DashboardId = 'DataCollection' | 'PerformanceCosts' | 'ADCEHealth';

/** Line colours shared by every dashboard (CloudWatch's default palette). */
export const COLORS = { green: '#2ca02c', red: '#d62728', orange: '#ff7f0e', grey: '#7f7f7f' } as const;

/** A catalog metric on a graph. */
export interface MetricRef {
  /** Catalog name, e.g. `S3ObjectCount`. */
  readonly metric: string;
  /** Exactly the declared dimensions (fixed ones may be left out). @default none */
  readonly dimensions?: Dimensions;
  /** @default the catalog's statistic */
  readonly statistic?: string;
  /** @default the publisher's cadence (1 minute to 1 day), 5 minutes for pushed metrics */
  readonly periodMinutes?: number;
  /** Legend label. @default the metric name, with its dimension values */
  readonly label?: string;
  readonly color?: string;
}

/** Metric math over catalog metrics, e.g. `FILL(success, 0) + FILL(failure, 0)`. */
export interface ExpressionRef {
  /** CloudWatch metric math; its variables are the keys of `using`. */
  readonly expression: string;
  /** The metrics the expression reads (not drawn themselves), by variable name. */
  readonly using: Readonly<Record<string, MetricRef>>;
  readonly periodMinutes: number;
  /** @default the expression itself */
  readonly label?: string;
  readonly color?: string;
}

/** One series of a graph or single-value widget. */
export type SeriesRef = MetricRef | ExpressionRef;

export function isExpression(ref: SeriesRef): ref is ExpressionRef {
  return 'expression' in ref;
}

export interface Axis {
  readonly min?: number;
  readonly max?: number;
  readonly label?: string;
}

/** A horizontal line on a graph (a budget, a threshold). */
export interface HorizontalLine {
  readonly value: number;
  readonly label: string;
  readonly color?: string;
}

interface Sized {
  /** Grid units of 24. @default per kind: graph 12, single value 12, alarm status 24, text 24, log query 24 */
  readonly width?: number;
  /** @default per kind: graph 6, single value 4, alarm status 3, text 2, log query 6 */
  readonly height?: number;
}

export interface GraphSpec extends Sized {
  readonly kind: 'graph';
  readonly title: string;
  readonly left: readonly SeriesRef[];
  readonly right?: readonly SeriesRef[];
  readonly leftAxis?: Axis;
  readonly rightAxis?: Axis;
  readonly lines?: readonly HorizontalLine[];
  /**
   * Base names of registered threshold alarms on a left-axis metric, each drawn as its threshold
   * line in the alarm's own words (`Alarm.toAnnotation()`: operator, threshold, datapoints,
   * window), so the line cannot disagree with the alarm. Registered before the dashboards are
   * built (the core alarms are). @default none
   */
  readonly alarms?: readonly string[];
  /** @default 'line' */
  readonly view?: 'line' | 'bar' | 'stacked';
}

export interface SingleValueSpec extends Sized {
  readonly kind: 'singleValue';
  readonly title: string;
  readonly metrics: readonly SeriesRef[];
  /** One value over the last N days (the widget's own time range and period). @default the dashboard's range, latest value */
  readonly rangeDays?: number;
}

/** States of registered alarms; resolved at synth, so alarms added later are included. */
export interface AlarmStatusSpec extends Sized {
  readonly kind: 'alarmStatus';
  readonly title: string;
  /** @default the dashboard's `alarmAreas` */
  readonly select?: AlarmSelector;
}

export interface TextSpec extends Sized {
  readonly kind: 'text';
  readonly markdown: string;
}

/** A log group a query reads; its name may only be known at deploy time (a CDK token). */
export interface LogGroupRef {
  /** What the log group is, e.g. `S3 publisher`. */
  readonly label: string;
  readonly name: string;
}

/** A CloudWatch Logs Insights query shown as a table. */
export interface LogQuerySpec extends Sized {
  readonly kind: 'logQuery';
  readonly title: string;
  readonly logGroups: readonly LogGroupRef[];
  readonly query: string;
}

export type WidgetSpec = GraphSpec | SingleValueSpec | AlarmStatusSpec | TextSpec | LogQuerySpec;

/** Grid size of a widget: its own, else the default of its kind. */
export function sizeOf(spec: WidgetSpec): { width: number; height: number } {
  const defaults = { graph: [12, 6], singleValue: [12, 4], alarmStatus: [24, 3], text: [24, 2], logQuery: [24, 6] }[spec.kind];
  return { width: spec.width ?? defaults[0]!, height: spec.height ?? defaults[1]! };
}

export interface DashboardDefinition {
  readonly id: DashboardId;
  /** Human title; the dashboard name is `<prefix>-<id>[-<env>]`. */
  readonly title: string;
  /** Alarms of these areas are the ones this dashboard relates to. */
  readonly alarmAreas: readonly AlarmArea[];
  /** Time range shown when the dashboard opens. @default 24 hours */
  readonly defaultRangeHours?: number;
  /** Rows top to bottom; widgets in a row left to right (wrapping at 24 units). */
  readonly rows: readonly (readonly WidgetSpec[])[];
}
