import { namespaceOf } from '../config/load';
import { type MonitoringConfig, OPERATION_NAME, PUBLISHERS, type PublisherId } from '../config/schema';
import { MAX_DIMENSION_VALUE, type MetricDatum } from './datum';

/**
 * The metric catalog: the single source of truth for every metric the stack publishes or
 * expects. Collectors build datums through it, CDK builds alarm and widget metrics through it,
 * and the CLI validates pushed datums against it, so a name, unit or dimension set can only be
 * spelled once. This module must stay free of aws-cdk-lib: Lambda bundles import it.
 */

export type NamespaceGroup = 'DataCollection' | 'ADCE' | 'Performance' | 'Costs' | 'DataQuality' | 'DIMS' | 'Monitoring';

/** CloudWatch standard units used here (CloudWatch has no minutes, hours or currency unit). */
export type MetricUnit = 'Count' | 'Percent' | 'Seconds' | 'Gigabytes' | 'None';

/** Who sends a metric: one of the scheduled publishers, the team's pipeline, or a log metric filter. */
export type MetricSource = PublisherId | 'pipeline' | 'logs';

/**
 * When a metric has data:
 * - `every-run`: each successful run of its publisher sends it (usable as a heartbeat), or each
 *   run due for it when it has a `dashboardCadenceMinutes`;
 * - `when-data`: only when the source has something to report (a new run report, a forecast);
 * - `pushed`: whenever the pipeline (or a log filter) sends it.
 */
export type Emission = 'every-run' | 'when-data' | 'pushed';

export interface MetricSpec {
  readonly group: NamespaceGroup;
  readonly name: string;
  readonly unit: MetricUnit;
  /** Exact dimension names, in the order datums carry them. */
  readonly dimensions: readonly string[];
  /** Dimensions whose value never changes (e.g. DIMS's `Source=DIMS`). */
  readonly fixedDimensions?: Readonly<Record<string, string>>;
  /** Dimensions that only take these values (e.g. `Status` of `<Operation>Duration`); others are refused. */
  readonly dimensionValues?: Readonly<Record<string, readonly string[]>>;
  readonly description: string;
  readonly source: MetricSource;
  readonly emission: Emission;
  /** The statistic that makes sense on a graph or alarm. */
  readonly statistic: 'Average' | 'Sum' | 'Maximum' | 'Minimum' | 'SampleCount';
  /**
   * For a metric only a dashboard reads (no alarm may): send it at the pace it changes at, not
   * at every run. CloudWatch bills a custom metric for each hour it gets data, so a metric sent
   * every 6 hours costs a sixth of one sent hourly. Rounded up to a whole number of publisher
   * runs. @default every run
   */
  readonly dashboardCadenceMinutes?: number;
}

export interface CatalogMetric extends MetricSpec {
  /** Full namespace, e.g. `NBA-Simulator/ADCE`. */
  readonly namespace: string;
  /** How often the metric is sent: its publisher's schedule, or its dashboard cadence rounded up to whole runs; undefined for pushed metrics. */
  readonly cadenceMinutes?: number;
  /** How often its publisher runs; undefined for pushed metrics. */
  readonly scheduleMinutes?: number;
  /** False when config turns the metric off (it is declared but nothing sends it). */
  readonly enabled: boolean;
}

export type Dimensions = Readonly<Record<string, string>>;

export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

const DIMS_SOURCE = { Source: 'DIMS' } as const;

/** Declared metrics; config-dependent ones (operations, DIMS extras) are added by `createCatalog`. */
function baseSpecs(config: MonitoringConfig): Array<MetricSpec & { enabled?: boolean }> {
  const s3 = (name: string, unit: MetricUnit, description: string, extra: Partial<MetricSpec> = {}): MetricSpec => ({
    group: 'DataCollection', name, unit, dimensions: ['Bucket'], description, source: 's3', emission: 'every-run', statistic: 'Maximum', ...extra,
  });
  const adce = (name: string, unit: MetricUnit, description: string, extra: Partial<MetricSpec> = {}): MetricSpec => ({
    group: 'ADCE', name, unit, dimensions: [], description, source: 'adce', emission: 'every-run', statistic: 'Maximum', ...extra,
  });
  const cost = (name: string, unit: MetricUnit, description: string, extra: Partial<MetricSpec> = {}): MetricSpec => ({
    group: 'Costs', name, unit, dimensions: [], description, source: 'cost', emission: 'every-run', statistic: 'Maximum', ...extra,
  });
  const dims = (name: string, unit: MetricUnit, description: string, extra: Partial<MetricSpec> = {}): MetricSpec => ({
    group: 'DIMS', name, unit, dimensions: [], description, source: 'dims', emission: 'every-run', statistic: 'Maximum', ...extra,
  });
  const perPrefix = { dimensions: ['Bucket', 'Prefix'], enabled: config.s3.perPrefixMetrics.length > 0 };
  const whenRun = { emission: 'when-data' as const };
  // Dashboard-only metrics, sent at the pace they change at: the lake's size a few times a day,
  // DIMS's recorded values when DIMS verifies itself.
  const sixHourly = { dashboardCadenceMinutes: 360 };
  const asDimsVerifies = { dashboardCadenceMinutes: Math.round(config.dims.verificationCadenceHours * 60) };

  return [
    s3('S3ObjectCount', 'Count', 'Objects in the bucket (exact, root-level keys included).'),
    s3('S3TotalSizeGB', 'Gigabytes', 'Total size of the bucket in GiB.', sixHourly),
    s3('S3StaleSources', 'Count', 'Data sources (top-level prefixes) whose newest object is older than their freshness threshold.'),
    s3('S3PrefixObjectCount', 'Count', 'Objects under one source prefix (only prefixes listed in s3.perPrefixMetrics).', perPrefix),
    s3('S3PrefixSizeGB', 'Gigabytes', 'Size of one source prefix in GiB (only prefixes listed in s3.perPrefixMetrics).', perPrefix),
    s3('S3PrefixAgeMinutes', 'None', 'Minutes since the newest object under one source prefix was written (only s3.perPrefixMetrics).', perPrefix),
    {
      group: 'DataCollection', name: 'S3UploadFailures', unit: 'Count', dimensions: [], source: 'pipeline', emission: 'pushed', statistic: 'Sum',
      description: 'Uploads to the data lake that failed, pushed by the pipeline (no data = no failures).',
    },

    adce('ADCEQueueDepth', 'Count', 'Tasks in the ADCE queue (total_tasks of the task queue).'),
    adce('ADCEQueueTasks', 'Count', 'Queued ADCE tasks of one priority (adce.priorityMetrics; always logged for the Logs Insights table).', {
      dimensions: ['Priority'], enabled: config.adce.priorityMetrics && config.adce.priorities.length > 0,
    } as Partial<MetricSpec>),
    adce('ADCEBacklogMinutes', 'None', 'Estimated minutes of work in the queue (estimated_total_minutes).'),
    adce('ADCEQueueAgeMinutes', 'None', 'Minutes since the queue was last regenerated (now - generated_at).'),
    adce('ADCELastRunAgeMinutes', 'None', 'Minutes since the newest orchestrator run ended; before any run is recorded, since monitoring first looked (a lower bound).'),
    adce('ADCETasksCompleted', 'Count', 'Tasks completed by one orchestrator run (timestamped at its end).', { ...whenRun, statistic: 'Sum' }),
    adce('ADCETasksFailed', 'Count', 'Tasks failed by one orchestrator run (timestamped at its end).', { ...whenRun, statistic: 'Sum' }),
    adce('ADCETasksSkipped', 'Count', 'Tasks skipped by one orchestrator run (timestamped at its end).', { ...whenRun, statistic: 'Sum' }),
    adce('ADCESuccessRate', 'Percent', 'completed / (completed + failed) * 100 of one run; none when a run finished no task.', { ...whenRun, statistic: 'Average' }),

    {
      group: 'DataQuality', name: 'ValidationPassRate', unit: 'Percent', dimensions: [], source: 'pipeline', emission: 'pushed', statistic: 'Average',
      description: 'Share of validation checks that passed, pushed by the pipeline.',
    },

    cost('MonthlyAWSCost', 'None', 'Month-to-date unblended cost in USD.'),
    cost('BudgetUtilization', 'Percent', 'Month-to-date cost as a share of the monthly budget.'),
    cost('ForecastedMonthlyCost', 'None', 'Forecasted cost for the whole month in USD (none on the last day).', whenRun),
    cost('ForecastedBudgetUtilization', 'Percent', 'Forecasted month cost as a share of the monthly budget.', whenRun),
    cost('ServiceMonthlyCost', 'None', 'Month-to-date cost of one of the top services in USD (cost.serviceMetrics; always logged for the Logs Insights table).', {
      dimensions: ['Service'], emission: 'when-data', enabled: config.cost.serviceMetrics && config.cost.topServices > 0,
    } as Partial<MetricSpec>),

    dims('DIMS_S3Objects', 'Count', 'S3 object count recorded by DIMS.', { dimensions: ['Source'], fixedDimensions: DIMS_SOURCE, ...asDimsVerifies }),
    dims('DIMS_S3SizeGB', 'Gigabytes', 'S3 size in GB recorded by DIMS.', { dimensions: ['Source'], fixedDimensions: DIMS_SOURCE, ...asDimsVerifies }),
    dims('DIMS_PythonFiles', 'Count', 'Python files recorded by DIMS.', asDimsVerifies),
    dims('DIMS_TestFiles', 'Count', 'Test files recorded by DIMS.', asDimsVerifies),
    dims('DIMS_VerificationAgeHours', 'None', 'Hours since the newest last_verified in the DIMS inventory.'),
    // Drift compares with the S3 publisher's live count: only when that publisher runs too.
    ...(config.s3.enabled
      ? [dims('DIMS_S3ObjectsDriftPct', 'Percent', '|live S3 count - DIMS count| / DIMS count * 100 (DIMS: minor < 5, moderate < 15, major >= 15).', whenRun)]
      : []),

    {
      group: 'Monitoring', name: 'PublisherErrors', unit: 'Count', dimensions: [], source: 'logs', emission: 'pushed', statistic: 'Sum',
      description: 'ERROR-level log lines of the publisher Lambdas (log metric filter; no data = no errors).',
    },
  ];
}

/** The outcomes an operation's duration is published under (dimension `Status`): success first. */
export const OPERATION_STATUSES = ['success', 'failure'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];
/** The dimension an operation's duration carries its outcome in. */
export const OPERATION_STATUS_DIMENSION = 'Status';

/** `<Operation>Duration` in the Performance namespace, for any valid operation name. */
export function operationDurationSpec(operation: string): MetricSpec {
  return {
    group: 'Performance', name: `${operation}Duration`, unit: 'Seconds', dimensions: [OPERATION_STATUS_DIMENSION], dimensionValues: { [OPERATION_STATUS_DIMENSION]: OPERATION_STATUSES },
    source: 'pipeline', emission: 'pushed', statistic: 'Average',
    description: `Duration of the pipeline's ${operation} operation, by outcome (Status = ${OPERATION_STATUSES.join(' | ')}).`,
  };
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`. */
function oneOf(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** Metric name of a DIMS extra metric `category.metric`, e.g. `code_base.ml_scripts` -> `DIMS_CodeBaseMlScripts`. */
export function dimsExtraMetricName(path: string): string {
  const pascal = (s: string) => s.split('_').filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  const [category, metric] = path.split('.');
  return `DIMS_${pascal(category ?? '')}${pascal(metric ?? '')}`;
}

export class MetricCatalog {
  private readonly byName = new Map<string, CatalogMetric>();
  /** Metrics left out because their source is disabled, with that source (for messages). */
  private readonly disabledNames = new Map<string, MetricSource>();

  constructor(readonly config: MonitoringConfig) {
    const specs: Array<MetricSpec & { enabled?: boolean }> = [
      ...baseSpecs(config),
      ...config.pipelineOperations.map((op) => operationDurationSpec(op.name)),
      ...config.dims.extraMetrics.map((path) => ({
        group: 'DIMS' as const, name: dimsExtraMetricName(path), unit: 'None' as const, dimensions: [], source: 'dims' as const,
        emission: 'every-run' as const, statistic: 'Maximum' as const, description: `DIMS metric ${path} (configured in dims.extraMetrics).`,
        dashboardCadenceMinutes: Math.round(config.dims.verificationCadenceHours * 60),
      })),
    ];
    // A disabled source publishes nothing: its metrics are not declared, so no alarm, widget or check can name them.
    const disabled = new Set<MetricSource>(PUBLISHERS.filter((p) => !config[p].enabled));
    for (const spec of specs) {
      if (disabled.has(spec.source)) {
        this.disabledNames.set(spec.name, spec.source);
        continue;
      }
      if (this.byName.has(spec.name)) throw new CatalogError(`Metric ${spec.name} is declared twice in the catalog.`);
      this.byName.set(spec.name, this.resolve(spec));
    }
  }

  private resolve(spec: MetricSpec & { enabled?: boolean }): CatalogMetric {
    const publisher = spec.source;
    const scheduleMinutes =
      publisher === 's3' || publisher === 'adce' || publisher === 'dims' || publisher === 'cost'
        ? this.config[publisher].scheduleMinutes
        : undefined;
    const cadenceMinutes = scheduleMinutes === undefined ? undefined : sendCadence(scheduleMinutes, spec.dashboardCadenceMinutes);
    return { ...spec, namespace: namespaceOf(this.config, spec.group), cadenceMinutes, scheduleMinutes, enabled: spec.enabled ?? true };
  }

  /** Every declared metric. */
  all(): CatalogMetric[] {
    return [...this.byName.values()];
  }

  /** Whether a metric of that name is declared (its source may be disabled). */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Metrics a publisher sends. */
  publishedBy(source: MetricSource): CatalogMetric[] {
    return this.all().filter((m) => m.source === source);
  }

  /** A declared metric by name; throws with the list of names when it is not declared. */
  get(name: string): CatalogMetric {
    const metric = this.byName.get(name);
    if (metric) return metric;
    const source = this.disabledNames.get(name);
    if (source) throw new CatalogError(`Metric "${name}" is published by the ${source} publisher, which this configuration turns off (${source}.enabled: false).`);
    throw new CatalogError(`Metric "${name}" is not in the catalog. Declared: ${[...this.byName.keys()].join(', ')}`);
  }

  /** Finds a metric by namespace and name; `<Operation>Duration` matches any valid operation. */
  find(namespace: string, name: string): CatalogMetric | undefined {
    const metric = this.findByName(name);
    return metric?.namespace === namespace ? metric : undefined;
  }

  /** A metric by name alone: a declared one, else `<Operation>Duration` of any valid operation name. */
  findByName(name: string): CatalogMetric | undefined {
    const known = this.byName.get(name);
    if (known) return known;
    const op = /^(.+)Duration$/.exec(name)?.[1];
    return op !== undefined && OPERATION_NAME.test(op) ? this.resolve(operationDurationSpec(op)) : undefined;
  }

  /**
   * `<operation>Duration` in the Performance namespace (configured or not); undefined when the
   * operation name is invalid or another namespace already declares that metric name.
   */
  operationDuration(operation: string): CatalogMetric | undefined {
    return OPERATION_NAME.test(operation) ? this.find(namespaceOf(this.config, 'Performance'), `${operation}Duration`) : undefined;
  }

  /**
   * The full dimension map of a metric: fixed values filled in, and exactly the declared names
   * required. This is what makes a dimensionless widget of a dimensioned metric impossible.
   */
  dimensionsFor(metric: CatalogMetric, dimensions: Dimensions = {}): Dimensions {
    const full: Record<string, string> = { ...metric.fixedDimensions, ...dimensions };
    const given = Object.keys(full).sort();
    const declared = [...metric.dimensions].sort();
    if (given.join('|') !== declared.join('|')) {
      throw new CatalogError(
        `Metric ${metric.namespace}/${metric.name} has dimensions [${declared.join(', ')}], got [${given.join(', ')}].`,
      );
    }
    for (const [k, v] of Object.entries(full)) {
      if (typeof v !== 'string' || v.length === 0 || v.length > MAX_DIMENSION_VALUE) {
        throw new CatalogError(`Dimension ${k} of ${metric.name} must be a non-empty string of at most ${MAX_DIMENSION_VALUE} characters, got ${JSON.stringify(v)}.`);
      }
      const fixed = metric.fixedDimensions?.[k];
      if (fixed !== undefined && v !== fixed) throw new CatalogError(`Dimension ${k} of ${metric.name} is always "${fixed}", got "${v}".`);
      const allowed = metric.dimensionValues?.[k];
      if (allowed && !allowed.includes(v)) throw new CatalogError(`Dimension ${k} of ${metric.name} must be ${oneOf(allowed)}, got ${JSON.stringify(v)}.`);
    }
    return full;
  }

  /** A datum of a declared metric, ready for the publisher. */
  datum(name: string, value: number, dimensions: Dimensions = {}, timestamp: Date = new Date()): MetricDatum {
    return this.datumOf(this.get(name), value, dimensions, timestamp);
  }

  datumOf(metric: CatalogMetric, value: number, dimensions: Dimensions, timestamp: Date): MetricDatum {
    const full = this.dimensionsFor(metric, dimensions);
    return {
      Namespace: metric.namespace,
      MetricName: metric.name,
      Value: value,
      Unit: metric.unit,
      ...(metric.dimensions.length > 0 ? { Dimensions: metric.dimensions.map((n) => ({ Name: n, Value: full[n]! })) } : {}),
      Timestamp: timestamp,
    };
  }
}

/** Minutes between sends of a metric: every run, or its own cadence rounded up to whole runs. */
export function sendCadence(scheduleMinutes: number, ownCadenceMinutes?: number): number {
  if (ownCadenceMinutes === undefined || ownCadenceMinutes <= scheduleMinutes) return scheduleMinutes;
  return Math.ceil(ownCadenceMinutes / scheduleMinutes) * scheduleMinutes;
}

/**
 * Whether the run the schedule fired at `scheduledTime` sends a metric sent every
 * `cadenceMinutes` by a publisher that runs every `scheduleMinutes`: the first run of each
 * cadence window does. Runs are `scheduleMinutes` apart, so exactly one run per window is due,
 * whatever the schedule's offset; a retry of the same run decides the same.
 */
export function dueThisRun(scheduledTime: Date, cadenceMinutes: number, scheduleMinutes: number): boolean {
  if (cadenceMinutes <= scheduleMinutes) return true;
  const minute = Math.floor(scheduledTime.getTime() / 60_000);
  return ((minute % cadenceMinutes) + cadenceMinutes) % cadenceMinutes < scheduleMinutes;
}

export function createCatalog(config: MonitoringConfig): MetricCatalog {
  return new MetricCatalog(config);
}
