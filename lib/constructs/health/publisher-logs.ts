import { Duration, aws_cloudwatch as cloudwatch, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import { envSuffix } from '../../config/load';
import type { MonitoringConfig } from '../../config/schema';
import type { AlarmFactory } from '../alarm-factory';
import { catalogMetric } from '../catalog-metric';
import type { ScheduledPublisher } from '../scheduled-publisher';

export interface PublisherLogsProps {
  /** Validated configuration: `namespacePrefix`, `envName` (query names). */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly alarms: AlarmFactory;
  /** The scheduled publishers whose log groups are filtered and queried. */
  readonly publishers: readonly ScheduledPublisher[];
}

/**
 * What counts as a publisher error in the JSON logs: a Powertools or runtime line at ERROR level
 * (job problems, "Invoke Error" of a failed invocation), or Lambda's platform report of an
 * invocation that did not succeed (timeout, out of memory, crash: no application line is
 * written for those).
 */
export const PUBLISHER_ERROR_PATTERN = '{ ($.level = "ERROR") || ($.type = "platform.report" && $.record.status != "success") }';

/** Saved Logs Insights query: errors per publisher (`publisher` key of the handler's logger, else the log group). */
export const ERRORS_BY_PUBLISHER_QUERY = new logs.QueryString({
  fields: ['@timestamp', 'coalesce(publisher, @log) as source', 'coalesce(message, record.errorType, record.status) as what'],
  filterStatements: ['level = "ERROR" or (type = "platform.report" and record.status != "success")'],
  statsStatements: ['count(*) as errors, latest(what) as lastError by source'],
  sort: 'errors desc',
});

/** Saved Logs Insights query: the slowest runs, from Lambda's platform reports. */
export const SLOWEST_RUNS_QUERY = new logs.QueryString({
  fields: ['@timestamp', '@log', 'record.requestId as requestId', 'record.metrics.durationMs as durationMs', 'record.metrics.maxMemoryUsedMB as maxMemoryMB', 'record.status as status'],
  filterStatements: ['type = "platform.report"'],
  sort: 'durationMs desc',
  limit: 25,
});

/**
 * Publisher errors and throttles, and two saved Logs Insights queries (free):
 * - a metric filter on every publisher log group writes the catalog's `PublisherErrors` (no
 *   dimensions, no default value: hours without errors publish nothing and cost nothing);
 *   `Publishers-LoggedErrors` alarms on any (Sum >= 1 in 5 minutes, warning);
 * - `Lambda-Throttles`: the account's Lambda `Throttles` (free vended metric, 1 alarm metric
 *   instead of 4 per-function ones). The publishers have no reserved concurrency, so they are
 *   throttled exactly when the account's unreserved pool is exhausted; the alarm also sees
 *   other functions' throttles, and the runbook's query shows whose.
 */
export class PublisherLogs extends Construct {
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly throttlesAlarm: cloudwatch.Alarm;
  readonly queries: logs.QueryDefinition[];

  constructor(scope: Construct, id: string, props: PublisherLogsProps) {
    super(scope, id);
    const { config, catalog, alarms, publishers } = props;
    const errors = catalog.get('PublisherErrors');
    for (const p of publishers) {
      new logs.MetricFilter(this, `Errors-${p.publisher}`, {
        logGroup: p.logGroup,
        filterPattern: logs.FilterPattern.literal(PUBLISHER_ERROR_PATTERN),
        metricNamespace: errors.namespace,
        metricName: errors.name,
        metricValue: '1',
        unit: cloudwatch.Unit.COUNT,
      });
    }
    this.errorsAlarm = alarms.whenAtLeast('Publishers-LoggedErrors', catalogMetric(catalog, 'PublisherErrors', {}, { statistic: 'Sum', period: Duration.minutes(5) }), {
      threshold: 1,
      periods: 1,
      missingData: 'notBreaching',
      severity: 'warning',
      summary: `A metric publisher (${publishers.map((p) => p.publisher).join(', ')}) logged an ERROR line or an invocation that failed, timed out or crashed in the last 5 minutes; the saved query "errors-by-publisher" says which and why.`,
    });

    this.throttlesAlarm = alarms.whenAtLeast(
      'Lambda-Throttles',
      lambda.Function.metricAllThrottles({ statistic: 'Sum', period: Duration.minutes(5) }),
      {
        threshold: 1,
        periods: 1,
        missingData: 'notBreaching',
        severity: 'warning',
        area: 'Monitoring',
        summary: 'Lambda throttled invocations in this account and region in the last 5 minutes; the publishers share the unreserved concurrency pool, so their runs may be delayed or dropped.',
      },
    );

    const env = envSuffix(config);
    const logGroups = publishers.map((p) => p.logGroup);
    this.queries = [
      new logs.QueryDefinition(this, 'ErrorsByPublisher', {
        queryDefinitionName: `${config.namespacePrefix}${env}/errors-by-publisher`,
        queryString: ERRORS_BY_PUBLISHER_QUERY,
        logGroups,
      }),
      new logs.QueryDefinition(this, 'SlowestRuns', {
        queryDefinitionName: `${config.namespacePrefix}${env}/slowest-runs`,
        queryString: SLOWEST_RUNS_QUERY,
        logGroups,
      }),
    ];
  }
}
