import { topicSeverity } from '../config/alerting';
import { PUBLISHERS, type PublisherId, publisherOfServiceName } from '../config/schema';
import type {
  AlarmActions,
  AlarmQuery,
  ComparisonOperator,
  MetricRef,
  SimAlarm,
  SimLogMetricFilter,
  SimPublisher,
  SimQueue,
  SimStack,
  SimSubscriber,
  SimTopic,
  TreatMissingData,
} from './model';

/**
 * Reads a synthesized CloudFormation template of the monitoring stack into the simulator's model
 * (model.ts). Values the deploy would fill in (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) are resolved
 * to stable stand-ins, the same everywhere they occur, so an alarm's QueueName dimension and the
 * queue the simulator publishes for stay one string.
 */

/** A template the reader cannot model: names the resource and the property. */
export class TemplateReadError extends Error {
  override readonly name = 'TemplateReadError';
  constructor(
    readonly logicalId: string,
    readonly property: string,
    problem: string,
  ) {
    super(`${logicalId}.${property}: ${problem}`);
  }
}

/** Stand-ins for the values CloudFormation knows only at deploy time. */
export const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

export const ANOMALY_NOT_SIMULATED = "anomaly detection bands are trained by CloudWatch on the metric's history; not simulated";

/** Lambda retries a failed asynchronous invocation twice unless the EventInvokeConfig says otherwise. */
const LAMBDA_DEFAULT_RETRY_ATTEMPTS = 2;
/** SQS keeps a message 4 days unless MessageRetentionPeriod says otherwise. */
const SQS_DEFAULT_RETENTION_SECONDS = 345_600;
const SIMULATED_STATS = new Set(['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']);
const COMPARISONS = new Set<ComparisonOperator>(['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold']);
const MISSING_DATA = new Set<TreatMissingData>(['breaching', 'notBreaching', 'ignore', 'missing']);
const CHAT_CHANNEL_TYPES = new Set(['AWS::Chatbot::SlackChannelConfiguration', 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration']);
const READ_TYPES = new Set([
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::SNS::Topic',
  'AWS::SNS::Subscription',
  'AWS::SQS::Queue',
  'AWS::Scheduler::Schedule',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Logs::MetricFilter',
  ...CHAT_CHANNEL_TYPES,
]);
/** Types that only grant access to or display a topic or alarm: they change no notification. */
const PASSIVE_TYPES = new Set([
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::Lambda::Permission',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::KMS::Key',
  'AWS::CloudWatch::Dashboard',
]);

type Json = Record<string, unknown>;

interface Resource {
  readonly Type: string;
  readonly Properties?: Json;
}

/** Pure: a template object in, the stack model out. Throws TemplateReadError naming the resource and property it cannot read. */
export function readStackTemplate(template: unknown, stackName: string): SimStack {
  if (!isObject(template) || !isObject(template.Resources)) throw new TemplateReadError('Template', 'Resources', 'is not a CloudFormation template (no Resources object)');
  const resources = new Map<string, Resource>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (!isObject(r) || typeof r.Type !== 'string') throw new TemplateReadError(id, 'Type', 'is not a resource (no Type)');
    if (r.Properties !== undefined && !isObject(r.Properties)) throw new TemplateReadError(id, 'Properties', 'is not an object');
    resources.set(id, r as unknown as Resource);
  }
  const reader = new Reader(resources, isObject(template.Parameters) ? template.Parameters : {}, stackName);
  return reader.read();
}

class Reader {
  private readonly notes: string[] = [];
  private readonly notedPseudo = new Set<string>();
  private readonly alarmNames = new Map<string, string>();

  constructor(
    private readonly resources: ReadonlyMap<string, Resource>,
    private readonly parameters: Json,
    private readonly stackName: string,
  ) {}

  read(): SimStack {
    const queues = this.ofType('AWS::SQS::Queue').map(([id, p]) => this.queue(id, p));
    // Names first: composite rules and GetAtt Arn of an alarm name their members.
    for (const [id, p] of [...this.ofType('AWS::CloudWatch::Alarm'), ...this.ofType('AWS::CloudWatch::CompositeAlarm')]) this.alarmNames.set(id, this.alarmName(id, p));
    const alarms: SimAlarm[] = [
      ...this.ofType('AWS::CloudWatch::Alarm').map(([id, p]) => this.metricAlarm(id, p)),
      ...this.ofType('AWS::CloudWatch::CompositeAlarm').map(([id, p]) => this.compositeAlarm(id, p)),
    ];
    const topics = this.topics();
    const publishers = this.publishers();
    this.noteUnreadNotifiers(topics);
    return { stackName: this.stackName, alarms, topics, publishers, queues, notes: this.notes };
  }

  // --- alarms ---------------------------------------------------------------------------------

  private alarmName(id: string, p: Json): string {
    if (p.AlarmName === undefined) {
      this.notes.push(`${id} has no AlarmName; CloudFormation generates one at deploy, the simulation calls it ${this.stackName}-${id}.`);
      return `${this.stackName}-${id}`;
    }
    return this.text(p.AlarmName, id, 'AlarmName');
  }

  private metricAlarm(id: string, p: Json): SimAlarm {
    const name = this.alarmNames.get(id)!;
    const actions = this.actions(id, p);
    const notSimulated = (reason: string): SimAlarm => ({ kind: 'not-simulated', name, logicalId: id, reason, actions });
    const metrics = p.Metrics;
    const isAnomaly =
      p.ThresholdMetricId !== undefined ||
      (Array.isArray(metrics) && metrics.some((m) => isObject(m) && typeof m.Expression === 'string' && m.Expression.includes('ANOMALY_DETECTION_BAND')));
    if (isAnomaly) return notSimulated(ANOMALY_NOT_SIMULATED);

    let queries: AlarmQuery[];
    let returnId: string;
    let periodSeconds: number;
    if (metrics === undefined) {
      if (p.ExtendedStatistic !== undefined) {
        const stat = this.text(p.ExtendedStatistic, id, 'ExtendedStatistic');
        this.notes.push(`${name}: statistic ${stat} is not simulated (percentiles need every sample; the simulator keeps the datums only).`);
        return notSimulated(`statistic ${stat} is not simulated`);
      }
      const stat = this.text(p.Statistic, id, 'Statistic');
      if (!SIMULATED_STATS.has(stat)) throw new TemplateReadError(id, 'Statistic', `${stat} is not a CloudWatch statistic`);
      periodSeconds = this.whole(p.Period, id, 'Period');
      if (p.Unit !== undefined) this.notes.push(`${name}: the Unit filter (${String(p.Unit)}) is not simulated; every datum of the metric counts.`);
      const metric = this.metricRef({ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }, id, '');
      queries = [{ kind: 'metric', id: 'm1', metric, periodSeconds, stat, returnData: true }];
      returnId = 'm1';
    } else {
      if (!Array.isArray(metrics) || metrics.length === 0) throw new TemplateReadError(id, 'Metrics', 'is not a non-empty list of metric queries');
      queries = metrics.map((m, i) => this.query(m, id, `Metrics[${i}]`));
      const percentile = metrics.flatMap((m) => (isObject(m) && isObject(m.MetricStat) && typeof m.MetricStat.Stat === 'string' && !SIMULATED_STATS.has(m.MetricStat.Stat) ? [m.MetricStat.Stat] : []));
      if (percentile.length > 0) {
        this.notes.push(`${name}: statistic ${percentile.join(', ')} is not simulated (percentiles need every sample; the simulator keeps the datums only).`);
        return notSimulated(`statistic ${percentile.join(', ')} is not simulated`);
      }
      const periods = [...new Set(queries.flatMap((q) => (q.kind === 'metric' ? [q.periodSeconds] : [])))];
      if (periods.length === 0) throw new TemplateReadError(id, 'Metrics', 'has no MetricStat: the expressions read no metric');
      if (periods.length > 1) throw new TemplateReadError(id, 'Metrics', `mixes periods ${periods.join(' s, ')} s; CloudWatch requires one period for the metrics of an alarm`);
      periodSeconds = periods[0]!;
      returnId = this.returnId(queries, id);
    }
    if (periodSeconds % 60 !== 0) return notSimulated(`period ${periodSeconds} s is below a minute or not whole minutes; the simulator counts whole minutes`);

    const comparison = this.text(p.ComparisonOperator, id, 'ComparisonOperator') as ComparisonOperator;
    if (!COMPARISONS.has(comparison)) throw new TemplateReadError(id, 'ComparisonOperator', `${comparison} is an anomaly-band comparison, but the alarm has no band (ThresholdMetricId)`);
    const evaluationPeriods = this.whole(p.EvaluationPeriods, id, 'EvaluationPeriods');
    const datapointsToAlarm = p.DatapointsToAlarm === undefined ? evaluationPeriods : this.whole(p.DatapointsToAlarm, id, 'DatapointsToAlarm');
    if (datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) throw new TemplateReadError(id, 'DatapointsToAlarm', `${datapointsToAlarm} is not between 1 and EvaluationPeriods (${evaluationPeriods})`);
    const treatMissingData = (p.TreatMissingData === undefined ? 'missing' : this.text(p.TreatMissingData, id, 'TreatMissingData')) as TreatMissingData;
    if (!MISSING_DATA.has(treatMissingData)) throw new TemplateReadError(id, 'TreatMissingData', `${treatMissingData} is not one of ${[...MISSING_DATA].join(', ')}`);
    if (p.EvaluateLowSampleCountPercentile !== undefined) this.notes.push(`${name}: EvaluateLowSampleCountPercentile applies to percentiles only; ignored.`);
    return {
      kind: 'metric',
      name,
      logicalId: id,
      queries,
      returnId,
      periodSeconds,
      comparison,
      threshold: this.number(p.Threshold, id, 'Threshold'),
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData,
      actions,
      ...this.description(p, id),
    };
  }

  private query(m: unknown, id: string, at: string): AlarmQuery {
    if (!isObject(m)) throw new TemplateReadError(id, at, 'is not a metric query');
    const queryId = this.text(m.Id, id, `${at}.Id`);
    // CloudFormation's default: a query returns data unless ReturnData says false.
    const returnData = m.ReturnData === undefined ? true : m.ReturnData === true || m.ReturnData === 'true';
    if (m.AccountId !== undefined) this.notes.push(`${this.alarmNames.get(id)}: query ${queryId} reads account ${String(m.AccountId)}; the simulation has one account.`);
    if (typeof m.Expression === 'string') return { kind: 'expression', id: queryId, expression: m.Expression, returnData };
    if (m.Expression !== undefined) throw new TemplateReadError(id, `${at}.Expression`, 'is not a string');
    if (!isObject(m.MetricStat)) throw new TemplateReadError(id, at, 'has neither MetricStat nor Expression');
    const stat = this.text(m.MetricStat.Stat, id, `${at}.MetricStat.Stat`);
    if (m.MetricStat.Unit !== undefined) this.notes.push(`${this.alarmNames.get(id)}: the Unit filter of query ${queryId} is not simulated; every datum of the metric counts.`);
    if (!isObject(m.MetricStat.Metric)) throw new TemplateReadError(id, `${at}.MetricStat.Metric`, 'is missing');
    return {
      kind: 'metric',
      id: queryId,
      metric: this.metricRef(m.MetricStat.Metric, id, `${at}.MetricStat.Metric.`),
      periodSeconds: this.whole(m.MetricStat.Period, id, `${at}.MetricStat.Period`),
      stat,
      returnData,
    };
  }

  /** The query compared with the threshold: the only one returning data, else the expression among them. */
  private returnId(queries: readonly AlarmQuery[], id: string): string {
    const returning = queries.filter((q) => q.returnData);
    if (returning.length === 1) return returning[0]!.id;
    const expressions = returning.filter((q) => q.kind === 'expression');
    if (returning.length > 1 && expressions.length === 1) return expressions[0]!.id;
    const problem = returning.length === 0 ? 'no query returns data' : `several queries return data (${returning.map((q) => q.id).join(', ')})`;
    throw new TemplateReadError(id, 'Metrics', `${problem}; an alarm compares exactly one with its threshold`);
  }

  private metricRef(m: Json, id: string, at: string): MetricRef {
    const dimensions: Record<string, string> = {};
    if (m.Dimensions !== undefined) {
      if (!Array.isArray(m.Dimensions)) throw new TemplateReadError(id, `${at}Dimensions`, 'is not a list');
      for (const [i, d] of m.Dimensions.entries()) {
        if (!isObject(d)) throw new TemplateReadError(id, `${at}Dimensions[${i}]`, 'is not a {Name, Value} pair');
        dimensions[this.text(d.Name, id, `${at}Dimensions[${i}].Name`)] = this.text(d.Value, id, `${at}Dimensions[${i}].Value`);
      }
    }
    return { namespace: this.text(m.Namespace, id, `${at}Namespace`), name: this.text(m.MetricName, id, `${at}MetricName`), dimensions };
  }

  private compositeAlarm(id: string, p: Json): SimAlarm {
    const name = this.alarmNames.get(id)!;
    // Rules may name members by literal ARN too; the model names alarms by name.
    const rule = this.text(p.AlarmRule, id, 'AlarmRule').replace(/arn:aws[a-z-]*:cloudwatch:[^:"]*:[^:"]*:alarm:([^"]+)/g, '$1');
    if (p.ActionsSuppressor !== undefined) this.notes.push(`${name}: ActionsSuppressor is not simulated; its actions are never suppressed.`);
    return { kind: 'composite', name, logicalId: id, rule, actions: this.actions(id, p), ...this.description(p, id) };
  }

  private description(p: Json, id: string): { description?: string } {
    return p.AlarmDescription === undefined ? {} : { description: this.text(p.AlarmDescription, id, 'AlarmDescription') };
  }

  private actions(id: string, p: Json): AlarmActions {
    const read = (property: 'AlarmActions' | 'OKActions' | 'InsufficientDataActions'): string[] => {
      const list = p[property];
      if (list === undefined) return [];
      if (!Array.isArray(list)) throw new TemplateReadError(id, property, 'is not a list');
      return list.map((a, i) => this.action(a, id, `${property}[${i}]`));
    };
    const actions = { alarm: read('AlarmActions'), ok: read('OKActions'), insufficientData: read('InsufficientDataActions') };
    if (p.ActionsEnabled === false || p.ActionsEnabled === 'false') {
      this.notes.push(`${this.alarmNames.get(id)}: ActionsEnabled is false; its state changes notify nobody.`);
      return { alarm: [], ok: [], insufficientData: [] };
    }
    return actions;
  }

  /** A topic of the stack as its logical id; anything else as its (resolved) ARN, noted. */
  private action(a: unknown, id: string, at: string): string {
    if (isObject(a) && typeof a.Ref === 'string' && this.resources.has(a.Ref)) {
      const target = this.resources.get(a.Ref)!;
      if (target.Type !== 'AWS::SNS::Topic') this.notes.push(`${this.alarmNames.get(id)}: ${at} ${a.Ref} is a ${target.Type}, not a topic; not simulated.`);
      return a.Ref;
    }
    if (typeof a !== 'string' && !(isObject(a) && ('Fn::Join' in a || 'Fn::Sub' in a))) {
      throw new TemplateReadError(id, at, `${JSON.stringify(a)} is not an action the simulator reads (a Ref to a topic of the stack, or an ARN)`);
    }
    const arn = this.text(a, id, at);
    this.notes.push(`${this.alarmNames.get(id)}: ${at} ${arn} is not a topic of the stack; not simulated.`);
    return arn;
  }

  // --- topics ---------------------------------------------------------------------------------

  private topics(): SimTopic[] {
    const subscribers = new Map<string, SimSubscriber[]>();
    const subscribe = (topicId: string, s: SimSubscriber) => subscribers.set(topicId, [...(subscribers.get(topicId) ?? []), s]);
    const topics = this.ofType('AWS::SNS::Topic');
    for (const [id, p] of topics) {
      const inline = p.Subscription;
      if (inline === undefined) continue;
      if (!Array.isArray(inline)) throw new TemplateReadError(id, 'Subscription', 'is not a list');
      inline.forEach((s, i) => subscribe(id, this.subscriber(isObject(s) ? s : {}, id, `Subscription[${i}].`)));
    }
    for (const [id, p] of this.ofType('AWS::SNS::Subscription')) subscribe(this.topicRef(p.TopicArn, id, 'TopicArn'), this.subscriber(p, id, ''));
    for (const [id, r] of this.resources) {
      if (!CHAT_CHANNEL_TYPES.has(r.Type)) continue;
      const p = r.Properties ?? {};
      const channel = this.text(p.ConfigurationName, id, 'ConfigurationName');
      const arns = p.SnsTopicArns ?? [];
      if (!Array.isArray(arns)) throw new TemplateReadError(id, 'SnsTopicArns', 'is not a list');
      arns.forEach((t, i) => subscribe(this.topicRef(t, id, `SnsTopicArns[${i}]`), { protocol: 'chatbot', endpoint: channel }));
    }
    return topics.map(([id, p]) => {
      const displayName = p.DisplayName === undefined ? id : this.text(p.DisplayName, id, 'DisplayName');
      const severity = topicSeverity(displayName) ?? topicSeverity(id);
      return { logicalId: id, displayName, ...(severity ? { severity } : {}), subscribers: subscribers.get(id) ?? [] };
    });
  }

  private subscriber(p: Json, id: string, at: string): SimSubscriber {
    return { protocol: this.text(p.Protocol, id, `${at}Protocol`), endpoint: this.text(p.Endpoint, id, `${at}Endpoint`) };
  }

  /** The logical id of a topic of the stack named by `{Ref}`. */
  private topicRef(value: unknown, id: string, at: string): string {
    if (isObject(value) && typeof value.Ref === 'string' && this.resources.get(value.Ref)?.Type === 'AWS::SNS::Topic') return value.Ref;
    throw new TemplateReadError(id, at, `${JSON.stringify(value)} is not a Ref to a topic of the stack`);
  }

  // --- publishers -----------------------------------------------------------------------------

  private publishers(): SimPublisher[] {
    const invokeConfigs = new Map<string, [string, Json]>();
    for (const [id, p] of this.ofType('AWS::Lambda::EventInvokeConfig')) invokeConfigs.set(this.functionRef(p.FunctionName, id, 'FunctionName'), [id, p]);
    const filters = this.logFilters();
    const publishers: SimPublisher[] = [];
    const filtersRead = new Set<string>();
    for (const [id, p] of this.ofType('AWS::Scheduler::Schedule')) {
      if (p.State === 'DISABLED') {
        this.notes.push(`Schedule ${id} is DISABLED: its function never runs in the simulation.`);
        continue;
      }
      const target = isObject(p.Target) ? p.Target : undefined;
      const fnId = this.scheduledFunction(target?.Arn);
      if (fnId === undefined) {
        this.notes.push(`Schedule ${id} targets ${JSON.stringify(target?.Arn)}, not a function of the stack; not simulated.`);
        continue;
      }
      const fn = this.resources.get(fnId)!.Properties ?? {};
      const publisher = publisherOf(fn);
      if (publisher === undefined) {
        this.notes.push(`Schedule ${id} runs ${fnId}, which is none of the publishers (${PUBLISHERS.join(', ')}); not simulated.`);
        continue;
      }
      const everyMinutes = this.rateMinutes(p.ScheduleExpression, id);
      if (isObject(p.FlexibleTimeWindow) && p.FlexibleTimeWindow.Mode === 'FLEXIBLE') this.notes.push(`Schedule ${id} has a flexible time window; the simulation runs ${publisher} on the minute.`);
      const invoke = invokeConfigs.get(fnId);
      const logGroup = this.logGroupOf(fnId, fn);
      const logFilters = filters.filter((f) => f.logGroup === logGroup);
      logFilters.forEach((f) => filtersRead.add(f.logicalId));
      publishers.push({
        publisher,
        functionLogicalId: fnId,
        everyMinutes,
        retryAttempts: invoke?.[1].MaximumRetryAttempts === undefined ? LAMBDA_DEFAULT_RETRY_ATTEMPTS : this.whole(invoke[1].MaximumRetryAttempts, invoke[0], 'MaximumRetryAttempts'),
        ...this.failureQueue(invoke),
        logFilters: logFilters.map((f) => f.filter),
      });
    }
    for (const f of filters) {
      if (!filtersRead.has(f.logicalId)) this.notes.push(`Metric filter ${f.logicalId} reads log group ${f.logGroup}, which no scheduled publisher writes; not simulated.`);
    }
    return publishers;
  }

  private rateMinutes(expression: unknown, id: string): number {
    const text = this.text(expression, id, 'ScheduleExpression');
    const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(text);
    if (!rate) throw new TemplateReadError(id, 'ScheduleExpression', `${text} is not rate(N minutes|hours|days); the simulator runs fixed-rate schedules only`);
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    if (n < 1) throw new TemplateReadError(id, 'ScheduleExpression', `${text} has a rate below 1`);
    return n * (unit === 'minute' ? 1 : unit === 'hour' ? 60 : 1440);
  }

  private scheduledFunction(arn: unknown): string | undefined {
    const ref = isObject(arn) ? getAtt(arn) : undefined;
    const id = ref?.[1] === 'Arn' ? ref[0] : isObject(arn) && typeof arn.Ref === 'string' ? arn.Ref : undefined;
    return id !== undefined && this.resources.get(id)?.Type === 'AWS::Lambda::Function' ? id : undefined;
  }

  private functionRef(value: unknown, id: string, at: string): string {
    const fnId = isObject(value) && typeof value.Ref === 'string' ? value.Ref : undefined;
    if (fnId === undefined || this.resources.get(fnId)?.Type !== 'AWS::Lambda::Function') throw new TemplateReadError(id, at, `${JSON.stringify(value)} is not a Ref to a function of the stack`);
    return fnId;
  }

  private failureQueue(invoke: [string, Json] | undefined): { failureQueue?: string } {
    if (invoke === undefined) return {};
    const [id, p] = invoke;
    const destination = isObject(p.DestinationConfig) && isObject(p.DestinationConfig.OnFailure) ? p.DestinationConfig.OnFailure.Destination : undefined;
    if (destination === undefined) return {};
    const ref = isObject(destination) ? getAtt(destination) : undefined;
    if (ref?.[1] === 'Arn' && this.resources.get(ref[0])?.Type === 'AWS::SQS::Queue') return { failureQueue: ref[0] };
    this.notes.push(`${id}: failed runs go to ${this.text(destination, id, 'DestinationConfig.OnFailure.Destination')}, not a queue of the stack; not simulated.`);
    return {};
  }

  /** The log group a function writes: its LoggingConfig.LogGroup, else Lambda's default /aws/lambda/<name>. */
  private logGroupOf(fnId: string, fn: Json): string {
    const logGroup = isObject(fn.LoggingConfig) ? fn.LoggingConfig.LogGroup : undefined;
    if (logGroup !== undefined) return this.text(logGroup, fnId, 'LoggingConfig.LogGroup');
    return `/aws/lambda/${fn.FunctionName === undefined ? fnId : this.text(fn.FunctionName, fnId, 'FunctionName')}`;
  }

  private logFilters(): { logicalId: string; logGroup: string; filter: SimLogMetricFilter }[] {
    const read = [];
    for (const [id, p] of this.ofType('AWS::Logs::MetricFilter')) {
      const transformations = p.MetricTransformations;
      if (!Array.isArray(transformations) || transformations.length === 0 || !isObject(transformations[0])) {
        throw new TemplateReadError(id, 'MetricTransformations', 'is not a non-empty list');
      }
      if (transformations.length > 1) this.notes.push(`Metric filter ${id}: only its first metric transformation is simulated.`);
      const t = transformations[0];
      const value = Number(t.MetricValue);
      if (typeof t.MetricValue !== 'string' && typeof t.MetricValue !== 'number') throw new TemplateReadError(id, 'MetricTransformations[0].MetricValue', 'is missing');
      if (!Number.isFinite(value)) {
        this.notes.push(`Metric filter ${id}: MetricValue ${String(t.MetricValue)} is read from the log event; not simulated.`);
        continue;
      }
      if (Array.isArray(t.Dimensions) && t.Dimensions.length > 0) {
        this.notes.push(`Metric filter ${id}: its dimensions are read from the log events; not simulated.`);
        continue;
      }
      if (t.DefaultValue !== undefined) this.notes.push(`Metric filter ${id}: DefaultValue ${String(t.DefaultValue)} (sent when nothing matches) is not simulated.`);
      read.push({
        logicalId: id,
        logGroup: this.text(p.LogGroupName, id, 'LogGroupName'),
        filter: {
          pattern: typeof p.FilterPattern === 'string' ? p.FilterPattern : '',
          metric: { namespace: this.text(t.MetricNamespace, id, 'MetricTransformations[0].MetricNamespace'), name: this.text(t.MetricName, id, 'MetricTransformations[0].MetricName'), dimensions: {} },
          value,
        },
      });
    }
    return read;
  }

  // --- queues ---------------------------------------------------------------------------------

  private queue(id: string, p: Json): SimQueue {
    return {
      logicalId: id,
      queueName: this.queueName(id),
      retentionSeconds: p.MessageRetentionPeriod === undefined ? SQS_DEFAULT_RETENTION_SECONDS : this.whole(p.MessageRetentionPeriod, id, 'MessageRetentionPeriod'),
    };
  }

  /** Properties.QueueName, else the logical id: the one name the simulator publishes the queue's metrics under. */
  private queueName(id: string): string {
    const name = this.resources.get(id)?.Properties?.QueueName;
    return name === undefined ? id : this.text(name, id, 'QueueName');
  }

  // --- everything else ------------------------------------------------------------------------

  /** Resources the reader does not model that still send to a topic or react to an alarm. */
  private noteUnreadNotifiers(topics: readonly SimTopic[]): void {
    const topicNames = new Map(topics.map((t) => [t.logicalId, `"${t.displayName}"`]));
    for (const [id, r] of this.resources) {
      if (READ_TYPES.has(r.Type) || PASSIVE_TYPES.has(r.Type)) continue;
      const named = referencedIds(r.Properties);
      const toTopics = [...named].filter((n) => topicNames.has(n)).map((n) => topicNames.get(n)!);
      const onAlarms = [...named].filter((n) => this.alarmNames.has(n)).map((n) => this.alarmNames.get(n)!);
      if (toTopics.length > 0) this.notes.push(`${r.Type} ${id} sends to ${toTopics.join(', ')}; not simulated.`);
      if (onAlarms.length > 0) this.notes.push(`${r.Type} ${id} acts on ${onAlarms.join(', ')}; not simulated.`);
    }
  }

  // --- values ---------------------------------------------------------------------------------

  /** A string property, intrinsic functions resolved to the stand-ins. */
  private text(value: unknown, id: string, at: string): string {
    if (value === undefined || value === null) throw new TemplateReadError(id, at, 'is missing');
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isObject(value)) throw new TemplateReadError(id, at, `${JSON.stringify(value)} is not a string`);
    if (typeof value.Ref === 'string') return this.ref(value.Ref, id, at);
    const att = getAtt(value);
    if (att) return this.attribute(att[0], att[1], id, at);
    if ('Fn::Join' in value) {
      const join = value['Fn::Join'];
      if (!Array.isArray(join) || join.length !== 2 || typeof join[0] !== 'string' || !Array.isArray(join[1])) throw new TemplateReadError(id, at, 'Fn::Join is not [separator, [values]]');
      return join[1].map((part) => this.text(part, id, at)).join(join[0]);
    }
    if ('Fn::Sub' in value) return this.sub(value['Fn::Sub'], id, at);
    throw new TemplateReadError(id, at, `${Object.keys(value).join(', ')} is not resolved by the simulator (Ref, Fn::GetAtt, Fn::Join and Fn::Sub are)`);
  }

  private ref(name: string, id: string, at: string): string {
    if (name === 'AWS::StackName') return this.stackName;
    const pseudo = PSEUDO_PARAMETERS[name];
    if (pseudo !== undefined) {
      if (!this.notedPseudo.has(name)) {
        this.notedPseudo.add(name);
        this.notes.push(`${name} is read as ${pseudo}; the template leaves it to the deploy.`);
      }
      return pseudo;
    }
    if (this.resources.has(name)) return name;
    const parameter = this.parameters[name];
    if (isObject(parameter) && parameter.Default !== undefined) {
      this.notes.push(`Parameter ${name} is read as its default ${JSON.stringify(parameter.Default)}.`);
      return String(parameter.Default);
    }
    throw new TemplateReadError(id, at, `Ref ${name} names no resource, pseudo parameter or parameter with a default`);
  }

  private attribute(target: string, attribute: string, id: string, at: string): string {
    const resource = this.resources.get(target);
    if (!resource) throw new TemplateReadError(id, at, `Fn::GetAtt ${target}.${attribute} names no resource of the template`);
    if (attribute === 'QueueName' && resource.Type === 'AWS::SQS::Queue') return this.queueName(target);
    if (attribute === 'Arn') {
      // Composite rules name members by alarm name.
      const alarm = this.alarmNames.get(target);
      if (alarm !== undefined) return alarm;
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'resource';
      return `arn:aws:${service}:::${target}`;
    }
    throw new TemplateReadError(id, at, `Fn::GetAtt ${target}.${attribute} is not resolved by the simulator (Arn, and QueueName of a queue, are)`);
  }

  private sub(value: unknown, id: string, at: string): string {
    const [body, variables] = Array.isArray(value) ? [value[0], value[1]] : [value, undefined];
    if (typeof body !== 'string' || (variables !== undefined && !isObject(variables))) throw new TemplateReadError(id, at, 'Fn::Sub is not a string or [string, {variables}]');
    return body.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (variables && name in variables) return this.text(variables[name], id, at);
      const dot = name.indexOf('.');
      return dot > 0 && !name.startsWith('AWS::') ? this.attribute(name.slice(0, dot), name.slice(dot + 1), id, at) : this.ref(name, id, at);
    });
  }

  private number(value: unknown, id: string, at: string): number {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) throw new TemplateReadError(id, at, value === undefined ? 'is missing' : `${JSON.stringify(value)} is not a number`);
    return n;
  }

  private whole(value: unknown, id: string, at: string): number {
    const n = this.number(value, id, at);
    if (!Number.isInteger(n) || n < 0) throw new TemplateReadError(id, at, `${n} is not a whole number`);
    return n;
  }

  private ofType(type: string): [string, Json][] {
    return [...this.resources].filter(([, r]) => r.Type === type).map(([id, r]) => [id, r.Properties ?? {}]);
  }
}

/** The publisher a scheduled function runs: the Powertools service name the stack gives it (`monitor-s3-publisher`). */
export function publisherOf(fn: Json): PublisherId | undefined {
  const variables = isObject(fn.Environment) && isObject(fn.Environment.Variables) ? fn.Environment.Variables : {};
  return typeof variables.POWERTOOLS_SERVICE_NAME === 'string' ? publisherOfServiceName(variables.POWERTOOLS_SERVICE_NAME) : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** [logicalId, attribute] of `Fn::GetAtt`, in its list or its dotted form. */
function getAtt(value: Json): [string, string] | undefined {
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && att.length === 2 && typeof att[0] === 'string' && typeof att[1] === 'string') return [att[0], att[1]];
  if (typeof att === 'string' && att.includes('.')) return [att.slice(0, att.indexOf('.')), att.slice(att.indexOf('.') + 1)];
  return undefined;
}

/** Logical ids a value names through Ref or Fn::GetAtt, at any depth. */
function referencedIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencedIds(v, found));
  else if (isObject(value)) {
    if (typeof value.Ref === 'string') found.add(value.Ref);
    const att = getAtt(value);
    if (att) found.add(att[0]);
    Object.values(value).forEach((v) => referencedIds(v, found));
  }
  return found;
}
