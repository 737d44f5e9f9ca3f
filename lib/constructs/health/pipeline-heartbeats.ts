import type { aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ExpressionRef, GraphSpec } from '../../../dashboards/types';
import { type MetricCatalog, OPERATION_STATUSES } from '../../catalog/catalog';
import { type MonitoringConfig, scheduledOperations } from '../../config/schema';
import { datapointCountExpression, heartbeatWindow } from '../../health/windows';
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

/** Runbook section shared by every `<Operation>-Heartbeat` alarm (operations come from config). */
export const OPERATION_HEARTBEAT_ANCHOR = 'operation-heartbeat';

/** Base name of an operation's dead-man's switch. */
export function operationHeartbeatName(operation: string): string {
  return `${operation}-Heartbeat`;
}

/**
 * Datapoints of `<Operation>Duration` of any Status per period: the series a heartbeat alarm
 * and its graph both read (SampleCount of each Status, summed with FILL).
 */
export function operationRunsExpression(operation: string, periodMinutes: number): ExpressionRef {
  const using = Object.fromEntries(
    OPERATION_STATUSES.map((status) => [status, { metric: `${operation}Duration`, dimensions: { Status: status }, statistic: 'SampleCount', periodMinutes }]),
  );
  return { expression: datapointCountExpression(OPERATION_STATUSES), using, periodMinutes, label: `${operation} runs (any Status)` };
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
  /** The alarm of each operation with a cadence, by operation name. */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: PipelineHeartbeatsProps) {
    super(scope, id);
    const { config, catalog, alarms, dashboards } = props;
    const made: Record<string, cloudwatch.Alarm> = {};
    const graphs: GraphSpec[] = [];
    for (const { name, expectedEveryMinutes } of scheduledOperations(config)) {
      const window = heartbeatWindow(expectedEveryMinutes);
      const silence = window.periodMinutes * window.periods;
      const runs = operationRunsExpression(name, window.periodMinutes);
      const baseName = operationHeartbeatName(name);
      made[name] = alarms.staleAfterAll(baseName, catalogExpression(catalog, runs), {
        window,
        severity: 'warning',
        runbookAnchor: OPERATION_HEARTBEAT_ANCHOR,
        summary: `The pipeline's ${name} operation reported no run (no ${name}Duration datum, success or failure) for ${duration(silence)}, 2 of its expected intervals of ${duration(expectedEveryMinutes)}: the job did not run (cron, host or scheduler down) or could not publish.`,
      });
      graphs.push({
        kind: 'graph',
        title: `${name}: runs per ${duration(window.periodMinutes)} (expected every ${duration(expectedEveryMinutes)})`,
        left: [runs],
        leftAxis: { min: 0 },
        alarms: [baseName],
        width: 8,
      });
    }
    this.alarms = made;
    if (graphs.length > 0) dashboards.addRow('PerformanceCosts', ...graphs);
  }
}

/** `90` -> `90 min`, `1440` -> `24 h`. */
function duration(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}
