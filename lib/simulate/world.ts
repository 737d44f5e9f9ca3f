import { dataLakeBuckets, sourceBucket } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import type { BudgetState } from './fake-aws';
import { SimBuckets } from './fake-aws';
import type { Scenario, ScenarioEvent } from './scenario';

/**
 * The world a scenario describes, minute by minute: objects arriving per data source, the ADCE
 * orchestrator's runs and its reconciliation rewriting the task queue, DIMS verifying its
 * inventory, the account's cost, the pipeline's pushes. Everything lands where the
 * configuration says the publishers read it (buckets, keys, zones), in the formats of the real
 * tools. A healthy world stays inside every threshold of the configuration; a scenario's events
 * bend it for a while.
 */

/** Default data sources of a bucket whose configuration discovers them at run time. */
const DISCOVERED_SOURCES = ['espn_play_by_play/', 'espn_box_scores/', 'espn_schedules/', 'nba_api_incremental/', 'hoopr_parquet/'];
/** Objects each source holds before the simulation starts (spread over the 14 days before it). */
const HISTORY_OBJECTS_PER_SOURCE = 1_000;
const HISTORY_MINUTES = 14 * 24 * 60;
/** The healthy share of ADCE tasks that fail: 1 of 40 in every other run (97.5 % at worst). */
const TASKS_PER_RUN = 40;
const DAILY_COST_USD = 3;

export interface DataSource {
  readonly bucket: string;
  readonly prefix: string;
  /** Minutes between new objects while healthy (a quarter of the freshness threshold, 10 to 180). */
  readonly everyMinutes: number;
  /** Stagger, so sources do not all arrive in the same minute. */
  readonly offset: number;
}

export class World {
  readonly buckets = new SimBuckets();
  readonly sources: DataSource[];
  readonly orchestratorEveryMinutes: number;
  private readonly active: ScenarioEvent[] = [];
  private costAccruedUsd = 0;
  private costMonth = -1;
  private adceRuns = 0;
  private nextObjectId = 0;

  constructor(
    readonly config: MonitoringConfig,
    readonly scenario: Scenario,
    /** Epoch ms of minute 0. */
    readonly startMs: number,
    /** The bucket the stack keeps its own state in (the ADCE cursor). */
    readonly stateBucket: string,
    /** The first minute simulated (the history is written before it). */
    readonly firstMinute = 0,
  ) {
    this.sources = [];
    for (const b of dataLakeBuckets(config)) {
      const prefixes = b.prefixes ?? DISCOVERED_SOURCES;
      prefixes.forEach((prefix, i) => {
        const thresholdHours = b.freshness.perPrefix[prefix] ?? b.freshness.defaultThresholdHours;
        this.sources.push({ bucket: b.name, prefix, everyMinutes: clamp(Math.floor((thresholdHours * 60) / 4), 10, 180), offset: (i * 7) % 10 });
      });
    }
    this.orchestratorEveryMinutes = clamp(Math.floor((config.adce.maxHoursWithoutRun * 60) / 4), 5, 30);
    this.buckets.put(stateBucket, '.keep', startMs, { body: '' });
    this.seedHistory();
  }

  /** Epoch ms of a simulated minute. */
  at(minute: number): number {
    return this.startMs + minute * 60_000;
  }

  /** The events in force at a minute. */
  activeAt(minute: number): readonly ScenarioEvent[] {
    return this.scenario.events.filter((e) => e.atMinute <= minute && (e.untilMinute === undefined || minute < e.untilMinute));
  }

  has(minute: number, kind: ScenarioEvent['kind']): ScenarioEvent | undefined {
    return this.activeAt(minute).find((e) => e.kind === kind);
  }

  /** Advances the world to `minute` (called once per minute, in order). */
  tick(minute: number): void {
    const now = this.at(minute);
    const active = this.activeAt(minute);
    this.active.splice(0, this.active.length, ...active);
    const silent = active.filter((e) => e.kind === 'source-silent');
    for (const s of this.sources) {
      if ((minute - s.offset) % s.everyMinutes !== 0) continue;
      if (silent.some((e) => e.kind === 'source-silent' && (e.prefix === undefined || e.prefix === s.prefix))) continue;
      this.putDataObject(s, now);
    }
    if (this.config.adce.enabled) this.tickAdce(minute, now);
    if (this.config.dims.enabled) this.tickDims(minute, now);
    this.tickCost(minute, now);
  }

  budget(): BudgetState {
    const limitUsd = this.config.monthlyBudgetUsd;
    const now = new Date(this.at(this.lastMinute));
    const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const daysLeft = (monthEnd - now.getTime()) / 86_400_000;
    return { limitUsd, actualUsd: this.costAccruedUsd, forecastUsd: this.costAccruedUsd + this.dailyCost(this.lastMinute) * daysLeft };
  }

  servicesCost(): Record<string, number> {
    const total = this.costAccruedUsd;
    return { 'Amazon Simple Storage Service': total * 0.6, 'AWS Lambda': total * 0.25, AmazonCloudWatch: total * 0.15 };
  }

  /** Why CloudWatch refuses PutMetricData at a minute, if it does. */
  cloudWatchRefuses(minute: number): string | undefined {
    return this.has(minute, 'cloudwatch-refuses') ? 'Rate exceeded (simulated: CloudWatch refuses PutMetricData for a while)' : undefined;
  }

  private lastMinute = 0;

  private dailyCost(minute: number): number {
    const e = this.activeAt(minute).find((x) => x.kind === 'daily-cost');
    return e?.kind === 'daily-cost' ? e.usd : DAILY_COST_USD;
  }

  private tickCost(minute: number, now: number): void {
    this.lastMinute = minute;
    const month = new Date(now).getUTCMonth();
    if (month !== this.costMonth) {
      this.costMonth = month;
      const d = new Date(now);
      this.costAccruedUsd = ((now - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)) / 86_400_000) * DAILY_COST_USD;
    }
    this.costAccruedUsd += this.dailyCost(minute) / 1440;
  }

  // The data lake

  private putDataObject(s: DataSource, now: number): void {
    const d = new Date(now);
    const key = `${s.prefix}${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/object-${String(this.nextObjectId++).padStart(8, '0')}.json`;
    this.buckets.put(s.bucket, key, now, { size: 700_000 });
  }

  private seedHistory(): void {
    for (const s of this.sources) {
      for (let i = 0; i < HISTORY_OBJECTS_PER_SOURCE; i++) {
        const minute = this.firstMinute - HISTORY_MINUTES + Math.floor((i * (HISTORY_MINUTES - s.everyMinutes)) / HISTORY_OBJECTS_PER_SOURCE);
        this.putDataObject(s, this.at(minute));
      }
    }
    if (this.config.adce.enabled && this.scenario.world?.adceHistory !== false) {
      for (let m = this.firstMinute - 24 * 60; m < this.firstMinute; m += this.orchestratorEveryMinutes) this.writeRunReport(m, this.at(m));
    }
    if (this.config.adce.enabled) this.writeQueue(this.at(this.firstMinute - 5));
    if (this.config.dims.enabled) this.writeInventory(this.at(this.firstMinute - (this.config.dims.verificationCadenceHours * 60) / 2), 0);
  }

  // ADCE

  private tickAdce(minute: number, now: number): void {
    const corrupt = this.active.some((e) => e.kind === 'corrupt-source' && e.publisher === 'adce');
    const bucket = sourceBucket(this.config, 'adce');
    if (corrupt) {
      this.buckets.put(bucket, this.config.adce.queueKey, now, { body: '{"generated_at": "2026-' });
    } else if (minute % this.config.adce.reconciliationIntervalMinutes === 0 && !this.has(minute, 'queue-not-regenerated')) {
      this.writeQueue(now);
    }
    const before = minute < 0 && this.scenario.world?.adceHistory === false;
    if (minute % this.orchestratorEveryMinutes === 0 && !this.has(minute, 'orchestrator-stops') && !before) this.writeRunReport(minute, now);
  }

  private writeQueue(now: number): void {
    const zone = this.config.adce.timeZone;
    const generated = naiveLocal(now, zone, 'T');
    const tasks = [
      { id: 'task_000001', priority: 'CRITICAL', scraper: 'espn_async_scraper', status: 'pending', created_at: generated },
      { id: 'task_000002', priority: 'HIGH', scraper: 'espn_async_scraper', status: 'pending', created_at: generated },
      { id: 'task_000003', priority: 'HIGH', scraper: 'nba_api_async_scraper', status: 'pending', created_at: generated },
      { id: 'task_000004', priority: 'MEDIUM', scraper: 'basketball_reference_async_scraper', status: 'pending', created_at: generated },
      { id: 'task_000005', priority: 'LOW', scraper: 'nba_api_async_scraper', status: 'pending', created_at: generated },
    ];
    const queue = {
      generated_at: generated,
      gaps_file: 'inventory/cache/detected_gaps.json',
      total_tasks: tasks.length,
      by_priority: { critical: 1, high: 2, medium: 1, low: 1 },
      by_source: { espn: 2, nba_api: 2, basketball_reference: 1 },
      by_scraper: { espn_async_scraper: 2, nba_api_async_scraper: 2, basketball_reference_async_scraper: 1 },
      estimated_total_minutes: 140,
      tasks,
    };
    this.buckets.put(sourceBucket(this.config, 'adce'), this.config.adce.queueKey, now, { body: JSON.stringify(queue, null, 2) });
  }

  private writeRunReport(minute: number, now: number): void {
    const rate = this.activeAt(minute).find((e) => e.kind === 'adce-failure-rate');
    this.adceRuns++;
    const failed = rate?.kind === 'adce-failure-rate' ? Math.round((TASKS_PER_RUN * rate.failedPct) / 100) : this.adceRuns % 2 === 0 ? 1 : 0;
    const zone = this.config.adce.timeZone;
    const report = {
      total_tasks: TASKS_PER_RUN + 1,
      completed: TASKS_PER_RUN - failed,
      failed,
      skipped: 1,
      by_priority: { critical: { completed: TASKS_PER_RUN - failed, failed } },
      by_scraper: { espn_async_scraper: { completed: TASKS_PER_RUN - failed, failed } },
      start_time: naiveLocal(now - 10 * 60_000, zone, ' '),
      end_time: naiveLocal(now, zone, ' '),
    };
    const key = `${this.config.adce.runsPrefix}${new Date(now).toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
    this.buckets.put(sourceBucket(this.config, 'adce'), key, now, { body: JSON.stringify(report, null, 2) });
  }

  // DIMS

  private tickDims(minute: number, now: number): void {
    const corrupt = this.active.some((e) => e.kind === 'corrupt-source' && e.publisher === 'dims');
    if (corrupt) {
      this.buckets.put(sourceBucket(this.config, 'dims'), this.config.dims.key, now, { body: 'metadata: [unclosed\n  version: :\n' });
      return;
    }
    const cadence = Math.round(this.config.dims.verificationCadenceHours * 60);
    const off = this.activeAt(minute).find((e) => e.kind === 'dims-count-off');
    // DIMS rewrites its inventory when its count goes off and when it is corrected.
    const justChanged = this.scenario.events.some((e) => e.kind === 'dims-count-off' && (e.atMinute === minute || e.untilMinute === minute));
    if ((minute % cadence === 0 && !this.has(minute, 'dims-not-verified')) || justChanged) {
      this.writeInventory(now, off?.kind === 'dims-count-off' ? off.pct : 0);
    }
  }

  private writeInventory(now: number, offPct: number): void {
    const live = this.buckets.count(dataLakeBuckets(this.config)[0]!.name);
    const documented = Math.round(live * (1 + offPct / 100));
    const verified = new Date(now).toISOString();
    const yaml = [
      'metadata:',
      '  version: 1.0.0',
      `  last_updated: '${verified}'`,
      `  last_verified: '${verified}'`,
      '  verified_by: automated',
      's3_storage:',
      '  total_objects:',
      `    value: ${documented}`,
      `    last_verified: '${verified}'`,
      '    verification_method: automated',
      '    cached: false',
      '    cache_expires: null',
      '  total_size_gb:',
      `    value: ${(documented * 0.0007).toFixed(2)}`,
      `    last_verified: '${verified}'`,
      '    verification_method: automated',
      'code_base:',
      '  python_files:',
      '    value: 1746',
      `    last_verified: '${verified}'`,
      '  test_files:',
      '    value: 412',
      `    last_verified: '${verified}'`,
      '',
    ].join('\n');
    this.buckets.put(sourceBucket(this.config, 'dims'), this.config.dims.key, now, { body: yaml });
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** A naive local timestamp as Python's isoformat()/str() writes it (`2025-11-07T23:45:12.481093`), in `zone`. */
export function naiveLocal(epochMs: number, zone: string, separator: 'T' | ' '): string {
  let format = FORMATS.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    FORMATS.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const micros = String((epochMs % 1000) * 1000).padStart(6, '0');
  return `${parts.year}-${parts.month}-${parts.day}${separator}${parts.hour}:${parts.minute}:${parts.second}.${micros}`;
}
