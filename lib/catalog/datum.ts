/**
 * One datum as PutMetricData takes it, plus its namespace. Field names are CloudWatch's own,
 * so a dry-run line can be pasted into `aws cloudwatch put-metric-data` or boto3 as is.
 */
export interface MetricDatum {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Value: number;
  readonly Unit: string;
  readonly Dimensions?: ReadonlyArray<{ readonly Name: string; readonly Value: string }>;
  readonly Timestamp: Date;
}

/** One JSON line, keys in PutMetricData order: what `--dry-run` prints. */
export function datumToJsonLine(datum: MetricDatum): string {
  return JSON.stringify({
    Namespace: datum.Namespace,
    MetricName: datum.MetricName,
    Value: datum.Value,
    Unit: datum.Unit,
    ...(datum.Dimensions && datum.Dimensions.length > 0 ? { Dimensions: datum.Dimensions } : {}),
    Timestamp: datum.Timestamp.toISOString(),
  });
}

/** CloudWatch rejects datums older than two weeks or more than two hours in the future. */
export const MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_FUTURE_MS = 2 * 60 * 60 * 1000;
/** Longest dimension value CloudWatch accepts, in characters. */
export const MAX_DIMENSION_VALUE = 1024;
