import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { NamespaceGroup } from '../catalog/catalog';
import { alarmName } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { withinCloudWatchLimits, type AlarmWindow } from '../health/windows';
import type { Alerting, Severity } from './alerting';

/** Where the runbook lives in the repository; each alarm has a `## <base name>` section there. */
export const RUNBOOK_PATH = 'docs/monitoring/ALARM_RUNBOOKS.md';

/**
 * What the alarm does when its metric has no data for a period, in CloudWatch's words:
 * `notBreaching` (no data is good news, e.g. a failure counter), `breaching` (silence is the
 * failure, e.g. a heartbeat), `ignore` (keep the last verdict until new data), `missing`
 * (go to INSUFFICIENT_DATA). Every alarm states it: there is no default.
 */
export type MissingData = 'notBreaching' | 'breaching' | 'ignore' | 'missing';

/** How the alarm is evaluated; dashboards and the health roll-up select by it. */
export type AlarmKind = 'threshold' | 'heartbeat' | 'anomaly' | 'composite';

/** The part of the system an alarm watches: the catalog's namespace groups. */
export type AlarmArea = NamespaceGroup;

/** One alarm the factory made, with the facts dashboards, composites and docs need. */
export interface RegisteredAlarm {
  readonly alarm: cloudwatch.AlarmBase;
  /** Name without environment, e.g. `ADCE-HighFailureRate`; also the runbook heading. */
  readonly baseName: string;
  /** Name in CloudWatch (environment added when the config asks for it). */
  readonly alarmName: string;
  readonly severity: Severity;
  readonly area: AlarmArea;
  readonly kind: AlarmKind;
  /** GitHub heading slug of the runbook section. */
  readonly runbookAnchor: string;
  /** One sentence: what is wrong when it fires. */
  readonly summary: string;
  /** Whether ALARM/OK go to a topic at all. */
  readonly notifies: boolean;
  /** The severity topic ALARM/OK go to (usually the alarm's own severity); undefined when it notifies nobody. */
  readonly topic?: Severity;
}

/** Picks registered alarms; every given field must match (an empty selector picks all). */
export interface AlarmSelector {
  readonly areas?: readonly AlarmArea[];
  readonly severities?: readonly Severity[];
  readonly kinds?: readonly AlarmKind[];
  readonly baseNames?: readonly string[];
}

export interface AlarmOptions {
  readonly severity: Severity;
  /** What is wrong when the alarm fires, one sentence; opens the description. */
  readonly summary: string;
  /** @default inferred from the namespace of the alarm's (first) catalog metric */
  readonly area?: AlarmArea;
  /** Runbook section. @default the GitHub slug of the base name */
  readonly runbookAnchor?: string;
  /**
   * Where ALARM and OK go: `true` to the alarm's own severity topic, `false` nowhere (e.g. the
   * window alarms of a composite, so only the composite notifies), a severity to that topic
   * instead (e.g. a critical roll-up that only emails, as its members page on their own).
   * @default true
   */
  readonly notify?: boolean | Severity;
}

export interface ThresholdAlarmOptions extends AlarmOptions {
  readonly threshold: number;
  /** Periods evaluated (the metric's own period each). @default 1 */
  readonly periods?: number;
  /** Breaching periods among `periods` needed to alarm ("M of N"). @default `periods` */
  readonly datapointsToAlarm?: number;
  readonly missingData: MissingData;
}

export interface StaleAlarmOptions extends AlarmOptions {
  /**
   * Silence window, used as given: the alarm fires when all `periods` periods of
   * `periodMinutes` had no datapoint (e.g. `heartbeatWindow(schedule)`). Must be within
   * CloudWatch's limits (`withinCloudWatchLimits`).
   */
  readonly window: AlarmWindow;
}

export interface BandAlarmOptions extends AlarmOptions {
  /** Width of the anomaly band in standard deviations. */
  readonly bandWidth: number;
  /** Which side of the band is bad. */
  readonly direction: 'above' | 'below' | 'outside';
  /** @default 1 */
  readonly periods?: number;
  /** @default `periods` */
  readonly datapointsToAlarm?: number;
  readonly missingData: MissingData;
}

export interface CompositeAlarmOptions extends AlarmOptions {
  /** @default 'Monitoring' */
  readonly area?: AlarmArea;
}

export interface AlarmFactoryProps {
  /** Validated configuration: alarm naming (`envName`, `alarmNameEnvironment`), `runbookBaseUrl`, namespaces. */
  readonly config: MonitoringConfig;
  /** Routes each alarm's ALARM and OK transitions by severity. */
  readonly alerting: Alerting;
}

/**
 * Semantic alarms: callers say what is bad (`whenBelow(95)`, `staleAfter(window)`) and how loud,
 * the factory fixes the operator, the name (with the environment when asked), the description
 * with its runbook link, and the routing. Every alarm is registered with its severity and area
 * so dashboards show the states of the alarms they relate to and roll-ups can be built.
 */
export class AlarmFactory extends Construct {
  private readonly config: MonitoringConfig;
  private readonly alerting: Alerting;
  private readonly entries: RegisteredAlarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmFactoryProps) {
    super(scope, id);
    this.config = props.config;
    this.alerting = props.alerting;
  }

  /** Every alarm made so far, in creation order. */
  get registered(): readonly RegisteredAlarm[] {
    return [...this.entries];
  }

  /** Registered alarms matching every given field of the selector. */
  select(selector: AlarmSelector = {}): RegisteredAlarm[] {
    return this.entries.filter(
      (e) =>
        (!selector.areas || selector.areas.includes(e.area)) &&
        (!selector.severities || selector.severities.includes(e.severity)) &&
        (!selector.kinds || selector.kinds.includes(e.kind)) &&
        (!selector.baseNames || selector.baseNames.includes(e.baseName)),
    );
  }

  /** The registered alarm of a base name; throws when there is none. */
  get(baseName: string): RegisteredAlarm {
    const entry = this.entries.find((e) => e.baseName === baseName);
    if (!entry) throw new Error(`No alarm "${baseName}" is registered. Registered: ${this.entries.map((e) => e.baseName).join(', ') || '(none)'}`);
    return entry;
  }

  /** Fires when the metric is strictly above the threshold. */
  whenAbove(baseName: string, metric: cloudwatch.IMetric, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    return this.threshold(baseName, metric, options, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD);
  }

  /** Fires when the metric is at or above the threshold. */
  whenAtLeast(baseName: string, metric: cloudwatch.IMetric, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    return this.threshold(baseName, metric, options, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
  }

  /** Fires when the metric is strictly below the threshold. */
  whenBelow(baseName: string, metric: cloudwatch.IMetric, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    return this.threshold(baseName, metric, options, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD);
  }

  /** Fires when the metric is at or below the threshold. */
  whenAtMost(baseName: string, metric: cloudwatch.IMetric, options: ThresholdAlarmOptions): cloudwatch.Alarm {
    return this.threshold(baseName, metric, options, cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD);
  }

  /**
   * Dead-man's switch: fires when every period of the window counted no datapoint. A metric is
   * counted by its SampleCount; an expression (e.g. the datapoints of `<Operation>Duration` of
   * every Status, summed with FILL) must count itself, and gets the window's period. Missing data
   * is breaching, so a job that never runs alarms instead of sitting in INSUFFICIENT_DATA.
   */
  staleAfter(baseName: string, metric: cloudwatch.Metric | cloudwatch.MathExpression, options: StaleAlarmOptions): cloudwatch.Alarm {
    const { periodMinutes, periods } = options.window;
    if (!withinCloudWatchLimits(options.window)) {
      throw new Error(`Alarm "${baseName}": a silence window of ${periods} x ${periodMinutes} min is outside CloudWatch's limits (whole minutes, at most a day per period, at most 1 day in total below hourly periods, 7 days otherwise).`);
    }
    const period = Duration.minutes(periodMinutes);
    // A MathExpression puts every metric it reads on its own period: one period for all, as metric-math alarms need.
    // A single metric is counted through FILL(count, 0): an empty period is then a real 0, so exactly the last
    // `periods` periods decide. With missing data instead, CloudWatch's evaluation range (more periods than
    // evaluated) holds the last datum for longer and the alarm fires periods later than its window says.
    const counted =
      metric instanceof cloudwatch.MathExpression
        ? metric.with({ period })
        : new cloudwatch.MathExpression({
            expression: 'FILL(count, 0)',
            usingMetrics: { count: metric.with({ statistic: cloudwatch.Stats.SAMPLE_COUNT, period }) },
            period,
            label: `${metric.metricName} datums per ${periodMinutes} min`,
          });
    const alarm = new cloudwatch.Alarm(this, baseName, {
      ...this.common(baseName, options),
      metric: counted,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    return this.register(baseName, alarm, 'heartbeat', metric, options);
  }

  /** Fires when the metric leaves its CloudWatch anomaly band on the given side. */
  outsideBand(baseName: string, metric: cloudwatch.IMetric, options: BandAlarmOptions): cloudwatch.AnomalyDetectionAlarm {
    const operator = {
      above: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      below: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
      outside: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
    }[options.direction];
    const periods = options.periods ?? 1;
    const alarm = new cloudwatch.AnomalyDetectionAlarm(this, baseName, {
      ...this.common(baseName, options),
      metric,
      stdDevs: options.bandWidth,
      comparisonOperator: operator,
      evaluationPeriods: periods,
      datapointsToAlarm: options.datapointsToAlarm ?? periods,
      treatMissingData: missingData(options.missingData),
    });
    return this.register(baseName, alarm, 'anomaly', metric, options);
  }

  /** A composite alarm over other alarms (e.g. "any critical alarm"), registered like the rest. */
  composite(baseName: string, rule: cloudwatch.IAlarmRule, options: CompositeAlarmOptions): cloudwatch.CompositeAlarm {
    const { alarmName: compositeAlarmName, alarmDescription } = this.common(baseName, options);
    const alarm = new cloudwatch.CompositeAlarm(this, baseName, { compositeAlarmName, alarmDescription, alarmRule: rule });
    return this.register(baseName, alarm, 'composite', undefined, { ...options, area: options.area ?? 'Monitoring' });
  }

  /** The description every alarm carries: summary, severity, runbook link. */
  description(baseName: string, options: Pick<AlarmOptions, 'summary' | 'severity' | 'runbookAnchor'>): string {
    const link = runbookLink(this.config, options.runbookAnchor ?? runbookAnchor(baseName));
    const text = `${options.summary.trim()} Severity: ${options.severity}. Runbook: ${link}`;
    if (text.length > 1024) throw new Error(`Description of alarm ${baseName} is ${text.length} characters; CloudWatch allows 1024.`);
    return text;
  }

  private threshold(
    baseName: string,
    metric: cloudwatch.IMetric,
    options: ThresholdAlarmOptions,
    comparisonOperator: cloudwatch.ComparisonOperator,
  ): cloudwatch.Alarm {
    const periods = options.periods ?? 1;
    const alarm = new cloudwatch.Alarm(this, baseName, {
      ...this.common(baseName, options),
      metric,
      comparisonOperator,
      threshold: options.threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: options.datapointsToAlarm ?? periods,
      treatMissingData: missingData(options.missingData),
    });
    return this.register(baseName, alarm, 'threshold', metric, options);
  }

  private common(baseName: string, options: AlarmOptions) {
    if (this.entries.some((e) => e.baseName === baseName)) throw new Error(`Alarm "${baseName}" is defined twice.`);
    return { alarmName: this.nameOf(baseName), alarmDescription: this.description(baseName, options) };
  }

  private nameOf(baseName: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(baseName)) {
      throw new Error(`Alarm base name "${baseName}" must be letters, digits, ".", "_" and "-" (it is also a runbook heading).`);
    }
    return alarmName(this.config, baseName);
  }

  private register<A extends cloudwatch.AlarmBase>(
    baseName: string,
    alarm: A,
    kind: AlarmKind,
    metric: cloudwatch.IMetric | undefined,
    options: AlarmOptions,
  ): A {
    const area = options.area ?? (metric && this.areaOf(metric));
    if (!area) {
      throw new Error(`Alarm "${baseName}" watches no metric of a ${this.config.namespacePrefix}/* namespace: pass \`area\`.`);
    }
    const notify = options.notify ?? true;
    const topic = notify === true ? options.severity : notify === false ? undefined : notify;
    if (topic) this.alerting.notify(alarm, topic);
    this.entries.push({
      alarm,
      baseName,
      alarmName: this.nameOf(baseName),
      severity: options.severity,
      area,
      kind,
      runbookAnchor: options.runbookAnchor ?? runbookAnchor(baseName),
      summary: options.summary,
      notifies: topic !== undefined,
      topic,
    });
    return alarm;
  }

  /** The namespace group of the first metric of ours inside the metric (or math expression). */
  private areaOf(metric: cloudwatch.IMetric): AlarmArea | undefined {
    const prefix = `${this.config.namespacePrefix}/`;
    for (const m of metricsIn(metric)) {
      if (m.namespace.startsWith(prefix)) return m.namespace.slice(prefix.length) as AlarmArea;
    }
    return undefined;
  }
}

/** The GitHub anchor of a Markdown heading: lower case, punctuation except "-" and "_" dropped, spaces to "-". */
export function runbookAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Link to a runbook section: absolute under `runbookBaseUrl` when configured, else the repository path. */
export function runbookLink(config: Pick<MonitoringConfig, 'runbookBaseUrl'>, anchor: string): string {
  const base = config.runbookBaseUrl ? `${config.runbookBaseUrl.replace(/\/+$/, '')}/` : '';
  return `${base}${RUNBOOK_PATH}#${anchor}`;
}

function missingData(value: MissingData): cloudwatch.TreatMissingData {
  return {
    notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
    breaching: cloudwatch.TreatMissingData.BREACHING,
    ignore: cloudwatch.TreatMissingData.IGNORE,
    missing: cloudwatch.TreatMissingData.MISSING,
  }[value];
}

/** The plain metrics a metric or math expression reads, depth first. */
function metricsIn(metric: cloudwatch.IMetric): cloudwatch.Metric[] {
  if (metric instanceof cloudwatch.Metric) return [metric];
  if (metric instanceof cloudwatch.MathExpression) return Object.values(metric.usingMetrics).flatMap(metricsIn);
  return [];
}
