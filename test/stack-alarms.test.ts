import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalogMetric } from '../lib/constructs/catalog-metric';
import { runbookAnchor, runbookLink } from '../lib/constructs/alarm-factory';
import { buildStack, synthStack } from './support/synth';

const { template, stack } = synthStack({ alertEmails: ['ops@example.com'] });
const ref = (severity: 'critical' | 'warning') => stack.resolve(stack.alerting.topics[severity].topicArn);

function alarmNamed(name: string): Record<string, any> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.AlarmName === name);
  expect(found, `alarm ${name}`).toHaveLength(1);
  return found[0]!.Properties;
}

describe('the four seed alarms', () => {
  const cases = [
    {
      name: 'ADCE-HighFailureRate', namespace: 'NBA-Simulator/ADCE', metric: 'ADCESuccessRate', statistic: 'Average',
      operator: 'LessThanThreshold', threshold: 95, periods: 1, period: 300, missing: 'ignore', severity: 'critical' as const,
    },
    {
      name: 'AWS-CostBudgetExceeded', namespace: 'NBA-Simulator/Costs', metric: 'BudgetUtilization', statistic: 'Maximum',
      operator: 'GreaterThanThreshold', threshold: 80, periods: 1, period: 86400, missing: 'ignore', severity: 'warning' as const,
    },
    {
      name: 'S3-UploadFailures', namespace: 'NBA-Simulator/DataCollection', metric: 'S3UploadFailures', statistic: 'Sum',
      operator: 'GreaterThanThreshold', threshold: 5, periods: 2, period: 300, missing: 'notBreaching', severity: 'critical' as const,
    },
    {
      name: 'Data-QualityIssues', namespace: 'NBA-Simulator/DataQuality', metric: 'ValidationPassRate', statistic: 'Average',
      operator: 'LessThanThreshold', threshold: 95, periods: 1, period: 3600, missing: 'ignore', severity: 'warning' as const,
    },
  ];

  it.each(cases)('$name: $metric $statistic $operator $threshold over $periods x $period s, missing data $missing', (c) => {
    const a = alarmNamed(c.name);
    expect(a).toMatchObject({
      Namespace: c.namespace,
      MetricName: c.metric,
      Statistic: c.statistic,
      ComparisonOperator: c.operator,
      Threshold: c.threshold,
      EvaluationPeriods: c.periods,
      DatapointsToAlarm: c.periods,
      Period: c.period,
      TreatMissingData: c.missing,
    });
    expect(a.Dimensions).toBeUndefined();
    expect(a.Unit).toBeUndefined();
  });

  it.each(cases)('$name notifies its $severity topic on ALARM and on OK, nothing else', (c) => {
    const a = alarmNamed(c.name);
    expect(a.AlarmActions).toEqual([ref(c.severity)]);
    expect(a.OKActions).toEqual([ref(c.severity)]);
    expect(a.InsufficientDataActions).toBeUndefined();
  });

  it.each(cases)('$name links its runbook section', (c) => {
    expect(alarmNamed(c.name).AlarmDescription).toContain(`Severity: ${c.severity}. Runbook: docs/monitoring/ALARM_RUNBOOKS.md#${c.name.toLowerCase()}`);
  });

  const SEED = cases.map((c) => c.name);
  const isSeed = (name: string) => SEED.some((s) => name === s || name.startsWith(`${s}-`) || name.endsWith(`-${s}`));

  it('are registered with severity, area and runbook anchor for dashboards and roll-ups', () => {
    // The health checks (lib/constructs/health) register more; these are the seed's.
    const seed = stack.alarms.registered.filter((e) => SEED.includes(e.baseName)).map((e) => [e.baseName, e.severity, e.area, e.kind, e.runbookAnchor]);
    expect(seed).toEqual([
      ['ADCE-HighFailureRate', 'critical', 'ADCE', 'threshold', 'adce-highfailurerate'],
      ['AWS-CostBudgetExceeded', 'warning', 'Costs', 'threshold', 'aws-costbudgetexceeded'],
      ['S3-UploadFailures', 'critical', 'DataCollection', 'threshold', 's3-uploadfailures'],
      ['Data-QualityIssues', 'warning', 'DataQuality', 'threshold', 'data-qualityissues'],
    ]);
    expect(stack.alarms.select({ severities: ['critical'], baseNames: SEED }).map((e) => e.baseName)).toEqual(['ADCE-HighFailureRate', 'S3-UploadFailures']);
    expect(stack.alarms.select({ areas: ['Costs'], severities: ['critical'], baseNames: SEED })).toEqual([]);
  });

  it('take their thresholds from config', () => {
    const { template: t } = synthStack({
      thresholds: { adceMinSuccessRatePct: 90, budgetUtilizationPct: 70, maxS3UploadFailures: 0, minValidationPassRatePct: 99.5 },
    });
    const byName = Object.fromEntries(
      Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((a) => SEED.includes(a.Properties.AlarmName)).map((a) => [a.Properties.AlarmName, a.Properties.Threshold]),
    );
    expect(byName).toEqual({ 'ADCE-HighFailureRate': 90, 'AWS-CostBudgetExceeded': 70, 'S3-UploadFailures': 0, 'Data-QualityIssues': 99.5 });
  });

  it.each([
    [{}, 'NBA-Simulator-ADCE-HighFailureRate'],
    [{ envName: 'prod' }, 'NBA-Simulator-prod-ADCE-HighFailureRate'],
    [{ alarmNamePrefix: '' }, 'ADCE-HighFailureRate'],
  ] as const)('names alarms after the instance (%o)', (input, expected) => {
    // The default prefix, not the test helper's bare names.
    const { template: t } = synthStack({ alarmNamePrefix: undefined, ...input });
    const names = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names).toContain(expected);
    expect(names.filter(isSeed)).toHaveLength(4);
    // The runbook anchor stays the base name's.
    const a = Object.values(t.findResources('AWS::CloudWatch::Alarm')).find((x) => x.Properties.AlarmName === expected)!;
    expect(a.Properties.AlarmDescription).toContain('#adce-highfailurerate');
  });

  it('links absolutely when runbookBaseUrl is configured', () => {
    const { template: t } = synthStack({ runbookBaseUrl: 'https://github.com/acme/lake-monitoring/blob/main/' });
    const descriptions = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmDescription);
    expect(descriptions).toContainEqual(
      expect.stringContaining('Runbook: https://github.com/acme/lake-monitoring/blob/main/docs/monitoring/ALARM_RUNBOOKS.md#s3-uploadfailures'),
    );
  });
});

describe('alarm factory semantics', () => {
  it('staleAfter: counts datapoints, fires on silence (missing = breaching), never sits in INSUFFICIENT_DATA', () => {
    const { stack: s } = buildStack();
    const metric = catalogMetric(s.catalog, 'ADCEQueueDepth');
    s.alarms.staleAfter('ADCE-PublisherSilent', metric, { window: { periodMinutes: 10, periods: 1 }, severity: 'critical', summary: 'No ADCE datum for 10 minutes.' });
    s.alarms.staleAfter('Cost-PublisherSilent', catalogMetric(s.catalog, 'MonthlyAWSCost'), {
      window: { periodMinutes: 1440, periods: 2 }, severity: 'warning', summary: 'No cost datum for 2 days.',
    });
    const alarms = Object.values(Template.fromStack(s).toJSON().Resources).filter((r: any) => r.Type === 'AWS::CloudWatch::Alarm').map((r: any) => r.Properties);
    // The count goes through FILL(count, 0): an empty period is a real 0, so exactly the window's periods decide.
    const counting = (a: any) => ({ expression: a.Metrics[0].Expression, stat: a.Metrics[1].MetricStat.Stat, period: a.Metrics[1].MetricStat.Period });
    const silent = alarms.find((a) => a.AlarmName === 'ADCE-PublisherSilent');
    expect(silent).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 1, EvaluationPeriods: 1, TreatMissingData: 'breaching' });
    expect(counting(silent)).toEqual({ expression: 'FILL(count, 0)', stat: 'SampleCount', period: 600 });
    // Two days: two 1-day periods, both empty.
    const cost = alarms.find((a) => a.AlarmName === 'Cost-PublisherSilent');
    expect(cost).toMatchObject({ EvaluationPeriods: 2, DatapointsToAlarm: 2, TreatMissingData: 'breaching' });
    expect(counting(cost)).toEqual({ expression: 'FILL(count, 0)', stat: 'SampleCount', period: 86400 });
    expect(s.alarms.get('ADCE-PublisherSilent')).toMatchObject({ kind: 'heartbeat', area: 'ADCE', severity: 'critical' });
  });

  it('staleAfter uses the window as given and refuses one CloudWatch would reject', () => {
    const { stack: s } = buildStack();
    const metric = () => catalogMetric(s.catalog, 'MonthlyAWSCost');
    s.alarms.staleAfter('Cost-Silent2x60', metric(), { window: { periodMinutes: 60, periods: 2 }, severity: 'warning', summary: 'Silent.' });
    const a = Object.values(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm')).find((r) => r.Properties.AlarmName === 'Cost-Silent2x60')!.Properties;
    expect(a).toMatchObject({ EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    expect(a.Metrics[1].MetricStat.Period).toBe(3600);
    expect(() => s.alarms.staleAfter('Cost-Silent8d', metric(), { window: { periodMinutes: 1440, periods: 8 }, severity: 'warning', summary: 'Silent.' })).toThrow(/8 x 1440 min is outside CloudWatch's limits/);
    expect(() => s.alarms.staleAfter('Cost-SilentLong', metric(), { window: { periodMinutes: 1441, periods: 1 }, severity: 'warning', summary: 'Silent.' })).toThrow(/outside CloudWatch's limits/);
    expect(() => s.alarms.staleAfter('Cost-SilentShort', metric(), { window: { periodMinutes: 30, periods: 49 }, severity: 'warning', summary: 'Silent.' })).toThrow(/outside CloudWatch's limits/);
  });

  it('math-expression alarms infer their area; vended metrics need one; names are unique', () => {
    const { stack: s } = buildStack();
    const failed = catalogMetric(s.catalog, 'ADCETasksFailed', {}, { statistic: 'Sum', period: Duration.hours(1) });
    const done = catalogMetric(s.catalog, 'ADCETasksCompleted', {}, { statistic: 'Sum', period: Duration.hours(1) });
    const errorRate = new cloudwatch.MathExpression({ expression: 'f / (f + c)', usingMetrics: { f: failed, c: done }, period: Duration.hours(1) });
    s.alarms.whenAtLeast('ADCE-FastBurn', errorRate, { threshold: 0.72, missingData: 'notBreaching', severity: 'critical', summary: 'Burning the error budget 14.4x.' });
    expect(s.alarms.get('ADCE-FastBurn').area).toBe('ADCE');

    const lambdaErrors = new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum' });
    expect(() => s.alarms.whenAbove('X-Errors', lambdaErrors, { threshold: 0, missingData: 'notBreaching', severity: 'warning', summary: 'x' })).toThrow(/pass `area`/);
    s.alarms.whenAbove('Publisher-Errors', lambdaErrors, { threshold: 0, missingData: 'notBreaching', severity: 'warning', summary: 'Errors.', area: 'Monitoring' });
    expect(() => s.alarms.whenAbove('Publisher-Errors', lambdaErrors, { threshold: 0, missingData: 'notBreaching', severity: 'warning', summary: 'x', area: 'Monitoring' })).toThrow(/defined twice/);
    expect(() => s.alarms.whenAbove('Bad name!', lambdaErrors, { threshold: 0, missingData: 'notBreaching', severity: 'warning', summary: 'x', area: 'Monitoring' })).toThrow(/base name/);
  });

  it('anomaly and composite alarms; notify: false routes nothing', () => {
    // Without the stack's own composites (health roll-up, burn-rate classes) to test the factory alone.
    const { stack: s } = buildStack({ healthRollup: false, slo: { burnRateAlarms: false } });
    const duration = catalogMetric(s.catalog, 'S3UploadDuration', { Status: 'success' }, { statistic: 'Average' });
    s.alarms.outsideBand('S3Upload-SlowerThanUsual', duration, {
      bandWidth: 2, direction: 'above', periods: 3, datapointsToAlarm: 2, missingData: 'ignore', severity: 'warning', summary: 'Slower than its band.', notify: false,
    });
    const critical = s.alarms.select({ severities: ['critical'] }).map((e) => cloudwatch.AlarmRule.fromAlarm(e.alarm, cloudwatch.AlarmState.ALARM));
    s.alarms.composite('Monitoring-Unhealthy', cloudwatch.AlarmRule.anyOf(...critical), { severity: 'critical', summary: 'A critical alarm is firing.' });
    const t = Template.fromStack(s).toJSON();
    const resources = Object.values(t.Resources) as any[];
    const band = resources.find((r) => r.Properties?.AlarmName === 'S3Upload-SlowerThanUsual').Properties;
    expect(band).toMatchObject({ ComparisonOperator: 'GreaterThanUpperThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'ignore' });
    expect(band.AlarmActions).toBeUndefined();
    expect(JSON.stringify(band.Metrics)).toContain('ANOMALY_DETECTION_BAND(m0, 2)');
    const composite = resources.find((r) => r.Type === 'AWS::CloudWatch::CompositeAlarm').Properties;
    expect(composite.AlarmName).toBe('Monitoring-Unhealthy');
    expect(JSON.stringify(composite.AlarmRule)).toContain('ADCEHighFailureRate');
    expect(composite.AlarmActions).toEqual([s.resolve(s.alerting.topics.critical.topicArn)]);
    expect(composite.AlarmDescription).toContain('ALARM_RUNBOOKS.md#monitoring-unhealthy');
    expect(s.alarms.select({ kinds: ['composite'] }).map((e) => e.area)).toEqual(['Monitoring']);
    expect(s.alarms.get('S3Upload-SlowerThanUsual')).toMatchObject({ kind: 'anomaly', area: 'Performance', notifies: false });
  });

  it('runbook anchors are GitHub heading slugs', () => {
    expect(runbookAnchor('ADCE-HighFailureRate')).toBe('adce-highfailurerate');
    expect(runbookAnchor('Publisher errors (all publishers)')).toBe('publisher-errors-all-publishers');
    expect(runbookAnchor('DIMS_VerificationStale')).toBe('dims_verificationstale');
    expect(runbookLink({ runbookBaseUrl: 'https://x.example/repo' }, 'a')).toBe('https://x.example/repo/docs/monitoring/ALARM_RUNBOOKS.md#a');
    expect(runbookLink({}, 'a')).toBe('docs/monitoring/ALARM_RUNBOOKS.md#a');
  });
});
