import type { MetricDatum } from '../catalog/datum';

/**
 * A job is one publisher's work from source to datums: read the source, run the pure
 * collector, return datums plus every problem met. The Lambda handler and `monitor publish`
 * both call the same job; only the sending (or printing) differs.
 */
export interface Problem {
  /** What was being read: `s3://bucket/key`, a file path, `cost-explorer`, ... */
  readonly source: string;
  /** Specific and actionable: names the key/file and why. */
  readonly message: string;
  /** True when the source as a whole could not be read (the run failed). */
  readonly fatal: boolean;
}

export interface JobResult {
  readonly datums: MetricDatum[];
  readonly problems: Problem[];
  /** Structured facts for the run's log line (e.g. the per-source freshness table). */
  readonly summary?: Record<string, unknown>;
}

/** The logging a job needs; Powertools Logger and the CLI's stderr logger both fit. */
export interface JobLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What every job gets injected: no job creates its own clock, config or logger. */
export interface JobContext {
  readonly config: import('../config/schema').MonitoringConfig;
  readonly catalog: import('../catalog/catalog').MetricCatalog;
  readonly now: Date;
  readonly logger: JobLogger;
  /** When the job must stop reading and the run must end (Lambda: its timeout). @default none (tests) */
  readonly deadlines?: import('./limits').RunDeadlines;
  /**
   * When the schedule fired this run (EventBridge Scheduler's scheduled time). Metrics with a
   * dashboard cadence are sent only by the runs due for them; without it (a manual run, the CLI)
   * every metric is sent.
   */
  readonly scheduledTime?: Date;
}
