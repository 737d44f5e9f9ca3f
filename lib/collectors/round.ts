/** Rounds to two decimals (cents, percentages, hours): what the datums and summaries report. */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
