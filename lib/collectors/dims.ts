import { parseDocument } from 'yaml';
import { dimsExtraMetricName, type MetricCatalog } from '../catalog/catalog';
import { MAX_AGE_MS, MAX_FUTURE_MS, type MetricDatum } from '../catalog/datum';
import type { MonitoringConfig } from '../config/schema';
import type { Problem } from '../jobs/job';
import { parseNaiveTimestamp } from './naive-time';
import { round2 } from './round';

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

  const doc = parseDocument(input.text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    problems.push({ source: where, message: `${where} is not valid YAML${line}: ${e.message.split('\n')[0]}`, fatal: true });
    return { datums, problems, warnings, debug };
  }
  const root: unknown = doc.toJS();
  if (!isRecord(root)) {
    problems.push({ source: where, message: `${where} must hold a YAML map of categories, got ${describe(root)}`, fatal: true });
    return { datums, problems, warnings, debug };
  }

  // Every entry, for skipped-entry debug lines and the newest last_verified.
  const entries = new Map<string, Entry>();
  let newestVerified: Date | undefined;
  const noteVerified = (raw: unknown) => {
    const t = typeof raw === 'string' ? parseNaiveTimestamp(raw, 'UTC') : raw instanceof Date ? raw : undefined;
    if (t && (!newestVerified || t > newestVerified)) newestVerified = t;
    return t;
  };
  noteVerified(isRecord(root.metadata) ? root.metadata.last_verified : undefined);
  const walk = (node: Record<string, unknown>, path: string[]) => {
    for (const [key, child] of Object.entries(node)) {
      const at = [...path, key].join('.');
      if (path.length === 0 && key === 'metadata') continue;
      if (!isRecord(child)) continue; // scalars/lists are attributes of an entry, not entries
      if ('value' in child) {
        const lastVerified = noteVerified(child.last_verified);
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
    if (!entry) {
      const why = !(category! in root) ? `missing key "${category}"` : `missing key "${path}" (or its "value")`;
      if (required) problems.push({ source: where, message: `${where}: ${why}`, fatal: false });
      else warnings.push(`${where}: ${why} (listed in dims.extraMetrics); not published`);
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
    datums.push(catalog.datum('DIMS_VerificationAgeHours', round2((now.getTime() - newestVerified.getTime()) / 3_600_000), {}, now));
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
  if (v === undefined) return '(missing)';
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a map';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}
