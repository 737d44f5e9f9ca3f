/**
 * The construct library: `new DataLakeMonitoring(scope, id, props)` in any CDK app, with the
 * types and helpers users build on (catalog, severities, config validation).
 */
export { DataLakeMonitoring, type DataLakeMonitoringProps } from './data-lake-monitoring';
export { MonitoringStack, type MonitoringStackProps } from './stacks/monitoring-stack';
export { MetricCatalog, type CatalogMetric, type Dimensions, type MetricSpec } from './catalog/catalog';
export { CONFIG_METADATA_KEY, ConfigError, parseConfig, loadConfig, dataLakeBuckets, alarmName } from './config/load';
export { configSchema, type MonitoringConfig, type MonitoringConfigInput, PUBLISHERS, type PublisherId } from './config/schema';
export { SEVERITIES, type Severity } from './constructs/alerting';
export type { AlarmFactory, RegisteredAlarm, AlarmSelector } from './constructs/alarm-factory';
export type { ChatChannels } from './constructs/chat-channels';
export type { Remediation, RemediationHook } from './constructs/remediation';
export { grafanaDashboards, type GrafanaDashboardFile, type GrafanaExportInput } from './export/grafana';
export { exportInput } from './export/stack-model';
export { pythonModule } from './export/python';
