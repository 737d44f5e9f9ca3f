import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../lib/cli/main';
import { scanBucket, type BucketScan } from '../lib/sources/s3-scan';
import { type Emulator, type LakeObject, type PlainTotals, firstUserLake, listSequentially, putObjects, startEmulator } from './support/s3-lake';

// The partitioned scan against a real S3 protocol server (fauxqs on loopback): on every layout
// it must return exactly what one plain sequential listing returns.

const LAKE_OBJECTS = 20_500;

const layouts: Record<string, () => Iterable<LakeObject>> = {
  lake: () => firstUserLake(LAKE_OBJECTS),
  empty: () => [],
  'one-prefix': () => Array.from({ length: 4_500 }, (_, i) => ({ key: `espn_box_scores/${400000000 + i * 61}.json`, size: 1 + (i % 700) })),
  'root-only': () => Array.from({ length: 2_500 }, (_, i) => ({ key: `export-${String(i * 7).padStart(6, '0')}.csv`, size: 1 + (i % 300) })),
  deep: () =>
    Array.from({ length: 3_200 }, (_, i) => {
      const depth = 1 + (i % 9);
      const path = Array.from({ length: depth }, (_, d) => `l${d}-${(i >> d) % 3}`).join('/');
      return { key: `telemetry/${path}/run-${String(i).padStart(5, '0')}.json`, size: 1 + (i % 50) };
    }),
  markers: () => [
    { key: 'espn/', size: 0 },
    { key: 'espn', size: 3 },
    { key: 'espn.json', size: 4 },
    { key: 'espn/2024/', size: 0 },
    ...Array.from({ length: 2_200 }, (_, i) => ({ key: `espn/2024/${String(i).padStart(5, '0')}.json`, size: 10 })),
    { key: 'espn/2025/', size: 0 },
    ...Array.from({ length: 1_100 }, (_, i) => ({ key: `espn/2025/${String(i).padStart(5, '0')}.json`, size: 11 })),
    { key: 'espn0/x', size: 1 },
  ],
  // Not paged: the emulator sorts by locale, not bytes (paged unicode is covered on S3 semantics).
  unicode: () =>
    ['Équipe', 'équipe', '日本リーグ', 'ñandú', 'emoji😀', 'ｆｕｌｌ', 'Zebra', 'zebra', 'a b', 'a+b'].flatMap((folder, f) =>
      Array.from({ length: 40 }, (_, i) => ({ key: i % 10 === 0 ? `${folder}-${i}` : `${folder}/${i % 3 ? 'ü/' : ''}${i}.json`, size: f * 100 + i })),
    ),
};

let emulator: Emulator;
const expected = new Map<string, PlainTotals>();
const putCounts = new Map<string, number>();

beforeAll(async () => {
  emulator = await startEmulator();
  for (const [bucket, objects] of Object.entries(layouts)) {
    emulator.server.createBucket(bucket);
    putCounts.set(bucket, await putObjects(emulator.endpoint, bucket, objects()));
    expected.set(bucket, await listSequentially(emulator.client, bucket));
  }
});

afterAll(async () => {
  await emulator?.stop();
});

function expectSameTotals(scan: BucketScan, plain: PlainTotals): void {
  expect(scan.objects).toBe(plain.objects);
  expect(scan.bytes).toBe(plain.bytes);
  expect(scan.newest?.getTime() ?? -Infinity).toBe(plain.newestMs);
  const byTop = new Map([scan.root, ...scan.prefixes].filter((a) => a.objects > 0).map((a) => [a.prefix, a] as const));
  expect([...byTop.keys()].sort()).toEqual([...plain.byTop.keys()].sort());
  for (const [prefix, agg] of byTop) {
    const want = plain.byTop.get(prefix)!;
    expect({ prefix, objects: agg.objects, bytes: agg.bytes, newest: agg.newest?.getTime() }).toEqual({ prefix, objects: want.objects, bytes: want.bytes, newest: want.newestMs });
  }
}

describe('scanBucket against the S3 emulator', () => {
  it('holds what was uploaded: the sequential listing used as the reference is complete', () => {
    for (const [bucket, plain] of expected) expect({ bucket, objects: plain.objects }).toEqual({ bucket, objects: putCounts.get(bucket) });
    expect(expected.get('lake')!.objects).toBe(LAKE_OBJECTS);
  });

  it.each(Object.keys(layouts))('returns exactly the totals of a sequential listing: %s', async (bucket) => {
    for (const maxConcurrency of [1, 5, 32]) {
      const scan = await scanBucket(emulator.client, bucket, { maxConcurrency });
      expectSameTotals(scan, expected.get(bucket)!);
      expect(scan.stats.maxInFlight).toBeLessThanOrEqual(maxConcurrency);
    }
  });

  it('splits the first user-shaped lake into parallel ranges with a shorter chain than page after page', async () => {
    const scan = await scanBucket(emulator.client, 'lake', { maxConcurrency: 32 });
    const pages = expected.get('lake')!.pages;
    expect(scan.stats.splits).toBeGreaterThan(0);
    expect(scan.stats.criticalPath).toBeLessThan(pages / 2);
    // The emulator holds the keys at the root and the folder markers like the real lake.
    expect(scan.root.objects).toBe(4);
    expect(scan.prefixes.find((p) => p.prefix === 'espn_play_by_play/')!.objects).toBe(expected.get('lake')!.byTop.get('espn_play_by_play/')!.objects);
    expect(scan.prefixes.map((p) => p.prefix)).toContain('inventory-reports/');
  });

  it('reads the same bucket with the same requests every time (replayable, predictable cost)', async () => {
    const a = await scanBucket(emulator.client, 'lake', { maxConcurrency: 32 });
    const b = await scanBucket(emulator.client, 'lake', { maxConcurrency: 7 });
    expect(b.stats.requests).toBe(a.stats.requests);
    expect(b.stats.criticalPath).toBe(a.stats.criticalPath);
  });

  it('fails naming the bucket when it does not exist', async () => {
    await expect(scanBucket(emulator.client, 'no-such-bucket', { maxConcurrency: 4 })).rejects.toThrow(/^Cannot list s3:\/\/no-such-bucket\/: NoSuchBucket \(HTTP 404\)/);
  });
});

describe('monitor publish s3 --dry-run against the emulator', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { code: 0, out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), exit: (c: number) => void (io.code = Math.max(io.code, c)), readStdin: async () => '', isTTY: false };
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    try {
      const code = await main(['publish', 's3', '--dry-run', '--endpoint', emulator.endpoint, ...args], io);
      return { code, lines: out.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr: err.join('') };
    } finally {
      vi.unstubAllEnvs();
    }
  };

  it('prints the exact totals of the lake as PutMetricData datums', async () => {
    const plain = expected.get('lake')!;
    const { code, lines, stderr } = await run(['--bucket', 'lake']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const byName = new Map(lines.map((l) => [l.MetricName, l]));
    expect(byName.get('S3ObjectCount')).toMatchObject({ Namespace: 'NBA-Simulator/DataCollection', Value: plain.objects, Unit: 'Count', Dimensions: [{ Name: 'Bucket', Value: 'lake' }] });
    expect(byName.get('S3TotalSizeGB')).toMatchObject({ Value: plain.bytes / 1024 ** 3, Unit: 'Gigabytes' });
    // Everything was just written: no source is stale.
    expect(byName.get('S3StaleSources')).toMatchObject({ Value: 0, Unit: 'Count' });
    expect(lines).toHaveLength(3);
  });

  it('judges only the source named with --prefix and fails clearly on a missing bucket', async () => {
    const one = await run(['--bucket', 'lake', '--prefix', 'not_a_source/']);
    // Totals stay whole-bucket; the named source has no objects, so it is stale.
    expect(one.lines.find((l) => l.MetricName === 'S3ObjectCount')!.Value).toBe(expected.get('lake')!.objects);
    expect(one.lines.find((l) => l.MetricName === 'S3StaleSources')!.Value).toBe(1);
    expect(one.stderr).toContain('warning: Data source s3://lake/not_a_source/ has no objects: counted as stale.');

    const missing = await run(['--bucket', 'no-such-bucket']);
    expect(missing.code).toBe(1);
    expect(missing.lines).toEqual([]);
    expect(missing.stderr).toMatch(/error: S3 data lake: Cannot list s3:\/\/no-such-bucket\/: NoSuchBucket/);
  });
});
