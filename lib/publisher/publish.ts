import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { JobLogger } from '../jobs/job';
import { awsErrorText, isConfigurationError } from '../sources/aws-error';
import { type Deadline, beforeDeadline, isAbort } from '../sources/deadline';
import type { MetricDatum } from '../catalog/datum';
import { validateDatum } from './validate';

/** PutMetricData takes at most this many datums per request. */
export const MAX_DATUMS_PER_REQUEST = 1000;
/**
 * PutMetricData requests are limited to 1 MB. We measure each datum as the Query protocol
 * would encode it (the larger of the two wire formats; the SDK's JSON 1.0 body is smaller),
 * with the widest member index, and keep a margin for the request envelope.
 */
export const MAX_REQUEST_BYTES = 1_000_000 - 8_192;

export interface PublishOptions {
  readonly client: CloudWatchClient;
  readonly logger?: JobLogger;
  /** Attempts per request (first try included). @default 5 */
  readonly maxAttempts?: number;
  /** First backoff step; doubles per retry, with jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** Longest single backoff. @default 10000 */
  readonly maxDelayMs?: number;
  /** Injected for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The clock validation uses. @default new Date() */
  readonly now?: () => Date;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * No request is started after it and the one in flight is aborted; what is left is reported
   * in `failed`. Credentials or a region that never resolve are cut off at it too.
   * @default none
   */
  readonly deadline?: Deadline;
  /**
   * PutMetricData is not idempotent: a request whose answer was lost (a timeout after it was
   * sent, a reset connection) may have been recorded, and sending it again counts its datums
   * twice. Datums this returns true for are summed by their alarms (catalog statistic Sum):
   * such a request is not sent again; its datums are reported in `failed` with
   * `maybeRecorded`. Other datums (Maximum, Average, SampleCount alarms survive a duplicate)
   * are sent again. @default none: every retryable request is sent again
   */
  readonly summed?: (datum: MetricDatum) => boolean;
}

/** For `summed`: the catalog's statistic of the datum's metric is Sum. */
export function summedIn(catalog: { find(namespace: string, name: string): { statistic: string } | undefined }): (datum: MetricDatum) => boolean {
  return (datum) => catalog.find(datum.Namespace, datum.MetricName)?.statistic === 'Sum';
}

export interface PublishResult {
  /** Datums CloudWatch accepted. */
  sent: number;
  /** HTTP requests made, retries included (the SDK's own retries too, from `$metadata.attempts`). */
  requests: number;
  /** Datums not sent because CloudWatch would reject them (found before sending). */
  rejected: Array<{ datum: MetricDatum; reason: string }>;
  /** Datums whose request failed for good (retries exhausted or a non-retryable error). */
  failed: Array<{ datum: MetricDatum; error: string; /** The last request may have been recorded (its answer was lost). */ maybeRecorded?: boolean }>;
}

/**
 * Sends datums to CloudWatch: one namespace per request, at most 1,000 datums and under 1 MB
 * per request, retries with exponential backoff and jitter on throttling, 5xx and network
 * errors. A datum CloudWatch would reject is reported in `rejected` and the rest still go out;
 * a request refused as invalid anyway is split in halves so the good datums beside a bad one
 * are still sent. Every datum ends up in exactly one of sent / rejected / failed.
 */
export async function publishDatums(datums: readonly MetricDatum[], options: PublishOptions): Promise<PublishResult> {
  const now = (options.now ?? (() => new Date()))();
  const result: PublishResult = { sent: 0, requests: 0, rejected: [], failed: [] };
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const datum of datums) {
    const reason = validateDatum(datum, now);
    if (reason) {
      result.rejected.push({ datum, reason });
      options.logger?.error(`Datum not sent: ${reason}`, { rejectedDatum: describe(datum) });
      continue;
    }
    const list = byNamespace.get(datum.Namespace) ?? [];
    list.push(datum);
    byNamespace.set(datum.Namespace, list);
  }
  for (const [namespace, list] of byNamespace) {
    for (const batch of batches(namespace, list)) await sendBatch(namespace, batch, options, result);
  }
  return result;
}

/** Splits one namespace's datums into requests within the count and size limits, order kept. */
export function batches(namespace: string, datums: readonly MetricDatum[]): MetricDatum[][] {
  const out: MetricDatum[][] = [];
  const envelope = requestEnvelopeBytes(namespace);
  let current: MetricDatum[] = [];
  let size = envelope;
  for (const datum of datums) {
    const bytes = estimateDatumBytes(datum);
    if (current.length > 0 && (current.length >= MAX_DATUMS_PER_REQUEST || size + bytes > MAX_REQUEST_BYTES)) {
      out.push(current);
      current = [];
      size = envelope;
    }
    current.push(datum);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Bytes of `Action=PutMetricData&Version=2010-08-01&Namespace=...`. */
export function requestEnvelopeBytes(namespace: string): number {
  return `Action=PutMetricData&Version=2010-08-01&Namespace=${encodeURIComponent(namespace)}`.length;
}

/** Conservative wire size of one datum (Query protocol encoding, widest member index). */
export function estimateDatumBytes(datum: MetricDatum): number {
  const member = '&MetricData.member.1000.';
  const enc = (s: string) => encodeURIComponent(s).length;
  let bytes = member.length + 'MetricName='.length + enc(datum.MetricName);
  bytes += member.length + 'Value='.length + 25;
  bytes += member.length + 'Unit='.length + enc(datum.Unit);
  bytes += member.length + 'Timestamp='.length + 30;
  for (const d of datum.Dimensions ?? []) {
    bytes += 2 * (member.length + 'Dimensions.member.30.'.length) + 'Name='.length + enc(d.Name) + 'Value='.length + enc(d.Value);
  }
  return bytes;
}

async function sendBatch(namespace: string, batch: MetricDatum[], options: PublishOptions, result: PublishResult): Promise<void> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { deadline } = options;
  let httpRequests = 0;
  const giveUp = (why: string, maybeRecorded = false) => {
    for (const datum of batch) result.failed.push({ datum, error: why, ...(maybeRecorded ? { maybeRecorded } : {}) });
    options.logger?.error(`PutMetricData ${namespace} failed for ${batch.length} datums: ${why}`, { metrics: [...new Set(batch.map((d) => d.MetricName))] });
  };
  for (let attempt = 1; ; attempt++) {
    if (deadline?.expired()) {
      giveUp(`not sent: stopped at ${deadline.label}${httpRequests > 0 ? ` after ${httpRequests} HTTP request(s)` : ''}`);
      return;
    }
    try {
      const sent = options.client.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: batch.map((d) => ({
            MetricName: d.MetricName,
            Value: d.Value,
            Unit: d.Unit as never,
            Timestamp: d.Timestamp,
            ...(d.Dimensions && d.Dimensions.length > 0 ? { Dimensions: d.Dimensions.map((x) => ({ Name: x.Name, Value: x.Value })) } : {}),
          })),
        }),
        deadline ? { abortSignal: deadline.signal } : {},
      );
      const res = await beforeDeadline(sent, deadline, `PutMetricData ${namespace}`);
      const n = attemptsOf(res);
      httpRequests += n;
      result.requests += n;
      result.sent += batch.length;
      return;
    } catch (err) {
      const kind = classify(err);
      // A configuration error fails before any request is sent.
      const n = kind === 'config' ? 0 : kind === 'deadline' ? 1 : attemptsOf(err);
      httpRequests += n;
      result.requests += n;
      const message = awsErrorText(err);
      if (kind === 'deadline') {
        giveUp(`not sent: stopped at ${deadline?.label ?? 'the deadline'} after ${httpRequests} HTTP request(s) (the last one may or may not have been recorded)`, true);
        return;
      }
      const summed = options.summed;
      if (kind === 'retryable' && answerLost(err) && summed && batch.some(summed)) {
        // Summed datums are not sent again; the others (gauges: a duplicate changes nothing) are.
        const why = `${message}: the request may have been recorded, so its summed datums are not sent again (PutMetricData is not idempotent: a resend could count them twice)`;
        const once = batch.filter(summed);
        for (const datum of once) result.failed.push({ datum, error: why, maybeRecorded: true });
        options.logger?.error(`PutMetricData ${namespace}: ${once.length} datums not resent: ${why}`, { metrics: [...new Set(once.map((d) => d.MetricName))] });
        const rest = batch.filter((d) => !summed(d));
        if (rest.length > 0 && attempt < maxAttempts) await sendBatch(namespace, rest, { ...options, maxAttempts: maxAttempts - attempt }, result);
        else for (const datum of rest) result.failed.push({ datum, error: `${message} (gave up after ${httpRequests} HTTP requests)`, maybeRecorded: true });
        return;
      }
      if (kind === 'retryable' && attempt < maxAttempts) {
        const delay = backoff(attempt, options);
        if (deadline && delay >= deadline.remainingMs()) {
          giveUp(`${message} (gave up after ${httpRequests} HTTP request(s): no time left for a retry before ${deadline.label})`);
          return;
        }
        options.logger?.warn(`PutMetricData ${namespace} failed (${message}) after ${httpRequests} HTTP request(s); retry ${attempt}/${maxAttempts - 1} in ${delay} ms`, {
          datums: batch.length,
        });
        await sleep(delay);
        continue;
      }
      if (kind === 'invalid' && batch.length > 1) {
        // The request wrote nothing; halve it so one datum we could not foresee as invalid
        // does not take the valid ones down with it.
        options.logger?.warn(`PutMetricData ${namespace} refused ${batch.length} datums (${message}); splitting the request`);
        const half = Math.ceil(batch.length / 2);
        await sendBatch(namespace, batch.slice(0, half), options, result);
        await sendBatch(namespace, batch.slice(half), options, result);
        return;
      }
      const why =
        kind === 'retryable'
          ? `${message} (gave up after ${attempt} attempts, ${httpRequests} HTTP requests)`
          : kind === 'config'
            ? `${message} (a configuration error: not retried)`
            : message;
      giveUp(why, kind === 'retryable' && answerLost(err));
      return;
    }
  }
}

type ErrorKind = 'retryable' | 'invalid' | 'config' | 'deadline' | 'other';

/**
 * The request was sent but its answer never came (a timeout waiting for it, a connection reset
 * or closed under it): CloudWatch may have recorded it. A connection that was never set up, a
 * throttle or a 5xx answer mean it was not.
 */
export function answerLost(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.$metadata?.httpStatusCode !== undefined) return false;
  if (/did not establish a connection/.test(e?.message ?? '') || e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return false;
  return e?.code === 'ETIMEDOUT' || e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket hang up|requestTimeout/.test(e?.message ?? '');
}

/** HTTP requests one SDK call made (its own retries included). */
function attemptsOf(resultOrError: unknown): number {
  const attempts = (resultOrError as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts >= 1 ? attempts : 1;
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled', 'RequestLimitExceeded']);
const INVALID = new Set([
  'InvalidParameterValue', 'InvalidParameterValueException', 'InvalidParameterCombination', 'InvalidParameterCombinationException',
  'MissingRequiredParameter', 'MissingRequiredParameterException', 'ValidationError', 'ValidationException',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH']);

/**
 * Throttling, 5xx and network errors are worth retrying; 4xx validation errors never are, nor
 * configuration errors (no region, no credentials, a bad endpoint): retrying cannot fix them.
 */
export function classify(err: unknown): ErrorKind {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name ?? '';
  if (isAbort(err)) return 'deadline';
  if (status === undefined && isConfigurationError(err)) return 'config';
  if (THROTTLING.has(name) || status === 429) return 'retryable';
  if ((status !== undefined && status >= 500) || e?.$fault === 'server' || /InternalServ(ice|er)/.test(name)) return 'retryable';
  if (INVALID.has(name)) return 'invalid';
  if (status !== undefined && status >= 400) return 'other';
  if (name === 'TimeoutError' || name === 'RequestTimeout' || NETWORK.has(e?.code ?? '') || NETWORK.has(name)) return 'retryable';
  // No HTTP status at all: the request never got an answer (socket, DNS): retry.
  if (status === undefined && err instanceof Error && e?.$fault === undefined) return 'retryable';
  return 'other';
}

function backoff(attempt: number, options: PublishOptions): number {
  const base = options.baseDelayMs ?? 200;
  const cap = Math.min(options.maxDelayMs ?? 10_000, base * 2 ** (attempt - 1));
  // "Equal jitter": at least half the step, so overlapping runs spread out but still back off.
  return Math.round(cap / 2 + (options.random ?? Math.random)() * (cap / 2));
}

function describe(datum: MetricDatum): Record<string, unknown> {
  return {
    Namespace: datum.Namespace,
    MetricName: datum.MetricName,
    Value: typeof datum.Value === 'number' && !Number.isFinite(datum.Value) ? String(datum.Value) : datum.Value,
    Dimensions: datum.Dimensions,
    Timestamp: datum.Timestamp instanceof Date && !Number.isNaN(datum.Timestamp.getTime()) ? datum.Timestamp.toISOString() : String(datum.Timestamp),
  };
}
