import http from 'node:http';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

/**
 * A data lake in the S3 emulator for tests and the benchmark: start fauxqs on loopback, fill a
 * bucket fast (plain HTTP PUTs, no SDK signing: the emulator takes any credentials), and count
 * it the plain way (one sequential ListObjectsV2 loop) to compare against.
 */

export interface LakeObject {
  readonly key: string;
  readonly size: number;
}

export interface Emulator {
  readonly server: FauxqsServer;
  readonly endpoint: string;
  readonly client: S3Client;
  stop(): Promise<void>;
}

export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

export async function startEmulator(): Promise<Emulator> {
  const server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = s3ClientFor(endpoint);
  return {
    server,
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}

/** PUTs objects with bodies of the given sizes, `concurrency` at a time. */
export async function putObjects(endpoint: string, bucket: string, objects: Iterable<LakeObject>, concurrency = 16): Promise<number> {
  const url = new URL(endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const iterator = objects[Symbol.iterator]();
  let count = 0;
  const put = (obj: LakeObject) =>
    new Promise<void>((resolve, reject) => {
      const body = Buffer.alloc(obj.size, 120);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: `/${bucket}/${obj.key.split('/').map(encodeURIComponent).join('/')}`,
          agent,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': body.length,
            authorization: 'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${obj.key}: HTTP ${res.statusCode} ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      await put(next.value);
      count++;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return count;
}

export interface PlainTotals {
  objects: number;
  bytes: number;
  newestMs: number;
  pages: number;
  /** Per top-level prefix (`''` = root keys). */
  byTop: Map<string, { objects: number; bytes: number; newestMs: number }>;
}

/** The way everyone counts a bucket: one ListObjectsV2 loop, page after page. */
export async function listSequentially(client: S3Client, bucket: string): Promise<PlainTotals> {
  const totals: PlainTotals = { objects: 0, bytes: 0, newestMs: -Infinity, pages: 0, byTop: new Map() };
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    totals.pages++;
    for (const obj of page.Contents ?? []) {
      const key = obj.Key!;
      const slash = key.indexOf('/');
      const top = slash < 0 ? '' : key.slice(0, slash + 1);
      const t = totals.byTop.get(top) ?? { objects: 0, bytes: 0, newestMs: -Infinity };
      const ms = obj.LastModified?.getTime() ?? -Infinity;
      t.objects++;
      t.bytes += obj.Size ?? 0;
      t.newestMs = Math.max(t.newestMs, ms);
      totals.byTop.set(top, t);
      totals.objects++;
      totals.bytes += obj.Size ?? 0;
      totals.newestMs = Math.max(totals.newestMs, ms);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return totals;
}

/** Small deterministic PRNG (mulberry32) so every run builds the same lake. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Keys shaped like the first user's lake (test/fixtures/README.md): one top-level prefix per
 * source with uneven sizes, flat and nested sources, date-partitioned telemetry, inventory
 * reports, folder-marker keys and a few keys at the root. All ASCII lower case, so the
 * emulator's locale sort equals S3's byte order. `total` objects exactly.
 */
export function* firstUserLake(total: number, seed = 7): Generator<LakeObject> {
  const rnd = prng(seed);
  const size = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const rootKeys = ['manifest.json', 'readme.md', 'sync_status.json', 'upload.log'];
  const markers = ['espn_play_by_play/', 'nba_pbp/', 'telemetry/'];
  yield* rootKeys.map((key) => ({ key, size: size(10, 300) }));
  yield* markers.map((key) => ({ key, size: 0 }));
  const rest = total - rootKeys.length - markers.length;

  // share of the lake, and how a source names its keys (i = running number within the source)
  const sources: Array<[number, (i: number) => string, [number, number]]> = [
    [0.2, (i) => `espn_play_by_play/${2002 + Math.floor(rnd() * 24)}/${pad(400000000 + i * 37, 9)}.json`, [200, 4000]],
    [0.14, (i) => `espn_box_scores/${pad(400000000 + i * 53, 9)}.json`, [100, 1500]],
    [0.01, (i) => `espn_schedules/${2002 + Math.floor(i / 365)}-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}-${i}.json`, [50, 500]],
    [0.03, (i) => `espn_team_stats/team_${pad(i % 30, 2)}/${2002 + Math.floor(i / 30)}.json`, [100, 800]],
    [0.12, (i) => `nba_pbp/${1996 + (i % 29)}-${pad(((i % 29) + 97) % 100, 2)}/${pad(21900000 + i, 10)}.parquet`, [500, 4000]],
    [0.07, (i) => `nba_box_score/${pad(21900000 + i * 3, 10)}.json`, [100, 2000]],
    [0.05, (i) => `hoopr_parquet/${pick(['pbp', 'player_box', 'team_box', 'schedule'])}/season=${2002 + Math.floor(rnd() * 23)}/part-${pad(i, 6)}.parquet`, [1000, 4000]],
    [0.1, (i) => `basketball_reference/${pick(['players', 'teams', 'games', 'awards', 'drafts'])}/${1980 + Math.floor(rnd() * 45)}/${pad(i, 6)}.html`, [300, 3000]],
    [0.08, (i) => `nba_api_incremental/2025-${pad(1 + Math.floor(i / 700) % 12, 2)}-${pad(1 + Math.floor(i / 25) % 28, 2)}/endpoint_${pad(i, 7)}.json`, [50, 1000]],
    [0.12, (i) => `telemetry/${pick(['espn', 'nba_api', 'hoopr', 'bbref', 'odds'])}/2025/${pad(1 + Math.floor(i / 1800) % 12, 2)}/${pad(1 + Math.floor(i / 60) % 28, 2)}/run-${pad(i, 7)}.json`, [20, 400]],
    [0.03, (i) => `kaggle/${pick(['games', 'players', 'teams'])}/${pad(i, 6)}.csv`, [1000, 4000]],
    [0.02, (i) => `sportsdataverse/wnba/${pad(i, 6)}.json`, [100, 900]],
    [0.01, (i) => `inventory-reports/nba-sim-raw-data-lake/daily/data/${pad(i, 6)}.csv.gz`, [500, 4000]],
  ];
  const counts = sources.map(([share]) => Math.floor(share * rest));
  counts[0]! += rest - counts.reduce((s, c) => s + c, 0);
  for (const [idx, [, name, [lo, hi]]] of sources.entries()) {
    for (let i = 0; i < counts[idx]!; i++) yield { key: name(i), size: size(lo, hi) };
  }
}
