/**
 * The one price table `monitor cost-estimate` uses: AWS list prices for us-east-1, in USD, with
 * the date they were read. Update the numbers and `readOn` together; nothing else in the code
 * holds a price.
 *
 * Sources (read 2026-11-23): aws.amazon.com/cloudwatch/pricing (free tier: 10 metrics, 10 alarm
 * metrics, 3 dashboards of up to 50 metrics, 1M API requests, 5 GB logs), aws.amazon.com/lambda/pricing,
 * aws.amazon.com/kms/pricing, aws.amazon.com/xray/pricing, aws.amazon.com/s3/pricing,
 * aws.amazon.com/eventbridge/pricing (Scheduler), aws.amazon.com/aws-cost-management/pricing,
 * aws.amazon.com/sns/pricing.
 */
export const PRICES = {
  readOn: '2026-11-23',
  region: 'us-east-1',
  cloudwatch: {
    /** Per custom metric-month (730 metric-hours), first 10,000 metrics; prorated by the hour, metered only in hours with data. */
    metricMonth: 0.3,
    /** PutMetricData, ListMetrics, GetMetricStatistics, ... per 1,000 requests. */
    apiRequestsPer1000: 0.01,
    /** GetMetricData per 1,000 metrics requested (no free tier). */
    getMetricDataPer1000Metrics: 0.01,
    /** Standard resolution (period >= 60 s) alarm metric-month. Metric math: per metric in the expression. */
    standardAlarmMetricMonth: 0.1,
    /** High resolution (period < 60 s) alarm metric-month. */
    highResolutionAlarmMetricMonth: 0.3,
    /** An anomaly detection alarm bills 3 alarm metrics: the metric and the band's upper and lower bound. */
    anomalyAlarmMetricsPerMetric: 3,
    compositeAlarmMonth: 0.5,
    dashboardMonth: 3.0,
    /** Standard log class ingestion per GB. */
    logsIngestionPerGB: 0.5,
    /** Logs Insights per GB of log data scanned (shares the 5 GB free tier with ingestion). */
    logsInsightsPerGBScanned: 0.005,
    free: { metrics: 10, alarmMetrics: 10, dashboards: 3, apiRequests: 1_000_000, logsGB: 5 },
  },
  lambda: {
    arm64GBSecond: 0.0000133334,
    x86GBSecond: 0.0000166667,
    requestsPerMillion: 0.2,
    free: { gbSeconds: 400_000, requests: 1_000_000 },
  },
  scheduler: { invocationsPerMillion: 1.0, free: { invocations: 14_000_000 } },
  costExplorer: { apiRequest: 0.01 },
  s3: {
    /** S3 Standard PUT, COPY, POST, LIST per 1,000 requests. */
    listPer1000: 0.005,
    /** S3 Standard GET, SELECT and others per 1,000 requests. */
    getPer1000: 0.0004,
    /** S3 Inventory per million objects listed. */
    inventoryPerMillionObjects: 0.0025,
  },
  kms: {
    /** Per customer managed key-month (prorated hourly); each automatic rotation adds $1/month, capped after the 2nd. */
    keyMonth: 1.0,
    requestsPer10000: 0.03,
    free: { requests: 20_000 },
  },
  xray: { tracesRecordedPerMillion: 5.0, free: { tracesRecorded: 100_000 } },
  sns: { emailPer100000: 2.0, free: { email: 1_000 } },
  /** Free: Cost Anomaly Detection, monitoring-only AWS Budgets (and DescribeBudget), SQS within 1M requests, SSM standard parameters. */
  freeServices: ['AWS::CE::AnomalyMonitor', 'AWS::CE::AnomalySubscription', 'AWS::Budgets::Budget', 'AWS::SSM::Parameter', 'AWS::Logs::QueryDefinition'],
} as const;

export type Prices = typeof PRICES;

/** Hours in the month AWS bills by (365 * 24 / 12). */
export const HOURS_PER_MONTH = 730;
