import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { OPERATION_STATUSES, createCatalog } from '../../catalog/catalog';
import { OPERATION_NAME, operationNames } from '../../config/schema';
import { datumToJsonLine } from '../../publisher/datum';
import { publishDatums } from '../../publisher/publish';
import { type NetworkLimits, attemptTimeoutMs } from '../../sources/aws-clients';
import { Deadline, beforeDeadline, formatSeconds } from '../../sources/deadline';
import { awsErrorText, cliClients, withRegion } from '../aws';
import { configForStack } from '../deployed';
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
      .argument('<command...>', 'the command to run and its arguments, after "--"')
      .addHelpText('after', '\nExample:\n  monitor time --operation DataExtraction -- python scrapers/espn.py --season 2025\n'),
  ).action(async (argv: string[], opts: { operation: string; dryRun?: boolean; region?: string }, command) => {
    const operation = opts.operation;
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
    const run = await runInherited(argv);
    if (run.spawnError) io.err(`monitor time: ${run.spawnError}\n`);
    const [success, failure] = OPERATION_STATUSES;
    const status = run.code === 0 ? success : failure;
    // Past one request's worst case after the command, the local configuration is used (and said).
    const settled = await beforeDeadline(target, new Deadline(attemptTimeoutMs(config.network), 'one request'), 'reading the deployed stack').catch((err: unknown) => {
      io.err(`note: the deployed stack could not be read in time (${awsErrorText(err)}); using ${local.origin}\n`);
      return local;
    });
    const deployed = createCatalog(settled.config);
    const datum = deployed.datumOf(deployed.operationDuration(operation) ?? metric, Math.round(run.seconds * 1000) / 1000, { Status: status }, run.end);

    if (opts.dryRun) {
      io.out(`${datumToJsonLine(datum)}\n`);
    } else {
      await publishQuietly(io, datum, opts.region, config.network);
    }
    io.exit(run.code);
  });
};

/**
 * How long `monitor time` waits for CloudWatch after the command has exited: two requests'
 * worst case (network.connectTimeoutMs + requestTimeoutMs each) and a backoff. Past it the
 * datum is given up with a warning, whatever CloudWatch (or the credential chain) does, and
 * the command's exit code is returned.
 */
export function timePublishBudgetMs(network: NetworkLimits): number {
  return 2 * attemptTimeoutMs(network) + 1000;
}

async function publishQuietly(io: CliIO, datum: Parameters<typeof datumToJsonLine>[0], region: string | undefined, network: NetworkLimits): Promise<void> {
  const what = `${datum.Namespace}/${datum.MetricName}`;
  const budget = timePublishBudgetMs(network);
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

interface TimedRun {
  /** Exit code as a shell reports it: the child's code, 128 + signal number, or 126/127 when it could not start. */
  readonly code: number;
  readonly seconds: number;
  readonly end: Date;
  readonly spawnError?: string;
}

/**
 * Runs a command with the terminal's stdin/stdout/stderr. SIGTERM and SIGHUP sent to `monitor`
 * are passed on to the child (so `timeout` or cron stopping us stops the job too) and we stay
 * alive to publish its failure; Ctrl-C already reaches the child through the terminal.
 */
function runInherited(argv: readonly string[]): Promise<TimedRun> {
  const [file, ...args] = argv;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve) => {
    const child = spawn(file!, args, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => () => void child.kill(signal);
    const handlers = { SIGTERM: forward('SIGTERM'), SIGHUP: forward('SIGHUP'), SIGINT: () => undefined };
    for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
    let settled = false;
    const finish = (run: TimedRun) => {
      if (settled) return;
      settled = true;
      for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
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
    child.on('exit', (code, signal) => {
      const signalNumber = signal ? (constants.signals as Record<string, number>)[signal] ?? 0 : 0;
      finish({ code: signal ? 128 + signalNumber : (code ?? 1), seconds: elapsed(), end: new Date() });
    });
  });
}
