import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { OPERATION_STATUSES, OPERATION_STATUS_DIMENSION, createCatalog } from '../../catalog/catalog';
import { OPERATION_NAME, operationNames } from '../../config/schema';
import { datumToJsonLine } from '../../publisher/datum';
import { publishDatums } from '../../publisher/publish';
import { type NetworkLimits, attemptTimeoutMs, unobtrusivePublishMs } from '../../sources/aws-clients';
import { Deadline, formatSeconds } from '../../sources/deadline';
import { awsErrorText, cliClients, withRegion } from '../aws';
import { configForStack, settledBy } from '../deployed';
import { UsageError, parseDurationFlag } from '../flags';
import { type CliIO, EXIT, type RegisterCommand, localConfig } from '../main';

/**
 * `monitor time --operation NAME -- CMD [ARGS...]`: runs CMD with stdin/stdout/stderr inherited,
 * then publishes `<NAME>Duration` (Seconds, Status = success | failure) and exits with CMD's own
 * exit code, whatever happened to the metric. A cron line can wrap any job with it.
 */
export const registerTime: RegisterCommand = (program, io) => {
  withRegion(
    program
      .command('time')
      .description("Run a command (its input and output pass through), then publish <NAME>Duration to <prefix>/Performance; exits with the command's own code.")
      .requiredOption('--operation <name>', 'operation name, e.g. DataExtraction (letters, digits, _; starts with a letter)')
      .option('--dry-run', 'print the datum as a JSON line instead of sending it')
      .option('--max-duration <duration>', 'stop the job when it runs longer (e.g. 2h, 90m, 1h30m): its process group gets SIGTERM, the run is a failure, exit 124')
      .option('--kill-after <duration>', 'with --max-duration: SIGKILL the job when it is still running this long after SIGTERM (default 10s)')
      .argument('<command...>', 'the command to run and its arguments, after "--"')
      .addHelpText(
        'after',
        '\nExamples:\n  monitor time --operation DataExtraction -- python scrapers/espn.py --season 2025\n' +
          '  monitor time --operation DataExtraction --max-duration 2h -- python scrapers/espn.py\n',
      ),
  ).action(async (argv: string[], opts: { operation: string; dryRun?: boolean; maxDuration?: string; killAfter?: string; region?: string }, command) => {
    const operation = opts.operation;
    let limit: RunLimit | undefined;
    try {
      if (opts.maxDuration !== undefined) {
        const killAfter = opts.killAfter ?? '10s';
        limit = { maxMs: parseDurationFlag('--max-duration', opts.maxDuration), killAfterMs: parseDurationFlag('--kill-after', killAfter), maxText: opts.maxDuration, killAfterText: killAfter };
      } else if (opts.killAfter !== undefined) {
        throw new UsageError('--kill-after only applies with --max-duration.');
      }
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      io.err(`error: ${err.message}\n`);
      io.exit(EXIT.usage);
      return;
    }
    if (!OPERATION_NAME.test(operation)) {
      io.err(
        `error: --operation ${JSON.stringify(operation)} is not a valid operation name: it must start with a letter, hold only ` +
          `letters, digits and "_", and be at most 247 characters (the metric is "<operation>Duration", at most 255).\n`,
      );
      io.exit(EXIT.usage);
      return;
    }
    const local = localConfig(command);
    const config = local.config;
    const catalog = createCatalog(config);
    const metric = catalog.operationDuration(operation);
    if (!metric) {
      io.err(`error: ${operation}Duration is declared in the catalog outside the Performance namespace; choose another operation name.\n`);
      io.exit(EXIT.usage);
      return;
    }
    if (!operationNames(config).includes(operation)) {
      io.err(
        `note: "${operation}" is not in pipelineOperations (${operationNames(config).join(', ')}): it has no dashboard widget ` +
          `or alarm, and each Status value is one more custom metric.\n`,
      );
    }

    // The deployed stack's namespace is looked up while the command runs (never delaying it).
    const target = opts.dryRun ? Promise.resolve(local) : configForStack(local, cliClients(opts.region, config.network), (t) => io.err(t));
    const run = await runInherited(argv, limit, (message) => io.err(`monitor time: ${operation} ${message}\n`));
    if (run.spawnError) io.err(`monitor time: ${run.spawnError}\n`);
    const [success, failure] = OPERATION_STATUSES;
    const status = run.code === 0 ? success : failure;
    // Past one request's worst case after the command, the local configuration is used (and said).
    const settled = await settledBy(target, local, new Deadline(attemptTimeoutMs(config.network), 'one request'), (t) => io.err(t));
    const deployed = createCatalog(settled.config);
    const datum = deployed.datumOf(deployed.operationDuration(operation) ?? metric, Math.round(run.seconds * 1000) / 1000, { [OPERATION_STATUS_DIMENSION]: status }, run.end);

    if (opts.dryRun) {
      io.out(`${datumToJsonLine(datum)}\n`);
    } else {
      await publishQuietly(io, datum, opts.region, config.network);
    }
    io.exit(run.code);
  });
};

async function publishQuietly(io: CliIO, datum: Parameters<typeof datumToJsonLine>[0], region: string | undefined, network: NetworkLimits): Promise<void> {
  const what = `${datum.Namespace}/${datum.MetricName}`;
  const budget = unobtrusivePublishMs(network);
  try {
    // Few attempts within a bound: the wrapped job is done and its caller is waiting for the exit code.
    const result = await publishDatums([datum], {
      client: cliClients(region, network).publisher(),
      maxAttempts: 3,
      deadline: new Deadline(budget, `monitor time's limit for publishing (${formatSeconds(budget)})`),
    });
    const problem = result.rejected[0]?.reason ?? result.failed[0]?.error;
    if (problem) io.err(`warning: ${what} was not published: ${problem}\n`);
  } catch (err) {
    io.err(`warning: ${what} was not published: ${awsErrorText(err)}\n`);
  }
}

/** `--max-duration` and `--kill-after`: in milliseconds, and as the user wrote them (for messages). */
interface RunLimit {
  readonly maxMs: number;
  readonly killAfterMs: number;
  readonly maxText: string;
  readonly killAfterText: string;
}

/** What `timeout(1)` exits with when it stopped the command; cron wrappers already know it. */
const TIMED_OUT_EXIT_CODE = 124;

interface TimedRun {
  /** Exit code as a shell reports it: the child's code, 128 + signal number, 124 when it was stopped for running too long, or 126/127 when it could not start. */
  readonly code: number;
  readonly seconds: number;
  readonly end: Date;
  readonly spawnError?: string;
}

/**
 * Runs a command with the terminal's stdin/stdout/stderr. SIGTERM and SIGHUP sent to `monitor`
 * are passed on to the child (so `timeout` or cron stopping us stops the job too) and we stay
 * alive to publish its failure; Ctrl-C already reaches the child through the terminal.
 *
 * With a limit the command runs in its own process group, like `timeout(1)`: when it runs past
 * `maxMs` the whole group (the job and whatever it started) gets SIGTERM, then SIGKILL after
 * `killAfterMs` if it is still there, and the run ends with exit code 124. Being out of the
 * terminal's foreground group, it gets Ctrl-C from us (SIGINT is forwarded too).
 */
function runInherited(argv: readonly string[], limit?: RunLimit, say: (message: string) => void = () => undefined): Promise<TimedRun> {
  const [file, ...args] = argv;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve) => {
    const child = spawn(file!, args, { stdio: 'inherit', detached: limit !== undefined });
    // A negative pid signals the child's whole process group.
    const signal = (sig: NodeJS.Signals) => {
      try {
        if (limit && child.pid !== undefined) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // Already gone.
      }
    };
    const forward = (sig: NodeJS.Signals) => () => signal(sig);
    const handlers = { SIGTERM: forward('SIGTERM'), SIGHUP: forward('SIGHUP'), SIGINT: limit ? forward('SIGINT') : () => undefined };
    for (const [sig, handler] of Object.entries(handlers)) process.on(sig, handler);
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    if (limit) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          say(`ran longer than --max-duration ${limit.maxText}: stopping it (SIGTERM to its process group; SIGKILL after ${limit.killAfterText})`);
          signal('SIGTERM');
          timers.push(
            setTimeout(() => {
              say(`still running ${limit.killAfterText} after SIGTERM: SIGKILL`);
              signal('SIGKILL');
            }, limit.killAfterMs),
          );
        }, limit.maxMs),
      );
    }
    let settled = false;
    const finish = (run: TimedRun) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      for (const [sig, handler] of Object.entries(handlers)) process.off(sig, handler);
      resolve(run);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      const notFound = err.code === 'ENOENT';
      finish({
        code: notFound ? 127 : 126,
        seconds: elapsed(),
        end: new Date(),
        spawnError: notFound ? `command not found: ${file}` : `cannot run ${file}: ${err.message}`,
      });
    });
    child.on('exit', (code, sig) => {
      const signalNumber = sig ? (constants.signals as Record<string, number>)[sig] ?? 0 : 0;
      const own = sig ? 128 + signalNumber : (code ?? 1);
      finish({ code: timedOut ? TIMED_OUT_EXIT_CODE : own, seconds: elapsed(), end: new Date() });
    });
  });
}
