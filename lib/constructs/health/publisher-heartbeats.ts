import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../../catalog/catalog';
import { dataLakeBuckets, perBucketAlarmName } from '../../config/load';
import type { MonitoringConfig, PublisherId } from '../../config/schema';
import { heartbeatWindow } from '../../health/windows';
import { type AlarmFactory, runbookAnchor } from '../alarm-factory';
import { catalogMetric } from '../catalog-metric';

export interface PublisherHeartbeatsProps {
  /** Validated configuration: schedules, `adce.reconciliationIntervalMinutes`, `dims.verificationCadenceHours`. */
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  /** Makes and registers the alarms. */
  readonly alarms: AlarmFactory;
}

/**
 * One dead-man's switch per enabled scheduled publisher, derived from its schedule: silent for 2
 * intervals (missing data = breaching) -> alarm. Success is proven by an `every-run` catalog
 * metric the publisher sends only after it read and parsed its source, so no new metric is
 * paid for:
 * - S3: `S3ObjectCount` (sent only after a complete scan) -> `S3-PublisherHeartbeat` (one per bucket);
 * - ADCE: `ADCEQueueAgeMinutes` (sent only when the queue was read and parsed) ->
 *   `ADCE-QueueStale`, which is also the ADCE stall alarm (age > 3 x reconciliation interval);
 * - DIMS: `DIMS_VerificationAgeHours` (sent only when the inventory parsed) ->
 *   `DIMS-VerificationStale`, also the "verification older than 2x its cadence" warning;
 * - cost: `MonthlyAWSCost` (sent only when Cost Explorer answered) -> `Cost-PublisherHeartbeat`.
 * The two shared alarms save two alarm metrics; their runbook sections explain both causes.
 */
export class PublisherHeartbeats extends Construct {
  /** Base name of each enabled publisher's heartbeat alarm (S3: the first bucket's; there is one per bucket). */
  readonly alarmNames: Readonly<Partial<Record<PublisherId, string>>>;

  constructor(scope: Construct, id: string, props: PublisherHeartbeatsProps) {
    super(scope, id);
    const { config, catalog, alarms } = props;
    const minutes = (n: number) => Duration.minutes(n);
    const names: Partial<Record<PublisherId, string>> = {};
    this.alarmNames = names;

    if (config.s3.enabled) {
      const s3 = heartbeatWindow(config.s3.scheduleMinutes);
      for (const bucket of dataLakeBuckets(config)) {
        alarms.staleAfter(perBucketAlarmName(config, 'S3-PublisherHeartbeat', bucket.name), catalogMetric(catalog, 'S3ObjectCount', { Bucket: bucket.name }), {
          window: s3,
          severity: 'warning',
          runbookAnchor: runbookAnchor('S3-PublisherHeartbeat'),
          summary: `The S3 publisher sent no S3ObjectCount of s3://${bucket.name} for ${s3.periodMinutes * s3.periods} minutes (2 runs): no complete scan of the bucket, so its growth and freshness are not watched.`,
        });
      }
      names.s3 = perBucketAlarmName(config, 'S3-PublisherHeartbeat', dataLakeBuckets(config)[0]!.name);
    }

    if (config.adce.enabled) {
      const adce = heartbeatWindow(config.adce.scheduleMinutes);
      const maxQueueAge = 3 * config.adce.reconciliationIntervalMinutes;
      alarms.whenAbove('ADCE-QueueStale', catalogMetric(catalog, 'ADCEQueueAgeMinutes', {}, { statistic: 'Maximum', period: minutes(adce.periodMinutes) }), {
        threshold: maxQueueAge,
        periods: adce.periods,
        missingData: 'breaching',
        severity: 'critical',
        summary: `The ADCE task queue was not regenerated for more than ${maxQueueAge} minutes (3 reconciliation intervals), or the ADCE publisher reported no queue age for ${adce.periodMinutes * adce.periods} minutes (publisher dead or queue unreadable).`,
      });
      names.adce = 'ADCE-QueueStale';
    }

    if (config.dims.enabled) {
      const dims = heartbeatWindow(config.dims.scheduleMinutes);
      const maxVerificationAge = 2 * config.dims.verificationCadenceHours;
      alarms.whenAbove(
        'DIMS-VerificationStale',
        catalogMetric(catalog, 'DIMS_VerificationAgeHours', {}, { statistic: 'Maximum', period: minutes(dims.periodMinutes) }),
        {
          threshold: maxVerificationAge,
          periods: dims.periods,
          missingData: 'breaching',
          severity: 'warning',
          summary: `DIMS was last verified more than ${maxVerificationAge} hours ago (2x its cadence), or the DIMS publisher reported nothing for ${dims.periodMinutes * dims.periods} minutes (publisher dead or inventory unreadable).`,
        },
      );
      names.dims = 'DIMS-VerificationStale';
    }

    if (config.cost.enabled) {
      const cost = heartbeatWindow(config.cost.scheduleMinutes);
      alarms.staleAfter('Cost-PublisherHeartbeat', catalogMetric(catalog, 'MonthlyAWSCost'), {
        window: cost,
        severity: 'warning',
        summary: `The cost publisher sent no MonthlyAWSCost for ${(cost.periodMinutes * cost.periods) / 60} hours (2 runs): cost and budget metrics are stale.`,
      });
      names.cost = 'Cost-PublisherHeartbeat';
    }
  }
}
