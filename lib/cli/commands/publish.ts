import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { S3Client } from '@aws-sdk/client-s3';
import { createCatalog } from '../../catalog/catalog';
import { parseNaiveTimestamp } from '../../collectors/naive-time';
import { budgetName } from '../../config/load';
import { PUBLISHERS, type PublisherId } from '../../config/schema';
import { runAdceJob, runReportMetricNames } from '../../jobs/adce';
import { S3CursorStore } from '../../jobs/adce-cursor';
import { runCostJob } from '../../jobs/cost';
import { runDimsJob } from '../../jobs/dims';
import { runS3Job } from '../../jobs/s3';
import type { JobContext, JobLogger } from '../../jobs/job';
import { PUBLISHER_LIMITS, runDeadlines } from '../../jobs/limits';
import { boundedLogger } from '../../jobs/log-limits';
import { type PublishingJobResult, runAndPublish } from '../../jobs/run';
import { BUDGETS_REGION, COST_EXPLORER_REGION, type NetworkLimits, clientConfig, onFirstUse } from '../../sources/aws-clients';
import { datumToJsonLine } from '../../publisher/datum';
import { validateDatum } from '../../publisher/validate';
import { parseNumberFlag } from '../flags';
import { type CliIO, EXIT, type RegisterCommand, configFromOptions } from '../main';

/**
 * `monitor publish <s3|adce|dims|cost>`: runs the same job as the publisher Lambda. For real it
 * publishes with the same publisher core; with `--dry-run` it prints one JSON line per datum
 * (PutMetricData field names plus Namespace) and calls nothing but the named source.
 */

export interface PublishCliOptions {
  readonly dryRun?: boolean;
  readonly bucket?: string;
  readonly key?: string;
  readonly prefix?: string;
  readonly file?: string;
  readonly dir?: string;
  readonly endpoint?: string;
  readonly since?: string;
  readonly liveCount?: string;
  readonly cursor?: string;
  readonly json?: boolean;
  readonly region?: string;
  readonly accountId?: string;
  readonly budget?: string;
  readonly verbose?: boolean;
  readonly timeout?: string;
}

/** Clients created on first use, so a dry run from local files needs no credentials. */
export interface PublishClients {
  s3(): S3Client;
  cloudWatch(): CloudWatchClient;
  /** CloudWatch for publishDatums, which retries itself: one HTTP request per attempt. */
  publisher(): CloudWatchClient;
  costExplorer(): CostExplorerClient;
  budgets(): BudgetsClient;
}

export interface PublishSourceInput {
  readonly ctx: JobContext;
  readonly options: PublishCliOptions;
  readonly clients: PublishClients;
  readonly io: CliIO;
}

/** Runs one publisher's job from CLI options. Returns undefined after reporting a usage error. */
export type PublishSource = (input: PublishSourceInput) => Promise<PublishingJobResult | undefined>;

/** The publishers `monitor publish` knows. */
export const PUBLISH_SOURCES: Record<PublisherId, PublishSource> = {
  s3: async ({ ctx, options, clients }) =>
    runS3Job(ctx, { s3: clients.s3(), bucket: options.bucket, prefixes: options.prefix !== undefined ? [options.prefix] : undefined }),
  adce: async ({ ctx, options, clients, io }) => {
    const local = options.file !== undefined || options.dir !== undefined;
    const since = options.since !== undefined ? parseSince(options.since, ctx.config.adce.timeZone, io) : undefined;
    if (since === null) return undefined;
    let cursor;
    if (options.cursor !== undefined) {
      const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(options.cursor);
      if (!m) return usage(io, `--cursor must look like s3://bucket/key, got "${options.cursor}"`);
      if (options.dryRun) return usage(io, '--cursor moves the cursor; it cannot be combined with --dry-run');
      cursor = new S3CursorStore(clients.s3(), m[1]!, m[2]!);
    }
    const result = await runAdceJob(ctx, {
      s3: local ? undefined : clients.s3(),
      bucket: options.bucket,
      queueKey: options.key,
      runsPrefix: options.prefix,
      queueFile: options.file,
      runsDir: options.dir,
      since,
      cursor,
    });
    if (!options.dryRun && !cursor && !since) {
      // Without the Lambda's cursor, sending run reports again would count them twice.
      const runReport = runReportMetricNames(ctx.catalog);
      const kept = result.datums.filter((d) => !runReport.has(d.MetricName));
      if (kept.length !== result.datums.length) {
        io.err('warning: run-report metrics not sent: the publisher Lambda counts them once via its cursor. Pass --cursor s3://bucket/key to share that cursor, or --since ISO to count reports explicitly.\n');
      }
      return { ...result, datums: kept };
    }
    return result;
  },
  dims: async ({ ctx, options, clients, io }) => {
    let liveCount;
    if (options.liveCount !== undefined) {
      const n = Number(options.liveCount);
      if (options.liveCount.trim() === '' || !Number.isFinite(n) || n < 0) return usage(io, `--live-count must be a number >= 0, got "${options.liveCount}"`);
      liveCount = async () => ({ value: n });
    } else if (options.dryRun) {
      liveCount = async () => ({ unavailable: '--dry-run reads no CloudWatch data; pass --live-count N to compute drift' });
    }
    return runDimsJob(ctx, {
      s3: options.file !== undefined ? undefined : clients.s3(),
      bucket: options.bucket,
      key: options.key,
      file: options.file,
      liveCount,
      // Real mode without --live-count: the same CloudWatch read as the Lambda.
      cloudWatch: options.dryRun ? undefined : clients.cloudWatch(),
    });
  },
  cost: async ({ ctx, clients, options, io }) => {
    const accountId = options.accountId ?? process.env.AWS_ACCOUNT_ID ?? process.env.CDK_DEFAULT_ACCOUNT;
    if (!accountId || !/^\d{12}$/.test(accountId)) {
      return usage(io, `cost needs the 12-digit account that holds the budget: --account-id (or AWS_ACCOUNT_ID)${accountId ? `, got "${accountId}"` : ''}`);
    }
    if (options.dryRun && ctx.config.cost.topServices > 0) {
      io.err('note: cost --dry-run still asks Cost Explorer for the per-service breakdown (its source): $0.01 a request. The budget read is free.\n');
    }
    // The stack's budget is named for its region (Budgets are account-wide): the region the CLI runs against.
    const budget = options.budget ?? budgetName(ctx.config, await clients.cloudWatch().config.region());
    return runCostJob(ctx, { budgets: clients.budgets(), accountId, budgetName: budget, ce: clients.costExplorer() });
  },
};

export const registerPublish: RegisterCommand = (program, io) => {
  program
    .command('publish')
    .description('Run a publisher job (the same code as its Lambda): send its datums, or print them with --dry-run.')
    .argument('<publisher>', `one of ${PUBLISHERS.join(', ')}`)
    .option('--dry-run', 'send nothing: print one JSON line per datum (PutMetricData fields + Namespace)')
    .option('--bucket <bucket>', 'S3 bucket of the source (default: from config)')
    .option('--key <key>', 'S3 key: the DIMS inventory, or the ADCE task queue')
    .option('--prefix <prefix>', 'S3 prefix: ADCE run reports; for s3, the one data source to judge (totals stay whole-bucket)')
    .option('--file <path>', 'local file instead of S3: the DIMS inventory, or the ADCE task queue')
    .option('--dir <path>', 'local folder of ADCE run reports')
    .option('--endpoint <url>', 'S3-compatible endpoint (path-style), e.g. http://127.0.0.1:4566')
    .option('--since <iso>', 'ADCE: count only run reports that ended after this instant')
    .option('--live-count <n>', 'DIMS: live S3 object count for drift (otherwise read from CloudWatch; skipped in --dry-run)')
    .option('--cursor <s3uri>', "ADCE (real mode): the publisher Lambda's cursor object, so reports are counted once")
    .option('--account-id <id>', 'cost: the account that holds the budget (default: AWS_ACCOUNT_ID)')
    .option('--budget <name>', "cost: the AWS Budgets budget to read (default: the stack's budget name)")
    .option('--region <region>', 'AWS region (default: AWS_REGION or your profile)')
    .option('--timeout <seconds>', "the run's time limit, like its Lambda's timeout (default: that timeout, 300 s for s3, 60 s for the others)")
    .option('--json', 'real mode: print the run summary as one JSON object')
    .option('--verbose', 'also print debug lines (e.g. skipped DIMS entries) on stderr')
    .addHelpText(
      'after',
      '\nExit status: 0 when everything was read and sent; 1 when a source could not be read, a datum\n' +
        'could not be sent, or the input had problems (the valid datums are still printed or sent); 2 on bad usage.\n' +
        '\nExamples:\n  monitor publish dims --dry-run --file inventory/metrics.yaml --live-count 173000\n' +
        '  monitor publish adce --dry-run --file adce/gaps.json --dir adce/runs\n' +
        '  monitor publish adce --dry-run --bucket my-lake --since 2025-11-08T00:00:00Z\n',
    )
    .action(async (publisher: string, opts: PublishCliOptions, command) => {
      if (!(PUBLISHERS as readonly string[]).includes(publisher)) {
        usage(io, `unknown publisher "${publisher}"; expected one of ${PUBLISHERS.join(', ')}`);
        return;
      }
      const id = publisher as PublisherId;
      const source = PUBLISH_SOURCES[id];
      if (opts.endpoint !== undefined && !isHttpUrl(opts.endpoint)) {
        usage(io, `--endpoint must be an http(s) URL like http://127.0.0.1:4566, got ${JSON.stringify(opts.endpoint)}`);
        return;
      }
      let timeoutSeconds = PUBLISHER_LIMITS[id].timeoutSeconds;
      if (opts.timeout !== undefined) {
        try {
          timeoutSeconds = parseNumberFlag('--timeout', opts.timeout, { min: 1, max: 900 });
        } catch (err) {
          usage(io, (err as Error).message);
          return;
        }
      }
      const config = configFromOptions(command);
      if (!config[publisher as PublisherId].enabled) {
        usage(io, `the ${publisher} source is turned off in this configuration (${publisher}.enabled: false): its metrics are not in the catalog and nothing watches them`);
        return;
      }
      const logger = boundedLogger(stderrLogger(io, opts.verbose === true));
      // The same deadlines as the Lambda: a run that would time out there stops the same way here.
      const deadlines = runDeadlines(timeoutSeconds * 1000, config.network);
      const ctx: JobContext = { config, catalog: createCatalog(config), now: new Date(), logger, deadlines };
      const clients = publishClients(opts, config.network);
      const result = await source({ ctx, options: opts, clients, io });
      if (!result) return;

      if (opts.dryRun) {
        // The same check the publisher makes before sending: a dry run shows what a real run would reject.
        let rejected = 0;
        for (const d of result.datums) {
          const reason = validateDatum(d, ctx.now);
          if (reason) {
            rejected++;
            io.err(`error: CloudWatch would reject ${d.MetricName}: ${reason}\n`);
          } else io.out(`${datumToJsonLine(d)}\n`);
        }
        for (const p of result.problems) io.err(`error: ${p.message}\n`);
        if (result.problems.length > 0 || rejected > 0) io.exit(EXIT.failure);
        return;
      }
      const outcome = await runAndPublish(async () => result, ctx, { client: clients.publisher() });
      const summary = {
        publisher,
        datums: result.datums.length,
        sent: outcome.publish.sent,
        rejected: outcome.publish.rejected.map((r) => ({ metric: r.datum.MetricName, reason: r.reason })),
        failed: outcome.publish.failed.map((f) => ({ metric: f.datum.MetricName, error: f.error })),
        problems: outcome.problems.map((p) => ({ source: p.source, message: p.message, fatal: p.fatal })),
      };
      if (opts.json) io.out(`${JSON.stringify(summary)}\n`);
      else io.out(`${publisher}: sent ${summary.sent} of ${summary.datums} datums` + (summary.rejected.length ? `, ${summary.rejected.length} rejected` : '') + (summary.failed.length ? `, ${summary.failed.length} failed` : '') + '\n');
      if (outcome.failed || outcome.problems.length > 0 || outcome.publish.rejected.length > 0) io.exit(EXIT.failure);
    });
};

function publishClients(opts: PublishCliOptions, network: NetworkLimits): PublishClients {
  const region = opts.region;
  return {
    s3: onFirstUse(() =>
      new S3Client(
        opts.endpoint
          ? { ...clientConfig({ network, region: region ?? process.env.AWS_REGION ?? 'us-east-1', endpoint: opts.endpoint }), forcePathStyle: true }
          : clientConfig({ network, region }),
      ),
    ),
    cloudWatch: onFirstUse(() => new CloudWatchClient(clientConfig({ network, region }))),
    publisher: onFirstUse(() => new CloudWatchClient(clientConfig({ network, region, maxAttempts: 1 }))),
    costExplorer: onFirstUse(() => new CostExplorerClient(clientConfig({ network, region: COST_EXPLORER_REGION }))),
    budgets: onFirstUse(() => new BudgetsClient(clientConfig({ network, region: BUDGETS_REGION }))),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Job logging for a terminal: problems and warnings on stderr, stdout stays data only. */
function stderrLogger(io: CliIO, verbose: boolean): JobLogger {
  const extra = (e?: Record<string, unknown>) => (e && Object.keys(e).length > 0 ? ` ${JSON.stringify(e)}` : '');
  return {
    debug: (m, e) => verbose && io.err(`debug: ${m}${extra(e)}\n`),
    info: (m, e) => verbose && io.err(`info: ${m}${extra(e)}\n`),
    warn: (m, e) => io.err(`warning: ${m}${extra(e)}\n`),
    // Problems are printed once by the command itself in dry-run; in real mode runAndPublish logs them.
    error: (m, e) => io.err(`error: ${m}${extra(e)}\n`),
  };
}

/** `--since` read like the run reports' own times: a time without a zone is in `adce.timeZone`. */
function parseSince(text: string, timeZone: string, io: CliIO): Date | null {
  const t = parseNaiveTimestamp(text, timeZone);
  if (!t) {
    usage(io, `--since must be an ISO 8601 time like 2025-11-08T00:00:00Z (no zone = adce.timeZone, ${timeZone}), got "${text}"`);
    return null;
  }
  return t;
}

function usage(io: CliIO, message: string): undefined {
  io.err(`error: ${message}\n`);
  io.exit(EXIT.usage);
  return undefined;
}
