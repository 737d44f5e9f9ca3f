import { type S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';

/**
 * For `monitor init --inspect`: a bucket's top-level prefixes and, per prefix, the write times of
 * its newest objects. S3 lists in key order, not time order, so every key of a prefix is listed
 * (up to `maxObjectsPerPrefix`) while only the newest `keep` times are held (memory stays flat).
 */

export interface PrefixArrivals {
  readonly prefix: string;
  /** Objects listed under the prefix. */
  readonly objects: number;
  /** Write times of the newest objects, newest first (at most `keep`). */
  readonly newest: Date[];
  /** True when the listing stopped at `maxObjectsPerPrefix`: the times may miss newer objects. */
  readonly truncated: boolean;
}

export interface ArrivalOptions {
  /** @default 200 */
  readonly keep?: number;
  /** @default 1,000,000 */
  readonly maxObjectsPerPrefix?: number;
  /** Prefixes listed at once. @default 8 */
  readonly concurrency?: number;
}

export async function topLevelPrefixes(s3: S3Client, bucket: string): Promise<{ prefixes: string[]; rootObjects: number }> {
  const prefixes: string[] = [];
  let rootObjects = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Delimiter: '/' })) {
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    rootObjects += page.Contents?.length ?? 0;
  }
  return { prefixes, rootObjects };
}

export async function recentArrivals(s3: S3Client, bucket: string, prefixes: readonly string[], options: ArrivalOptions = {}): Promise<PrefixArrivals[]> {
  const keep = options.keep ?? 200;
  const max = options.maxObjectsPerPrefix ?? 1_000_000;
  const results: PrefixArrivals[] = new Array(prefixes.length);
  let next = 0;
  const worker = async () => {
    while (next < prefixes.length) {
      const index = next++;
      const prefix = prefixes[index]!;
      let newest: number[] = [];
      let objects = 0;
      let truncated = false;
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
        for (const o of page.Contents ?? []) {
          objects++;
          if (o.LastModified) newest.push(o.LastModified.getTime());
        }
        if (newest.length > 4 * keep) newest = newest.sort((a, b) => b - a).slice(0, keep);
        if (objects >= max) {
          truncated = page.IsTruncated === true;
          break;
        }
      }
      results[index] = { prefix, objects, newest: newest.sort((a, b) => b - a).slice(0, keep).map((t) => new Date(t)), truncated };
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, prefixes.length) }, worker));
  return results;
}
