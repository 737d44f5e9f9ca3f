import { Duration, aws_cloudwatch as cloudwatch, type aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import type { SourceFreshness } from '../../collectors/s3';
import { sourceBucket } from '../../config/load';
import type { MonitoringConfig } from '../../config/schema';
import { FRESHNESS_LOG_MESSAGE } from '../../jobs/s3';
import type { AlarmFactory } from '../alarm-factory';
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

/** Logs Insights query of the per-source freshness table: the latest line of every source, stale first. */
export function freshnessQuery(): string {
  const latest = (k: keyof SourceFreshness, as: string) => `latest(${field(k)}) as ${as}`;
  return [
    `filter message = "${FRESHNESS_LOG_MESSAGE}"`,
    `stats ${[latest('stale', 'isStale'), latest('ageMinutes', 'ageMin'), latest('thresholdHours', 'thresholdH'), latest('newest', 'newestObject'), latest('objects', 'objectCount')].join(', ')} by ${field('prefix')}`,
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
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DataFreshnessProps) {
    super(scope, id);
    const { config, catalog, alarms, dashboards } = props;
    const periodMinutes = Math.min(config.s3.scheduleMinutes, 60);
    const thresholds = [config.s3.freshness.defaultThresholdHours, ...Object.values(config.s3.freshness.perPrefix)];
    const range = Math.min(...thresholds) === Math.max(...thresholds) ? `${thresholds[0]} h` : `${Math.min(...thresholds)}-${Math.max(...thresholds)} h`;
    this.alarm = alarms.whenAbove(
      'S3-StaleSources',
      catalogMetric(catalog, 'S3StaleSources', { Bucket: sourceBucket(config, 's3') }, { statistic: 'Maximum', period: Duration.minutes(periodMinutes) }),
      {
        threshold: 0,
        periods: 1,
        // Between hourly runs a period may hold no datum: keep the verdict (silence is S3-PublisherHeartbeat's job).
        missingData: 'ignore',
        severity: 'warning',
        summary: `At least one data source of s3://${sourceBucket(config, 's3')} has no object newer than its freshness threshold (${range}) as of the next S3 check; the Data Collection dashboard lists which.`,
      },
    );

    dashboards.addRow(
      'DataCollection',
      new cloudwatch.LogQueryWidget({
        title: 'Data sources: freshness by prefix (latest S3 publisher run; isStale: past its threshold by the next check)',
        logGroupNames: [props.s3PublisherLogGroup.logGroupName],
        queryString: freshnessQuery(),
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        width: 24,
        height: 8,
      }),
    );
  }
}
