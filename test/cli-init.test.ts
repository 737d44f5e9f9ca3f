import { tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main';
import { parseConfig } from '../lib/config/load';
import { proposeThreshold } from '../lib/health/freshness-proposal';
import { captureIO } from './cli-helpers';
import { type Emulator, putObjects, startEmulator } from './support/s3-lake';

const HOUR = 3_600_000;
const now = new Date('2026-12-01T12:00:00Z');
const every = (hours: number, count: number, lastAgoHours = 1) => Array.from({ length: count }, (_, i) => new Date(now.getTime() - (lastAgoHours + i * hours) * HOUR));
const folder = () => mkdtempSync(join(tmpdir(), 'init-'));

describe('freshness threshold from arrival times', () => {
  it('daily arrivals: 1.5 x the 24 h rhythm = 36 h', () => {
    expect(proposeThreshold(every(24, 10), now, { defaultHours: 36 })).toMatchObject({ thresholdHours: 36, fromData: true, arrivals: 10, medianGapHours: 24, p90GapHours: 24 });
  });

  it('weekly arrivals: 252 h; hourly arrivals: the 2 h floor (an hourly check must not flap)', () => {
    expect(proposeThreshold(every(168, 6), now, { defaultHours: 36 }).thresholdHours).toBe(252);
    expect(proposeThreshold(every(1, 48), now, { defaultHours: 36 }).thresholdHours).toBe(2);
  });

  it('one long pause does not set the threshold (90th percentile of the gaps)', () => {
    const times = [...every(6, 20), new Date(now.getTime() - (6 * 19 + 1 + 200) * HOUR)];
    const p = proposeThreshold(times, now, { defaultHours: 36 });
    expect(p.p90GapHours).toBe(6);
    expect(p.thresholdHours).toBe(9);
  });

  it('objects written together are one arrival', () => {
    const batch = (agoHours: number) => Array.from({ length: 50 }, (_, i) => new Date(now.getTime() - agoHours * HOUR + i * 1000));
    const p = proposeThreshold([...batch(1), ...batch(13), ...batch(25), ...batch(37)], now, { defaultHours: 36 });
    expect(p).toMatchObject({ arrivals: 4, medianGapHours: 12, thresholdHours: 18 });
  });

  it('too little history keeps the default and says so; a source past its threshold is named stale', () => {
    const few = proposeThreshold(every(24, 2), now, { defaultHours: 36 });
    expect(few).toMatchObject({ thresholdHours: 36, fromData: false });
    expect(few.reason).toMatch(/2 arrival\(s\) seen, fewer than 4 needed to judge a rhythm: default 36 h kept/);
    expect(proposeThreshold(every(6, 10, 30), now, { defaultHours: 36 }).reason).toMatch(/Already stale: the newest object is 30 h old/);
    expect(proposeThreshold([], now, { defaultHours: 36 }).reason).toMatch(/no object: it will count as stale/);
  });
});

describe('monitor init', () => {
  it('writes a validated config for a new team and prints the next commands', async () => {
    const dir = folder();
    const io = captureIO();
    const args = ['--env', 'acme', 'init', '--dir', dir, '--bucket', 'acme-events-lake', '--email', 'ops@acme.example', '--email', 'lead@acme.example', '--phone', '+14155550123', '--budget', '40', '--sources', 's3,cost'];
    expect(await main(args, io)).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, 'acme.json'), 'utf8'));
    expect(written).toEqual({
      namespacePrefix: 'acme-events-lake',
      dataLakeBucket: 'acme-events-lake',
      alertEmails: ['ops@acme.example', 'lead@acme.example'],
      alertPhoneNumbers: ['+14155550123'],
      monthlyBudgetUsd: 40,
      adce: { enabled: false },
      dims: { enabled: false },
    });
    expect(parseConfig({ ...written, envName: 'acme' })).toMatchObject({ monthlyBudgetUsd: 40, adce: { enabled: false }, s3: { enabled: true } });
    expect(io.stdout).toMatch(/npx cdk synth -c env=acme/);
    expect(io.stdout).toMatch(/npx cdk deploy -c env=acme/);
    expect(io.stdout).toMatch(/MONITOR_ENV=acme npm run -s monitor -- verify/);
  });

  it('several buckets become s3.buckets', async () => {
    const dir = folder();
    expect(await main(['--env', 'two', 'init', '--dir', dir, '--bucket', 'acme-raw', '--bucket', 'acme-curated'], captureIO())).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'two.json'), 'utf8')).s3).toEqual({ buckets: [{ name: 'acme-raw' }, { name: 'acme-curated' }] });
  });

  it.each([
    [['init', '--bucket', 'x-lake'], /init needs --env NAME/],
    [['--env', 'e', 'init'], /at least one --bucket/],
    [['--env', 'e', 'init', '--bucket', 'x-lake', '--sources', 's3,adec'], /unknown: adec/],
    [['--env', 'e', 'init', '--bucket', 'x-lake', '--email', 'bob@'], /alertEmails\[0\] = "bob@": is not a valid email address/],
    [['--env', 'e', 'init', '--bucket', 'Bad_Bucket'], /dataLakeBucket = "Bad_Bucket": is not a valid S3 bucket name/],
    [['--env', 'e', 'init', '--bucket', 'x-lake', '--sources', 'cost', '--inspect'], /add s3 to --sources/],
    [['--env', 'e', 'init', '--bucket', 'x-lake', '--inspect', '--endpoint', 'localhost:9000'], /--endpoint "localhost:9000" is not an http\(s\) URL/],
  ])('refuses %j with exit 2 and writes nothing', async (args, message) => {
    const dir = folder();
    const io = captureIO();
    expect(await main([...args.slice(0, args.indexOf('init') + 1), '--dir', dir, ...args.slice(args.indexOf('init') + 1)], io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(existsSync(join(dir, 'e.json'))).toBe(false);
  });

  it('does not overwrite an existing file without --force', async () => {
    const dir = folder();
    const args = ['--env', 'acme', 'init', '--dir', dir, '--bucket', 'acme-events-lake'];
    expect(await main(args, captureIO())).toBe(0);
    const io = captureIO();
    expect(await main(args, io)).toBe(2);
    expect(io.stderr).toMatch(/acme\.json exists; pass --force to overwrite it/);
    expect(await main([...args, '--budget', '55', '--force'], captureIO())).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'acme.json'), 'utf8')).monthlyBudgetUsd).toBe(55);
  });
});

describe('monitor init --inspect on an S3-compatible server', () => {
  let emulator: Emulator;
  const bucket = 'acme-events-lake';
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.server.createBucket(bucket);
    // clicks/ arrives 4 times, orders/ twice (too little history); one inventory report and a root key.
    await putObjects(emulator.endpoint, bucket, [{ key: 'README.md', size: 3 }, { key: 'inventory-reports/r.csv', size: 5 }]);
    for (let i = 0; i < 4; i++) {
      await putObjects(emulator.endpoint, bucket, [{ key: `clicks/2026/12/0${i}/a.json`, size: 10 }, { key: `clicks/2026/12/0${i}/b.json`, size: 10 }]);
      if (i % 2 === 0) await putObjects(emulator.endpoint, bucket, [{ key: `orders/o${i}.json`, size: 7 }]);
      await sleep(1100);
    }
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
  });

  async function inspect(batchWindow: string) {
    const dir = folder();
    const io = captureIO();
    const code = await main(['--env', 'acme', 'init', '--dir', dir, '--bucket', bucket, '--inspect', '--endpoint', emulator.endpoint, '--batch-window', batchWindow], io);
    return { code, io, written: code === 0 ? JSON.parse(readFileSync(join(dir, 'acme.json'), 'utf8')) : undefined };
  }

  it('proposes a threshold per prefix from the object times the server reports', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    const { code, io, written } = await inspect('0.005');
    expect(code, io.stderr).toBe(0);
    // The same rule applied to the times the server lists: the file holds exactly those proposals.
    const timesOf = async (prefix: string) => ((await emulator.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.LastModified!);
    const expected = async (prefix: string) => proposeThreshold(await timesOf(prefix), new Date(), { defaultHours: 36, batchWindowMinutes: 0.005 });
    const clicks = await expected('clicks/');
    const orders = await expected('orders/');
    expect(clicks).toMatchObject({ arrivals: 4, fromData: true });
    expect(orders).toMatchObject({ arrivals: 2, fromData: false });
    expect(written.s3.freshness.perPrefix).toEqual({ 'clicks/': clicks.thresholdHours, 'orders/': orders.thresholdHours });
    expect(io.stdout).toMatch(/clicks\/\s+8\s+2 h\s+4 arrivals, gaps median/);
    expect(io.stdout).toMatch(/orders\/\s+2\s+36 h\s+2 arrival\(s\) seen, fewer than 4 needed/);
    expect(io.stdout).toMatch(/inventory-reports\/.*not a data source/);
    expect(io.stdout).toMatch(/\(root\)\s+1\s+-\s+keys outside any prefix/);
    expect(parseConfig({ ...written, envName: 'acme' }).s3.freshness.perPrefix['clicks/']).toBe(2);
  });

  it('with the default 10-minute window, objects minutes apart are one arrival: the default is kept and said', async () => {
    const { written, io } = await inspect('10');
    expect(written.s3.freshness.perPrefix).toEqual({ 'clicks/': 36, 'orders/': 36 });
    expect(io.stdout).toMatch(/clicks\/.*1 arrival\(s\) seen/);
  });

  it('an unreadable bucket fails with the reason and writes nothing', async () => {
    const dir = folder();
    const io = captureIO();
    expect(await main(['--env', 'acme', 'init', '--dir', dir, '--bucket', 'no-such-lake', '--inspect', '--endpoint', emulator.endpoint], io)).toBe(1);
    expect(io.stderr).toMatch(/--inspect could not read the bucket: .*NoSuchBucket/);
    expect(existsSync(join(dir, 'acme.json'))).toBe(false);
  });
});
