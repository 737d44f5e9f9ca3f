import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorText } from '../sources/aws-error';
import type { Deadline } from '../sources/deadline';
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
 * reports arrive, twice (claim, then confirm: about two PUTs per orchestrator run, cents per month),
 * and once when no run has ever ended, to remember when monitoring first looked.
 */

export interface CursorState {
  /** Last run-report key counted (keys sort by time: `adce/runs/<ISO time>.json`). */
  readonly lastKey: string;
  /** Newest end_time counted so far (ISO), for ADCELastRunAgeMinutes when nothing is new. */
  readonly newestEndTime?: string;
  /**
   * While no run has ever ended (no `newestEndTime`): when monitoring first looked (ISO).
   * ADCELastRunAgeMinutes counts from it, so an orchestrator that never ran still reads as stalled.
   */
  readonly watchingSince?: string;
  /** When this state was written (ISO). */
  readonly updatedAt: string;
  /** Reports a run has claimed and not yet confirmed as sent (see {@link CursorClaim}). */
  readonly claim?: CursorClaim;
}

/**
 * A run's claim on the reports after `lastKey` up to `toKey`, written before it publishes them
 * and replaced by the new `lastKey` once they were sent. A run that dies in between (timeout,
 * crash) leaves its claim behind: once `expiresAt` has passed, that run cannot still be
 * running, and the next run counts those reports again. If the dead run had already sent
 * them, they are counted twice: at most `reports` reports, and that run says so.
 */
export interface CursorClaim {
  /** Last key claimed. */
  readonly toKey: string;
  /** How many reports were claimed. */
  readonly reports: number;
  /** ISO. */
  readonly claimedAt: string;
  /** ISO: the claiming run's end (its Lambda timeout) plus clock skew. */
  readonly expiresAt: string;
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
  read(deadline?: Deadline): Promise<StoredCursor>;
  /**
   * Writes `next` only if the stored version is still `expected` (undefined: only if no cursor
   * exists yet). Returns the new version, or undefined when another run wrote first.
   * `abortSignal` stops the write at the run's end.
   */
  compareAndSwap(expected: string | undefined, next: CursorState, abortSignal?: AbortSignal): Promise<string | undefined>;
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

  async read(deadline?: Deadline): Promise<StoredCursor> {
    let doc;
    try {
      doc = await readDocument({ bucket: this.bucket, key: this.key }, { s3: this.s3, deadline });
    } catch (err) {
      if (err instanceof SourceReadError && err.reason === 'NoSuchKey') return {};
      const detail = err instanceof SourceReadError ? err.detail : awsErrorText(err);
      throw new CursorError(`Cannot read the ADCE cursor ${this.location}: ${detail}`, { cause: err });
    }
    let state: CursorState;
    try {
      const parsed = JSON.parse(doc.text) as Partial<CursorState>;
      if (typeof parsed.lastKey !== 'string') throw new Error('lastKey is missing');
      const claim = parsed.claim;
      if (claim !== undefined && (typeof claim?.toKey !== 'string' || typeof claim.expiresAt !== 'string' || Number.isNaN(Date.parse(claim.expiresAt)))) {
        throw new Error('claim must have toKey and an ISO expiresAt');
      }
      const watchingSince = parsed.watchingSince;
      if (watchingSince !== undefined && (typeof watchingSince !== 'string' || Number.isNaN(Date.parse(watchingSince)))) {
        throw new Error('watchingSince must be an ISO time');
      }
      state = {
        lastKey: parsed.lastKey,
        newestEndTime: parsed.newestEndTime,
        ...(watchingSince !== undefined ? { watchingSince } : {}),
        updatedAt: String(parsed.updatedAt ?? ''),
        ...(claim ? { claim: { toKey: claim.toKey, reports: Number(claim.reports ?? 0), claimedAt: String(claim.claimedAt ?? ''), expiresAt: claim.expiresAt } } : {}),
      };
    } catch (err) {
      throw new CursorError(`The ADCE cursor ${this.location} is corrupt (${(err as Error).message}); delete it to recount reports from the last 14 days`);
    }
    return { state, version: doc.etag };
  }

  async compareAndSwap(expected: string | undefined, next: CursorState, abortSignal?: AbortSignal): Promise<string | undefined> {
    try {
      const res = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: JSON.stringify(next),
          ContentType: 'application/json',
          ...(expected === undefined ? { IfNoneMatch: '*' } : { IfMatch: expected }),
        }),
        abortSignal ? { abortSignal } : {},
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
