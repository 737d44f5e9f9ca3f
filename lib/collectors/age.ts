/**
 * Ages published as metrics (queue age, last-run age, verification age) are never negative: a
 * negative age reads as "just now" to every stall alarm. A timestamp a little ahead of `now` is
 * a clock difference between machines, published as age 0 with a warning; further ahead it is
 * wrong data (a wrong zone, a typo): a problem, and that timestamp is not used at all.
 */

/** How far ahead of `now` a timestamp may be and still count as clock skew. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export type AgeCheck =
  | { readonly kind: 'past'; readonly ageMs: number }
  /** Ahead by at most CLOCK_SKEW_MS: age 0. */
  | { readonly kind: 'skew'; readonly ageMs: 0; readonly aheadMs: number }
  | { readonly kind: 'future'; readonly aheadMs: number };

export function checkAge(t: Date, now: Date): AgeCheck {
  const ageMs = now.getTime() - t.getTime();
  if (ageMs >= 0) return { kind: 'past', ageMs };
  if (-ageMs <= CLOCK_SKEW_MS) return { kind: 'skew', ageMs: 0, aheadMs: -ageMs };
  return { kind: 'future', aheadMs: -ageMs };
}

/** `12 minutes`, `4.5 hours`, `27.1 days`: how far ahead, for messages. */
export function aheadText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 180) return `${Math.max(1, minutes)} minutes`;
  const hours = Math.round(ms / 360_000) / 10;
  return hours < 72 ? `${hours} hours` : `${Math.round(ms / 8_640_000) / 10} days`;
}
