import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import type { MonitoringConfig } from '../../config/schema';
import { periodMinutesFor } from '../../health/windows';
import type { AlarmFactory } from '../alarm-factory';
import { catalogMetric } from '../catalog-metric';

export interface AdceStallProps {
  /** Validated configuration: `adce.maxHoursWithoutRun`, `adce.scheduleMinutes`. */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
}

/**
 * `ADCE-NoRecentRun`: no orchestrator run ended for `adce.maxHoursWithoutRun` hours while the
 * queue holds tasks (critical). One metric-math alarm over the two gauges the ADCE publisher
 * sends every run (2 alarm metrics). Before any run report is recorded, the last-run age counts
 * from when monitoring first looked (the cursor's `watchingSince`): metric math reads a missing
 * series as 0, so without it an orchestrator that never ran would never fire. The other stall,
 * a queue that is not regenerated, is `ADCE-QueueStale` (PublisherHeartbeats), which doubles as
 * the ADCE publisher's heartbeat.
 */
export class AdceStall extends Construct {
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AdceStallProps) {
    super(scope, id);
    const { config, catalog, alarms } = props;
    const period = Duration.minutes(periodMinutesFor(config.adce.scheduleMinutes));
    const maxMinutes = Math.round(config.adce.maxHoursWithoutRun * 60);
    const stalled = new cloudwatch.MathExpression({
      expression: `IF(depth > 0 AND lastRunAge > ${maxMinutes}, 1, 0)`,
      usingMetrics: {
        depth: catalogMetric(catalog, 'ADCEQueueDepth', {}, { statistic: 'Maximum', period }),
        lastRunAge: catalogMetric(catalog, 'ADCELastRunAgeMinutes', {}, { statistic: 'Maximum', period }),
      },
      period,
      label: 'Stalled: queue holds tasks and no run ended recently (1 = yes)',
    });
    this.alarm = alarms.whenAtLeast('ADCE-NoRecentRun', stalled, {
      threshold: 1,
      periods: 1,
      // Publisher silence is ADCE-QueueStale's job; here no data means no evidence of a stall.
      missingData: 'notBreaching',
      severity: 'critical',
      summary: `No ADCE orchestrator run ended for more than ${config.adce.maxHoursWithoutRun} hours while the task queue holds tasks: the orchestrator is stalled or not scheduled.`,
    });
  }
}
