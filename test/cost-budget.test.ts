import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../lib/config/load';
import { type MonitoringConfigInput, PUBLISHERS } from '../lib/config/schema';
import { costLine } from '../lib/constructs/cost-report';
import { COST_ANOMALY_ALERTS_TYPE } from '../lib/cost-anomaly/resource-type';
import { estimateCost } from '../lib/cost/model';
import { whatIf } from '../lib/cost/what-if';
import { MonitoringStack } from '../lib/stacks/monitoring-stack';

type Json = Record<string, any>;

/** Builds and synthesizes one stack, keeping the line the synth prints. */
function synth(input: MonitoringConfigInput) {
  // Bare alarm base names, as the runbook names them.
  const config = parseConfig({ alarmNamePrefix: '', ...input }, 'test config');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const lines: string[] = [];
  const stack = new MonitoringStack(app, 'Test-Monitoring', { config, onCostEstimate: (line) => lines.push(line) });
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const total = Math.round(estimateCost([json], config).totalUsd * 100) / 100;
  const alarms = Object.values<Json>(json.Resources).filter((r) => /^AWS::CloudWatch::(Composite)?Alarm$/.test(r.Type));
  return { config, stack, template, json, lines, total, alarmNames: alarms.map((r) => r.Properties.AlarmName as string) };
}

const standard = synth({});
const full = synth({ profile: 'full' });

/** Every failure-mode detection of the product: what the standard profile must keep. */
const DETECTIONS = [
  // the four original alarms
  'ADCE-HighFailureRate', 'AWS-CostBudgetExceeded', 'S3-UploadFailures', 'Data-QualityIssues',
  // a dead-man's switch per publisher (ADCE's doubles as the stall alarm, DIMS's as verification age)
  'S3-PublisherHeartbeat', 'ADCE-QueueStale', 'DIMS-VerificationStale', 'Cost-PublisherHeartbeat',
  // freshness per source, ADCE no-run, DIMS drift, forecast over budget, publisher errors and throttles
  'S3-StaleSources', 'ADCE-NoRecentRun', 'DIMS-DriftMajor', 'Cost-ForecastOverBudget', 'Publishers-LoggedErrors', 'Lambda-Throttles',
  // failed runs of every publisher (their Lambda async failure destination)
  'Publishers-FailedRuns',
];
const INSIGHTS = ['ADCE-SLOFastBurn', 'ADCE-SLOSlowBurn', 'Monitoring-Unhealthy', 'Monitoring-Degraded', 'S3-ObjectGrowthAnomaly', 'DataExtraction-DurationAnomaly'];

describe('the default config (standard profile) fits the $3.00/month monitoring budget', () => {
  it('estimates at most $3.00/month with the free tier applied', () => {
    expect(standard.total).toBeGreaterThan(0);
    expect(standard.total).toBeLessThanOrEqual(3.0);
  });

  it('keeps every failure-mode detection: the alarms, and Cost Anomaly Detection with its subscription', () => {
    expect(standard.alarmNames).toEqual(expect.arrayContaining(DETECTIONS));
    // Cost Anomaly Detection: the alert subscription made at deploy by its custom resource.
    standard.template.resourceCountIs(COST_ANOMALY_ALERTS_TYPE, 1);
    standard.template.resourceCountIs('AWS::Budgets::Budget', 1);
    // One publisher per source, each with a heartbeat above.
    expect(Object.keys(standard.stack.publishers.byId).sort()).toEqual([...PUBLISHERS].sort());
  });

  it('leaves the priced insight features to the full profile', () => {
    for (const name of INSIGHTS) expect(standard.alarmNames).not.toContain(name);
    expect(standard.template.toJSON().Resources).not.toHaveProperty('ServiceMonthlyCost');
    expect(standard.stack.catalog.get('ADCEQueueTasks').enabled).toBe(false);
    expect(standard.stack.catalog.get('ServiceMonthlyCost').enabled).toBe(false);
  });

  it('shows the breakdowns as Logs Insights tables over the publishers\' log lines', () => {
    const body = (name: string) => JSON.stringify(Object.values<Json>(standard.json.Resources).find((r) => r.Properties?.DashboardName === name)!.Properties.DashboardBody);
    expect(body('NBA-Simulator-ADCEHealth')).toMatch(/"type\\":\\"log\\".*SOURCE '",\{"Ref":"MonitoringPublishersAdceLogs\w+"\},"' \| filter message = \W+queue tasks by priority/);
    expect(body('NBA-Simulator-PerformanceCosts')).toMatch(/SOURCE '",\{"Ref":"MonitoringPublishersCostLogs\w+"\},"' \| filter message = \W+cost by service/);
    // The per-priority graph lines are metrics only in the full profile.
    expect(body('NBA-Simulator-ADCEHealth')).not.toContain('ADCEQueueTasks');
  });

  it('no alarm reads a metric sent at a dashboard cadence (it would see gaps between sends)', () => {
    for (const t of [standard, full]) {
      const slow = new Set(t.stack.catalog.all().filter((m) => m.cadenceMinutes !== m.scheduleMinutes).map((m) => m.name));
      expect(slow.size).toBeGreaterThan(0);
      for (const r of Object.values<Json>(t.json.Resources).filter((x) => x.Type === 'AWS::CloudWatch::Alarm')) {
        const names = [r.Properties.MetricName, ...(r.Properties.Metrics ?? []).map((m: Json) => m.MetricStat?.Metric?.MetricName)].filter(Boolean);
        for (const n of names) expect(slow.has(n), `${r.Properties.AlarmName} reads ${n}`).toBe(false);
      }
    }
  });
});

describe('the full profile', () => {
  it('adds every insight alarm and costs what --what-if says, above the default budget', () => {
    expect(full.alarmNames).toEqual(expect.arrayContaining([...DETECTIONS, ...INSIGHTS]));
    expect(full.total).toBeGreaterThan(standard.total + 5);
    const w = whatIf(standard.config);
    expect(Math.round(w.baseUsd * 100) / 100).toBe(standard.total);
    expect(Math.round(w.allOnUsd * 100) / 100).toBe(full.total);
    // Each feature adds something, and nothing is priced twice.
    for (const f of w.features) expect(f.addsUsd, f.key).toBeGreaterThan(0);
    expect(w.features.map((f) => f.key)).toContain('slo.burnRateAlarms');
  });
});

describe('the estimate at synth', () => {
  it('prints one line per stack, from the template in memory, equal to monitor cost-estimate on the synthesized template', () => {
    expect(standard.lines).toEqual([costLine(standard.total)]);
    expect(standard.lines[0]).toMatch(/^Estimated monitoring cost: \$\d+\.\d\d\/month \(monitor cost-estimate for the lines\)$/);
    expect(standard.stack.costEstimate.report!.totalUsd).toBeCloseTo(estimateCost([standard.json], standard.config).totalUsd, 9);
  });

  it('warns when the estimate exceeds costBudgetUsd (the full profile at the default $3.00), and not below it', () => {
    Annotations.fromStack(full.stack).hasWarning('/Test-Monitoring', Match.stringLikeRegexp('exceeds costBudgetUsd \\(\\$3\\.00\\)'));
    expect(Annotations.fromStack(standard.stack).findWarning('*', Match.stringLikeRegexp('costBudgetUsd'))).toEqual([]);
  });
});

describe('README quotes the estimates', () => {
  it('the default and full totals and the synth line', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(`Default config (standard profile):  Total: $${standard.total.toFixed(2)}/month`);
    expect(readme).toContain(`-c profile=full (every insight feature):  Total: $${full.total.toFixed(2)}/month`);
    expect(readme).toContain(costLine(standard.total));
  });
});
