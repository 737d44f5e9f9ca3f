import { stringify } from 'yaml';
import { DIMS_CORE } from '../collectors/dims';
import { formatNaiveTimestamp } from '../collectors/naive-time';
import { dataLakeBuckets, freshnessThresholdHours, sourceBucket } from '../config/load';
import type { MonitoringConfig, PublisherId } from '../config/schema';
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
  /** Its freshness threshold; null when the source is excluded from freshness. */
  readonly thresholdHours: number | null;
  /** Minutes between new objects while healthy (a quarter of the freshness threshold, 10 to 180). */
  readonly everyMinutes: number;
  /** Stagger, so sources do not all arrive in the same minute. */
  readonly offset: number;
}

/** The data sources of the simulated lake: each bucket's configured prefixes, else typical ones. */
export function dataSources(config: MonitoringConfig): DataSource[] {
  return dataLakeBuckets(config).flatMap((b) =>
    (b.prefixes ?? DISCOVERED_SOURCES).map((prefix, i) => {
      const judged = !b.excludeFromFreshness.includes(prefix);
      const hours = freshnessThresholdHours(b, prefix);
      return { bucket: b.name, prefix, thresholdHours: judged ? hours : null, everyMinutes: clamp(Math.floor((hours * 60) / 4), 10, 180), offset: (i * 7) % 10 };
    }),
  );
}

export class World {
  readonly buckets = new SimBuckets();
  readonly sources: DataSource[];
  readonly orchestratorEveryMinutes: number;
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
    this.sources = dataSources(config);
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
    const silent = this.activeAt(minute).filter((e) => e.kind === 'source-silent');
    for (const s of this.sources) {
      if ((minute - s.offset) % s.everyMinutes !== 0) continue;
      if (silent.some((e) => e.kind === 'source-silent' && (e.prefix === undefined || e.prefix === s.prefix))) continue;
      this.putDataObject(s, now);
    }
    if (this.config.adce.enabled) this.tickAdce(minute, now);
    if (this.config.dims.enabled) this.tickDims(minute, now);
    this.tickCost(minute, now);
  }

  /** What AWS Budgets says at a minute: month to date, and the month at the current daily rate. */
  budget(minute: number): BudgetState {
    const now = new Date(this.at(minute));
    const daysLeft = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime()) / 86_400_000;
    return { limitUsd: this.config.monthlyBudgetUsd, actualUsd: this.costAccruedUsd, forecastUsd: this.costAccruedUsd + this.dailyCost(minute) * daysLeft };
  }

  servicesCost(): Record<string, number> {
    const total = this.costAccruedUsd;
    return { 'Amazon Simple Storage Service': total * 0.6, 'AWS Lambda': total * 0.25, AmazonCloudWatch: total * 0.15 };
  }

  /** Whether the schedule of a publisher invokes it at a minute: not while it is stopped, and ADCE's only from minute 0 when it has never run. */
  invokes(publisher: PublisherId, minute: number): boolean {
    if (publisher === 'adce' && minute < 0 && this.adceNeverRan) return false;
    return !this.activeAt(minute).some((e) => e.kind === 'publisher-stops' && e.publisher === publisher);
  }

  /** ADCE has never run: no run report before minute 0, and its publisher is deployed at minute 0. */
  private get adceNeverRan(): boolean {
    return this.scenario.world?.adceHistory === false;
  }

  /** Why CloudWatch refuses PutMetricData at a minute, if it does. */
  cloudWatchRefuses(minute: number): string | undefined {
    return this.has(minute, 'cloudwatch-refuses') ? 'Rate exceeded (simulated: CloudWatch refuses PutMetricData for a while)' : undefined;
  }

  private dailyCost(minute: number): number {
    const e = this.activeAt(minute).find((x) => x.kind === 'daily-cost');
    return e?.kind === 'daily-cost' ? e.usd : DAILY_COST_USD;
  }

  private tickCost(minute: number, now: number): void {
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
    if (this.config.adce.enabled && !this.adceNeverRan) {
      for (let m = this.firstMinute - 24 * 60; m < this.firstMinute; m += this.orchestratorEveryMinutes) this.writeRunReport(m, this.at(m));
    }
    if (this.config.adce.enabled) this.writeQueue(this.at(this.firstMinute - 5));
    if (this.config.dims.enabled) this.writeInventory(this.at(this.firstMinute - (this.config.dims.verificationCadenceHours * 60) / 2), 0);
  }

  // ADCE

  private tickAdce(minute: number, now: number): void {
    const corrupt = this.activeAt(minute).some((e) => e.kind === 'corrupt-source' && e.publisher === 'adce');
    const bucket = sourceBucket(this.config, 'adce');
    if (corrupt) {
      this.buckets.put(bucket, this.config.adce.queueKey, now, { body: '{"generated_at": "2026-' });
    } else if (minute % this.config.adce.reconciliationIntervalMinutes === 0 && !this.has(minute, 'queue-not-regenerated')) {
      this.writeQueue(now);
    }
    if (minute % this.orchestratorEveryMinutes === 0 && !this.has(minute, 'orchestrator-stops') && !(minute < 0 && this.adceNeverRan)) this.writeRunReport(minute, now);
  }

  /** The task queue as ADCE's reconciliation writes it: one pending task per configured priority. */
  private writeQueue(now: number): void {
    const generated = formatNaiveTimestamp(now, this.config.adce.timeZone, 'T');
    const priorities = this.config.adce.priorities;
    const tasks = priorities.map((priority, i) => ({ id: `task_${String(i + 1).padStart(6, '0')}`, priority: priority.toUpperCase(), scraper: 'espn_async_scraper', status: 'pending', created_at: generated }));
    const queue = {
      generated_at: generated,
      total_tasks: tasks.length,
      by_priority: Object.fromEntries(priorities.map((p) => [p, 1])),
      by_scraper: { espn_async_scraper: tasks.length },
      estimated_total_minutes: 30 * tasks.length,
      tasks,
    };
    this.buckets.put(sourceBucket(this.config, 'adce'), this.config.adce.queueKey, now, { body: JSON.stringify(queue, null, 2) });
  }

  private writeRunReport(minute: number, now: number): void {
    const rate = this.activeAt(minute).find((e) => e.kind === 'adce-failure-rate');
    this.adceRuns++;
    const failed = rate?.kind === 'adce-failure-rate' ? Math.round((TASKS_PER_RUN * rate.failedPct) / 100) : this.adceRuns % 2 === 0 ? 1 : 0;
    const zone = this.config.adce.timeZone;
    // The orchestrator's execution_stats, written with json.dump(..., default=str).
    const report = {
      total_tasks: TASKS_PER_RUN + 1,
      completed: TASKS_PER_RUN - failed,
      failed,
      skipped: 1,
      by_priority: { critical: { completed: TASKS_PER_RUN - failed, failed } },
      by_scraper: { espn_async_scraper: { completed: TASKS_PER_RUN - failed, failed } },
      start_time: formatNaiveTimestamp(now - 10 * 60_000, zone, ' '),
      end_time: formatNaiveTimestamp(now, zone, ' '),
    };
    const key = `${this.config.adce.runsPrefix}${new Date(now).toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
    this.buckets.put(sourceBucket(this.config, 'adce'), key, now, { body: JSON.stringify(report, null, 2) });
  }

  // DIMS

  private tickDims(minute: number, now: number): void {
    const corrupt = this.activeAt(minute).some((e) => e.kind === 'corrupt-source' && e.publisher === 'dims');
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

  /** The DIMS inventory: every core metric the DIMS publisher reads and the configured extras, verified now. */
  private writeInventory(now: number, offPct: number): void {
    const objects = Math.round(this.buckets.count(dataLakeBuckets(this.config)[0]!.name) * (1 + offPct / 100));
    const verified = new Date(now).toISOString();
    const values: Record<string, number> = { [DIMS_CORE.DIMS_S3Objects]: objects, [DIMS_CORE.DIMS_S3SizeGB]: Math.round(objects * 0.07) / 100 };
    const inventory: Record<string, Record<string, unknown>> = { metadata: { version: '1.0.0', last_updated: verified, last_verified: verified, verified_by: 'automated' } };
    for (const path of [...Object.values(DIMS_CORE), ...this.config.dims.extraMetrics]) {
      const [category, metric] = path.split('.') as [string, string];
      inventory[category] ??= {};
      inventory[category][metric] = { value: values[path] ?? 100, last_verified: verified, verification_method: 'automated', cached: false, cache_expires: null };
    }
    this.buckets.put(sourceBucket(this.config, 'dims'), this.config.dims.key, now, { body: stringify(inventory) });
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
