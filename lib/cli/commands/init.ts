import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { ConfigError, parseConfig } from '../../config/load';
import { type MonitoringConfigInput, PUBLISHERS, type PublisherId } from '../../config/schema';
import { type FreshnessProposal, proposeThreshold } from '../../health/freshness-proposal';
import { clientConfig } from '../../sources/aws-clients';
import { recentArrivals, topLevelPrefixes } from '../../sources/recent-arrivals';
import { awsErrorText } from '../aws';
import { parseNumberFlag } from '../flags';
import { type CliIO, EXIT, type RegisterCommand } from '../main';
import { formatTable } from '../table';

/**
 * `monitor init`: writes `config/<env>.json` for a new team from flags, validated like every
 * config, and prints the next commands. With `--inspect` it lists each bucket's top-level
 * prefixes and proposes a freshness threshold per prefix from the arrival times of its recent
 * objects (lib/health/freshness-proposal.ts states the rule).
 */

interface InitOptions {
  bucket: string[];
  email: string[];
  phone: string[];
  budget?: string;
  sources: string;
  namespace?: string;
  dir: string;
  force?: boolean;
  inspect?: boolean;
  endpoint?: string;
  region?: string;
  batchWindow: string;
}

const collect = (value: string, all: string[]) => [...all, value];

export const registerInit: RegisterCommand = (program, io) => {
  program
    .command('init')
    .description('Write config/<env>.json for a new team (validated), then print the next commands. --inspect proposes freshness thresholds from the bucket.')
    .option('--bucket <name>', 'a data-lake bucket (repeat for several)', collect, [] as string[])
    .option('--email <address>', 'an alert email (repeat for several)', collect, [] as string[])
    .option('--phone <e164>', 'a phone number for critical alerts, e.g. +14155550123 (repeat for several)', collect, [] as string[])
    .option('--budget <usd>', 'monthly AWS budget in USD')
    .option('--sources <list>', `sources to monitor, comma-separated (${PUBLISHERS.join(', ')})`, 's3,cost')
    .option('--namespace <prefix>', 'CloudWatch namespace prefix (default: the first bucket name)')
    .option('--dir <folder>', 'where config files live', 'config')
    .option('--force', 'overwrite an existing file')
    .option('--inspect', "read the buckets' prefixes and object times (S3 credentials, or --endpoint) and propose freshness thresholds")
    .option('--endpoint <url>', 'S3-compatible endpoint for --inspect (path-style)')
    .option('--region <region>', 'AWS region for --inspect (default: AWS_REGION or your profile)')
    .option('--batch-window <minutes>', 'objects written within this many minutes of each other count as one arrival', '10')
    .addHelpText('after', '\nExample:\n  monitor init --env acme --bucket acme-events-lake --email ops@acme.example --phone +14155550123 --budget 40 --sources s3,cost --inspect\n')
    .action(async (opts: InitOptions, command: Command) => {
      const envName = command.optsWithGlobals<{ env?: string }>().env;
      const usage = (message: string) => {
        io.err(`error: ${message}\n`);
        io.exit(EXIT.usage);
      };
      if (!envName) return usage('init needs --env NAME: the file it writes is config/NAME.json, deployed with `-c env=NAME`.');
      if (opts.bucket.length === 0) return usage('init needs at least one --bucket.');
      const sources = opts.sources.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = sources.filter((s) => !(PUBLISHERS as readonly string[]).includes(s));
      if (unknown.length > 0 || sources.length === 0) return usage(`--sources ${JSON.stringify(opts.sources)}: expected a comma-separated list of ${PUBLISHERS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`);
      if (opts.inspect && !sources.includes('s3')) return usage('--inspect proposes S3 freshness thresholds: add s3 to --sources.');
      if (opts.endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(opts.endpoint)) return usage(`--endpoint ${JSON.stringify(opts.endpoint)} is not an http(s) URL.`);
      let budget: number | undefined;
      let batchWindow: number;
      try {
        budget = opts.budget === undefined ? undefined : parseNumberFlag('--budget', opts.budget, { min: 0.01 });
        batchWindow = parseNumberFlag('--batch-window', opts.batchWindow, { min: 0, max: 1440 });
      } catch (err) {
        return usage((err as Error).message);
      }

      const file = join(opts.dir, `${envName}.json`);
      if (existsSync(file) && !opts.force) return usage(`${file} exists; pass --force to overwrite it.`);

      const input = configFor({ envName, buckets: opts.bucket, emails: opts.email, phones: opts.phone, budget, sources: sources as PublisherId[], namespace: opts.namespace });
      try {
        parseConfig({ ...input, envName }, 'the init flags');
      } catch (err) {
        if (err instanceof ConfigError) return usage(err.message);
        throw err;
      }

      if (opts.inspect) {
        const proposals = await inspect(io, opts, batchWindow);
        if (!proposals) return;
        applyProposals(input, proposals);
      }

      const config = parseConfig({ ...input, envName }, 'the init flags');
      mkdirSync(opts.dir, { recursive: true });
      writeFileSync(file, `${JSON.stringify(input, null, 2)}\n`);
      const shown = relative(process.cwd(), file) || file;
      io.out(
        [
          `Wrote ${shown}: namespace ${config.namespacePrefix}, buckets ${opts.bucket.join(', ')}, sources ${sources.join(', ')}.`,
          '',
          'Next:',
          `  npx cdk synth -c env=${envName}          # the template and its estimated monthly cost (no AWS account needed)`,
          `  npx cdk deploy -c env=${envName}         # into your account (run \`npm run -s monitor -- preflight --env ${envName}\` first)`,
          `  MONITOR_ENV=${envName} npm run -s monitor -- verify   # after the deploy: subscriptions confirmed, metrics fresh, alarms OK`,
          '',
        ].join('\n'),
      );
    });
};

interface ConfigFlags {
  envName: string;
  buckets: string[];
  emails: string[];
  phones: string[];
  budget?: number;
  sources: PublisherId[];
  namespace?: string;
}

/** Only what differs from the defaults, so the file reads as the team's choices. */
function configFor(flags: ConfigFlags): MonitoringConfigInput & Record<string, unknown> {
  const [first] = flags.buckets;
  const config: Record<string, unknown> = { namespacePrefix: flags.namespace ?? first, dataLakeBucket: first };
  if (flags.buckets.length > 1) config.s3 = { buckets: flags.buckets.map((name) => ({ name })) };
  if (flags.emails.length) config.alertEmails = flags.emails;
  if (flags.phones.length) config.alertPhoneNumbers = flags.phones;
  if (flags.budget !== undefined) config.monthlyBudgetUsd = flags.budget;
  for (const source of PUBLISHERS) {
    if (flags.sources.includes(source)) continue;
    config[source] = { ...(config[source] as object | undefined), enabled: false };
  }
  return config as MonitoringConfigInput & Record<string, unknown>;
}

interface BucketProposals {
  readonly bucket: string;
  readonly perPrefix: Record<string, number>;
}

const DEFAULT_THRESHOLD_HOURS = 36;
const NOT_SOURCES = new Set(['inventory-reports/']);

async function inspect(io: CliIO, opts: InitOptions, batchWindowMinutes: number): Promise<BucketProposals[] | undefined> {
  const s3 = new S3Client(
    opts.endpoint
      ? { ...clientConfig({ region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1', endpoint: opts.endpoint }), forcePathStyle: true }
      : clientConfig({ region: opts.region }),
  );
  const now = new Date();
  const out: BucketProposals[] = [];
  const rows: string[][] = [];
  try {
    for (const bucket of opts.bucket) {
      const { prefixes, rootObjects } = await topLevelPrefixes(s3, bucket);
      const judged = prefixes.filter((p) => !NOT_SOURCES.has(p));
      const arrivals = await recentArrivals(s3, bucket, judged);
      const perPrefix: Record<string, number> = {};
      for (const a of arrivals) {
        const p: FreshnessProposal = proposeThreshold(a.newest, now, { defaultHours: DEFAULT_THRESHOLD_HOURS, batchWindowMinutes });
        perPrefix[a.prefix] = p.thresholdHours;
        rows.push([bucket, a.prefix, String(a.objects), `${p.thresholdHours} h`, p.reason + (a.truncated ? ' (listing stopped at 1,000,000 objects: newer objects may exist)' : '')]);
      }
      for (const skipped of prefixes.filter((p) => NOT_SOURCES.has(p))) rows.push([bucket, skipped, '-', '-', 'not a data source (s3.excludeFromFreshness): counted, never judged']);
      if (rootObjects > 0) rows.push([bucket, '(root)', String(rootObjects), '-', 'keys outside any prefix: counted in the totals, not a source']);
      if (prefixes.length === 0) rows.push([bucket, '-', String(rootObjects), '-', 'no top-level prefix: sources will be discovered at run time']);
      out.push({ bucket, perPrefix });
    }
  } catch (err) {
    io.err(`error: --inspect could not read the bucket: ${awsErrorText(err)}\n`);
    io.exit(EXIT.failure);
    return undefined;
  } finally {
    s3.destroy();
  }
  io.out(`${formatTable(['BUCKET', 'PREFIX', 'OBJECTS', 'THRESHOLD', 'HOW'], rows)}\n\n`);
  return out;
}

function applyProposals(config: Record<string, unknown>, proposals: BucketProposals[]): void {
  const s3 = (config.s3 ??= {}) as Record<string, unknown>;
  if (proposals.length === 1) {
    const perPrefix = proposals[0]!.perPrefix;
    if (Object.keys(perPrefix).length > 0) s3.freshness = { perPrefix };
    return;
  }
  s3.buckets = proposals.map((p) => ({ name: p.bucket, ...(Object.keys(p.perPrefix).length > 0 ? { freshness: { perPrefix: p.perPrefix } } : {}) }));
}
