import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { AlarmArea } from '../lib/constructs/alarm-factory';
import { buildStack, synthStack } from './support/synth';
import { dashboardBody } from './support/template-metrics';

type Widget = { type: string; x: number; y: number; width: number; height: number; properties: Record<string, any> };

function dashboards(template: Template): Record<string, Widget[]> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Dashboard')).map((d) => [d.Properties.DashboardName, dashboardBody(d.Properties.DashboardBody).widgets]),
  );
}
const titled = (widgets: Widget[], title: string) => {
  const w = widgets.find((x) => x.properties.title === title);
  expect(w, `widget "${title}" in ${widgets.map((x) => x.properties.title).join(' | ')}`).toBeDefined();
  return w!;
};
/** `[namespace, name, dims..., {options}]` rows of a metric widget. */
const rows = (w: Widget) => (w.properties.metrics as unknown[][]).map((r) => ({ ids: r.filter((x) => typeof x === 'string'), opts: (r.find((x) => typeof x === 'object') ?? {}) as any }));

// The full profile: per-priority graph lines and the roll-up row are on.
const { template, stack } = synthStack({
  profile: 'full',
  monthlyBudgetUsd: 120,
  pipelineOperations: ['DataExtraction', 'S3Upload', 'Validation', 'ModelTraining'],
  s3: { bucket: 'other-lake' },
});
const boards = dashboards(template);

describe('dashboards', () => {
  it('deploys three dashboards named with the namespace prefix', () => {
    expect(Object.keys(boards).sort()).toEqual(['NBA-Simulator-ADCEHealth', 'NBA-Simulator-DataCollection', 'NBA-Simulator-PerformanceCosts']);
  });

  it('adds the environment to names outside the default environment and keeps names valid', () => {
    const names = Object.keys(dashboards(synthStack({ envName: 'prod', namespacePrefix: 'Acme/Lake' }).template)).sort();
    expect(names).toEqual(['Acme-Lake-ADCEHealth-prod', 'Acme-Lake-DataCollection-prod', 'Acme-Lake-PerformanceCosts-prod']);
  });

  it('Data Collection: S3 growth of the configured bucket, ADCE completed/failed, success rate on 0-100', () => {
    const w = boards['NBA-Simulator-DataCollection']!;
    expect(rows(titled(w, 'S3 objects (other-lake)'))[0]!.ids).toEqual(['NBA-Simulator/DataCollection', 'S3ObjectCount', 'Bucket', 'other-lake']);
    expect(rows(titled(w, 'S3 size in GiB (other-lake)'))[0]!.ids).toEqual(['NBA-Simulator/DataCollection', 'S3TotalSizeGB', 'Bucket', 'other-lake']);
    const tasks = rows(titled(w, 'ADCE task execution (per hour)'));
    expect(tasks.map((r) => r.ids[1])).toEqual(['ADCETasksCompleted', 'ADCETasksFailed']);
    expect(tasks.map((r) => r.opts.stat)).toEqual(['Sum', 'Sum']);
    const rate = titled(w, 'ADCE success rate (%)');
    expect(rows(rate)[0]!.ids).toEqual(['NBA-Simulator/ADCE', 'ADCESuccessRate']);
    expect(rate.properties.yAxis.left).toMatchObject({ min: 0, max: 100 });
    expect(rate.properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 95 })]);
  });

  it('threshold lines are drawn from the alarms themselves, at the alarm\'s period', () => {
    const dc = boards['NBA-Simulator-DataCollection']!;
    const line = (w: Widget) => w.properties.annotations.horizontal;
    const rate = titled(dc, 'ADCE success rate (%)');
    expect(line(rate)).toEqual([{ value: 95, label: 'ADCE-HighFailureRate: ADCESuccessRate < 95 for 1 datapoints within 5 minutes', color: '#d62728', yAxis: 'left' }]);
    expect(rows(rate)[0]!.opts.period ?? 300).toBe(300); // the alarm's 5-minute period, not hourly
    expect(line(titled(boards['NBA-Simulator-ADCEHealth']!, 'Success rate (%)'))).toEqual(line(rate));
    expect(line(titled(dc, 'S3 upload failures (pushed by the pipeline)'))).toEqual([expect.objectContaining({ value: 5, label: 'S3-UploadFailures: S3UploadFailures > 5 for 2 datapoints within 10 minutes' })]);
    const quality = titled(dc, 'Validation pass rate (%)');
    expect(line(quality)).toEqual([expect.objectContaining({ value: 95, label: 'Data-QualityIssues: ValidationPassRate < 95 for 1 datapoints within 60 minutes' })]);
    expect(rows(quality)[0]!.opts.period).toBe(3600);
    const custom = dashboards(synthStack({ thresholds: { adceMinSuccessRatePct: 90 } }).template)['NBA-Simulator-DataCollection']!;
    expect(line(titled(custom, 'ADCE success rate (%)'))).toEqual([expect.objectContaining({ value: 90 })]);
  });

  it('Performance & Costs: each configured operation by Status, cost against a budget line, utilization 0-100', () => {
    const w = boards['NBA-Simulator-PerformanceCosts']!;
    for (const op of ['DataExtraction', 'S3Upload', 'Validation', 'ModelTraining']) {
      expect(rows(titled(w, `${op} duration (seconds)`)).map((r) => r.ids)).toEqual([
        ['NBA-Simulator/Performance', `${op}Duration`, 'Status', 'success'],
        ['NBA-Simulator/Performance', `${op}Duration`, 'Status', 'failure'],
      ]);
    }
    const cost = titled(w, 'AWS cost this month vs budget (USD)');
    expect(rows(cost)[0]!.ids).toEqual(['NBA-Simulator/Costs', 'MonthlyAWSCost']);
    expect(rows(cost)[0]!.opts.period).toBe(86400);
    expect(cost.properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 120, label: 'Budget 120 USD' })]);
    const util = titled(w, 'Budget utilization (%)');
    expect(rows(util)[0]!.ids).toEqual(['NBA-Simulator/Costs', 'BudgetUtilization']);
    expect(util.properties.yAxis.left).toMatchObject({ min: 0, max: 100 });
  });

  it('ADCE Health: queue depth (total and per priority), completed/failed, success rate, alarm status', () => {
    const w = boards['NBA-Simulator-ADCEHealth']!;
    expect(rows(titled(w, 'Queue depth')).map((r) => r.ids.slice(1))).toEqual([
      ['ADCEQueueDepth'],
      ...['critical', 'high', 'medium', 'low'].map((p) => ['ADCEQueueTasks', 'Priority', p]),
    ]);
    expect(rows(titled(w, 'Tasks per run: completed / failed / skipped')).map((r) => r.ids[1])).toEqual(['ADCETasksCompleted', 'ADCETasksFailed', 'ADCETasksSkipped']);
    expect(titled(w, 'Success rate (%)').properties.yAxis.left).toMatchObject({ min: 0, max: 100 });
    expect(titled(w, 'ADCE alarms').type).toBe('alarm');
  });

  it('each dashboard shows the states of the alarms it relates to, and only those', () => {
    const json = template.toJSON();
    const alarmsOf = (name: string) => {
      const body = Object.values<any>(json.Resources).find((r) => r.Properties?.DashboardName === name).Properties.DashboardBody['Fn::Join'][1];
      return body.filter((p: unknown) => typeof p === 'object' && (p as any)['Fn::GetAtt']).map((p: any) => p['Fn::GetAtt'][0]).sort();
    };
    const id = (base: string) => stack.resolve(stack.alarms.get(base).alarm.alarmArn)['Fn::GetAtt'][0];
    // Each dashboard: the registered alarms of its areas, plus the health row's two roll-ups.
    const expected = (...areas: AlarmArea[]) =>
      [...new Set([...stack.alarms.select({ areas }).map((e) => id(e.baseName)), id('Monitoring-Unhealthy'), id('Monitoring-Degraded')])].sort();
    const unique = (xs: string[]) => [...new Set(xs)].sort();
    // Data Collection also shows the publishers' log errors, failed runs and throttles (area Monitoring).
    expect(unique(alarmsOf('NBA-Simulator-DataCollection'))).toEqual(
      unique([...expected('DataCollection', 'ADCE', 'DataQuality', 'DIMS'), id('Publishers-LoggedErrors'), id('Lambda-Throttles'), id('Publishers-FailedRuns')]),
    );
    expect(unique(alarmsOf('NBA-Simulator-PerformanceCosts'))).toEqual(expected('Performance', 'Costs'));
    expect(unique(alarmsOf('NBA-Simulator-ADCEHealth'))).toEqual(expected('ADCE'));
    expect(alarmsOf('NBA-Simulator-DataCollection')).toEqual(expect.arrayContaining([id('ADCE-HighFailureRate'), id('S3-UploadFailures'), id('Data-QualityIssues')]));
    expect(alarmsOf('NBA-Simulator-PerformanceCosts')).toContain(id('AWS-CostBudgetExceeded'));
    expect(alarmsOf('NBA-Simulator-PerformanceCosts')).not.toContain(id('ADCE-HighFailureRate'));
  });

  it('lays widgets out on the 24-wide grid without overlap, alarm status first', () => {
    for (const [name, widgets] of Object.entries(boards)) {
      expect(widgets[0]!.type, name).toBe('alarm');
      const cells = new Set<string>();
      for (const w of widgets) {
        expect(w.x + w.width, `${name} ${w.properties.title}`).toBeLessThanOrEqual(24);
        for (let x = w.x; x < w.x + w.width; x++) {
          for (let y = w.y; y < w.y + w.height; y++) {
            expect(cells.has(`${x},${y}`), `${name}: ${w.properties.title} overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });
});

describe('dashboard extension points (health row, extra widgets, later alarms)', () => {
  it('addTopRow goes above the definition, addRow below, and alarms registered later still appear', () => {
    // Without the stack's own health row and composites, to test the extension points alone.
    const { stack: s } = buildStack({ healthRollup: false, slo: { burnRateAlarms: false } });
    s.dashboards.addRow('DataCollection', { kind: 'text', markdown: 'footer', width: 24, height: 2 });
    for (const id of s.dashboards.ids) {
      s.dashboards.addTopRow(id, { kind: 'alarmStatus', title: 'Health', select: { kinds: ['composite'] }, height: 2 });
    }
    // Registered after the dashboards were built:
    const critical = s.alarms.select({ severities: ['critical'] }).map((e) => cloudwatch.AlarmRule.fromAlarm(e.alarm, cloudwatch.AlarmState.ALARM));
    s.alarms.composite('Monitoring-Unhealthy', cloudwatch.AlarmRule.anyOf(...critical), { severity: 'critical', summary: 'A critical alarm fires.' });

    const widgets = dashboards(Template.fromStack(s))['NBA-Simulator-DataCollection']!;
    expect(widgets[0]).toMatchObject({ type: 'alarm', y: 0, height: 2, properties: { title: 'Health' } });
    expect(widgets[0]!.properties.alarms).toHaveLength(1);
    expect(widgets[1]).toMatchObject({ y: 2, properties: { title: 'Data collection alarms' } });
    const last = widgets[widgets.length - 1]!;
    expect(last).toMatchObject({ type: 'text', properties: { markdown: 'footer' } });
    expect(last.y).toBe(Math.max(...widgets.map((w) => w.y)));
  });

  it('an alarm status widget with nothing selected says so instead of failing the deploy', () => {
    const { stack: s } = buildStack({ healthRollup: false, slo: { burnRateAlarms: false } });
    s.dashboards.addTopRow('ADCEHealth', { kind: 'alarmStatus', title: 'Health', select: { kinds: ['composite'] } });
    const top = dashboards(Template.fromStack(s))['NBA-Simulator-ADCEHealth']![0]!;
    expect(top).toMatchObject({ type: 'text', properties: { markdown: expect.stringContaining('no alarm relates to this dashboard yet') } });
  });

  it('a widget spec naming an undeclared metric or a wrong dimension set fails the synth', () => {
    const { stack: s } = buildStack();
    expect(() => s.dashboards.widget('DataCollection', { kind: 'graph', title: 'x', left: [{ metric: 'S3ObjectCount' }] })).toThrow(/dimensions \[Bucket\], got \[\]/);
    expect(() => s.dashboards.widget('DataCollection', { kind: 'graph', title: 'x', left: [{ metric: 'Nope' }] })).toThrow(/not in the catalog/);
  });
});
