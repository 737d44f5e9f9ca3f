import { Duration, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CatalogError, createCatalog } from '../lib/catalog/catalog';
import { parseConfig } from '../lib/config/load';
import { catalogMetric } from '../lib/constructs/catalog-metric';

const config = parseConfig({});
const catalog = createCatalog(config);

describe('metric catalog invariants', () => {
  it('declares every metric name once, with a namespace under the prefix and known dimension names', () => {
    const names = catalog.all().map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of catalog.all()) {
      expect(m.namespace).toBe(`NBA-Simulator/${m.group}`);
      expect(new Set(m.dimensions).size).toBe(m.dimensions.length);
      expect(m.description.length).toBeGreaterThan(10);
      for (const fixed of Object.keys(m.fixedDimensions ?? {})) expect(m.dimensions).toContain(fixed);
    }
  });

  it('keeps the seed names, namespaces, units and dimensions users already have', () => {
    const expected: Array<[string, string, string, string[]]> = [
      ['S3ObjectCount', 'NBA-Simulator/DataCollection', 'Count', ['Bucket']],
      ['S3TotalSizeGB', 'NBA-Simulator/DataCollection', 'Gigabytes', ['Bucket']],
      ['S3UploadFailures', 'NBA-Simulator/DataCollection', 'Count', []],
      ['ADCETasksCompleted', 'NBA-Simulator/ADCE', 'Count', []],
      ['ADCETasksFailed', 'NBA-Simulator/ADCE', 'Count', []],
      ['ADCEQueueDepth', 'NBA-Simulator/ADCE', 'Count', []],
      ['ADCESuccessRate', 'NBA-Simulator/ADCE', 'Percent', []],
      ['DataExtractionDuration', 'NBA-Simulator/Performance', 'Seconds', ['Status']],
      ['S3UploadDuration', 'NBA-Simulator/Performance', 'Seconds', ['Status']],
      ['ValidationDuration', 'NBA-Simulator/Performance', 'Seconds', ['Status']],
      ['MonthlyAWSCost', 'NBA-Simulator/Costs', 'None', []],
      ['BudgetUtilization', 'NBA-Simulator/Costs', 'Percent', []],
      ['ValidationPassRate', 'NBA-Simulator/DataQuality', 'Percent', []],
      ['DIMS_S3Objects', 'NBA-Simulator/DIMS', 'Count', ['Source']],
      ['DIMS_S3SizeGB', 'NBA-Simulator/DIMS', 'Gigabytes', ['Source']],
      ['DIMS_PythonFiles', 'NBA-Simulator/DIMS', 'Count', []],
      ['DIMS_TestFiles', 'NBA-Simulator/DIMS', 'Count', []],
    ];
    for (const [name, namespace, unit, dimensions] of expected) {
      const m = catalog.get(name);
      expect({ name, namespace: m.namespace, unit: m.unit, dimensions: [...m.dimensions] }).toEqual({ name, namespace, unit, dimensions });
    }
  });

  it('follows the namespace prefix of the config', () => {
    expect(createCatalog(parseConfig({ namespacePrefix: 'Acme/Lake' })).get('ADCESuccessRate').namespace).toBe('Acme/Lake/ADCE');
  });
});

describe('catalogMetric: the seed trap is impossible', () => {
  it('refuses S3ObjectCount without its Bucket dimension (the seed dashboard bug)', () => {
    expect(() => catalogMetric(catalog, 'S3ObjectCount', {})).toThrow(CatalogError);
    expect(() => catalogMetric(catalog, 'S3ObjectCount', {})).toThrow(/dimensions \[Bucket\], got \[\]/);
  });

  it('refuses extra or misspelled dimensions, undeclared names and wrong fixed values', () => {
    expect(() => catalogMetric(catalog, 'S3ObjectCount', { Bucket: 'b', Prefix: 'x/' })).toThrow(/\[Bucket\], got \[Bucket, Prefix\]/);
    expect(() => catalogMetric(catalog, 'S3ObjectCount', { bucket: 'b' })).toThrow(/got \[bucket\]/);
    expect(() => catalogMetric(catalog, 'ADCESuccessRate', { Bucket: 'b' })).toThrow(/has dimensions \[\], got \[Bucket\]/);
    expect(() => catalogMetric(catalog, 'S3ObjectCnt', { Bucket: 'b' })).toThrow(/"S3ObjectCnt" is not in the catalog/);
    expect(() => catalogMetric(catalog, 'DIMS_S3Objects', { Source: 'S3' })).toThrow(/always "DIMS"/);
    expect(() => catalogMetric(catalog, 'S3ObjectCount', { Bucket: '' })).toThrow(/non-empty string/);
  });

  it('builds the metric with the catalog namespace, statistic and exact dimensions (fixed ones filled in)', () => {
    const stack = new Stack();
    const m = catalogMetric(catalog, 'S3ObjectCount', { Bucket: 'lake' }).toMetricConfig().metricStat!;
    expect(m).toMatchObject({ namespace: 'NBA-Simulator/DataCollection', metricName: 'S3ObjectCount', statistic: 'Maximum' });
    expect(m.dimensions).toEqual([{ name: 'Bucket', value: 'lake' }]);
    expect(m.period.toSeconds()).toBe(7200); // one run of the S3 publisher (every 2 h by default)
    expect(m.unitFilter).toBeUndefined();

    const dims = catalogMetric(catalog, 'DIMS_S3Objects', {}, { statistic: 'Average', period: Duration.hours(6) });
    expect(dims.dimensions).toEqual({ Source: 'DIMS' });
    expect(stack.resolve(dims.statistic)).toBe('Average');
    expect(dims.period.toMinutes()).toBe(360);
  });

  it('gives datums and CDK metrics the same dimensions, in the declared order', () => {
    const datum = catalog.datum('S3ObjectCount', 1, { Bucket: 'lake' }, new Date(0));
    const metric = catalogMetric(catalog, 'S3ObjectCount', { Bucket: 'lake' });
    expect(datum.Dimensions).toEqual([{ Name: 'Bucket', Value: 'lake' }]);
    expect(Object.keys(metric.dimensions ?? {})).toEqual(datum.Dimensions!.map((d) => d.Name));
    const durationDatum = catalog.datum('S3UploadDuration', 2.5, { Status: 'failure' }, new Date(0));
    expect(durationDatum).toMatchObject({ Namespace: 'NBA-Simulator/Performance', Unit: 'Seconds', Dimensions: [{ Name: 'Status', Value: 'failure' }] });
  });
});

describe('allowed dimension values and operation durations', () => {
  it('accepts only the declared Status values of <Operation>Duration and says which ones', () => {
    const metric = catalog.get('ValidationDuration');
    expect(metric.dimensionValues).toEqual({ Status: ['success', 'failure'] });
    expect(catalog.datum('ValidationDuration', 1.5, { Status: 'failure' }).Dimensions).toEqual([{ Name: 'Status', Value: 'failure' }]);
    expect(() => catalog.datum('ValidationDuration', 1.5, { Status: 'Success' })).toThrow(CatalogError);
    expect(() => catalog.datum('ValidationDuration', 1.5, { Status: 'ok' })).toThrow(
      'Dimension Status of ValidationDuration must be "success" or "failure", got "ok".',
    );
  });

  it('operationDuration resolves configured and unconfigured operations in Performance, and refuses invalid names', () => {
    expect(catalog.operationDuration('Validation')).toBe(catalog.get('ValidationDuration'));
    const adHoc = catalog.operationDuration('NightlyExport');
    expect(adHoc).toMatchObject({ name: 'NightlyExportDuration', namespace: 'NBA-Simulator/Performance', unit: 'Seconds', dimensions: ['Status'] });
    expect(adHoc?.dimensionValues?.Status).toEqual(['success', 'failure']);
    expect(catalog.operationDuration('9lives')).toBeUndefined();
    expect(catalog.operationDuration('bad-name')).toBeUndefined();
  });

  it('findByName finds declared metrics in any namespace and <Operation>Duration of valid names only', () => {
    expect(catalog.findByName('S3UploadFailures')?.namespace).toBe('NBA-Simulator/DataCollection');
    expect(catalog.findByName('LoadDuration')?.namespace).toBe('NBA-Simulator/Performance');
    expect(catalog.findByName('Duration')).toBeUndefined();
    expect(catalog.findByName('Bad-OpDuration')).toBeUndefined();
    expect(catalog.findByName('S3UploadFailure')).toBeUndefined();
    // find keeps the namespace check on top of findByName.
    expect(catalog.find('NBA-Simulator/Performance', 'S3UploadFailures')).toBeUndefined();
  });
});
