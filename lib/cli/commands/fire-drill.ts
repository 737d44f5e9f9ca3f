import { hostname, userInfo } from 'node:os';
import { DescribeAlarmsCommand, SetAlarmStateCommand, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Severity } from '../../config/alerting';
import { alarmName as alarmNameOf } from '../../config/load';
import type { MonitoringConfig, PublisherId } from '../../config/schema';
import { type AlarmHistorySummary, readAlarmHistory, showsDrill } from '../alarm-history';
import {
  type CliClients,
  type SmsSandboxStatus,
  type TopicSubscription,
  awsErrorText,
  cliClients,
  expectedRecipients,
  listSubscriptions,
  smsSandboxStatus,
  withRegion,
} from '../aws';
import { topicSeverity } from '../../config/alerting';
import { type AlarmStateValue, type MemberFacts, chooseDrillMember, parseAlarmRule, ruleMembers } from '../composite-rule';
import { type CleanupStep, DeliveryProbe, type Expectation, expectationKey } from '../delivery-probe';
import { parseNumberFlag } from '../flags';
import { configForStack } from '../deployed';
import { type CliIO, EXIT, type RegisterCommand, localConfig } from '../main';
import { closest } from '../../config/suggest';

/**
 * `monitor fire-drill ALARM`: proves the alerting path end to end. The alarm really goes to
 * ALARM (so SNS really sends), then back to OK. By default a temporary SQS queue subscribed to
 * every topic the alarm notifies shows that each notification left SNS, and how long it took;
 * the alarm history shows the transitions and whether each action worked; each human
 * subscription is listed with what it will have received. `--no-probe`: set and reset only.
 */

interface AlarmInfo {
  readonly name: string;
  readonly type: 'metric' | 'composite';
  readonly state: string;
  readonly actionsEnabled: boolean;
  readonly alarmActions: string[];
  readonly okActions: string[];
  /** Composite alarms: the rule over their members. */
  readonly rule?: string;
}

interface Delivery {
  /** The state change that notified: ALARM (the drill) or OK (the recovery). */
  readonly on: 'ALARM' | 'OK';
  readonly action: string;
  readonly severity?: Severity;
  /** Subscriptions of the topic as SNS reports them; undefined when they could not be listed. */
  readonly recipients?: TopicSubscription[];
  /** What config says this severity reaches. */
  readonly configured: string[];
  readonly note?: string;
}

interface DrillOptions {
  waitSeconds: string;
  timeout: string;
  probe: boolean;
  direct?: boolean;
  force?: boolean;
  json?: boolean;
  region?: string;
}

const isSnsTopic = (action: string) => action.startsWith('arn:aws') && action.split(':')[2] === 'sns';
const topicName = (arn: string) => arn.split(':').pop() ?? arn;

export const registerFireDrill: RegisterCommand = (program, io) => {
  withRegion(
    program
      .command('fire-drill')
      .description(
        'Set an alarm to ALARM (its notifications really go out), then back to OK. A temporary SQS queue subscribed to its topics proves each ' +
          'notification left SNS (with its latency); the alarm history, and every human subscription with its status, are reported.',
      )
      .argument('<alarm>', 'alarm name, e.g. ADCE-HighFailureRate')
      .option('--wait-seconds <n>', 'seconds to stay in ALARM at least (with the probe: and until its ALARM notifications arrived)', '10')
      .option('--timeout <seconds>', 'longest wait for the ALARM notifications, then again for the OK ones', '90')
      .option('--no-probe', 'no temporary queue and no history check: set the alarm, reset it, list who should have received it')
      .option('--direct', 'composite alarms: set the composite itself instead of drilling through one of its members')
      .option('--force', 'drill even when the alarm is really in ALARM now (it will report a false OK until its next evaluation)')
      .option('--json', 'print the result as JSON'),
  ).action(async (alarmName: string, opts: DrillOptions, command) => {
    const local = localConfig(command);
    let waitSeconds: number;
    let timeoutSeconds: number;
    try {
      waitSeconds = parseNumberFlag('--wait-seconds', opts.waitSeconds, { min: 0, max: 3600 });
      timeoutSeconds = parseNumberFlag('--timeout', opts.timeout, { min: 1, max: 900 });
    } catch (err) {
      io.err(`error: ${(err as Error).message}\n`);
      io.exit(EXIT.usage);
      return;
    }
    const clients = cliClients(opts.region);
    // Recipients and alarm names as deployed (namespace, alarmNamePrefix, sources).
    const { config } = await configForStack(local, clients, (t) => io.err(t));
    const alarm = await findAlarm(io, clients, alarmName, config);
    if (!alarm) return;
    if (alarm.state === 'ALARM' && !opts.force) {
      io.err(
        `error: ${alarm.name} is really in ALARM right now. A drill would end by setting it to OK, which is a false all-clear ` +
          'until its next evaluation. Deal with the alarm first, or pass --force.\n',
      );
      io.exit(EXIT.failure);
      return;
    }
    if (!alarm.actionsEnabled) io.err(`warning: ${alarm.name} has its actions disabled: the drill changes its state but notifies nobody.\n`);
    const otherActions = alarm.actionsEnabled ? [...new Set([...alarm.alarmActions, ...alarm.okActions].filter((a) => !isSnsTopic(a)))] : [];
    for (const action of otherActions) io.err(`warning: the drill runs ${alarm.name}'s other actions too: ${action}\n`);
    const drill = { io, clients, config, alarm, waitSeconds, json: opts.json === true };
    if (opts.probe) await probedDrill({ ...drill, timeoutSeconds, direct: opts.direct === true });
    else await plainDrill(drill);
  });
};

interface DrillContext {
  readonly io: CliIO;
  readonly clients: CliClients;
  readonly config: MonitoringConfig;
  readonly alarm: AlarmInfo;
  readonly waitSeconds: number;
  readonly json: boolean;
}

function drillReasons(): { who: string; started: Date; alarmReason: string; okReason: string } {
  const who = `${safe(() => userInfo().username, 'someone')}@${safe(hostname, 'unknown-host')}`;
  const started = new Date();
  return {
    who,
    started,
    alarmReason: `Fire drill by ${who} at ${started.toISOString()} (monitor fire-drill): this is a test of the alerting path, no action needed.`,
    okReason: `Fire drill by ${who} finished: back to OK (the alarm re-evaluates its real state at its next period).`,
  };
}

/** `--no-probe`: set ALARM, wait, set OK, say who should have received what. */
async function plainDrill({ io, clients, config, alarm, waitSeconds, json }: DrillContext): Promise<void> {
  const { alarmReason, okReason } = drillReasons();
  io.err(`fire-drill: setting ${alarm.name} to ALARM\n`);
  try {
    await clients.cloudwatch().send(new SetAlarmStateCommand({ AlarmName: alarm.name, StateValue: 'ALARM', StateReason: alarmReason }));
  } catch (err) {
    io.err(`error: could not set ${alarm.name} to ALARM: ${awsErrorText(err)}\n`);
    io.exit(EXIT.failure);
    return;
  }
  if (waitSeconds > 0) {
    io.err(`fire-drill: waiting ${waitSeconds} s before going back to OK\n`);
    await sleep(waitSeconds * 1000);
  }
  const okError = await setOk(clients, alarm.name, okReason);

  const deliveries = await describeDeliveries(clients, config, alarm);
  if (json) {
    io.out(`${JSON.stringify({ alarm: alarm.name, type: alarm.type, actionsEnabled: alarm.actionsEnabled, reason: alarmReason, backToOk: !okError, okError, deliveries }, null, 2)}\n`);
  } else {
    io.out(renderDeliveries(alarm, deliveries));
  }
  if (okError) reportStillInAlarm(io, alarm.name, okError);
}

interface ProbedContext extends DrillContext {
  readonly timeoutSeconds: number;
  readonly direct: boolean;
}

/** What the drill sets, and whose notifications it waits for. */
interface DrillPlan {
  /** The alarm whose state the drill sets. */
  readonly target: AlarmInfo;
  /** Alarms whose notifications are expected: the target, and the composite drilled through it. */
  readonly observed: AlarmInfo[];
  /** Composites only: how it is drilled, and why not through a member when it is not. */
  readonly compositeNote?: string;
}

interface NotificationResult extends Expectation {
  readonly severity?: Severity;
  readonly delivered: boolean;
  /** From the SetAlarmState call to the message on the queue, measured on this machine. */
  readonly latencyMs?: number;
}

interface TopicRecipients {
  readonly topicArn: string;
  readonly severity?: Severity;
  readonly subscriptions?: Array<TopicSubscription & { readonly receives: boolean; readonly detail: string }>;
  readonly missing: string[];
  readonly note?: string;
}

async function probedDrill(ctx: ProbedContext): Promise<void> {
  const { io, clients, config, alarm, waitSeconds, timeoutSeconds } = ctx;
  const log = (line: string) => io.err(`fire-drill: ${line}\n`);
  const plan = await planDrill(clients, alarm, ctx.direct);
  if (plan.compositeNote) log(plan.compositeNote);
  const expectations = plan.observed.flatMap(expectedNotifications);
  const topics = [...new Set(expectations.map((e) => e.topicArn))];
  const otherActions = plan.observed.flatMap((a) => (a.actionsEnabled ? [...a.alarmActions, ...a.okActions].filter((x) => !isSnsTopic(x)).map((x) => `${a.name}: ${x}`) : []));
  // Listed before the queue subscribes, so the probe's own subscription is not among them.
  const recipients = await describeRecipients(clients, config, topics);

  const reasons = drillReasons();
  const interrupt = new AbortController();
  const unhook = io.onInterrupt?.(() => {
    log('interrupted: putting things back');
    interrupt.abort();
  });
  const signal = interrupt.signal;
  let probe: DeliveryProbe | undefined;
  let cleanup: CleanupStep[] = [];
  let error: string | undefined;
  let okError: string | undefined;
  let inAlarm = false;
  let alarmSetAt: number | undefined;
  let okSetAt: number | undefined;
  try {
    if (topics.length > 0) {
      probe = await DeliveryProbe.open(clients, topics, { label: plan.target.name, log, signal });
    } else {
      log('the alarm notifies no SNS topic: nothing to probe');
    }
    if (!signal.aborted) {
      log(`setting ${plan.target.name} to ALARM`);
      alarmSetAt = Date.now();
      // Counted as set before the answer: a Ctrl-C during the request may still have set it.
      inAlarm = true;
      try {
        await clients.cloudwatch().send(new SetAlarmStateCommand({ AlarmName: plan.target.name, StateValue: 'ALARM', StateReason: reasons.alarmReason }), { abortSignal: signal });
      } catch (err) {
        if (!signal.aborted) inAlarm = false;
        throw err;
      }
      const onAlarm = expectations.filter((e) => e.on === 'ALARM');
      if (probe && onAlarm.length > 0) {
        log(`waiting up to ${timeoutSeconds} s for ${onAlarm.length} ALARM notification(s)`);
        await probe.waitFor(onAlarm, alarmSetAt + timeoutSeconds * 1000, signal);
      }
      const minimum = alarmSetAt + waitSeconds * 1000 - Date.now();
      if (minimum > 0 && !signal.aborted) await sleep(minimum, signal);
    }
    if (inAlarm && !signal.aborted) {
      log(`setting ${plan.target.name} back to OK`);
      okSetAt = Date.now();
      inAlarm = false;
      okError = await setOk(clients, plan.target.name, reasons.okReason);
      inAlarm = okError !== undefined;
      const onOk = expectations.filter((e) => e.on === 'OK');
      if (probe && !okError && onOk.length > 0) {
        log(`waiting up to ${timeoutSeconds} s for ${onOk.length} OK notification(s)`);
        await probe.waitFor(onOk, okSetAt + timeoutSeconds * 1000, signal);
      }
    }
  } catch (err) {
    // An interruption aborts the call under way: that is not an error of the drill.
    if (!signal.aborted) error = awsErrorText(err);
    const attached = (err as { cleanup?: CleanupStep[] }).cleanup;
    if (attached) cleanup = attached;
  } finally {
    if (inAlarm && okError === undefined) {
      okSetAt = Date.now();
      okError = await setOk(clients, plan.target.name, `${reasons.okReason} The drill stopped early.`);
    }
    if (probe) cleanup = await probe.close();
    unhook?.();
  }

  const history: AlarmHistorySummary[] = [];
  const historyErrors: string[] = [];
  if (alarmSetAt !== undefined) {
    for (const observed of plan.observed) {
      try {
        history.push(await readAlarmHistory(clients, observed.name, new Date(alarmSetAt - 1000)));
      } catch (err) {
        historyErrors.push(`${observed.name}: ${awsErrorText(err)}`);
      }
    }
  }

  const notifications: NotificationResult[] = expectations.map((e) => {
    const arrival = probe?.arrivals.get(expectationKey(e));
    const from = e.on === 'ALARM' ? alarmSetAt : okSetAt;
    return { ...e, severity: topicSeverity(e.topicArn), delivered: arrival !== undefined, latencyMs: arrival && from !== undefined ? arrival.receivedAt.getTime() - from : undefined };
  });
  const report = {
    alarm: alarm.name,
    type: alarm.type,
    actionsEnabled: alarm.actionsEnabled,
    drilledThrough: plan.target.name !== alarm.name ? plan.target.name : undefined,
    compositeNote: plan.compositeNote,
    reason: reasons.alarmReason,
    interrupted: signal.aborted,
    error,
    backToOk: alarmSetAt !== undefined && okError === undefined,
    okError,
    probe: { queue: probe?.queueName, timeoutSeconds, notifications, notProbed: otherActions, cleanup },
    history,
    historyErrors,
    recipients,
  };
  if (ctx.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(renderProbed(report, plan));

  const failedCleanup = cleanup.filter((s) => !s.ok);
  if (failedCleanup.length > 0) {
    io.err(`error: the drill could not remove everything it created; finish by hand:\n${failedCleanup.map((s) => `  ${s.command}\n`).join('')}`);
  }
  if (okError) reportStillInAlarm(io, plan.target.name, okError);
  if (error) io.err(`error: the drill stopped: ${error}\n`);
  const undelivered = notifications.filter((n) => !n.delivered);
  const historyGaps = history.filter((h) => !showsDrill(h));
  const failedActions = history.flatMap((h) => h.actions.filter((a) => !a.ok));
  if (signal.aborted) {
    io.exit(EXIT.interrupted);
    return;
  }
  if (error || okError || failedCleanup.length > 0 || undelivered.length > 0 || historyGaps.length > 0 || failedActions.length > 0 || historyErrors.length > 0) {
    io.exit(EXIT.failure);
  }
}

/** A composite is drilled through a member when one member alone turns it to ALARM and back. */
async function planDrill(clients: CliClients, alarm: AlarmInfo, direct: boolean): Promise<DrillPlan> {
  if (alarm.type !== 'composite') return { target: alarm, observed: [alarm] };
  const directly = (why: string): DrillPlan => ({
    target: alarm,
    observed: [alarm],
    compositeNote: `${alarm.name} is set directly (${why}): this proves its actions, not its rule.`,
  });
  if (direct) return directly('--direct');
  if (!alarm.rule) return directly('CloudWatch returned no rule for it');
  let names: string[];
  try {
    names = ruleMembers(parseAlarmRule(alarm.rule));
  } catch (err) {
    return directly(`its rule could not be read: ${(err as Error).message}`);
  }
  let members: AlarmInfo[];
  try {
    members = await describeAlarms(clients, names);
  } catch (err) {
    return directly(`its members could not be read: ${awsErrorText(err)}`);
  }
  const facts = new Map<string, MemberFacts>(members.map((m) => [m.name, { state: m.state as AlarmStateValue, type: m.type }]));
  const choice = chooseDrillMember(alarm.rule, facts);
  if ('reason' in choice) return directly(choice.reason);
  const member = members.find((m) => m.name === choice.member)!;
  const memberNotifies = member.actionsEnabled && [...member.alarmActions, ...member.okActions].some(isSnsTopic);
  return {
    target: member,
    observed: [alarm, member],
    compositeNote:
      `${alarm.name} is drilled through its member ${member.name}: CloudWatch evaluates the composite's rule itself.` +
      (memberNotifies ? ` ${member.name} notifies its own topics too.` : ''),
  };
}

function expectedNotifications(alarm: AlarmInfo): Expectation[] {
  if (!alarm.actionsEnabled) return [];
  const unique = (actions: string[]) => [...new Set(actions.filter(isSnsTopic))];
  return [
    ...unique(alarm.alarmActions).map((topicArn) => ({ alarm: alarm.name, on: 'ALARM' as const, topicArn })),
    ...unique(alarm.okActions).map((topicArn) => ({ alarm: alarm.name, on: 'OK' as const, topicArn })),
  ];
}

/** Each topic's subscriptions with what a human at the end of each will have received. */
async function describeRecipients(clients: CliClients, config: MonitoringConfig, topics: string[]): Promise<TopicRecipients[]> {
  const listed = new Map<string, TopicSubscription[] | string>();
  for (const topicArn of topics) {
    try {
      listed.set(topicArn, await listSubscriptions(clients, topicArn));
    } catch (err) {
      listed.set(topicArn, awsErrorText(err));
    }
  }
  const anySms = [...listed.values()].some((l) => typeof l !== 'string' && l.some((s) => s.protocol === 'sms'));
  let sandbox: SmsSandboxStatus | string | undefined;
  if (anySms) {
    try {
      sandbox = await smsSandboxStatus(clients);
    } catch (err) {
      sandbox = awsErrorText(err);
    }
  }
  return topics.map((topicArn) => {
    const severity = topicSeverity(topicArn);
    const configured = severity ? expectedRecipients(config, severity) : [];
    const subs = listed.get(topicArn)!;
    if (typeof subs === 'string') return { topicArn, severity, missing: configured, note: `could not list subscriptions (${subs}); showing what config expects` };
    const present = new Set(subs.map((s) => `${s.protocol} ${s.endpoint}`));
    return { topicArn, severity, subscriptions: subs.map((s) => ({ ...s, ...receipt(s, sandbox) })), missing: configured.filter((c) => !present.has(c)) };
  });
}

function receipt(s: TopicSubscription, sandbox: SmsSandboxStatus | string | undefined): { receives: boolean; detail: string } {
  if (s.status === 'pending') return { receives: false, detail: 'subscription PENDING confirmation: receives nothing until the link in its confirmation email is followed' };
  if (s.protocol === 'sms') {
    const us = s.endpoint.startsWith('+1') ? ' US numbers also need an origination identity (toll-free number or 10DLC) in AWS End User Messaging SMS.' : '';
    if (sandbox === undefined || typeof sandbox === 'string') return { receives: true, detail: `confirmed; SMS sandbox status unknown${typeof sandbox === 'string' ? ` (${sandbox})` : ''}.${us}` };
    if (!sandbox.inSandbox) return { receives: true, detail: `confirmed; the account is out of the SMS sandbox.${us}` };
    return sandbox.verified.has(s.endpoint)
      ? { receives: true, detail: `confirmed; the account is in the SMS sandbox and this number is verified.${us}` }
      : { receives: false, detail: 'the account is in the SMS sandbox and this number is NOT verified: SNS does not text it' };
  }
  if (s.protocol === 'https' && s.endpoint.includes('chatbot.amazonaws.com')) return { receives: true, detail: 'AWS Chatbot: posts to the chat channels configured for this topic' };
  return { receives: true, detail: 'confirmed' };
}

function renderProbed(
  report: {
    alarm: string;
    type: string;
    actionsEnabled: boolean;
    interrupted: boolean;
    error?: string;
    probe: { queue?: string; timeoutSeconds: number; notifications: NotificationResult[]; notProbed: string[]; cleanup: CleanupStep[] };
    history: AlarmHistorySummary[];
    historyErrors: string[];
    recipients: TopicRecipients[];
  },
  plan: DrillPlan,
): string {
  const lines = [`Fire drill of ${report.alarm} (${report.type} alarm): ALARM, then OK, with a delivery probe.`];
  if (plan.compositeNote) lines.push(plan.compositeNote);
  if (!report.actionsEnabled) lines.push('Its actions are disabled, so nobody was notified.');
  if (report.interrupted) lines.push('Interrupted (Ctrl-C): the drill stopped early; what it had set and created is undone below.');
  lines.push('');

  const { notifications, queue } = report.probe;
  lines.push(queue ? `Delivery, seen on the temporary queue ${queue}:` : 'Delivery:');
  if (notifications.length === 0) lines.push('  - no SNS topic is notified by this alarm: nothing could be delivered');
  for (const n of notifications) {
    const via = `${n.severity ?? 'unknown severity'} topic ${topicName(n.topicArn)}`;
    const outcome = n.delivered ? `delivered in ${((n.latencyMs ?? 0) / 1000).toFixed(1)} s` : `NOT delivered within ${report.probe.timeoutSeconds} s`;
    lines.push(`  - ${n.on.padEnd(5)} ${n.alarm} via ${via}: ${outcome}`);
  }
  for (const other of report.probe.notProbed) lines.push(`  - not an SNS topic, not probed (check it yourself): ${other}`);

  lines.push('', 'Alarm history since the drill started:');
  if (report.history.length === 0 && report.historyErrors.length === 0) lines.push('  - not read: the alarm was never set');
  for (const h of report.history) {
    const changes = h.transitions.map((t) => `${t.from} -> ${t.to}`).join(', ') || 'no state change';
    const ok = h.actions.filter((a) => a.ok).length;
    const failed = h.actions.filter((a) => !a.ok);
    lines.push(`  - ${h.alarm}: ${changes}; ${ok} action(s) executed${failed.length ? `, ${failed.length} FAILED` : ''}${showsDrill(h) ? '' : ' (the drill\'s ALARM -> OK is missing)'}`);
    for (const a of failed) lines.push(`      FAILED ${a.target}: ${a.error}`);
  }
  for (const e of report.historyErrors) lines.push(`  - could not read the history of ${e}`);

  lines.push('', 'People and channels (subscriptions as SNS lists them):');
  if (report.recipients.length === 0) lines.push('  - none: the alarm notifies no SNS topic');
  for (const r of report.recipients) {
    lines.push(`  ${r.severity ?? 'unknown severity'} topic ${topicName(r.topicArn)}${r.note ? ` (${r.note})` : ''}:`);
    for (const s of r.subscriptions ?? []) lines.push(`    - ${s.receives ? 'receives' : 'DOES NOT receive'}: ${s.protocol} ${s.endpoint}: ${s.detail}`);
    for (const c of r.missing) lines.push(r.subscriptions ? `    - configured but not subscribed (deploy again?): ${c}` : `    - expected by config: ${c}`);
    if (r.subscriptions && r.subscriptions.length === 0 && r.missing.length === 0) lines.push('    - nobody: the topic has no subscriptions');
  }

  if (report.probe.cleanup.length > 0) lines.push('', `Cleanup: ${report.probe.cleanup.map((s) => (s.ok ? s.what : `could NOT ${s.what}`)).join('; ')}.`);
  lines.push(
    '',
    'A notification on the queue proves SNS published it to every confirmed subscription of its topic; whether an email reaches an inbox ' +
      '(not spam) SNS cannot tell. Run `monitor verify` for the rest of the stack.',
  );
  return `${lines.join('\n')}\n`;
}

async function setOk(clients: CliClients, alarmName: string, reason: string): Promise<string | undefined> {
  try {
    await clients.cloudwatch().send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'OK', StateReason: reason }));
    return undefined;
  } catch (err) {
    return awsErrorText(err);
  }
}

function reportStillInAlarm(io: CliIO, alarmName: string, okError: string): void {
  io.err(
    `error: ${alarmName} is still in ALARM from the drill: ${okError}\n` +
      `  set it back by hand: aws cloudwatch set-alarm-state --alarm-name '${alarmName}' --state-value OK --state-reason 'fire drill over'\n`,
  );
  io.exit(EXIT.failure);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function safe(read: () => string, fallback: string): string {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function alarmInfo(metric: MetricAlarm | undefined, composite: CompositeAlarm | undefined): AlarmInfo | undefined {
  const found = metric ?? composite;
  if (!found?.AlarmName) return undefined;
  return {
    name: found.AlarmName,
    type: metric ? 'metric' : 'composite',
    state: found.StateValue ?? 'UNKNOWN',
    actionsEnabled: found.ActionsEnabled !== false,
    alarmActions: found.AlarmActions ?? [],
    okActions: found.OKActions ?? [],
    rule: composite?.AlarmRule,
  };
}

/** The named alarms that exist (DescribeAlarms takes 100 names a request). */
async function describeAlarms(clients: CliClients, names: string[]): Promise<AlarmInfo[]> {
  const out: AlarmInfo[] = [];
  for (let i = 0; i < names.length; i += 100) {
    const page = await clients.cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    for (const m of page.MetricAlarms ?? []) out.push(alarmInfo(m, undefined)!);
    for (const c of page.CompositeAlarms ?? []) out.push(alarmInfo(undefined, c)!);
  }
  return out;
}

/** Which source an alarm base name belongs to, when it is one source's. */
function sourceOfAlarm(baseName: string): PublisherId | undefined {
  if (/^ADCE-/.test(baseName)) return 'adce';
  if (/^DIMS-/.test(baseName)) return 'dims';
  if (/^(Cost-|AWS-Cost)/.test(baseName)) return 'cost';
  if (/^S3-(PublisherHeartbeat|StaleSources|ObjectGrowthAnomaly)/.test(baseName)) return 's3';
  return undefined;
}

/** The alarm by its name in CloudWatch, or by its base name (the runbook's) with this stack's prefix. */
async function findAlarm(io: CliIO, clients: CliClients, name: string, config: MonitoringConfig): Promise<AlarmInfo | undefined> {
  const source = sourceOfAlarm(name);
  if (source && !config[source].enabled) {
    io.err(`error: ${name} does not exist in this stack: the ${source} source is turned off (${source}.enabled: false).\n`);
    io.exit(EXIT.usage);
    return undefined;
  }
  try {
    for (const candidate of [...new Set([name, alarmNameOf(config, name)])]) {
      const page = await clients.cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: [candidate], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
      const found = alarmInfo(page?.MetricAlarms?.[0], page?.CompositeAlarms?.[0]);
      if (found) return found;
    }
    const all = await clients.cloudwatch().send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 }));
    const names = [...(all.MetricAlarms ?? []), ...(all.CompositeAlarms ?? [])].map((a) => a.AlarmName!).filter(Boolean);
    const suggestion = closest(name, names);
    io.err(`error: no alarm named "${name}" in this account and region.${suggestion ? ` Did you mean ${suggestion}?` : ''}\n`);
    io.exit(EXIT.usage);
  } catch (err) {
    io.err(`error: could not look up alarm "${name}": ${awsErrorText(err)}\n`);
    io.exit(EXIT.failure);
  }
  return undefined;
}

async function describeDeliveries(clients: CliClients, config: MonitoringConfig, alarm: AlarmInfo): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const actions: Array<{ on: 'ALARM' | 'OK'; action: string }> = [
    ...alarm.alarmActions.map((action) => ({ on: 'ALARM' as const, action })),
    ...alarm.okActions.map((action) => ({ on: 'OK' as const, action })),
  ];
  const cache = new Map<string, TopicSubscription[] | string>();
  for (const { on, action } of actions) {
    if (!isSnsTopic(action)) {
      deliveries.push({ on, action, configured: [], note: 'not an SNS topic: check that target yourself' });
      continue;
    }
    const severity = topicSeverity(action);
    const configured = severity ? expectedRecipients(config, severity) : [];
    if (!cache.has(action)) {
      try {
        cache.set(action, await listSubscriptions(clients, action));
      } catch (err) {
        cache.set(action, awsErrorText(err));
      }
    }
    const listed = cache.get(action)!;
    deliveries.push(
      typeof listed === 'string'
        ? { on, action, severity, configured, note: `could not list subscriptions (${listed}); showing what config expects` }
        : { on, action, severity, recipients: listed, configured },
    );
  }
  return deliveries;
}

function renderDeliveries(alarm: AlarmInfo, deliveries: Delivery[]): string {
  const lines = [`Fire drill of ${alarm.name} (${alarm.type} alarm): ALARM, then OK.`, ''];
  if (!alarm.actionsEnabled) lines.push('Its actions are disabled, so nobody was notified.', '');
  for (const on of ['ALARM', 'OK'] as const) {
    const mine = deliveries.filter((d) => d.on === on);
    if (mine.length === 0) {
      lines.push(`On ${on}: the alarm has no ${on === 'ALARM' ? 'AlarmActions' : 'OKActions'}; nobody was notified.`);
      continue;
    }
    for (const d of mine) {
      lines.push(`On ${on}: ${d.severity ?? 'unknown severity'} topic ${topicName(d.action)}${d.note ? ` (${d.note})` : ''}`);
      const confirmed = (d.recipients ?? []).filter((r) => r.status === 'confirmed');
      const pending = (d.recipients ?? []).filter((r) => r.status === 'pending');
      for (const r of confirmed) lines.push(`  - should have received it: ${describeRecipient(r, alarm.name, on)}`);
      for (const r of pending) lines.push(`  - did NOT receive it (subscription PendingConfirmation): ${r.protocol} ${r.endpoint}`);
      const subscribed = new Set((d.recipients ?? []).map((r) => `${r.protocol} ${r.endpoint}`));
      for (const c of d.configured.filter((c) => !subscribed.has(c))) {
        lines.push(d.recipients ? `  - configured but not subscribed (deploy again?): ${c}` : `  - expected by config: ${c}`);
      }
      if (d.recipients && d.recipients.length === 0 && d.configured.length === 0) lines.push('  - nobody: the topic has no subscriptions');
    }
  }
  lines.push('', 'If something did not arrive: check spam folders, confirm pending subscriptions, then run `monitor verify`.');
  return `${lines.join('\n')}\n`;
}

function describeRecipient(r: TopicSubscription, alarmName: string, on: 'ALARM' | 'OK'): string {
  switch (r.protocol) {
    case 'email':
    case 'email-json':
      return `email to ${r.endpoint}, subject starting ${JSON.stringify(`${on}: "${alarmName}" in`)}`;
    case 'sms':
      return `text message to ${r.endpoint}`;
    default:
      return `${r.protocol} ${r.endpoint}`;
  }
}
