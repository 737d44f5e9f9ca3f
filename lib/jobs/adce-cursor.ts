import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorText } from '../sources/aws-error';
import { SourceReadError, readDocument } from '../sources/object-source';

/** Environment variables that tell the ADCE Lambda where its cursor is (set by the Publishers construct). */
export const ADCE_CURSOR_BUCKET_ENV = 'ADCE_CURSOR_BUCKET';
export const ADCE_CURSOR_KEY_ENV = 'ADCE_CURSOR_KEY';
/** Key of the ADCE cursor object in the stack's state bucket. */
export const ADCE_CURSOR_KEY = 'adce/cursor.json';

/**
 * Where the ADCE publisher remembers which run reports it has counted.
 *
 * Why an S3 object with conditional writes (not SSM, not DynamoDB): SSM PutParameter has no
 * compare-and-swap (versions are only reported after the write, so two overlapping runs would
 * both "win"); DynamoDB would be truly conditional but adds a table and an SDK package. S3
 * PutObject with `If-Match: <etag>` (update) or `If-None-Match: *` (create) is a real
 * compare-and-swap: S3 answers 412 PreconditionFailed (or 409 ConditionalRequestConflict
 * under a concurrent write) to the loser. The state object lives in a small bucket the stack
 * owns; the function may only GetObject/PutObject that one key. It is written only when new
 * reports arrive (about one PUT per orchestrator run: cents per month).
 */

export interface CursorState {
  /** Last run-report key counted (keys sort by time: `adce/runs/<ISO time>.json`). */
  readonly lastKey: string;
  /** Newest end_time counted so far (ISO), for ADCELastRunAgeMinutes when nothing is new. */
  readonly newestEndTime?: string;
  /** When this state was written (ISO). */
  readonly updatedAt: string;
}

export interface StoredCursor {
  /** Undefined when no cursor was ever written. */
  readonly state?: CursorState;
  /** Opaque version for compareAndSwap (the S3 ETag); undefined when absent. */
  readonly version?: string;
}

export interface CursorStore {
  /** Where the cursor lives, for messages (`s3://bucket/key`). */
  readonly location: string;
  read(): Promise<StoredCursor>;
  /**
   * Writes `next` only if the stored version is still `expected` (undefined: only if no cursor
   * exists yet). Returns the new version, or undefined when another run wrote first.
   */
  compareAndSwap(expected: string | undefined, next: CursorState): Promise<string | undefined>;
}

export class CursorError extends Error {
  override readonly name = 'CursorError';
}

export class S3CursorStore implements CursorStore {
  readonly location: string;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {
    this.location = `s3://${bucket}/${key}`;
  }

  async read(): Promise<StoredCursor> {
    let doc;
    try {
      doc = await readDocument({ bucket: this.bucket, key: this.key }, { s3: this.s3 });
    } catch (err) {
      if (err instanceof SourceReadError && err.reason === 'NoSuchKey') return {};
      const detail = err instanceof SourceReadError ? err.detail : awsErrorText(err);
      throw new CursorError(`Cannot read the ADCE cursor ${this.location}: ${detail}`, { cause: err });
    }
    let state: CursorState;
    try {
      const parsed = JSON.parse(doc.text) as Partial<CursorState>;
      if (typeof parsed.lastKey !== 'string') throw new Error('lastKey is missing');
      state = { lastKey: parsed.lastKey, newestEndTime: parsed.newestEndTime, updatedAt: String(parsed.updatedAt ?? '') };
    } catch (err) {
      throw new CursorError(`The ADCE cursor ${this.location} is corrupt (${(err as Error).message}); delete it to recount reports from the last 14 days`);
    }
    return { state, version: doc.etag };
  }

  async compareAndSwap(expected: string | undefined, next: CursorState): Promise<string | undefined> {
    try {
      const res = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: JSON.stringify(next),
          ContentType: 'application/json',
          ...(expected === undefined ? { IfNoneMatch: '*' } : { IfMatch: expected }),
        }),
      );
      return res.ETag ?? 'written';
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      if (e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict' || status === 412 || status === 409) return undefined;
      throw new CursorError(`Cannot write the ADCE cursor ${this.location}: ${awsErrorText(err)}`, { cause: err });
    }
  }
}

/** An in-memory store with the same compare-and-swap semantics (tests, local runs). */
export class MemoryCursorStore implements CursorStore {
  readonly location = 'memory://adce-cursor';
  private state?: CursorState;
  private version = 0;

  async read(): Promise<StoredCursor> {
    return this.state ? { state: this.state, version: String(this.version) } : {};
  }

  async compareAndSwap(expected: string | undefined, next: CursorState): Promise<string | undefined> {
    const current = this.state ? String(this.version) : undefined;
    if (current !== expected) return undefined;
    this.state = next;
    this.version++;
    return String(this.version);
  }
}
