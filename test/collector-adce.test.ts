import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { parseConfig } from '../lib/config/load';
import { collectAdce, type AdceDocument } from '../lib/collectors/adce';
import { formatNaiveTimestamp, parseNaiveTimestamp, zoneOffsetMs } from '../lib/collectors/naive-time';
import { datumToJsonLine } from '../lib/publisher/datum';

const FIX = join(import.meta.dirname, 'fixtures', 'adce');
const queue: AdceDocument = { location: 's3://lake/adce/gaps.json', text: readFileSync(join(FIX, 'gaps.json'), 'utf8') };
const reports: AdceDocument[] = readdirSync(join(FIX, 'runs'))
  .sort()
  .map((f) => ({ location: `s3://lake/adce/runs/${f}`, text: readFileSync(join(FIX, 'runs', f), 'utf8') }));
const NOW = new Date('2025-11-08T00:30:00Z');

function ctx(overrides: Record<string, unknown> = {}) {
  const config = parseConfig(overrides);
  return { config, catalog: createCatalog(config), now: NOW };
}
const values = (datums: ReturnType<typeof collectAdce>['datums']) =>
  datums.map((d) => `${d.MetricName}${d.Dimensions ? `[${d.Dimensions.map((x) => x.Value).join(',')}]` : ''}=${d.Value}@${d.Timestamp.toISOString()}`);

describe('ADCE collector on the fixtures', () => {
  it('publishes queue depth, tasks per priority, backlog, queue age, per-run counts and last-run age', () => {
    const out = collectAdce({ queue, reports }, ctx({ adce: { priorityMetrics: true } }));
    expect(out.problems).toEqual([]);
    const now = NOW.toISOString();
    expect(values(out.datums)).toEqual([
      `ADCEQueueDepth=5@${now}`,
      `ADCEQueueTasks[critical]=1@${now}`,
      `ADCEQueueTasks[high]=2@${now}`,
      `ADCEQueueTasks[medium]=1@${now}`,
      `ADCEQueueTasks[low]=1@${now}`,
      `ADCEBacklogMinutes=140@${now}`,
      // 00:30:00 - 23:45:12.481 = 44 min 47.519 s
      `ADCEQueueAgeMinutes=44.79@${now}`,
      'ADCETasksCompleted=3@2025-11-07T23:59:40.007Z',
      'ADCETasksFailed=1@2025-11-07T23:59:40.007Z',
      'ADCETasksSkipped=1@2025-11-07T23:59:40.007Z',
      'ADCESuccessRate=75@2025-11-07T23:59:40.007Z',
      'ADCETasksCompleted=2@2025-11-08T00:14:55.902Z',
      'ADCETasksFailed=0@2025-11-08T00:14:55.902Z',
      'ADCETasksSkipped=0@2025-11-08T00:14:55.902Z',
      'ADCESuccessRate=100@2025-11-08T00:14:55.902Z',
      // 00:30:00 - 00:14:55.902 = 15 min 4.098 s
      `ADCELastRunAgeMinutes=15.07@${now}`,
    ]);
    expect(out.newestEndTime?.toISOString()).toBe('2025-11-08T00:14:55.902Z');
    expect(out.countedReports).toEqual(reports.map((r) => r.location));
    expect(datumToJsonLine(out.datums[1]!)).toBe(
      `{"Namespace":"NBA-Simulator/ADCE","MetricName":"ADCEQueueTasks","Value":1,"Unit":"Count","Dimensions":[{"Name":"Priority","Value":"critical"}],"Timestamp":"${now}"}`,
    );
  });

  it('a priority absent from by_priority publishes 0; configured priorities are lower-cased', () => {
    const out = collectAdce({ queue, reports: [] }, ctx({ adce: { priorities: ['CRITICAL', 'urgent'], priorityMetrics: true } }));
    expect(values(out.datums).filter((v) => v.startsWith('ADCEQueueTasks'))).toEqual([
      `ADCEQueueTasks[critical]=1@${NOW.toISOString()}`,
      `ADCEQueueTasks[urgent]=0@${NOW.toISOString()}`,
    ]);
  });

  it('by default (standard profile) tasks by priority are a breakdown for the log, not custom metrics; unconfigured priorities are listed too', () => {
    const out = collectAdce({ queue, reports: [] }, ctx({ adce: { priorities: ['critical', 'urgent'] } }));
    expect(out.datums.some((d) => d.MetricName === 'ADCEQueueTasks')).toBe(false);
    expect(out.tasksByPriority).toEqual([
      { priority: 'critical', tasks: 1, configured: true },
      { priority: 'urgent', tasks: 0, configured: true },
      { priority: 'high', tasks: 2, configured: false },
      { priority: 'medium', tasks: 1, configured: false },
      { priority: 'low', tasks: 1, configured: false },
    ]);
  });

  it('a run that finished no task publishes counts but no success rate', () => {
    const idle = { location: 'runs/idle.json', text: JSON.stringify({ completed: 0, failed: 0, skipped: 4, end_time: '2025-11-08 00:20:00' }) };
    const out = collectAdce({ reports: [idle] }, ctx());
    expect(out.datums.map((d) => d.MetricName)).toEqual(['ADCETasksCompleted', 'ADCETasksFailed', 'ADCETasksSkipped', 'ADCELastRunAgeMinutes']);
  });

  it('with no new report, the last-run age comes from the cursor', () => {
    const out = collectAdce({ queue, reports: [], previousNewestEndTime: new Date('2025-11-08T00:00:00Z') }, ctx());
    expect(values(out.datums).at(-1)).toBe(`ADCELastRunAgeMinutes=30@${NOW.toISOString()}`);
    expect(out.datums.some((d) => d.MetricName === 'ADCETasksCompleted')).toBe(false);
  });

  it('before any run ended, the last-run age counts from when monitoring first looked, with a warning', () => {
    const noRunSince = new Date(NOW.getTime() - 7 * 3600_000);
    const out = collectAdce({ queue, reports: [], noRunSince, runsLocation: 's3://lake/adce/runs/' }, ctx());
    expect(out.problems).toEqual([]);
    expect(values(out.datums).at(-1)).toBe(`ADCELastRunAgeMinutes=420@${NOW.toISOString()}`);
    expect(out.newestEndTime).toBeUndefined();
    expect(out.warnings).toEqual([
      'No ADCE run report has ever been recorded under s3://lake/adce/runs/: ADCELastRunAgeMinutes counts from 2025-11-07T17:30:00.000Z, when monitoring first looked.',
    ]);
  });

  it('a known newest end_time wins over the time monitoring first looked', () => {
    const noRunSince = new Date(NOW.getTime() - 7 * 3600_000);
    const out = collectAdce({ queue, reports: [], previousNewestEndTime: new Date('2025-11-08T00:00:00Z'), noRunSince }, ctx());
    expect(values(out.datums).filter((v) => v.startsWith('ADCELastRunAgeMinutes'))).toEqual([`ADCELastRunAgeMinutes=30@${NOW.toISOString()}`]);
    expect(out.warnings).toEqual([]);
    const fromReports = collectAdce({ reports, noRunSince }, ctx());
    expect(fromReports.datums.find((d) => d.MetricName === 'ADCELastRunAgeMinutes')?.Value).toBe(15.07);
  });

  it('a time monitoring first looked that lies in the future is a problem and publishes no age', () => {
    const out = collectAdce({ queue, reports: [], noRunSince: new Date(NOW.getTime() + 3600_000) }, ctx());
    expect(out.datums.some((d) => d.MetricName === 'ADCELastRunAgeMinutes')).toBe(false);
    expect(out.problems).toEqual([expect.objectContaining({ source: 'cursor', fatal: false, message: expect.stringContaining('is in the future') })]);
  });

  it('--since counts only reports that ended after it; older ones still set the last-run age', () => {
    const out = collectAdce({ reports, since: new Date('2025-11-08T00:00:00Z') }, ctx());
    expect(out.datums.filter((d) => d.MetricName === 'ADCETasksCompleted').map((d) => d.Value)).toEqual([2]);
    expect(out.uncountedReports.map((r) => r.location)).toEqual([reports[0]!.location]);
  });

  it('reports older than 14 days are not counted (CloudWatch would reject them) but named', () => {
    const old = { location: 'runs/old.json', text: JSON.stringify({ completed: 1, failed: 0, skipped: 0, end_time: '2025-10-01 00:00:00' }) };
    const out = collectAdce({ reports: [old] }, ctx());
    expect(out.datums.map((d) => d.MetricName)).toEqual(['ADCELastRunAgeMinutes']);
    expect(out.uncountedReports[0]!.why).toMatch(/older than CloudWatch's 14 days/);
  });
});

describe('ADCE collector on bad input', () => {
  it('a malformed report field is a problem naming the field, expected and got; the report\'s other datums and the other reports still count', () => {
    const broken = { location: 's3://lake/adce/runs/broken.json', text: '{"completed": 3, "failed": ' };
    const wrongType = { location: 's3://lake/adce/runs/wrong.json', text: JSON.stringify({ completed: '3', failed: 1, skipped: 0, end_time: '2025-11-08 00:00:00' }) };
    const missing = { location: 's3://lake/adce/runs/missing.json', text: JSON.stringify({ completed: 3, failed: 1, end_time: '2025-11-08 00:00:00' }) };
    const badTime = { location: 's3://lake/adce/runs/time.json', text: JSON.stringify({ completed: 3, failed: 1, skipped: 0, end_time: 'yesterday' }) };
    const out = collectAdce({ reports: [broken, reports[1]!, wrongType, missing, badTime] }, ctx());
    expect(out.problems.map((p) => [p.message, p.fatal])).toEqual([
      [expect.stringMatching(/^s3:\/\/lake\/adce\/runs\/broken.json is not valid JSON: /), false],
      ['s3://lake/adce/runs/wrong.json is not a valid ADCE run report: "completed" must be a whole number, got "3" (a string); not published', false],
      ['s3://lake/adce/runs/missing.json is not a valid ADCE run report: missing key "skipped"; not published', false],
      ['s3://lake/adce/runs/time.json: end_time "yesterday" (a string) is not a timestamp; the report is not counted', false],
    ]);
    expect(out.countedReports).toEqual([reports[1]!.location, 's3://lake/adce/runs/wrong.json', 's3://lake/adce/runs/missing.json']);
    const at = '2025-11-08T00:00:00.000Z';
    expect(values(out.datums).filter((v) => v.endsWith(at))).toEqual([
      `ADCETasksFailed=1@${at}`,
      `ADCETasksSkipped=0@${at}`,
      `ADCETasksCompleted=3@${at}`,
      `ADCETasksFailed=1@${at}`,
      `ADCESuccessRate=75@${at}`,
    ]);
  });

  it('a bad queue field is a problem naming it, expected and got; the other queue datums and the run reports are still published', () => {
    const badQueue = { location: 's3://lake/adce/gaps.json', text: JSON.stringify({ generated_at: '2025-11-07T23:45:12', total_tasks: null, estimated_total_minutes: 3 }) };
    const out = collectAdce({ queue: badQueue, reports }, ctx({ adce: { priorityMetrics: true } }));
    expect(out.problems).toEqual([
      { source: 's3://lake/adce/gaps.json', fatal: false, message: 's3://lake/adce/gaps.json is not a valid ADCE task queue: "total_tasks" must be a whole number, got null; not published' },
    ]);
    expect(out.datums.filter((d) => d.MetricName === 'ADCETasksCompleted')).toHaveLength(2);
    expect(out.datums.some((d) => d.MetricName === 'ADCEQueueDepth')).toBe(false);
    expect(out.datums.map((d) => d.MetricName)).toEqual(expect.arrayContaining(['ADCEQueueTasks', 'ADCEBacklogMinutes', 'ADCEQueueAgeMinutes']));
  });

  it('a queue that is not JSON, or not an object, is fatal', () => {
    for (const text of ['{"total_tasks": ', '[1, 2]']) {
      const out = collectAdce({ queue: { location: 'gaps.json', text }, reports: [] }, ctx());
      expect(out.problems).toEqual([expect.objectContaining({ fatal: true, source: 'gaps.json' })]);
      expect(out.datums).toEqual([]);
    }
  });

  it('negative counts and a generated_at far in the future (wrong zone) are problems, and no negative age is published', () => {
    const negative = { location: 'runs/neg.json', text: JSON.stringify({ completed: -1, failed: 0, skipped: 0, end_time: '2025-11-08 00:00:00' }) };
    const future = { location: 'gaps.json', text: JSON.stringify({ generated_at: '2025-11-08T05:00:00', total_tasks: 0, estimated_total_minutes: 0 }) };
    const out = collectAdce({ queue: future, reports: [negative] }, ctx());
    expect(out.problems.map((p) => p.message)).toEqual([
      'gaps.json: generated_at 2025-11-08T05:00:00 is 4.5 hours in the future in zone UTC; check adce.timeZone. ADCEQueueAgeMinutes is not published (a negative age hides a stalled queue).',
      'runs/neg.json is not a valid ADCE run report: "completed" must be >= 0, got -1; not published',
    ]);
    expect(out.datums.some((d) => d.MetricName === 'ADCEQueueAgeMinutes')).toBe(false);
    expect(out.datums.every((d) => d.Value >= 0)).toBe(true);
  });

  it('an unknown time zone is refused by the config schema, and by the collector for a config that skipped it', () => {
    expect(() => ctx({ adce: { timeZone: 'Mars/Olympus' } })).toThrow(/adce.timeZone = "Mars\/Olympus": is not an IANA time zone/);
    const base = ctx();
    const out = collectAdce({ queue, reports }, { ...base, config: { ...base.config, adce: { ...base.config.adce, timeZone: 'Mars/Olympus' } } });
    expect(out.datums).toEqual([]);
    expect(out.problems[0]).toMatchObject({ fatal: true, message: expect.stringContaining('"Mars/Olympus" is not an IANA time zone') });
  });
});

describe('naive timestamps in a configured zone', () => {
  it('writes an instant as ADCE does (wall time in the zone, microseconds, T or space) and reads it back', () => {
    const instant = Date.parse('2025-11-08T04:59:40.007Z');
    expect(formatNaiveTimestamp(instant, 'America/New_York', ' ')).toBe('2025-11-07 23:59:40.007000');
    expect(formatNaiveTimestamp(Date.parse('2025-07-01T12:00:00Z'), 'America/New_York')).toBe('2025-07-01T08:00:00.000000');
    expect(parseNaiveTimestamp(formatNaiveTimestamp(instant, 'Asia/Kolkata'), 'Asia/Kolkata')?.getTime()).toBe(instant);
  });

  it('reads Python isoformat and str() timestamps as UTC by default, microseconds truncated to ms', () => {
    expect(parseNaiveTimestamp('2025-11-07 23:59:40.007713')?.toISOString()).toBe('2025-11-07T23:59:40.007Z');
    expect(parseNaiveTimestamp('2025-11-07T23:45:12.481093')?.toISOString()).toBe('2025-11-07T23:45:12.481Z');
    expect(parseNaiveTimestamp('2025-11-07T23:45')?.toISOString()).toBe('2025-11-07T23:45:00.000Z');
  });

  it('America/New_York: EST after the November change, EDT in summer', () => {
    expect(parseNaiveTimestamp('2025-11-07 23:59:40.007713', 'America/New_York')?.toISOString()).toBe('2025-11-08T04:59:40.007Z');
    expect(parseNaiveTimestamp('2025-07-01 12:00:00', 'America/New_York')?.toISOString()).toBe('2025-07-01T16:00:00.000Z');
    expect(zoneOffsetMs(Date.UTC(2025, 0, 1), 'Asia/Kolkata')).toBe(5.5 * 3600_000);
  });

  it('the ADCE collector uses adce.timeZone for end_time and generated_at', () => {
    const out = collectAdce({ queue, reports }, { ...ctx({ adce: { timeZone: 'Europe/Berlin' } }), now: new Date('2025-11-08T00:00:00Z') });
    // 23:59:40 in Berlin (CET, UTC+1) is 22:59:40Z; generated_at 23:45:12.481 CET is 22:45:12.481Z.
    expect(out.datums.find((d) => d.MetricName === 'ADCETasksCompleted')?.Timestamp.toISOString()).toBe('2025-11-07T22:59:40.007Z');
    expect(out.datums.find((d) => d.MetricName === 'ADCEQueueAgeMinutes')?.Value).toBe(74.79);
  });

  it('an explicit offset wins; impossible dates and garbage are rejected', () => {
    expect(parseNaiveTimestamp('2025-11-07T23:00:00+02:00', 'America/New_York')?.toISOString()).toBe('2025-11-07T21:00:00.000Z');
    expect(parseNaiveTimestamp('2025-11-07T23:00:00Z', 'America/New_York')?.toISOString()).toBe('2025-11-07T23:00:00.000Z');
    expect(parseNaiveTimestamp('2025-02-30 00:00:00')).toBeUndefined();
    expect(parseNaiveTimestamp('not a date')).toBeUndefined();
  });
});
