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
