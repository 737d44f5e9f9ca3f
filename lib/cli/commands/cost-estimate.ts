import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../config/load';
import { type MonitoringConfig, PUBLISHERS } from '../../config/schema';
import { type CfnTemplate, type CostAssumptions, type CostReport, DEFAULT_ASSUMPTIONS, configFromTemplates, estimateCost } from '../cost-model';
import { UsageError, parseNumberFlag } from '../flags';
import { EXIT, type RegisterCommand, configFromOptions } from '../main';

/**
 * `monitor cost-estimate [--app cdk.out]`: the monthly cost of the monitoring stack itself, line by
 * line, from the synthesized template(s), the catalog and stated assumptions. Last line:
 * `Total: $X.XX/month`.
 */

interface CostOptions {
  app: string;
  stack?: string;
  json?: boolean;
  freeTier: boolean;
  pipelineHoursPerDay: string;
  pipelineRequestsPerDay: string;
  runSeconds: string[];
  bucketObjects: string;
  bucketPrefixes?: string;
  ceRequestsPerRun: string;
  logKbPerRun: string;
  notificationsPerMonth: string;
}

export const registerCostEstimate: RegisterCommand = (program, io) => {
  const d = DEFAULT_ASSUMPTIONS;
  program
    .command('cost-estimate')
    .description('Monthly cost of the monitoring stack itself, line by line, from the synthesized template(s) and the catalog (us-east-1 list prices, free tier applied).')
    .option('--app <dir>', 'cloud assembly folder written by `npx cdk synth`', 'cdk.out')
    .option('--stack <name>', 'only this stack (<name>.template.json); default: every template in the folder')
    .option('--json', 'print the lines, total and assumptions as JSON')
    .option('--no-free-tier', 'do not subtract the AWS free tier (e.g. other workloads already use it)')
    .option('--pipeline-hours-per-day <h>', 'hours per day in which the pipeline pushes metrics', String(d.pipelineHoursPerDay))
    .option('--pipeline-requests-per-day <n>', 'PutMetricData requests per day from the pipeline', String(d.pipelineRequestsPerDay))
    .option('--run-seconds <publisher=seconds>', `Lambda run time per publisher (repeatable; defaults ${Object.entries(d.runSeconds).map(([k, v]) => `${k}=${v}`).join(',')})`, (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--bucket-objects <n>', 'objects in the data-lake bucket', String(d.bucketObjects))
    .option('--bucket-prefixes <n>', 'top-level prefixes of the bucket (default: s3.prefixes from config, else 12)')
    .option('--ce-requests-per-run <n>', 'Cost Explorer requests per cost publisher run', String(d.ceRequestsPerRun))
    .option('--log-kb-per-run <kb>', 'log volume per Lambda run in KB', String(d.logKbPerRun))
    .option('--notifications-per-month <n>', 'alarm notifications per month (email deliveries)', String(d.notificationsPerMonth))
    .action((opts: CostOptions, command) => {
      try {
        const { templates, files } = readTemplates(opts.app, opts.stack);
        const { config, origin } = chooseConfig(command, templates);
        const report = estimateCost(templates, config, assumptionsFrom(opts, config));
        if (opts.json) io.out(`${JSON.stringify({ templates: files, config: origin, ...report, totalUsd: round2(report.totalUsd) }, null, 2)}\n`);
        else io.out(render(report, files, origin));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        io.err(`error: ${err.message}\n`);
        io.exit(EXIT.usage);
      }
    });
};

function readTemplates(dir: string, stack?: string): { templates: CfnTemplate[]; files: string[] } {
  const hint = 'run `npx cdk synth` first (or pass --app DIR)';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no cloud assembly at ${dir}: ${hint}.`);
  const names = readdirSync(dir).filter((f) => f.endsWith('.template.json') && (!stack || f === `${stack}.template.json`)).sort();
  if (names.length === 0) {
    throw new UsageError(stack ? `no ${stack}.template.json in ${dir}: ${hint}, and check the stack name.` : `no *.template.json in ${dir}: ${hint}.`);
  }
  const templates = names.map((name) => {
    const file = join(dir, name);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
    } catch (err) {
      throw new UsageError(`${file} is not valid JSON (${(err as Error).message}): ${hint}.`);
    }
  });
  return { templates, files: names.map((n) => join(dir, n)) };
}

/** Explicit --config/--env wins; else the config the template was synthesized with; else the default config. */
function chooseConfig(command: Parameters<typeof configFromOptions>[0], templates: CfnTemplate[]): { config: MonitoringConfig; origin: string } {
  const globals = command.optsWithGlobals<{ env?: string; config?: string }>();
  const explicit = globals.config !== undefined || (globals.env !== undefined && globals.env !== 'default');
  if (!explicit) {
    const embedded = configFromTemplates(templates);
    if (embedded !== undefined) return { config: parseConfig(embedded, 'MONITOR_CONFIG in the template'), origin: 'MONITOR_CONFIG in the template (the config it was synthesized with)' };
  }
  return { config: configFromOptions(command), origin: globals.config ?? `config/${globals.env ?? 'default'}.json (or defaults)` };
}

const number = (flag: string, text: string) => parseNumberFlag(flag, text, { min: 0 });

function assumptionsFrom(opts: CostOptions, config: MonitoringConfig): CostAssumptions {
  const runSeconds = { ...DEFAULT_ASSUMPTIONS.runSeconds };
  for (const pair of opts.runSeconds.flatMap((v) => v.split(','))) {
    const [name, seconds] = pair.split('=');
    if (!name || seconds === undefined || !([...PUBLISHERS, 'other'] as string[]).includes(name)) {
      throw new UsageError(`--run-seconds ${JSON.stringify(pair)} must look like PUBLISHER=SECONDS with PUBLISHER one of ${[...PUBLISHERS, 'other'].join(', ')}.`);
    }
    runSeconds[name as keyof typeof runSeconds] = number('--run-seconds', seconds);
  }
  const hours = parseNumberFlag('--pipeline-hours-per-day', opts.pipelineHoursPerDay, { min: 0, max: 24 });
  return {
    pipelineHoursPerDay: hours,
    pipelineRequestsPerDay: number('--pipeline-requests-per-day', opts.pipelineRequestsPerDay),
    runSeconds,
    bucketObjects: number('--bucket-objects', opts.bucketObjects),
    bucketPrefixes: opts.bucketPrefixes !== undefined ? number('--bucket-prefixes', opts.bucketPrefixes) : (config.s3.prefixes?.length ?? DEFAULT_ASSUMPTIONS.bucketPrefixes),
    ceRequestsPerRun: number('--ce-requests-per-run', opts.ceRequestsPerRun),
    logKbPerRun: number('--log-kb-per-run', opts.logKbPerRun),
    notificationsPerMonth: number('--notifications-per-month', opts.notificationsPerMonth),
    freeTier: opts.freeTier,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function usd(n: number): string {
  const rounded = round2(n);
  return `${rounded < 0 ? '-' : ''}$${Math.abs(rounded).toFixed(2)}`;
}

function render(report: CostReport, files: string[], origin: string): string {
  const out: string[] = [
    `Monthly cost of the monitoring stack (${files.join(', ')})`,
    `Prices: ${report.prices.region} list prices read ${report.prices.readOn} (lib/cli/prices.ts). Config: ${origin}.`,
    '',
  ];
  const itemWidth = Math.min(90, Math.max(...report.lines.map((l) => l.item.length)));
  const qtyWidth = Math.min(80, Math.max(...report.lines.map((l) => l.quantity.length)));
  let category = '';
  for (const l of report.lines) {
    if (l.category !== category) {
      category = l.category;
      const subtotal = report.lines.filter((x) => x.category === category).reduce((s, x) => s + x.usd, 0);
      out.push(`${category}: ${usd(subtotal)}`);
    }
    out.push(`  ${l.item.padEnd(itemWidth)}  ${l.quantity.padEnd(qtyWidth)}  ${usd(l.usd).padStart(8)}`);
  }
  out.push('', 'Assumptions:', ...report.assumptions.map((a) => `  - ${a}`));
  if (report.notes.length) out.push('Notes:', ...report.notes.map((n) => `  - ${n}`));
  out.push('', `Total: ${usd(report.totalUsd)}/month`);
  return `${out.join('\n')}\n`;
}
