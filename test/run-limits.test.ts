import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDuplicateKeys, parseJson } from '../lib/collectors/json-document';
import { parseConfig } from '../lib/config/load';
import { PUBLISHER_LIMITS, runDeadlines } from '../lib/jobs/limits';
import { MAX_LOG_EVENT_BYTES, MAX_LOG_MESSAGE_CHARS, boundedEntry, boundedLogger } from '../lib/jobs/log-limits';
import { DEFAULT_NETWORK, attemptTimeoutMs, clientConfig } from '../lib/sources/aws-clients';
import { Deadline, DeadlineError, beforeDeadline } from '../lib/sources/deadline';

describe('network limits and run deadlines', () => {
  it('the client factory defaults are the schema defaults', () => {
    expect(parseConfig({}).network).toEqual(DEFAULT_NETWORK);
  });

  it('every AWS client of the product is built from the one factory (clientConfig)', () => {
    const root = join(import.meta.dirname, '..');
    const files = ['lib', 'lambda'].flatMap((d) => (readdirSync(join(root, d), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(root, d, f)));
    const constructions = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => /new [A-Za-z]+Client\(/.test(line))
        .map((line) => ({ file: f.slice(root.length + 1), line: line.trim() })),
    );
    expect(constructions.length).toBeGreaterThanOrEqual(10);
    expect(constructions.filter((c) => !/clientConfig\(|clientOptions\(/.test(c.line))).toEqual([]);
  });

  it('every client gets connect, request and idle-socket timeouts that throw', async () => {
    const handler = clientConfig({ network: { connectTimeoutMs: 1500, requestTimeoutMs: 4000 } }).requestHandler;
    expect(handler.httpHandlerConfigs()).toEqual({});
    await handler.handle({ protocol: 'http:', hostname: '127.0.0.1', port: 9, method: 'GET', path: '/', headers: {}, query: {} } as never, { abortSignal: AbortSignal.abort() }).catch(() => undefined);
    expect(handler.httpHandlerConfigs()).toMatchObject({ connectionTimeout: 1500, requestTimeout: 4000, socketTimeout: 4000, throwOnRequestTimeout: true });
  });

  it('a 60 s run reads sources for 60 s minus two requests and 2 s; publishing stops one request before the end', () => {
    const d = runDeadlines(60_000);
    const attempt = attemptTimeoutMs(DEFAULT_NETWORK);
    expect(d.job.budgetMs).toBe(60_000 - (2 * attempt + 2000));
    expect(d.publish.budgetMs).toBe(60_000 - attempt - 1000);
    expect(d.run.budgetMs).toBe(59_000);
    expect(d.job.label).toBe("the run's deadline for reading sources (36 s of 60 s)");
  });

  it('a long run keeps a fifth of it to publish and report', () => {
    const d = runDeadlines(PUBLISHER_LIMITS.s3.timeoutSeconds * 1000);
    expect(d.job.budgetMs).toBe(240_000);
  });

  it('beforeDeadline rejects work that never settles once its deadline passes', async () => {
    const err = await beforeDeadline(new Promise(() => undefined), new Deadline(20, 'the test deadline'), 'Listing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as Error).message).toBe('Listing: stopped at the test deadline');
  });
});

describe('log lines stay under CloudWatch Logs\' 256 KB event limit', () => {
  it('a long message is cut, saying how long it was', () => {
    const { message } = boundedEntry('x'.repeat(300_000));
    expect(message.length).toBeLessThan(MAX_LOG_MESSAGE_CHARS + 40);
    expect(message).toMatch(/\.\.\. \(300000 characters\)$/);
  });

  it('large fields are shortened, largest first, small ones kept as they are', () => {
    const sources = Array.from({ length: 5000 }, (_, i) => ({ prefix: `source_${i}/`, objects: i, stale: false }));
    const { extra } = boundedEntry('Publisher run finished', { datums: 12, sources, bucket: 'lake' });
    expect(Buffer.byteLength(JSON.stringify(extra))).toBeLessThan(MAX_LOG_EVENT_BYTES);
    expect(extra).toMatchObject({ datums: 12, bucket: 'lake', sources: { truncated: true, preview: expect.stringMatching(/^\[\{"prefix":"source_0\/"/) } });
  });

  it('boundedLogger passes lines within the limit through unchanged', () => {
    const seen: unknown[] = [];
    const logger = boundedLogger({ debug() {}, info: (m, e) => void seen.push([m, e]), warn() {}, error() {} });
    logger.info('ok', { a: 1 });
    expect(seen).toEqual([['ok', { a: 1 }]]);
  });
});

describe('duplicate keys in JSON', () => {
  it('are found with their paths and lines, nested and in lists; strings holding braces do not confuse it', () => {
    const text = '{\n "a": 1,\n "b": {"c": "}{,\\"", "c": 2},\n "list": [{"x": 1}, {"x": 1, "x": 2}],\n "a": 3\n}';
    expect(findDuplicateKeys(text)).toEqual([
      { path: 'b.c', lines: [3, 3] },
      { path: 'list[1].x', lines: [4, 4] },
      { path: 'a', lines: [2, 5] },
    ]);
  });

  it('the same key in sibling objects is not a duplicate', () => {
    expect(parseJson('[{"k": 1}, {"k": 2}]')).toEqual({ ok: true, value: [{ k: 1 }, { k: 2 }], duplicates: [] });
  });
});
