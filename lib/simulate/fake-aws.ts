import { BudgetsClient, DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../sources/aws-clients';
import type { MetricRef } from './model';

/**
 * In-memory stand-ins for the AWS services the publishers call, behind real SDK clients (the
 * SDK's paginators want real client instances): each client's `send` answers from simulated
 * state instead of the network. They answer the requests the jobs make, with the fields the
 * jobs read; any other command is an error naming it, never a silent empty answer.
 */

/** The clients are built like every client of the product; their `send` never reaches the network. */
const SIMULATED_CREDENTIALS = { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' };

type Send = (command: unknown) => Promise<unknown>;

function withSend<T extends { send: unknown }>(client: T, send: Send): T {
  (client as { send: unknown }).send = (command: unknown) => send(command);
  return client;
}

/** An AWS-style error as the SDK throws it (name, HTTP status, retryable flag). */
export function awsError(name: string, status: number, message: string, retryable = false): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, ...(retryable ? { $retryable: {} } : {}) });
}

function unsupported(service: string, command: unknown): Error {
  return new Error(`The simulated ${service} does not answer ${(command as object).constructor.name}`);
}

export interface SimObject {
  readonly size: number;
  readonly lastModified: number;
  readonly body?: string;
  readonly etag: string;
}

/** Buckets of objects, keys kept in S3's order. */
export class SimBuckets {
  private readonly buckets = new Map<string, { objects: Map<string, SimObject>; sorted: string[] }>();
  private writes = 0;

  put(bucket: string, key: string, at: number, content: { body: string } | { size: number }): void {
    const b = this.bucket(bucket);
    if (!b.objects.has(key)) b.sorted.splice(lowerBound(b.sorted, key, true), 0, key);
    const body = 'body' in content ? content.body : undefined;
    b.objects.set(key, { size: body !== undefined ? Buffer.byteLength(body) : (content as { size: number }).size, lastModified: at, body, etag: `"${++this.writes}"` });
  }

  get(bucket: string, key: string): SimObject | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  count(bucket: string): number {
    return this.buckets.get(bucket)?.objects.size ?? 0;
  }

  /** Keys of a bucket in byte order. */
  keys(bucket: string): readonly string[] {
    return this.buckets.get(bucket)?.sorted ?? [];
  }

  hasBucket(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  private bucket(name: string) {
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = { objects: new Map(), sorted: [] }));
    return b;
  }
}

/**
 * S3 lists keys in UTF-8 byte order, which is code point order. JavaScript compares UTF-16 code
 * units, which agrees except for characters beyond U+FFFF against U+E000..U+FFFF: those keys take
 * the byte comparison.
 */
function compareBytes(a: string, b: string): number {
  if (ASTRAL.test(a) || ASTRAL.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}
const ASTRAL = /[\ud800-\udfff]/;

/** First index in sorted `keys` whose key is > `after` (or >= `from`). */
function lowerBound(keys: readonly string[], probe: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareBytes(keys[mid]!, probe);
    if (c < 0 || (!inclusive && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** S3: ListObjectsV2 (Prefix, Delimiter, StartAfter, ContinuationToken, MaxKeys), GetObject, PutObject with If-Match / If-None-Match. */
export function simulatedS3(buckets: SimBuckets, now: () => number): S3Client {
  return withSend(new S3Client({ ...clientConfig({ region: 'us-east-1' }), credentials: SIMULATED_CREDENTIALS }), async (command) => {
    if (command instanceof ListObjectsV2Command) {
      const input = command.input;
      const bucket = input.Bucket!;
      if (!buckets.hasBucket(bucket)) throw awsError('NoSuchBucket', 404, `The specified bucket does not exist: ${bucket}`);
      const keys = buckets.keys(bucket);
      const prefix = input.Prefix ?? '';
      const after = input.ContinuationToken ?? input.StartAfter;
      let i = after !== undefined && compareBytes(after, prefix) >= 0 ? lowerBound(keys, after, false) : lowerBound(keys, prefix, true);
      const max = Math.min(input.MaxKeys ?? 1000, 1000);
      const contents: Array<{ Key: string; Size: number; LastModified: Date; ETag: string }> = [];
      const common: string[] = [];
      let last: string | undefined;
      for (; i < keys.length && contents.length + common.length < max; i++) {
        const key = keys[i]!;
        if (!key.startsWith(prefix)) break;
        const rest = key.slice(prefix.length);
        const cut = input.Delimiter ? rest.indexOf(input.Delimiter) : -1;
        if (cut >= 0) {
          const folder = prefix + rest.slice(0, cut + input.Delimiter!.length);
          if (common[common.length - 1] !== folder) common.push(folder);
          last = folder;
          // Skip the rest of the folder: the next key sorts after every key it holds.
          i = lowerBound(keys, `${folder}\u{10FFFF}`, true) - 1;
          continue;
        }
        const o = buckets.get(bucket, key)!;
        contents.push({ Key: key, Size: o.size, LastModified: new Date(o.lastModified), ETag: o.etag });
        last = key;
      }
      const truncated = i < keys.length && keys[i]!.startsWith(prefix);
      return {
        Contents: contents,
        CommonPrefixes: common.map((Prefix) => ({ Prefix })),
        KeyCount: contents.length + common.length,
        IsTruncated: truncated,
        ...(truncated && last !== undefined ? { NextContinuationToken: last } : {}),
      };
    }
    if (command instanceof GetObjectCommand) {
      const { Bucket, Key } = command.input;
      const o = buckets.get(Bucket!, Key!);
      if (!o) throw awsError('NoSuchKey', 404, 'The specified key does not exist.');
      const text = o.body ?? '';
      return { Body: { transformToString: async () => text, destroy: () => undefined }, ContentLength: Buffer.byteLength(text), ETag: o.etag, LastModified: new Date(o.lastModified) };
    }
    if (command instanceof PutObjectCommand) {
      const { Bucket, Key, Body, IfMatch, IfNoneMatch } = command.input;
      const existing = buckets.get(Bucket!, Key!);
      if ((IfNoneMatch === '*' && existing) || (IfMatch !== undefined && existing?.etag !== IfMatch)) {
        throw awsError('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
      }
      buckets.put(Bucket!, Key!, now(), { body: String(Body ?? '') });
      return { ETag: buckets.get(Bucket!, Key!)!.etag };
    }
    throw unsupported('S3', command);
  });
}

/** Where the simulated CloudWatch keeps what it is sent. */
export interface DatumSink {
  add(ref: MetricRef, timestampMs: number, value: number): void;
  /** Values of a metric with timestamps in [fromMs, toMs], newest first. */
  recent(ref: MetricRef, fromMs: number, toMs: number): number[];
}

/** CloudWatch: PutMetricData into the sink (refused while `refusing()` says so), GetMetricData of one MetricStat (Maximum per minute, newest first). */
export function simulatedCloudWatch(sink: DatumSink, refusing: () => string | undefined): CloudWatchClient {
  return withSend(new CloudWatchClient({ ...clientConfig({ region: 'us-east-1' }), credentials: SIMULATED_CREDENTIALS }), async (command) => {
    if (command instanceof PutMetricDataCommand) {
      const why = refusing();
      if (why) throw awsError('Throttling', 400, why, true);
      const { Namespace, MetricData } = command.input;
      for (const d of MetricData ?? []) {
        const ref: MetricRef = { namespace: Namespace!, name: d.MetricName!, dimensions: Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name!, x.Value!])) };
        const at = (d.Timestamp instanceof Date ? d.Timestamp : new Date(d.Timestamp ?? 0)).getTime();
        if (d.Values) d.Values.forEach((v, i) => { for (let n = 0; n < (d.Counts?.[i] ?? 1); n++) sink.add(ref, at, v); });
        else if (d.Value !== undefined) sink.add(ref, at, d.Value);
      }
      return {};
    }
    if (command instanceof GetMetricDataCommand) {
      const { StartTime, EndTime, MetricDataQueries } = command.input;
      return {
        MetricDataResults: (MetricDataQueries ?? []).map((q) => {
          const m = q.MetricStat?.Metric;
          if (!m || q.Expression) throw new Error('The simulated CloudWatch answers GetMetricData for MetricStat queries only');
          const ref: MetricRef = { namespace: m.Namespace!, name: m.MetricName!, dimensions: Object.fromEntries((m.Dimensions ?? []).map((x) => [x.Name!, x.Value!])) };
          return { Id: q.Id, Values: sink.recent(ref, new Date(StartTime!).getTime(), new Date(EndTime!).getTime()), StatusCode: 'Complete' };
        }),
      };
    }
    throw unsupported('CloudWatch', command);
  });
}

export interface BudgetState {
  readonly limitUsd: number;
  readonly actualUsd: number;
  readonly forecastUsd?: number;
}

/** AWS Budgets: DescribeBudget of the one budget the stack creates. */
export function simulatedBudgets(budget: () => BudgetState): BudgetsClient {
  return withSend(new BudgetsClient({ ...clientConfig({ region: 'us-east-1' }), credentials: SIMULATED_CREDENTIALS }), async (command) => {
    if (command instanceof DescribeBudgetCommand) {
      const b = budget();
      const usd = (n: number) => ({ Amount: n.toFixed(2), Unit: 'USD' });
      return {
        Budget: {
          BudgetName: command.input.BudgetName,
          BudgetLimit: usd(b.limitUsd),
          CalculatedSpend: { ActualSpend: usd(b.actualUsd), ...(b.forecastUsd !== undefined ? { ForecastedSpend: usd(b.forecastUsd) } : {}) },
          BudgetType: 'COST',
          TimeUnit: 'MONTHLY',
        },
      };
    }
    throw unsupported('AWS Budgets', command);
  });
}

/** Cost Explorer: the month-to-date cost by service, one page. */
export function simulatedCostExplorer(services: () => Record<string, number>): CostExplorerClient {
  return withSend(new CostExplorerClient({ ...clientConfig({ region: 'us-east-1' }), credentials: SIMULATED_CREDENTIALS }), async (command) => {
    if (command instanceof GetCostAndUsageCommand) {
      const { TimePeriod, Metrics } = command.input;
      const metric = Metrics?.[0] ?? 'UnblendedCost';
      return {
        ResultsByTime: [
          {
            TimePeriod,
            Groups: Object.entries(services()).map(([service, usd]) => ({ Keys: [service], Metrics: { [metric]: { Amount: usd.toFixed(2), Unit: 'USD' } } })),
          },
        ],
      };
    }
    throw unsupported('Cost Explorer', command);
  });
}
