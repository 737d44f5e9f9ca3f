import { Duration, type aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { PublisherId } from '../../config/schema';
import type { AlarmFactory } from '../alarm-factory';
import type { ScheduledPublisher } from '../scheduled-publisher';

/** How each publisher is named in alarm names (as in its heartbeat alarm). */
const ALARM_LABEL: Readonly<Record<PublisherId, string>> = { s3: 'S3', adce: 'ADCE', dims: 'DIMS', cost: 'Cost' };

/** Runbook section shared by every `<Publisher>-PublisherFailedRuns` alarm. */
export const FAILED_RUNS_RUNBOOK = 'publisher-failedruns';

export interface PublisherFailedRunsProps {
  readonly alarms: AlarmFactory;
  /** The enabled publishers; each gets one alarm on its failed-runs queue. */
  readonly publishers: readonly ScheduledPublisher[];
}

/**
 * `<Publisher>-PublisherFailedRuns` (warning): the publisher's failed-runs queue holds a message,
 * i.e. a scheduled run could not be invoked, or threw / timed out on its last try. Maximum of
 * ApproximateNumberOfMessagesVisible >= 1 over 5 minutes; an empty queue publishes nothing
 * (SQS stops reporting idle queues), which is good news. It stays in ALARM until the queue is
 * emptied: read the messages (they hold the error), fix, purge.
 */
export class PublisherFailedRuns extends Construct {
  readonly alarmsByPublisher: Readonly<Partial<Record<PublisherId, cloudwatch.Alarm>>>;

  constructor(scope: Construct, id: string, props: PublisherFailedRunsProps) {
    super(scope, id);
    const byPublisher: Partial<Record<PublisherId, cloudwatch.Alarm>> = {};
    for (const p of props.publishers) {
      byPublisher[p.publisher] = props.alarms.whenAtLeast(
        `${ALARM_LABEL[p.publisher]}-PublisherFailedRuns`,
        p.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        {
          threshold: 1,
          periods: 1,
          missingData: 'notBreaching',
          severity: 'warning',
          area: 'Monitoring',
          runbookAnchor: FAILED_RUNS_RUNBOOK,
          summary: `A run of the ${p.publisher} publisher failed for good (not invoked, or threw / timed out after its retry): its failed-runs queue holds a message with the error.`,
        },
      );
    }
    this.alarmsByPublisher = byPublisher;
  }
}
