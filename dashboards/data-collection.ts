import { sourceBucket } from '../lib/config/load';
import type { MonitoringConfig } from '../lib/config/schema';
import type { DashboardDefinition } from './types';

const GREEN = '#2ca02c';
const RED = '#d62728';

/** Is data arriving? S3 growth, ADCE task execution and success, upload failures, validation. */
export function dataCollectionDashboard(config: MonitoringConfig): DashboardDefinition {
  const bucket = { Bucket: sourceBucket(config, 's3') };
  const t = config.thresholds;
  return {
    id: 'DataCollection',
    title: 'Data Collection',
    alarmAreas: ['DataCollection', 'ADCE', 'DataQuality', 'DIMS'],
    defaultRangeHours: 24 * 7,
    rows: [
      [{ kind: 'alarmStatus', title: 'Data collection alarms' }],
      [
        { kind: 'graph', title: `S3 objects (${bucket.Bucket})`, left: [{ metric: 'S3ObjectCount', dimensions: bucket, label: 'Objects' }], width: 9 },
        { kind: 'graph', title: `S3 size in GiB (${bucket.Bucket})`, left: [{ metric: 'S3TotalSizeGB', dimensions: bucket, label: 'GiB' }], width: 9 },
        { kind: 'singleValue', title: 'Stale data sources', metrics: [{ metric: 'S3StaleSources', dimensions: bucket, label: 'Stale sources' }], width: 6, height: 6 },
      ],
      [
        {
          kind: 'graph',
          title: 'ADCE task execution (per hour)',
          view: 'bar',
          left: [
            { metric: 'ADCETasksCompleted', periodMinutes: 60, label: 'Completed', color: GREEN },
            { metric: 'ADCETasksFailed', periodMinutes: 60, label: 'Failed', color: RED },
          ],
        },
        {
          kind: 'graph',
          title: 'ADCE success rate (%)',
          left: [{ metric: 'ADCESuccessRate', statistic: 'Average', periodMinutes: 60, label: 'Success rate' }],
          leftAxis: { min: 0, max: 100 },
          lines: [{ value: t.adceMinSuccessRatePct, label: `Alarm below ${t.adceMinSuccessRatePct}%`, color: RED }],
        },
      ],
      [
        {
          kind: 'graph',
          title: 'S3 upload failures (pushed by the pipeline)',
          view: 'bar',
          left: [{ metric: 'S3UploadFailures', label: 'Failed uploads', color: RED }],
          leftAxis: { min: 0 },
          lines: [{ value: t.maxS3UploadFailures, label: `Alarm above ${t.maxS3UploadFailures} per 5 min`, color: RED }],
        },
        {
          kind: 'graph',
          title: 'Validation pass rate (%)',
          left: [{ metric: 'ValidationPassRate', statistic: 'Average', periodMinutes: 60, label: 'Pass rate' }],
          leftAxis: { min: 0, max: 100 },
          lines: [{ value: t.minValidationPassRatePct, label: `Alarm below ${t.minValidationPassRatePct}%`, color: RED }],
        },
      ],
      [
        {
          kind: 'graph',
          title: 'Objects: DIMS inventory vs live S3',
          left: [
            { metric: 'DIMS_S3Objects', label: 'Recorded by DIMS' },
            { metric: 'S3ObjectCount', dimensions: bucket, label: 'Live count' },
          ],
          width: 24,
        },
      ],
    ],
  };
}
