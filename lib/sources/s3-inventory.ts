import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import type { JobLogger } from '../jobs/job';
import { awsErrorText } from './aws-error';
import { type Deadline, isAbort } from './deadline';
import { SourceReadError, readDocument } from './object-source';
import { type BucketScan, ScanAggregator, compareKeys } from './s3-scan';

/**
 * S3 Inventory mode: the same `BucketScan` as a listing, read from the newest S3 Inventory report
 * instead of listing the bucket. For buckets too big to list within one Lambda run: the report
 * costs a handful of GETs whatever the bucket size.
 *
 * Format (AWS documentation, "Locating your inventory list"): reports live under
 * `<destination-prefix>/<source-bucket>/<config-ID>/YYYY-MM-DDTHH-MMZ/manifest.json`, with
 * `manifest.checksum` (MD5 hex of manifest.json) beside it. The manifest names the data files
 * (`files[{ key, size, MD5checksum }]`, gzipped CSV without header) and their columns
 * (`fileSchema`, e.g. "Bucket, Key, Size, LastModifiedDate"). Keys in the CSV are URL-encoded
 * (space as `+`). Versioned reports add IsLatest/IsDeleteMarker: only current, non-deleted
 * versions count, as in a listing.
 */

export interface InventoryLocation {
  /** The bucket the report describes. */
  readonly sourceBucket: string;
  /** The bucket the reports are delivered to. */
  readonly destinationBucket: string;
  /** Prefix set in the inventory configuration ('' when none). */
  readonly destinationPrefix: string;
  /** The inventory configuration id (its name). */
  readonly configurationId: string;
}

export interface InventoryScanOptions {
  /** Prefixes the caller reports on; those below the top level get their own aggregate. */
  readonly prefixes?: readonly string[];
  readonly logger?: JobLogger;
  /** Reading stops here with an InventoryError: a partial count is never returned. */
  readonly deadline?: Deadline;
}

/** The report could not be found or read; names the bucket/key and why. */
export class InventoryError extends Error {
  override readonly name = 'InventoryError';
}

interface ManifestFile {
  readonly key: string;
  readonly size?: number;
  readonly MD5checksum?: string;
}

export interface InventoryManifest {
  readonly sourceBucket: string;
  readonly destinationBucket: string;
  readonly fileFormat: string;
  readonly fileSchema: string;
  readonly creationTimestamp: string;
  readonly files: readonly ManifestFile[];
}

const REPORT_FOLDER = /\/(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})Z\/$/;
/** Data files read at once (each is streamed through gunzip and the CSV parser). */
const FILES_AT_ONCE = 4;
/** Report folders tried, newest first, when the newest has no manifest yet (delivery in progress). */
const MAX_REPORTS_TRIED = 3;

/** `<prefix>/<source-bucket>/<config-id>/`, tolerant of a prefix with or without a trailing slash. */
export function inventoryBase(loc: InventoryLocation): string {
  const prefix = loc.destinationPrefix.replace(/\/+$/, '');
  return `${prefix ? `${prefix}/` : ''}${loc.sourceBucket}/${loc.configurationId}/`;
}

export async function scanInventory(s3: S3Client, loc: InventoryLocation, opts: InventoryScanOptions = {}): Promise<BucketScan> {
  const started = Date.now();
  const dest = loc.destinationBucket;
  const base = inventoryBase(loc);
  let requests = 0;
  /** The object's text, or undefined when it does not exist. */
  const getText = async (key: string): Promise<string | undefined> => {
    requests++;
    try {
      return (await readDocument({ bucket: dest, key }, { s3, deadline: opts.deadline })).text;
    } catch (err) {
      if (err instanceof SourceReadError && err.reason === 'NoSuchKey') return undefined;
      throw new InventoryError((err as Error).message, { cause: err });
    }
  };

  // 1. Report folders, newest first (names sort by time).
  const folders: string[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: dest, Prefix: base, Delimiter: '/' })) {
      requests++;
      for (const cp of page.CommonPrefixes ?? []) if (cp.Prefix && REPORT_FOLDER.test(cp.Prefix)) folders.push(cp.Prefix);
    }
  } catch (err) {
    throw describe(err, `s3://${dest}/${base}`);
  }
  folders.sort((a, b) => compareKeys(b, a));
  if (folders.length === 0) {
    throw new InventoryError(
      `No S3 Inventory report for bucket ${loc.sourceBucket} under s3://${dest}/${base} (expected folders named YYYY-MM-DDTHH-MMZ/ holding manifest.json). ` +
        'Check s3.inventory (destinationBucket, destinationPrefix, configurationId) and that the first report was delivered (up to 48 h after setup).',
    );
  }

  // 2. The newest manifest (a folder without one is still being delivered).
  let manifest: InventoryManifest | undefined;
  let manifestKey = '';
  for (const folder of folders.slice(0, MAX_REPORTS_TRIED)) {
    manifestKey = `${folder}manifest.json`;
    const text = await getText(manifestKey);
    if (text === undefined) {
      opts.logger?.warn('inventory report has no manifest.json yet; trying the previous report', { report: `s3://${dest}/${folder}` });
      continue;
    }
    const checksum = await getText(`${folder}manifest.checksum`);
    if (checksum !== undefined && checksum.trim().toLowerCase() !== md5(text)) {
      throw new InventoryError(`s3://${dest}/${manifestKey} does not match its manifest.checksum (MD5 ${md5(text)} != ${checksum.trim()}).`);
    }
    manifest = parseManifest(text, `s3://${dest}/${manifestKey}`, loc.sourceBucket);
    break;
  }
  if (!manifest) {
    throw new InventoryError(`None of the newest ${Math.min(folders.length, MAX_REPORTS_TRIED)} inventory reports under s3://${dest}/${base} has a manifest.json.`);
  }

  // 3. The data files, a few at a time, streamed: gunzip -> CSV -> aggregate.
  const columns = manifest.fileSchema.split(',').map((c) => c.trim());
  const col = (name: string) => columns.indexOf(name);
  const at = { bucket: col('Bucket'), key: col('Key'), size: col('Size'), modified: col('LastModifiedDate'), latest: col('IsLatest'), deleteMarker: col('IsDeleteMarker') };
  for (const [name, index] of [['Key', at.key], ['Size', at.size], ['LastModifiedDate', at.modified]] as const) {
    if (index < 0) {
      throw new InventoryError(`s3://${dest}/${manifestKey}: fileSchema "${manifest.fileSchema}" has no ${name} column; add ${name === 'Key' ? 'it' : `the ${name} field`} to the inventory configuration.`);
    }
  }
  const agg = new ScanAggregator(opts.prefixes);
  const queue = [...manifest.files];
  const readFile = async (file: ManifestFile) => {
    const where = `s3://${dest}/${file.key}`;
    requests++;
    let res;
    try {
      if (opts.deadline?.expired()) throw stopped(where);
      res = await s3.send(new GetObjectCommand({ Bucket: dest, Key: file.key }), opts.deadline ? { abortSignal: opts.deadline.signal } : {});
    } catch (err) {
      if (err instanceof InventoryError) throw err;
      if (isAbort(err)) throw stopped(where);
      throw describe(err, where);
    }
    if (!res.Body) throw new InventoryError(`${where}: empty response body`);
    const hash = createHash('md5');
    let line = 0;
    const tee = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const sink = new Transform({
      objectMode: true,
      transform(record: string[], _enc, cb) {
        line++;
        try {
          addRecord(record);
          cb();
        } catch (err) {
          cb(new InventoryError(`${where} line ${line}: ${(err as Error).message}`));
        }
      },
    });
    const addRecord = (r: string[]) => {
      if (at.latest >= 0 && r[at.latest] !== 'true') return; // older version
      if (at.deleteMarker >= 0 && r[at.deleteMarker] === 'true') return; // deleted
      if (at.bucket >= 0 && r[at.bucket] !== loc.sourceBucket) throw new Error(`row is for bucket "${r[at.bucket]}", not ${loc.sourceBucket}`);
      const rawKey = r[at.key] ?? '';
      let key: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        throw new Error(`key "${rawKey}" is not URL-encoded UTF-8`);
      }
      const size = Number(r[at.size]);
      const modified = Date.parse(r[at.modified] ?? '');
      if (key === '' || !Number.isFinite(size) || size < 0 || r[at.size] === '' || Number.isNaN(modified)) {
        throw new Error(`bad row (Key "${rawKey}", Size "${r[at.size]}", LastModifiedDate "${r[at.modified]}")`);
      }
      agg.add(key, size, modified);
    };
    try {
      await pipeline(res.Body as Readable, tee, createGunzip(), parse({ relax_column_count: false }), sink, opts.deadline ? { signal: opts.deadline.signal } : {});
    } catch (err) {
      if (err instanceof InventoryError) throw err;
      if (isAbort(err)) throw stopped(where);
      throw new InventoryError(`${where}: cannot read the gzipped CSV: ${(err as Error).message}`, { cause: err });
    }
    const digest = hash.digest('hex');
    if (file.MD5checksum && file.MD5checksum.toLowerCase() !== digest) {
      throw new InventoryError(`${where}: MD5 ${digest} does not match the manifest's ${file.MD5checksum} (incomplete or replaced file).`);
    }
  };
  const stopped = (where: string) =>
    new InventoryError(`Reading the inventory stopped at ${opts.deadline?.label ?? 'the deadline'} (at ${where}): the bucket was not fully counted, so no totals are published.`);
  const inFlight = Math.min(FILES_AT_ONCE, manifest.files.length);
  const workers = Array.from({ length: Math.max(1, inFlight) }, async () => {
    for (let file = queue.shift(); file; file = queue.shift()) await readFile(file);
  });
  await Promise.all(workers);

  const asOf = new Date(Number(manifest.creationTimestamp));
  const scan = agg.result(
    loc.sourceBucket,
    { mode: 'inventory', requests, criticalPath: 3, maxInFlight: inFlight, splits: 0, durationMs: Date.now() - started },
    asOf,
  );
  opts.logger?.debug('inventory report read', { report: `s3://${dest}/${manifestKey}`, files: manifest.files.length, objects: scan.objects, asOf: asOf.toISOString() });
  return scan;
}

export function parseManifest(text: string, where: string, expectedSource: string): InventoryManifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new InventoryError(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  const obj = (m ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof obj.fileSchema !== 'string') problems.push('fileSchema is missing');
  if (!Array.isArray(obj.files)) problems.push('files is missing');
  if (typeof obj.creationTimestamp !== 'string' && typeof obj.creationTimestamp !== 'number') problems.push('creationTimestamp is missing');
  else if (!Number.isFinite(Number(obj.creationTimestamp))) problems.push(`creationTimestamp "${obj.creationTimestamp}" is not epoch milliseconds`);
  if (problems.length > 0) throw new InventoryError(`${where} is not an S3 Inventory manifest: ${problems.join('; ')}.`);
  if (obj.fileFormat !== 'CSV') {
    throw new InventoryError(`${where}: fileFormat is ${JSON.stringify(obj.fileFormat)}; only CSV inventory reports can be read (set the inventory's output format to CSV).`);
  }
  if (obj.sourceBucket !== undefined && obj.sourceBucket !== expectedSource) {
    throw new InventoryError(`${where} describes bucket ${JSON.stringify(obj.sourceBucket)}, not ${expectedSource}.`);
  }
  const files = (obj.files as unknown[]).map((f, i) => {
    const file = (f ?? {}) as Record<string, unknown>;
    if (typeof file.key !== 'string' || file.key === '') throw new InventoryError(`${where}: files[${i}] has no key.`);
    return { key: file.key, ...(typeof file.size === 'number' ? { size: file.size } : {}), ...(typeof file.MD5checksum === 'string' ? { MD5checksum: file.MD5checksum } : {}) };
  });
  return {
    sourceBucket: String(obj.sourceBucket ?? expectedSource),
    destinationBucket: String(obj.destinationBucket ?? ''),
    fileFormat: 'CSV',
    fileSchema: obj.fileSchema as string,
    creationTimestamp: String(obj.creationTimestamp),
    files,
  };
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function describe(err: unknown, what: string): InventoryError {
  return new InventoryError(`Cannot read ${what}: ${awsErrorText(err)}`, { cause: err });
}
