import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { type MetricCatalog, OPERATION_STATUSES } from '../../catalog/catalog';
import { dataLakeBuckets, perBucketAlarmName } from '../../config/load';
import { type MonitoringConfig, operationNames } from '../../config/schema';
import { periodMinutesFor } from '../../health/windows';
import { type AlarmFactory, runbookAnchor } from '../alarm-factory';
import { catalogMetric } from '../catalog-metric';

export interface AnomalyAlarmsProps {
  /** Validated configuration: `anomalyDetection` (s3Growth, operationDurations: default on; bandWidth 2), `pipelineOperations`. */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
}

/** Runbook section shared by every `<Operation>Duration-Anomaly` alarm (operations come from config). */
export const DURATION_ANOMALY_ANCHOR = 'operation-durationanomaly';

/**
 * CloudWatch anomaly bands (each alarm bills 3 alarm metrics, $0.30/month):
 * - `S3-ObjectGrowthAnomaly` (one per bucket): hourly growth of the bucket's object count (DIFF of
 *   `S3ObjectCount`) outside its band in 2 of 3 hours: collection stalled or ran away;
 * - `<Operation>-DurationAnomaly` per pipeline operation: `<Operation>Duration` (Status=success)
 *   above its band: a performance regression.
 * All warnings; missing data keeps the verdict (pipeline pushes are sporadic).
 */
export class AnomalyAlarms extends Construct {
  constructor(scope: Construct, id: string, props: AnomalyAlarmsProps) {
    super(scope, id);
    const { config, catalog, alarms } = props;
    const { bandWidth } = config.anomalyDetection;

    if (config.anomalyDetection.s3Growth && config.s3.enabled) {
      const period = Duration.minutes(Math.max(60, periodMinutesFor(config.s3.scheduleMinutes)));
      for (const bucket of dataLakeBuckets(config)) {
        const growth = new cloudwatch.MathExpression({
          expression: 'DIFF(objects)',
          usingMetrics: { objects: catalogMetric(catalog, 'S3ObjectCount', { Bucket: bucket.name }, { statistic: 'Maximum', period }) },
          period,
          label: `Objects added per period (${bucket.name})`,
        });
        alarms.outsideBand(perBucketAlarmName(config, 'S3-ObjectGrowthAnomaly', bucket.name), growth, {
          bandWidth,
          direction: 'outside',
          periods: 3,
          datapointsToAlarm: 2,
          missingData: 'ignore',
          severity: 'warning',
          runbookAnchor: runbookAnchor('S3-ObjectGrowthAnomaly'),
          summary: `The object growth of s3://${bucket.name} per ${period.toMinutes()} minutes left its usual band (${bandWidth} standard deviations) in 2 of the last 3 periods: collection stalled, slowed, or is writing far more than usual.`,
        });
      }
    }

    if (config.anomalyDetection.operationDurations) {
      for (const op of operationNames(config)) {
        alarms.outsideBand(
          `${op}-DurationAnomaly`,
          catalogMetric(catalog, `${op}Duration`, { Status: OPERATION_STATUSES[0] }, { statistic: 'Average', period: Duration.hours(1) }),
          {
            bandWidth,
            direction: 'above',
            periods: 1,
            missingData: 'ignore',
            severity: 'warning',
            runbookAnchor: DURATION_ANOMALY_ANCHOR,
            summary: `The pipeline's ${op} operation took longer than its usual band (${bandWidth} standard deviations above the expected duration, hourly average of successful runs): a performance regression.`,
          },
        );
      }
    }
  }
}
