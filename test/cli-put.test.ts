import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';
import { mockCloudWatch } from './support/cloudwatch-mock';
import { mockNoDeployedStack } from './support/no-deployed-stack';

// The stack is not deployed: commands fall back to the local configuration.
mockNoDeployedStack();

const cloudwatch = mockCloudWatch();
const { cw, requests: sent } = cloudwatch;
const config = configFile({ pipelineOperations: ['DataExtraction', 'Validation'] });
const put = (...args: string[]) => ['--config', config, 'put', ...args];

describe('monitor put', () => {
  beforeEach(() => {
    cloudwatch.reset();
  });

  it('sends one datum of a pipeline metric with the catalog namespace and unit', async () => {
    const io = captureIO();
    expect(await main(put('--metric', 'S3UploadFailures', '--value', '3'), io)).toBe(0);
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.Namespace).toBe('NBA-Simulator/DataCollection');
    expect(sent()[0]!.MetricData).toEqual([expect.objectContaining({ MetricName: 'S3UploadFailures', Value: 3, Unit: 'Count' })]);
    expect(sent()[0]!.MetricData![0]!.Dimensions).toBeUndefined();
    expect(io.stdout).toMatch(/sent 1 of 1 datum/);
  });

  it('refuses an undeclared metric, suggests the closest name and sends nothing', async () => {
    const io = captureIO();
    expect(await main(put('--metric', 'S3UploadFailure', '--value', '1'), io)).toBe(2);
    expect(io.stderr).toMatch(/metric "S3UploadFailure" is not in the catalog\. Did you mean S3UploadFailures\?/);
    expect(io.stderr).toMatch(/Pipeline metrics: S3UploadFailures, ValidationPassRate/);
    expect(sent()).toHaveLength(0);
  });

  it('refuses a unit other than the declared one and names the declared unit', async () => {
    const io = captureIO();
    expect(await main(put('--metric', 'ValidationPassRate', '--value', '97', '--unit', 'Count'), io)).toBe(2);
    expect(io.stderr).toMatch(/ValidationPassRate is declared with unit Percent, got Count/);
    expect(sent()).toHaveLength(0);
  });

  it.each([
    [['--metric', 'S3UploadFailures', '--value', '1', '--dimension', 'Bucket=lake'], /S3UploadFailures takes no dimensions; got \[Bucket\], not declared: Bucket/],
    [['--metric', 'ValidationDuration', '--value', '1'], /ValidationDuration takes exactly --dimension Status=<value> \(Status is success or failure\); got \[\], missing: Status/],
    [['--metric', 'ValidationDuration', '--value', '1', '--dimension', 'Status=Success'], /Status of ValidationDuration must be "success" or "failure", got "Success"/],
    [['--metric', 'ValidationPassRate', '--value', 'NaN'], /--value "NaN" is not a number/],
    [['--metric', 'ValidationPassRate', '--value', '1', '--timestamp', '2001-01-01T00:00:00Z'], /more than 14 days old/],
    [['--metric', 'S3ObjectCount', '--value', '5', '--dimension', 'Bucket=nba-sim-raw-data-lake'], /S3ObjectCount is sent by the s3 publisher \(every 120 min\).*--force/],
  ])('refuses %j with a message that says what was expected', async (args, message) => {
    const io = captureIO();
    expect(await main(put(...args), io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(sent()).toHaveLength(0);
  });

  it('accepts a publisher metric with --force (deliberate backfill)', async () => {
    const io = captureIO();
    expect(await main(put('--metric', 'S3ObjectCount', '--value', '5', '--dimension', 'Bucket=nba-sim-raw-data-lake', '--force'), io)).toBe(0);
    expect(sent()[0]!.MetricData![0]!.Dimensions).toEqual([{ Name: 'Bucket', Value: 'nba-sim-raw-data-lake' }]);
  });

  it('sends the good JSON lines from stdin in batches and reports each bad line by number', async () => {
    const good = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ metric: 'DataExtractionDuration', value: i, dimensions: { Status: 'success' } }));
    const stdin = [
      JSON.stringify({ metric: 'ValidationPassRate', value: 99.5 }),
      '{ not json',
      JSON.stringify({ metric: 'ValidationPasRate', value: 1 }),
      ...good,
      JSON.stringify({ metric: 'S3UploadFailures', value: '2' }),
    ].join('\n');
    const io = captureIO({ stdin });
    expect(await main(put('--stdin'), io)).toBe(1);
    expect(io.stderr).toMatch(/stdin line 2: not valid JSON/);
    expect(io.stderr).toMatch(/stdin line 3: metric "ValidationPasRate" is not in the catalog\. Did you mean ValidationPassRate\?/);
    expect(io.stderr).toMatch(/stdin line 1504: "value" of S3UploadFailures must be a JSON number/);
    const calls = sent();
    expect(calls.map((c) => c.Namespace).sort()).toEqual(['NBA-Simulator/DataQuality', 'NBA-Simulator/Performance', 'NBA-Simulator/Performance']);
    const perf = calls.filter((c) => c.Namespace === 'NBA-Simulator/Performance');
    expect(perf.map((c) => c.MetricData!.length).sort()).toEqual([1000, 500].sort());
    expect(io.stdout).toMatch(/sent 1501 of 1504 datum/);
  });

  it('reads back its own --dry-run output (PutMetricData field names) from stdin', async () => {
    const dry = captureIO();
    expect(await main(put('--metric', 'DataExtractionDuration', '--value', '42.5', '--dimension', 'Status=failure', '--dry-run'), dry)).toBe(0);
    expect(sent()).toHaveLength(0);
    const line = JSON.parse(dry.stdout);
    expect(line).toMatchObject({ Namespace: 'NBA-Simulator/Performance', MetricName: 'DataExtractionDuration', Value: 42.5, Unit: 'Seconds' });

    const io = captureIO({ stdin: dry.stdout });
    expect(await main(put('--stdin', '--json'), io)).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({ sent: 1, requests: 1, invalid: [], failed: [] });
    expect(sent()[0]!.MetricData![0]).toMatchObject({ MetricName: 'DataExtractionDuration', Value: 42.5, Dimensions: [{ Name: 'Status', Value: 'failure' }] });
    expect((sent()[0]!.MetricData![0]!.Timestamp as Date).toISOString()).toBe(line.Timestamp);
  });

  it('exits 1 and names the error when CloudWatch refuses the request', async () => {
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const io = captureIO();
    expect(await main(put('--metric', 'ValidationPassRate', '--value', '90'), io)).toBe(1);
    expect(io.stderr).toMatch(/not sent: ValidationPassRate: AccessDenied \(HTTP 403\): not authorized/);
  });

  it('shows help with the examples', async () => {
    const io = captureIO();
    expect(await main(['put', '--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/--dimension <name=value>/);
    expect(io.stdout).toMatch(/monitor put --stdin/);
  });
});
