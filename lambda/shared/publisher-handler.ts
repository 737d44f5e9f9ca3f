import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Context } from 'aws-lambda';
import { type MetricCatalog, createCatalog } from '../../lib/catalog/catalog';
import { parseConfig } from '../../lib/config/load';
import { type MonitoringConfig, type PublisherId, publisherServiceName } from '../../lib/config/schema';
import type { JobContext, JobLogger } from '../../lib/jobs/job';
import { PUBLISHER_LIMITS, runDeadlines } from '../../lib/jobs/limits';
import { boundedLogger } from '../../lib/jobs/log-limits';
import { type PublisherJob, PublisherRunError, failureMessage, runAndPublish } from '../../lib/jobs/run';
import { type ClientOptions, clientConfig } from '../../lib/sources/aws-clients';

/**
 * The one Lambda adapter for every scheduled publisher: config from `MONITOR_CONFIG`, a
 * Powertools JSON logger (request id as correlation id, cold start flag) and X-Ray tracer,
 * then job -> publishDatums -> summary line. On a fatal problem or an unsent datum it throws
 * AFTER publishing, so the good datums are kept and Lambda Errors / the DLQ see the failure.
 */

export interface PublisherSetup {
  readonly config: MonitoringConfig;
  /** Wraps an AWS SDK v3 client so its calls show up as X-Ray subsegments. */
  traced<T>(client: T): T;
  /** Constructor options of every AWS client: the config's network timeouts. */
  clientOptions(options?: Omit<ClientOptions, 'network'>): ReturnType<typeof clientConfig>;
}

/** Builds the job once per container (clients are reused across invocations). */
export type JobFactory = (setup: PublisherSetup) => PublisherJob;

export interface PublisherSummary {
  readonly publisher: PublisherId;
  readonly datums: number;
  readonly sent: number;
  readonly rejected: number;
  readonly problems: number;
}

/** The schedule's `scheduledTime` the Scheduler target passes in its input; undefined for other invocations. */
function scheduledTimeOf(event: unknown): Date | undefined {
  const raw = (event as { scheduledTime?: unknown } | null)?.scheduledTime;
  if (typeof raw !== 'string') return undefined;
  const t = new Date(raw);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

/** Powertools Logger as the JobLogger jobs use, every line under CloudWatch Logs' event limit. */
export function jobLogger(logger: Logger): JobLogger {
  return boundedLogger({
    debug: (m, e) => (e ? logger.debug(m, e) : logger.debug(m)),
    info: (m, e) => (e ? logger.info(m, e) : logger.info(m)),
    warn: (m, e) => (e ? logger.warn(m, e) : logger.warn(m)),
    error: (m, e) => (e ? logger.error(m, e) : logger.error(m)),
  });
}

export function createPublisherHandler(publisher: PublisherId, makeJob: JobFactory): (event: unknown, context: Context) => Promise<PublisherSummary> {
  const serviceName = publisherServiceName(publisher);
  const logger = new Logger({ serviceName, persistentKeys: { publisher } });
  const tracer = new Tracer({ serviceName });
  const traced = <T>(client: T): T => (tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client);
  const log = jobLogger(logger);
  let ready: { config: MonitoringConfig; catalog: MetricCatalog; job: PublisherJob; cloudWatch: CloudWatchClient } | undefined;

  return async (event: unknown, context: Context): Promise<PublisherSummary> => {
    logger.addContext(context);
    logger.setCorrelationId(context.awsRequestId);
    const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const subsegment = segment?.addNewSubsegment(`## ${publisher}-publisher`);
    if (subsegment) {
      tracer.setSegment(subsegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      if (!ready) {
        // Parsed once per container; a bad config fails every invocation with the same message.
        const config = parseConfig(JSON.parse(process.env.MONITOR_CONFIG ?? 'null'), 'the MONITOR_CONFIG environment variable');
        const clientOptions = (options: Omit<ClientOptions, 'network'> = {}) => clientConfig({ ...options, network: config.network });
        ready = {
          config,
          catalog: createCatalog(config),
          job: makeJob({ config, traced, clientOptions }),
          // The publisher retries PutMetricData itself: one HTTP request per attempt.
          cloudWatch: traced(new CloudWatchClient(clientOptions({ maxAttempts: 1 }))),
        };
      }
      const { config, catalog, job, cloudWatch } = ready;
      // Deadlines from the time this invocation has left, so the run ends in time to say what it did.
      const remaining = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : PUBLISHER_LIMITS[publisher].timeoutSeconds * 1000;
      const deadlines = runDeadlines(remaining, config.network);
      const ctx: JobContext = { config, catalog, now: new Date(), logger: log, deadlines, scheduledTime: scheduledTimeOf(event) };
      const outcome = await runAndPublish(job, ctx, { client: cloudWatch });
      if (outcome.failed) throw new PublisherRunError(failureMessage(outcome), outcome);
      return {
        publisher,
        datums: outcome.result.datums.length,
        sent: outcome.publish.sent,
        rejected: outcome.publish.rejected.length,
        problems: outcome.problems.length,
      };
    } catch (err) {
      if (!(err instanceof PublisherRunError)) logger.error('Publisher run failed', { error: err as Error });
      if (subsegment) tracer.addErrorAsMetadata(err as Error);
      throw err;
    } finally {
      if (subsegment && segment) {
        subsegment.close();
        tracer.setSegment(segment);
      }
    }
  };
}
