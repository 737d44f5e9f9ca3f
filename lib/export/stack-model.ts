import type { DataLakeMonitoring } from '../data-lake-monitoring';
import type { MonitoringConfig } from '../config/schema';
import { inMemoryStack } from '../stacks/monitoring-stack';
import type { GrafanaExportInput } from './grafana';

/** What the exports read from a built DataLakeMonitoring: its dashboards as data and every alarm name. */
export function exportInput(monitoring: Pick<DataLakeMonitoring, 'dashboards' | 'alarms'>): GrafanaExportInput {
  return { dashboards: monitoring.dashboards.resolved(), alarmNames: monitoring.alarms.registered.map((e) => e.alarmName) };
}

/**
 * Builds the stack `cdk deploy` would create for a config, in memory (no synth, no Lambda
 * bundling, no AWS call), and returns its export input: exactly the dashboards and alarms of
 * that stack, so a turned-off source exports nothing.
 */
export function stackExportInput(config: MonitoringConfig): GrafanaExportInput {
  return exportInput(inMemoryStack(config).monitoring);
}
