import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_REFERENCE_PATH, configReferenceRows, renderConfigReference } from '../scripts/config-reference';

describe('the configuration reference (docs/monitoring/CONFIG_REFERENCE.md)', () => {
  it('is what the schema generates now (run `npm run -s docs:config` after changing lib/config/schema.ts)', () => {
    expect(readFileSync(CONFIG_REFERENCE_PATH, 'utf8')).toBe(renderConfigReference());
  });

  it('gives every key a meaning, and the defaults of the default configuration', () => {
    const rows = configReferenceRows();
    expect(rows.length).toBeGreaterThan(60);
    expect(rows.filter((r) => r.doc.trim() === '').map((r) => r.path)).toEqual([]);
    const byPath = new Map(rows.map((r) => [r.path, r]));
    expect(byPath.get('monthlyBudgetUsd')).toMatchObject({ type: 'number', defaultText: '`150`' });
    expect(byPath.get('s3.enabled')).toMatchObject({ type: 'true / false', defaultText: '`true`' });
    expect(byPath.get('s3.scanMode')?.type).toBe('one of `list`, `inventory`');
    expect(byPath.get('runbookBaseUrl')?.doc).toMatch(/alarm descriptions link to/);
    expect(byPath.has('s3.buckets[].name')).toBe(true);
  });
});
