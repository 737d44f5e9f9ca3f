import type { MonitoringConfig } from '../lib/config/schema';
import { COLORS, type DashboardDefinition } from './types';
import { adceSuccessRateGraph } from './widgets';

/** The scraper orchestrator up close: queue, runs, success rate, its alarms. */
export function adceHealthDashboard(config: MonitoringConfig): DashboardDefinition {
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
            // Per-priority metrics only with adce.priorityMetrics; the Logs Insights table below always has them.
            ...(config.adce.priorityMetrics ? config.adce.priorities.map((p) => ({ metric: 'ADCEQueueTasks', dimensions: { Priority: p }, label: p })) : []),
          ],
          leftAxis: { min: 0 },
        },
        {
          kind: 'graph',
          title: 'Tasks per run: completed / failed / skipped',
          view: 'bar',
          left: [
            { metric: 'ADCETasksCompleted', label: 'Completed', color: COLORS.green },
            { metric: 'ADCETasksFailed', label: 'Failed', color: COLORS.red },
            { metric: 'ADCETasksSkipped', label: 'Skipped', color: COLORS.grey },
          ],
        },
      ],
      [adceSuccessRateGraph('Success rate (%)', { width: 24 })],
    ],
  };
}
