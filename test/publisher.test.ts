import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricDatum } from '../lib/publisher/datum';
import { MAX_REQUEST_BYTES, batches, classify, publishDatums } from '../lib/publisher/publish';
import { validateDatum } from '../lib/publisher/validate';
import { Deadline } from '../lib/sources/deadline';

const NOW = new Date('2025-11-08T12:00:00Z');
const cw = mockClient(CloudWatchClient);
const client = new CloudWatchClient({ region: 'us-east-1' });
const noSleep = async () => {};

function datum(i: number, extra: Partial<MetricDatum> = {}): MetricDatum {
  return { Namespace: 'NBA-Simulator/ADCE', MetricName: 'ADCEQueueDepth', Value: i, Unit: 'Count', Timestamp: new Date(NOW.getTime() - 60_000), ...extra };
}

function awsError(name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client'): Error {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}

/**
 * A fake CloudWatch: `script` decides per call whether it fails (returns an error) or stores
 * the datums; `stored` is the multiset CloudWatch really holds.
 */
let stored: string[] = [];
function fakeCloudWatch(script: (input: PutMetricDataCommandInput, call: number) => Error | undefined = () => undefined): void {
  let call = 0;
  cw.on(PutMetricDataCommand).callsFake((input: PutMetricDataCommandInput) => {
    const err = script(input, call++);
    if (err) return Promise.reject(err);
    for (const d of input.MetricData ?? []) stored.push(`${input.Namespace}|${d.MetricName}|${d.Value}|${JSON.stringify(d.Dimensions ?? [])}`);
    return Promise.resolve({});
  });
}
const sentKeys = () => [...stored].sort();

const keyOf = (d: MetricDatum) => `${d.Namespace}|${d.MetricName}|${d.Value}|${JSON.stringify(d.Dimensions ?? [])}`;

beforeEach(() => {
  cw.reset();
  stored = [];
});

describe('publishDatums batching', () => {
  it('sends 2,500 datums of one namespace in requests of at most 1,000', async () => {
    fakeCloudWatch();
    const datums = Array.from({ length: 2500 }, (_, i) => datum(i));
    const result = await publishDatums(datums, { client, now: () => NOW, sleep: noSleep });
    const sizes = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input.MetricData?.length);
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(result).toMatchObject({ sent: 2500, requests: 3, rejected: [], failed: [] });
    expect(sentKeys()).toEqual(datums.map(keyOf).sort());
  });

  it('groups by namespace: one namespace per request', async () => {
    fakeCloudWatch();
    const datums = [datum(1), datum(2, { Namespace: 'NBA-Simulator/DIMS', MetricName: 'DIMS_TestFiles' }), datum(3)];
    await publishDatums(datums, { client, now: () => NOW });
    const calls = cw.commandCalls(PutMetricDataCommand).map((c) => [c.args[0].input.Namespace, c.args[0].input.MetricData?.map((d) => d.Value)]);
    expect(calls).toEqual([
      ['NBA-Simulator/ADCE', [1, 3]],
      ['NBA-Simulator/DIMS', [2]],
    ]);
  });

  it('splits by size before 1,000 when datums are large (30 dimensions of 1,000 characters)', async () => {
    fakeCloudWatch();
    const dims = Array.from({ length: 30 }, (_, j) => ({ Name: `Dim${j}`, Value: `${j}`.padEnd(1000, 'x') }));
    const datums = Array.from({ length: 200 }, (_, i) => datum(i, { Dimensions: dims }));
    const result = await publishDatums(datums, { client, now: () => NOW });
    const inputs = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    expect(inputs.length).toBeGreaterThan(1);
    for (const input of inputs) {
      expect(input.MetricData!.length).toBeLessThan(1000);
      // The JSON body the SDK sends is smaller than our estimate; both must stay under 1 MB.
      expect(Buffer.byteLength(JSON.stringify(input))).toBeLessThan(1_000_000);
    }
    expect(result.sent).toBe(200);
    expect(sentKeys()).toEqual(datums.map(keyOf).sort());
  });

  it('batches() keeps order and never produces an empty batch', () => {
    const datums = Array.from({ length: 1001 }, (_, i) => datum(i));
    const out = batches('NBA-Simulator/ADCE', datums);
    expect(out.map((b) => b.length)).toEqual([1000, 1]);
    expect(out.flat().map((d) => d.Value)).toEqual(datums.map((d) => d.Value));
    expect(MAX_REQUEST_BYTES).toBeLessThan(1_000_000);
  });
});

describe('publishDatums retries', () => {
  it('throttling then success: every datum sent exactly once, backoff grows', async () => {
    fakeCloudWatch((_, call) => [awsError('Throttling', 400), awsError('ThrottlingException', 429)][call]);
    const delays: number[] = [];
    const datums = Array.from({ length: 1500 }, (_, i) => datum(i));
    const result = await publishDatums(datums, {
      client, now: () => NOW, baseDelayMs: 100, random: () => 0.5, sleep: async (ms) => void delays.push(ms),
    });
    expect(result.sent).toBe(1500);
    expect(result.failed).toEqual([]);
    expect(result.requests).toBe(4); // first batch: 2 throttled + 1 ok; second batch: 1
    expect(delays).toEqual([75, 150]);
    expect(sentKeys()).toEqual(datums.map(keyOf).sort());
  });

  it('5xx until attempts run out: the batch lands in failed, other namespaces still sent', async () => {
    cw.on(PutMetricDataCommand, { Namespace: 'NBA-Simulator/ADCE' }).rejects(awsError('InternalServiceError', 500));
    cw.on(PutMetricDataCommand, { Namespace: 'NBA-Simulator/DIMS' }).resolves({});
    const adce = [datum(1), datum(2)];
    const dims = datum(3, { Namespace: 'NBA-Simulator/DIMS', MetricName: 'DIMS_TestFiles' });
    const result = await publishDatums([...adce, dims], { client, now: () => NOW, maxAttempts: 3, sleep: noSleep });
    expect(result.sent).toBe(1);
    expect(result.failed.map((f) => f.datum)).toEqual(adce);
    expect(result.failed[0]!.error).toMatch(/InternalServiceError \(HTTP 500\).*gave up after 3 attempts/);
    expect(cw.commandCalls(PutMetricDataCommand, { Namespace: 'NBA-Simulator/ADCE' })).toHaveLength(3);
    expect(result.requests).toBe(4);
  });

  it('never retries an access error: one call, datums reported as failed', async () => {
    cw.on(PutMetricDataCommand).rejects(awsError('AccessDenied', 403));
    const result = await publishDatums([datum(1), datum(2)], { client, now: () => NOW, sleep: noSleep });
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    expect(result.failed).toHaveLength(2);
    expect(result.failed[0]!.error).toContain('AccessDenied (HTTP 403)');
  });

  it('a 400 validation error is not retried but split, so valid datums beside the bad one are sent', async () => {
    fakeCloudWatch((input) => (input.MetricData!.some((d) => d.Value === 13) ? awsError('InvalidParameterValue', 400) : undefined));
    const datums = Array.from({ length: 20 }, (_, i) => datum(i));
    const result = await publishDatums(datums, { client, now: () => NOW, sleep: noSleep });
    expect(result.sent).toBe(19);
    expect(result.failed.map((f) => f.datum.Value)).toEqual([13]);
    expect(sentKeys()).toEqual(datums.filter((d) => d.Value !== 13).map(keyOf).sort());
  });

  it('network errors without an HTTP status are retried', async () => {
    cw.on(PutMetricDataCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).resolves({});
    const result = await publishDatums([datum(1)], { client, now: () => NOW, sleep: noSleep });
    expect(result).toMatchObject({ sent: 1, requests: 2, failed: [] });
  });

  it('classify() tells throttling, 5xx, validation and access errors apart', () => {
    expect(classify(awsError('Throttling', 400))).toBe('retryable');
    expect(classify(awsError('Whatever', 429))).toBe('retryable');
    expect(classify(awsError('ServiceUnavailable', 503))).toBe('retryable');
    expect(classify(awsError('InvalidParameterValue', 400))).toBe('invalid');
    expect(classify(awsError('AccessDenied', 403))).toBe('other');
  });
});

describe('publishDatums: what a retry may duplicate, and its bounds', () => {
  const summedName = (d: MetricDatum) => d.MetricName === 'ADCETasksFailed';
  const failedCount = (i: number) => datum(i, { MetricName: 'ADCETasksFailed' });
  /** The request reached CloudWatch (it stores the datums) but the answer was lost. */
  const answerLostOnce = () => {
    let first = true;
    cw.on(PutMetricDataCommand).callsFake((input: PutMetricDataCommandInput) => {
      for (const d of input.MetricData ?? []) stored.push(`${input.Namespace}|${d.MetricName}|${d.Value}|${JSON.stringify(d.Dimensions ?? [])}`);
      if (first) {
        first = false;
        return Promise.reject(Object.assign(new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 8000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' }));
      }
      return Promise.resolve({});
    });
  };

  it('a request whose answer was lost is not resent for summed datums (no double count); gauges beside them are', async () => {
    answerLostOnce();
    const result = await publishDatums([datum(1), failedCount(2)], { client, now: () => NOW, sleep: noSleep, summed: summedName });
    expect(result.failed).toEqual([
      { datum: failedCount(2), maybeRecorded: true, error: expect.stringContaining('the request may have been recorded, so its summed datums are not sent again (PutMetricData is not idempotent') },
    ]);
    expect(result.sent).toBe(1);
    // CloudWatch holds the summed datum once, the gauge twice (its alarms read Maximum).
    expect(sentKeys()).toEqual([keyOf(datum(1)), keyOf(datum(1)), keyOf(failedCount(2))].sort());
  });

  it('without summed datums the same request is resent', async () => {
    answerLostOnce();
    const result = await publishDatums([datum(1)], { client, now: () => NOW, sleep: noSleep, summed: summedName });
    expect(result).toMatchObject({ sent: 1, requests: 2, failed: [] });
  });

  it('a configuration error is not retried and counts no HTTP request', async () => {
    cw.on(PutMetricDataCommand).rejects(new Error('Region is missing'));
    const result = await publishDatums([datum(1)], { client, now: () => NOW, sleep: noSleep });
    expect(result.requests).toBe(0);
    expect(result.failed[0]!.error).toBe('Region is missing: set AWS_REGION (or a region in your AWS profile), or pass --region (a configuration error: not retried)');
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(1);
  });

  it("requests counts the SDK's own attempts ($metadata.attempts)", async () => {
    cw.on(PutMetricDataCommand).rejects(Object.assign(awsError('ServiceUnavailable', 503), { $metadata: { httpStatusCode: 503, attempts: 3 } }));
    const result = await publishDatums([datum(1)], { client, now: () => NOW, sleep: noSleep, maxAttempts: 2 });
    expect(result.requests).toBe(6);
    expect(result.failed[0]!.error).toMatch(/gave up after 2 attempts, 6 HTTP requests/);
  });

  it('past its deadline nothing more is sent and every datum left is reported', async () => {
    fakeCloudWatch();
    const deadline = new Deadline(0, 'the test deadline');
    const result = await publishDatums([datum(1), datum(2)], { client, now: () => NOW, sleep: noSleep, deadline });
    expect(result.sent).toBe(0);
    expect(result.failed.map((f) => f.error)).toEqual(['not sent: stopped at the test deadline', 'not sent: stopped at the test deadline']);
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('a send that never settles (e.g. a credential provider that hangs) is cut off at the deadline', async () => {
    cw.on(PutMetricDataCommand).callsFake(() => new Promise(() => undefined));
    const deadline = new Deadline(50, 'the test deadline');
    const result = await publishDatums([datum(1)], { client, now: () => NOW, sleep: noSleep, deadline });
    expect(result.failed[0]).toMatchObject({ maybeRecorded: true, error: 'not sent: stopped at the test deadline after 1 HTTP request(s) (the last one may or may not have been recorded)' });
  });
});

describe('publishDatums validation', () => {
  it('reports datums CloudWatch would reject, with the reason, and sends the valid ones', async () => {
    fakeCloudWatch();
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => void errors.push(m) };
    const good = [datum(1), datum(0), datum(-5.5)];
    const bad = [
      datum(Number.NaN),
      datum(Number.POSITIVE_INFINITY),
      datum(1e-200),
      datum(1e109),
      datum(2, { Timestamp: new Date(NOW.getTime() - 15 * 86400_000) }),
      datum(3, { Timestamp: new Date(NOW.getTime() + 3 * 3600_000) }),
      datum(4, { Dimensions: Array.from({ length: 31 }, (_, j) => ({ Name: `D${j}`, Value: 'v' })) }),
      datum(5, { MetricName: '' }),
      datum(6, { Dimensions: [{ Name: 'Bucket', Value: '' }] }),
      datum(7, { Dimensions: [{ Name: 'Bucket', Value: 'x'.repeat(1025) }] }),
    ];
    const result = await publishDatums([bad[0]!, ...good, ...bad.slice(1)], { client, now: () => NOW, logger });
    expect(result.sent).toBe(3);
    expect(sentKeys()).toEqual(good.map(keyOf).sort());
    expect(result.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/not a number/),
      expect.stringMatching(/\+Infinity/),
      expect.stringMatching(/outside CloudWatch's range/),
      expect.stringMatching(/outside CloudWatch's range/),
      expect.stringMatching(/more than 14 days old/),
      expect.stringMatching(/more than 2 hours in the future/),
      expect.stringMatching(/31 dimensions/),
      expect.stringMatching(/MetricName must be 1-255/),
      expect.stringMatching(/Dimension Bucket .* value of 1-1024/),
      expect.stringMatching(/Dimension Bucket .* value of 1-1024/),
    ]);
    expect(errors).toHaveLength(10);
  });

  it('accepts the edges: 0, smallest and largest magnitudes, 14 days old, 2 h ahead', () => {
    expect(validateDatum(datum(0), NOW)).toBeUndefined();
    expect(validateDatum(datum(8.51592e-109), NOW)).toBeUndefined();
    expect(validateDatum(datum(-1.174271e108), NOW)).toBeUndefined();
    expect(validateDatum(datum(1, { Timestamp: new Date(NOW.getTime() - 14 * 86400_000) }), NOW)).toBeUndefined();
    expect(validateDatum(datum(1, { Timestamp: new Date(NOW.getTime() + 2 * 3600_000) }), NOW)).toBeUndefined();
    expect(validateDatum(datum(1, { Unit: 'Minutes' }), NOW)).toMatch(/not a CloudWatch standard unit/);
    expect(validateDatum(datum(1, { Timestamp: new Date('nope') }), NOW)).toMatch(/not a valid date/);
  });

  it('nothing to send: no request at all', async () => {
    const result = await publishDatums([datum(Number.NaN)], { client, now: () => NOW });
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(result).toMatchObject({ sent: 0, requests: 0, failed: [] });
    expect(result.rejected).toHaveLength(1);
  });
});
