import { Annotations, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../catalog/catalog';
import { budgetName as defaultBudgetName, dataLakeBuckets, sourceBucket } from '../config/load';
import { type MonitoringConfig, type PublisherId, enabledPublishers } from '../config/schema';
import { ADCE_CURSOR_BUCKET_ENV, ADCE_CURSOR_KEY, ADCE_CURSOR_KEY_ENV } from '../jobs/adce-cursor';
import { COST_BUDGET_ACCOUNT_ENV, COST_BUDGET_NAME_ENV } from '../jobs/cost';
import { unusedBucketKeys } from '../sources/buckets';
import { inventoryBase } from '../sources/s3-inventory';
import { type ObjectReadGrant, ScheduledPublisher, type ScheduledPublisherProps, createFailedRunsQueue } from './scheduled-publisher';

export interface PublishersProps {
  /** Validated configuration: which sources are on, buckets, keys, schedules. */
  readonly config: MonitoringConfig;
  /** The metric catalog (namespaces each publisher may write). */
  readonly catalog: MetricCatalog;
}

/**
 * The scheduled publishers the config turns on (S3 data lake, ADCE, DIMS, cost), each with only
 * the access it needs, plus (with ADCE) the small state bucket that holds the ADCE cursor.
 */
export class Publishers extends Construct {
  /** The enabled publishers; a disabled source has no function, schedule or queue. */
  readonly byId: Readonly<Partial<Record<PublisherId, ScheduledPublisher>>>;
  /** Holds the ADCE cursor (one small object, written with conditional PUTs); only with ADCE. */
  readonly stateBucket?: s3.Bucket;
  /** Failed runs of every publisher (one queue: one alarm, `Publishers-FailedRuns`); absent when every source is off. */
  readonly failedRuns?: sqs.Queue;
  private readonly config: MonitoringConfig;

  constructor(scope: Construct, id: string, props: PublishersProps) {
    super(scope, id);
    const { config, catalog } = props;
    this.config = config;
    if (enabledPublishers(config).length > 0) this.failedRuns = createFailedRunsQueue(this, 'FailedRuns');
    const byId: Partial<Record<PublisherId, ScheduledPublisher>> = {};
    if (config.s3.enabled) byId.s3 = this.s3Publisher(config, catalog);
    if (config.adce.enabled) {
      this.stateBucket = this.createStateBucket();
      byId.adce = this.adcePublisher(config, catalog, this.stateBucket);
    }
    if (config.dims.enabled) byId.dims = this.dimsPublisher(config, catalog);
    if (config.cost.enabled) byId.cost = this.costPublisher(config, catalog);
    this.byId = byId;
    for (const bucket of unusedBucketKeys(config)) {
      Annotations.of(this).addWarningV2(
        'monitoring:bucketKmsKeyArns',
        `bucketKmsKeyArns names bucket "${bucket}", but no enabled source reads objects from it: no key grant is made for it (a typo, or its source is turned off?).`,
      );
    }
  }

  /** A publisher by id; throws when the config turns it off. */
  get(publisher: PublisherId): ScheduledPublisher {
    const found = this.byId[publisher];
    if (!found) throw new Error(`The ${publisher} publisher is turned off (${publisher}.enabled: false).`);
    return found;
  }

  /** Every enabled publisher, in PUBLISHERS order. */
  all(): ScheduledPublisher[] {
    return enabledPublishers(this.config).map((p) => this.get(p));
  }

  /** A publisher that sends its failed runs to the shared queue. */
  private publisher(id: string, props: ScheduledPublisherProps): ScheduledPublisher {
    return new ScheduledPublisher(this, id, { ...props, failedRuns: this.failedRuns });
  }

  private bucket(name: string, id: string): s3.IBucket {
    return s3.Bucket.fromBucketName(this, id, name);
  }

  private createStateBucket(): s3.Bucket {
    const stateBucket = new s3.Bucket(this, 'StateBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    Validations.of(stateBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Holds one small cursor object written by one function; access logs would cost more than the data and add nothing CloudTrail lacks.',
    });
    return stateBucket;
  }

  /** S3 data lake: list every bucket; for buckets in inventory mode also read their newest inventory report. */
  private s3Publisher(config: MonitoringConfig, catalog: MetricCatalog): ScheduledPublisher {
    const buckets = dataLakeBuckets(config);
    const lists = new Map<string, s3.IBucket>();
    const listed = (name: string) => lists.get(name) ?? lists.set(name, this.bucket(name, `Listed-${name}`)).get(name)!;
    const reads: ObjectReadGrant[] = [];
    for (const b of buckets) {
      listed(b.name);
      if (b.scanMode !== 'inventory' || !b.inventory) continue;
      reads.push({ bucket: listed(b.inventory.destinationBucket), keyPatterns: [`${inventoryBase({ sourceBucket: b.name, ...b.inventory })}*`] });
    }
    return this.publisher('S3', {
      publisher: 's3',
      config,
      catalog,
      lists: [...lists.values()],
      reads,
    });
  }

  private adcePublisher(config: MonitoringConfig, catalog: MetricCatalog, stateBucket: s3.Bucket): ScheduledPublisher {
    const adce = this.publisher('Adce', {
      publisher: 'adce',
      config,
      catalog,
      reads: [
        { bucket: this.bucket(sourceBucket(config, 'adce'), 'AdceBucket'), keyPatterns: [config.adce.queueKey, `${config.adce.runsPrefix}*`] },
        { bucket: stateBucket, keyPatterns: [ADCE_CURSOR_KEY] },
      ],
      environment: { [ADCE_CURSOR_BUCKET_ENV]: stateBucket.bucketName, [ADCE_CURSOR_KEY_ENV]: ADCE_CURSOR_KEY },
    });
    stateBucket.grantPut(adce.fn, ADCE_CURSOR_KEY);
    adce.acknowledgeWildcard('Action::s3:Abort*', 'Action group of CDK grantPut, on the one cursor object key only.');
    return adce;
  }

  private dimsPublisher(config: MonitoringConfig, catalog: MetricCatalog): ScheduledPublisher {
    return this.publisher('Dims', {
      publisher: 'dims',
      config,
      catalog,
      reads: [{ bucket: this.bucket(sourceBucket(config, 'dims'), 'DimsBucket'), keyPatterns: [config.dims.key] }],
      // The live object count for drift: the S3 publisher's latest datum (no resource-level permissions).
      statements: config.s3.enabled
        ? [new iam.PolicyStatement({ sid: 'ReadLiveObjectCount', actions: ['cloudwatch:GetMetricData'], resources: ['*'] })]
        : [],
    });
  }

  private costPublisher(config: MonitoringConfig, catalog: MetricCatalog): ScheduledPublisher {
    // Month to date and forecast: the one budget (free); the per-service breakdown: Cost Explorer
    // ($0.01 a request, no resource-level permissions), only when there is a breakdown.
    const stack = Stack.of(this);
    // The budget the stack creates (CostBudget names it the same way): ViewBudget on it alone.
    const name = defaultBudgetName(config, stack.region);
    const costStatements = [
      new iam.PolicyStatement({
        sid: 'ReadBudget',
        actions: ['budgets:ViewBudget'],
        resources: [stack.formatArn({ service: 'budgets', region: '', resource: 'budget', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
    ];
    if (config.cost.topServices > 0) {
      costStatements.push(new iam.PolicyStatement({ sid: 'ReadCostsByService', actions: ['ce:GetCostAndUsage'], resources: ['*'] }));
    }
    return this.publisher('Cost', {
      publisher: 'cost',
      config,
      catalog,
      statements: costStatements,
      environment: { [COST_BUDGET_ACCOUNT_ENV]: stack.account, [COST_BUDGET_NAME_ENV]: name },
    });
  }
}
