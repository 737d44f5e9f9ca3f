import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';

/**
 * ListObjectsV2 as S3 documents it, in memory: keys in UTF-8 byte order, Prefix, Delimiter
 * (CommonPrefixes count toward MaxKeys), StartAfter, opaque continuation tokens. For the cases the
 * emulator cannot serve (it sorts keys by locale, not bytes): unicode and mixed-case keys across
 * many pages. Plug into aws-sdk-client-mock: `.on(ListObjectsV2Command).callsFake(fake.list)`.
 */
export interface FakeObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export class FakeListing {
  private readonly sorted: FakeObject[];
  private readonly encoded: Buffer[];
  /** Requests served, and the most served at once (`delayMs` > 0 makes them overlap). */
  requests = 0;
  maxInFlight = 0;
  private inFlight = 0;

  constructor(
    objects: readonly FakeObject[],
    private readonly delayMs = 0,
  ) {
    this.sorted = [...objects].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    this.encoded = this.sorted.map((o) => Buffer.from(o.key));
  }

  readonly list = async (input: ListObjectsV2CommandInput): Promise<ListObjectsV2CommandOutput> => {
    this.requests++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      return this.page(input);
    } finally {
      this.inFlight--;
    }
  };

  private page(input: ListObjectsV2CommandInput): ListObjectsV2CommandOutput {
    const prefix = input.Prefix ?? '';
    const after = Buffer.from(input.ContinuationToken ? Buffer.from(input.ContinuationToken, 'base64').toString() : (input.StartAfter ?? ''));
    const max = input.MaxKeys ?? 1000;
    const contents: FakeObject[] = [];
    const common: string[] = [];
    let last = '';
    let truncated = false;
    for (let i = 0; i < this.sorted.length; i++) {
      const obj = this.sorted[i]!;
      if (after.length > 0 && Buffer.compare(this.encoded[i]!, after) <= 0) continue;
      if (!obj.key.startsWith(prefix)) continue;
      const d = input.Delimiter ? obj.key.indexOf(input.Delimiter, prefix.length) : -1;
      const entry = d >= 0 ? obj.key.slice(0, d + input.Delimiter!.length) : undefined;
      if (entry !== undefined && common.at(-1) === entry) continue;
      if (contents.length + common.length >= max) {
        truncated = true;
        break;
      }
      if (entry !== undefined) {
        common.push(entry);
        // Continue after every key under this common prefix.
        last = entry + '\u{10FFFF}';
      } else {
        contents.push(obj);
        last = obj.key;
      }
    }
    return {
      $metadata: {},
      Contents: contents.map((o) => ({ Key: o.key, Size: o.size, LastModified: o.lastModified })),
      CommonPrefixes: common.map((p) => ({ Prefix: p })),
      IsTruncated: truncated,
      KeyCount: contents.length + common.length,
      ...(truncated ? { NextContinuationToken: Buffer.from(last).toString('base64') } : {}),
    };
  }
}

/** Totals the plain way, for comparison. */
export function fakeTotals(objects: readonly FakeObject[]): { objects: number; bytes: number; byTop: Map<string, number> } {
  const byTop = new Map<string, number>();
  for (const o of objects) {
    const slash = o.key.indexOf('/');
    const top = slash < 0 ? '' : o.key.slice(0, slash + 1);
    byTop.set(top, (byTop.get(top) ?? 0) + 1);
  }
  return { objects: objects.length, bytes: objects.reduce((s, o) => s + o.size, 0), byTop };
}
