import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { JobLogger } from '../jobs/job';

/**
 * Counts a bucket by listing it in parallel: exact object count, bytes and newest LastModified
 * per top-level prefix (= data source) plus the keys at the root.
 *
 * How it stays exact: all listing work is a set of key ranges `(lo, hi]` that partition the
 * key space in S3's order (UTF-8 bytes). A range is listed with `StartAfter = lo` and stops at
 * the first key above `hi`; a split replaces one range by consecutive sub-ranges, so every key
 * lies in exactly one range whatever split points are chosen. Split points are only a guess
 * about where the keys are; a bad guess costs requests, never correctness.
 *
 * How it gets fast: a range whose first page comes back truncated is big. If request slots are
 * free, its remainder is split at the folder boundaries ahead of it (one `Delimiter: '/'` page
 * per folder level, in parallel) or, when the keys there are flat, at points interpolated from
 * the keys just read. Requests in flight never exceed `maxConcurrency`, and only one page of
 * keys per range is held at a time, so memory does not grow with the bucket.
 */

export interface PrefixAggregate {
  /** `espn_box_scores/`; `''` for the keys at the root of the bucket. */
  readonly prefix: string;
  readonly objects: number;
  readonly bytes: number;
  /** LastModified of the newest object; undefined when there is none. */
  readonly newest?: Date;
}

export interface ScanStats {
  readonly mode: 'list' | 'inventory';
  /** S3 requests sent (LIST pages, or GETs of inventory files). */
  readonly requests: number;
  /** Longest chain of requests where each waited for the one before: the latency floor. */
  readonly criticalPath: number;
  /** Most requests in flight at once. */
  readonly maxInFlight: number;
  /** How many times a range was split into parallel sub-ranges. */
  readonly splits: number;
  readonly durationMs: number;
}

export interface BucketScan {
  readonly bucket: string;
  /** Exact totals of the whole bucket, root-level keys included. */
  readonly objects: number;
  readonly bytes: number;
  readonly newest?: Date;
  /** Keys without a `/` (not under any prefix). */
  readonly root: PrefixAggregate;
  /** Every top-level prefix that holds at least one key, sorted; with `root` they add up to the totals. */
  readonly prefixes: PrefixAggregate[];
  /** Requested prefixes below the top level (e.g. `telemetry/espn/`); their keys are also in their top-level prefix. */
  readonly nested: PrefixAggregate[];
  /** When the data was taken: now for a listing, the report's creation for an inventory. */
  readonly asOf?: Date;
  readonly stats: ScanStats;
}

export interface ScanOptions {
  /** Prefixes the caller reports on; those below the top level get their own aggregate in `nested`. */
  readonly prefixes?: readonly string[];
  /** Most LIST requests in flight at once. */
  readonly maxConcurrency: number;
  readonly logger?: JobLogger;
}

/** Raised when the bucket cannot be listed; names the bucket, the prefix and why. */
export class S3ScanError extends Error {
  override readonly name = 'S3ScanError';
}

// ---------------------------------------------------------------------------------------------
// Key order and folders

/**
 * Compares two keys in S3's order (UTF-8 bytes, = code point order). JavaScript's `<` compares
 * UTF-16 units, which puts U+E000..U+FFFF after astral characters; the fix-up below restores
 * code point order without allocating.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** `telemetry/` for `telemetry/espn/2025/x.json`; `''` for a root-level key. */
export function topLevelPrefix(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash + 1);
}

/** The deepest folder (ending in `/`, or `''`) that holds both strings. */
function commonFolder(a: string, b: string): string {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return a.slice(0, a.lastIndexOf('/', i - 1) + 1);
}

function commonPrefix(a: string, b: string): string {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Never cut a surrogate pair in half.
  if (i > 0 && i < a.length && a.charCodeAt(i - 1) >= 0xd800 && a.charCodeAt(i - 1) <= 0xdbff) i--;
  return a.slice(0, i);
}

// ---------------------------------------------------------------------------------------------
// Aggregation (shared with the inventory reader)

interface MutableAggregate {
  objects: number;
  bytes: number;
  newestMs: number;
}

/** Adds up objects per top-level prefix; memory is per prefix, not per key. */
export class ScanAggregator {
  private readonly byTop = new Map<string, MutableAggregate>();
  private readonly nestedPrefixes: string[];
  private readonly byNested = new Map<string, MutableAggregate>();

  constructor(requestedPrefixes: readonly string[] = []) {
    this.nestedPrefixes = [...new Set(requestedPrefixes)].filter((p) => p.length > 0 && p.indexOf('/') < p.length - 1);
    for (const p of this.nestedPrefixes) this.byNested.set(p, { objects: 0, bytes: 0, newestMs: -Infinity });
  }

  add(key: string, size: number, lastModifiedMs: number): void {
    const top = topLevelPrefix(key);
    let agg = this.byTop.get(top);
    if (!agg) this.byTop.set(top, (agg = { objects: 0, bytes: 0, newestMs: -Infinity }));
    agg.objects += 1;
    agg.bytes += size;
    if (lastModifiedMs > agg.newestMs) agg.newestMs = lastModifiedMs;
    for (const p of this.nestedPrefixes) {
      if (key.startsWith(p)) {
        const n = this.byNested.get(p)!;
        n.objects += 1;
        n.bytes += size;
        if (lastModifiedMs > n.newestMs) n.newestMs = lastModifiedMs;
      }
    }
  }

  result(bucket: string, stats: ScanStats, asOf?: Date): BucketScan {
    const freeze = (prefix: string, a: MutableAggregate | undefined): PrefixAggregate => ({
      prefix,
      objects: a?.objects ?? 0,
      bytes: a?.bytes ?? 0,
      ...(a && a.newestMs > -Infinity ? { newest: new Date(a.newestMs) } : {}),
    });
    const root = freeze('', this.byTop.get(''));
    const prefixes = [...this.byTop.entries()]
      .filter(([p]) => p !== '')
      .map(([p, a]) => freeze(p, a))
      .sort((x, y) => compareKeys(x.prefix, y.prefix));
    const all = [root, ...prefixes];
    const newestMs = Math.max(...all.map((a) => a.newest?.getTime() ?? -Infinity));
    return {
      bucket,
      objects: all.reduce((s, a) => s + a.objects, 0),
      bytes: all.reduce((s, a) => s + a.bytes, 0),
      ...(newestMs > -Infinity ? { newest: new Date(newestMs) } : {}),
      root,
      prefixes,
      nested: this.nestedPrefixes.map((p) => freeze(p, this.byNested.get(p))),
      ...(asOf ? { asOf } : {}),
      stats,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Bounded request pool

/** At most `max` requests in flight; the rest wait in FIFO order. */
class RequestPool {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  maxSeen = 0;

  constructor(private readonly max: number) {}

  /** Slots nobody is using or waiting for: room to run split ranges in parallel. */
  get idle(): number {
    return this.max - this.inFlight - this.waiting.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight++;
    this.maxSeen = Math.max(this.maxSeen, this.inFlight);
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // hand the slot over directly
      else this.inFlight--;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The scan

/** Keys `k` with `lo < k <= hi` in S3 order, all under `prefix`. */
interface Range {
  /** Listing prefix: the narrowest folder known to hold the whole range. */
  readonly prefix: string;
  /** Exclusive lower bound (`StartAfter`); undefined = from the start of `prefix`. */
  readonly lo?: string;
  /** Inclusive upper bound; undefined = to the end of `prefix`. */
  readonly hi?: string;
  /** Depth of the request whose answer created this range (for the critical path). */
  readonly depth: number;
  /** Folders whose children inside this range are all known already: never listed again. */
  readonly explored: readonly string[];
}

interface SplitPlan {
  readonly points: string[];
  readonly depth: number;
  /** Folder levels whose children ahead are all among the points. */
  readonly explored: readonly string[];
}

const PAGE = 1000;
const MAX_SPLIT_POINTS = 256;

class ListScanner {
  private readonly pool: RequestPool;
  private readonly agg: ScanAggregator;
  private requests = 0;
  private criticalPath = 0;
  private splits = 0;
  private failure: Error | undefined;
  private pending = 0;
  private settle!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.settle = resolve));

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    opts: ScanOptions,
  ) {
    if (!Number.isInteger(opts.maxConcurrency) || opts.maxConcurrency < 1) {
      throw new S3ScanError(`maxConcurrency must be a whole number >= 1, got ${opts.maxConcurrency}`);
    }
    this.pool = new RequestPool(opts.maxConcurrency);
    this.agg = new ScanAggregator(opts.prefixes);
  }

  async run(): Promise<BucketScan> {
    const started = Date.now();
    this.spawn({ prefix: '', depth: 0, explored: [] });
    await this.done;
    if (this.failure) throw this.failure;
    return this.agg.result(
      this.bucket,
      {
        mode: 'list',
        requests: this.requests,
        criticalPath: this.criticalPath,
        maxInFlight: this.pool.maxSeen,
        splits: this.splits,
        durationMs: Date.now() - started,
      },
      new Date(),
    );
  }

  private spawn(range: Range): void {
    this.pending++;
    this.listRange(range)
      .catch((err: unknown) => {
        this.failure ??= err instanceof S3ScanError ? err : this.describe(err, range.prefix);
      })
      .finally(() => {
        if (--this.pending === 0) this.settle();
      });
  }

  private describe(err: unknown, prefix: string): S3ScanError {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
    return new S3ScanError(
      `Cannot list s3://${this.bucket}/${prefix}: ${e.name ?? 'Error'}${status}: ${e.message ?? String(err)}`,
      { cause: err },
    );
  }

  private async list(
    input: { Prefix: string; StartAfter?: string; Delimiter?: string },
    depth: number,
  ): Promise<ListObjectsV2CommandOutput> {
    if (this.failure) throw this.failure; // stop early: the totals are lost anyway
    return this.pool.run(async () => {
      if (this.failure) throw this.failure;
      this.requests++;
      this.criticalPath = Math.max(this.criticalPath, depth);
      return this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          ...(input.Prefix ? { Prefix: input.Prefix } : {}),
          ...(input.StartAfter !== undefined ? { StartAfter: input.StartAfter } : {}),
          ...(input.Delimiter ? { Delimiter: input.Delimiter } : {}),
          MaxKeys: PAGE,
        }),
      );
    });
  }

  private async listRange(initial: Range): Promise<void> {
    let range = initial;
    let depth = range.depth;
    for (;;) {
      depth += 1;
      const page = await this.list({ Prefix: range.prefix, StartAfter: range.lo }, depth);
      const contents = page.Contents ?? [];
      const keys: string[] = [];
      for (const obj of contents) {
        const key = obj.Key;
        if (key === undefined) continue;
        if (range.hi !== undefined && compareKeys(key, range.hi) > 0) return; // the next range's keys
        if (range.lo !== undefined && compareKeys(key, range.lo) <= 0) {
          throw new S3ScanError(`s3://${this.bucket}/${range.prefix}: listing returned "${key}", not after StartAfter "${range.lo}"`);
        }
        this.agg.add(key, obj.Size ?? 0, obj.LastModified?.getTime() ?? -Infinity);
        keys.push(key);
      }
      if (!page.IsTruncated) return;
      const last = keys.at(-1);
      if (last === undefined) {
        throw new S3ScanError(`s3://${this.bucket}/${range.prefix}: truncated listing page without keys after "${range.lo ?? ''}"`);
      }
      range = { ...range, lo: last };
      if (this.pool.idle > 0) {
        const plan = await this.planSplit(range, keys, depth);
        if (plan.points.length > 0) {
          this.splits++;
          depth = plan.depth;
          const explored = [...range.explored, ...plan.explored];
          const bounds = [last, ...plan.points];
          for (let i = bounds.length - 1; i >= 1; i--) {
            const lo = bounds[i]!;
            const hi = bounds[i + 1] ?? range.hi;
            this.spawn({ prefix: hi === undefined ? range.prefix : commonFolder(lo, hi), lo, hi, depth, explored });
          }
          const hi = plan.points[0]!;
          range = { prefix: commonFolder(last, hi), lo: last, hi, depth, explored };
        }
      }
    }
  }

  /**
   * Where to cut `(range.lo, range.hi]`. Folder levels between the range's own folder and the
   * folder of the page just read each get one delimited page listing the children ahead;
   * children of levels the page sat wholly inside are big (the page held 1000 keys of one of
   * them), so each gets its own range; children of the page's own folder are grouped so a range
   * holds about one page. Flat keys get interpolated points.
   */
  private async planSplit(range: Range, pageKeys: string[], depth: number): Promise<SplitPlan> {
    const a = range.lo!;
    const sampleFolder = commonFolder(pageKeys[0]!, a); // all page keys are in here
    const top = range.hi === undefined ? range.prefix : commonFolder(a, range.hi);
    const nested = pageKeys.some((k) => k.indexOf('/', sampleFolder.length) >= 0);

    const levels: string[] = [];
    for (let f = top; f.length <= sampleFolder.length; ) {
      if (!range.explored.includes(f) && (f !== sampleFolder || nested)) levels.push(f);
      const next = a.indexOf('/', f.length);
      if (next < 0) break;
      f = a.slice(0, next + 1);
    }

    const points: string[] = [];
    const explored: string[] = [];
    let planDepth = depth;
    if (levels.length > 0) {
      planDepth = depth + 1;
      const pages = await Promise.all(levels.map((f) => this.list({ Prefix: f, StartAfter: a, Delimiter: '/' }, depth + 1)));
      pages.forEach((page, i) => {
        const folder = levels[i]!;
        const children = (page.CommonPrefixes ?? []).map((c) => c.Prefix ?? '').filter((p) => p.length > 0);
        let stride = 1;
        if (folder === sampleFolder) {
          // The page held this many entries of this folder: about PAGE / entries keys each.
          stride = new Set(pageKeys.map((k) => k.slice(0, k.indexOf('/', folder.length) + 1 || k.length))).size;
          const entries = [...children, ...(page.Contents ?? []).map((c) => c.Key ?? '')].sort(compareKeys);
          for (let j = stride - 1; j < entries.length; j += stride) points.push(entries[j]!);
        } else {
          points.push(...children);
        }
        if (stride === 1 && !page.IsTruncated) explored.push(folder);
      });
    }
    if (!nested) {
      // Flat keys up to the first folder boundary (or the range's end): interpolate.
      const structural = points.filter((p) => compareKeys(p, a) > 0).sort(compareKeys)[0];
      points.push(...interpolate(pageKeys, structural ?? range.hi, Math.min(Math.max(this.pool.idle, 1) + 1, 16)));
    }

    // Only points strictly inside the range, in order, once; thin out evenly if there are too many.
    points.sort(compareKeys);
    let valid = points.filter(
      (p, i) =>
        p.startsWith(range.prefix) &&
        compareKeys(p, a) > 0 &&
        (range.hi === undefined || compareKeys(p, range.hi) < 0) &&
        (i === 0 || p !== points[i - 1]),
    );
    if (valid.length > MAX_SPLIT_POINTS) {
      const step = valid.length / MAX_SPLIT_POINTS;
      valid = Array.from({ length: MAX_SPLIT_POINTS }, (_, i) => valid[Math.floor(i * step)]!);
      explored.length = 0;
    }
    return { points: valid, depth: planDepth, explored };
  }
}

/**
 * Split points for flat keys (no folder structure to follow): read each key after the common
 * prefix as a number whose digits are the characters seen at that position, estimate how much
 * of that number line one page covers, and place points ahead: evenly up to `hi`, or at 1, 2,
 * 4, 8... pages when the range is open-ended.
 */
export function interpolate(sample: readonly string[], hi: string | undefined, pieces: number): string[] {
  const first = sample[0];
  const last = sample.at(-1);
  if (first === undefined || last === undefined || first === last || pieces < 2) return [];
  const base = hi === undefined ? commonPrefix(first, last) : commonPrefix(commonPrefix(first, last), hi);
  const width = 12;
  const tails = sample.map((k) => Array.from(k.slice(base.length)));
  const hiTail = hi === undefined ? undefined : Array.from(hi.slice(base.length));
  const alphabets: number[][] = [];
  for (let i = 0; i < width; i++) {
    const seen = new Set<number>();
    for (const t of hiTail ? [...tails, hiTail] : tails) if (i < t.length) seen.add(t[i]!.codePointAt(0)!);
    for (const [lo, hi2] of [[48, 57], [97, 122], [65, 90]] as const) {
      if ([...seen].some((c) => c >= lo && c <= hi2)) for (let c = lo; c <= hi2; c++) seen.add(c);
    }
    alphabets.push([...seen].sort((x, y) => x - y));
  }
  const radix = alphabets.map((al) => BigInt(al.length + 1)); // digit 0 = the key ended
  const toValue = (tail: string[]): bigint => {
    let v = 0n;
    for (let i = 0; i < width; i++) {
      let d = 0;
      if (i < tail.length) {
        const c = tail[i]!.codePointAt(0)!;
        const al = alphabets[i]!;
        while (d < al.length && al[d]! <= c) d++;
      }
      v = v * radix[i]! + BigInt(d);
    }
    return v;
  };
  const fromValue = (v: bigint): string => {
    const digits: number[] = [];
    for (let i = width - 1; i >= 0; i--) {
      digits[i] = Number(v % radix[i]!);
      v /= radix[i]!;
    }
    let s = base;
    for (let i = 0; i < width; i++) {
      if (digits[i] === 0) break;
      s += String.fromCodePoint(alphabets[i]![digits[i]! - 1]!);
    }
    return s;
  };
  const vFirst = toValue(tails[0]!);
  const vLast = toValue(tails.at(-1)!);
  const span = vLast - vFirst; // about one page of keys
  if (span <= 0n) return [];
  const max = radix.reduce((p, r) => p * r, 1n) - 1n;
  const out: string[] = [];
  if (hiTail !== undefined) {
    const vHi = toValue(hiTail);
    if (vHi <= vLast) return [];
    const estPages = Number((vHi - vLast) / span) + 1;
    const n = BigInt(Math.min(pieces, estPages));
    for (let j = 1n; j < n; j++) out.push(fromValue(vLast + ((vHi - vLast) * j) / n));
  } else {
    for (let j = 1n, m = 1n; j < BigInt(pieces) && vLast + span * m <= max; j++, m *= 2n) out.push(fromValue(vLast + span * m));
  }
  return out;
}

/** Lists the whole bucket in parallel and returns exact totals per top-level prefix. */
export async function scanBucket(s3: S3Client, bucket: string, opts: ScanOptions): Promise<BucketScan> {
  const scan = await new ListScanner(s3, bucket, opts).run();
  opts.logger?.debug('bucket listed', { bucket, objects: scan.objects, ...scan.stats });
  return scan;
}
