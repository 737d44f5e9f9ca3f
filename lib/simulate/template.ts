import { SEVERITIES } from '../config/alerting';
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
 * Reads a synthesized CloudFormation template of the monitoring stack into what the simulator
 * models: alarms (metric, math, composite; anomaly bands named as not simulated), the SNS
 * topics and their subscribers, each scheduled publisher with its retries, failure queue and
 * log metric filters, and the queues. Intrinsic functions are resolved as far as the model
 * needs (Ref, Fn::GetAtt, Fn::Join, Fn::Sub of pseudo parameters). What cannot be modelled is
 * either an error naming the resource and property, or a note in the result; never dropped
 * silently.
 */

export class TemplateReadError extends Error {
  override readonly name = 'TemplateReadError';
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

const COMPARISONS: readonly ComparisonOperator[] = ['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'];
const MISSING_MODES: readonly TreatMissingData[] = ['breaching', 'notBreaching', 'ignore', 'missing'];
/** Pseudo parameters get stand-in values; only names and dimensions built from them see these. */
const PSEUDO: Record<string, string> = { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': 'stack' };
/** Lambda's own retry count for async invocations when no EventInvokeConfig says otherwise. */
const LAMBDA_DEFAULT_RETRIES = 2;

export function readStackTemplate(template: unknown, stackName: string): SimStack {
  const resources = ((template as { Resources?: Record<string, Resource> } | null)?.Resources ?? {}) as Record<string, Resource>;
  if (typeof template !== 'object' || template === null || Object.keys(resources).length === 0) throw new TemplateReadError(`${stackName}: the template has no Resources`);
  const notes: string[] = [];
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const queues: SimQueue[] = ofType('AWS::SQS::Queue').map(([id, r]) => ({
    logicalId: id,
    queueName: typeof r.Properties?.QueueName === 'string' ? r.Properties.QueueName : id,
    retentionSeconds: typeof r.Properties?.MessageRetentionPeriod === 'number' ? r.Properties.MessageRetentionPeriod : 345_600,
  }));
  const resolve = resolver(resources, queues, notes);

  const alarmNames = new Map<string, string>();
  for (const [id, r] of [...ofType('AWS::CloudWatch::Alarm'), ...ofType('AWS::CloudWatch::CompositeAlarm')]) {
    alarmNames.set(id, r.Properties?.AlarmName !== undefined ? String(resolve(r.Properties.AlarmName, id, 'AlarmName')) : id);
  }
  const alarms: SimAlarm[] = [];
  for (const [id, r] of ofType('AWS::CloudWatch::Alarm')) alarms.push(readMetricAlarm(id, r.Properties ?? {}, alarmNames.get(id)!, resolve));
  for (const [id, r] of ofType('AWS::CloudWatch::CompositeAlarm')) {
    const p = r.Properties ?? {};
    const rule = String(resolve(p.AlarmRule, id, 'AlarmRule', (target, attr) => (attr === 'Arn' && alarmNames.has(target) ? alarmNames.get(target)! : undefined)));
    alarms.push({ kind: 'composite', name: alarmNames.get(id)!, logicalId: id, rule, actions: actionsOf(p, id, resolve), ...(typeof p.AlarmDescription === 'string' ? { description: p.AlarmDescription } : {}) });
  }
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type.startsWith('AWS::CloudWatch::') && !['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm', 'AWS::CloudWatch::Dashboard'].includes(r.Type)) notes.push(`${id} (${r.Type}) is not simulated`);
  }

  return { stackName, alarms, topics: readTopics(resources, resolve), publishers: readPublishers(resources, resolve, notes), queues, notes };
}

/** Resolves an intrinsic value; `getAtt` may answer an attribute first (a composite rule's member ARNs are their names). */
type Resolve = (value: unknown, resource: string, property: string, getAtt?: (target: string, attr: string) => string | undefined) => unknown;

/** Resolves intrinsic functions to plain values: Ref -> logical id (or pseudo parameter), GetAtt QueueName -> the queue's name, other GetAtt -> a stand-in ARN. */
function resolver(resources: Record<string, Resource>, queues: readonly SimQueue[], notes: string[]): Resolve {
  const pseudoNoted = new Set<string>();
  const resolve: Resolve = (value, resource, property, getAtt = () => undefined) => {
    const again = (v: unknown) => resolve(v, resource, property, getAtt);
    if (Array.isArray(value)) return value.map(again);
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'Ref') {
      const ref = String(o.Ref);
      if (ref in PSEUDO) {
        if (!pseudoNoted.has(ref)) notes.push(`${ref} is read as ${PSEUDO[ref]} (the template is environment-agnostic)`);
        pseudoNoted.add(ref);
        return PSEUDO[ref];
      }
      if (!(ref in resources)) throw new TemplateReadError(`${resource}.${property}: Ref ${ref} names no resource of the template`);
      return ref;
    }
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
      const [target, attr] = (Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'] : String(o['Fn::GetAtt']).split('.')) as [string, string];
      const answered = getAtt(target, attr);
      if (answered !== undefined) return answered;
      const queue = queues.find((q) => q.logicalId === target);
      if (attr === 'QueueName' && queue) return queue.queueName;
      if (!(target in resources)) throw new TemplateReadError(`${resource}.${property}: Fn::GetAtt ${target}.${attr} names no resource of the template`);
      return `arn:simulated:${resources[target]!.Type}:${target}${attr === 'Arn' ? '' : `.${attr}`}`;
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((x) => String(again(x))).join(sep);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof o['Fn::Sub'] === 'string') {
      return (o['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => String(again(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name })));
    }
    const fn = keys.find((k) => k.startsWith('Fn::'));
    if (fn) throw new TemplateReadError(`${resource}.${property}: ${fn} is not read by the simulator`);
    return Object.fromEntries(keys.map((k) => [k, again(o[k])]));
  };
  return resolve;
}

function metricRef(metric: Record<string, unknown>, id: string, resolve: Resolve): MetricRef {
  const dims = (resolve(metric.Dimensions ?? [], id, 'Dimensions') as Array<{ Name: string; Value: unknown }>) ?? [];
  if (typeof metric.Namespace !== 'string' || typeof metric.MetricName !== 'string') throw new TemplateReadError(`${id}: a metric without Namespace and MetricName`);
  return { namespace: metric.Namespace, name: metric.MetricName, dimensions: Object.fromEntries(dims.map((d) => [d.Name, String(d.Value)])) };
}

function actionsOf(p: Record<string, unknown>, id: string, resolve: Resolve): AlarmActions {
  const list = (key: string) => ((resolve(p[key] ?? [], id, key) as unknown[]) ?? []).map(String);
  return { alarm: list('AlarmActions'), ok: list('OKActions'), insufficientData: list('InsufficientDataActions') };
}

function readMetricAlarm(id: string, p: Record<string, unknown>, name: string, resolve: Resolve): SimAlarm {
  const actions = actionsOf(p, id, resolve);
  const metrics = p.Metrics as Array<Record<string, unknown>> | undefined;
  const anomaly = p.ThresholdMetricId !== undefined || (metrics ?? []).some((m) => typeof m.Expression === 'string' && /ANOMALY_DETECTION_BAND/i.test(m.Expression));
  if (anomaly) return { kind: 'not-simulated', name, logicalId: id, actions, reason: "anomaly detection bands are trained by CloudWatch on the metric's history; not simulated" };
  if (p.ExtendedStatistic !== undefined) return { kind: 'not-simulated', name, logicalId: id, actions, reason: `percentile statistic ${String(p.ExtendedStatistic)} is not simulated` };
  const comparison = p.ComparisonOperator as ComparisonOperator;
  if (!COMPARISONS.includes(comparison)) throw new TemplateReadError(`${id} (${name}): ComparisonOperator ${String(p.ComparisonOperator)} is not one of ${COMPARISONS.join(', ')}`);
  const treat = (p.TreatMissingData ?? 'missing') as TreatMissingData;
  if (!MISSING_MODES.includes(treat)) throw new TemplateReadError(`${id} (${name}): TreatMissingData ${String(treat)} is not one of ${MISSING_MODES.join(', ')}`);
  let queries: AlarmQuery[];
  let returnId: string;
  let periodSeconds: number;
  if (metrics) {
    queries = metrics.map((m, i) => {
      const qid = String(m.Id ?? `q${i}`);
      const returnData = m.ReturnData !== false;
      if (typeof m.Expression === 'string') return { kind: 'expression', id: qid, expression: m.Expression, returnData };
      const stat = m.MetricStat as { Metric?: Record<string, unknown>; Period?: number; Stat?: string } | undefined;
      if (!stat?.Metric || typeof stat.Period !== 'number' || typeof stat.Stat !== 'string') throw new TemplateReadError(`${id} (${name}): Metrics[${i}] has neither an Expression nor a MetricStat with Metric, Period and Stat`);
      return { kind: 'metric', id: qid, metric: metricRef(stat.Metric, id, resolve), periodSeconds: stat.Period, stat: stat.Stat, returnData };
    });
    const returning = queries.filter((q) => q.returnData);
    if (returning.length !== 1) throw new TemplateReadError(`${id} (${name}): ${returning.length} of its Metrics return data; an alarm needs exactly one`);
    returnId = returning[0]!.id;
    const periods = [...new Set(queries.flatMap((q) => (q.kind === 'metric' ? [q.periodSeconds] : [])))];
    if (periods.length !== 1) throw new TemplateReadError(`${id} (${name}): its metrics have periods ${periods.join(', ')} s; an alarm's metric math needs one period`);
    periodSeconds = periods[0]!;
  } else {
    if (typeof p.Period !== 'number' || typeof p.Statistic !== 'string') throw new TemplateReadError(`${id} (${name}): a metric alarm needs Period and Statistic`);
    periodSeconds = p.Period;
    returnId = 'm1';
    queries = [{ kind: 'metric', id: 'm1', metric: metricRef(p, id, resolve), periodSeconds, stat: p.Statistic, returnData: true }];
  }
  const evaluationPeriods = Number(p.EvaluationPeriods);
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) throw new TemplateReadError(`${id} (${name}): EvaluationPeriods ${String(p.EvaluationPeriods)} is not a whole number >= 1`);
  return {
    kind: 'metric',
    name,
    logicalId: id,
    queries,
    returnId,
    periodSeconds,
    comparison,
    threshold: Number(p.Threshold),
    evaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm === undefined ? evaluationPeriods : Number(p.DatapointsToAlarm),
    treatMissingData: treat,
    actions,
    ...(typeof p.AlarmDescription === 'string' ? { description: p.AlarmDescription } : {}),
  };
}

function readTopics(resources: Record<string, Resource>, resolve: Resolve): SimTopic[] {
  const subscribers = new Map<string, SimSubscriber[]>();
  const add = (topic: string, s: SimSubscriber) => subscribers.set(topic, [...(subscribers.get(topic) ?? []), s]);
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::SNS::Subscription') add(String(resolve(p.TopicArn, id, 'TopicArn')), { protocol: String(p.Protocol), endpoint: String(resolve(p.Endpoint, id, 'Endpoint')) });
    if (r.Type.startsWith('AWS::Chatbot::')) {
      for (const t of (resolve(p.SnsTopicArns ?? [], id, 'SnsTopicArns') as unknown[]) ?? []) add(String(t), { protocol: 'chatbot', endpoint: String(p.ConfigurationName ?? id) });
    }
  }
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::SNS::Topic')
    .map(([id, r]) => {
      const p = r.Properties ?? {};
      const displayName = typeof p.DisplayName === 'string' ? p.DisplayName : id;
      const inline = ((p.Subscription as Array<{ Protocol: string; Endpoint: unknown }> | undefined) ?? []).map((s) => ({ protocol: s.Protocol, endpoint: String(resolve(s.Endpoint, id, 'Subscription')) }));
      const severity = SEVERITIES.find((s) => displayName.toLowerCase().endsWith(` ${s}`) || id.toLowerCase().includes(s));
      return { logicalId: id, displayName, ...(severity ? { severity } : {}), subscribers: [...inline, ...(subscribers.get(id) ?? [])] };
    });
}

const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

function readPublishers(resources: Record<string, Resource>, resolve: Resolve, notes: string[]): SimPublisher[] {
  const entries = Object.entries(resources);
  const invokeConfigs = new Map(entries.filter(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig').map(([id, r]) => [String(resolve(r.Properties?.FunctionName, id, 'FunctionName')), r.Properties ?? {}]));
  const filtersByLogGroup = new Map<string, SimLogMetricFilter[]>();
  for (const [id, r] of entries.filter(([, x]) => x.Type === 'AWS::Logs::MetricFilter')) {
    const p = r.Properties ?? {};
    const group = String(resolve(p.LogGroupName, id, 'LogGroupName'));
    for (const t of (p.MetricTransformations as Array<Record<string, unknown>> | undefined) ?? []) {
      const value = Number(t.MetricValue);
      if (Number.isNaN(value)) {
        notes.push(`${id}: metric filter value ${String(t.MetricValue)} (a field of the log event) is not simulated`);
        continue;
      }
      const dims = (t.Dimensions as Record<string, string> | undefined) ?? {};
      if (Object.keys(dims).length > 0) notes.push(`${id}: metric filter dimensions are not simulated`);
      filtersByLogGroup.set(group, [...(filtersByLogGroup.get(group) ?? []), { pattern: String(p.FilterPattern), metric: { namespace: String(t.MetricNamespace), name: String(t.MetricName), dimensions: {} }, value }]);
    }
  }
  const publishers: SimPublisher[] = [];
  for (const [id, r] of entries.filter(([, x]) => x.Type === 'AWS::Scheduler::Schedule')) {
    const p = r.Properties ?? {};
    const expression = String(p.ScheduleExpression ?? '');
    const rate = RATE.exec(expression);
    if (!rate) throw new TemplateReadError(`${id}: ScheduleExpression ${JSON.stringify(expression)} is not simulated (only rate(N minutes|hours|days) is)`);
    if (p.State === 'DISABLED') {
      notes.push(`${id} is DISABLED: its target never runs`);
      continue;
    }
    const target = (p.Target as Record<string, unknown> | undefined) ?? {};
    const arn = (target.Arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
    const fn = arn?.[0];
    if (!fn || resources[fn]?.Type !== 'AWS::Lambda::Function') {
      notes.push(`${id}: its target is not a Lambda function of this stack; not simulated`);
      continue;
    }
    const publisher = publisherOf(String(p.Description ?? ''), fn);
    const invoke = invokeConfigs.get(fn);
    const destination = (invoke?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
    const queueArn = (destination as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    const logGroup = (resources[fn]!.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
    const group = logGroup !== undefined ? String(resolve(logGroup, fn, 'LoggingConfig.LogGroup')) : undefined;
    publishers.push({
      publisher,
      functionLogicalId: fn,
      everyMinutes: Number(rate[1]) * UNIT_MINUTES[rate[2]!]!,
      retryAttempts: typeof invoke?.MaximumRetryAttempts === 'number' ? invoke.MaximumRetryAttempts : LAMBDA_DEFAULT_RETRIES,
      ...(queueArn && resources[queueArn]?.Type === 'AWS::SQS::Queue' ? { failureQueue: queueArn } : {}),
      logFilters: group ? (filtersByLogGroup.get(group) ?? []) : [],
    });
  }
  return publishers;
}

/** The publisher a schedule runs: `Runs the s3 metric publisher`, else the function's logical id (`...Publishers<Name>Function...`). */
export function publisherOf(description: string, functionId: string): string {
  const fromDescription = /^Runs the (\S+) metric publisher/.exec(description)?.[1];
  if (fromDescription) return fromDescription;
  const fromId = /Publishers([A-Z][a-z0-9]*)Function/.exec(functionId)?.[1];
  return fromId ? fromId.toLowerCase() : functionId;
}
