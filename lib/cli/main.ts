import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../config/load';
import type { MonitoringConfig } from '../config/schema';
import { registerCostEstimate } from './commands/cost-estimate';
import { registerExport } from './commands/export';
import { registerFireDrill } from './commands/fire-drill';
import { registerInit } from './commands/init';
import { registerPreflight } from './commands/preflight';
import { registerPublish } from './commands/publish';
import { registerPut } from './commands/put';
import { registerSimulate } from './commands/simulate';
import { registerTime } from './commands/time';
import { registerVerify } from './commands/verify';

/** Exit codes a shell script can trust. */
export const EXIT = {
  ok: 0,
  /** The job ran but something is not green (verify), or a source could not be read. */
  failure: 1,
  /** Bad usage or bad configuration. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT) after cleaning up, as shells report 128 + 2. */
  interrupted: 130,
} as const;

/** Where a command writes and how it reports its exit code; tests pass their own. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Raises the exit code (the worst code a command reports wins). */
  exit(code: number): void;
  /** Standard input as text (for `--stdin`). */
  readStdin(): Promise<string>;
  /** Whether stderr is a terminal (progress output). */
  readonly isTTY: boolean;
  /**
   * Runs `handler` on Ctrl-C (SIGINT) instead of dying, until the returned function is called:
   * for commands that create things and must remove them. A second Ctrl-C exits at once.
   * Without it (tests that do not pass one), Ctrl-C is not intercepted.
   */
  onInterrupt?(handler: () => void): () => void;
}

export type RegisterCommand = (program: Command, io: CliIO) => void;

/** Every command module registers itself here; keep one line per command. */
const COMMANDS: RegisterCommand[] = [
  registerInit,
  registerTime,
  registerPut,
  registerPreflight,
  registerVerify,
  registerFireDrill,
  registerCostEstimate,
  registerSimulate,
  registerPublish,
  registerExport,
];

/** Environment variable naming the environment when `--env` is not given. */
export const MONITOR_ENV_VARIABLE = 'MONITOR_ENV';

export interface LocalConfig {
  readonly config: MonitoringConfig;
  /** Where it came from, for messages: the file, or "the default configuration". */
  readonly origin: string;
  /** True when the user chose it (`--config`, `--env` or MONITOR_ENV). */
  readonly chosen: boolean;
}

/**
 * The local configuration, in one documented order: `--config FILE`, `--env NAME`
 * (config/NAME.json), the MONITOR_ENV environment variable, else the default configuration
 * (config/default.json when present).
 */
export function localConfig(command: Command, environment: NodeJS.ProcessEnv = process.env, configDir?: string): LocalConfig {
  const opts = command.optsWithGlobals<{ env?: string; config?: string }>();
  const fromVariable = environment[MONITOR_ENV_VARIABLE]?.trim() || undefined;
  const envName = opts.env ?? fromVariable;
  const loaded = loadConfig({ envName: envName ?? 'default', configFile: opts.config, configDir });
  return {
    config: loaded.config,
    origin: loaded.sources[0] ?? 'the default configuration',
    chosen: opts.config !== undefined || envName !== undefined,
  };
}

/** The local configuration's values (see `localConfig` for the order). */
export function configFromOptions(command: Command): MonitoringConfig {
  return localConfig(command).config;
}

function processIO(): CliIO & { code: number } {
  const io = {
    code: 0,
    out: (text: string) => void process.stdout.write(text),
    err: (text: string) => void process.stderr.write(text),
    exit: (code: number) => void (io.code = Math.max(io.code, code)),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    isTTY: Boolean(process.stderr.isTTY),
    onInterrupt: (handler: () => void) => {
      let count = 0;
      const listener = () => {
        count += 1;
        if (count > 1) process.exit(EXIT.interrupted);
        handler();
      };
      process.on('SIGINT', listener);
      return () => void process.off('SIGINT', listener);
    },
  };
  return io;
}

function buildProgram(io: CliIO): Command {
  const program = new Command('monitor')
    .description('Operate the data-lake monitoring stack: preflight, publish, push, time, verify, drill, estimate cost, simulate, export.')
    .option('--env <name>', 'environment: reads config/<name>.json (default: $MONITOR_ENV, else the default configuration)')
    .option('--config <file>', 'config file (wins over --env and MONITOR_ENV)')
    .addHelpText(
      'after',
      '\nConfiguration: --config FILE, else --env NAME (config/NAME.json), else $MONITOR_ENV, else the default configuration.\n' +
        'verify, fire-drill, put, time and export then use the configuration the deployed stack records, and say when the local one differs.\n',
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  for (const register of COMMANDS) register(program, io);
  return program;
}

/** Runs the CLI and resolves to the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[], io: CliIO & { code: number } = processIO()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof ConfigError) {
      io.err(`error: ${err.message}\n`);
      return EXIT.usage;
    }
    io.err(`error: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}
