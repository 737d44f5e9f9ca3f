import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main';
import { captureIO, configFile } from './cli-helpers';
import { mockCloudWatch } from './support/cloudwatch-mock';
import { mockNoDeployedStack } from './support/no-deployed-stack';

// The stack is not deployed: commands fall back to the local configuration.
mockNoDeployedStack();

const cloudwatch = mockCloudWatch();
const { cw, requests: sentData } = cloudwatch;
const config = configFile();

describe('monitor time', () => {
  beforeEach(() => {
    cloudwatch.reset();
  });
  afterEach(() => cw.reset());

  it('exits with the command\'s own code and publishes a failure duration on a non-zero exit', async () => {
    const io = captureIO();
    const code = await main(['--config', config, 'time', '--operation', 'DataExtraction', '--', 'sh', '-c', 'sleep 0.2; exit 3'], io);
    expect(code).toBe(3);
    const [input] = sentData();
    expect(sentData()).toHaveLength(1);
    expect(input!.Namespace).toBe('NBA-Simulator/Performance');
    const datum = input!.MetricData![0]!;
    expect(datum.MetricName).toBe('DataExtractionDuration');
    expect(datum.Unit).toBe('Seconds');
    expect(datum.Dimensions).toEqual([{ Name: 'Status', Value: 'failure' }]);
    expect(datum.Value).toBeGreaterThanOrEqual(0.2);
    expect(datum.Value).toBeLessThan(30);
  });

  it('publishes success with the measured seconds when the command exits 0', async () => {
    const io = captureIO();
    const code = await main(['--config', config, 'time', '--operation', 'S3Upload', '--', 'sh', '-c', 'sleep 0.3'], io);
    expect(code).toBe(0);
    const datum = sentData()[0]!.MetricData![0]!;
    expect(datum.MetricName).toBe('S3UploadDuration');
    expect(datum.Dimensions).toEqual([{ Name: 'Status', Value: 'success' }]);
    expect(datum.Value).toBeGreaterThanOrEqual(0.3);
  });

  it('still exits with the command\'s code when CloudWatch is down, and warns on stderr', async () => {
    cw.on(PutMetricDataCommand).rejects(
      Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 }, $fault: 'server' }),
    );
    const io = captureIO();
    const code = await main(['--config', config, 'time', '--operation', 'Validation', '--', 'sh', '-c', 'exit 7'], io);
    expect(code).toBe(7);
    expect(cw.commandCalls(PutMetricDataCommand).length).toBeGreaterThanOrEqual(1);
    expect(io.stderr).toMatch(/warning: NBA-Simulator\/Performance\/ValidationDuration was not published: ServiceUnavailable \(HTTP 503\)/);
  });

  it('exits 0 when the command succeeded even if publishing failed', async () => {
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const io = captureIO();
    expect(await main(['--config', config, 'time', '--operation', 'Validation', '--', 'true'], io)).toBe(0);
    expect(io.stderr).toMatch(/not published: AccessDenied/);
  });

  it('reports a signal death as 128 + the signal number, like a shell', async () => {
    const io = captureIO();
    const code = await main(['--config', config, 'time', '--operation', 'DataExtraction', '--', 'sh', '-c', 'kill -TERM $$'], io);
    expect(code).toBe(128 + 15);
    expect(sentData()[0]!.MetricData![0]!.Dimensions).toEqual([{ Name: 'Status', Value: 'failure' }]);
  });

  it('exits 127 and records a failure when the command does not exist', async () => {
    const io = captureIO();
    const code = await main(['--config', config, 'time', '--operation', 'DataExtraction', '--', 'no-such-command-xyz'], io);
    expect(code).toBe(127);
    expect(io.stderr).toMatch(/command not found: no-such-command-xyz/);
    expect(sentData()[0]!.MetricData![0]!.Dimensions).toEqual([{ Name: 'Status', Value: 'failure' }]);
  });

  it.each(['Data-Extraction', '1stStep', 'x'.repeat(248)])('refuses the operation name %j without running the command', async (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'time-'));
    const marker = join(dir, 'ran');
    const io = captureIO();
    const code = await main(['--config', config, 'time', '--operation', name, '--', 'sh', '-c', `touch ${marker}`], io);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/is not a valid operation name/);
    expect(existsSync(marker)).toBe(false);
    expect(sentData()).toHaveLength(0);
  });

  it('prints the datum as a publish --dry-run line and sends nothing with --dry-run', async () => {
    const io = captureIO();
    const code = await main(['--config', config, 'time', '--operation', 'Validation', '--dry-run', '--', 'sh', '-c', 'exit 2'], io);
    expect(code).toBe(2);
    expect(sentData()).toHaveLength(0);
    const line = JSON.parse(io.stdout.trim());
    expect(Object.keys(line)).toEqual(['Namespace', 'MetricName', 'Value', 'Unit', 'Dimensions', 'Timestamp']);
    expect(line).toMatchObject({ Namespace: 'NBA-Simulator/Performance', MetricName: 'ValidationDuration', Unit: 'Seconds', Dimensions: [{ Name: 'Status', Value: 'failure' }] });
  });

  it('notes an operation that is not in pipelineOperations (no widget, no alarm)', async () => {
    const io = captureIO();
    await main(['--config', config, 'time', '--operation', 'Backfill', '--dry-run', '--', 'true'], io);
    expect(io.stderr).toMatch(/"Backfill" is not in pipelineOperations/);
    expect(JSON.parse(io.stdout).MetricName).toBe('BackfillDuration');
  });

  describe('--max-duration', () => {
    /** Running (a zombie waiting for its parent to reap it counts as gone). */
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
      } catch {
        return false;
      }
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      return !/^\d+ \(.*\) Z/.test(stat);
    };

    it('stops a job that runs too long, with everything it started, and fails it: exit 124, a Status=failure datum', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'time-'));
      const pidFile = join(dir, 'grandchild.pid');
      const io = captureIO();
      const code = await main(['--config', config, 'time', '--operation', 'DataExtraction', '--max-duration', '1s', '--', 'sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`], io);
      expect(code).toBe(124);
      expect(io.stderr).toMatch(/monitor time: DataExtraction ran longer than --max-duration 1s: stopping it \(SIGTERM to its process group; SIGKILL after 10s\)/);
      const datum = sentData()[0]!.MetricData![0]!;
      expect(datum).toMatchObject({ MetricName: 'DataExtractionDuration', Unit: 'Seconds', Dimensions: [{ Name: 'Status', Value: 'failure' }] });
      expect(datum.Value).toBeGreaterThanOrEqual(1);
      expect(datum.Value).toBeLessThan(60);
      // The job's own child got the SIGTERM too (its process group), not only the shell.
      const grandchild = Number(readFileSync(pidFile, 'utf8'));
      for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive(grandchild)).toBe(false);
    });

    it('SIGKILLs a job that ignores SIGTERM, after --kill-after', async () => {
      const io = captureIO();
      const code = await main(
        ['--config', config, 'time', '--operation', 'Validation', '--max-duration', '500ms', '--kill-after', '300ms', '--', 'sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'],
        io,
      );
      expect(code).toBe(124);
      expect(io.stderr).toMatch(/still running 300ms after SIGTERM: SIGKILL/);
      expect(sentData()[0]!.MetricData![0]!.Dimensions).toEqual([{ Name: 'Status', Value: 'failure' }]);
    });

    it('keeps the job\'s own exit code and status when it finishes in time', async () => {
      const io = captureIO();
      expect(await main(['--config', config, 'time', '--operation', 'S3Upload', '--max-duration', '1h', '--', 'sh', '-c', 'exit 0'], io)).toBe(0);
      expect(sentData()[0]!.MetricData![0]!.Dimensions).toEqual([{ Name: 'Status', Value: 'success' }]);
      // Only the note that no stack is deployed: nothing about the limit.
      expect(io.stderr).toMatch(/^note: no stack [^\n]*\n$/);
      expect(await main(['--config', config, 'time', '--operation', 'S3Upload', '--max-duration', '1h', '--', 'sh', '-c', 'exit 5'], captureIO())).toBe(5);
    });

    it.each([
      [['--max-duration', '2'], /--max-duration "2" is not a duration/],
      [['--max-duration', '2 hours'], /--max-duration "2 hours" is not a duration/],
      [['--max-duration', '0s'], /--max-duration 0s must be at least 1 ms/],
      [['--kill-after', '5s'], /--kill-after only applies with --max-duration/],
    ])('refuses %j without running the command', async (flags, message) => {
      const dir = mkdtempSync(join(tmpdir(), 'time-'));
      const marker = join(dir, 'ran');
      const io = captureIO();
      expect(await main(['--config', config, 'time', '--operation', 'Validation', ...flags, '--', 'sh', '-c', `touch ${marker}`], io)).toBe(2);
      expect(io.stderr).toMatch(message);
      expect(existsSync(marker)).toBe(false);
      expect(sentData()).toHaveLength(0);
    });
  });

  it('passes stdin, stdout and stderr through to the real terminal streams (bin/monitor.mjs)', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['bin/monitor.mjs', '--config', config, 'time', '--operation', 'Validation', '--dry-run', '--', 'sh', '-c', 'cat; echo to-stderr >&2; exit 4'],
        { cwd: join(import.meta.dirname, '..') },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
      child.stdin!.end('piped-through\n');
    });
    expect(result.code).toBe(4);
    const [first, second] = result.stdout.trim().split('\n');
    expect(first).toBe('piped-through');
    expect(JSON.parse(second!)).toMatchObject({ MetricName: 'ValidationDuration', Dimensions: [{ Name: 'Status', Value: 'failure' }] });
    expect(result.stderr).toContain('to-stderr');
  });
});
