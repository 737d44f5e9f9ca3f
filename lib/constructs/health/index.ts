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
import { PipelineHeartbeats } from './pipeline-heartbeats';
import { PublisherFailedRuns } from './publisher-failed-runs';
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
 * "Nothing goes dark": dead-man's switches per enabled publisher and per pipeline operation
 * with an expected cadence, failed runs, data freshness, ADCE stall,
 * DIMS drift, cost forecast and Cost Anomaly Detection, the ADCE SLO with burn-rate alarms,
 * anomaly bands, publisher log errors and throttles, and the health roll-up at the top of every
 * dashboard (`healthRollup`). A part whose source is turned off (`<source>.enabled: false`) is
 * not created. Create it after every other alarm-making construct; the roll-up still includes
 * alarms registered later (it reads the registry at synth).
 */
export class HealthMonitoring extends Construct {
  readonly heartbeats: PublisherHeartbeats;
  /** Dead-man's switches of the pipeline operations with an expected cadence. */
  readonly pipelineHeartbeats: PipelineHeartbeats;
  readonly freshness?: DataFreshness;
  readonly adceStall?: AdceStall;
  readonly dimsDrift?: DimsDrift;
  readonly costGuard?: CostGuard;
  readonly slo?: SloBurnRate;
  readonly anomalies: AnomalyAlarms;
  readonly logs?: PublisherLogs;
  readonly failedRuns?: PublisherFailedRuns;
  readonly rollup?: HealthRollup;

  constructor(scope: Construct, id: string, props: HealthMonitoringProps) {
    super(scope, id);
    const { config, catalog, alarms, alerting, publishers, dashboards } = props;
    const common = { config, catalog, alarms };
    this.heartbeats = new PublisherHeartbeats(this, 'Heartbeats', common);
    this.pipelineHeartbeats = new PipelineHeartbeats(this, 'PipelineHeartbeats', { ...common, dashboards });
    const s3 = publishers.byId.s3;
    if (s3) this.freshness = new DataFreshness(this, 'Freshness', { ...common, dashboards, s3PublisherLogGroup: s3.logGroup });
    if (config.adce.enabled) {
      this.adceStall = new AdceStall(this, 'AdceStall', common);
      this.slo = new SloBurnRate(this, 'Slo', { ...common, dashboards });
    }
    // Drift compares the inventory with the S3 publisher's live count.
    if (config.dims.enabled && config.s3.enabled) this.dimsDrift = new DimsDrift(this, 'DimsDrift', common);
    if (config.cost.enabled) this.costGuard = new CostGuard(this, 'CostGuard', { ...common, alerting });
    this.anomalies = new AnomalyAlarms(this, 'Anomalies', common);
    const running = publishers.all();
    if (running.length > 0) {
      this.logs = new PublisherLogs(this, 'PublisherLogs', { ...common, publishers: running });
      if (publishers.failedRuns) this.failedRuns = new PublisherFailedRuns(this, 'FailedRuns', { alarms, queue: publishers.failedRuns, publishers: running });
      dashboards.addRow('DataCollection', { kind: 'alarmStatus', title: 'Publisher errors, failed runs and throttles', select: { areas: ['Monitoring'], kinds: ['threshold'] }, height: 2 });
    }
    if (config.healthRollup) this.rollup = new HealthRollup(this, 'Rollup', { config, alarms, dashboards });
  }
}
