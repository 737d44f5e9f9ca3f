import { type CfnElement, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MetricCatalog } from '../catalog/catalog';
import { type MonitoringConfig, type PublisherId, publisherServiceName } from '../config/schema';
import { periodMinutesFor } from '../health/windows';
import { bundledFunction } from './lambda-bundle';
import { PUBLISHER_LIMITS } from '../jobs/limits';

/** Lambda limits the environment to 4 KB; MONITOR_CONFIG must fit in it. */
const MAX_ENVIRONMENT_BYTES = 4096;
/** Retries of a failed invocation by EventBridge Scheduler (the job is idempotent per run). */
const SCHEDULER_RETRY_ATTEMPTS = 2;
/**
 * Retries by Lambda of a run whose handler threw (Scheduler's retries cover only failures to
 * invoke). One: a passing fault (throttling, a network blip) gets a second chance a minute
 * later; a run that fails for a lasting reason (bad input, permissions) is not repeated twice
 * more, and a re-run re-sends the datums it had already sent (PutMetricData is not idempotent).
 * The next scheduled run does the same work anyway.
 */
export const ASYNC_RETRY_ATTEMPTS = 1;
/** Lambda keeps an asynchronous event at most 6 hours. */
const MAX_ASYNC_EVENT_AGE_MINUTES = 360;
/** CloudWatch Logs retention values, in days. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Read access to objects of one bucket. */
export interface ObjectReadGrant {
  readonly bucket: s3.IBucket;
  /** Key patterns the function may GetObject, e.g. `adce/runs/*`. */
  readonly keyPatterns: readonly string[];
}

export interface ScheduledPublisherProps {
  /** Which publisher this is. */
  readonly publisher: PublisherId;
  /** Validated configuration: schedule, retention, and the MONITOR_CONFIG the function parses. */
  readonly config: MonitoringConfig;
  /** The catalog: the function may PutMetricData only into the namespaces of its metrics. */
  readonly catalog: MetricCatalog;
  /** Objects the function reads (grantRead on exactly these key patterns). @default none */
  readonly reads?: readonly ObjectReadGrant[];
  /** Buckets the function may list (s3:ListBucket only, no object access). @default none */
  readonly lists?: readonly s3.IBucket[];
  /** Further permissions (e.g. Cost Explorer for the cost publisher). @default none */
  readonly statements?: readonly iam.PolicyStatement[];
  /** Extra environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default PUBLISHER_LIMITS (lib/jobs/limits.ts): the runs' deadlines are derived from it */
  readonly timeout?: Duration;
  /** @default PUBLISHER_LIMITS (lib/jobs/limits.ts): the document size caps are sized for it */
  readonly memorySize?: number;
  /**
   * Where failed runs go (shared by the publishers of a stack: one queue, one alarm).
   * @default a queue of its own (`createFailedRunsQueue`)
   */
  readonly failedRuns?: sqs.IQueue;
}

/**
 * One scheduled metric publisher: an arm64 Node 24 function bundled by esbuild, invoked by an
 * EventBridge Scheduler rate schedule with retries, one retry of a run that throws (the
 * function's async config) and an encrypted queue that receives every failed run, JSON
 * logs with retention, X-Ray tracing, and least-privilege IAM (PutMetricData only into its own
 * namespaces). No reserved concurrency: new accounts have a 10-execution limit and a
 * reservation below the unreserved minimum fails the deploy; overlapping runs are made safe
 * by the jobs themselves (e.g. the ADCE cursor's conditional write).
 */
export class ScheduledPublisher extends Construct {
  readonly publisher: PublisherId;
  readonly fn: lambda.Function;
  readonly logGroup: logs.LogGroup;
  /** Failed runs: the schedule's dead-letter queue and the function's on-failure destination. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly schedule: Schedule;
  /** Minutes between scheduled runs (from config). */
  readonly scheduleMinutes: number;
  /** Namespaces the function may write. */
  readonly namespaces: readonly string[];

  constructor(scope: Construct, id: string, props: ScheduledPublisherProps) {
    super(scope, id);
    const { config, publisher } = props;
    this.publisher = publisher;
    this.scheduleMinutes = config[publisher].scheduleMinutes;
    this.namespaces = [...new Set(props.catalog.publishedBy(publisher).map((m) => m.namespace))].sort();

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: retentionFor(config.logRetentionDays) });

    // Own role: no AWS managed policy; log writing granted on this log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${publisher} metric publisher`,
    });

    const monitorConfig = JSON.stringify(config);
    const environment = { MONITOR_CONFIG: monitorConfig, POWERTOOLS_SERVICE_NAME: publisherServiceName(publisher), ...props.environment };
    const envBytes = Object.entries(environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    if (envBytes > MAX_ENVIRONMENT_BYTES) {
      throw new Error(`The ${publisher} publisher's environment is ${envBytes} bytes (MONITOR_CONFIG ${monitorConfig.length}); Lambda allows ${MAX_ENVIRONMENT_BYTES}. Shorten the config (e.g. fewer perPrefix entries).`);
    }

    const functionProps = {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? PUBLISHER_LIMITS[publisher].memoryMb,
      timeout: props.timeout ?? Duration.seconds(PUBLISHER_LIMITS[publisher].timeoutSeconds),
      role,
      description: `Publishes the ${publisher} metrics every ${this.scheduleMinutes} min`,
      environment,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
    };
    this.fn = bundledFunction(this, 'Function', publisher, functionProps);
    this.logGroup.grantWrite(role);

    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PutMetricDataOwnNamespaces',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'], // PutMetricData has no resource-level permissions; scoped by namespace below.
        conditions: { StringEquals: { 'cloudwatch:namespace': this.namespaces } },
      }),
    );
    for (const grant of props.reads ?? []) {
      for (const pattern of grant.keyPatterns) grant.bucket.grantRead(role, pattern);
    }
    // SSE-KMS buckets (bucketKmsKeyArns): GetObject needs kms:Decrypt on the bucket's key, through S3 only.
    const keys = new Set((props.reads ?? []).map((g) => g.bucket.bucketName).filter((b) => !Token.isUnresolved(b)).map((b) => config.bucketKmsKeyArns[b]));
    for (const keyArn of [...keys].filter((k): k is string => k !== undefined).sort()) role.addToPrincipalPolicy(decryptThroughS3(keyArn));
    for (const bucket of props.lists ?? []) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    }
    for (const statement of props.statements ?? []) role.addToPrincipalPolicy(statement);
    this.acknowledgeWildcard(
      'Resource::*',
      'cloudwatch:PutMetricData (limited by the cloudwatch:namespace condition), X-Ray writes, cloudwatch:GetMetricData and Cost Explorer have no resource-level permissions.',
    );
    if ((props.reads ?? []).length > 0) {
      for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) {
        this.acknowledgeWildcard(`Action::${action}`, 'Action group of CDK grantRead; the resources are only the named bucket and key patterns.');
      }
    }
    for (const grant of props.reads ?? []) {
      if (Token.isUnresolved(grant.bucket.bucketName)) continue;
      for (const pattern of grant.keyPatterns.filter((k) => k.includes('*'))) {
        this.acknowledgeWildcard(
          `Resource::arn:<AWS::Partition>:s3:::${grant.bucket.bucketName}/${pattern}`,
          'Objects under one configured prefix (one file per run is written there); nothing else in the bucket is readable.',
        );
      }
    }

    // Failed runs, whichever way they fail: the schedule's failures to invoke (Scheduler DLQ) and
    // runs whose handler threw or timed out after ASYNC_RETRY_ATTEMPTS (Lambda's on-failure
    // destination). Publishers-FailedRuns alarms while it holds messages.
    this.deadLetterQueue = props.failedRuns ?? createFailedRunsQueue(this, 'DeadLetterQueue');
    this.fn.configureAsyncInvoke({
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      // A run older than one interval is superseded by the next one.
      maxEventAge: Duration.minutes(Math.min(periodMinutesFor(this.scheduleMinutes), MAX_ASYNC_EVENT_AGE_MINUTES)),
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    // Our own scheduler role (not the stack-wide singleton), so its acknowledgement stays here.
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      // Only schedules of this account may assume it (confused deputy).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Stack.of(this).account } }),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(Duration.minutes(this.scheduleMinutes)),
      description: `Runs the ${publisher} metric publisher`,
      target: new LambdaInvoke(this.fn, {
        role: schedulerRole,
        // The run's slot: metrics with a dashboard cadence are sent by the first run of their window.
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: SCHEDULER_RETRY_ATTEMPTS,
        // A run older than one interval is superseded by the next one.
        maxEventAge: Duration.minutes(periodMinutesFor(this.scheduleMinutes)),
      }),
    });
    const fnLogicalId = Stack.of(this).getLogicalId(this.fn.node.defaultChild as CfnElement);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: 'lambda:InvokeFunction on the versions/aliases of this one function, as the Scheduler LambdaInvoke target grants it.',
    });
  }

  /**
   * Acknowledges one exact cdk-nag IAM5 finding (e.g. `Resource::*`) on the function's role,
   * with its reason; anything not named here is still reported.
   */
  acknowledgeWildcard(finding: string, reason: string): void {
    Validations.of(this.fn.role!).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }

}

/**
 * An encrypted, TLS-only queue that keeps failed runs (Scheduler dead letters and Lambda
 * on-failure records) for 14 days.
 */
export function createFailedRunsQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue IS the dead-letter queue of the publisher schedules and functions; a DLQ of a DLQ adds nothing.',
  });
  return queue;
}

/** kms:Decrypt on one key, only when S3 asks for it on the caller's behalf (the key's region is the bucket's). */
export function decryptThroughS3(keyArn: string): iam.PolicyStatement {
  const region = keyArn.split(':')[3];
  return new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
  });
}

/** The smallest CloudWatch Logs retention >= the configured days. */
export function retentionFor(days: number): logs.RetentionDays {
  const value = RETENTION_DAYS.find((d) => d >= days) ?? 3653;
  return value as logs.RetentionDays;
}
