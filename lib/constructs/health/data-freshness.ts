import { Duration, aws_cloudwatch as cloudwatch, type aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import type { SourceFreshness } from '../../collectors/s3';
import { dataLakeBuckets, perBucketAlarmName } from '../../config/load';
import type { MonitoringConfig } from '../../config/schema';
import { FRESHNESS_LOG_MESSAGE } from '../../jobs/s3';
import { type AlarmFactory, runbookAnchor } from '../alarm-factory';
import { catalogMetric } from '../catalog-metric';
import type { Dashboards } from '../dashboards';

export interface DataFreshnessProps {
  /** Validated configuration: `s3.scheduleMinutes`, `s3.freshness` (thresholds, judged by the S3 collector). */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
  /** The Data Collection dashboard gets the per-source table (Logs Insights over this log group). */
  readonly dashboards: Dashboards;
  /** Log group of the S3 publisher: one `source freshness` JSON line per source and run. */
  readonly s3PublisherLogGroup: logs.ILogGroup;
}

/** A field of the S3 job's per-source log line: renaming one in the collector breaks the build, not the table. */
const field = <K extends keyof SourceFreshness>(k: K): K => k;

/** Logs Insights query of the per-source freshness table: the latest line of every source of every bucket, stale first. */
export function freshnessQuery(): string {
  const latest = (k: keyof SourceFreshness, as: string) => `latest(${field(k)}) as ${as}`;
  return [
    `filter message = "${FRESHNESS_LOG_MESSAGE}"`,
    `stats ${[latest('stale', 'isStale'), latest('ageMinutes', 'ageMin'), latest('thresholdHours', 'thresholdH'), latest('newest', 'newestObject'), latest('objects', 'objectCount')].join(', ')} by bucket, ${field('prefix')}`,
    'sort isStale desc, ageMin desc',
  ].join('\n| ');
}

/**
 * Data freshness per source: `S3-StaleSources` warns when the S3 publisher counts a stale source
 * (`S3StaleSources` > 0). The collector judges each source against the next check
 * (age + s3.scheduleMinutes > threshold), and the alarm's period is at most an hour, so a data
 * gap is reported no later than its threshold + 1 hour. Which source: the Logs Insights table
 * on the Data Collection dashboard (free; one per-source metric would cost $0.30/month each).
 */
export class DataFreshness extends Construct {
  /** `S3-StaleSources`, one per data-lake bucket. */
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: DataFreshnessProps) {
    super(scope, id);
    const { config, catalog, alarms, dashboards } = props;
    const periodMinutes = Math.min(config.s3.scheduleMinutes, 60);
    this.alarms = dataLakeBuckets(config).map((bucket) => {
      const thresholds = [bucket.freshness.defaultThresholdHours, ...Object.values(bucket.freshness.perPrefix)];
      const range = Math.min(...thresholds) === Math.max(...thresholds) ? `${thresholds[0]} h` : `${Math.min(...thresholds)}-${Math.max(...thresholds)} h`;
      return alarms.whenAbove(
        perBucketAlarmName(config, 'S3-StaleSources', bucket.name),
        catalogMetric(catalog, 'S3StaleSources', { Bucket: bucket.name }, { statistic: 'Maximum', period: Duration.minutes(periodMinutes) }),
        {
          threshold: 0,
          periods: 1,
          // Between hourly runs a period may hold no datum: keep the verdict (silence is S3-PublisherHeartbeat's job).
          missingData: 'ignore',
          severity: 'warning',
          runbookAnchor: runbookAnchor('S3-StaleSources'),
          summary: `At least one data source of s3://${bucket.name} has no object newer than its freshness threshold (${range}) as of the next S3 check; the Data Collection dashboard lists which.`,
        },
      );
    });

    dashboards.addRow(
      'DataCollection',
      {
        kind: 'logQuery',
        title: 'Data sources: freshness by prefix (latest S3 publisher run; isStale: past its threshold by the next check)',
        logGroups: [{ label: 'S3 publisher', name: props.s3PublisherLogGroup.logGroupName }],
        query: freshnessQuery(),
        width: 24,
        height: 8,
      },
    );
  }
}
