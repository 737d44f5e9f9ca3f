import { tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main';
import { alarmName, parseConfig } from '../lib/config/load';
import { grafanaDashboards } from '../lib/export/grafana';
import { exportInput } from '../lib/export/stack-model';
import { captureIO, configFile } from './cli-helpers';
import { synthStack } from './support/synth';

type Json = Record<string, any>;
/** A Grafana dashboard as loosely as Grafana reads it. */
interface Board {
  uid: string;
  schemaVersion: number;
  panels: Json[];
  annotations: { list: Json[] };
  templating: { list: Json[] };
}

/**
 * The CloudWatch dashboards of a template, parsed: alarm ARNs (`Fn::GetAtt`) become the alarm's
 * name, other tokens a placeholder.
 */
function cloudWatchDashboards(template: Json): Map<string, Json[]> {
  const names = new Map(Object.entries<Json>(template.Resources).filter(([, r]) => /Alarm$/.test(r.Type)).map(([id, r]) => [id, r.Properties.AlarmName as string]));
  const out = new Map<string, Json[]>();
  for (const r of Object.values<Json>(template.Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const body = r.Properties.DashboardBody;
    const text =
      typeof body === 'string'
        ? body
        : (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : names.get((p as Json)['Fn::GetAtt']?.[0]) ?? '__TOKEN__')).join('');
    out.set(r.Properties.DashboardName, JSON.parse(text).widgets);
  }
  return out;
}

/** One query of a widget, as both sides must agree on it. */
interface Query {
  readonly namespace?: string;
  readonly name?: string;
  readonly dimensions?: Record<string, string>;
  readonly statistic?: string;
  readonly period: number;
  readonly expression?: string;
  readonly drawn: boolean;
}
const key = (q: Query) => JSON.stringify([q.namespace, q.name, q.dimensions, q.statistic, q.period, q.expression, q.drawn]);

/** `[namespace, name, dim, value, ..., {options}]` and `[{expression}]` rows of a CloudWatch metric widget (CDK omits stat Average and period 300). */
function cloudWatchQueries(widget: Json): Query[] {
  return ((widget.properties.metrics ?? []) as unknown[][]).map((row) => {
    const strings = row.filter((x): x is string => typeof x === 'string');
    const opts: Json = (row.find((x) => typeof x === 'object') as Json) ?? {};
    if (opts.expression) return { expression: opts.expression, period: opts.period ?? 300, drawn: opts.visible !== false };
    const [namespace, name, ...dims] = strings;
    const dimensions = Object.fromEntries(dims.flatMap((d, i) => (i % 2 === 0 ? [[d, dims[i + 1]!]] : [])));
    return { namespace, name, dimensions, statistic: opts.stat ?? 'Average', period: opts.period ?? 300, drawn: opts.visible !== false };
  });
}

function grafanaQueries(panel: Json): Query[] {
  return (panel.targets ?? [])
    .filter((t: Json) => t.queryMode === 'Metrics')
    .map((t: Json) =>
      t.expression
        ? { expression: t.expression, period: Number(t.period), drawn: t.hide !== true }
        : { namespace: t.namespace, name: t.metricName, dimensions: t.dimensions, statistic: t.statistic, period: Number(t.period), drawn: t.hide !== true },
    );
}

const config = {
  alertEmails: ['ops@example.com'],
  alarmNamePrefix: 'Lake',
  pipelineOperations: ['Validation', { name: 'DataExtraction', expectedEveryHours: 24 }],
  s3: { buckets: [{ name: 'raw-lake' }, { name: 'curated-lake' }] },
};
const { template, stack } = synthStack(config);
const json = template.toJSON();
const cloudWatch = cloudWatchDashboards(json);
const files = grafanaDashboards(exportInput(stack.monitoring));
const grafana = new Map(files.map((f) => [f.fileName.replace(/\.json$/, ''), f.dashboard as unknown as Board]));

describe('monitor export grafana: the stack\'s dashboards as Grafana dashboards', () => {
  it('one dashboard file per CloudWatch dashboard of the stack', () => {
    expect([...grafana.keys()].sort()).toEqual([...cloudWatch.keys()].sort());
    expect(grafana.size).toBe(3);
  });

  it('every metric of every dashboard, with the same namespace, name, dimensions, statistic and period (and every expression)', () => {
    for (const [name, widgets] of cloudWatch) {
      const board = grafana.get(name)!;
      const ours = board.panels.flatMap((p) => grafanaQueries(p)).map(key).sort();
      const theirs = widgets.filter((w) => w.type === 'metric').flatMap(cloudWatchQueries).map(key).sort();
      expect(theirs.length, name).toBeGreaterThan(3);
      expect(ours, name).toEqual(theirs);
      // Widget by widget too: the same queries under the same title.
      for (const w of widgets.filter((x) => x.type === 'metric')) {
        const panel = board.panels.find((p) => p.title === w.properties.title);
        expect(panel, `${name}: ${w.properties.title}`).toBeDefined();
        expect(grafanaQueries(panel!).map(key).sort(), `${name}: ${w.properties.title}`).toEqual(cloudWatchQueries(w).map(key).sort());
      }
    }
    // The two buckets and the heartbeat's expression over both Status series are there.
    const dc = grafana.get('NBA-Simulator-DataCollection')!;
    expect(dc.panels.flatMap(grafanaQueries).filter((q) => q.name === 'S3ObjectCount').map((q) => q.dimensions)).toEqual(
      expect.arrayContaining([{ Bucket: 'raw-lake' }, { Bucket: 'curated-lake' }]),
    );
    const runs = grafana.get('NBA-Simulator-PerformanceCosts')!.panels.find((p) => /^DataExtraction: runs/.test(p.title))!;
    expect(runs.targets!.map((t: Json) => [t.expression || t.id, t.hide === true])).toEqual([
      ['FILL(success, 0) + FILL(failure, 0)', false],
      ['success', true],
      ['failure', true],
    ]);
  });

  it('threshold lines are the same values as on the CloudWatch graphs (from the same alarms)', () => {
    let lines = 0;
    for (const [name, widgets] of cloudWatch) {
      for (const w of widgets.filter((x) => x.type === 'metric' && x.properties.annotations?.horizontal)) {
        const panel = grafana.get(name)!.panels.find((p) => p.title === w.properties.title)! as Json;
        const expected = (w.properties.annotations.horizontal as Json[]).map((a) => a.value).sort((a, b) => a - b);
        const steps = (panel.fieldConfig.defaults.thresholds.steps as Json[]).filter((s) => s.value !== null).map((s) => s.value);
        expect(steps, `${name}: ${w.properties.title}`).toEqual(expected);
        expect(panel.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe('line');
        lines += expected.length;
      }
    }
    expect(lines).toBeGreaterThanOrEqual(5);
    const rate = grafana.get('NBA-Simulator-DataCollection')!.panels.find((p) => p.title === 'ADCE success rate (%)') as Json;
    expect(rate.description).toMatch(/ADCE-HighFailureRate: ADCESuccessRate < 95/);
  });

  it('alarm status widgets list the same alarms; metric alarms show their state changes as annotations', () => {
    for (const [name, widgets] of cloudWatch) {
      const board = grafana.get(name)!;
      for (const w of widgets.filter((x) => x.type === 'alarm')) {
        const panel = board.panels.find((p) => p.title === w.properties.title) as Json;
        for (const alarm of w.properties.alarms as string[]) expect(panel.options.content, `${name}: ${w.properties.title}`).toContain(`[${alarm}]`);
      }
    }
    const alarms = Object.values<Json>(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties);
    const high = alarms.find((a) => a.AlarmName === 'Lake-ADCE-HighFailureRate')!;
    const annotation = grafana.get('NBA-Simulator-DataCollection')!.annotations.list.find((a) => a.target?.alarmNamePrefix === high.AlarmName)!;
    expect(annotation.target).toMatchObject({
      queryMode: 'Annotations', prefixMatching: true, actionPrefix: 'arn:aws:sns:', namespace: high.Namespace, metricName: high.MetricName, statistic: high.Statistic, period: String(high.Period),
    });
    // Shown on the panel that draws the metric.
    const panel = grafana.get('NBA-Simulator-DataCollection')!.panels.find((p) => p.title === 'ADCE success rate (%)')!;
    expect(annotation.filter.ids).toContain(panel.id);
    // A per-bucket alarm is drawn on its bucket's panels only.
    const board = grafana.get('NBA-Simulator-DataCollection')!;
    const stale = board.annotations.list.find((a) => a.target?.alarmNamePrefix === 'Lake-S3-StaleSources-curated-lake')!;
    expect(stale.filter.ids.length).toBeGreaterThan(0);
    for (const id of stale.filter.ids) expect(board.panels.find((p) => p.id === id)!.title).toContain('curated-lake');
    // The heartbeats count through metric math (FILL): no plain metric for an annotation to match.
    expect(board.annotations.list.some((a) => a.target?.alarmNamePrefix === 'Lake-S3-PublisherHeartbeat-curated-lake')).toBe(false);
    for (const board of grafana.values()) {
      for (const a of board.annotations.list.filter((x) => x.target)) {
        const alarm = alarms.find((x) => x.AlarmName === a.target.alarmNamePrefix);
        // Only alarms on one plain metric, matched exactly as CloudWatch records them.
        expect(alarm, a.target.alarmNamePrefix).toBeDefined();
        expect([alarm!.Namespace, alarm!.MetricName, alarm!.Statistic, String(alarm!.Period)]).toEqual([a.target.namespace, a.target.metricName, a.target.statistic, a.target.period]);
        expect(a.target.dimensions).toEqual(Object.fromEntries((alarm!.Dimensions ?? []).map((d: Json) => [d.Name, d.Value])));
        // No other alarm's name starts with it (Grafana matches by prefix).
        expect(alarms.filter((x) => String(x.AlarmName).startsWith(a.target.alarmNamePrefix))).toHaveLength(1);
      }
    }
  });

  it('is importable as is: the CloudWatch data source as a variable, no deploy-time token, the same grid', () => {
    for (const [name, board] of grafana) {
      const text = JSON.stringify(board);
      expect(text).not.toMatch(/__TOKEN__|\$\{Token\[|Fn::|"Ref"/);
      expect(board.uid).toMatch(/^[a-z0-9_-]{1,40}$/);
      expect(board.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(board.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'cloudwatch' });
      const ids = board.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of board.panels as Json[]) {
        if (p.datasource) expect(p.datasource).toEqual({ type: 'cloudwatch', uid: '${datasource}' });
        for (const t of p.targets ?? []) expect(t.datasource).toEqual({ type: 'cloudwatch', uid: '${datasource}' });
      }
      // The same layout as the CloudWatch dashboard, widget for widget.
      const grid = (xs: Array<{ x: number; y: number; w: number; h: number }>) => xs.map((g) => `${g.x},${g.y},${g.w},${g.h}`).sort();
      expect(grid(board.panels.map((p) => p.gridPos)), name).toEqual(grid(cloudWatch.get(name)!.map((w) => ({ x: w.x, y: w.y, w: w.width, h: w.height }))));
    }
    // The freshness table's log group is named at deploy time: a variable to fill in, not a token.
    const logs = grafana.get('NBA-Simulator-DataCollection')!.panels.find((p) => p.type === 'table')!;
    expect(logs.targets![0]).toMatchObject({ queryMode: 'Logs', logGroupNames: ['$s3_publisher_log_group'] });
    expect(grafana.get('NBA-Simulator-DataCollection')!.templating.list.map((v) => v.name)).toContain('s3_publisher_log_group');
  });

  it('exports only what the stack has: a turned-off source has no dashboard or panel', () => {
    const { stack: lean } = synthStack({ adce: { enabled: false }, cost: { enabled: false } });
    const boards = grafanaDashboards(exportInput(lean.monitoring)).map((f) => f.dashboard as unknown as Board);
    expect(boards.map((b) => b.uid)).toEqual(['nba-simulator-datacollection', 'nba-simulator-performancecosts']);
    const metrics = boards.flatMap((b) => b.panels.flatMap((p) => (p.targets ?? []).map((t: Json) => String(t.namespace ?? ''))));
    expect(metrics.some((n) => n.endsWith('/ADCE') || n.endsWith('/Costs'))).toBe(false);
  });

  it('the CLI writes one file per dashboard, with the deployed alarm names', async () => {
    const file = configFile({ alertEmails: ['ops@example.com'] });
    const out = mkdtempSync(join(tmpdir(), 'grafana-'));
    const io = captureIO();
    // --local: the configuration file as is (the deployed-stack lookup is tested with export python).
    expect(await main(['--config', file, 'export', 'grafana', '--local', '--out', out], io)).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['NBA-Simulator-ADCEHealth.json', 'NBA-Simulator-DataCollection.json', 'NBA-Simulator-PerformanceCosts.json']);
    expect(io.stdout).toMatch(/wrote .*NBA-Simulator-DataCollection\.json: \d+ panels/);
    expect(io.stderr).toMatch(/fill in after import .*S3 publisher log group/);
    const board = JSON.parse(readFileSync(join(out, 'NBA-Simulator-DataCollection.json'), 'utf8')) as Board;
    const deployed = alarmName(parseConfig(JSON.parse(readFileSync(file, 'utf8'))), 'S3-UploadFailures');
    expect(board.annotations.list.map((a) => a.target?.alarmNamePrefix)).toContain(deployed);
  });
});
