import { Construct } from 'constructs';
import type { ServiceCost } from '../collectors/cost';
import type { MonitoringConfig } from '../config/schema';
import { PRIORITY_LOG_MESSAGE } from '../jobs/adce';
import { SERVICE_COST_LOG_MESSAGE } from '../jobs/cost';
import type { Dashboards } from './dashboards';
import type { Publishers } from './publishers';

/** A field of a breakdown log line: renaming one in the job breaks the build, not the table. */
const serviceField = <K extends keyof ServiceCost>(k: K): K => k;

/** Logs Insights: the latest task count of every priority (lines of the ADCE publisher). */
function priorityQuery(): string {
  return [`filter message = "${PRIORITY_LOG_MESSAGE}"`, 'stats latest(tasks) as queued, latest(configured) as configuredPriority by priority', 'sort queued desc'].join('\n| ');
}

/** Logs Insights: the latest month-to-date cost of each top service (lines of the cost publisher). */
function serviceCostQuery(): string {
  const f = serviceField;
  return [
    `filter message = "${SERVICE_COST_LOG_MESSAGE}"`,
    `stats latest(${f('usd')}) as usd, latest(${f('rank')}) as lastRank, latest(${f('window')}) as monthToDate by ${f('service')}`,
    'sort monthToDate desc, usd desc',
  ].join('\n| ');
}

export interface BreakdownsProps {
  /** Validated configuration: `adce.priorities`, `cost.topServices`. */
  readonly config: MonitoringConfig;
  readonly dashboards: Dashboards;
  /** The ADCE and cost publishers' log groups are queried. */
  readonly publishers: Publishers;
}

/**
 * Breakdowns that are only looked at, never alarmed on, as Logs Insights tables over the
 * publishers' structured log lines (no custom metric per value: a log line costs nothing
 * extra, a custom metric $0.30/month): ADCE tasks by priority on ADCE Health, cost by service on
 * Performance & Costs. Logs Insights bills $0.005 per GB scanned when a dashboard is opened; the
 * publishers log well under 1 GB a month.
 */
export class Breakdowns extends Construct {
  constructor(scope: Construct, id: string, props: BreakdownsProps) {
    super(scope, id);
    const { config, dashboards, publishers } = props;
    if (config.adce.enabled && config.adce.priorities.length > 0) {
      dashboards.addRow(
        'ADCEHealth',
        {
          kind: 'logQuery',
          title: 'Queued tasks by priority (latest ADCE publisher run)',
          logGroups: [{ label: 'ADCE publisher', name: publishers.get('adce').logGroup.logGroupName }],
          query: priorityQuery(),
          width: 8,
          height: 6,
        },
      );
    }
    if (config.cost.enabled && config.cost.topServices > 0) {
      dashboards.addRow(
        'PerformanceCosts',
        {
          kind: 'logQuery',
          title: `Top ${config.cost.topServices} services by cost this month (USD, Cost Explorer, every ${config.cost.serviceBreakdownMinutes / 60} h)`,
          logGroups: [{ label: 'cost publisher', name: publishers.get('cost').logGroup.logGroupName }],
          query: serviceCostQuery(),
          width: 24,
          height: 6,
        },
      );
    }
  }
}
