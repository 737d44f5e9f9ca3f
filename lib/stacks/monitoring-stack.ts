import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { createCatalog, type MetricCatalog } from '../catalog/catalog';
import type { MonitoringConfig } from '../config/schema';

export interface MonitoringStackProps extends StackProps {
  /** Validated configuration (see lib/config). */
  readonly config: MonitoringConfig;
}

/** The whole monitoring stack: alerting, publishers, alarms, dashboards, budget. */
export class MonitoringStack extends Stack {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.config = props.config;
    this.catalog = createCatalog(props.config);
  }
}
