import { LineCounter, type Node, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { dimsExtraMetricName, type MetricCatalog } from '../catalog/catalog';
import { MAX_AGE_MS, MAX_FUTURE_MS, type MetricDatum } from '../catalog/datum';
import type { MonitoringConfig } from '../config/schema';
import type { Problem } from '../jobs/job';
import { aheadText, checkAge } from './age';
import { describeValue } from './json-document';
import { parseNaiveTimestamp } from './naive-time';
import { round2 } from './round';

/** Aliases expanded at most; more is how a YAML "billion laughs" document exhausts memory. */
const MAX_ALIAS_COUNT = 100;

/**
 * DIMS collector (pure): the DIMS inventory YAML (`inventory/metrics.yaml`) in, datums out.
 * Each metric entry is a map with `value` and `last_verified`; a datum is timestamped at its
 * entry's `last_verified` when CloudWatch still accepts that instant, else at `now`.
 */

export interface DimsInput {
  /** `s3://bucket/key` or a file path: named in every problem. */
  readonly location: string;
  readonly text: string;
  /** Live object count of the data-lake bucket (S3 publisher's latest datum); undefined: no drift. */
  readonly liveObjectCount?: number;
  /** Why there is no live count, for the warning. */
  readonly liveCountUnavailable?: string;
}

export interface DimsCollectorContext {
  readonly config: MonitoringConfig;
  readonly catalog: MetricCatalog;
  readonly now: Date;
}

export interface DimsOutput {
  readonly datums: MetricDatum[];
  readonly problems: Problem[];
  /** Things worth a warning that are not errors (e.g. drift skipped). */
  readonly warnings: string[];
  /** Entries skipped as not numeric (no value, string value, nested map): debug lines. */
  readonly debug: string[];
}

/** Core metrics: catalog name -> `category.metric` in the inventory. */
export const DIMS_CORE = {
  DIMS_S3Objects: 's3_storage.total_objects',
  DIMS_S3SizeGB: 's3_storage.total_size_gb',
  DIMS_PythonFiles: 'code_base.python_files',
  DIMS_TestFiles: 'code_base.test_files',
} as const;

interface Entry {
  readonly value: unknown;
  readonly lastVerified?: Date;
}

export function collectDims(input: DimsInput, ctx: DimsCollectorContext): DimsOutput {
  const { catalog, now, config } = ctx;
  const datums: MetricDatum[] = [];
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const debug: string[] = [];
  const where = input.location;

  // Duplicate keys are found below (to name them and keep the rest), not refused by the parser.
  const lineCounter = new LineCounter();
  const doc = parseDocument(input.text, { uniqueKeys: false, lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    problems.push({ source: where, message: `${where} is not valid YAML${line}: ${e.message.split('\n')[0]}`, fatal: true });
    return { datums, problems, warnings, debug };
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const why = /alias/i.test((err as Error).message)
      ? `it expands more than ${MAX_ALIAS_COUNT} YAML aliases (*name), which is how a document exhausts memory; write the values out`
      : (err as Error).message;
    problems.push({ source: where, message: `${where} cannot be read: ${why}`, fatal: true });
    return { datums, problems, warnings, debug };
  }
  const duplicates = duplicateKeys(doc.contents, lineCounter);
  for (const d of duplicates) {
    problems.push({ source: where, message: `${where}: key "${d.path}" appears ${d.lines.length} times (lines ${d.lines.join(', ')}); its value is ambiguous, so entries under it are not published`, fatal: false });
  }
  const ambiguous = (path: string) => duplicates.some((d) => d.path === path || d.path.startsWith(`${path}.`) || path.startsWith(`${d.path}.`));
  if (!isRecord(root)) {
    problems.push({ source: where, message: `${where} must hold a YAML map of categories, got ${describe(root)}`, fatal: true });
    return { datums, problems, warnings, debug };
  }

  // Every entry, for skipped-entry debug lines and the newest last_verified.
  const entries = new Map<string, Entry>();
  let newestVerified: Date | undefined;
  // A last_verified in the future is wrong data: never the newest (the age would be negative).
  const noteVerified = (raw: unknown, at: string) => {
    const t = typeof raw === 'string' ? parseNaiveTimestamp(raw, 'UTC') : raw instanceof Date ? raw : undefined;
    if (!t) return undefined;
    const age = checkAge(t, now);
    if (age.kind === 'future') {
      problems.push({ source: where, message: `${where}: ${at}.last_verified ${t.toISOString()} is ${aheadText(age.aheadMs)} in the future; it is not used for DIMS_VerificationAgeHours`, fatal: false });
      return undefined;
    }
    if (!newestVerified || t > newestVerified) newestVerified = t;
    return t;
  };
  noteVerified(isRecord(root.metadata) ? root.metadata.last_verified : undefined, 'metadata');
  const walk = (node: Record<string, unknown>, path: string[]) => {
    for (const [key, child] of Object.entries(node)) {
      const at = [...path, key].join('.');
      if (path.length === 0 && key === 'metadata') continue;
      if (!isRecord(child)) continue; // scalars/lists are attributes of an entry, not entries
      if (ambiguous(at) && 'value' in child) continue;
      if ('value' in child) {
        const lastVerified = noteVerified(child.last_verified, at);
        entries.set(at, { value: child.value, lastVerified });
        if (typeof child.value !== 'number') debug.push(`${at}: value ${describe(child.value)} is not a number; skipped`);
      } else {
        debug.push(`${at}: no value (nested map); skipped`);
        walk(child, [...path, key]);
      }
    }
  };
  walk(root, []);

  const at = (entry: Entry | undefined) => {
    const t = entry?.lastVerified;
    return t && now.getTime() - t.getTime() <= MAX_AGE_MS && t.getTime() - now.getTime() <= MAX_FUTURE_MS ? t : now;
  };
  const numeric = (path: string, required: boolean): { value: number; entry: Entry } | undefined => {
    const entry = entries.get(path);
    const [category] = path.split('.');
    if (ambiguous(path)) return undefined; // named once above
    if (!entry) {
      const why = !(category! in root) ? `missing key "${category}"` : `missing key "${path}" (or its "value")`;
      if (required) problems.push({ source: where, message: `${where}: ${why}`, fatal: false });
      else warnings.push(`${where}: ${why} (listed in dims.extraMetrics); not published`);
      return undefined;
    }
    if (typeof entry.value === 'number' && entry.value < 0) {
      // Counts and sizes below zero defeat every alarm on them (a drift of -200 % never fires).
      problems.push({ source: where, message: `${where}: "${path}.value" must be a number >= 0 (a count or size), got ${entry.value}; not published`, fatal: false });
      return undefined;
    }
    if (typeof entry.value !== 'number' || !Number.isFinite(entry.value)) {
      const why = `"${path}.value" must be a number, got ${describe(entry.value)}`;
      if (required) problems.push({ source: where, message: `${where}: ${why}`, fatal: false });
      else warnings.push(`${where}: ${why} (listed in dims.extraMetrics); not published`);
      return undefined;
    }
    return { value: entry.value, entry };
  };

  let dimsObjects: number | undefined;
  for (const [name, path] of Object.entries(DIMS_CORE)) {
    const found = numeric(path, true);
    if (!found) continue;
    if (name === 'DIMS_S3Objects') dimsObjects = found.value;
    datums.push(catalog.datum(name, found.value, {}, at(found.entry)));
  }
  for (const path of config.dims.extraMetrics) {
    const found = numeric(path, false);
    if (found) datums.push(catalog.datum(dimsExtraMetricName(path), found.value, {}, at(found.entry)));
  }

  if (newestVerified) {
    const age = checkAge(newestVerified, now);
    if (age.kind === 'skew') warnings.push(`${where}: the newest last_verified is ${Math.round(age.aheadMs / 1000)} s ahead of this clock (clock skew); verification age published as 0`);
    if (age.kind !== 'future') datums.push(catalog.datum('DIMS_VerificationAgeHours', round2(age.ageMs / 3_600_000), {}, now));
  } else {
    problems.push({ source: where, message: `${where}: no entry has a valid last_verified timestamp`, fatal: false });
  }

  if (input.liveObjectCount === undefined) {
    warnings.push(`DIMS_S3ObjectsDriftPct skipped: ${input.liveCountUnavailable ?? 'no live S3 object count'}`);
  } else if (dimsObjects === undefined) {
    warnings.push('DIMS_S3ObjectsDriftPct skipped: the inventory has no numeric s3_storage.total_objects');
  } else if (dimsObjects === 0) {
    warnings.push('DIMS_S3ObjectsDriftPct skipped: DIMS records 0 objects (drift is relative to it)');
  } else {
    // DIMS's own rule: |actual - documented| / documented * 100.
    const drift = (Math.abs(input.liveObjectCount - dimsObjects) / dimsObjects) * 100;
    datums.push(catalog.datum('DIMS_S3ObjectsDriftPct', round2(drift), {}, now));
  }
  return { datums, problems, warnings, debug };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}...` : v);
  return describeValue(v);
}

/** Keys written twice in one map, with every line they are on (paths like `s3_storage.total_objects`). */
function duplicateKeys(node: Node | null, lines: LineCounter, path: string[] = []): Array<{ path: string; lines: number[] }> {
  const out: Array<{ path: string; lines: number[] }> = [];
  if (isMap(node)) {
    const seen = new Map<string, number[]>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const offset = (pair.key as Node | null)?.range?.[0];
      const at = seen.get(key) ?? [];
      at.push(offset === undefined ? 0 : lines.linePos(offset).line);
      seen.set(key, at);
      out.push(...duplicateKeys(pair.value as Node | null, lines, [...path, key]));
    }
    for (const [key, at] of seen) if (at.length > 1) out.push({ path: [...path, key].join('.'), lines: at });
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => out.push(...duplicateKeys(item as Node | null, lines, [...path, String(i)])));
  }
  return out;
}
