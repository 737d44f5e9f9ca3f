import { DescribeStacksCommand, type StackResourceSummary, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { type MetricDataQuery, paginateDescribeAlarms, paginateGetMetricData, paginateListDashboards } from '@aws-sdk/client-cloudwatch';
import { type CatalogMetric, type Dimensions, createCatalog } from '../../catalog/catalog';
import { monitoringStackName } from '../../config/load';
import { type MonitoringConfig, scheduledOperations } from '../../config/schema';
import { heartbeatWindow, minutesLabel, windowMinutes } from '../../health/windows';
import { type CliClients, type TopicSubscription, awsErrorText, cliClients, expectedRecipients, listSubscriptions, withRegion } from '../aws';
import { topicSeverity } from '../../config/alerting';
import { dimensionSets } from '../../catalog/dimension-sets';
import { configForStack } from '../deployed';
import { EXIT, type RegisterCommand, localConfig } from '../main';
import { formatTable } from '../table';

/**
 * `monitor verify`: after a deploy, is everything really working? Subscriptions confirmed, every
 * publisher's heartbeat metrics fresh, every pipeline operation with a cadence recently run,
 * alarms not firing, dashboards there. Exit 0 only when no
 * check failed, so a deploy pipeline can gate on it.
 */

type CheckStatus = 'ok' | 'warn' | 'fail';
type CheckKind = 'stack' | 'topic' | 'subscription' | 'metric' | 'operation' | 'alarm' | 'dashboard';

interface Check {
  readonly kind: CheckKind;
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

interface VerifyOptions {
  readonly config: MonitoringConfig;
  readonly stackName: string;
  readonly clients: CliClients;
  readonly now?: Date;
  /** Called before each slow step (shown on a terminal). */
  readonly progress?: (message: string) => void;
}

export const registerVerify: RegisterCommand = (program, io) => {
  withRegion(
    program
      .command('verify')
      .description(
        'After a deploy: SNS subscriptions confirmed, every-run metrics of each publisher fresh (data within the heartbeat window: 2 schedule intervals), ' +
          'a run of each pipeline operation with expectedEveryHours within 2 intervals, alarm states, dashboards present. Exit 0 only when no check failed.',
      )
      .option('--stack <name>', 'CloudFormation stack name (default: the name `cdk deploy` gives for this config)')
      .option('--json', 'print the checks as JSON')
      .option('--strict', 'also fail on warnings (alarms in INSUFFICIENT_DATA, topics nobody subscribed to)'),
  ).action(async (opts: { stack?: string; json?: boolean; strict?: boolean; region?: string }, command) => {
    const local = localConfig(command);
    const clients = cliClients(opts.region);
    // The stack's own configuration: its namespace, buckets and thresholds are what is checked.
    const { config, stack } = await configForStack(local, clients, (t) => io.err(t), opts.stack);
    const stackName = stack?.stackName ?? opts.stack ?? monitoringStackName(config);
    const progress = io.isTTY ? (message: string) => io.err(`verify: ${message}\n`) : undefined;
    const checks = await runVerify({ config, stackName, clients, progress });

    const failed = checks.filter((c) => c.status === 'fail').length;
    const warned = checks.filter((c) => c.status === 'warn').length;
    const green = failed === 0 && (!opts.strict || warned === 0);
    if (opts.json) {
      io.out(`${JSON.stringify({ stack: stackName, ok: green, failed, warnings: warned, checks }, null, 2)}\n`);
    } else {
      const rows = checks.map((c) => [c.kind, c.name, c.status === 'ok' ? 'ok' : c.status.toUpperCase(), c.detail]);
      io.out(`${formatTable(['CHECK', 'NAME', 'STATUS', 'DETAIL'], rows)}\n\n`);
      io.out(`${stackName}: ${green ? 'all green' : 'NOT green'} (${checks.length - failed - warned} ok, ${warned} warning(s), ${failed} failed)\n`);
    }
    if (!green) io.exit(EXIT.failure);
  });
};

async function runVerify(options: VerifyOptions): Promise<Check[]> {
  const { config, stackName, clients } = options;
  const now = options.now ?? new Date();
  const progress = options.progress ?? (() => undefined);
  const checks: Check[] = [];

  progress(`reading stack ${stackName}`);
  let resources: StackResourceSummary[] | undefined;
  try {
    const stacks = await clients.cloudformation().send(new DescribeStacksCommand({ StackName: stackName }));
    const status = stacks.Stacks?.[0]?.StackStatus ?? 'UNKNOWN';
    const verdict: CheckStatus = /^(CREATE|UPDATE|IMPORT)_COMPLETE$/.test(status) ? 'ok' : /IN_PROGRESS$/.test(status) && !/ROLLBACK/.test(status) ? 'warn' : 'fail';
    checks.push({ kind: 'stack', name: stackName, status: verdict, detail: status });
    resources = await listStackResources(clients, stackName);
  } catch (err) {
    checks.push({ kind: 'stack', name: stackName, status: 'fail', detail: `cannot read the stack: ${awsErrorText(err)} (deployed? right --stack/--region?)` });
  }

  if (resources) {
    const ofType = (type: string) => resources!.filter((r) => r.ResourceType === type && r.PhysicalResourceId);
    progress('checking SNS subscriptions');
    checks.push(...(await checkTopics(clients, config, ofType('AWS::SNS::Topic').map((r) => r.PhysicalResourceId!))));
    const alarmNames = [...ofType('AWS::CloudWatch::Alarm'), ...ofType('AWS::CloudWatch::CompositeAlarm')].map((r) => r.PhysicalResourceId!);
    progress(`checking ${alarmNames.length} alarm(s)`);
    checks.push(...(await checkAlarms(clients, alarmNames)));
    progress('checking dashboards');
    checks.push(...(await checkDashboards(clients, ofType('AWS::CloudWatch::Dashboard').map((r) => r.PhysicalResourceId!))));
  }

  const metrics = createCatalog(config)
    .all()
    .filter((m) => m.enabled && m.emission === 'every-run' && m.cadenceMinutes !== undefined);
  progress(`checking ${metrics.length} every-run metric(s) for fresh data`);
  checks.push(...(await checkMetrics(clients, config, metrics, now)));
  const operations = scheduledOperations(config);
  if (operations.length > 0) {
    progress(`checking ${operations.length} pipeline operation(s) with an expected cadence`);
    checks.push(...(await checkOperations(clients, config, operations, now)));
  }
  return checks;
}

/**
 * One row per pipeline operation with `expectedEveryHours`: a `<Operation>Duration` datum of any
 * Status within its heartbeat window (2 intervals), the window `<Operation>-Heartbeat` watches.
 */
async function checkOperations(
  clients: CliClients,
  config: MonitoringConfig,
  operations: ReturnType<typeof scheduledOperations>,
  now: Date,
): Promise<Check[]> {
  const catalog = createCatalog(config);
  const checks: Check[] = [];
  for (const { name, expectedEveryMinutes } of operations) {
    const metric = catalog.operationDuration(name)!;
    const queries: MetricQuery[] = dimensionSets(config, metric).sets.map((dimensions, i) => ({ id: `s${i}`, metric, dimensions }));
    const minutes = windowMinutes(heartbeatWindow(expectedEveryMinutes));
    const label = `${name} (every ${minutesLabel(expectedEveryMinutes)})`;
    const latest = new Map<string, Date | undefined>();
    try {
      await fetchLatest(clients, queries, new Date(now.getTime() - minutes * 60_000), now, latest);
    } catch (err) {
      checks.push({ kind: 'operation', name: label, status: 'fail', detail: `cannot query ${metric.name}: ${awsErrorText(err)}` });
      continue;
    }
    const runs = queries.flatMap((q) => (latest.get(q.id) ? [{ status: q.dimensions.Status!, at: latest.get(q.id)! }] : [])).sort((a, b) => b.at.getTime() - a.at.getTime());
    const last = runs[0];
    checks.push(
      last
        ? { kind: 'operation', name: label, status: 'ok', detail: `last run ${ago(now, last.at)} ago, ${last.status} (within ${minutesLabel(minutes)})` }
        : {
            kind: 'operation',
            name: label,
            status: 'fail',
            detail: `no ${metric.name} datum of any Status in the last ${minutesLabel(minutes)} (2 intervals): is its job running? (cron entry, host, the job's log)`,
          },
    );
  }
  return checks;
}

function ago(now: Date, then: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - then.getTime()) / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

async function listStackResources(clients: CliClients, stackName: string): Promise<StackResourceSummary[]> {
  const out: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources({ client: clients.cloudformation() }, { StackName: stackName })) out.push(...(page.StackResourceSummaries ?? []));
  return out;
}

async function checkTopics(clients: CliClients, config: MonitoringConfig, topicArns: string[]): Promise<Check[]> {
  const checks: Check[] = [];
  if (topicArns.length === 0) checks.push({ kind: 'topic', name: '(none)', status: 'fail', detail: 'the stack has no SNS topic: alarms notify nobody' });
  for (const arn of topicArns) {
    const topic = arn.split(':').pop() ?? arn;
    const severity = topicSeverity(arn);
    let subs: TopicSubscription[];
    try {
      subs = await listSubscriptions(clients, arn);
    } catch (err) {
      checks.push({ kind: 'topic', name: topic, status: 'fail', detail: `cannot list subscriptions: ${awsErrorText(err)}` });
      continue;
    }
    for (const s of subs) {
      const who = `${severity ?? topic}: ${s.protocol} ${s.endpoint}`;
      if (s.status === 'pending') {
        const how = s.protocol === 'email' || s.protocol === 'email-json' ? ': open the "AWS Notification - Subscription Confirmation" email and click Confirm' : '';
        checks.push({ kind: 'subscription', name: who, status: 'fail', detail: `PendingConfirmation${how}` });
      } else {
        checks.push({ kind: 'subscription', name: who, status: 'ok', detail: 'confirmed' });
      }
    }
    const expected = severity ? expectedRecipients(config, severity) : [];
    const present = new Set(subs.map((s) => `${s.protocol} ${s.endpoint}`));
    for (const recipient of expected.filter((r) => !present.has(r))) {
      checks.push({ kind: 'subscription', name: `${severity}: ${recipient}`, status: 'fail', detail: 'configured but not subscribed to the topic (deploy again?)' });
    }
    if (subs.length === 0 && expected.length === 0) {
      checks.push({ kind: 'topic', name: topic, status: 'warn', detail: 'no subscriptions: its alarms notify nobody (set alertEmails)' });
    }
  }
  return checks;
}

async function checkAlarms(clients: CliClients, names: string[]): Promise<Check[]> {
  const checks: Check[] = [];
  const found = new Map<string, { state: string; reason: string; actionsEnabled: boolean }>();
  try {
    for (let i = 0; i < names.length; i += 100) {
      const pages = paginateDescribeAlarms({ client: clients.cloudwatch() }, { AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
      for await (const page of pages) {
        for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          found.set(a.AlarmName!, { state: a.StateValue ?? 'UNKNOWN', reason: a.StateReason ?? '', actionsEnabled: a.ActionsEnabled !== false });
        }
      }
    }
  } catch (err) {
    return [{ kind: 'alarm', name: `${names.length} alarm(s)`, status: 'fail', detail: `cannot describe alarms: ${awsErrorText(err)}` }];
  }
  for (const name of names) {
    const alarm = found.get(name);
    if (!alarm) {
      checks.push({ kind: 'alarm', name, status: 'fail', detail: 'in the stack but not found by DescribeAlarms' });
    } else if (alarm.state === 'ALARM') {
      checks.push({ kind: 'alarm', name, status: 'fail', detail: `ALARM: ${alarm.reason}` });
    } else if (!alarm.actionsEnabled) {
      checks.push({ kind: 'alarm', name, status: 'warn', detail: `${alarm.state}, but its actions are disabled: it notifies nobody` });
    } else if (alarm.state === 'OK') {
      checks.push({ kind: 'alarm', name, status: 'ok', detail: 'OK' });
    } else {
      checks.push({ kind: 'alarm', name, status: 'warn', detail: `${alarm.state}: ${alarm.reason || 'no data evaluated yet'}` });
    }
  }
  return checks;
}

async function checkDashboards(clients: CliClients, names: string[]): Promise<Check[]> {
  if (names.length === 0) return [{ kind: 'dashboard', name: '(none)', status: 'fail', detail: 'the stack has no dashboard' }];
  const present = new Set<string>();
  try {
    for await (const page of paginateListDashboards({ client: clients.cloudwatch() }, {})) {
      for (const d of page.DashboardEntries ?? []) if (d.DashboardName) present.add(d.DashboardName);
    }
  } catch (err) {
    return [{ kind: 'dashboard', name: `${names.length} dashboard(s)`, status: 'fail', detail: `cannot list dashboards: ${awsErrorText(err)}` }];
  }
  return names.map((name) =>
    present.has(name)
      ? { kind: 'dashboard' as const, name, status: 'ok' as const, detail: 'present' }
      : { kind: 'dashboard' as const, name, status: 'fail' as const, detail: 'in the stack but not in ListDashboards' },
  );
}

interface MetricQuery {
  readonly id: string;
  readonly metric: CatalogMetric;
  readonly dimensions: Dimensions;
}

/** One GetMetricData query per dimension set, over its publisher's heartbeat window (the one the dead-publisher alarm watches). */
async function checkMetrics(clients: CliClients, config: MonitoringConfig, metrics: CatalogMetric[], now: Date): Promise<Check[]> {
  const queries: MetricQuery[] = [];
  const checks: Check[] = [];
  for (const metric of metrics) {
    const { sets, known } = dimensionSets(config, metric);
    if (!known) {
      checks.push({ kind: 'metric', name: metric.name, status: 'warn', detail: 'dimension values are only known at run time; not checked' });
      continue;
    }
    for (const dimensions of sets) queries.push({ id: `m${queries.length}`, metric, dimensions });
  }
  // Group by window so one call covers every metric of a publisher.
  const byWindow = new Map<number, MetricQuery[]>();
  for (const q of queries) {
    const minutes = windowMinutes(heartbeatWindow(q.metric.cadenceMinutes!));
    byWindow.set(minutes, [...(byWindow.get(minutes) ?? []), q]);
  }
  const latest = new Map<string, Date | undefined>();
  const errors = new Map<string, string>();
  for (const [minutes, group] of byWindow) {
    for (let i = 0; i < group.length; i += 500) {
      const chunk = group.slice(i, i + 500);
      try {
        await fetchLatest(clients, chunk, new Date(now.getTime() - minutes * 60_000), now, latest);
      } catch (err) {
        for (const q of chunk) errors.set(q.id, awsErrorText(err));
      }
    }
  }
  for (const q of queries) {
    const label = `${q.metric.namespace}/${q.metric.name}${Object.keys(q.dimensions).length ? ` {${Object.entries(q.dimensions).map(([k, v]) => `${k}=${v}`).join(', ')}}` : ''}`;
    const own = q.metric.cadenceMinutes !== q.metric.scheduleMinutes;
    const window = `${windowMinutes(heartbeatWindow(q.metric.cadenceMinutes!))} min (${own ? `2 sends of a metric sent every ${q.metric.cadenceMinutes} min` : `heartbeat window of the ${q.metric.source} publisher`})`;
    const error = errors.get(q.id);
    const last = latest.get(q.id);
    if (error) checks.push({ kind: 'metric', name: label, status: 'fail', detail: `cannot query: ${error}` });
    else if (!last) checks.push({ kind: 'metric', name: label, status: 'fail', detail: `no data in the last ${window}: is the ${q.metric.source} publisher running? (its Lambda logs)` });
    else checks.push({ kind: 'metric', name: label, status: 'ok', detail: `last datum ${ago(now, last)} ago (within ${window})` });
  }
  return checks;
}


async function fetchLatest(clients: CliClients, queries: MetricQuery[], start: Date, end: Date, latest: Map<string, Date | undefined>): Promise<void> {
  const MetricDataQueries: MetricDataQuery[] = queries.map((q) => ({
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: q.metric.namespace,
        MetricName: q.metric.name,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: 'SampleCount',
    },
    ReturnData: true,
  }));
  const pages = paginateGetMetricData({ client: clients.cloudwatch() }, { MetricDataQueries, StartTime: start, EndTime: end, ScanBy: 'TimestampDescending' });
  for await (const page of pages) {
    for (const r of page.MetricDataResults ?? []) {
      (r.Timestamps ?? []).forEach((ts, i) => {
        if ((r.Values?.[i] ?? 0) <= 0) return;
        const prev = latest.get(r.Id!);
        if (!prev || ts > prev) latest.set(r.Id!, ts);
      });
    }
  }
}
