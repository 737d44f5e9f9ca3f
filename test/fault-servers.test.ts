import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { parseConfig } from '../lib/config/load';
import { clientConfig } from '../lib/sources/aws-clients';
import { SourceReadError, listKeys } from '../lib/sources/object-source';
import { captureIO, configFile } from './cli-helpers';
import {
  type FaultHandler,
  type FaultServer,
  endlessListing,
  htmlBadGateway,
  internalError,
  malformedListing,
  neverAnswers,
  resetsAfterAccepting,
  startFaultServer,
} from './support/fault-server';

/**
 * Publishers and the CLI against loopback servers that misbehave (no AWS mock: the real SDK,
 * its HTTP handler and our timeouts). Network limits are small here (connect 200 ms, answer
 * 300 ms) so every case ends in about a second; the tests assert that each ends with the
 * exit status and message a user can act on, and what was still printed or sent.
 */
const NETWORK = { connectTimeoutMs: 200, requestTimeoutMs: 300 };
const config = configFile({ dataLakeBucket: 'lake', network: NETWORK });
const FIX = join(import.meta.dirname, 'fixtures');
const QUEUE = '{"generated_at": "2025-11-08T00:00:00", "total_tasks": 1, "estimated_total_minutes": 3}';
let server: FaultServer | undefined;

beforeAll(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_REGION', 'us-east-1');
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  vi.unstubAllEnvs();
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_REGION', 'us-east-1');
});

async function serve(handler: FaultHandler): Promise<string> {
  server = await startFaultServer(handler);
  return server.url;
}

async function cli(...args: string[]) {
  const io = captureIO();
  const code = await main(['--config', config, ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

const DIMS = ['publish', 'dims', '--file', join(FIX, 'dims', 'metrics.yaml'), '--live-count', '173000', '--json'];

describe('an endpoint that accepts and never answers', () => {
  it('S3: publish s3 fails within the request timeout, naming it; nothing is printed', async () => {
    const endpoint = await serve(neverAnswers);
    const r = await cli('publish', 's3', '--dry-run', '--endpoint', endpoint);
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: S3 data lake: Cannot list s3://lake/: TimeoutError: @smithy/node-http-handler - [ERROR] a request has exceeded the configured 300 ms requestTimeout.\n');
    expect(r.out).toBe('');
    // The SDK's own 3 attempts, no more.
    expect(server!.requests).toHaveLength(3);
  });

  it('CloudWatch: publish dims gives up within its deadline and says how many HTTP requests were made', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', await serve(neverAnswers));
    const r = await cli(...DIMS, '--timeout', '5');
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.out) as { sent: number; datums: number; failed: Array<{ error: string }> };
    expect(summary).toMatchObject({ sent: 0, datums: 6 });
    expect(summary.failed).toHaveLength(6);
    // Whichever ends it first (the attempts, no time for another, or the deadline in flight), it is said, with the requests made.
    const error = summary.failed[0]!.error;
    expect(error).toMatch(/^(TimeoutError: .*300 ms requestTimeout\. \(gave up after|not sent: stopped at the run's deadline for publishing \(3\.5 s of 5 s\))/);
    // Every PutMetricData attempt is one HTTP request: the count said is the count made.
    const made = Number(/(\d+) HTTP request/.exec(error)?.[1]);
    expect(server!.requests).toHaveLength(made);
  });

  it("monitor time exits with the command's code, whatever CloudWatch does", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', await serve(neverAnswers));
    // No CloudFormation either (port 1 refuses): the local configuration is used, and said.
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDFORMATION', 'http://127.0.0.1:1');
    const r = await cli('time', '--operation', 'DataExtraction', '--', 'sh', '-c', 'exit 3');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^note: cannot read CloudFormation stacks: .*ECONNREFUSED.*; using .*\n/);
    expect(r.err).toMatch(/\nwarning: NBA-Simulator\/Performance\/DataExtractionDuration was not published: TimeoutError: .*requestTimeout\. \(gave up after 3 attempts, 3 HTTP requests\)\n$/);
    expect(server!.requests).toHaveLength(3);
  });
});

describe('an endpoint that answers 5xx or something that is not AWS XML', () => {
  it('an HTML 502 of a proxy is summarized, not echoed', async () => {
    const r = await cli('publish', 's3', '--dry-run', '--endpoint', await serve(htmlBadGateway));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'error: S3 data lake: Cannot list s3://lake/: HTTP 502 Bad Gateway: the endpoint answered with an HTML page ("502 Bad Gateway"), not an AWS response: a proxy, load balancer or wrong --endpoint answered\n',
    );
  });

  it('a listing cut off mid-document is an error, never a smaller count', async () => {
    const r = await cli('publish', 's3', '--dry-run', '--endpoint', await serve(malformedListing));
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: S3 data lake: Cannot list s3://lake/: Error: unterminated <Contents> element\n');
    expect(r.out).toBe('');
  });

  it('ADCE: S3 500 on every read; the error names the object, retries are the SDK\'s', async () => {
    const r = await cli('publish', 'adce', '--dry-run', '--endpoint', await serve(internalError));
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: ADCE task queue: Cannot read s3://lake/adce/gaps.json: InternalError (HTTP 500): We encountered an internal error. Please try again.');
    expect(r.out).toBe('');
  });

  it('CloudWatch 500: publish dims retries with backoff and the summary counts every HTTP request', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', await serve(internalError));
    const r = await cli(...DIMS);
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.out) as { failed: Array<{ error: string }> };
    expect(summary.failed[0]!.error).toBe(
      'HTTP 500: the response is not one the AWS SDK could read (Unexpected token \'<\', "<?xml vers"... is not valid JSON) (gave up after 5 attempts, 5 HTTP requests)',
    );
    expect(server!.requests).toHaveLength(5);
    expect(r.err).toMatch(/retry 1\/4 in \d+ ms/);
  });
});

describe('an endpoint that resets the connection after accepting', () => {
  it('S3: the error says so', async () => {
    const r = await cli('publish', 's3', '--dry-run', '--endpoint', await serve(resetsAfterAccepting));
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: S3 data lake: Cannot list s3://lake/: TimeoutError: socket hang up\n');
  });

  it("monitor time still exits with the command's code", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', await serve(resetsAfterAccepting));
    const r = await cli('time', '--operation', 'Validation', '--', 'true');
    expect(r.code).toBe(0);
    expect(r.err).toContain('was not published: TimeoutError: socket hang up (gave up after 3 attempts, 3 HTTP requests)');
  });
});

describe('a listing that never ends (ever-increasing keys)', () => {
  it('publish s3 stops at the run deadline with an error and publishes no partial count', async () => {
    const r = await cli('publish', 's3', '--dry-run', '--endpoint', await serve(endlessListing()), '--timeout', '4');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: S3 data lake: Listing s3:\/\/lake\/ stopped at the run's deadline for reading sources \(1 s of 4 s\) after \d+ requests and \d+ objects: the bucket was not fully counted, so no totals are published/,
    );
    expect(r.out).toBe('');
  });

  it('publish adce stops listing run reports at the deadline; the queue is still printed', async () => {
    const r = await cli('publish', 'adce', '--dry-run', '--endpoint', await serve(endlessListing({ 'adce/gaps.json': QUEUE })), '--timeout', '4');
    expect(r.code).toBe(1);
    expect(r.err).toContain("error: ADCE run reports: Cannot read s3://lake/adce/runs/: not read: stopped at the run's deadline for reading sources (1 s of 4 s)");
    expect(r.out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { MetricName: string }).MetricName)).toEqual([
      'ADCEQueueDepth', 'ADCEBacklogMinutes', 'ADCEQueueAgeMinutes',
    ]);
  });

  it('a key listing stops at its bound with an error naming the prefix and the last key', async () => {
    const endpoint = await serve(endlessListing());
    const s3 = new S3Client({ ...clientConfig({ network: NETWORK, region: 'us-east-1', endpoint }), forcePathStyle: true });
    const err = await listKeys(s3, { bucket: 'lake', prefix: 'adce/runs/', maxKeys: 2500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceReadError);
    expect((err as SourceReadError).message).toBe(
      'Cannot read s3://lake/adce/runs/: stopped listing after 2,500 keys: the listing did not end (last key "adce/runs/000000002500.json"); check the prefix',
    );
    expect(server!.requests).toHaveLength(3);
    s3.destroy();
  });
});

describe('the publisher Lambda ends in time to say what it did', () => {
  it('S3 handler against a never-ending listing: throws with the deadline message before its remaining time is up', async () => {
    vi.stubEnv('MONITOR_CONFIG', JSON.stringify(parseConfig({ dataLakeBucket: 'lake', network: NETWORK })));
    vi.stubEnv('AWS_ENDPOINT_URL_S3', await serve(endlessListing()));
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', server!.url);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.resetModules();
    const { handler } = await import('../lambda/s3-publisher');
    const context = { awsRequestId: 'r', getRemainingTimeInMillis: () => 4000 } as unknown as Context;
    const err = (await handler({}, context).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('PublisherRunError');
    expect(err.message).toMatch(/^Publisher run failed after sending 0 datum\(s\): S3 data lake: Listing s3:\/\/lake\/ stopped at the run's deadline for reading sources \(1 s of 4 s\)/);
    // It returned (a Lambda timeout would say nothing) with what it did: the message above.
  });
});
