import { ConfigError } from '../../config/load';
import { type MonitoringConfig, PUBLISHERS } from '../../config/schema';
import { type CostAssumptions, type CostReport, DEFAULT_ASSUMPTIONS, estimateCost } from '../../cost/model';
import type { WhatIf } from '../../cost/what-if';
import { chooseConfig, chooseStack, readStacks } from '../assembly';
import { UsageError, parseNumberFlag } from '../flags';
import { EXIT, type RegisterCommand, localConfig } from '../main';

/**
 * `monitor cost-estimate [--app cdk.out]`: the monthly cost of one monitoring stack itself, line by
 * line, from its synthesized template, the configuration it records, the catalog and stated
 * assumptions. Last line: `Total: $X.XX/month`.
 */

interface CostOptions {
  app: string;
  stack?: string;
  json?: boolean;
  whatIf?: boolean;
  freeTier: boolean;
  pipelineHoursPerDay: string;
  pipelineRequestsPerDay: string;
  runSeconds: string[];
  bucketObjects: string;
  bucketPrefixes?: string;
  ceRequestsPerBreakdown: string;
  adceReportsPerDay: string;
  dashboardViewsPerMonth: string;
  logKbPerRun: string;
  notificationsPerMonth: string;
  deploysPerMonth: string;
}

export const registerCostEstimate: RegisterCommand = (program, io) => {
  const d = DEFAULT_ASSUMPTIONS;
  program
    .command('cost-estimate')
    .description('Monthly cost of the monitoring stack itself, line by line, from the synthesized template(s) and the catalog (us-east-1 list prices, free tier applied).')
    .option('--app <dir>', 'cloud assembly folder written by `npx cdk synth`', 'cdk.out')
    .option('--stack <name>', 'the stack to price (<name>.template.json); default: the one of --env/--config/MONITOR_ENV, else the only one')
    .option('--json', 'print the lines, total and assumptions as JSON')
    .option('--what-if', 'also price each profile feature the config leaves off (builds the stack in memory with it on)')
    .option('--no-free-tier', 'do not subtract the AWS free tier (e.g. other workloads already use it)')
    .option('--pipeline-hours-per-day <h>', 'hours per day in which the pipeline pushes metrics', String(d.pipelineHoursPerDay))
    .option('--pipeline-requests-per-day <n>', 'PutMetricData requests per day from the pipeline', String(d.pipelineRequestsPerDay))
    .option('--run-seconds <publisher=seconds>', `Lambda run time per publisher (repeatable; defaults ${Object.entries(d.runSeconds).map(([k, v]) => `${k}=${v}`).join(',')})`, (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--bucket-objects <n>', 'objects in the data-lake bucket', String(d.bucketObjects))
    .option('--bucket-prefixes <n>', 'top-level prefixes of the bucket (default: s3.prefixes from config, else 12)')
    .option('--ce-requests-per-breakdown <n>', 'Cost Explorer requests (pages) per per-service breakdown', String(d.ceRequestsPerBreakdown))
    .option('--adce-reports-per-day <n>', 'ADCE run reports per day (each moves the cursor)', String(d.adceReportsPerDay))
    .option('--dashboard-views-per-month <n>', 'times each dashboard is opened per month (Logs Insights scans)', String(d.dashboardViewsPerMonth))
    .option('--log-kb-per-run <kb>', 'log volume per Lambda run in KB', String(d.logKbPerRun))
    .option('--notifications-per-month <n>', 'alarm notifications per month (email deliveries)', String(d.notificationsPerMonth))
    .option('--deploys-per-month <n>', 'deploys per month (each runs the deploy-time custom resources)', String(d.deploysPerMonth))
    .action(async (opts: CostOptions, command) => {
      try {
        const local = localConfig(command);
        const chosen = chooseStack(readStacks(opts.app), opts.stack, local);
        const templates = [chosen.template];
        const files = [chosen.file];
        const { config, origin } = chosen.config
          ? { config: chosen.config, origin: `the configuration recorded in ${chosen.name}` }
          : chooseConfig(local, templates);
        const assumptions = assumptionsFrom(opts, config);
        const report = estimateCost(templates, config, assumptions);
        // Loaded only here: pricing a feature builds the CDK stack in memory.
        const whatIf = opts.whatIf ? (await import('../../cost/what-if')).whatIf(config, assumptions) : undefined;
        if (opts.json) io.out(`${JSON.stringify({ stack: chosen.name, templates: files, config: origin, ...report, totalUsd: round2(report.totalUsd), ...(whatIf ? { whatIf } : {}) }, null, 2)}\n`);
        else io.out(render(report, files, origin, whatIf));
      } catch (err) {
        if (!(err instanceof UsageError) && !(err instanceof ConfigError)) throw err;
        io.err(`error: ${err.message}\n`);
        io.exit(EXIT.usage);
      }
    });
};

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
    ceRequestsPerBreakdown: number('--ce-requests-per-breakdown', opts.ceRequestsPerBreakdown),
    adceReportsPerDay: number('--adce-reports-per-day', opts.adceReportsPerDay),
    dashboardViewsPerMonth: number('--dashboard-views-per-month', opts.dashboardViewsPerMonth),
    logKbPerRun: number('--log-kb-per-run', opts.logKbPerRun),
    notificationsPerMonth: number('--notifications-per-month', opts.notificationsPerMonth),
    deploysPerMonth: number('--deploys-per-month', opts.deploysPerMonth),
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

function render(report: CostReport, files: string[], origin: string, whatIf?: WhatIf): string {
  const out: string[] = [
    `Monthly cost of the monitoring stack (${files.join(', ')})`,
    `Prices: ${report.prices.region} list prices read ${report.prices.readOn} (lib/cost/prices.ts). Config: ${origin}.`,
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
  if (whatIf) {
    out.push('', `What-if (each profile feature this config leaves off, priced on the stack built in memory at ${usd(whatIf.baseUsd)}/month):`);
    if (whatIf.features.length === 0) out.push('  every profile feature is already on');
    const width = Math.max(0, ...whatIf.features.map((f) => f.key.length));
    for (const f of whatIf.features) out.push(`  ${f.key.padEnd(width)}  +${usd(f.addsUsd).padStart(6)}/month  ${f.summary}`);
    if (whatIf.features.length > 0) out.push(`  ${'all of them (profile: full)'.padEnd(width)}  total ${usd(whatIf.allOnUsd)}/month`);
  }
  out.push('', `Total: ${usd(report.totalUsd)}/month`);
  return `${out.join('\n')}\n`;
}
