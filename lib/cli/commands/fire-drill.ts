import { hostname, userInfo } from 'node:os';
import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { Severity } from '../../config/alerting';
import type { MonitoringConfig } from '../../config/schema';
import { type CliClients, type TopicSubscription, awsErrorText, cliClients, expectedRecipients, listSubscriptions, topicSeverity, withRegion } from '../aws';
import { parseNumberFlag } from '../flags';
import { type CliIO, EXIT, type RegisterCommand, configFromOptions } from '../main';
import { closest } from '../../config/suggest';

/**
 * `monitor fire-drill ALARM`: proves the alerting path end to end. The alarm really goes to
 * ALARM (so SNS really sends), then back to OK, and the user is told who should have got what.
 */

interface AlarmInfo {
  readonly name: string;
  readonly type: 'metric' | 'composite';
  readonly state: string;
  readonly actionsEnabled: boolean;
  readonly alarmActions: string[];
  readonly okActions: string[];
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
  force?: boolean;
  json?: boolean;
  region?: string;
}

export const registerFireDrill: RegisterCommand = (program, io) => {
  withRegion(
    program
      .command('fire-drill')
      .description('Set an alarm to ALARM (its notifications really go out), then back to OK, and tell who should have received what, where.')
      .argument('<alarm>', 'alarm name, e.g. ADCE-HighFailureRate')
      .option('--wait-seconds <n>', 'seconds to stay in ALARM before going back to OK', '10')
      .option('--force', 'drill even when the alarm is really in ALARM now (it will report a false OK until its next evaluation)')
      .option('--json', 'print the result as JSON'),
  ).action(async (alarmName: string, opts: DrillOptions, command) => {
    const config = configFromOptions(command);
    let waitSeconds: number;
    try {
      waitSeconds = parseNumberFlag('--wait-seconds', opts.waitSeconds, { min: 0, max: 3600 });
    } catch (err) {
      io.err(`error: ${(err as Error).message}\n`);
      io.exit(EXIT.usage);
      return;
    }
    const clients = cliClients(opts.region);
    const alarm = await findAlarm(io, clients, alarmName);
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

    const who = `${safe(() => userInfo().username, 'someone')}@${safe(hostname, 'unknown-host')}`;
    const started = new Date();
    const drillReason = `Fire drill by ${who} at ${started.toISOString()} (monitor fire-drill): this is a test of the alerting path, no action needed.`;
    io.err(`fire-drill: setting ${alarm.name} to ALARM\n`);
    try {
      await clients.cloudwatch().send(new SetAlarmStateCommand({ AlarmName: alarm.name, StateValue: 'ALARM', StateReason: drillReason }));
    } catch (err) {
      io.err(`error: could not set ${alarm.name} to ALARM: ${awsErrorText(err)}\n`);
      io.exit(EXIT.failure);
      return;
    }
    if (waitSeconds > 0) {
      io.err(`fire-drill: waiting ${waitSeconds} s before going back to OK\n`);
      await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
    }
    let okError: string | undefined;
    try {
      await clients.cloudwatch().send(
        new SetAlarmStateCommand({
          AlarmName: alarm.name,
          StateValue: 'OK',
          StateReason: `Fire drill by ${who} finished: back to OK (the alarm re-evaluates its real state at its next period).`,
        }),
      );
    } catch (err) {
      okError = awsErrorText(err);
    }

    const deliveries = await describeDeliveries(clients, config, alarm);
    if (opts.json) {
      io.out(`${JSON.stringify({ alarm: alarm.name, type: alarm.type, actionsEnabled: alarm.actionsEnabled, reason: drillReason, backToOk: !okError, okError, deliveries }, null, 2)}\n`);
    } else {
      io.out(renderDeliveries(alarm, deliveries));
    }
    if (okError) {
      io.err(
        `error: ${alarm.name} is still in ALARM from the drill: ${okError}\n` +
          `  set it back by hand: aws cloudwatch set-alarm-state --alarm-name '${alarm.name}' --state-value OK --state-reason 'fire drill over'\n`,
      );
      io.exit(EXIT.failure);
    }
  });
};

function safe(read: () => string, fallback: string): string {
  try {
    return read();
  } catch {
    return fallback;
  }
}

async function findAlarm(io: CliIO, clients: CliClients, name: string): Promise<AlarmInfo | undefined> {
  try {
    const page = await clients.cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    const metric = page.MetricAlarms?.[0];
    const composite = page.CompositeAlarms?.[0];
    const found = metric ?? composite;
    if (found) {
      return {
        name: found.AlarmName!,
        type: metric ? 'metric' : 'composite',
        state: found.StateValue ?? 'UNKNOWN',
        actionsEnabled: found.ActionsEnabled !== false,
        alarmActions: found.AlarmActions ?? [],
        okActions: found.OKActions ?? [],
      };
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
    if (!action.startsWith('arn:aws') || action.split(':')[2] !== 'sns') {
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
      const topic = d.action.split(':').pop();
      lines.push(`On ${on}: ${d.severity ?? 'unknown severity'} topic ${topic}${d.note ? ` (${d.note})` : ''}`);
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
