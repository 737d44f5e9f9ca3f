import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricCatalog } from '../catalog/catalog';

/**
 * The S3 publisher's latest `S3ObjectCount` of a bucket, read back from CloudWatch: DIMS drift
 * compares against it instead of listing the bucket a second time.
 */
export interface LatestObjectCountOptions {
  readonly cloudWatch: CloudWatchClient;
  readonly catalog: MetricCatalog;
  readonly bucket: string;
  readonly now: Date;
  /** How far back a datum still counts. @default 2 x the S3 publisher's interval */
  readonly lookbackMinutes?: number;
  /** Stops the request at the run's deadline. */
  readonly abortSignal?: AbortSignal;
}

export interface LiveCount {
  readonly value?: number;
  /** Why there is no value. */
  readonly unavailable?: string;
}

export async function latestS3ObjectCount(options: LatestObjectCountOptions): Promise<LiveCount> {
  const metric = options.catalog.get('S3ObjectCount');
  const lookback = options.lookbackMinutes ?? 2 * (metric.cadenceMinutes ?? 60);
  const dims = options.catalog.dimensionsFor(metric, { Bucket: options.bucket });
  const res = await options.cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(options.now.getTime() - lookback * 60_000),
      EndTime: options.now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'live',
          ReturnData: true,
          MetricStat: {
            Metric: { Namespace: metric.namespace, MetricName: metric.name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    }),
    options.abortSignal ? { abortSignal: options.abortSignal } : {},
  );
  const value = res.MetricDataResults?.[0]?.Values?.[0];
  if (value === undefined) {
    return { unavailable: `no ${metric.namespace} ${metric.name} datum for bucket ${options.bucket} in the last ${lookback} minutes (is the S3 publisher running?)` };
  }
  return { value };
}
