import { createHash } from 'node:crypto';
import type { ResolvedAlarm, ResolvedDashboard, ResolvedMetric, ResolvedSeries, ResolvedWidget } from '../../dashboards/model';
import type { MetricUnit } from '../catalog/catalog';

/**
 * Grafana dashboards from the stack's own dashboard model (`Dashboards.resolved()`): one JSON
 * per CloudWatch dashboard, importable as is (Dashboards > New > Import, the HTTP API, or file
 * provisioning) into a Grafana with a CloudWatch data source. Every metric is the same query as
 * on the CloudWatch dashboard (namespace, name, dimensions, statistic, period), threshold lines
 * come from the same alarms, and alarm state changes show as annotations (Grafana's CloudWatch
 * data source reads the alarm history; it has no panel for current alarm states, so an alarm
 * status widget becomes a list of its alarms with links). Pure: no aws-cdk-lib, no I/O.
 *
 * Formats: Grafana dashboard JSON model (schemaVersion 39, Grafana 10+) and the CloudWatch
 * data source's query model (`queryMode` Metrics / Logs / Annotations).
 */

export interface GrafanaExportInput {
  readonly dashboards: readonly ResolvedDashboard[];
  /** Every alarm name of the stack: an alarm-history annotation matches by name prefix, so one whose name starts another's is left out. */
  readonly alarmNames: readonly string[];
}

export interface GrafanaDashboardFile {
  /** `<CloudWatch dashboard name>.json`. */
  readonly fileName: string;
  readonly dashboard: GrafanaDashboard;
}

type Json = Record<string, unknown>;

export interface GrafanaDashboard extends Json {
  readonly uid: string;
  readonly title: string;
  readonly panels: GrafanaPanel[];
  readonly templating: { list: Json[] };
  readonly annotations: { list: Json[] };
}

export interface GrafanaPanel extends Json {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly targets?: Json[];
}

/** The dashboard variable every panel's data source points at: the user picks their CloudWatch data source. */
const DATASOURCE_VARIABLE = 'datasource';
const DATASOURCE = { type: 'cloudwatch', uid: `\${${DATASOURCE_VARIABLE}}` } as const;
const SCHEMA_VERSION = 39;
/** Alarm actions of this stack are SNS topics; Grafana's alarm-name matching needs an action prefix too. */
const SNS_ACTION_PREFIX = 'arn:aws:sns:';
const RED = '#d62728';
const ORANGE = '#ff7f0e';

/** Grafana's unit for each catalog unit (undefined: a plain number); a new catalog unit must be given one here. */
const UNITS: Readonly<Record<MetricUnit, string | undefined>> = { Seconds: 's', Percent: 'percent', Gigabytes: 'gbytes', Count: 'short', None: undefined };

export function grafanaDashboards(input: GrafanaExportInput): GrafanaDashboardFile[] {
  return input.dashboards.map((d) => ({ fileName: `${d.name}.json`, dashboard: grafanaDashboard(d, input.alarmNames) }));
}

function grafanaDashboard(source: ResolvedDashboard, alarmNames: readonly string[]): GrafanaDashboard {
  const panels: GrafanaPanel[] = [];
  const logGroupVariables = new Map<string, Json>();
  /** Alarms shown on this dashboard, with the panels that draw their metric. */
  const alarms = new Map<string, { alarm: ResolvedAlarm; panels: Set<number> }>();
  const noteAlarm = (alarm: ResolvedAlarm, panelId?: number) => {
    const entry = alarms.get(alarm.alarmName) ?? { alarm, panels: new Set<number>() };
    if (panelId !== undefined) entry.panels.add(panelId);
    alarms.set(alarm.alarmName, entry);
  };

  for (const { widget, gridPos } of layout(source.rows)) {
    const id = panels.length + 1;
    switch (widget.kind) {
      case 'graph':
        panels.push(timeSeriesPanel(id, gridPos, widget));
        for (const alarm of widget.alarms) noteAlarm(alarm, id);
        break;
      case 'singleValue':
        panels.push(statPanel(id, gridPos, widget));
        break;
      case 'alarmStatus':
        panels.push(textPanel(id, gridPos, widget.title, alarmList(widget.alarms)));
        for (const alarm of widget.alarms) noteAlarm(alarm);
        break;
      case 'text':
        panels.push(textPanel(id, gridPos, '', widget.markdown));
        break;
      case 'logQuery': {
        const names = widget.logGroups.map((g) => {
          if (g.name !== undefined) return g.name;
          const variable = logGroupVariable(g.label);
          logGroupVariables.set(variable.name as string, variable);
          return `$${variable.name as string}`;
        });
        panels.push(logsPanel(id, gridPos, widget.title, widget.query, names));
        break;
      }
    }
  }

  // Alarms listed on the dashboard are also drawn on the panels plotting their metric.
  for (const entry of alarms.values()) {
    const watched = entry.alarm.metric;
    if (!watched) continue;
    panels.forEach((p) => {
      if ((p.targets ?? []).some((t) => t.namespace === watched.namespace && t.metricName === watched.metricName && sameDimensions(t.dimensions as Record<string, string>, watched.dimensions))) entry.panels.add(p.id);
    });
  }

  return {
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'cloudwatch', name: 'CloudWatch', version: '1.0.0' },
    ],
    uid: grafanaUid(source.name),
    title: `${source.title} (${source.name})`,
    description: `CloudWatch dashboard ${source.name}, exported by \`monitor export grafana\`: the same metrics, periods and alarm thresholds.`,
    tags: ['data-lake-monitoring', 'cloudwatch'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: `now-${rangeText(source.defaultRangeHours)}`, to: 'now' },
    refresh: '',
    templating: {
      list: [
        {
          name: DATASOURCE_VARIABLE,
          label: 'CloudWatch data source',
          type: 'datasource',
          query: 'cloudwatch',
          current: {},
          hide: 0,
          refresh: 1,
          regex: '',
          options: [],
        },
        ...logGroupVariables.values(),
      ],
    },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
        ...[...alarms.values()].flatMap(({ alarm, panels: ids }) => alarmAnnotation(alarm, [...ids].sort((a, b) => a - b), alarmNames)),
      ],
    },
    panels,
  };
}

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** CloudWatch's grid (24 wide), laid out like the CDK dashboard: rows top to bottom, widgets left to right, wrapping at 24. */
function layout(rows: ReadonlyArray<readonly ResolvedWidget[]>): Array<{ widget: ResolvedWidget; gridPos: GridPos }> {
  const out: Array<{ widget: ResolvedWidget; gridPos: GridPos }> = [];
  let top = 0;
  for (const row of rows) {
    let x = 0;
    let y = 0;
    let height = 0;
    for (const widget of row) {
      if (x + widget.width > 24) {
        y = height;
        x = 0;
      }
      out.push({ widget, gridPos: { x, y: top + y, w: widget.width, h: widget.height } });
      height = Math.max(height, y + widget.height);
      x += widget.width;
    }
    top += height;
  }
  return out;
}

/** Metric queries of a panel: one per drawn series; an expression's metrics as hidden queries it references by id. */
function targets(series: readonly ResolvedSeries[]): Array<Json & { refId: string; hide?: boolean }> {
  const out: Array<Json & { refId: string; hide?: boolean }> = [];
  const refId = () => refIdOf(out.length);
  for (const s of series) {
    if (s.kind === 'metric') {
      out.push({ ...metricTarget(s), refId: refId(), label: s.label });
      continue;
    }
    out.push({
      refId: refId(),
      datasource: DATASOURCE,
      queryMode: 'Metrics',
      region: 'default',
      metricQueryType: 0,
      metricEditorMode: 1,
      id: '',
      expression: s.expression,
      period: String(s.periodSeconds),
      label: s.label,
      namespace: '',
      metricName: '',
      dimensions: {},
      statistic: 'Average',
      matchExact: true,
    });
    for (const [id, m] of Object.entries(s.using)) out.push({ ...metricTarget(m), refId: refId(), id, hide: true });
  }
  return out;
}

/** Same dimension names and values, in any order. */
function sameDimensions(a: Readonly<Record<string, string>> = {}, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function metricTarget(m: ResolvedMetric): Json {
  return {
    datasource: DATASOURCE,
    queryMode: 'Metrics',
    region: 'default',
    metricQueryType: 0,
    metricEditorMode: 0,
    id: '',
    expression: '',
    namespace: m.namespace,
    metricName: m.metricName,
    dimensions: Object.fromEntries(m.dimensions.map((d) => [d.name, d.value])),
    matchExact: true,
    statistic: m.statistic,
    period: String(m.periodSeconds),
  };
}

/** `A`..`Z`, `AA`, `AB`, ... */
function refIdOf(index: number): string {
  let n = index;
  let id = '';
  do {
    id = String.fromCharCode(65 + (n % 26)) + id;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return id;
}

function unitOf(series: readonly ResolvedSeries[]): string | undefined {
  const units = new Set(series.map((s) => (s.kind === 'metric' ? s.unit : undefined)));
  const [unit] = [...units];
  return units.size === 1 && unit !== undefined ? UNITS[unit] : undefined;
}

function timeSeriesPanel(id: number, gridPos: GridPos, w: Extract<ResolvedWidget, { kind: 'graph' }>): GrafanaPanel {
  const left = targets(w.left);
  const right = targets(w.right).map((t, i) => ({ ...t, refId: refIdOf(left.length + i) }));
  const all = [...left, ...right];
  const colored = (series: readonly ResolvedSeries[], ts: typeof left) => {
    // The drawn query of each series is the first of its group (an expression's variables follow it).
    const drawn = ts.filter((t) => t.hide !== true);
    return series.flatMap((s, i) => (s.color && drawn[i] ? [{ refId: drawn[i]!.refId, color: s.color }] : []));
  };
  const steps = [
    ...w.lines.map((l) => ({ value: l.value, color: l.color ?? ORANGE })),
    ...w.alarms.flatMap((a) => (a.threshold ? [{ value: a.threshold.value, color: RED }] : [])),
  ].sort((a, b) => a.value - b.value);
  const unit = unitOf(w.left);
  const overrides: Json[] = [
    ...[...colored(w.left, left), ...colored(w.right, right)].map(({ refId, color }) => ({
      matcher: { id: 'byFrameRefID', options: refId },
      properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }],
    })),
    ...right.filter((t) => t.hide !== true).map((t) => ({ matcher: { id: 'byFrameRefID', options: t.refId }, properties: [{ id: 'custom.axisPlacement', value: 'right' }] })),
  ];
  const thresholdText = [...w.lines.map((l) => l.label), ...w.alarms.flatMap((a) => (a.threshold ? [a.threshold.label] : []))];
  return {
    id,
    type: 'timeseries',
    title: w.title,
    ...(thresholdText.length > 0 ? { description: `Lines: ${thresholdText.join('; ')}.` } : {}),
    gridPos,
    datasource: DATASOURCE,
    targets: all,
    fieldConfig: {
      defaults: {
        ...(w.leftAxis?.min !== undefined ? { min: w.leftAxis.min } : {}),
        ...(w.leftAxis?.max !== undefined ? { max: w.leftAxis.max } : {}),
        ...(unit ? { unit } : {}),
        color: { mode: 'palette-classic' },
        custom: {
          drawStyle: w.view === 'bar' ? 'bars' : 'line',
          fillOpacity: w.view === 'line' ? 0 : 60,
          lineWidth: 1,
          showPoints: 'auto',
          spanNulls: false,
          stacking: { mode: w.view === 'stacked' ? 'normal' : 'none', group: 'A' },
          axisLabel: w.leftAxis?.label ?? '',
          thresholdsStyle: { mode: steps.length > 0 ? 'line' : 'off' },
        },
        thresholds: { mode: 'absolute', steps: [{ color: 'transparent', value: null }, ...steps] },
      },
      overrides,
    },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
  };
}

function statPanel(id: number, gridPos: GridPos, w: Extract<ResolvedWidget, { kind: 'singleValue' }>): GrafanaPanel {
  const unit = unitOf(w.series);
  return {
    id,
    type: 'stat',
    title: w.title,
    gridPos,
    datasource: DATASOURCE,
    // A value over the last N days: the panel's own time range (CloudWatch: period = time range).
    ...(w.rangeDays !== undefined ? { timeFrom: `${w.rangeDays}d`, hideTimeOverride: false } : {}),
    targets: targets(w.series),
    fieldConfig: { defaults: { ...(unit ? { unit } : {}), color: { mode: 'thresholds' }, thresholds: { mode: 'absolute', steps: [{ color: 'text', value: null }] } }, overrides: [] },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'none', graphMode: 'none', textMode: 'value_and_name', justifyMode: 'auto', orientation: 'auto' },
  };
}

function textPanel(id: number, gridPos: GridPos, title: string, markdown: string): GrafanaPanel {
  return { id, type: 'text', title, gridPos, options: { mode: 'markdown', content: markdown } };
}

function logsPanel(id: number, gridPos: GridPos, title: string, query: string, logGroupNames: string[]): GrafanaPanel {
  return {
    id,
    type: 'table',
    title,
    gridPos,
    datasource: DATASOURCE,
    targets: [{ refId: 'A', datasource: DATASOURCE, queryMode: 'Logs', region: 'default', id: '', expression: query, logGroupNames, statsGroups: [] }],
    options: { showHeader: true },
  };
}

/** Alarm status has no Grafana panel: the alarms, their severity and meaning, with links to the console and the runbook. */
function alarmList(alarms: readonly ResolvedAlarm[]): string {
  if (alarms.length === 0) return 'No alarm relates to this dashboard yet.';
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
  const rows = alarms.map((a) => {
    const console = `https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/${encodeURIComponent(a.alarmName)}`;
    const runbook = /^https?:\/\//.test(a.runbookUrl) ? `[runbook](${a.runbookUrl})` : `\`${a.runbookUrl}\``;
    return `| [${cell(a.alarmName)}](${console}) | ${a.severity} | ${cell(a.summary)} | ${runbook} |`;
  });
  return [
    'Current states: the CloudWatch console (links below). State changes of the metric alarms show as annotations on the graphs.',
    '',
    '| Alarm | Severity | What it means | Runbook |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * An annotation of the alarm's state changes (CloudWatch alarm history), on the panels that draw
 * its metric. Grafana matches alarms by name prefix (and an action prefix) and then by namespace,
 * metric, statistic and period, so only alarms on one plain metric qualify, and an alarm whose
 * name starts another alarm's name is left out (it would pick up the other one).
 */
function alarmAnnotation(alarm: ResolvedAlarm, panelIds: number[], alarmNames: readonly string[]): Json[] {
  const watched = alarm.metric;
  if (!watched || !alarm.notifies) return [];
  if (alarmNames.some((other) => other !== alarm.alarmName && other.startsWith(alarm.alarmName))) return [];
  return [
    {
      name: `${alarm.alarmName} (${alarm.severity})`,
      enable: true,
      hide: false,
      iconColor: alarm.severity === 'critical' ? RED : ORANGE,
      datasource: DATASOURCE,
      ...(panelIds.length > 0 ? { filter: { exclude: false, ids: panelIds } } : {}),
      target: {
        refId: 'Anno',
        queryMode: 'Annotations',
        region: 'default',
        prefixMatching: true,
        actionPrefix: SNS_ACTION_PREFIX,
        alarmNamePrefix: alarm.alarmName,
        namespace: watched.namespace,
        metricName: watched.metricName,
        dimensions: { ...watched.dimensions },
        matchExact: true,
        statistic: watched.statistic,
        period: String(watched.periodSeconds),
      },
    },
  ];
}

function logGroupVariable(label: string): Json {
  const name = `${label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}_log_group`;
  return {
    name,
    label: `${label} log group`,
    type: 'textbox',
    query: '',
    current: { text: '', value: '' },
    hide: 0,
    description: `The ${label} Lambda's log group, named at deploy time: its physical id in the stack (CloudFormation console, Resources) or \`aws cloudformation describe-stack-resources\`.`,
  };
}

/** Grafana uids are at most 40 characters of letters, digits, `-` and `_`; stable per dashboard name, so re-imports overwrite. */
function grafanaUid(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
  if (slug.length <= 40) return slug;
  return `${slug.slice(0, 31)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** `168` -> `7d`, `24` -> `24h`. */
function rangeText(hours: number): string {
  return hours % 24 === 0 && hours > 24 ? `${hours / 24}d` : `${hours}h`;
}
