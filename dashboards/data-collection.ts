import { dataLakeBuckets } from '../lib/config/load';
import type { MonitoringConfig } from '../lib/config/schema';
import { COLORS, type DashboardDefinition, type WidgetSpec } from './types';
import { adceSuccessRateGraph, percentGraph } from './widgets';

/** Is data arriving? S3 growth, ADCE task execution and success, upload failures, validation; rows of turned-off sources are left out. */
export function dataCollectionDashboard(config: MonitoringConfig): DashboardDefinition {
  const buckets = dataLakeBuckets(config).map((b) => ({ Bucket: b.name }));
  const rows: WidgetSpec[][] = [[{ kind: 'alarmStatus', title: 'Data collection alarms' }]];
  // One row per data-lake bucket.
  for (const bucket of config.s3.enabled ? buckets : []) {
    rows.push([
      { kind: 'graph', title: `S3 objects (${bucket.Bucket})`, left: [{ metric: 'S3ObjectCount', dimensions: bucket, label: 'Objects' }], width: 9 },
      { kind: 'graph', title: `S3 size in GiB (${bucket.Bucket})`, left: [{ metric: 'S3TotalSizeGB', dimensions: bucket, label: 'GiB' }], width: 9 },
      { kind: 'singleValue', title: `Stale data sources (${bucket.Bucket})`, metrics: [{ metric: 'S3StaleSources', dimensions: bucket, label: 'Stale sources' }], width: 6, height: 6 },
    ]);
  }
  if (config.adce.enabled) {
    rows.push([
      {
        kind: 'graph',
        title: 'ADCE task execution (per hour)',
        view: 'bar',
        left: [
          { metric: 'ADCETasksCompleted', periodMinutes: 60, label: 'Completed', color: COLORS.green },
          { metric: 'ADCETasksFailed', periodMinutes: 60, label: 'Failed', color: COLORS.red },
        ],
      },
      adceSuccessRateGraph('ADCE success rate (%)'),
    ]);
  }
  rows.push([
    {
      kind: 'graph',
      title: 'S3 upload failures (pushed by the pipeline)',
      view: 'bar',
      left: [{ metric: 'S3UploadFailures', label: 'Failed uploads', color: COLORS.red }],
      leftAxis: { min: 0 },
      alarms: ['S3-UploadFailures'],
    },
    // Hourly, like Data-QualityIssues.
    percentGraph('Validation pass rate (%)', { metric: 'ValidationPassRate', statistic: 'Average', periodMinutes: 60, label: 'Pass rate' }, ['Data-QualityIssues']),
  ]);
  if (config.dims.enabled) {
    rows.push([
      {
        kind: 'graph',
        title: config.s3.enabled ? 'Objects: DIMS inventory vs live S3' : 'Objects recorded by DIMS',
        left: [
          { metric: 'DIMS_S3Objects', label: 'Recorded by DIMS' },
          // DIMS compares with the first bucket's live count.
          ...(config.s3.enabled ? [{ metric: 'S3ObjectCount', dimensions: buckets[0], label: `Live count (${buckets[0]!.Bucket})` }] : []),
        ],
        width: 24,
      },
    ]);
  }
  return {
    id: 'DataCollection',
    title: 'Data Collection',
    alarmAreas: ['DataCollection', 'ADCE', 'DataQuality', 'DIMS'],
    defaultRangeHours: 24 * 7,
    rows,
  };
}
