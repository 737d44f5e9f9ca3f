import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../catalog/catalog';
import { sourceBucket } from '../config/load';
import { type MonitoringConfig, PUBLISHERS, type PublisherId } from '../config/schema';
import { ADCE_CURSOR_BUCKET_ENV, ADCE_CURSOR_KEY, ADCE_CURSOR_KEY_ENV } from '../jobs/adce-cursor';
import { inventoryBase } from '../sources/s3-inventory';
import { ScheduledPublisher } from './scheduled-publisher';

export interface PublishersProps {
  /** Validated configuration: buckets, keys, schedules. */
  readonly config: MonitoringConfig;
  /** The metric catalog (namespaces each publisher may write). */
  readonly catalog: MetricCatalog;
}

/**
 * The four scheduled publishers (S3 data lake, ADCE, DIMS, cost), each with only the access it
 * needs, plus the small state bucket that holds the ADCE cursor.
 */
export class Publishers extends Construct {
  readonly byId: Readonly<Record<PublisherId, ScheduledPublisher>>;
  /** Holds the ADCE cursor (one small object, written with conditional PUTs). */
  readonly stateBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PublishersProps) {
    super(scope, id);
    const { config, catalog } = props;
    const bucket = (name: string, cid: string) => s3.Bucket.fromBucketName(this, cid, name);

    this.stateBucket = new s3.Bucket(this, 'StateBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    Validations.of(this.stateBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Holds one small cursor object written by one function; access logs would cost more than the data and add nothing CloudTrail lacks.',
    });

    // S3 data lake: list the bucket; in inventory mode also read the newest inventory report.
    const dataLake = bucket(sourceBucket(config, 's3'), 'DataLakeBucket');
    const inventory = config.s3.scanMode === 'inventory' ? config.s3.inventory : undefined;
    const inventoryBucket = inventory ? bucket(inventory.destinationBucket, 'InventoryBucket') : undefined;
    const s3Publisher = new ScheduledPublisher(this, 'S3', {
      publisher: 's3',
      config,
      catalog,
      timeout: Duration.minutes(5),
      memorySize: 512,
      lists: inventoryBucket ? [dataLake, inventoryBucket] : [dataLake],
      reads:
        inventory && inventoryBucket
          ? [{ bucket: inventoryBucket, keyPatterns: [`${inventoryBase({ sourceBucket: sourceBucket(config, 's3'), ...inventory })}*`] }]
          : [],
    });

    const adceBucket = bucket(sourceBucket(config, 'adce'), 'AdceBucket');
    const adce = new ScheduledPublisher(this, 'Adce', {
      publisher: 'adce',
      config,
      catalog,
      reads: [
        { bucket: adceBucket, keyPatterns: [config.adce.queueKey, `${config.adce.runsPrefix}*`] },
        { bucket: this.stateBucket, keyPatterns: [ADCE_CURSOR_KEY] },
      ],
      environment: { [ADCE_CURSOR_BUCKET_ENV]: this.stateBucket.bucketName, [ADCE_CURSOR_KEY_ENV]: ADCE_CURSOR_KEY },
    });
    this.stateBucket.grantPut(adce.fn, ADCE_CURSOR_KEY);
    adce.acknowledgeWildcard('Action::s3:Abort*', 'Action group of CDK grantPut, on the one cursor object key only.');

    const dims = new ScheduledPublisher(this, 'Dims', {
      publisher: 'dims',
      config,
      catalog,
      reads: [{ bucket: bucket(sourceBucket(config, 'dims'), 'DimsBucket'), keyPatterns: [config.dims.key] }],
      // The live object count for drift: the S3 publisher's latest datum (no resource-level permissions).
      statements: [new iam.PolicyStatement({ sid: 'ReadLiveObjectCount', actions: ['cloudwatch:GetMetricData'], resources: ['*'] })],
    });

    const cost = new ScheduledPublisher(this, 'Cost', {
      publisher: 'cost',
      config,
      catalog,
      // Cost Explorer has no resource-level permissions.
      statements: [new iam.PolicyStatement({ sid: 'ReadCosts', actions: ['ce:GetCostAndUsage', 'ce:GetCostForecast'], resources: ['*'] })],
    });

    this.byId = { s3: s3Publisher, adce, dims, cost };
  }

  /** Every publisher, in PUBLISHERS order. */
  all(): ScheduledPublisher[] {
    return PUBLISHERS.map((p) => this.byId[p]);
  }
}
