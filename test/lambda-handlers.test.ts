import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { BudgetsClient, DescribeBudgetCommand, NotFoundException } from '@aws-sdk/client-budgets';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../lib/config/load';
import { PublisherRunError } from '../lib/jobs/run';

const cw = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);
const ce = mockClient(CostExplorerClient);
const budgets = mockClient(BudgetsClient);
const context = { awsRequestId: 'req-1', functionName: 'fn', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '256', logGroupName: 'g', logStreamName: 's' } as unknown as Context;
const body = (text: string) => ({ Body: { transformToString: async () => text } as never, ETag: '"e1"' });
let logs: string[];

beforeEach(() => {
  cw.reset();
  s3.reset();
  ce.reset();
  budgets.reset();
  vi.resetModules();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-11-08T00:30:00Z'));
  vi.stubEnv('MONITOR_CONFIG', JSON.stringify(parseConfig({ dataLakeBucket: 'lake' })));
  vi.stubEnv('ADCE_CURSOR_BUCKET', 'state');
  vi.stubEnv('COST_BUDGET_ACCOUNT', '123456789012');
  vi.stubEnv('COST_BUDGET_NAME', 'lake-monthly-cost');
  vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
  logs = [];
  // Powertools Logger writes JSON lines to stdout/stderr through its own Console.
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) logs.push(line);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const sentNames = () => cw.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData!.map((d) => d.MetricName));

describe('publisher Lambda handlers', () => {
  it('ADCE: claims the reports with a conditional PUT, publishes, logs JSON with the request id', async () => {
    s3.on(GetObjectCommand, { Bucket: 'state' }).rejects(Object.assign(new Error('nope'), { name: 'NoSuchKey' }));
    s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'adce/gaps.json' }).resolves(body(JSON.stringify({ generated_at: '2025-11-08T00:20:00', total_tasks: 3, estimated_total_minutes: 9 })));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'adce/runs/r1.json' }], IsTruncated: false });
    s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'adce/runs/r1.json' }).resolves(body(JSON.stringify({ completed: 4, failed: 1, skipped: 0, end_time: '2025-11-08 00:25:00' })));
    s3.on(PutObjectCommand).resolves({ ETag: '"v1"' });
    cw.on(PutMetricDataCommand).resolves({});
    const { handler } = await import('../lambda/adce-publisher');
    const summary = await handler({}, context);
    // Standard profile: tasks by priority are log lines, not metrics.
    expect(summary).toEqual({ publisher: 'adce', datums: 8, sent: 8, rejected: 0, problems: 0 });
    expect(logs.map((l) => JSON.parse(l)).filter((l) => l.message === 'queue tasks by priority').map((l) => [l.priority, l.tasks])).toEqual([
      ['critical', 0], ['high', 0], ['medium', 0], ['low', 0],
    ]);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'state', Key: 'adce/cursor.json', IfNoneMatch: '*' });
    expect(sentNames()).toContain('ADCESuccessRate');
    const line = logs.map((l) => JSON.parse(l)).find((l) => l.message === 'Publisher run finished');
    expect(line).toMatchObject({ level: 'INFO', correlation_id: 'req-1', function_request_id: 'req-1', cold_start: expect.any(Boolean), sent: 8, publisher: 'adce' });
  });

  it('ADCE: a malformed queue throws AFTER the run datums were published (Errors + DLQ see it)', async () => {
    s3.on(GetObjectCommand, { Bucket: 'state' }).rejects(Object.assign(new Error('nope'), { name: 'NoSuchKey' }));
    s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'adce/gaps.json' }).resolves(body('{"total_tasks": '));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'adce/runs/r1.json' }], IsTruncated: false });
    s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'adce/runs/r1.json' }).resolves(body(JSON.stringify({ completed: 4, failed: 1, skipped: 0, end_time: '2025-11-08 00:25:00' })));
    s3.on(PutObjectCommand).resolves({ ETag: '"v1"' });
    cw.on(PutMetricDataCommand).resolves({});
    const { handler } = await import('../lambda/adce-publisher');
    const err = await handler({}, context).catch((e: unknown) => e);
    // vi.resetModules loads a fresh copy of lib/jobs/run: compare by name.
    expect((err as Error).name).toBe(PublisherRunError.name);
    expect((err as Error).message).toMatch(/^Publisher run failed after sending 5 datum\(s\): s3:\/\/lake\/adce\/gaps.json is not valid JSON/);
    expect(sentNames()).toEqual(['ADCETasksCompleted', 'ADCETasksFailed', 'ADCETasksSkipped', 'ADCESuccessRate', 'ADCELastRunAgeMinutes']);
    const errors = logs.map((l) => JSON.parse(l)).filter((l) => l.level === 'ERROR');
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^s3:\/\/lake\/adce\/gaps.json is not valid JSON/)]);
  });

  it('DIMS: drift uses the S3 publisher datum read back from CloudWatch', async () => {
    s3.on(GetObjectCommand).resolves(body("s3_storage:\n  total_objects:\n    value: 100\n    last_verified: '2025-11-08T00:00:00Z'\n  total_size_gb:\n    value: 1\ncode_base:\n  python_files:\n    value: 2\n  test_files:\n    value: 3\n"));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'live', Values: [110, 90] }] });
    cw.on(PutMetricDataCommand).resolves({});
    const { handler } = await import('../lambda/dims-publisher');
    expect(await handler({}, context)).toMatchObject({ publisher: 'dims', sent: 6, problems: 0 });
    const drift = cw.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData!).find((d) => d.MetricName === 'DIMS_S3ObjectsDriftPct');
    expect(drift?.Value).toBe(10);
  });

  it("DIMS: a scheduled run not first in its day sends only what alarms read; the recorded values wait for the day's first run (and say so)", async () => {
    s3.on(GetObjectCommand).resolves(body("s3_storage:\n  total_objects:\n    value: 100\n    last_verified: '2025-11-08T00:00:00Z'\n  total_size_gb:\n    value: 1\ncode_base:\n  python_files:\n    value: 2\n  test_files:\n    value: 3\n"));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'live', Values: [110] }] });
    cw.on(PutMetricDataCommand).resolves({});
    const { handler } = await import('../lambda/dims-publisher');
    // DIMS runs every 6 h; its recorded values are sent once a day (dims.verificationCadenceHours).
    expect(await handler({ scheduledTime: '2025-11-08T06:00:00Z' }, context)).toMatchObject({ publisher: 'dims', datums: 2, sent: 2, problems: 0 });
    expect(sentNames().sort()).toEqual(['DIMS_S3ObjectsDriftPct', 'DIMS_VerificationAgeHours']);
    const held = logs.map((l) => JSON.parse(l)).find((l) => l.message.startsWith('Not sent this run'));
    expect(held.heldBack).toEqual(['DIMS_S3Objects (every 1440 min)', 'DIMS_S3SizeGB (every 1440 min)', 'DIMS_PythonFiles (every 1440 min)', 'DIMS_TestFiles (every 1440 min)']);
    cw.resetHistory();
    expect(await handler({ scheduledTime: '2025-11-09T00:00:00Z' }, context)).toMatchObject({ sent: 6 });
  });

  it('cost: reads the budget the stack names (account and name from the environment); a missing budget fails the run, logged at ERROR', async () => {
    budgets.on(DescribeBudgetCommand).rejects(new NotFoundException({ message: 'no such budget', $metadata: {} }));
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    const { handler } = await import('../lambda/cost-publisher');
    await expect(handler({}, context)).rejects.toThrow(/AWS Budgets has no budget "lake-monthly-cost" in account 123456789012/);
    expect(budgets.commandCalls(DescribeBudgetCommand)[0]!.args[0].input).toEqual({ AccountId: '123456789012', BudgetName: 'lake-monthly-cost' });
    expect(logs.map((l) => JSON.parse(l)).filter((l) => l.level === 'ERROR')).toHaveLength(1);
  });

  it('cost: CloudWatch down through every retry -> the handler throws after trying', async () => {
    budgets.on(DescribeBudgetCommand).resolves({ Budget: { BudgetName: 'lake-monthly-cost', BudgetType: 'COST', TimeUnit: 'MONTHLY', CalculatedSpend: { ActualSpend: { Amount: '5', Unit: 'USD' }, ForecastedSpend: { Amount: '10', Unit: 'USD' } } } });
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('AccessDenied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const { handler } = await import('../lambda/cost-publisher');
    await expect(handler({}, context)).rejects.toThrow(/Publisher run failed after sending 0 datum\(s\): 4 datum\(s\) could not be sent: AccessDenied \(HTTP 403\)/);
  });

  it('an invalid MONITOR_CONFIG fails every invocation with the key named', async () => {
    vi.stubEnv('MONITOR_CONFIG', JSON.stringify({ monthlyBudgetUsd: -1 }));
    const { handler } = await import('../lambda/cost-publisher');
    await expect(handler({}, context)).rejects.toThrow(/Invalid configuration from the MONITOR_CONFIG environment variable: monthlyBudgetUsd = -1: must be > 0/);
  });
});
