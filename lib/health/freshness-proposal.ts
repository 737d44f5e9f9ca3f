/**
 * Proposes a freshness threshold for one data source from when its recent objects arrived
 * (pure: arrival times in, a threshold and the reasoning out). Used by `monitor init --inspect`.
 *
 * The rule, stated so users can check it:
 * 1. objects written within `batchWindowMinutes` of each other are one arrival (an upload run
 *    writes many objects at once);
 * 2. the gaps between consecutive arrivals are the source's rhythm; the 90th percentile gap is
 *    what "late" is measured against (one unusually long pause does not set the threshold);
 * 3. threshold = 1.5 x that gap, rounded up to whole hours, at least `minHours` (an hourly check
 *    must not flap), at most `maxHours`;
 * 4. fewer than `minGaps` gaps: not enough history; the default threshold is kept, and said so.
 */

export interface ProposalOptions {
  /** @default 10 */
  readonly batchWindowMinutes?: number;
  /** @default 3 */
  readonly minGaps?: number;
  /** @default 2 */
  readonly minHours?: number;
  /** @default 720 (30 days) */
  readonly maxHours?: number;
  /** Kept when there is too little history. */
  readonly defaultHours: number;
}

export interface FreshnessProposal {
  readonly thresholdHours: number;
  /** False when the default was kept (too little history). */
  readonly fromData: boolean;
  readonly arrivals: number;
  /** Hours; undefined without gaps. */
  readonly medianGapHours?: number;
  readonly p90GapHours?: number;
  /** Hours since the newest object; undefined without objects. */
  readonly newestAgeHours?: number;
  /** One sentence: how the threshold was chosen, and whether the source is already stale. */
  readonly reason: string;
}

const HOUR = 3_600_000;

export function proposeThreshold(times: readonly Date[], now: Date, options: ProposalOptions): FreshnessProposal {
  const window = (options.batchWindowMinutes ?? 10) * 60_000;
  const minGaps = options.minGaps ?? 3;
  const minHours = options.minHours ?? 2;
  const maxHours = options.maxHours ?? 720;
  const sorted = [...times].map((t) => t.getTime()).sort((a, b) => a - b);
  const newestAgeHours = sorted.length > 0 ? round1((now.getTime() - sorted.at(-1)!) / HOUR) : undefined;

  // Arrival = first object of a run of objects each within the window of the previous one.
  const arrivals: number[] = [];
  sorted.forEach((t, i) => {
    if (i === 0 || t - sorted[i - 1]! > window) arrivals.push(t);
  });
  const gaps = arrivals.slice(1).map((t, i) => (t - arrivals[i]!) / HOUR);

  if (gaps.length < minGaps) {
    return {
      thresholdHours: options.defaultHours,
      fromData: false,
      arrivals: arrivals.length,
      newestAgeHours,
      reason: `${arrivals.length} arrival(s) seen, fewer than ${minGaps + 1} needed to judge a rhythm: default ${options.defaultHours} h kept.` + staleNote(newestAgeHours, options.defaultHours),
    };
  }
  const ordered = [...gaps].sort((a, b) => a - b);
  const p90 = quantile(ordered, 0.9);
  const median = quantile(ordered, 0.5);
  const thresholdHours = Math.min(maxHours, Math.max(minHours, Math.ceil(1.5 * p90)));
  return {
    thresholdHours,
    fromData: true,
    arrivals: arrivals.length,
    medianGapHours: round1(median),
    p90GapHours: round1(p90),
    newestAgeHours,
    reason: `${arrivals.length} arrivals, gaps median ${round1(median)} h, 90th percentile ${round1(p90)} h: 1.5 x ${round1(p90)} h rounded up = ${thresholdHours} h (bounds ${minHours}-${maxHours} h).` + staleNote(newestAgeHours, thresholdHours),
  };
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function staleNote(ageHours: number | undefined, thresholdHours: number): string {
  if (ageHours === undefined) return ' The source has no object: it will count as stale.';
  return ageHours > thresholdHours ? ` Already stale: the newest object is ${ageHours} h old.` : '';
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
