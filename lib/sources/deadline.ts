/**
 * A point in time a piece of work must be done by, on the monotonic clock (a wall clock moved
 * by NTP, or faked in tests, cannot stretch it). `signal` aborts AWS SDK requests still in
 * flight at that moment (`client.send(command, { abortSignal })`); `expired()` is checked
 * between steps so a job stops in time to report what it did.
 */
export class Deadline {
  private readonly endMs: number;
  /** Aborts when the deadline passes. */
  readonly signal: AbortSignal;

  constructor(
    /** Time allowed from now, in ms. */
    readonly budgetMs: number,
    /** What the deadline is, for messages: `the run's deadline (45 s)`. */
    readonly label = `the deadline (${formatSeconds(budgetMs)})`,
  ) {
    this.endMs = performance.now() + Math.max(0, budgetMs);
    this.signal = AbortSignal.timeout(Math.max(0, Math.min(budgetMs, 2 ** 31 - 1)));
  }

  remainingMs(): number {
    return Math.max(0, this.endMs - performance.now());
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** Ms used since it was set. */
  elapsedMs(): number {
    return this.budgetMs - (this.endMs - performance.now());
  }
}

/** Thrown when work stops because its deadline passed. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/** Resolves or rejects like `work`, but rejects with a DeadlineError once the deadline passes (even if `work` never settles). */
export async function beforeDeadline<T>(work: Promise<T>, deadline: Deadline | undefined, what: string): Promise<T> {
  if (!deadline) return work;
  if (deadline.signal.aborted) throw new DeadlineError(`${what}: stopped at ${deadline.label}`);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new DeadlineError(`${what}: stopped at ${deadline.label}`));
    deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    deadline.signal.removeEventListener('abort', onAbort);
  }
}

/** True for the error an SDK call rejects with once its abort signal fired. */
export function isAbort(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'AbortError' || name === 'DeadlineError';
}

export function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 100) / 10} s`;
}
