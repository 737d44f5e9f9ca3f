import type { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import type { MonitoringConfig } from '../../config/schema';
import type { AlarmFactory } from '../alarm-factory';
import { catalogMetric } from '../catalog-metric';

export interface DimsDriftProps {
  /** Validated configuration: `dims.driftWarnPct` (DIMS's own "major", default 15), `dims.scheduleMinutes`. */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
}

/**
 * `DIMS-DriftMajor`: the live S3 object count differs from what DIMS recorded by
 * `dims.driftWarnPct` % or more (warning). Verification age is `DIMS-VerificationStale`
 * (PublisherHeartbeats), which doubles as the DIMS publisher's heartbeat.
 */
export class DimsDrift extends Construct {
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DimsDriftProps) {
    super(scope, id);
    const { config, catalog, alarms } = props;
    // Period: one DIMS run (the catalog metric's default).
    this.alarm = alarms.whenAtLeast('DIMS-DriftMajor', catalogMetric(catalog, 'DIMS_S3ObjectsDriftPct', {}, { statistic: 'Maximum' }), {
      threshold: config.dims.driftWarnPct,
      periods: 1,
      // Drift is skipped when no live count is available: keep the last verdict.
      missingData: 'ignore',
      severity: 'warning',
      summary: `The live S3 object count and the DIMS inventory differ by ${config.dims.driftWarnPct}% or more (DIMS's "major" drift): the inventory is out of date or objects appeared/disappeared unexpectedly.`,
    });
  }
}
