import type { MonitoringConfig } from '../lib/config/schema';
import { adceHealthDashboard } from './adce-health';
import { dataCollectionDashboard } from './data-collection';
import { performanceCostsDashboard } from './performance-costs';
import type { DashboardDefinition } from './types';

export type * from './types';

/** The dashboards the stack deploys (CloudWatch's free tier is 3 dashboards); ADCE Health only with the ADCE source. */
export function standardDashboards(config: MonitoringConfig): DashboardDefinition[] {
  return [dataCollectionDashboard(config), performanceCostsDashboard(config), ...(config.adce.enabled ? [adceHealthDashboard(config)] : [])];
}
