import { Duration, type aws_cloudwatch as cloudwatch, type aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AlarmFactory } from '../alarm-factory';
import type { ScheduledPublisher } from '../scheduled-publisher';

export interface PublisherFailedRunsProps {
  readonly alarms: AlarmFactory;
  /** The queue every publisher's failed runs go to (Publishers.failedRuns). */
  readonly queue: sqs.IQueue;
  /** The enabled publishers (named in the alarm's summary). */
  readonly publishers: readonly ScheduledPublisher[];
}

/**
 * `Publishers-FailedRuns` (warning): the failed-runs queue holds a message, i.e. a scheduled run
 * could not be invoked, or threw / timed out on its last try. One queue for all publishers, so
 * one alarm metric ($0.10/month) instead of one per publisher; the message names the function.
 * Maximum of ApproximateNumberOfMessagesVisible >= 1 over 5 minutes; an empty queue publishes
 * nothing (SQS stops reporting idle queues), which is good news. It stays in ALARM until the
 * queue is emptied: read the messages (they hold the error), fix, purge.
 */
export class PublisherFailedRuns extends Construct {
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PublisherFailedRunsProps) {
    super(scope, id);
    const names = props.publishers.map((p) => p.publisher).join(', ');
    this.alarm = props.alarms.whenAtLeast(
      'Publishers-FailedRuns',
      props.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      {
        threshold: 1,
        periods: 1,
        missingData: 'notBreaching',
        severity: 'warning',
        area: 'Monitoring',
        summary: `A run of a metric publisher (${names}) failed for good (not invoked, or threw / timed out after its retry): the failed-runs queue holds a message naming the function and the error.`,
      },
    );
  }
}
