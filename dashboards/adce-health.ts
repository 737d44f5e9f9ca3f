import type { MonitoringConfig } from '../lib/config/schema';
import type { DashboardDefinition } from './types';

const GREEN = '#2ca02c';
const RED = '#d62728';
const GREY = '#7f7f7f';

/** The scraper orchestrator up close: queue, runs, success rate, its alarms. */
export function adceHealthDashboard(config: MonitoringConfig): DashboardDefinition {
  const t = config.thresholds;
  return {
    id: 'ADCEHealth',
    title: 'ADCE Health',
    alarmAreas: ['ADCE'],
    defaultRangeHours: 24,
    rows: [
      [{ kind: 'alarmStatus', title: 'ADCE alarms' }],
      [
        {
          kind: 'singleValue',
          title: 'ADCE now',
          metrics: [
            { metric: 'ADCEQueueDepth', label: 'Queued tasks' },
            { metric: 'ADCEBacklogMinutes', label: 'Backlog (min)' },
            { metric: 'ADCEQueueAgeMinutes', label: 'Queue age (min)' },
            { metric: 'ADCELastRunAgeMinutes', label: 'Since last run (min)' },
          ],
          width: 24,
        },
      ],
      [
        {
          kind: 'graph',
          title: 'Queue depth',
          left: [
            { metric: 'ADCEQueueDepth', label: 'All tasks' },
            ...config.adce.priorities.map((p) => ({ metric: 'ADCEQueueTasks', dimensions: { Priority: p }, label: p })),
          ],
          leftAxis: { min: 0 },
        },
        {
          kind: 'graph',
          title: 'Tasks per run: completed / failed / skipped',
          view: 'bar',
          left: [
            { metric: 'ADCETasksCompleted', label: 'Completed', color: GREEN },
            { metric: 'ADCETasksFailed', label: 'Failed', color: RED },
            { metric: 'ADCETasksSkipped', label: 'Skipped', color: GREY },
          ],
        },
      ],
      [
        {
          kind: 'graph',
          title: 'Success rate (%)',
          left: [{ metric: 'ADCESuccessRate', statistic: 'Average', label: 'Success rate' }],
          leftAxis: { min: 0, max: 100 },
          lines: [{ value: t.adceMinSuccessRatePct, label: `Alarm below ${t.adceMinSuccessRatePct}%`, color: RED }],
          width: 24,
        },
      ],
    ],
  };
}
