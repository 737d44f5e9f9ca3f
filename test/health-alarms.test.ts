import { describe, expect, it } from 'vitest';
import { PUBLISHER_ERROR_PATTERN } from '../lib/constructs/health/publisher-logs';
import { rollupMembers } from '../lib/constructs/health/health-rollup';
import { dashboardBody } from './support/template-metrics';
import { synthStack } from './support/synth';

type Json = Record<string, any>;
// Every insight feature on (the full profile), so each is tested here; the standard profile is tested in cost-budget.test.ts.
const { template, stack } = synthStack({ alertEmails: ['ops@example.com'], profile: 'full' });
const json = template.toJSON();
const topic = (s: 'critical' | 'warning') => stack.resolve(stack.alerting.topics[s].topicArn);
const resources = (type: string) => Object.entries<Json>(json.Resources).filter(([, r]) => r.Type === type);
const alarm = (t: Json, name: string): Json => {
  const found = Object.values<Json>(t.Resources).filter((r) => r.Type.startsWith('AWS::CloudWatch::') && r.Properties?.AlarmName === name);
  expect(found, `alarm ${name}`).toHaveLength(1);
  return counted(found[0]!.Properties);
};
/** A heartbeat counts its metric through `FILL(count, 0)`: read as the counted metric's name, statistic, period and dimensions. */
function counted(a: Json): Json {
  const metrics = a.Metrics as Json[] | undefined;
  if (!metrics || metrics.length !== 2 || metrics[0]!.Expression !== 'FILL(count, 0)') return a;
  const stat = metrics[1]!.MetricStat;
  const { Metrics: _m, ...rest } = a;
  return { ...rest, MetricName: stat.Metric.MetricName, Statistic: stat.Stat, Period: stat.Period, ...(stat.Metric.Dimensions ? { Dimensions: stat.Metric.Dimensions } : {}) };
}
/** An alarm rule with alarm ARNs as `<LogicalId>`. */
const ruleText = (rule: unknown): string =>
  typeof rule === 'string' ? rule : ((rule as Json)['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : `<${(p as Json)['Fn::GetAtt'][0]}>`)).join('');
const names = (t: Json) => Object.values<Json>(t.Resources).filter((r) => /Alarm$/.test(r.Type)).map((r) => r.Properties.AlarmName as string);

describe('single-metric health alarms', () => {
  const cases = [
    { name: 'S3-PublisherHeartbeat', metric: 'S3ObjectCount', stat: 'SampleCount', op: 'LessThanThreshold', threshold: 1, period: 7200, periods: 2, missing: 'breaching', severity: 'warning', dims: ['Bucket'] },
    { name: 'ADCE-QueueStale', metric: 'ADCEQueueAgeMinutes', stat: 'Maximum', op: 'GreaterThanThreshold', threshold: 45, period: 300, periods: 2, missing: 'breaching', severity: 'critical', dims: [] },
    { name: 'DIMS-VerificationStale', metric: 'DIMS_VerificationAgeHours', stat: 'Maximum', op: 'GreaterThanThreshold', threshold: 48, period: 21600, periods: 2, missing: 'breaching', severity: 'warning', dims: [] },
    { name: 'Cost-PublisherHeartbeat', metric: 'MonthlyAWSCost', stat: 'SampleCount', op: 'LessThanThreshold', threshold: 1, period: 86400, periods: 2, missing: 'breaching', severity: 'warning', dims: [] },
    { name: 'S3-StaleSources', metric: 'S3StaleSources', stat: 'Maximum', op: 'GreaterThanThreshold', threshold: 0, period: 3600, periods: 1, missing: 'ignore', severity: 'warning', dims: ['Bucket'] },
    { name: 'DIMS-DriftMajor', metric: 'DIMS_S3ObjectsDriftPct', stat: 'Maximum', op: 'GreaterThanOrEqualToThreshold', threshold: 15, period: 21600, periods: 1, missing: 'ignore', severity: 'warning', dims: [] },
    { name: 'Cost-ForecastOverBudget', metric: 'ForecastedBudgetUtilization', stat: 'Maximum', op: 'GreaterThanThreshold', threshold: 100, period: 86400, periods: 1, missing: 'ignore', severity: 'critical', dims: [] },
    { name: 'Publishers-LoggedErrors', metric: 'PublisherErrors', stat: 'Sum', op: 'GreaterThanOrEqualToThreshold', threshold: 1, period: 300, periods: 1, missing: 'notBreaching', severity: 'warning', dims: [] },
    { name: 'Lambda-Throttles', metric: 'Throttles', stat: 'Sum', op: 'GreaterThanOrEqualToThreshold', threshold: 1, period: 300, periods: 1, missing: 'notBreaching', severity: 'warning', dims: [] },
  ] as const;

  it.each(cases)('$name: $metric $stat $op $threshold, $periods x $period s, missing $missing, $severity', (c) => {
    const a = alarm(json, c.name);
    expect(a).toMatchObject({
      MetricName: c.metric, Statistic: c.stat, ComparisonOperator: c.op, Threshold: c.threshold, Period: c.period,
      EvaluationPeriods: c.periods, DatapointsToAlarm: c.periods, TreatMissingData: c.missing,
      AlarmActions: [topic(c.severity)], OKActions: [topic(c.severity)],
    });
    expect((a.Dimensions ?? []).map((d: Json) => d.Name)).toEqual(c.dims);
    expect(a.AlarmDescription).toContain(`Severity: ${c.severity}. Runbook: docs/monitoring/ALARM_RUNBOOKS.md#${c.name.toLowerCase()}`);
  });

  it('heartbeats count through FILL(count, 0): an empty period is a real 0, so exactly the window decides', () => {
    for (const name of ['S3-PublisherHeartbeat', 'Cost-PublisherHeartbeat']) {
      const raw = Object.values<Json>(json.Resources).find((r) => r.Properties?.AlarmName === name)!.Properties;
      expect(raw.MetricName).toBeUndefined();
      expect(raw.Metrics.map((m: Json) => [m.Id, m.Expression ?? m.MetricStat.Stat, m.ReturnData])).toEqual([
        ['expr_1', 'FILL(count, 0)', true],
        ['count', 'SampleCount', false],
      ]);
    }
  });

  it('Lambda-Throttles reads the account-wide vended metric (free), not a custom one', () => {
    expect(alarm(json, 'Lambda-Throttles')).toMatchObject({ Namespace: 'AWS/Lambda' });
    expect(alarm(json, 'Lambda-Throttles').Dimensions).toBeUndefined();
  });

  it('ADCE-NoRecentRun: critical when the queue holds tasks and no run ended for maxHoursWithoutRun', () => {
    const a = alarm(json, 'ADCE-NoRecentRun');
    expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: [topic('critical')] });
    const expr = a.Metrics.find((m: Json) => m.Expression);
    expect(expr.Expression).toBe('IF(depth > 0 AND lastRunAge > 360, 1, 0)');
    expect(a.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period])).toEqual([
      ['depth', 'ADCEQueueDepth', 'Maximum', 300],
      ['lastRunAge', 'ADCELastRunAgeMinutes', 'Maximum', 300],
    ]);
  });

  it('thresholds and windows come from config', () => {
    const { template: t } = synthStack({
      adce: { reconciliationIntervalMinutes: 20, maxHoursWithoutRun: 4, scheduleMinutes: 10 },
      dims: { verificationCadenceHours: 12, driftWarnPct: 10, scheduleMinutes: 720 },
      s3: { scheduleMinutes: 30 },
      cost: { scheduleMinutes: 2880 },
      thresholds: { forecastedBudgetUtilizationPct: 90 },
    });
    const j = t.toJSON();
    expect(alarm(j, 'ADCE-QueueStale')).toMatchObject({ Threshold: 60, Period: 600, EvaluationPeriods: 2 });
    expect(alarm(j, 'ADCE-NoRecentRun').Metrics.find((m: Json) => m.Expression).Expression).toBe('IF(depth > 0 AND lastRunAge > 240, 1, 0)');
    expect(alarm(j, 'DIMS-VerificationStale')).toMatchObject({ Threshold: 24, Period: 43200, EvaluationPeriods: 2 });
    expect(alarm(j, 'DIMS-DriftMajor')).toMatchObject({ Threshold: 10 });
    expect(alarm(j, 'Cost-ForecastOverBudget')).toMatchObject({ Threshold: 90 });
    expect(alarm(j, 'S3-PublisherHeartbeat')).toMatchObject({ Period: 1800, EvaluationPeriods: 2 });
    expect(alarm(j, 'S3-StaleSources')).toMatchObject({ Period: 1800 });
    expect(alarm(j, 'Cost-PublisherHeartbeat')).toMatchObject({ Period: 86400, EvaluationPeriods: 4, DatapointsToAlarm: 4 });
  });
});

describe('SLO burn-rate alarms', () => {
  const windows = [
    ['ADCE-SLOFastBurn-1h', 3600, 14.4, 'critical'],
    ['ADCE-SLOFastBurn-5m', 300, 14.4, 'critical'],
    ['ADCE-SLOSlowBurn-6h', 21600, 6, 'warning'],
    ['ADCE-SLOSlowBurn-30m', 1800, 6, 'warning'],
  ] as const;

  it.each(windows)('%s: failed/(failed+completed)/budget over %i s above %f, notifies nobody', (name, period, rate) => {
    const a = alarm(json, name);
    expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: rate, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(a.AlarmActions).toBeUndefined();
    expect(a.OKActions).toBeUndefined();
    const stats = a.Metrics.filter((m: Json) => m.MetricStat);
    expect(stats.map((m: Json) => [m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period])).toEqual([
      ['ADCETasksFailed', 'Sum', period],
      ['ADCETasksCompleted', 'Sum', period],
    ]);
    const [f, c] = stats.map((m: Json) => m.Id);
    expect(a.Metrics.find((m: Json) => m.ReturnData !== false && m.Expression).Expression).toBe(`IF((${f} + ${c}) > 0, ${f} / (${f} + ${c}) / 0.05)`);
    expect(a.AlarmDescription).toMatch(/#adce-slo(fast|slow)burn$/);
  });

  it.each([
    ['ADCE-SLOFastBurn', 'ADCE-SLOFastBurn-1h', 'ADCE-SLOFastBurn-5m', 'critical'],
    ['ADCE-SLOSlowBurn', 'ADCE-SLOSlowBurn-6h', 'ADCE-SLOSlowBurn-30m', 'warning'],
  ] as const)('%s: the AND of its two windows, notifying its severity', (name, long, short, severity) => {
    const c = alarm(json, name);
    const idOf = (n: string) => Object.entries<Json>(json.Resources).find(([, r]) => r.Properties?.AlarmName === n)![0];
    expect(ruleText(c.AlarmRule)).toBe(`(ALARM("<${idOf(long)}>") AND ALARM("<${idOf(short)}>"))`);
    expect(c).toMatchObject({ AlarmActions: [topic(severity)], OKActions: [topic(severity)] });
  });

  it('uses the configured target and rates; off with slo.burnRateAlarms', () => {
    const { template: t } = synthStack({ profile: 'full', slo: { adceSuccessTargetPct: 99, fastBurnRate: 10 } });
    const a = alarm(t.toJSON(), 'ADCE-SLOFastBurn-1h');
    expect(a.Threshold).toBe(10);
    expect(a.Metrics.find((m: Json) => m.Expression).Expression).toMatch(/ \/ 0\.01\)$/);
    const off = names(synthStack({ profile: 'full', slo: { burnRateAlarms: false } }).template.toJSON());
    expect(off.filter((n) => n.includes('SLO'))).toEqual([]);
  });
});

describe('anomaly bands', () => {
  it('S3 object growth: DIFF of the object count per S3 run, outside its band in 2 of 3 periods', () => {
    const a = alarm(json, 'S3-ObjectGrowthAnomaly');
    expect(a).toMatchObject({ ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'ignore', AlarmActions: [topic('warning')] });
    const exprs = a.Metrics.filter((m: Json) => m.Expression).map((m: Json) => m.Expression);
    expect(exprs).toEqual(expect.arrayContaining(['ANOMALY_DETECTION_BAND(m0, 2)', 'DIFF(objects)']));
    expect(a.Metrics.find((m: Json) => m.MetricStat).MetricStat).toMatchObject({ Metric: { MetricName: 'S3ObjectCount' }, Stat: 'Maximum', Period: 7200 });
  });

  it('every <Operation>Duration (Status=success) above its band; count follows pipelineOperations; knobs turn them off', () => {
    for (const op of ['DataExtraction', 'S3Upload', 'Validation']) {
      const a = alarm(json, `${op}-DurationAnomaly`);
      expect(a).toMatchObject({ ComparisonOperator: 'GreaterThanUpperThreshold', TreatMissingData: 'ignore', AlarmActions: [topic('warning')] });
      expect(a.Metrics.find((m: Json) => m.MetricStat).MetricStat.Metric).toMatchObject({ MetricName: `${op}Duration`, Dimensions: [{ Name: 'Status', Value: 'success' }] });
      expect(a.AlarmDescription).toMatch(/#operation-durationanomaly$/);
    }
    const custom = names(synthStack({ profile: 'full', pipelineOperations: ['Load'], anomalyDetection: { s3Growth: false, bandWidth: 3 } }).template.toJSON());
    expect(custom.filter((n) => n.includes('Anomaly'))).toEqual(['Load-DurationAnomaly']);
    const off = names(synthStack({ profile: 'full', anomalyDetection: { s3Growth: false, operationDurations: false } }).template.toJSON());
    expect(off.filter((n) => n.includes('Anomaly'))).toEqual([]);
  });
});

describe('health roll-up', () => {
  const rule = (name: string) => JSON.stringify(alarm(json, name).AlarmRule);
  const idOf = (name: string) => Object.entries<Json>(json.Resources).find(([, r]) => r.Properties?.AlarmName === name)![0];

  it('Unhealthy = any notifying critical alarm; Degraded = any notifying warning alarm; no window alarm, no cross-membership', () => {
    const critical = rollupMembers(stack.alarms, 'critical').map((e) => e.baseName);
    const warning = rollupMembers(stack.alarms, 'warning').map((e) => e.baseName);
    expect(critical).toEqual(expect.arrayContaining(['ADCE-HighFailureRate', 'S3-UploadFailures', 'ADCE-QueueStale', 'ADCE-NoRecentRun', 'Cost-ForecastOverBudget', 'ADCE-SLOFastBurn']));
    expect(warning).toEqual(expect.arrayContaining(['S3-PublisherHeartbeat', 'S3-StaleSources', 'DIMS-DriftMajor', 'ADCE-SLOSlowBurn', 'Publishers-LoggedErrors', 'Data-QualityIssues']));
    for (const n of critical) expect(rule('Monitoring-Unhealthy'), n).toContain(idOf(n));
    for (const n of warning) expect(rule('Monitoring-Degraded'), n).toContain(idOf(n));
    for (const n of warning) expect(rule('Monitoring-Unhealthy'), n).not.toContain(`"${idOf(n)}"`);
    for (const n of critical) expect(rule('Monitoring-Degraded'), n).not.toContain(`"${idOf(n)}"`);
    for (const w of ['ADCE-SLOFastBurn-1h', 'ADCE-SLOFastBurn-5m', 'ADCE-SLOSlowBurn-6h', 'ADCE-SLOSlowBurn-30m']) {
      expect(rule('Monitoring-Unhealthy') + rule('Monitoring-Degraded')).not.toContain(`"${idOf(w)}"`);
    }
    // Every notifying alarm is in exactly one roll-up.
    const notifying = stack.alarms.registered.filter((e) => e.notifies && !['Monitoring-Unhealthy', 'Monitoring-Degraded'].includes(e.baseName)).map((e) => e.baseName);
    expect([...critical, ...warning].sort()).toEqual(notifying.sort());
    expect(rule('Monitoring-Unhealthy')).not.toMatch(/ AND /);
  });

  it('both roll-ups notify only the warning topic (no second SMS page), and the registry says so', () => {
    for (const name of ['Monitoring-Unhealthy', 'Monitoring-Degraded']) {
      expect(alarm(json, name)).toMatchObject({ AlarmActions: [topic('warning')], OKActions: [topic('warning')] });
    }
    expect(stack.alarms.get('Monitoring-Unhealthy')).toMatchObject({ severity: 'critical', notifies: true, topic: 'warning' });
    expect(stack.alarms.get('Monitoring-Degraded')).toMatchObject({ severity: 'warning', notifies: true, topic: 'warning' });
  });

  it('sit at the top of every dashboard, with a legend', () => {
    for (const [, d] of resources('AWS::CloudWatch::Dashboard')) {
      const widgets = dashboardBody(d.Properties.DashboardBody).widgets;
      const top = widgets.filter((w: Json) => w.y === 0);
      expect(top.find((w: Json) => w.type === 'alarm')?.properties).toMatchObject({ title: 'Health', alarms: ['__TOKEN__', '__TOKEN__'] });
      expect(top.find((w: Json) => w.type === 'text')?.properties.markdown).toMatch(/\*\*Healthy\*\*.*\*\*Degraded\*\*.*\*\*Unhealthy\*\*/);
    }
  });

  it('off with healthRollup: false', () => {
    const off = names(synthStack({ profile: 'full', healthRollup: false }).template.toJSON());
    expect(off.filter((n) => n.startsWith('Monitoring-'))).toEqual([]);
  });
});

describe('publisher logs: error filter, saved queries', () => {
  it('one metric filter per publisher log group writes PublisherErrors (no dimensions, no default value)', () => {
    const filters = resources('AWS::Logs::MetricFilter').map(([, r]) => r.Properties);
    expect(filters).toHaveLength(4);
    const groups = stack.publishers.all().map((p) => stack.resolve(p.logGroup.logGroupName));
    expect(filters.map((f) => f.LogGroupName)).toEqual(groups);
    for (const f of filters) {
      expect(f.FilterPattern).toBe(PUBLISHER_ERROR_PATTERN);
      expect(f.MetricTransformations).toEqual([{ MetricNamespace: 'NBA-Simulator/Monitoring', MetricName: 'PublisherErrors', MetricValue: '1', Unit: 'Count' }]);
    }
    expect(PUBLISHER_ERROR_PATTERN).toContain('$.level = "ERROR"');
    expect(PUBLISHER_ERROR_PATTERN).toContain('$.record.status != "success"');
  });

  it('saved Logs Insights queries "errors by publisher" and "slowest runs" over the four log groups', () => {
    const queries = resources('AWS::Logs::QueryDefinition').map(([, r]) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual(['NBA-Simulator/errors-by-publisher', 'NBA-Simulator/slowest-runs']);
    for (const q of queries) expect(q.LogGroupNames).toHaveLength(4);
    const text = Object.fromEntries(queries.map((q) => [q.Name, q.QueryString]));
    expect(text['NBA-Simulator/errors-by-publisher']).toMatch(/filter level = "ERROR".*\n\| stats count\(\*\) as errors.* by source/s);
    expect(text['NBA-Simulator/slowest-runs']).toMatch(/filter type = "platform.report"[\s\S]*sort durationMs desc[\s\S]*limit 25/);
  });
});

describe('dashboards: freshness table, error budget', () => {
  const board = (name: string) => dashboardBody(Object.values<Json>(template.findResources('AWS::CloudWatch::Dashboard')).find((d) => d.Properties.DashboardName === name)!.Properties.DashboardBody).widgets;

  it('Data Collection: which source is stale (Logs Insights over the S3 publisher log group)', () => {
    const w = board('NBA-Simulator-DataCollection').find((x: Json) => x.type === 'log');
    expect(w.properties.query).toMatch(/SOURCE '__TOKEN__' \| filter message = "source freshness"\n\| stats latest\(stale\) as isStale.* by bucket, prefix/);
  });

  it('ADCE Health: error budget remaining over the SLO window, burn-rate graph', () => {
    const widgets = board('NBA-Simulator-ADCEHealth');
    const budget = widgets.find((x: Json) => String(x.properties.title).includes('error budget remaining'));
    expect(budget.properties).toMatchObject({ setPeriodToTimeRange: true, start: '-P30D' });
    expect(JSON.stringify(budget.properties.metrics)).toContain('100 * (1 - IF((failedSlo + completedSlo) > 0, failedSlo / (failedSlo + completedSlo) / 0.05))');
    expect(widgets.some((x: Json) => String(x.properties.title).includes('burn rate'))).toBe(true);
  });
});
