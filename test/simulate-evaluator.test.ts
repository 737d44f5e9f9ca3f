import { describe, expect, it } from 'vitest';
import {
  AlarmEvaluator,
  InMemoryMetricStore,
  UnsupportedExpressionError,
  aggregate,
  decideState,
  evaluateExpression,
  periodValues,
  type StateSettings,
} from '../lib/simulate/evaluator';
import type { AlarmState, MetricRef, SimAlarm, SimCompositeAlarm, SimMetricAlarm, SimTopic, TreatMissingData } from '../lib/simulate/model';

const ref = (name: string, dimensions: Record<string, string> = {}): MetricRef => ({ namespace: 'DataLake', name, dimensions });
const noActions = { alarm: [], ok: [], insufficientData: [] };
const _ = undefined; // a missing datapoint

function metricAlarm(name: string, metric: MetricRef, over: Partial<SimMetricAlarm> = {}): SimMetricAlarm {
  return {
    kind: 'metric',
    name,
    logicalId: name.replace(/\W/g, ''),
    queries: [{ kind: 'metric', id: 'm1', metric, periodSeconds: over.periodSeconds ?? 60, stat: 'Maximum', returnData: true }],
    returnId: 'm1',
    periodSeconds: 60,
    comparison: 'GreaterThanThreshold',
    threshold: 5,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    actions: noActions,
    ...over,
  };
}

function composite(name: string, rule: string, over: Partial<SimCompositeAlarm> = {}): SimCompositeAlarm {
  return { kind: 'composite', name, logicalId: name, rule, actions: noActions, ...over };
}

/** Runs minutes `from..to` and returns every change. */
function run(evaluator: AlarmEvaluator, from: number, to: number) {
  const changes = [];
  const notifications = [];
  for (let t = from; t <= to; t++) {
    const out = evaluator.step(t);
    changes.push(...out.changes);
    notifications.push(...out.notifications);
  }
  return { changes, notifications };
}

describe('statistics and the metric store', () => {
  it('aggregates the five statistics, and a period without datums is missing, SampleCount too', () => {
    const values = [1, 2, 3, 6];
    expect(aggregate('Average', values)).toBe(3);
    expect(aggregate('Sum', values)).toBe(12);
    expect(aggregate('Minimum', values)).toBe(1);
    expect(aggregate('Maximum', values)).toBe(6);
    expect(aggregate('SampleCount', values)).toBe(4);
    for (const stat of ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']) expect(aggregate(stat, [])).toBeUndefined();
    expect(() => aggregate('p99', values)).toThrow(/p99/);
  });

  it('keeps datums added out of order sorted, with windows from inclusive to exclusive, per metric and dimensions', () => {
    const store = new InMemoryMetricStore();
    const a = ref('Depth', { Queue: 'a' });
    for (const minute of [7, 2, 5, 2, 9]) store.add(a, { minute, value: minute * 10 });
    store.add(ref('Depth', { Queue: 'b' }), { minute: 5, value: -1 });
    expect(store.between(a, 2, 9).map((d) => d.minute)).toEqual([2, 2, 5, 7]);
    expect(store.between({ ...a, dimensions: { Queue: 'a' } }, 5, 6)).toEqual([{ minute: 5, value: 50 }]);
    expect(store.between(a, 10, 20)).toEqual([]);
    expect(store.between(ref('Other'), 0, 100)).toEqual([]);
  });

  it('sees a datum of minute 4 in the latest 5-minute period at minutes 5..9, not at 4 nor at 10', () => {
    const store = new InMemoryMetricStore();
    const query = { metric: ref('Runs'), stat: 'Sum' };
    store.add(query.metric, { minute: 4, value: 7 });
    expect(periodValues(store, query, 300, 4, 1)).toEqual([_]);
    for (let t = 5; t <= 9; t++) expect(periodValues(store, query, 300, t, 1)).toEqual([7]);
    expect(periodValues(store, query, 300, 10, 1)).toEqual([_]);
    // Oldest first: at minute 10 the datum is in the second most recent period [0, 5).
    expect(periodValues(store, query, 300, 10, 2)).toEqual([7, _]);
  });
});

describe('missing data: the docs tables "How alarm state is evaluated when data is missing"', () => {
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
  // Datapoints oldest first over the 5 retrieved periods: 0 not breaching, X breaching, - missing.
  const value = { '0': 0, X: 9, '-': undefined } as const;
  const range = (row: string) => row.split(' ').map((c) => value[c as keyof typeof value]);
  const settings = (m: number, treatMissingData: TreatMissingData): StateSettings => ({
    comparison: 'GreaterThanThreshold',
    threshold: 5,
    evaluationPeriods: 3,
    datapointsToAlarm: m,
    treatMissingData,
  });
  const RETAIN = undefined;
  type Row = [string, AlarmState | undefined, AlarmState | undefined, AlarmState, AlarmState];
  const check = (m: number, rows: Row[]) => {
    for (const [row, missing, ignore, breaching, notBreaching] of rows) {
      expect([row, decideState(settings(m, 'missing'), range(row)).state]).toEqual([row, missing]);
      expect([row, decideState(settings(m, 'ignore'), range(row)).state]).toEqual([row, ignore]);
      expect([row, decideState(settings(m, 'breaching'), range(row)).state]).toEqual([row, breaching]);
      expect([row, decideState(settings(m, 'notBreaching'), range(row)).state]).toEqual([row, notBreaching]);
    }
  };

  it('3 of 3: columns MISSING, IGNORE, BREACHING, NOT BREACHING', () => {
    check(3, [
      ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
      ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
      ['- - - - -', 'INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK'],
      ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
      ['- - - - X', 'INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK'],
      // The docs give ALARM for MISSING in this row; the position of the lone breaching datapoint
      // is not modelled (evaluator Approximations), so it reads like the row above.
      ['X - - - -', 'INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK'],
    ]);
  });

  it('2 of 3 (M out of N): columns MISSING, IGNORE, BREACHING, NOT BREACHING', () => {
    check(2, [
      ['0 - X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
      ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
      ['0 - X - -', 'OK', 'OK', 'ALARM', 'OK'],
      ['- - - - 0', 'OK', 'OK', 'ALARM', 'OK'],
      ['- - - - X', 'INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK'],
    ]);
  });

  it('says how many of the evaluated datapoints breach, filled ones as missing', () => {
    expect(decideState(settings(3, 'breaching'), range('0 - - - -')).reason).toBe('2 of 3 datapoints breaching: [missing, missing, 0]');
    expect(decideState(settings(2, 'missing'), range('0 0 X 0 X')).reason).toBe('2 of 3 datapoints breaching: [9, 0, 9]');
  });

  it('an ignore alarm keeps ALARM through a gap, then a real datapoint decides; evaluation re-reads the last datums for two more periods', () => {
    const store = new InMemoryMetricStore();
    const metric = ref('Lag');
    const evaluator = new AlarmEvaluator([metricAlarm('lag', metric, { treatMissingData: 'ignore' })], [], store);
    store.add(metric, { minute: 0, value: 9 });
    const { changes } = run(evaluator, 0, 10);
    // Seen from minute 1; the range is N + 2 = 3 periods, so it is the evaluated datapoint until minute 3.
    expect(changes.map((c) => [c.minute, c.to])).toEqual([[1, 'ALARM']]);
    expect(evaluator.state('lag')).toBe('ALARM');
    store.add(metric, { minute: 11, value: 1 });
    expect(run(evaluator, 11, 12).changes.map((c) => [c.minute, c.to])).toEqual([[12, 'OK']]);
  });

  it('a notBreaching alarm on a 5-minute period leaves ALARM once the datum is out of the evaluation range', () => {
    const store = new InMemoryMetricStore();
    const metric = ref('Failures');
    store.add(metric, { minute: 4, value: 7 });
    const evaluator = new AlarmEvaluator([metricAlarm('failures', metric, { periodSeconds: 300 })], [], store);
    const { changes } = run(evaluator, 0, 30);
    // Ranges: [t-15, t) in three 5-minute periods; the datum of minute 4 is in it for t = 5..19.
    expect(changes.map((c) => [c.minute, c.from, c.to])).toEqual([
      [0, 'INSUFFICIENT_DATA', 'OK'],
      [5, 'OK', 'ALARM'],
      [20, 'ALARM', 'OK'],
    ]);
  });
});

describe('metric math', () => {
  const series = (entries: Record<string, (number | undefined)[]>) => new Map(Object.entries(entries));

  it('follows the docs comparison table: a value missing in one of two series is read as 0', () => {
    const s = series({ metric1: [30, 20, 0, 0], metric2: [20, _, 20, _] });
    expect(evaluateExpression('(metric1 < metric2)', s, 'a')).toEqual([0, 0, 1, 0]);
    expect(evaluateExpression('(metric1 >= 30)', s, 'a')).toEqual([1, 0, 0, 0]);
    expect(evaluateExpression('(metric1 > 15 AND metric2 > 15)', s, 'a')).toEqual([1, 0, 0, 0]);
    // NOT of a missing comparison stays missing, and AND then reads it as 0: the second datapoint is 0, not 1.
    expect(evaluateExpression('metric1 > 15 && NOT (metric2 > 15) || metric1 == 0', s, 'a')).toEqual([0, 0, 1, 1]);
  });

  it('arithmetic: missing where no series has a value, a number keeps gaps, precedence and unary minus', () => {
    const s = series({ m1: [1, _, _, 2], m2: [_, 2, _, 3] });
    expect(evaluateExpression('m1 + m2', s, 'a')).toEqual([1, 2, _, 5]);
    expect(evaluateExpression('m1 * 10', s, 'a')).toEqual([10, _, _, 20]);
    expect(evaluateExpression('-m2 + 2 * m2 ^ 2', s, 'a')).toEqual([_, 6, _, 15]);
    expect(evaluateExpression('(1 + 2) * m1', s, 'a')).toEqual([3, _, _, 6]);
  });

  it('drops a datapoint divided by zero', () => {
    const s = series({ errors: [4, 4, _, 0], invocations: [2, 0, _, 0] });
    expect(evaluateExpression('errors / invocations', s, 'a')).toEqual([2, _, _, _]);
    expect(evaluateExpression('errors / 0', s, 'a')).toEqual([_, _, _, _]);
  });

  it('IF follows the docs tables, and IF with two arguments drops the false datapoints', () => {
    const s = series({ metric1: [1, 1, 0, 0, _], metric2: [30, _, 0, 0, 30], metric3: [0, 0, 20, _, 20] });
    expect(evaluateExpression('IF(metric1, metric2, metric3)', s, 'a')).toEqual([30, 0, 20, _, _]);
    expect(evaluateExpression('IF(metric1, 5, metric3)', s, 'a')).toEqual([5, 5, 20, _, _]);
    expect(evaluateExpression('IF(metric1, metric2, 5)', s, 'a')).toEqual([30, 0, 5, 5, _]);
    expect(evaluateExpression('IF(metric2 > 10, metric2)', s, 'a')).toEqual([30, _, _, _, 30]);
  });

  it('FILL with a number or REPEAT; LINEAR is refused', () => {
    const s = series({ m1: [_, 3, _, _, 5, _] });
    expect(evaluateExpression('FILL(m1, 0)', s, 'a')).toEqual([0, 3, 0, 0, 5, 0]);
    expect(evaluateExpression('FILL(m1, REPEAT)', s, 'a')).toEqual([_, 3, 3, 3, 5, 5]);
    expect(() => evaluateExpression('FILL(m1, LINEAR)', s, 'gap-alarm')).toThrow(UnsupportedExpressionError);
    expect(() => evaluateExpression('FILL(m1, LINEAR)', s, 'gap-alarm')).toThrow(/gap-alarm.*LINEAR/);
  });

  it('a queue with depth and no run at all cannot fire IF(depth > 0 AND lastRunAge > 360, 1, 0); FILL makes it fire', () => {
    const s = series({ depth: [5, 5, _, 5], lastRunAge: [_, _, _, _] });
    expect(evaluateExpression('IF(depth > 0 AND lastRunAge > 360, 1, 0)', s, 'NoRecentRun')).toEqual([0, 0, _, 0]);
    expect(evaluateExpression('IF(depth > 0 AND FILL(lastRunAge, 100000) > 360, 1, 0)', s, 'NoRecentRun')).toEqual([1, 1, 0, 1]);
  });

  it('the NoRecentRun alarm stays OK without FILL and goes to ALARM with it', () => {
    const depth = ref('QueueDepth');
    const lastRunAge = ref('LastRunAgeMinutes');
    const alarm = (name: string, expression: string): SimMetricAlarm => ({
      ...metricAlarm(name, depth),
      queries: [
        { kind: 'metric', id: 'depth', metric: depth, periodSeconds: 300, stat: 'Maximum', returnData: false },
        { kind: 'metric', id: 'lastRunAge', metric: lastRunAge, periodSeconds: 300, stat: 'Maximum', returnData: false },
        { kind: 'expression', id: 'e1', expression, returnData: true },
      ],
      returnId: 'e1',
      periodSeconds: 300,
      threshold: 1,
      comparison: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'breaching',
    });
    const store = new InMemoryMetricStore();
    for (let minute = 0; minute < 120; minute++) store.add(depth, { minute, value: 3 });
    const evaluator = new AlarmEvaluator(
      [alarm('no-run', 'IF(depth > 0 AND lastRunAge > 360, 1, 0)'), alarm('no-run-filled', 'IF(depth > 0 AND FILL(lastRunAge, 100000) > 360, 1, 0)')],
      [],
      store,
    );
    const { changes } = run(evaluator, 5, 120);
    expect(changes.filter((c) => c.alarm === 'no-run').map((c) => c.to)).toEqual(['OK']);
    expect(changes.filter((c) => c.alarm === 'no-run-filled').map((c) => c.to)).toEqual(['ALARM']);
  });

  it('DIFF and RATE read the preceding real value; MIN/MAX of one series is a number, of an array a series', () => {
    const s = series({ m1: [1, _, 4, 6], m2: [3, 8, _, 2] });
    expect(evaluateExpression('DIFF(m1)', s, 'a')).toEqual([_, _, 3, 2]);
    expect(evaluateExpression('RATE(m1)', s, 'a', { periodSeconds: 60 })).toEqual([_, _, 3 / 120, 2 / 60]);
    expect(evaluateExpression('m1 - MIN(m1)', s, 'a')).toEqual([0, _, 3, 5]);
    expect(evaluateExpression('MAX([m1, m2])', s, 'a')).toEqual([3, 8, 4, 6]);
    expect(evaluateExpression('ABS(m2 - 5)', s, 'a')).toEqual([2, 3, _, 3]);
  });

  it('refuses what it does not model, naming the function or identifier and the alarm', () => {
    const s = series({ m1: [1, 2] });
    const refused = (expression: string) => {
      try {
        evaluateExpression(expression, s, 'CostSpike');
      } catch (err) {
        expect(err).toBeInstanceOf(UnsupportedExpressionError);
        return (err as Error).message;
      }
      throw new Error(`${expression} was not refused`);
    };
    expect(refused('ANOMALY_DETECTION_BAND(m1, 2)')).toMatch(/"CostSpike".*function ANOMALY_DETECTION_BAND/);
    expect(refused('STDDEV(m1)')).toMatch(/function STDDEV/);
    expect(refused('MAX(m1, 3)')).toMatch(/MAX with 2 argument/);
    expect(refused('MAX(m1)')).toMatch(/single number/);
    expect(refused('m1 + unknownId')).toMatch(/unknown identifier "unknownId"/);
    expect(refused('m1 +')).toMatch(/CostSpike/);
    // The evaluator refuses at construction, before any minute runs.
    const bad = { ...metricAlarm('Bad', ref('X')), queries: [...metricAlarm('Bad', ref('X')).queries, { kind: 'expression' as const, id: 'e1', expression: 'SEARCH(m1)', returnData: true }], returnId: 'e1' };
    expect(() => new AlarmEvaluator([bad], [], new InMemoryMetricStore())).toThrow(/"Bad".*function SEARCH/);
  });
});

describe('composite alarms and notifications', () => {
  const a = ref('A');
  const b = ref('B');

  it('AND, OR and NOT of members read in the same minute; a false rule is OK even with members in INSUFFICIENT_DATA', () => {
    const store = new InMemoryMetricStore();
    const alarms: SimAlarm[] = [
      // Composites first, and one reading another: order in the list must not matter.
      composite('outer', 'ALARM(both) OR ALARM("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:either")'),
      composite('both', 'ALARM(a) AND ALARM(b)'),
      composite('either', 'ALARM(a) OR ALARM(b)'),
      composite('a-not-ok', 'NOT OK(a)'),
      composite('b-waiting', 'INSUFFICIENT_DATA(b)'),
      metricAlarm('a', a),
      // b has no data and treats missing as missing: it stays INSUFFICIENT_DATA.
      metricAlarm('b', b, { treatMissingData: 'missing' }),
    ];
    const evaluator = new AlarmEvaluator(alarms, [], store);
    const first = evaluator.step(0);
    expect(new Map(first.changes.map((c) => [c.alarm, c.to]))).toEqual(
      new Map([['a', 'OK'], ['both', 'OK'], ['either', 'OK'], ['a-not-ok', 'OK'], ['b-waiting', 'ALARM'], ['outer', 'OK']]),
    );
    expect(evaluator.state('b')).toBe('INSUFFICIENT_DATA');
    store.add(a, { minute: 0, value: 9 });
    const second = evaluator.step(1);
    expect(second.changes.map((c) => [c.minute, c.alarm, c.to])).toEqual([
      [1, 'a', 'ALARM'],
      [1, 'either', 'ALARM'],
      [1, 'outer', 'ALARM'],
      [1, 'a-not-ok', 'ALARM'],
    ]);
    expect(evaluator.state('both')).toBe('OK');
    expect(second.changes.find((c) => c.alarm === 'either')?.reason).toMatch(/is true/);
  });

  it('refuses a composite naming an alarm that is not in the stack', () => {
    expect(() => new AlarmEvaluator([composite('roll-up', 'ALARM(a) OR ALARM(ghost)'), metricAlarm('a', a)], [], new InMemoryMetricStore())).toThrow(/"ghost"/);
  });

  it('notifies each topic of the new state with its display name, severity and subscribers; an unknown topic id still counts', () => {
    const topics: SimTopic[] = [
      { logicalId: 'CriticalTopic', displayName: 'Data lake critical', severity: 'critical', subscribers: [{ protocol: 'email', endpoint: 'oncall@example.com' }, { protocol: 'sms', endpoint: '+15550100' }] },
      { logicalId: 'WarningTopic', displayName: 'Data lake warning', severity: 'warning', subscribers: [] },
    ];
    const store = new InMemoryMetricStore();
    const alarm = metricAlarm('a', a, { actions: { alarm: ['CriticalTopic', 'ImportedTopic'], ok: ['WarningTopic'], insufficientData: ['CriticalTopic'] } });
    const evaluator = new AlarmEvaluator([alarm], topics, store);
    expect(evaluator.step(0).notifications).toEqual([{ minute: 0, alarm: 'a', state: 'OK', topic: 'Data lake warning', severity: 'warning', recipients: [] }]);
    expect(evaluator.step(1).notifications).toEqual([]); // no change, no notification
    store.add(a, { minute: 1, value: 6 });
    expect(evaluator.step(2).notifications).toEqual([
      { minute: 2, alarm: 'a', state: 'ALARM', topic: 'Data lake critical', severity: 'critical', recipients: ['email:oncall@example.com', 'sms:+15550100'] },
      { minute: 2, alarm: 'a', state: 'ALARM', topic: 'ImportedTopic', recipients: [] },
    ]);
  });

  it('keeps an alarm it does not simulate in INSUFFICIENT_DATA, silent', () => {
    const evaluator = new AlarmEvaluator(
      [{ kind: 'not-simulated', name: 'band', logicalId: 'Band', reason: 'anomaly detection band', actions: { alarm: ['T'], ok: ['T'], insufficientData: ['T'] } }],
      [],
      new InMemoryMetricStore(),
    );
    expect(run(evaluator, 0, 60)).toEqual({ changes: [], notifications: [] });
    expect(evaluator.state('band')).toBe('INSUFFICIENT_DATA');
  });
});

describe('a week of minutes', () => {
  it('evaluates 20 alarms and a roll-up for 7 days, each going to ALARM during its incident and back', () => {
    const store = new InMemoryMetricStore();
    const incidentStart = 3 * 1440 + 600;
    const incidentEnd = incidentStart + 120;
    const alarms: SimAlarm[] = [];
    for (let i = 0; i < 20; i++) {
      const metric = ref('Load', { Table: `t${i}` });
      for (let minute = 0; minute < 7 * 1440; minute++) {
        store.add(metric, { minute, value: minute >= incidentStart + i && minute < incidentEnd ? 10 : 1 });
      }
      alarms.push(metricAlarm(`load-${i}`, metric, { periodSeconds: 60 * (1 + (i % 5)), evaluationPeriods: 3, datapointsToAlarm: 2, actions: { alarm: ['T'], ok: [], insufficientData: [] } }));
    }
    alarms.push(composite('any-load', alarms.map((x) => `ALARM(${x.name})`).join(' OR ')));
    const evaluator = new AlarmEvaluator(alarms, [{ logicalId: 'T', displayName: 'Load', subscribers: [] }], store);
    const { changes, notifications } = run(evaluator, 0, 7 * 1440 - 1);

    for (let i = 0; i < 20; i++) {
      const p = 1 + (i % 5);
      const mine = changes.filter((c) => c.alarm === `load-${i}`);
      expect(mine.map((c) => c.to)).toEqual(['OK', 'ALARM', 'OK']);
      const [, alarmed, cleared] = mine;
      // Two breaching periods are needed: ALARM once the second whole period of the incident closes.
      expect(alarmed!.minute).toBeGreaterThan(incidentStart + i);
      expect(alarmed!.minute).toBeLessThanOrEqual(incidentStart + i + 3 * p);
      expect(cleared!.minute).toBeGreaterThan(incidentEnd);
      expect(cleared!.minute).toBeLessThanOrEqual(incidentEnd + 3 * p);
    }
    expect(changes.filter((c) => c.alarm === 'any-load').map((c) => c.to)).toEqual(['OK', 'ALARM', 'OK']);
    expect(notifications).toHaveLength(20);
  });
});
