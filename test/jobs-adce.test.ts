import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { parseConfig } from '../lib/config/load';
import { runAdceJob, runReportMetricNames } from '../lib/jobs/adce';
import { CursorError, MemoryCursorStore, S3CursorStore } from '../lib/jobs/adce-cursor';
import { runDeadlines } from '../lib/jobs/limits';
import type { PublishResult } from '../lib/publisher/publish';

const s3mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const NOW = new Date('2025-11-08T12:00:00Z');
const BUCKET = 'lake';
const body = (text: string) => ({ Body: { transformToString: async () => text } as never, ETag: '"e"' });
const awsError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

/** An S3 bucket in a Map, served through the mocked client (listing honours StartAfter). */
function serve(objects: Map<string, string>) {
  s3mock.on(ListObjectsV2Command).callsFake((input) => {
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '') && (!input.StartAfter || k > input.StartAfter)).sort();
    return { Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
  });
  s3mock.on(GetObjectCommand).callsFake((input) => {
    const text = objects.get(input.Key);
    if (text === undefined) throw awsError('NoSuchKey', 404);
    return body(text);
  });
}

const report = (minute: number, completed = 1) =>
  JSON.stringify({ completed, failed: 0, skipped: 0, end_time: new Date(NOW.getTime() - (60 - minute) * 60_000).toISOString().replace('Z', '') });

function ctx() {
  const config = parseConfig({ dataLakeBucket: BUCKET });
  return { config, catalog: createCatalog(config), now: NOW, logger: { debug() {}, info() {}, warn() {}, error() {} } };
}

const completedOf = (datums: { MetricName: string; Value: number }[]) => datums.filter((d) => d.MetricName === 'ADCETasksCompleted').map((d) => d.Value);
const nothingFailed: PublishResult = { sent: 0, requests: 0, rejected: [], failed: [] };

beforeEach(() => s3mock.reset());

describe('ADCE job with a cursor', () => {
  it('counts each run report exactly once across scheduled runs, in batches', async () => {
    const objects = new Map([['adce/gaps.json', JSON.stringify({ generated_at: '2025-11-08T11:50:00', total_tasks: 0, estimated_total_minutes: 0 })]]);
    for (let i = 0; i < 7; i++) objects.set(`adce/runs/2025-11-08T11-${String(i).padStart(2, '0')}.json`, report(i, i + 1));
    serve(objects);
    const cursor = new MemoryCursorStore();
    const counted: number[] = [];
    for (let run = 0; run < 4; run++) {
      const result = await runAdceJob(ctx(), { s3, cursor, maxReportsPerRun: 3 });
      await result.afterPublish?.(nothingFailed);
      counted.push(...completedOf(result.datums));
      expect(result.problems).toEqual([]);
      // The queue and the last-run age are published on every run.
      expect(result.datums.some((d) => d.MetricName === 'ADCEQueueDepth')).toBe(true);
      expect(result.datums.some((d) => d.MetricName === 'ADCELastRunAgeMinutes')).toBe(true);
    }
    expect(counted).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // A new report later is counted once more, nothing else.
    objects.set('adce/runs/2025-11-08T11-30.json', report(30, 42));
    const next = await runAdceJob(ctx(), { s3, cursor, maxReportsPerRun: 3 });
    expect(completedOf(next.datums)).toEqual([42]);
    // Claimed before publishing, moved once published.
    expect((await cursor.read()).state).toMatchObject({ lastKey: 'adce/runs/2025-11-08T11-06.json', claim: { toKey: 'adce/runs/2025-11-08T11-30.json', reports: 1 } });
    expect(await next.afterPublish!(nothingFailed)).toEqual([]);
    expect((await cursor.read()).state?.lastKey).toBe('adce/runs/2025-11-08T11-30.json');
  });

  it('two overlapping runs: only the one whose conditional write wins counts the reports', async () => {
    const objects = new Map<string, string>();
    for (let i = 0; i < 3; i++) objects.set(`adce/runs/r${i}.json`, report(i, 10));
    serve(objects);
    const cursor = new MemoryCursorStore();
    const [a, b] = await Promise.all([runAdceJob(ctx(), { s3, cursor }), runAdceJob(ctx(), { s3, cursor })]);
    expect([...completedOf(a.datums), ...completedOf(b.datums)]).toEqual([10, 10, 10]);
    // The loser still publishes what is not per-run (last-run age).
    for (const r of [a, b]) expect(r.datums.some((d) => d.MetricName === 'ADCELastRunAgeMinutes')).toBe(true);
  });

  it('hands the claim back when CloudWatch took none of the run datums, so the next run counts them', async () => {
    serve(new Map([['adce/runs/r1.json', report(1, 5)]]));
    const cursor = new MemoryCursorStore();
    const first = await runAdceJob(ctx(), { s3, cursor });
    const runDatums = first.datums.filter((d) => d.MetricName.startsWith('ADCETasks') || d.MetricName === 'ADCESuccessRate');
    const problems = await first.afterPublish!({ sent: 0, requests: 5, rejected: [], failed: runDatums.map((datum) => ({ datum, error: 'InternalServiceError' })) });
    expect(problems).toEqual([]);
    expect((await cursor.read()).state?.lastKey).toBe('');
    const second = await runAdceJob(ctx(), { s3, cursor });
    expect(completedOf(second.datums)).toEqual([5]);
  });

  it('a partial send keeps the claim (no double count) and reports the loss as fatal', async () => {
    serve(new Map([['adce/runs/r1.json', report(1, 5)]]));
    const cursor = new MemoryCursorStore();
    const first = await runAdceJob(ctx(), { s3, cursor });
    const lost = first.datums.find((d) => d.MetricName === 'ADCETasksFailed')!;
    const problems = await first.afterPublish!({ sent: 3, requests: 1, rejected: [], failed: [{ datum: lost, error: 'x' }] });
    expect(problems).toEqual([
      expect.objectContaining({
        fatal: true,
        message: '1 of 4 ADCE run-report datums could not be sent and will not be retried (the others were counted); reports not fully counted: s3://lake/adce/runs/r1.json',
      }),
    ]);
    expect((await cursor.read()).state?.lastKey).toBe('adce/runs/r1.json');
  });

  it('an unreadable report stops the cursor before it; the reports before it count', async () => {
    const queue = JSON.stringify({ generated_at: '2025-11-08T11:50:00', total_tasks: 0, estimated_total_minutes: 0 });
    serve(new Map([['adce/gaps.json', queue], ['adce/runs/r1.json', report(1, 1)], ['adce/runs/r2.json', report(2, 2)], ['adce/runs/r3.json', report(3, 3)]]));
    s3mock.on(GetObjectCommand, { Key: 'adce/runs/r2.json' }).rejects(awsError('AccessDenied', 403));
    const cursor = new MemoryCursorStore();
    const result = await runAdceJob(ctx(), { s3, cursor });
    expect(completedOf(result.datums)).toEqual([1]);
    expect(result.problems).toEqual([
      expect.objectContaining({ fatal: true, source: 's3://lake/adce/runs/r2.json', message: expect.stringContaining('access denied (AccessDenied)') }),
    ]);
    expect((await cursor.read()).state?.claim?.toKey).toBe('adce/runs/r1.json');
    await result.afterPublish!(nothingFailed);
    expect((await cursor.read()).state?.lastKey).toBe('adce/runs/r1.json');
  });

  it('with no new report, the last-run age comes from the stored newest end_time', async () => {
    serve(new Map([['adce/runs/r1.json', report(30)]]));
    const cursor = new MemoryCursorStore();
    await (await runAdceJob(ctx(), { s3, cursor })).afterPublish!(nothingFailed);
    const again = await runAdceJob(ctx(), { s3, cursor });
    expect(again.datums.map((d) => `${d.MetricName}=${d.Value}`)).toContain('ADCELastRunAgeMinutes=30');
    expect(completedOf(again.datums)).toEqual([]);
  });

  it('a missing task queue is a fatal problem naming s3://bucket/key; run reports still count', async () => {
    serve(new Map([['adce/runs/r1.json', report(1, 7)]]));
    const result = await runAdceJob(ctx(), { s3 });
    expect(result.problems).toEqual([
      { source: 's3://lake/adce/gaps.json', fatal: true, message: 'ADCE task queue: Cannot read s3://lake/adce/gaps.json: the object does not exist (NoSuchKey)' },
    ]);
    expect(completedOf(result.datums)).toEqual([7]);
  });
});

describe('ADCE job before any orchestrator run ended', () => {
  const queued = JSON.stringify({ generated_at: '2025-11-08T11:50:00', total_tasks: 3, estimated_total_minutes: 30 });
  const HOUR = 3600_000;
  const at = (hours: number) => ({ ...ctx(), now: new Date(NOW.getTime() + hours * HOUR) });
  const lastRunAge = (datums: { MetricName: string; Value: number }[]) => datums.filter((d) => d.MetricName === 'ADCELastRunAgeMinutes').map((d) => d.Value);

  it('records when monitoring first looked, and the last-run age counts from it until a report arrives', async () => {
    const objects = new Map([['adce/gaps.json', queued]]);
    serve(objects);
    const cursor = new MemoryCursorStore();
    const warnings: string[] = [];
    const first = await runAdceJob({ ...ctx(), logger: { ...ctx().logger, warn: (m: string) => warnings.push(m) } }, { s3, cursor });
    expect(first.problems).toEqual([]);
    expect(lastRunAge(first.datums)).toEqual([0]);
    expect(first.afterPublish).toBeUndefined();
    expect((await cursor.read()).state).toEqual({ lastKey: '', watchingSince: NOW.toISOString(), updatedAt: NOW.toISOString() });
    expect(warnings).toEqual([
      `No ADCE run report has ever been recorded under s3://lake/adce/runs/: ADCELastRunAgeMinutes counts from ${NOW.toISOString()}, when monitoring first looked.`,
    ]);

    const later = await runAdceJob(at(7), { s3, cursor });
    expect(later.problems).toEqual([]);
    expect(lastRunAge(later.datums)).toEqual([420]);
    expect((await cursor.read()).state?.watchingSince).toBe(NOW.toISOString());

    // A report without a usable end_time is claimed and confirmed; the watch goes on through both.
    objects.set('adce/runs/a.json', JSON.stringify({ completed: 1, failed: 0, skipped: 0 }));
    const unusable = await runAdceJob(at(7.5), { s3, cursor });
    expect(lastRunAge(unusable.datums)).toEqual([450]);
    expect((await cursor.read()).state).toMatchObject({ watchingSince: NOW.toISOString(), claim: { toKey: 'adce/runs/a.json' } });
    await unusable.afterPublish!(nothingFailed);
    expect((await cursor.read()).state).toMatchObject({ lastKey: 'adce/runs/a.json', watchingSince: NOW.toISOString() });

    // The first report with an end_time: the age is from it, and the watch ends.
    const endTime = new Date(NOW.getTime() + 7.5 * HOUR);
    objects.set('adce/runs/b.json', JSON.stringify({ completed: 2, failed: 0, skipped: 0, end_time: endTime.toISOString().replace('Z', '') }));
    const ran = await runAdceJob(at(8), { s3, cursor });
    expect(lastRunAge(ran.datums)).toEqual([30]);
    expect((await cursor.read()).state?.watchingSince).toBe(NOW.toISOString());
    await ran.afterPublish!(nothingFailed);
    const settled = (await cursor.read()).state!;
    expect(settled).toMatchObject({ lastKey: 'adce/runs/b.json', newestEndTime: endTime.toISOString() });
    expect(settled.watchingSince).toBeUndefined();
    expect(lastRunAge((await runAdceJob(at(9), { s3, cursor })).datums)).toEqual([90]);
  });

  it('a claim handed back keeps the time monitoring first looked', async () => {
    const objects = new Map([['adce/gaps.json', queued]]);
    serve(objects);
    const cursor = new MemoryCursorStore();
    await runAdceJob(ctx(), { s3, cursor });
    objects.set('adce/runs/a.json', JSON.stringify({ completed: 1, failed: 0, skipped: 0, end_time: '2025-11-08T12:30:00' }));
    const sending = await runAdceJob(at(1), { s3, cursor });
    expect(lastRunAge(sending.datums)).toEqual([30]);
    expect((await cursor.read()).state).toMatchObject({ lastKey: '', watchingSince: NOW.toISOString(), claim: { toKey: 'adce/runs/a.json' } });
    const runDatums = sending.datums.filter((d) => runReportMetricNames(ctx().catalog).has(d.MetricName));
    expect(await sending.afterPublish!({ sent: 0, requests: 1, rejected: [], failed: runDatums.map((datum) => ({ datum, error: 'x' })) })).toEqual([]);
    const handedBack = (await cursor.read()).state!;
    expect(handedBack).toMatchObject({ lastKey: '', watchingSince: NOW.toISOString() });
    expect(handedBack.claim).toBeUndefined();
  });

  it('losing the race to record it is no problem: the other run\'s state stands', async () => {
    serve(new Map([['adce/gaps.json', queued]]));
    const cursor = new MemoryCursorStore();
    const racing = Object.assign(Object.create(cursor) as MemoryCursorStore, {
      async compareAndSwap(expected: string | undefined) {
        // Another run writes between this run's read and its write.
        await cursor.compareAndSwap(expected, { lastKey: '', watchingSince: '2025-11-08T11:59:00.000Z', updatedAt: '2025-11-08T11:59:00.000Z' });
        return cursor.compareAndSwap(expected, { lastKey: 'lost', updatedAt: '' });
      },
    });
    const result = await runAdceJob(ctx(), { s3, cursor: racing });
    expect(result.problems).toEqual([]);
    expect(lastRunAge(result.datums)).toEqual([0]);
    expect((await cursor.read()).state?.watchingSince).toBe('2025-11-08T11:59:00.000Z');
  });

  it('a failed write to record it is a non-fatal problem naming the cursor; the age is still published', async () => {
    serve(new Map([['adce/gaps.json', queued]]));
    const failing = Object.assign(Object.create(new MemoryCursorStore()) as MemoryCursorStore, {
      compareAndSwap: async () => {
        throw new CursorError('Cannot write the ADCE cursor memory://adce-cursor: access denied');
      },
    });
    const result = await runAdceJob(ctx(), { s3, cursor: failing });
    expect(lastRunAge(result.datums)).toEqual([0]);
    expect(result.problems).toEqual([
      {
        source: 'memory://adce-cursor',
        fatal: false,
        message: `Cannot write the ADCE cursor memory://adce-cursor: access denied; the time monitoring first looked for ADCE runs (${NOW.toISOString()}) is not recorded, the next run tries again`,
      },
    ]);
  });

  it('without a cursor (a dry run) no age is published and nothing is recorded', async () => {
    serve(new Map([['adce/gaps.json', queued]]));
    const result = await runAdceJob(ctx(), { s3 });
    expect(result.problems).toEqual([]);
    expect(lastRunAge(result.datums)).toEqual([]);
    expect(result.datums.some((d) => d.MetricName === 'ADCEQueueDepth')).toBe(true);
    expect(s3mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('the S3 cursor keeps watchingSince, and refuses one that is not a time', async () => {
    const store = new S3CursorStore(s3, 'state', 'adce/cursor.json');
    s3mock
      .on(GetObjectCommand)
      .resolvesOnce(body(JSON.stringify({ lastKey: '', watchingSince: '2025-11-08T05:00:00.000Z', updatedAt: 'x' })))
      .resolvesOnce(body(JSON.stringify({ lastKey: '', watchingSince: 'yesterday', updatedAt: 'x' })));
    expect((await store.read()).state).toEqual({ lastKey: '', watchingSince: '2025-11-08T05:00:00.000Z', updatedAt: 'x' });
    await expect(store.read()).rejects.toThrow(/is corrupt \(watchingSince must be an ISO time\)/);
  });
});

describe('ADCE cursor after a crash at any point', () => {
  /** A run that dies at `crash`; `sent` counts what reached CloudWatch per report end time. */
  async function runUntil(crash: 'before-claim' | 'after-claim' | 'after-publish' | 'during-confirm' | 'never', at: Date, cursor: MemoryCursorStore, sent: Map<string, number>) {
    const store =
      crash === 'before-claim'
        ? Object.assign(Object.create(cursor) as MemoryCursorStore, { compareAndSwap: async () => { throw new Error('the process died'); } })
        : crash === 'during-confirm'
          ? Object.assign(Object.create(cursor) as MemoryCursorStore, {
              calls: 0,
              compareAndSwap(this: { calls: number }, expected: string | undefined, next: never) {
                return ++this.calls === 1 ? cursor.compareAndSwap(expected, next) : Promise.reject(new Error('the process died'));
              },
            })
          : cursor;
    const result = await runAdceJob({ ...ctx(), now: at }, { s3, cursor: store });
    if (crash === 'before-claim' || crash === 'after-claim') return result;
    for (const d of result.datums.filter((x) => x.MetricName === 'ADCETasksCompleted')) sent.set(d.Timestamp.toISOString(), (sent.get(d.Timestamp.toISOString()) ?? 0) + 1);
    if (crash === 'after-publish') return result;
    await result.afterPublish?.(nothingFailed);
    return result;
  }

  it.each(['before-claim', 'after-claim', 'after-publish', 'during-confirm'] as const)('crash %s: every report is counted by a later run; a duplicate is bounded and said', async (crash) => {
    const objects = new Map([['adce/gaps.json', JSON.stringify({ generated_at: '2025-11-08T11:50:00', total_tasks: 0, estimated_total_minutes: 0 })]]);
    for (let i = 0; i < 3; i++) objects.set(`adce/runs/r${i}.json`, report(i, 1));
    serve(objects);
    const cursor = new MemoryCursorStore();
    const sent = new Map<string, number>();
    await runUntil(crash, NOW, cursor, sent);
    // A run while the dead run's claim still stands leaves those reports alone.
    const overlapping = await runUntil('never', new Date(NOW.getTime() + 60_000), cursor, sent);
    const claimed = crash !== 'before-claim';
    expect(completedOf(overlapping.datums)).toEqual(claimed ? [] : [1, 1, 1]);
    // Once the claim expired (the dead run's Lambda timeout + clock skew), a later run counts them.
    const later = await runUntil('never', new Date(NOW.getTime() + 5 * 60_000), cursor, sent);
    expect([...sent.keys()]).toHaveLength(3);
    const twice = [...sent.values()].filter((n) => n > 1).length;
    if (crash === 'after-publish' || crash === 'during-confirm') {
      expect(twice).toBe(3);
      expect(later.problems).toEqual([
        expect.objectContaining({
          fatal: false,
          message: expect.stringMatching(/claimed 3 run report\(s\) after \(start\) up to adce\/runs\/r2.json .* never confirmed them .* counted twice \(at most 3 reports\)/),
        }),
      ]);
    } else {
      expect(twice).toBe(0);
    }
    // Afterwards nothing is counted again.
    const after = await runUntil('never', new Date(NOW.getTime() + 10 * 60_000), cursor, sent);
    expect(completedOf(after.datums)).toEqual([]);
    expect((await cursor.read()).state).toMatchObject({ lastKey: 'adce/runs/r2.json' });
    expect((await cursor.read()).state?.claim).toBeUndefined();
  });

  it('a claim expires at the run\'s end plus clock skew, from the deadlines the run was given', async () => {
    serve(new Map([['adce/runs/r1.json', report(1, 1)]]));
    const cursor = new MemoryCursorStore();
    await runAdceJob({ ...ctx(), deadlines: runDeadlines(60_000) }, { s3, cursor });
    const claim = (await cursor.read()).state!.claim!;
    const expiresInS = (Date.parse(claim.expiresAt) - NOW.getTime()) / 1000;
    expect(expiresInS).toBeGreaterThan(60);
    expect(expiresInS).toBeLessThanOrEqual(120);
    expect(claim).toMatchObject({ toKey: 'adce/runs/r1.json', reports: 1, claimedAt: NOW.toISOString() });
  });
});

describe('run-report metrics', () => {
  it('are the ADCE metrics the catalog sends only when a report arrives', () => {
    const names = runReportMetricNames(ctx().catalog);
    expect([...names].sort()).toEqual(['ADCESuccessRate', 'ADCETasksCompleted', 'ADCETasksFailed', 'ADCETasksSkipped']);
  });
});

describe('S3 cursor store', () => {
  it('creates with If-None-Match: *, updates with If-Match: <etag>, and a lost race returns undefined', async () => {
    const store = new S3CursorStore(s3, 'state', 'adce/cursor.json');
    s3mock.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    expect(await store.read()).toEqual({});
    s3mock.on(PutObjectCommand).resolvesOnce({ ETag: '"v1"' }).rejectsOnce(awsError('PreconditionFailed', 412)).rejectsOnce(awsError('ConditionalRequestConflict', 409));
    const state = { lastKey: 'adce/runs/a.json', updatedAt: NOW.toISOString() };
    expect(await store.compareAndSwap(undefined, state)).toBe('"v1"');
    expect(await store.compareAndSwap('"v1"', state)).toBeUndefined();
    expect(await store.compareAndSwap('"v1"', state)).toBeUndefined();
    const puts = s3mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({ Bucket: 'state', Key: 'adce/cursor.json', IfNoneMatch: '*' });
    expect(puts[0]!.IfMatch).toBeUndefined();
    expect(puts[1]).toMatchObject({ IfMatch: '"v1"' });
    expect(JSON.parse(String(puts[0]!.Body))).toEqual(state);
  });

  it('reads state and version; access errors and corrupt content are clear CursorErrors', async () => {
    const store = new S3CursorStore(s3, 'state', 'adce/cursor.json');
    s3mock
      .on(GetObjectCommand)
      .resolvesOnce({ ...body(JSON.stringify({ lastKey: 'k', newestEndTime: '2025-11-08T00:00:00.000Z', updatedAt: 'x' })), ETag: '"v7"' })
      .resolvesOnce(body('not json'));
    expect(await store.read()).toEqual({ state: { lastKey: 'k', newestEndTime: '2025-11-08T00:00:00.000Z', updatedAt: 'x' }, version: '"v7"' });
    await expect(store.read()).rejects.toThrow(/ADCE cursor s3:\/\/state\/adce\/cursor.json is corrupt/);
    s3mock.on(GetObjectCommand).rejects(awsError('AccessDenied', 403));
    const denied = await store.read().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(CursorError);
    expect((denied as Error).message).toMatch(/^Cannot read the ADCE cursor s3:\/\/state\/adce\/cursor.json: access denied \(AccessDenied\): the caller lacks s3:GetObject/);
    s3mock.on(PutObjectCommand).rejects(awsError('AccessDenied', 403));
    await expect(store.compareAndSwap(undefined, { lastKey: 'k', updatedAt: '' })).rejects.toBeInstanceOf(CursorError);
  });
});
