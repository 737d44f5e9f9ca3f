import { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import type { MonitoringConfig } from '../../config/schema';
import { type BurnWindowClass, burnRateExpression, burnWindowClasses, errorBudgetRemainingExpression } from '../../slo/burn-rate';
import { type AlarmFactory, runbookAnchor } from '../alarm-factory';
import type { Severity } from '../alerting';
import type { ExpressionRef, MetricRef } from '../../../dashboards/types';
import { catalogExpression } from '../catalog-metric';
import type { Dashboards } from '../dashboards';

export interface SloBurnRateProps {
  /** Validated configuration: `slo` (target 95% over 30 days, burn rates 14.4 / 6, `burnRateAlarms` default on). */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
  /** The ADCE Health dashboard gets the error budget remaining and the burn rates. */
  readonly dashboards: Dashboards;
}

/** How each burn-rate class alarms and shows. */
const CLASS_ALARMS: Readonly<Record<BurnWindowClass['name'], { readonly baseName: string; readonly severity: Severity; readonly color: string }>> = {
  fast: { baseName: 'ADCE-SLOFastBurn', severity: 'critical', color: '#d62728' },
  slow: { baseName: 'ADCE-SLOSlowBurn', severity: 'warning', color: '#ff7f0e' },
};

/** Metric ids per window (a graph holding two windows needs distinct ids). */
const ids = (minutes: number) => ({ failed: `failed${minutes}m`, completed: `completed${minutes}m` });

/**
 * The ADCE task-success SLO (config.slo): error budget remaining on the ADCE Health dashboard
 * (metric math over the SLO window, free), and multi-window multi-burn-rate alarms on
 * ADCETasksFailed / ADCETasksCompleted: fast = 14.4x over 1 h AND over 5 min -> critical, slow
 * = 6x over 6 h AND over 30 min -> warning. The four window alarms do not notify (and are not
 * in the health roll-up); the AND of each class is a composite that notifies its severity.
 */
export class SloBurnRate extends Construct {
  constructor(scope: Construct, id: string, props: SloBurnRateProps) {
    super(scope, id);
    const { config, catalog, alarms, dashboards } = props;
    const target = config.slo.adceSuccessTargetPct;
    const burnSpec = (minutes: number, label?: string): ExpressionRef => {
      const id = ids(minutes);
      const sum = (metric: string): MetricRef => ({ metric, statistic: 'Sum', periodMinutes: minutes });
      return { expression: burnRateExpression(id, target), using: { [id.failed]: sum('ADCETasksFailed'), [id.completed]: sum('ADCETasksCompleted') }, periodMinutes: minutes, label };
    };
    const burn = (minutes: number) => catalogExpression(catalog, burnSpec(minutes));

    const classes = burnWindowClasses(config.slo);
    if (config.slo.burnRateAlarms) {
      for (const c of classes) {
        const { baseName: base, severity } = CLASS_ALARMS[c.name];
        const anchor = runbookAnchor(base);
        const window = (minutes: number) =>
          alarms.whenAbove(`${base}-${windowLabel(minutes)}`, burn(minutes), {
            threshold: c.rate,
            periods: 1,
            // No finished task in the window: nothing burns.
            missingData: 'notBreaching',
            severity,
            notify: false,
            runbookAnchor: anchor,
            summary: `ADCE tasks burned the ${target}% success SLO's error budget faster than ${c.rate}x over the last ${windowLabel(minutes)} (one window of ${base}; does not notify by itself).`,
          });
        const long = window(c.longMinutes);
        const short = window(c.shortMinutes);
        alarms.composite(base, cloudwatch.AlarmRule.allOf(cloudwatch.AlarmRule.fromAlarm(long, cloudwatch.AlarmState.ALARM), cloudwatch.AlarmRule.fromAlarm(short, cloudwatch.AlarmState.ALARM)), {
          severity,
          area: 'ADCE',
          summary: `ADCE tasks are failing ${c.rate}x faster than the ${target}% success SLO over ${config.slo.windowDays} days allows, over both the last ${windowLabel(c.longMinutes)} and the last ${windowLabel(c.shortMinutes)}.`,
        });
      }
    }

    // Error budget over the SLO window: one value over the last windowDays (widget-level range).
    const windowMinutes = config.slo.windowDays * 1440;
    const sloIds = { failed: 'failedSlo', completed: 'completedSlo' };
    const windowSum = (metric: string): MetricRef => ({ metric, statistic: 'Sum', periodMinutes: windowMinutes });
    dashboards.addRow(
      'ADCEHealth',
      {
        kind: 'singleValue',
        title: `ADCE task SLO: error budget remaining over ${config.slo.windowDays} days (100 = untouched, < 0 = SLO missed)`,
        metrics: [
          {
            expression: errorBudgetRemainingExpression(sloIds, target),
            using: { [sloIds.failed]: windowSum('ADCETasksFailed'), [sloIds.completed]: windowSum('ADCETasksCompleted') },
            periodMinutes: windowMinutes,
            label: `Error budget remaining (%), ${target}% over ${config.slo.windowDays} d`,
          },
        ],
        rangeDays: config.slo.windowDays,
        width: 8,
        height: 6,
      },
      {
        kind: 'graph',
        title: 'ADCE error-budget burn rate (x the sustainable rate)',
        // The long window of each class: the burn its alarm judges.
        left: classes.map((c) => burnSpec(c.longMinutes, `Burn rate, ${windowLabel(c.longMinutes, ' ')}`)),
        lines: classes.map((c) => ({ value: c.rate, label: `${c.name} burn ${c.rate}x`, color: CLASS_ALARMS[c.name].color })),
        leftAxis: { min: 0 },
        width: 16,
        height: 6,
      },
    );
  }
}

/** `60` -> `1h`, `5` -> `5m` (`1 h` with a space as separator). */
function windowLabel(minutes: number, separator = ''): string {
  return minutes % 60 === 0 ? `${minutes / 60}${separator}h` : `${minutes}${separator}m`;
}
