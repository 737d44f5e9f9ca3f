import { tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../lib/cli/main';
import type { MonitoringConfigInput } from '../lib/config/schema';

/** A CliIO that records what a command writes, for calling `main(argv, io)` in-process. */
export interface CapturedIO extends CliIO {
  code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function captureIO(options: { stdin?: string; isTTY?: boolean } = {}): CapturedIO {
  let stdout = '';
  let stderr = '';
  const io = {
    code: 0,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    out: (text: string) => void (stdout += text),
    err: (text: string) => void (stderr += text),
    exit: (code: number) => void (io.code = Math.max(io.code, code)),
    readStdin: async () => options.stdin ?? '',
    isTTY: options.isTTY ?? false,
  };
  return io;
}

/** Writes a config file so tests never depend on whatever config/ holds. */
export function configFile(values: MonitoringConfigInput = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
  const file = join(dir, 'test.json');
  writeFileSync(file, JSON.stringify(values));
  return file;
}
