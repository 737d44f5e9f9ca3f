import { describe, expect, it } from 'vitest';
import { heartbeatWindow, withinCloudWatchLimits } from '../lib/health/windows';
import { dashboardBody } from './support/template-metrics';
import { synthStack } from './support/synth';

type Json = Record<string, any>;

// One plain name (today's meaning) and three cadences: daily, every 30 min, the longest (84 h).
const { template, stack } = synthStack({
  alertEmails: ['ops@example.com'],
  pipelineOperations: ['Validation', { name: 'DataExtraction', expectedEveryHours: 24 }, { name: 'S3Upload', expectedEveryHours: 0.5 }, { name: 'WeeklyRebuild', expectedEveryHours: 84 }],
});
const json = template.toJSON();
const alarms = Object.values<Json>(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties);
const alarm = (name: string): Json => {
  const found = alarms.filter((a) => a.AlarmName === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
const warning = stack.resolve(stack.alerting.topics.warning.topicArn);

describe('pipeline heartbeats: a dead-man\'s switch per operation with an expected cadence', () => {
  it.each([
    ['DataExtraction', 24, 86_400, 2],
    ['S3Upload', 0.5, 1_800, 2],
    ['WeeklyRebuild', 84, 86_400, 7],
  ])('%s (every %s h): no datum of any Status for 2 intervals -> alarm (%s s x %s), missing data breaching', (op, hours, period, periods) => {
    const a = alarm(`${op}-Heartbeat`);
    expect(a).toMatchObject({
      ComparisonOperator: 'LessThanThreshold', Threshold: 1, EvaluationPeriods: periods, DatapointsToAlarm: periods, TreatMissingData: 'breaching',
      AlarmActions: [warning], OKActions: [warning],
    });
    // The window is exactly 2 intervals and within CloudWatch's limits.
    expect(period * periods).toBe(2 * hours * 3600);
    expect(withinCloudWatchLimits({ periodMinutes: period / 60, periods })).toBe(true);
    // Datapoints of both Status series, a missing one counted as 0 (FILL), in one period.
    const expression = a.Metrics.filter((m: Json) => m.Expression);
    expect(expression).toEqual([expect.objectContaining({ Expression: 'FILL(success, 0) + FILL(failure, 0)', ReturnData: true })]);
    const stats = a.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => ({ id: m.Id, returned: m.ReturnData, ...m.MetricStat, Metric: { ...m.MetricStat.Metric } }));
    expect(stats).toEqual(
      ['success', 'failure'].map((status) => ({
        id: status,
        returned: false,
        Metric: { Namespace: 'NBA-Simulator/Performance', MetricName: `${op}Duration`, Dimensions: [{ Name: 'Status', Value: status }] },
        Period: period,
        Stat: 'SampleCount',
      })),
    );
    expect(a.AlarmDescription).toMatch(/Severity: warning\. Runbook: docs\/monitoring\/ALARM_RUNBOOKS\.md#operation-heartbeat$/);
  });

  it('a plain operation name gets no heartbeat; only the operations with a cadence do', () => {
    const heartbeats = alarms.map((a) => a.AlarmName as string).filter((n) => n.endsWith('-Heartbeat')).sort();
    expect(heartbeats).toEqual(['DataExtraction-Heartbeat', 'S3Upload-Heartbeat', 'WeeklyRebuild-Heartbeat']);
    expect(stack.alarms.select({ kinds: ['heartbeat'], areas: ['Performance'] }).map((e) => e.baseName).sort()).toEqual(heartbeats);
  });

  it('Performance & Costs shows each operation\'s runs with its alarm\'s threshold line', () => {
    const board = Object.values<Json>(json.Resources).find((r) => r.Properties?.DashboardName === 'NBA-Simulator-PerformanceCosts')!;
    const widgets: Json[] = dashboardBody(board.Properties.DashboardBody).widgets;
    const graph = widgets.find((w) => w.properties.title === 'DataExtraction: runs per 24 h (expected every 24 h)');
    expect(graph, widgets.map((w) => w.properties.title).join(' | ')).toBeDefined();
    const rows = graph!.properties.metrics as unknown[][];
    expect(rows[0]).toEqual([expect.objectContaining({ expression: 'FILL(success, 0) + FILL(failure, 0)', period: 86_400 })]);
    expect(rows.slice(1).map((r) => r.filter((x) => typeof x === 'string'))).toEqual([
      ['NBA-Simulator/Performance', 'DataExtractionDuration', 'Status', 'success'],
      ['NBA-Simulator/Performance', 'DataExtractionDuration', 'Status', 'failure'],
    ]);
    expect(graph!.properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 1, label: expect.stringMatching(/^DataExtraction-Heartbeat: /) })]);
    expect(widgets.some((w) => /^Validation: runs/.test(w.properties.title ?? ''))).toBe(false);
  });

  it('every cadence the schema accepts gives a window of at most 2 intervals that CloudWatch accepts', () => {
    const wrong: string[] = [];
    for (let minutes = 1; minutes <= 84 * 60; minutes++) {
      const w = heartbeatWindow(minutes);
      const range = w.periodMinutes * w.periods;
      // At most 2 intervals; split periods round down by less than a minute each.
      if (!withinCloudWatchLimits(w) || range > 2 * minutes || range <= 2 * minutes - w.periods) wrong.push(`${minutes} min -> ${w.periods} x ${w.periodMinutes}`);
    }
    expect(wrong).toEqual([]);
  });
});
