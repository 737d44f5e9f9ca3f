import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { awsErrorName, awsErrorText } from './aws-error';
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

export interface ReadOptions {
  /** Needed for S3 locations. */
  readonly s3?: S3Client;
}

export interface TextDocument {
  readonly location: string;
  readonly text: string;
  /** S3 ETag when read from S3. */
  readonly etag?: string;
}

/** Reads a UTF-8 document from S3 or a local file. Throws SourceReadError. */
export async function readDocument(location: ObjectLocation, options: ReadOptions = {}): Promise<TextDocument> {
  const where = describeLocation(location);
  if (!isS3Location(location)) {
    try {
      return { location: where, text: await readFile(location.path, 'utf8') };
    } catch (err) {
      throw fileError(where, err);
    }
  }
  if (!options.s3) throw new SourceReadError(where, 'NoClient', 'no S3 client was given');
  try {
    const res = await options.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    const text = res.Body ? await res.Body.transformToString('utf-8') : '';
    return { location: where, text, etag: res.ETag };
  } catch (err) {
    throw s3Error(where, err, 's3:GetObject');
  }
}

export interface ListKeysOptions {
  readonly bucket: string;
  readonly prefix: string;
  /** Only keys after this one (S3 StartAfter: keys sort in UTF-8 byte order). */
  readonly startAfter?: string;
  /** Stop after this many keys. @default no limit */
  readonly limit?: number;
}

/** Keys under a prefix, in S3's (byte) order, following ListObjectsV2 pages. Throws SourceReadError. */
export async function listKeys(s3: S3Client, options: ListKeysOptions): Promise<string[]> {
  const where = `s3://${options.bucket}/${options.prefix}`;
  const keys: string[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: options.bucket, Prefix: options.prefix, StartAfter: options.startAfter })) {
      for (const obj of page.Contents ?? []) {
        if (obj.Key === undefined) continue;
        keys.push(obj.Key);
        if (options.limit !== undefined && keys.length >= options.limit) return keys;
      }
    }
  } catch (err) {
    throw s3Error(where, err, 's3:ListBucket');
  }
  return keys;
}

/** File names in a local folder (not recursive), sorted, optionally by suffix. Throws SourceReadError. */
export async function listFiles(dir: string, suffix = ''): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith(suffix))
      .map((e) => join(dir, e.name))
      .sort(compareKeys);
  } catch (err) {
    throw fileError(dir, err);
  }
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
