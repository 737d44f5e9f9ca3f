import { ListObjectsV2Command, type ListObjectsV2CommandInput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseListPage } from '../lib/sources/s3-list-page';
import { S3ScanError, compareKeys, interpolate, scanBucket, topLevelPrefix } from '../lib/sources/s3-scan';
import { type FakeObject, FakeListing, fakeTotals } from './support/fake-s3-listing';
import { prng } from './support/s3-lake';

// S3's own listing semantics in memory (byte order), so unicode and mixed-case keys can be
// paged; the emulator tests cover the real protocol.

const s3Mock = mockClient(S3Client);
afterEach(() => s3Mock.reset());

function scanWith(objects: FakeObject[], maxConcurrency: number, delayMs = 0) {
  const fake = new FakeListing(objects, delayMs);
  s3Mock.on(ListObjectsV2Command).callsFake(fake.list);
  return { fake, run: () => scanBucket(new S3Client({ region: 'us-east-1' }), 'lake', { maxConcurrency }) };
}

const at = (i: number) => new Date(Date.UTC(2025, 10, 1) + i * 60_000);

describe('compareKeys', () => {
  it('orders keys like S3 (UTF-8 bytes), also where UTF-16 order differs', () => {
    const keys = ['a', 'B', 'é', '日本', '\u{FF21}', '\u{1F600}', 'a/', 'a0', 'a\u0000', '', 'z', 'Z/x', '\uE000'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(byBytes);
    // The case JavaScript's own < gets wrong: U+FF21 sorts before an emoji in bytes.
    expect(compareKeys('\u{FF21}', '\u{1F600}')).toBeLessThan(0);
    expect('\u{FF21}' < '\u{1F600}').toBe(false);
  });

  it('names the top-level prefix of a key', () => {
    expect(topLevelPrefix('espn/2024/a.json')).toBe('espn/');
    expect(topLevelPrefix('espn/')).toBe('espn/');
    expect(topLevelPrefix('readme.md')).toBe('');
    expect(topLevelPrefix('/leading-slash')).toBe('/');
  });
});

describe('scanBucket on S3 listing semantics', () => {
  it('counts unicode and mixed-case keys exactly once across many pages', async () => {
    const rnd = prng(3);
    const names = ['Équipe', 'équipe', '日本リーグ', 'NBA', 'nba', 'ñandú', 'emoji😀', 'ｆｕｌｌ', 'Zebra', 'a b', 'a+b'];
    const objects: FakeObject[] = [];
    for (let i = 0; i < 7_300; i++) {
      const folder = names[i % names.length]!;
      const depth = i % 3;
      const key = depth === 0 ? `${folder}/${i}-${names[(i * 7) % names.length]}.json` : `${folder}/${'sub/'.repeat(depth)}${names[i % 5]}${i}`;
      objects.push({ key, size: Math.floor(rnd() * 5000), lastModified: at(i % 997) });
    }
    objects.push({ key: 'Ω-root', size: 5, lastModified: at(2000) }, { key: 'root.txt', size: 7, lastModified: at(1) });
    const expected = fakeTotals(objects);
    for (const maxConcurrency of [1, 4, 32]) {
      const { run } = scanWith(objects, maxConcurrency);
      const scan = await run();
      expect(scan.objects).toBe(expected.objects);
      expect(scan.bytes).toBe(expected.bytes);
      expect(scan.root.objects).toBe(2);
      expect(scan.newest).toEqual(at(2000));
      expect(new Map([...scan.prefixes.map((p) => [p.prefix, p.objects] as const), ['', scan.root.objects]])).toEqual(expected.byTop);
      expect(scan.stats.requests).toBeGreaterThanOrEqual(8);
    }
  });

  it('counts a flat prefix of numbered keys exactly, splitting it into parallel ranges', async () => {
    const objects = Array.from({ length: 12_345 }, (_, i) => ({ key: `espn_box_scores/${400000000 + i * 53}.json`, size: i % 100, lastModified: at(i % 50) }));
    const { run, fake } = scanWith(objects, 8, 2);
    const scan = await run();
    expect(scan.objects).toBe(12_345);
    expect(scan.bytes).toBe(fakeTotals(objects).bytes);
    expect(scan.stats.splits).toBeGreaterThan(0);
    // 13 pages one after another sequentially; the split scan's chain is shorter.
    expect(scan.stats.criticalPath).toBeLessThan(13);
    expect(fake.maxInFlight).toBeLessThanOrEqual(8);
    expect(scan.stats.maxInFlight).toBeLessThanOrEqual(8);
  });

  it('never has more requests in flight than maxConcurrency', async () => {
    const objects = Array.from({ length: 30_000 }, (_, i) => ({ key: `src${i % 17}/d${i % 23}/k${i}`, size: 1, lastModified: at(0) }));
    for (const maxConcurrency of [1, 3]) {
      const { run, fake } = scanWith(objects, maxConcurrency, 1);
      const scan = await run();
      expect(scan.objects).toBe(30_000);
      expect(fake.maxInFlight).toBeLessThanOrEqual(maxConcurrency);
      expect(fake.maxInFlight).toBe(scan.stats.maxInFlight);
    }
  });

  it('counts folder-marker keys, keys equal to a prefix name and keys at the root once', async () => {
    const objects: FakeObject[] = [
      { key: 'espn/', size: 0, lastModified: at(0) },
      { key: 'espn', size: 3, lastModified: at(1) },
      { key: 'espn.json', size: 4, lastModified: at(2) },
      { key: 'espn/2024/', size: 0, lastModified: at(3) },
      ...Array.from({ length: 2_500 }, (_, i) => ({ key: `espn/2024/${String(i).padStart(5, '0')}.json`, size: 10, lastModified: at(4) })),
      { key: 'espn0/x', size: 1, lastModified: at(5) },
    ];
    const { run } = scanWith(objects, 4);
    const scan = await run();
    expect(scan.objects).toBe(objects.length);
    expect(scan.root).toMatchObject({ objects: 2, bytes: 7 });
    expect(scan.prefixes.map((p) => [p.prefix, p.objects])).toEqual([
      ['espn/', 2_502],
      ['espn0/', 1],
    ]);
  });

  it('reports nested requested prefixes on their own, their keys still in the top-level totals', async () => {
    const objects = [
      ...Array.from({ length: 1_500 }, (_, i) => ({ key: `telemetry/espn/2025/${i}.json`, size: 2, lastModified: at(i) })),
      ...Array.from({ length: 700 }, (_, i) => ({ key: `telemetry/nba/2025/${i}.json`, size: 3, lastModified: at(i) })),
    ];
    const fake = new FakeListing(objects);
    s3Mock.on(ListObjectsV2Command).callsFake(fake.list);
    const scan = await scanBucket(new S3Client({ region: 'us-east-1' }), 'lake', { maxConcurrency: 4, prefixes: ['telemetry/espn/', 'telemetry/'] });
    expect(scan.prefixes).toEqual([{ prefix: 'telemetry/', objects: 2_200, bytes: 5_100, newest: at(1_499) }]);
    expect(scan.nested).toEqual([{ prefix: 'telemetry/espn/', objects: 1_500, bytes: 3_000, newest: at(1_499) }]);
  });

  it('fails with the bucket, the prefix and the reason when S3 refuses', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    s3Mock.on(ListObjectsV2Command).rejects(denied);
    const err = await scanBucket(new S3Client({ region: 'us-east-1' }), 'nba-sim-raw-data-lake', { maxConcurrency: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3ScanError);
    expect((err as Error).message).toBe('Cannot list s3://nba-sim-raw-data-lake/: AccessDenied (HTTP 403): Access Denied');
  });

  it('stops and fails when one range fails midway, instead of returning partial totals', async () => {
    const objects = Array.from({ length: 9_000 }, (_, i) => ({ key: `p${i % 3}/k${String(i).padStart(5, '0')}`, size: 1, lastModified: at(0) }));
    const fake = new FakeListing(objects);
    s3Mock.on(ListObjectsV2Command).callsFake(async (input: ListObjectsV2CommandInput) => {
      if ((input.StartAfter ?? '').startsWith('p1/')) throw Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' });
      return fake.list(input);
    });
    // The error names the prefix whose listing failed.
    await expect(scanBucket(new S3Client({ region: 'us-east-1', maxAttempts: 1 }), 'lake', { maxConcurrency: 2 })).rejects.toThrow(
      /^Cannot list s3:\/\/lake\/(p1\/)?: SlowDown: Please reduce your request rate\.$/,
    );
  });

  it('rejects a maxConcurrency below 1', async () => {
    await expect(scanBucket(new S3Client({ region: 'us-east-1' }), 'lake', { maxConcurrency: 0 })).rejects.toThrow('maxConcurrency must be a whole number >= 1, got 0');
  });
});

describe('interpolate', () => {
  it('cuts ahead of the sample in increasing order, within the folder', () => {
    const sample = Array.from({ length: 1000 }, (_, i) => `nba_box_score/${21900000 + i * 3}.json`);
    const cuts = interpolate(sample, undefined, 4);
    expect(cuts.length).toBeGreaterThan(0);
    const points = cuts.map((c) => c.at);
    expect(points.every((p) => p.startsWith('nba_box_score/') && compareKeys(p, sample.at(-1)!) > 0)).toBe(true);
    expect([...points].sort(compareKeys)).toEqual(points);
    // The first cut lands about 4 pages (12,000 ids) ahead.
    expect(Number(points[0]!.slice('nba_box_score/'.length, -'.json'.length).slice(0, 8))).toBeGreaterThan(21902997);
  });

  it('cuts evenly up to a bound inside the folder and never at or past it', () => {
    const sample = Array.from({ length: 1000 }, (_, i) => `f/${String(i).padStart(6, '0')}`);
    const cuts = interpolate(sample, 'f/020000', 4);
    expect(cuts.map((c) => c.at)).not.toContain('f/020000');
    expect(cuts.every((c) => compareKeys(c.at, 'f/020000') < 0 && compareKeys(c.at, 'f/000999') > 0)).toBe(true);
    expect(cuts.length).toBeGreaterThanOrEqual(3);
  });
});

describe('parseListPage', () => {
  it('reads S3 element order, XML entities, common prefixes and the continuation token', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lake</Name><Prefix></Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
<Contents><Key>a&amp;b &lt;c&gt; &#233;.json</Key><LastModified>2025-11-07T12:00:00.000Z</LastModified><ETag>&quot;x&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>434234</Size><Owner><ID>o</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>b.json</Key><Size>0</Size><LastModified>2025-11-08T00:00:00.000Z</LastModified></Contents>
<CommonPrefixes><Prefix>espn/</Prefix></CommonPrefixes><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>`;
    expect(parseListPage(xml)).toEqual({
      keys: ['a&b <c> é.json', 'b.json'],
      sizes: [434234, 0],
      modified: [Date.UTC(2025, 10, 7, 12), Date.UTC(2025, 10, 8)],
      commonPrefixes: ['espn/'],
      isTruncated: true,
      nextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    });
  });

  it('reads an empty result and refuses a document that is not a listing', () => {
    expect(parseListPage('<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>')).toEqual({
      keys: [],
      sizes: [],
      modified: [],
      commonPrefixes: [],
      isTruncated: false,
    });
    expect(() => parseListPage('<Error><Code>AccessDenied</Code></Error>')).toThrow('not a ListBucketResult document');
  });
});
