import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import type { MonitoringConfig } from '../../config/schema';
import type { AlarmFactory } from '../alarm-factory';
import type { Alerting } from '../alerting';
import type { Dashboards } from '../dashboards';
import type { Publishers } from '../publishers';
import { AdceStall } from './adce-stall';
import { AnomalyAlarms } from './anomaly-alarms';
import { CostGuard } from './cost-guard';
import { DataFreshness } from './data-freshness';
import { DimsDrift } from './dims-drift';
import { HealthRollup } from './health-rollup';
import { PublisherHeartbeats } from './publisher-heartbeats';
import { PublisherLogs } from './publisher-logs';
import { SloBurnRate } from './slo-burn-rate';

export interface HealthMonitoringProps {
  /** Validated configuration (each part documents the keys it reads). */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  /** Makes and registers every alarm; the roll-up reads its registry. */
  readonly alarms: AlarmFactory;
  readonly alerting: Alerting;
  /** Heartbeats follow their schedules; log filters and queries use their log groups. */
  readonly publishers: Publishers;
  readonly dashboards: Dashboards;
}

/**
 * "Nothing goes dark" (issue 4): dead-man's switches per publisher, data freshness, ADCE stall,
 * DIMS drift, cost forecast and Cost Anomaly Detection, the ADCE SLO with burn-rate alarms,
 * anomaly bands, publisher log errors and throttles, and the health roll-up at the top of every
 * dashboard (`healthRollup`, default on). Create it after every other alarm-making construct;
 * the roll-up still includes alarms registered later (it reads the registry at synth).
 */
export class HealthMonitoring extends Construct {
  readonly heartbeats: PublisherHeartbeats;
  readonly freshness: DataFreshness;
  readonly adceStall: AdceStall;
  readonly dimsDrift: DimsDrift;
  readonly costGuard: CostGuard;
  readonly slo: SloBurnRate;
  readonly anomalies: AnomalyAlarms;
  readonly logs: PublisherLogs;
  readonly rollup?: HealthRollup;

  constructor(scope: Construct, id: string, props: HealthMonitoringProps) {
    super(scope, id);
    const { config, catalog, alarms, alerting, publishers, dashboards } = props;
    const common = { config, catalog, alarms };
    this.heartbeats = new PublisherHeartbeats(this, 'Heartbeats', common);
    this.freshness = new DataFreshness(this, 'Freshness', { ...common, dashboards, s3PublisherLogGroup: publishers.byId.s3.logGroup });
    this.adceStall = new AdceStall(this, 'AdceStall', common);
    this.dimsDrift = new DimsDrift(this, 'DimsDrift', common);
    this.costGuard = new CostGuard(this, 'CostGuard', { ...common, alerting });
    this.slo = new SloBurnRate(this, 'Slo', { ...common, dashboards });
    this.anomalies = new AnomalyAlarms(this, 'Anomalies', common);
    this.logs = new PublisherLogs(this, 'PublisherLogs', { ...common, publishers: publishers.all() });
    dashboards.addRow(
      'DataCollection',
      dashboards.widget('DataCollection', { kind: 'alarmStatus', title: 'Publisher errors and throttles', select: { areas: ['Monitoring'], kinds: ['threshold'] }, height: 2 }),
    );
    if (config.healthRollup) this.rollup = new HealthRollup(this, 'Rollup', { config, alarms, dashboards });
  }
}
