import { describe, expect, it } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { PUBLISHERS, type MonitoringConfigInput, type PublisherId } from '../lib/config/schema';
import { synthStack } from './support/synth';

/**
 * Time-to-detect of each failure mode, computed from the SYNTHESIZED template (alarm periods,
 * datapoints to alarm, schedule expressions), not from config:
 * - alarm reaction = period x datapoints to alarm;
 * - a signal that waits for the next publisher run adds the publisher's schedule interval;
 * - a heartbeat fires after a silence of period x datapoints to alarm, counted from the last success.
 */
type Json = Record<string, any>;

interface AlarmFacts {
  readonly name: string;
  readonly periodMinutes: number;
  readonly datapointsToAlarm: number;
  readonly evaluationPeriods: number;
  readonly missing: string;
  readonly metricNames: string[];
  readonly actions: unknown[];
}

function facts(template: Json): Map<string, AlarmFacts> {
  const out = new Map<string, AlarmFacts>();
  for (const r of Object.values<Json>(template.Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties;
    const stats = (p.Metrics ?? []).filter((m: Json) => m.MetricStat);
    const period = p.Period ?? Math.max(...stats.map((m: Json) => m.MetricStat.Period));
    out.set(p.AlarmName, {
      name: p.AlarmName,
      periodMinutes: period / 60,
      datapointsToAlarm: p.DatapointsToAlarm ?? p.EvaluationPeriods,
      evaluationPeriods: p.EvaluationPeriods,
      missing: p.TreatMissingData,
      metricNames: p.MetricName ? [p.MetricName] : stats.map((m: Json) => m.MetricStat.Metric.MetricName),
      actions: p.AlarmActions ?? [],
    });
  }
  return out;
}

/** Minutes between runs of each publisher, from its Scheduler resource's `rate(...)` expression. */
function schedules(template: Json, logicalIdOf: (p: PublisherId) => string): Record<PublisherId, number> {
  const minutes = (expr: string) => {
    const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr);
    if (!m) throw new Error(`Unexpected schedule expression ${expr}`);
    return Number(m[1]) * ({ minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 } as Record<string, number>)[m[2]!]!;
  };
  return Object.fromEntries(PUBLISHERS.map((p) => [p, minutes(template.Resources[logicalIdOf(p)].Properties.ScheduleExpression)])) as Record<PublisherId, number>;
}

function analyse(input: MonitoringConfigInput) {
  const { template, stack, config } = synthStack(input);
  const json = template.toJSON();
  const alarms = facts(json);
  const schedule = schedules(json, (p) => stack.getLogicalId(stack.publishers.get(p).schedule.node.defaultChild as CfnElement));
  const critical = stack.resolve(stack.alerting.topics.critical.topicArn);
  const get = (name: string) => {
    const a = alarms.get(name);
    expect(a, `alarm ${name} in the template`).toBeDefined();
    return a!;
  };
  const reaction = (a: AlarmFacts) => a.periodMinutes * a.datapointsToAlarm;

  // Publisher death: the heartbeat's silence window, from the last successful run.
  const death = Object.fromEntries(
    PUBLISHERS.map((p) => {
      const a = get(stack.health.heartbeats.alarmNames[p]!);
      expect(a.missing, `${a.name} missing data`).toBe('breaching');
      expect(a.datapointsToAlarm, `${a.name}: every period of the window must be empty`).toBe(a.evaluationPeriods);
      return [p, { alarm: a.name, minutes: reaction(a), bound: 2 * schedule[p] }];
    }),
  ) as Record<PublisherId, { alarm: string; minutes: number; bound: number }>;

  // ADCE failure (a run whose tasks fail): the publisher reads the run report on its next run,
  // then the fastest CRITICAL alarm on task outcomes reacts.
  const adceOutcome = [...alarms.values()].filter(
    (a) => a.actions.some((x) => JSON.stringify(x) === JSON.stringify(critical)) && a.metricNames.some((m) => ['ADCESuccessRate', 'ADCETasksFailed'].includes(m)),
  );
  expect(adceOutcome.length).toBeGreaterThan(0);
  const adceFailure = Math.min(...adceOutcome.map((a) => schedule.adce + reaction(a)));

  // Data gap: the collector flags a source at age > threshold - schedule (next-check lookahead),
  // the flag waits at most one schedule for a run, then the alarm reacts.
  const freshness = get('S3-StaleSources');
  const thresholds = [config.s3.freshness.defaultThresholdHours, ...Object.values(config.s3.freshness.perPrefix)].map((h) => h * 60);
  const dataGap = thresholds.map((t) => ({ threshold: t, minutes: t - schedule.s3 + schedule.s3 + reaction(freshness) }));
  return { death, adceFailure, dataGap, schedule };
}

describe('time to detect, from the synthesized template', () => {
  it.each<[string, MonitoringConfigInput]>([
    ['default config', {}],
    ['other schedules and thresholds', { s3: { scheduleMinutes: 360, freshness: { defaultThresholdHours: 12, perPrefix: { 'slow/': 168 } } }, adce: { scheduleMinutes: 2 }, dims: { scheduleMinutes: 1440 }, cost: { scheduleMinutes: 2880 } }],
  ])('%s: publisher death <= 2 intervals, ADCE failure <= 10 min, data gap <= threshold + 1 h', (_name, input) => {
    const { death, adceFailure, dataGap } = analyse(input);
    for (const [p, d] of Object.entries(death)) expect(d.minutes, `${p} (${d.alarm})`).toBeLessThanOrEqual(d.bound);
    expect(adceFailure).toBeLessThanOrEqual(10);
    for (const g of dataGap) expect(g.minutes, `threshold ${g.threshold} min`).toBeLessThanOrEqual(g.threshold + 60);
  });

  it('default numbers: S3 4 h, ADCE 10 min, DIMS 12 h, cost 48 h; ADCE failure 10 min; data gap 36 h + 60 min', () => {
    const { death, adceFailure, dataGap, schedule } = analyse({});
    expect(schedule).toEqual({ s3: 120, adce: 5, dims: 360, cost: 1440 });
    expect(Object.fromEntries(Object.entries(death).map(([p, d]) => [p, d.minutes]))).toEqual({ s3: 240, adce: 10, dims: 720, cost: 2880 });
    expect(adceFailure).toBe(10);
    expect(dataGap).toEqual([{ threshold: 36 * 60, minutes: 36 * 60 + 60 }]);
  });
});
