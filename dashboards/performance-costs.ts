import { OPERATION_STATUSES, type OperationStatus } from '../lib/catalog/catalog';
import { type MonitoringConfig, operationNames } from '../lib/config/schema';
import { COLORS, type DashboardDefinition, type WidgetSpec } from './types';

const STATUS_COLORS: Record<OperationStatus, string> = { success: COLORS.green, failure: COLORS.red };

/** How long pipeline operations take, and what the account costs against its budget (with the cost source). */
export function performanceCostsDashboard(config: MonitoringConfig): DashboardDefinition {
  const durations: WidgetSpec[] = operationNames(config).map((op) => ({
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
      ...(!config.cost.enabled ? [] : [[
        {
          kind: 'graph',
          title: 'AWS cost this month vs budget (USD)',
          left: [
            { metric: 'MonthlyAWSCost', label: 'Month to date' },
            { metric: 'ForecastedMonthlyCost', label: 'Forecast for the month', color: COLORS.orange },
          ],
          leftAxis: { min: 0 },
          lines: [{ value: config.monthlyBudgetUsd, label: `Budget ${config.monthlyBudgetUsd} USD`, color: COLORS.red }],
        },
        {
          kind: 'graph',
          title: 'Budget utilization (%)',
          left: [{ metric: 'BudgetUtilization', label: 'Month to date' }],
          leftAxis: { min: 0, max: 100 },
          alarms: ['AWS-CostBudgetExceeded'],
        },
      ] satisfies WidgetSpec[]]),
    ],
  };
}
