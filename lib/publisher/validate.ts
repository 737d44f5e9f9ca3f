import { MAX_AGE_MS, MAX_DIMENSION_VALUE, MAX_FUTURE_MS, type MetricDatum } from '../catalog/datum';

export { MAX_AGE_MS, MAX_FUTURE_MS };

/**
 * What CloudWatch PutMetricData would reject, checked before sending so one bad datum is
 * reported on its own instead of failing the whole request (and the good datums in it).
 * Limits: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
 */

/** Smallest and largest magnitude CloudWatch accepts (0 is also accepted). */
export const MIN_MAGNITUDE = 8.515920e-109;
export const MAX_MAGNITUDE = 1.174271e108;
export const MAX_DIMENSIONS = 30;
const MAX_NAME = 255;

export const STANDARD_UNITS: ReadonlySet<string> = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits',
  'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

// Printable ASCII (CloudWatch names and dimension names are ASCII).
const ASCII = /^[\x20-\x7e]+$/;

/** Why CloudWatch would reject this datum, or undefined when it can be sent. */
export function validateDatum(datum: MetricDatum, now: Date = new Date()): string | undefined {
  const ns = datum.Namespace;
  if (typeof ns !== 'string' || ns.length === 0 || ns.length > MAX_NAME) return `Namespace must be 1-${MAX_NAME} characters, got ${show(ns)}`;
  if (!/^[A-Za-z0-9._\-/#:]+$/.test(ns)) return `Namespace ${show(ns)} may only contain letters, digits and . - _ / # :`;
  if (ns.startsWith('AWS/')) return `Namespace ${show(ns)} starts with the reserved "AWS/"`;

  const name = datum.MetricName;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_NAME) {
    return `MetricName must be 1-${MAX_NAME} characters with a non-blank one, got ${show(name)}`;
  }
  if (!ASCII.test(name)) return `MetricName ${show(name)} must be printable ASCII`;

  const value = datum.Value;
  if (typeof value !== 'number' || Number.isNaN(value)) return `Value of ${name} is not a number (${show(value)})`;
  if (!Number.isFinite(value)) return `Value of ${name} is ${value > 0 ? '+' : '-'}Infinity`;
  const magnitude = Math.abs(value);
  if (value !== 0 && (magnitude < MIN_MAGNITUDE || magnitude > MAX_MAGNITUDE)) {
    return `Value ${value} of ${name} is outside CloudWatch's range (0 or ${MIN_MAGNITUDE} to ${MAX_MAGNITUDE} in magnitude)`;
  }

  if (!STANDARD_UNITS.has(datum.Unit)) return `Unit ${show(datum.Unit)} of ${name} is not a CloudWatch standard unit`;

  const ts = datum.Timestamp;
  if (!(ts instanceof Date) || Number.isNaN(ts.getTime())) return `Timestamp of ${name} is not a valid date (${show(ts)})`;
  const age = now.getTime() - ts.getTime();
  if (age > MAX_AGE_MS) return `Timestamp ${ts.toISOString()} of ${name} is more than 14 days old (CloudWatch rejects it)`;
  if (-age > MAX_FUTURE_MS) return `Timestamp ${ts.toISOString()} of ${name} is more than 2 hours in the future (CloudWatch rejects it)`;

  const dims = datum.Dimensions ?? [];
  if (dims.length > MAX_DIMENSIONS) return `${name} has ${dims.length} dimensions; CloudWatch allows at most ${MAX_DIMENSIONS}`;
  const seen = new Set<string>();
  for (const d of dims) {
    if (typeof d?.Name !== 'string' || d.Name.trim().length === 0 || d.Name.length > MAX_NAME) {
      return `Dimension name of ${name} must be 1-${MAX_NAME} characters, got ${show(d?.Name)}`;
    }
    if (!ASCII.test(d.Name) || d.Name.startsWith(':')) return `Dimension name ${show(d.Name)} of ${name} must be ASCII and not start with ":"`;
    if (seen.has(d.Name)) return `Dimension ${d.Name} of ${name} appears twice`;
    seen.add(d.Name);
    if (typeof d.Value !== 'string' || d.Value.trim().length === 0 || d.Value.length > MAX_DIMENSION_VALUE) {
      return `Dimension ${d.Name} of ${name} must have a value of 1-${MAX_DIMENSION_VALUE} characters, got ${show(d.Value)}`;
    }
  }
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return value === undefined ? '(missing)' : String(JSON.stringify(value));
}
