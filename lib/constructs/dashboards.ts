import { Duration, Token, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { standardDashboards } from '../../dashboards';
import { type ResolvedAlarm, type ResolvedDashboard, type ResolvedWidget, resolveExpression, resolveMetric, resolveSeries } from '../../dashboards/model';
import {
  COLORS,
  type DashboardDefinition,
  type DashboardId,
  type ExpressionRef,
  type GraphSpec,
  type MetricRef,
  type SeriesRef,
  type WidgetSpec,
  isExpression,
  sizeOf,
} from '../../dashboards/types';
import type { MetricCatalog } from '../catalog/catalog';
import { envSuffix } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { type AlarmFactory, type AlarmSelector, type RegisteredAlarm, runbookLink } from './alarm-factory';
import { cloudWatchExpression, cloudWatchMetric } from './catalog-metric';

export interface DashboardsProps {
  /** Validated configuration: names (`namespacePrefix`, `envName`) and what the definitions read. */
  readonly config: MonitoringConfig;
  /** Every widget metric is built through it (`catalogMetric`). */
  readonly catalog: MetricCatalog;
  /** Alarm status widgets show the registered alarms of each dashboard's areas. */
  readonly alarms: AlarmFactory;
}

interface Built {
  readonly dashboard: cloudwatch.Dashboard;
  readonly layout: Layout;
  readonly definition: DashboardDefinition;
  readonly top: WidgetSpec[][];
  readonly bottom: WidgetSpec[][];
}

/**
 * Deploys the dashboard definitions of dashboards/ (`standardDashboards(config)`). Layout is
 * resolved at synth, so rows and alarms added after this construct was created still appear:
 * `addTopRow` puts a row above a dashboard's own rows (the health row), `addRow` appends one
 * below. Rows are widget specs, like the definitions, so `resolved()` gives the whole dashboard
 * as data (what `monitor export grafana` reads).
 */
export class Dashboards extends Construct {
  private readonly props: DashboardsProps;
  private readonly built = new Map<DashboardId, Built>();

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    this.props = props;
    for (const definition of standardDashboards(props.config)) {
      if (this.built.has(definition.id)) throw new Error(`Dashboard ${definition.id} is defined twice.`);
      const layout = new Layout();
      for (const row of definition.rows) layout.body.push(row.map((spec) => this.widget(definition.id, spec, definition)));
      const dashboard = new cloudwatch.Dashboard(this, definition.id, {
        dashboardName: dashboardName(props.config, definition.id),
        defaultInterval: Duration.hours(definition.defaultRangeHours ?? 24),
      });
      dashboard.addWidgets(layout);
      this.built.set(definition.id, { dashboard, layout, definition, top: [], bottom: [] });
    }
  }

  /** Ids of the deployed dashboards, in definition order. */
  get ids(): DashboardId[] {
    return [...this.built.keys()];
  }

  /** A row above the dashboard's own rows (below earlier top rows). For the health row. */
  addTopRow(id: DashboardId, ...specs: WidgetSpec[]): void {
    this.add(id, 'top', specs);
  }

  /** A row below everything else on the dashboard. */
  addRow(id: DashboardId, ...specs: WidgetSpec[]): void {
    this.add(id, 'bottom', specs);
  }

  private add(id: DashboardId, where: 'top' | 'bottom', specs: WidgetSpec[]): void {
    if (specs.length === 0) return;
    const entry = this.entry(id);
    entry.layout[where].push(specs.map((spec) => this.widget(id, spec, entry.definition)));
    entry[where].push(specs);
  }

  /** Renders a widget spec (catalog metrics, alarm selections) for a dashboard. */
  widget(id: DashboardId, spec: WidgetSpec, definition: DashboardDefinition = this.entry(id).definition): cloudwatch.IWidget {
    const { width, height } = sizeOf(spec);
    switch (spec.kind) {
      case 'graph':
        return new cloudwatch.GraphWidget({
          title: spec.title,
          left: spec.left.map((m) => this.series(m)),
          right: spec.right?.map((m) => this.series(m)),
          leftYAxis: spec.leftAxis && { ...spec.leftAxis, showUnits: false },
          rightYAxis: spec.rightAxis && { ...spec.rightAxis, showUnits: false },
          leftAnnotations: this.annotations(spec),
          view: spec.view === 'bar' ? cloudwatch.GraphWidgetView.BAR : cloudwatch.GraphWidgetView.TIME_SERIES,
          stacked: spec.view === 'stacked',
          width,
          height,
        });
      case 'singleValue':
        return new cloudwatch.SingleValueWidget({
          title: spec.title,
          metrics: spec.metrics.map((m) => this.series(m)),
          ...(spec.rangeDays !== undefined ? { setPeriodToTimeRange: true, start: `-P${spec.rangeDays}D` } : {}),
          width,
          height,
        });
      case 'alarmStatus':
        return new RegisteredAlarmsWidget(this.props.alarms, spec.select ?? { areas: definition.alarmAreas }, spec.title, width, height);
      case 'text':
        return new cloudwatch.TextWidget({ markdown: spec.markdown, width, height });
      case 'logQuery':
        return new cloudwatch.LogQueryWidget({
          title: spec.title,
          logGroupNames: spec.logGroups.map((g) => g.name),
          queryString: spec.query,
          view: cloudwatch.LogQueryVisualizationType.TABLE,
          width,
          height,
        });
    }
  }

  /** A widget metric from the catalog (dashboards/model.ts `resolveMetric`): the period defaults to the publisher's cadence. */
  metric(ref: MetricRef): cloudwatch.Metric {
    const r = resolveMetric(this.props.catalog, ref);
    return cloudWatchMetric(r, { label: r.label, color: r.color });
  }

  /** A metric or a metric-math expression over catalog metrics. */
  series(ref: SeriesRef): cloudwatch.IMetric {
    return isExpression(ref) ? this.expression(ref) : this.metric(ref);
  }

  private expression(ref: ExpressionRef): cloudwatch.MathExpression {
    const r = resolveExpression(this.props.catalog, ref);
    return cloudWatchExpression(r, r.label);
  }

  /**
   * Every deployed dashboard as data: the definition's rows with the rows constructs added, each
   * metric resolved through the catalog and each alarm through the registry. Call it once the
   * stack is complete (alarms registered later are included, as in the template).
   */
  resolved(): ResolvedDashboard[] {
    return [...this.built.entries()].map(([id, entry]) => ({
      id,
      name: dashboardName(this.props.config, id),
      title: entry.definition.title,
      defaultRangeHours: entry.definition.defaultRangeHours ?? 24,
      rows: [...entry.top, ...entry.definition.rows, ...entry.bottom].map((row) => row.map((spec) => this.resolve(spec, entry.definition))),
    }));
  }

  private resolve(spec: WidgetSpec, definition: DashboardDefinition): ResolvedWidget {
    const size = sizeOf(spec);
    const { catalog } = this.props;
    switch (spec.kind) {
      case 'graph':
        return {
          ...size,
          kind: 'graph',
          title: spec.title,
          left: spec.left.map((m) => resolveSeries(catalog, m)),
          right: (spec.right ?? []).map((m) => resolveSeries(catalog, m)),
          leftAxis: spec.leftAxis,
          rightAxis: spec.rightAxis,
          lines: spec.lines ?? [],
          alarms: (spec.alarms ?? []).map((baseName) => this.resolveAlarm(this.thresholdAlarm(spec, baseName).entry)),
          view: spec.view ?? 'line',
        };
      case 'singleValue':
        return { ...size, kind: 'singleValue', title: spec.title, series: spec.metrics.map((m) => resolveSeries(catalog, m)), rangeDays: spec.rangeDays };
      case 'alarmStatus':
        return { ...size, kind: 'alarmStatus', title: spec.title, alarms: this.props.alarms.select(spec.select ?? { areas: definition.alarmAreas }).map((e) => this.resolveAlarm(e)) };
      case 'text':
        return { ...size, kind: 'text', markdown: spec.markdown };
      case 'logQuery':
        return { ...size, kind: 'logQuery', title: spec.title, query: spec.query, logGroups: spec.logGroups.map((g) => ({ label: g.label, ...(Token.isUnresolved(g.name) ? {} : { name: g.name }) })) };
    }
  }

  /** A registered alarm as deployed: name, threshold line, the metric it watches. */
  private resolveAlarm(entry: RegisteredAlarm): ResolvedAlarm {
    const base: ResolvedAlarm = {
      baseName: entry.baseName,
      alarmName: entry.alarmName,
      severity: entry.severity,
      kind: entry.kind,
      summary: entry.summary,
      runbookUrl: runbookLink(this.props.config, entry.runbookAnchor),
      notifies: entry.notifies,
    };
    const { alarm } = entry;
    if (!isThresholdAlarm(alarm)) return base;
    const watched = alarm.metric;
    const plain = watched instanceof cloudwatch.Metric && watched.statistic !== undefined && Object.values(watched.dimensions ?? {}).every((v) => typeof v === 'string' && !Token.isUnresolved(v));
    return {
      ...base,
      threshold: thresholdLine(entry.baseName, alarm),
      ...(plain
        ? { metric: { namespace: watched.namespace, metricName: watched.metricName, dimensions: { ...(watched.dimensions as Record<string, string>) }, statistic: watched.statistic, periodSeconds: watched.period.toSeconds() } }
        : {}),
    };
  }

  private thresholdAlarm(spec: GraphSpec, baseName: string): { entry: RegisteredAlarm; alarm: cloudwatch.Alarm } {
    const entry = this.props.alarms.get(baseName);
    const { alarm } = entry;
    if (!isThresholdAlarm(alarm)) {
      throw new Error(`Graph "${spec.title}": alarm ${baseName} has no threshold line to draw (only threshold alarms do).`);
    }
    return { entry, alarm };
  }

  /** The graph's own lines, then the threshold line of each of its alarms. */
  private annotations(spec: GraphSpec): cloudwatch.HorizontalAnnotation[] | undefined {
    const lines = (spec.lines ?? []).map((l) => ({ value: l.value, label: l.label, color: l.color }));
    const alarms = (spec.alarms ?? []).map((baseName) => {
      const { alarm } = this.thresholdAlarm(spec, baseName);
      return { ...thresholdLine(baseName, alarm), color: COLORS.red };
    });
    const all = [...lines, ...alarms];
    return all.length > 0 ? all : undefined;
  }

  private entry(id: DashboardId): Built {
    const entry = this.built.get(id);
    if (!entry) throw new Error(`No dashboard ${id}. Deployed: ${this.ids.join(', ')}`);
    return entry;
  }
}

/** Alarms that compare their metric with a fixed threshold (a line a graph can draw). */
function isThresholdAlarm(alarm: cloudwatch.AlarmBase): alarm is cloudwatch.Alarm {
  return alarm instanceof cloudwatch.Alarm && !(alarm instanceof cloudwatch.AnomalyDetectionAlarm);
}

/** The alarm's threshold line, labelled with its base name (as every graph and export shows it). */
function thresholdLine(baseName: string, alarm: cloudwatch.Alarm): { label: string; value: number } {
  const { label, value } = alarm.toAnnotation();
  return { label: `${baseName}: ${label}`, value };
}

/** `<prefix>-<id>` plus `-<env>` outside the default environment; only the characters CloudWatch allows. */
export function dashboardName(config: Pick<MonitoringConfig, 'namespacePrefix' | 'envName'>, id: DashboardId): string {
  return `${config.namespacePrefix}-${id}${envSuffix(config)}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * The whole dashboard as one widget whose rows are read when CloudFormation is rendered:
 * top rows, the definition's rows, bottom rows.
 */
class Layout implements cloudwatch.IWidget {
  readonly top: cloudwatch.IWidget[][] = [];
  readonly body: cloudwatch.IWidget[][] = [];
  readonly bottom: cloudwatch.IWidget[][] = [];
  private laidOut?: cloudwatch.Column;

  get width(): number {
    return cloudwatch.GRID_WIDTH;
  }

  get height(): number {
    return this.column().height;
  }

  position(x: number, y: number): void {
    this.laidOut = this.column();
    this.laidOut.position(x, y);
  }

  toJson(): unknown[] {
    if (!this.laidOut) this.position(0, 0);
    return this.laidOut!.toJson();
  }

  private column(): cloudwatch.Column {
    return new cloudwatch.Column(...[...this.top, ...this.body, ...this.bottom].map((row) => new cloudwatch.Row(...row)));
  }
}

/** Alarm states of the alarms the selector picks from the registry, read at synth. */
class RegisteredAlarmsWidget implements cloudwatch.IWidget {
  private x = 0;
  private y = 0;

  constructor(
    private readonly alarms: AlarmFactory,
    private readonly selector: AlarmSelector,
    private readonly title: string,
    readonly width: number,
    readonly height: number,
  ) {}

  position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  toJson(): unknown[] {
    const selected = this.alarms.select(this.selector);
    const widget =
      selected.length > 0
        ? new cloudwatch.AlarmStatusWidget({
            title: this.title,
            alarms: selected.map((e) => e.alarm),
            sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
            width: this.width,
            height: this.height,
          })
        : new cloudwatch.TextWidget({ markdown: `**${this.title}**: no alarm relates to this dashboard yet.`, width: this.width, height: this.height });
    widget.position(this.x, this.y);
    return widget.toJson();
  }
}
