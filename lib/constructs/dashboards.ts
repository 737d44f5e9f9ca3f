import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { standardDashboards } from '../../dashboards';
import { COLORS, type DashboardDefinition, type DashboardId, type GraphSpec, type MetricRef, type WidgetSpec } from '../../dashboards/types';
import type { MetricCatalog } from '../catalog/catalog';
import { envSuffix } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import type { AlarmFactory, AlarmSelector } from './alarm-factory';
import { metricOf } from './catalog-metric';

export interface DashboardsProps {
  /** Validated configuration: names (`namespacePrefix`, `envName`) and what the definitions read. */
  readonly config: MonitoringConfig;
  /** Every widget metric is built through it (`catalogMetric`). */
  readonly catalog: MetricCatalog;
  /** Alarm status widgets show the registered alarms of each dashboard's areas. */
  readonly alarms: AlarmFactory;
}

/**
 * Deploys the dashboard definitions of dashboards/ (`standardDashboards(config)`). Layout is resolved at synth, so rows and
 * alarms added after this construct was created still appear: `addTopRow` puts a row above a
 * dashboard's own rows (the health row), `addRow` appends one below.
 */
export class Dashboards extends Construct {
  private readonly props: DashboardsProps;
  private readonly built = new Map<DashboardId, { dashboard: cloudwatch.Dashboard; layout: Layout; definition: DashboardDefinition }>();

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
      this.built.set(definition.id, { dashboard, layout, definition });
    }
  }

  /** Ids of the deployed dashboards, in definition order. */
  get ids(): DashboardId[] {
    return [...this.built.keys()];
  }

  /** A row above the dashboard's own rows (below earlier top rows). For the health row. */
  addTopRow(id: DashboardId, ...widgets: cloudwatch.IWidget[]): void {
    if (widgets.length > 0) this.entry(id).layout.top.push(widgets);
  }

  /** A row below everything else on the dashboard. */
  addRow(id: DashboardId, ...widgets: cloudwatch.IWidget[]): void {
    if (widgets.length > 0) this.entry(id).layout.bottom.push(widgets);
  }

  /** Renders a widget spec (catalog metrics, alarm selections) for a dashboard. */
  widget(id: DashboardId, spec: WidgetSpec, definition: DashboardDefinition = this.entry(id).definition): cloudwatch.IWidget {
    switch (spec.kind) {
      case 'graph':
        return new cloudwatch.GraphWidget({
          title: spec.title,
          left: spec.left.map((m) => this.metric(m)),
          right: spec.right?.map((m) => this.metric(m)),
          leftYAxis: spec.leftAxis && { ...spec.leftAxis, showUnits: false },
          rightYAxis: spec.rightAxis && { ...spec.rightAxis, showUnits: false },
          leftAnnotations: this.annotations(spec),
          view: spec.view === 'bar' ? cloudwatch.GraphWidgetView.BAR : cloudwatch.GraphWidgetView.TIME_SERIES,
          stacked: spec.view === 'stacked',
          width: spec.width ?? 12,
          height: spec.height ?? 6,
        });
      case 'singleValue':
        return new cloudwatch.SingleValueWidget({
          title: spec.title,
          metrics: spec.metrics.map((m) => this.metric(m)),
          width: spec.width ?? 12,
          height: spec.height ?? 4,
        });
      case 'alarmStatus':
        return new RegisteredAlarmsWidget(this.props.alarms, spec.select ?? { areas: definition.alarmAreas }, spec.title, spec.width ?? 24, spec.height ?? 3);
      case 'text':
        return new cloudwatch.TextWidget({ markdown: spec.markdown, width: spec.width ?? 24, height: spec.height ?? 2 });
    }
  }

  /** A widget metric from the catalog; the period defaults to the publisher's cadence. */
  metric(ref: MetricRef): cloudwatch.Metric {
    const { catalog } = this.props;
    const declared = catalog.get(ref.metric);
    const values = Object.values(catalog.dimensionsFor(declared, ref.dimensions));
    return metricOf(catalog, declared, ref.dimensions, {
      statistic: ref.statistic,
      period: ref.periodMinutes === undefined ? undefined : Duration.minutes(ref.periodMinutes),
      label: ref.label ?? (values.length > 0 ? `${ref.metric} (${values.join(', ')})` : ref.metric),
      color: ref.color,
    });
  }

  /** The graph's own lines, then the threshold line of each of its alarms. */
  private annotations(spec: GraphSpec): cloudwatch.HorizontalAnnotation[] | undefined {
    const lines = (spec.lines ?? []).map((l) => ({ value: l.value, label: l.label, color: l.color }));
    const alarms = (spec.alarms ?? []).map((baseName) => {
      const { alarm } = this.props.alarms.get(baseName);
      if (!(alarm instanceof cloudwatch.Alarm) || alarm instanceof cloudwatch.AnomalyDetectionAlarm) {
        throw new Error(`Graph "${spec.title}": alarm ${baseName} has no threshold line to draw (only threshold alarms do).`);
      }
      return { ...alarm.toAnnotation(), label: `${baseName}: ${alarm.toAnnotation().label}`, color: COLORS.red };
    });
    const all = [...lines, ...alarms];
    return all.length > 0 ? all : undefined;
  }

  private entry(id: DashboardId) {
    const entry = this.built.get(id);
    if (!entry) throw new Error(`No dashboard ${id}. Deployed: ${this.ids.join(', ')}`);
    return entry;
  }
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
