import { describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { collectS3 } from '../lib/collectors/s3';
import { parseConfig } from '../lib/config/load';
import type { MonitoringConfigInput } from '../lib/config/schema';
import { heartbeatWindow, periodMinutesFor, staleBeforeNextCheck, withinCloudWatchLimits } from '../lib/health/windows';
import type { BucketScan } from '../lib/sources/s3-scan';

describe('heartbeat windows derived from schedules', () => {
  it.each([
    [5, 5, 2],
    [60, 60, 2],
    [360, 360, 2],
    [1440, 1440, 2],
    [2880, 1440, 4],
    [1441, 960, 3],
    [10080, 1440, 7],
  ])('every %i min -> %i-minute periods x %i', (schedule, period, periods) => {
    const w = heartbeatWindow(schedule);
    expect(w).toEqual({ periodMinutes: period, periods });
    expect(withinCloudWatchLimits(w)).toBe(true);
    // Never longer than 2 intervals, never shorter than 1 (a late run must not fire it).
    expect(w.periodMinutes * w.periods).toBeLessThanOrEqual(2 * schedule);
    expect(w.periodMinutes * w.periods).toBeGreaterThanOrEqual(schedule);
  });

  it('every schedule the config accepts gives a window CloudWatch accepts', () => {
    for (let s = 1; s <= 10080; s++) expect(withinCloudWatchLimits(heartbeatWindow(s)), `${s}`).toBe(true);
  });

  it("knows CloudWatch's limits", () => {
    expect(withinCloudWatchLimits({ periodMinutes: 30, periods: 49 })).toBe(false); // 24.5 h at a sub-hour period
    expect(withinCloudWatchLimits({ periodMinutes: 1441, periods: 1 })).toBe(false);
    expect(withinCloudWatchLimits({ periodMinutes: 1440, periods: 8 })).toBe(false);
    expect(() => heartbeatWindow(0)).toThrow(/>= 1/);
  });
});

describe('metric periods from cadences', () => {
  it('one interval, clamped to 1 minute .. 1 day; 5 minutes without a cadence', () => {
    expect([periodMinutesFor(5), periodMinutesFor(360), periodMinutesFor(1440), periodMinutesFor(2880), periodMinutesFor(0), periodMinutesFor(undefined)]).toEqual([5, 360, 1440, 1440, 1, 5]);
  });
});

describe('freshness judged against the next check (S3 collector)', () => {
  const now = new Date('2025-11-06T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const scan = (ages: Record<string, number>): BucketScan => {
    const prefixes = Object.entries(ages).map(([prefix, h]) => ({ prefix, objects: 1, bytes: 10, newest: hoursAgo(h) }));
    return {
      bucket: 'lake', objects: prefixes.length, bytes: 10 * prefixes.length, root: { prefix: '', objects: 0, bytes: 0 }, prefixes, nested: [],
      stats: { mode: 'list', requests: 1, criticalPath: 1, maxInFlight: 1, splits: 0, durationMs: 1 },
    };
  };
  const collect = (input: MonitoringConfigInput, ages: Record<string, number>) => {
    const config = parseConfig(input);
    const out = collectS3({ scan: scan(ages) }, { config, catalog: createCatalog(config), now });
    return { stale: out.sources.filter((s) => s.stale).map((s) => s.prefix), count: out.datums.find((d) => d.MetricName === 'S3StaleSources')!.Value };
  };

  it('with the hourly scan and a 36 h threshold, a source 35.1 h old is already stale (36.1 h at the next check)', () => {
    expect(collect({ s3: { scheduleMinutes: 60 } }, { 'a/': 34.9, 'b/': 35.1, 'c/': 40 })).toEqual({ stale: ['b/', 'c/'], count: 2 });
    // The default 2-hourly scan looks 2 h ahead.
    expect(collect({}, { 'a/': 33.9, 'b/': 34.1 })).toEqual({ stale: ['b/'], count: 1 });
  });

  it('the lookahead is the S3 schedule: every 6 h flags sources from 30 h; per-prefix thresholds too', () => {
    expect(collect({ s3: { scheduleMinutes: 360 } }, { 'a/': 29.9, 'b/': 30.1 }).stale).toEqual(['b/']);
    expect(collect({ s3: { freshness: { perPrefix: { 'slow/': 168 } } } }, { 'slow/': 165.9, 'fast/': 34.5 }).stale).toEqual(['fast/']);
  });

  it('staleBeforeNextCheck: strictly past the threshold at the next check', () => {
    expect(staleBeforeNextCheck(2100, 2160, 60)).toBe(false);
    expect(staleBeforeNextCheck(2100.1, 2160, 60)).toBe(true);
  });
});
