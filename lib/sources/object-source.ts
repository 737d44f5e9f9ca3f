import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { awsErrorName, awsErrorText } from './aws-error';
import { type Deadline, isAbort } from './deadline';
import { compareKeys } from './s3-scan';

/**
 * Reading one text document (a YAML inventory, a JSON queue or run report) from S3 or from a
 * local file, and listing the documents under a prefix or folder. Errors are typed and name
 * the exact `s3://bucket/key` or path and why, so the job can report them as they are.
 */

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}
export interface FileLocation {
  readonly path: string;
}
export type ObjectLocation = S3Location | FileLocation;

export function isS3Location(location: ObjectLocation): location is S3Location {
  return 'bucket' in location;
}

/** `s3://bucket/key` or the file path. */
export function describeLocation(location: ObjectLocation): string {
  return isS3Location(location) ? `s3://${location.bucket}/${location.key}` : location.path;
}

/** A source that could not be read: `location` names it, `reason` says why (e.g. `NoSuchKey`). */
export class SourceReadError extends Error {
  override readonly name = 'SourceReadError';
  constructor(
    readonly location: string,
    /** Short machine-friendly cause: NoSuchKey, NoSuchBucket, AccessDenied, ENOENT, ... */
    readonly reason: string,
    /** Why, without the location (e.g. `the object does not exist (NoSuchKey)`). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot read ${location}: ${detail}`, options);
  }
}

/**
 * Largest documents read, so a run stays inside its Lambda's memory (256 MB for ADCE and DIMS)
 * with margin. Measured by `npm run bench:memory` (bench/memory.ts, results in
 * bench/RESULTS.md; peak RSS over the idle process, Node 20, the idle CLI process ~100 MB):
 * - YAML (DIMS) takes 70-100 MB per MB: 1 MB +82 MB, 2 MB +143 MB (245 MB peak: at the 256 MB
 *   limit; 5 MB aborted V8). Capped at 1 MiB: about 180 MB peak, 30 % under the limit; the real
 *   inventory is 16 KB.
 * - JSON (ADCE queue, run reports) takes 3-11 MB per MB: 8 MB +46 MB, 20 MB +59 MB. Capped at
 *   8 MiB per document (about 160 MB peak), and one ADCE run holds at most
 *   MAX_REPORT_BYTES_PER_RUN of reports.
 */
export const MAX_YAML_BYTES = 1024 * 1024;
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

export interface ReadOptions {
  /** Needed for S3 locations. */
  readonly s3?: S3Client;
  /** Larger documents are refused unread (reason `TooLarge`). @default MAX_JSON_BYTES */
  readonly maxBytes?: number;
  /** Aborts the read at the run's deadline (reason `Deadline`). */
  readonly deadline?: Deadline;
}

export interface TextDocument {
  readonly location: string;
  /** The text, without a leading byte order mark. */
  readonly text: string;
  /** Size in bytes as stored. */
  readonly bytes: number;
  /** S3 ETag when read from S3. */
  readonly etag?: string;
}

/** Reads a UTF-8 document from S3 or a local file. Throws SourceReadError. */
export async function readDocument(location: ObjectLocation, options: ReadOptions = {}): Promise<TextDocument> {
  const where = describeLocation(location);
  const maxBytes = options.maxBytes ?? MAX_JSON_BYTES;
  if (!isS3Location(location)) {
    try {
      const size = (await stat(location.path)).size;
      if (size > maxBytes) throw tooLarge(where, size, maxBytes);
      const buffer = await readFile(location.path);
      return { location: where, text: withoutBom(buffer.toString('utf8')), bytes: buffer.byteLength };
    } catch (err) {
      if (err instanceof SourceReadError) throw err;
      throw fileError(where, err);
    }
  }
  if (!options.s3) throw new SourceReadError(where, 'NoClient', 'no S3 client was given');
  if (options.deadline?.expired()) throw deadlineError(where, options.deadline);
  try {
    const res = await options.s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
      options.deadline ? { abortSignal: options.deadline.signal } : {},
    );
    if (res.ContentLength !== undefined && res.ContentLength > maxBytes) {
      (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw tooLarge(where, res.ContentLength, maxBytes);
    }
    const text = res.Body ? await res.Body.transformToString('utf-8') : '';
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) throw tooLarge(where, bytes, maxBytes);
    return { location: where, text: withoutBom(text), bytes, etag: res.ETag };
  } catch (err) {
    if (err instanceof SourceReadError) throw err;
    if (options.deadline && isAbort(err)) throw deadlineError(where, options.deadline);
    throw s3Error(where, err, 's3:GetObject');
  }
}

/** Editors on Windows write a UTF-8 byte order mark; JSON.parse would refuse it. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function tooLarge(where: string, size: number, max: number): SourceReadError {
  return new SourceReadError(
    where,
    'TooLarge',
    `it is ${megabytes(size)}; documents over ${megabytes(max)} are not read (a larger one would exceed the publisher Lambda's memory)`,
  );
}

function deadlineError(where: string, deadline: Deadline): SourceReadError {
  return new SourceReadError(where, 'Deadline', `not read: stopped at ${deadline.label}`);
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

export interface ListKeysOptions {
  readonly bucket: string;
  readonly prefix: string;
  /** Only keys after this one (S3 StartAfter: keys sort in UTF-8 byte order). */
  readonly startAfter?: string;
  /** Keys taken (those `include` accepts); listing stops once this many are found. @default no limit */
  readonly limit?: number;
  /** Which keys are wanted; the others are returned in `skipped`. @default every key */
  readonly include?: (key: string) => boolean;
  /**
   * Keys looked at, at most: a listing still going past this never ends (or is not what the
   * configured prefix should hold) and fails with reason `ListingTooLong`. @default MAX_LISTED_KEYS
   */
  readonly maxKeys?: number;
  /** Aborts the listing at the run's deadline (reason `Deadline`). */
  readonly deadline?: Deadline;
}

/** Keys one listing looks at, at most (100 pages). */
export const MAX_LISTED_KEYS = 100_000;

export interface KeyListing {
  /** Keys `include` accepted, in S3's order. */
  readonly keys: string[];
  /** Keys it did not (named in a warning by the caller), at most the first 20. */
  readonly skipped: string[];
  readonly skippedCount: number;
  /** True when the listing stopped at `limit` with keys left. */
  readonly more: boolean;
}

/** Keys under a prefix, in S3's (byte) order, following ListObjectsV2 pages. Throws SourceReadError. */
export async function listKeys(s3: S3Client, options: ListKeysOptions): Promise<KeyListing> {
  const where = `s3://${options.bucket}/${options.prefix}`;
  const maxKeys = options.maxKeys ?? MAX_LISTED_KEYS;
  const keys: string[] = [];
  const skipped: string[] = [];
  let skippedCount = 0;
  let seen = 0;
  const extra = options.deadline ? [{ abortSignal: options.deadline.signal }] : [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: options.bucket, Prefix: options.prefix, StartAfter: options.startAfter }, ...extra)) {
      for (const obj of page.Contents ?? []) {
        if (obj.Key === undefined) continue;
        if (options.limit !== undefined && keys.length >= options.limit) return { keys, skipped, skippedCount, more: true };
        if (++seen > maxKeys) {
          throw new SourceReadError(
            where,
            'ListingTooLong',
            `stopped listing after ${maxKeys.toLocaleString('en-US')} keys: the listing did not end (last key ${JSON.stringify(cut(obj.Key, 200))}); check the prefix`,
          );
        }
        if (!options.include || options.include(obj.Key)) keys.push(obj.Key);
        else if (skippedCount++ < 20) skipped.push(obj.Key);
      }
      if (options.deadline?.expired()) throw deadlineError(where, options.deadline);
    }
  } catch (err) {
    if (err instanceof SourceReadError) throw err;
    if (options.deadline && isAbort(err)) throw deadlineError(where, options.deadline);
    throw s3Error(where, err, 's3:ListBucket');
  }
  return { keys, skipped, skippedCount, more: false };
}

export interface FileListing {
  /** Files (symbolic links followed) whose name ends in the suffix, any case; sorted. */
  readonly files: string[];
  /** Everything else in the folder, and why. */
  readonly skipped: Array<{ readonly path: string; readonly why: string }>;
}

/**
 * Files in a local folder (not recursive), sorted, by suffix in any case (`.json` takes
 * `RUN.JSON`); symbolic links to files are followed. Throws SourceReadError.
 */
export async function listFiles(dir: string, suffix = ''): Promise<FileListing> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw fileError(dir, err);
  }
  const files: string[] = [];
  const skipped: FileListing['skipped'] = [];
  const want = suffix.toLowerCase();
  for (const e of entries) {
    const path = join(dir, e.name);
    let kind: 'file' | 'directory' | 'other' | 'broken link' = e.isFile() ? 'file' : e.isDirectory() ? 'directory' : 'other';
    if (e.isSymbolicLink()) {
      try {
        const target = await stat(path);
        kind = target.isFile() ? 'file' : target.isDirectory() ? 'directory' : 'other';
      } catch {
        kind = 'broken link';
      }
    }
    if (kind === 'file' && e.name.toLowerCase().endsWith(want)) files.push(path);
    else if (kind === 'file') skipped.push({ path, why: `not a ${suffix} file` });
    else if (kind === 'directory') skipped.push({ path, why: 'a directory (folders are not read recursively)' });
    else if (kind === 'broken link') skipped.push({ path, why: 'a symbolic link to nothing' });
    else skipped.push({ path, why: 'not a regular file' });
  }
  return { files: files.sort(compareKeys), skipped: skipped.sort((a, b) => compareKeys(a.path, b.path)) };
}

/** Echoed input cut to `max` characters (messages and log lines stay small). */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

const S3_REASONS: Record<string, string> = {
  NoSuchKey: 'the object does not exist (NoSuchKey)',
  NoSuchBucket: 'the bucket does not exist (NoSuchBucket)',
  NotFound: 'not found (NotFound)',
  InvalidObjectState: 'the object is archived and must be restored first (InvalidObjectState)',
};

function s3Error(where: string, err: unknown, action: string): SourceReadError {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  let reason = awsErrorName(err);
  if (reason === 'Unknown' || reason === 'UnknownError') reason = status === 404 ? 'NotFound' : status === 403 ? 'AccessDenied' : reason;
  let detail = S3_REASONS[reason];
  if (!detail && (reason === 'AccessDenied' || status === 403)) {
    reason = 'AccessDenied';
    detail =
      `access denied (AccessDenied): the caller lacks ${action} on it` +
      (action === 's3:GetObject' ? ', or the key does not exist and s3:ListBucket is not granted (S3 then answers 403)' : '');
  }
  detail ??= awsErrorText(err);
  return new SourceReadError(where, reason, detail, { cause: err });
}

const FILE_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory (ENOENT)',
  EACCES: 'permission denied (EACCES)',
  EISDIR: 'is a directory, expected a file (EISDIR)',
  ENOTDIR: 'is not a directory (ENOTDIR)',
};

function fileError(where: string, err: unknown): SourceReadError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'Error';
  return new SourceReadError(where, code, FILE_REASONS[code] ?? `${code}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
