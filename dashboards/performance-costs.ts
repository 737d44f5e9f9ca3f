import { OPERATION_STATUSES, type OperationStatus } from '../lib/catalog/catalog';
import type { MonitoringConfig } from '../lib/config/schema';
import type { DashboardDefinition, WidgetSpec } from './types';

const GREEN = '#2ca02c';
const RED = '#d62728';
const ORANGE = '#ff7f0e';
const STATUS_COLORS: Record<OperationStatus, string> = { success: GREEN, failure: RED };

/** How long pipeline operations take, and what the account costs against its budget. */
export function performanceCostsDashboard(config: MonitoringConfig): DashboardDefinition {
  const t = config.thresholds;
  const durations: WidgetSpec[] = config.pipelineOperations.map((op) => ({
    kind: 'graph',
    title: `${op} duration (seconds)`,
    left: OPERATION_STATUSES.map((status) => ({ metric: `${op}Duration`, dimensions: { Status: status }, label: status, color: STATUS_COLORS[status] })),
    leftAxis: { min: 0 },
    width: 8,
  }));
  return {
    id: 'PerformanceCosts',
    title: 'Performance & Costs',
    alarmAreas: ['Performance', 'Costs'],
    defaultRangeHours: 24 * 7,
    rows: [
      [{ kind: 'alarmStatus', title: 'Performance and cost alarms' }],
      durations,
      [
        {
          kind: 'graph',
          title: 'AWS cost this month vs budget (USD)',
          left: [
            { metric: 'MonthlyAWSCost', label: 'Month to date' },
            { metric: 'ForecastedMonthlyCost', label: 'Forecast for the month', color: ORANGE },
          ],
          leftAxis: { min: 0 },
          lines: [{ value: config.monthlyBudgetUsd, label: `Budget ${config.monthlyBudgetUsd} USD`, color: RED }],
        },
        {
          kind: 'graph',
          title: 'Budget utilization (%)',
          left: [{ metric: 'BudgetUtilization', label: 'Month to date' }],
          leftAxis: { min: 0, max: 100 },
          lines: [{ value: t.budgetUtilizationPct, label: `Alarm above ${t.budgetUtilizationPct}%`, color: ORANGE }],
        },
      ],
    ],
  };
}
