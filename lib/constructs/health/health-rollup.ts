import { Lazy, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MonitoringConfig } from '../../config/schema';
import { type AlarmFactory, type RegisteredAlarm, runbookAnchor, runbookLink } from '../alarm-factory';
import type { Severity } from '../alerting';
import type { Dashboards } from '../dashboards';

export interface HealthRollupProps {
  /** Validated configuration: `runbookBaseUrl` for the legend's links. */
  readonly config: MonitoringConfig;
  /** Makes the roll-ups (both routed to the warning topic: email only) and lists their members. */
  readonly alarms: AlarmFactory;
  /** Every dashboard gets the health row at its top. */
  readonly dashboards: Dashboards;
}

export const UNHEALTHY = 'Monitoring-Unhealthy';
export const DEGRADED = 'Monitoring-Degraded';

/** The alarms a roll-up of a severity watches: every notifying alarm of it (window alarms of a composite are not). */
export function rollupMembers(alarms: AlarmFactory, severity: Severity): RegisteredAlarm[] {
  return alarms.select({ severities: [severity] }).filter((e) => e.notifies && e.baseName !== UNHEALTHY && e.baseName !== DEGRADED);
}

/**
 * One health signal: healthy (both OK), degraded (`Monitoring-Degraded`:
 * some warning alarm fires), unhealthy (`Monitoring-Unhealthy`: some critical alarm fires).
 * Degraded does not include the critical alarms, so a critical incident mails one roll-up, not
 * two. Members keep their own routing (critical: email + SMS, warning: email); both roll-ups
 * notify only the warning topic, so nobody is paged twice by SMS. Members are read at synth:
 * alarms registered after this construct are included too. Shown at the top of every dashboard.
 */
export class HealthRollup extends Construct {
  readonly unhealthy: cloudwatch.CompositeAlarm;
  readonly degraded: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: HealthRollupProps) {
    super(scope, id);
    const { alarms, dashboards } = props;
    const anyOf = (severity: Severity): cloudwatch.IAlarmRule => ({
      renderAlarmRule: () =>
        Lazy.string({
          produce: () => {
            const members = rollupMembers(alarms, severity);
            if (members.length === 0) throw new Error(`The health roll-up has no ${severity} alarm to watch.`);
            return cloudwatch.AlarmRule.anyOf(...members.map((e) => cloudwatch.AlarmRule.fromAlarm(e.alarm, cloudwatch.AlarmState.ALARM))).renderAlarmRule();
          },
        }),
    });

    this.unhealthy = alarms.composite(UNHEALTHY, anyOf('critical'), {
      severity: 'critical',
      notify: 'warning',
      summary: 'Unhealthy: at least one critical alarm is in ALARM (data is being lost or soon will be). The members page on their own; this roll-up only emails.',
    });
    this.degraded = alarms.composite(DEGRADED, anyOf('warning'), {
      severity: 'warning',
      notify: 'warning',
      summary: 'Degraded: at least one warning alarm is in ALARM (something degrades; critical alarms are Monitoring-Unhealthy).',
    });

    const link = (name: string) => {
      const url = runbookLink(props.config, runbookAnchor(name));
      return props.config.runbookBaseUrl ? `[${name}](${url})` : `\`${url}\``;
    };
    const legend = `**Healthy**: both OK. **Degraded**: a warning alarm fires. **Unhealthy**: a critical alarm fires. Runbook: ${link(UNHEALTHY)}, ${link(DEGRADED)}.`;
    for (const dashboard of dashboards.ids) {
      dashboards.addTopRow(
        dashboard,
        { kind: 'alarmStatus', title: 'Health', select: { baseNames: [UNHEALTHY, DEGRADED] }, width: 16, height: 3 },
        { kind: 'text', markdown: legend, width: 8, height: 3 },
      );
    }
  }
}
