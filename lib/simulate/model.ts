/**
 * What `monitor simulate` knows of a synthesized stack and of the metrics it stores: the types
 * shared by the template reader, the alarm evaluator and the scenario driver. Times are whole
 * simulated minutes from the start of the simulation; CloudWatch periods stay in seconds as
 * the template writes them.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type ComparisonOperator =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** A metric's identity: namespace, name and its full set of dimensions (order does not matter). */
export interface MetricRef {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The canonical key of a metric in the store: namespace, name, dimensions sorted by name. */
export function metricKey(ref: MetricRef): string {
  const dims = Object.keys(ref.dimensions)
    .sort()
    .map((k) => `${k}=${ref.dimensions[k]}`)
    .join(',');
  return `${ref.namespace}|${ref.name}|${dims}`;
}

/** One stored value (a PutMetricData datum, or a platform metric the simulator emits). */
export interface StoredDatum {
  /** Simulated minute of the datum's timestamp (floor). */
  readonly minute: number;
  readonly value: number;
}

/** Datums by metric key, each list kept in time order. */
export interface MetricStore {
  /** Datums of a metric with `fromMinute <= minute < toMinute`. */
  between(ref: MetricRef, fromMinute: number, toMinute: number): readonly StoredDatum[];
}

/** A metric read by an alarm: `MetricStat` of the template. */
export interface MetricQuery {
  readonly kind: 'metric';
  readonly id: string;
  readonly metric: MetricRef;
  /** Seconds. */
  readonly periodSeconds: number;
  /** Average, Sum, Minimum, Maximum, SampleCount (an alarm on a percentile is read as not simulated). */
  readonly stat: string;
  readonly returnData: boolean;
}

/** A metric-math expression of an alarm. */
export interface ExpressionQuery {
  readonly kind: 'expression';
  readonly id: string;
  readonly expression: string;
  readonly returnData: boolean;
}

export type AlarmQuery = MetricQuery | ExpressionQuery;

/** Who hears about a state change: topic logical ids per target state. */
export interface AlarmActions {
  readonly alarm: readonly string[];
  readonly ok: readonly string[];
  readonly insufficientData: readonly string[];
}

/**
 * A threshold alarm on one metric or on metric math. A single-metric alarm has one query (id
 * `m1`, returnData true); a math alarm has its queries and the one that returns data.
 */
export interface SimMetricAlarm {
  readonly kind: 'metric';
  readonly name: string;
  readonly logicalId: string;
  readonly queries: readonly AlarmQuery[];
  /** Id of the query whose values are compared with the threshold. */
  readonly returnId: string;
  /** Seconds; every MetricQuery of the alarm has this period. */
  readonly periodSeconds: number;
  readonly comparison: ComparisonOperator;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  /** M of the N = evaluationPeriods (defaults to N). */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  readonly actions: AlarmActions;
  readonly description?: string;
}

/** An alarm the simulator does not evaluate (an anomaly band), with why. */
export interface SimUnsupportedAlarm {
  readonly kind: 'not-simulated';
  readonly name: string;
  readonly logicalId: string;
  readonly reason: string;
  readonly actions: AlarmActions;
}

/** A composite alarm; the rule names member alarms by name (ARNs resolved to names). */
export interface SimCompositeAlarm {
  readonly kind: 'composite';
  readonly name: string;
  readonly logicalId: string;
  readonly rule: string;
  readonly actions: AlarmActions;
  readonly description?: string;
}

export type SimAlarm = SimMetricAlarm | SimUnsupportedAlarm | SimCompositeAlarm;

export interface SimSubscriber {
  /** email, sms, lambda, https, ... as in AWS::SNS::Subscription. */
  readonly protocol: string;
  readonly endpoint: string;
}

export interface SimTopic {
  readonly logicalId: string;
  /** The topic's DisplayName, or its logical id. */
  readonly displayName: string;
  /** critical / warning when the topic is one of the stack's severity topics. */
  readonly severity?: string;
  readonly subscribers: readonly SimSubscriber[];
}

/** A scheduled publisher: its schedule, its function and where its failed runs go. */
export interface SimPublisher {
  /** s3, adce, dims, cost (from the function's logical id / schedule description). */
  readonly publisher: string;
  readonly functionLogicalId: string;
  /** From `rate(N unit)`. */
  readonly everyMinutes: number;
  /** Lambda async retries of a run that throws (EventInvokeConfig MaximumRetryAttempts; Lambda's default is 2). */
  readonly retryAttempts: number;
  /** Logical id of the queue failed runs go to, if any. */
  readonly failureQueue?: string;
  /** The log metric filters on the function's log group. */
  readonly logFilters: readonly SimLogMetricFilter[];
}

export interface SimLogMetricFilter {
  readonly pattern: string;
  readonly metric: MetricRef;
  /** The value each matching log event adds. */
  readonly value: number;
}

export interface SimQueue {
  readonly logicalId: string;
  /** The QueueName dimension value alarms use (resolved from GetAtt QueueName). */
  readonly queueName: string;
  readonly retentionSeconds: number;
}

/** The stack as the simulator sees it. */
export interface SimStack {
  readonly stackName: string;
  readonly alarms: readonly SimAlarm[];
  readonly topics: readonly SimTopic[];
  readonly publishers: readonly SimPublisher[];
  readonly queues: readonly SimQueue[];
  /** What the reader met and could not model, each with why (shown with every result). */
  readonly notes: readonly string[];
}

/** One alarm state change found by the evaluator. */
export interface StateChange {
  readonly minute: number;
  readonly alarm: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** Why, as CloudWatch's StateReason would say it (e.g. "2 of 2 datapoints breaching (0, 0)"). */
  readonly reason: string;
}

/** A notification sent to a topic by a state change. */
export interface Notification {
  readonly minute: number;
  readonly alarm: string;
  readonly state: AlarmState;
  readonly topic: string;
  readonly severity?: string;
  readonly recipients: readonly string[];
}
