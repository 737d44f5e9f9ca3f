import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { collectDims } from '../lib/collectors/dims';
import { parseConfig } from '../lib/config/load';
import { datumToJsonLine } from '../lib/publisher/datum';

const TEXT = readFileSync(join(import.meta.dirname, 'fixtures', 'dims', 'metrics.yaml'), 'utf8');
const WHERE = 's3://lake/inventory/metrics.yaml';
const NOW = new Date('2025-11-08T06:00:00Z');

function ctx(overrides: Record<string, unknown> = {}, now = NOW) {
  const config = parseConfig(overrides);
  return { config, catalog: createCatalog(config), now };
}

describe('DIMS collector on the fixture', () => {
  it('publishes the core metrics at their last_verified, verification age and drift', () => {
    const out = collectDims({ location: WHERE, text: TEXT, liveObjectCount: 180_000 }, ctx());
    expect(out.problems).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(out.datums.map(datumToJsonLine)).toEqual([
      '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_S3Objects","Value":172975,"Unit":"Count","Dimensions":[{"Name":"Source","Value":"DIMS"}],"Timestamp":"2025-11-06T14:32:14.608Z"}',
      '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_S3SizeGB","Value":119.33,"Unit":"Gigabytes","Dimensions":[{"Name":"Source","Value":"DIMS"}],"Timestamp":"2025-11-06T14:42:35.558Z"}',
      '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_PythonFiles","Value":1746,"Unit":"Count","Timestamp":"2025-11-08T01:02:06.752Z"}',
      '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_TestFiles","Value":586,"Unit":"Count","Timestamp":"2025-11-07T00:20:50.343Z"}',
      // newest last_verified: basketball_reference_data.oldest_data_days 2025-11-08T01:02:09.414967Z -> 4 h 57 min 50.6 s
      '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_VerificationAgeHours","Value":4.96,"Unit":"None","Timestamp":"2025-11-08T06:00:00.000Z"}',
      // |180000 - 172975| / 172975 * 100 = 4.0613
      '{"Namespace":"NBA-Simulator/DIMS","MetricName":"DIMS_S3ObjectsDriftPct","Value":4.06,"Unit":"Percent","Timestamp":"2025-11-08T06:00:00.000Z"}',
    ]);
  });

  it('skips entries with no value, string values and nested maps with a debug line, never an error', () => {
    const out = collectDims({ location: WHERE, text: TEXT, liveObjectCount: 172_975 }, ctx());
    expect(out.problems).toEqual([]);
    expect(out.debug).toContain('sync_status.local_s3_sync_status: value "unavailable" is not a number; skipped');
    expect(out.debug).toContain('prediction_system.scripts: no value (nested map); skipped');
    expect(out.debug).toContain('code_quality.path_references.health_status: value "unknown" is not a number; skipped');
    expect(out.datums.find((d) => d.MetricName === 'DIMS_S3ObjectsDriftPct')?.Value).toBe(0);
  });

  it('publishes configured extra metrics under their catalog name; unusable ones are warnings', () => {
    const out = collectDims(
      { location: WHERE, text: TEXT },
      ctx({ dims: { extraMetrics: ['code_base.ml_scripts', 'sync_status.local_s3_sync_status', 'nope.thing'] } }),
    );
    const extra = out.datums.find((d) => d.MetricName === 'DIMS_CodeBaseMlScripts');
    expect(extra).toMatchObject({ Value: 72, Unit: 'None', Timestamp: new Date('2025-11-07T00:20:49.782Z') });
    expect(out.warnings).toEqual([
      `${WHERE}: "sync_status.local_s3_sync_status.value" must be a number, got "unavailable" (listed in dims.extraMetrics); not published`,
      `${WHERE}: missing key "nope" (listed in dims.extraMetrics); not published`,
      'DIMS_S3ObjectsDriftPct skipped: no live S3 object count',
    ]);
    expect(out.problems).toEqual([]);
  });

  it('without a live count, drift is skipped with the reason given', () => {
    const out = collectDims({ location: WHERE, text: TEXT, liveCountUnavailable: '--dry-run without --live-count' }, ctx());
    expect(out.datums.some((d) => d.MetricName === 'DIMS_S3ObjectsDriftPct')).toBe(false);
    expect(out.warnings).toEqual(['DIMS_S3ObjectsDriftPct skipped: --dry-run without --live-count']);
  });

  it('entries verified more than 14 days ago are timestamped now (CloudWatch would reject the old instant)', () => {
    const later = new Date('2025-12-01T00:00:00Z');
    const out = collectDims({ location: WHERE, text: TEXT }, ctx({}, later));
    expect(out.datums.find((d) => d.MetricName === 'DIMS_S3Objects')?.Timestamp).toEqual(later);
  });
});

describe('DIMS collector on bad input', () => {
  it('malformed YAML is a fatal problem naming the file and the line', () => {
    const out = collectDims({ location: WHERE, text: 's3_storage:\n  total_objects: {value: 1\n  bad: [' }, ctx());
    expect(out.datums).toEqual([]);
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]).toMatchObject({ fatal: true, source: WHERE });
    expect(out.problems[0]!.message).toMatch(/^s3:\/\/lake\/inventory\/metrics.yaml is not valid YAML at line \d+, column \d+: /);
  });

  it('a document that is not a map is fatal', () => {
    const out = collectDims({ location: 'metrics.yaml', text: '- 1\n- 2\n' }, ctx());
    expect(out.problems[0]).toMatchObject({ fatal: true, message: 'metrics.yaml must hold a YAML map of categories, got a list' });
  });

  it('missing required keys and wrong types are problems naming the key; the rest is published', () => {
    const text = [
      's3_storage:',
      '  total_objects:',
      '    value: lots',
      "    last_verified: '2025-11-08T00:00:00Z'",
      'code_base:',
      '  python_files:',
      '    value: .nan',
      "    last_verified: '2025-11-08T00:00:00Z'",
      '  test_files:',
      '    value: 12',
      "    last_verified: '2025-11-08T01:00:00Z'",
    ].join('\n');
    const out = collectDims({ location: 'metrics.yaml', text, liveObjectCount: 10 }, ctx());
    expect(out.problems.map((p) => [p.message, p.fatal])).toEqual([
      ['metrics.yaml: "s3_storage.total_objects.value" must be a number, got "lots"', false],
      ['metrics.yaml: missing key "s3_storage.total_size_gb" (or its "value")', false],
      ['metrics.yaml: "code_base.python_files.value" must be a number, got NaN', false],
    ]);
    expect(out.datums.map((d) => `${d.MetricName}=${d.Value}`)).toEqual(['DIMS_TestFiles=12', 'DIMS_VerificationAgeHours=5']);
    expect(out.warnings).toEqual(['DIMS_S3ObjectsDriftPct skipped: the inventory has no numeric s3_storage.total_objects']);
  });

  it('no last_verified anywhere is a problem; DIMS count 0 skips drift', () => {
    const text = 's3_storage:\n  total_objects:\n    value: 0\n';
    const out = collectDims({ location: 'm.yaml', text, liveObjectCount: 5 }, ctx());
    expect(out.problems.map((p) => p.message)).toContain('m.yaml: no entry has a valid last_verified timestamp');
    expect(out.warnings).toContain('DIMS_S3ObjectsDriftPct skipped: DIMS records 0 objects (drift is relative to it)');
  });
});
