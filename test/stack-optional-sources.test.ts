import { describe, expect, it } from 'vitest';
import { RUNBOOK_PATH } from '../lib/constructs/alarm-factory';
import { synthStack } from './support/synth';
import { catalogViolations, metricsInTemplate } from './support/template-metrics';

/**
 * Every source is optional: a turned-off source leaves nothing behind (function, schedule,
 * queue, alarm, widget, dashboard, catalog metric), and what remains is a complete stack.
 */
describe('a stack with only the S3 and cost sources', () => {
  const { template, stack } = synthStack({ adce: { enabled: false }, dims: { enabled: false }, alertEmails: ['ops@example.com'] });
  const json = template.toJSON();
  const resources = (type: string) => Object.values(template.findResources(type)) as { Properties: Record<string, any> }[];
  const metrics = metricsInTemplate(json);

  it('has only the S3 and cost functions and schedules', () => {
    // Publishers only (the deploy-time Cost Anomaly Detection helpers come with the cost source).
    const functions = resources('AWS::Lambda::Function').map((f) => String(f.Properties.Description)).filter((d) => d.startsWith('Publishes'));
    expect(functions).toHaveLength(2);
    expect(functions.some((d) => d.includes('s3 metrics'))).toBe(true);
    expect(functions.some((d) => d.includes('cost metrics'))).toBe(true);
    expect(resources('AWS::Scheduler::Schedule').map((s) => s.Properties.Description).sort()).toEqual([
      'Runs the cost metric publisher',
      'Runs the s3 metric publisher',
    ]);
    // The ADCE cursor's state bucket exists only for ADCE.
    expect(resources('AWS::S3::Bucket')).toHaveLength(0);
  });

  it('has no ADCE or DIMS metric in any alarm, widget or in the catalog', () => {
    expect(metrics.length).toBeGreaterThan(10);
    const offending = metrics.filter((m) => /\/(ADCE|DIMS)$/.test(String(m.namespace)) || /^(ADCE|DIMS)/.test(String(m.name)));
    expect(offending).toEqual([]);
    expect(stack.catalog.all().filter((m) => m.source === 'adce' || m.source === 'dims')).toEqual([]);
    expect(() => stack.catalog.get('ADCEQueueDepth')).toThrow(/adce publisher, which this configuration turns off \(adce\.enabled: false\)/);
    expect(catalogViolations(metrics, stack.catalog)).toEqual([]);
  });

  it('has no ADCE or DIMS alarm, and a heartbeat, freshness and forecast alarm for what is on', () => {
    const names = [...resources('AWS::CloudWatch::Alarm'), ...resources('AWS::CloudWatch::CompositeAlarm')].map((a) => String(a.Properties.AlarmName));
    expect(names.filter((n) => /ADCE|DIMS/.test(n))).toEqual([]);
    for (const base of ['S3-PublisherHeartbeat', 'S3-StaleSources', 'Cost-PublisherHeartbeat', 'Cost-ForecastOverBudget', 'AWS-CostBudgetExceeded', 'S3-UploadFailures', 'Data-QualityIssues']) {
      expect(names.some((n) => n.endsWith(base)), base).toBe(true);
    }
    expect(Object.keys(stack.health.heartbeats.alarmNames).sort()).toEqual(['cost', 's3']);
    expect(stack.health.adceStall).toBeUndefined();
    expect(stack.health.dimsDrift).toBeUndefined();
  });

  it('every alarm links its runbook', () => {
    for (const a of [...resources('AWS::CloudWatch::Alarm'), ...resources('AWS::CloudWatch::CompositeAlarm')]) {
      expect(String(a.Properties.AlarmDescription), String(a.Properties.AlarmName)).toContain(`${RUNBOOK_PATH}#`);
    }
  });

  it('has no ADCE Health dashboard', () => {
    const boards = resources('AWS::CloudWatch::Dashboard').map((d) => String(d.Properties.DashboardName));
    expect(boards.sort()).toEqual(['NBA-Simulator-DataCollection', 'NBA-Simulator-PerformanceCosts']);
  });
});

describe('turning sources off one at a time', () => {
  it('without cost there is no budget, no cost alarm and no cost widget', () => {
    const { template, stack } = synthStack({ cost: { enabled: false } });
    template.resourceCountIs('AWS::Budgets::Budget', 0);
    template.resourceCountIs('Custom::CostAnomalyAlerts', 0);
    expect(metricsInTemplate(template.toJSON()).filter((m) => String(m.namespace).endsWith('/Costs'))).toEqual([]);
    expect(stack.budget).toBeUndefined();
  });

  it('DIMS without S3 publishes the inventory but has no drift metric or alarm (nothing to compare with)', () => {
    const { template, stack } = synthStack({ s3: { enabled: false } });
    expect(stack.catalog.has('DIMS_S3Objects')).toBe(true);
    expect(stack.catalog.has('DIMS_S3ObjectsDriftPct')).toBe(false);
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => String(a.Properties.AlarmName));
    expect(names.some((n) => n.endsWith('DIMS-VerificationStale'))).toBe(true);
    expect(names.filter((n) => /DriftMajor|S3-PublisherHeartbeat|S3-StaleSources|ObjectGrowth/.test(n))).toEqual([]);
  });
});
