import { Construct } from 'constructs';
import type { ExpressionRef, GraphSpec } from '../../../dashboards/types';
import { type CatalogMetric, type MetricCatalog, OPERATION_STATUS_DIMENSION } from '../../catalog/catalog';
import { type MonitoringConfig, scheduledOperations } from '../../config/schema';
import { heartbeatWindow, minutesLabel, windowMinutes } from '../../health/windows';
import type { AlarmFactory } from '../alarm-factory';
import { catalogExpression } from '../catalog-metric';
import type { Dashboards } from '../dashboards';

export interface PipelineHeartbeatsProps {
  /** Validated configuration: `pipelineOperations` entries with `expectedEveryHours`. */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
  /** The Performance & Costs dashboard gets one runs graph per operation. */
  readonly dashboards: Dashboards;
}

/**
 * Datapoints of `<Operation>Duration` of any Status per period: the series the heartbeat alarm
 * and its graph both read (SampleCount of each Status value the catalog declares, summed with
 * FILL so a Status without data counts as 0 instead of making the sum missing).
 */
function runsExpression(metric: CatalogMetric, operation: string, periodMinutes: number): ExpressionRef {
  const statuses = metric.dimensionValues![OPERATION_STATUS_DIMENSION]!;
  const using = Object.fromEntries(statuses.map((status) => [status, { metric: metric.name, dimensions: { [OPERATION_STATUS_DIMENSION]: status }, statistic: 'SampleCount', periodMinutes }]));
  return { expression: statuses.map((id) => `FILL(${id}, 0)`).join(' + '), using, periodMinutes, label: `${operation} runs (any Status)` };
}

/**
 * A dead-man's switch per pipeline operation with an expected cadence
 * (`{ "name": "DataExtraction", "expectedEveryHours": 24 }`): `<Operation>-Heartbeat` fires when
 * no `<Operation>Duration` datum of any Status arrived for 2 intervals (missing data breaching),
 * so a cron job that stopped running is reported, not only a job that runs and fails. The
 * window follows `heartbeatWindow` (periods of one interval, at most a day). A failing job still
 * counts as running here: its failures are the duration graph's red points and the job's exit code.
 */
export class PipelineHeartbeats extends Construct {
  constructor(scope: Construct, id: string, props: PipelineHeartbeatsProps) {
    super(scope, id);
    const { config, catalog, alarms, dashboards } = props;
    const graphs: GraphSpec[] = [];
    for (const { name, expectedEveryMinutes } of scheduledOperations(config)) {
      const metric = catalog.operationDuration(name)!;
      const window = heartbeatWindow(expectedEveryMinutes);
      const runs = runsExpression(metric, name, window.periodMinutes);
      const baseName = `${name}-Heartbeat`;
      alarms.staleAfter(baseName, catalogExpression(catalog, runs), {
        window,
        severity: 'warning',
        // One runbook section for every operation's heartbeat (operations come from config).
        runbookAnchor: 'operation-heartbeat',
        summary: `The pipeline's ${name} operation reported no run (no ${metric.name} datum, success or failure) for ${minutesLabel(windowMinutes(window))}, 2 of its expected intervals of ${minutesLabel(expectedEveryMinutes)}: the job did not run (cron, host or scheduler down) or could not publish.`,
      });
      graphs.push({
        kind: 'graph',
        title: `${name}: runs per ${minutesLabel(window.periodMinutes)} (expected every ${minutesLabel(expectedEveryMinutes)})`,
        left: [runs],
        leftAxis: { min: 0 },
        alarms: [baseName],
        width: 8,
      });
    }
    if (graphs.length > 0) dashboards.addRow('PerformanceCosts', ...graphs);
  }
}
