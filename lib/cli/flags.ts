/** A command-line mistake: the command prints it and exits with the usage code. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The one way a numeric flag is read: a plain decimal number (so "", "abc", "NaN", "Infinity" and
 * "0x10" are refused, unlike `Number()`), optionally within [min, max]. Throws a UsageError that
 * names the flag, the text and what was expected.
 */
export function parseNumberFlag(flag: string, text: string, range: { min?: number; max?: number } = {}): number {
  const { min, max } = range;
  const expected =
    min !== undefined && max !== undefined ? `a number from ${min} to ${max}` : min !== undefined ? `a number >= ${min}` : max !== undefined ? `a number <= ${max}` : 'a number';
  if (!DECIMAL.test(text.trim())) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a number${expected === 'a number' ? '' : ` (expected ${expected})`}.`);
  const value = Number(text);
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) throw new UsageError(`${flag} ${text.trim()} must be ${expected}.`);
  return value;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
/** setTimeout's limit (about 24.8 days). */
const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * A duration flag such as `90s`, `30m`, `2h`, `1d` or `1h30m` (units ms, s, m, h, d; a unit is
 * required, so `--max-duration 2` is not silently 2 ms or 2 hours). Returns milliseconds;
 * throws a UsageError naming the flag and the text.
 */
export function parseDurationFlag(flag: string, text: string): number {
  let rest = text.trim();
  let ms = 0;
  if (rest === '') throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration (e.g. 90s, 30m, 2h, 1h30m).`);
  while (rest !== '') {
    const part = DURATION.exec(rest);
    if (!part) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration (e.g. 90s, 30m, 2h, 1h30m: a number and a unit ms, s, m, h or d).`);
    ms += Number(part[1]) * DURATION_UNITS[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  if (!(ms >= 1)) throw new UsageError(`${flag} ${text.trim()} must be at least 1 ms.`);
  if (ms > MAX_DURATION_MS) throw new UsageError(`${flag} ${text.trim()} must be at most 24d.`);
  return Math.round(ms);
}
