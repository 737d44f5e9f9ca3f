import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import type { MonitoringConfig } from '../../config/schema';
import { PYTHON_MODULE_FILE, pythonModule } from '../../export/python';
import { attemptTimeoutMs } from '../../sources/aws-clients';
import { Deadline } from '../../sources/deadline';
import { type CliIO, EXIT, type RegisterCommand, localConfig } from '../main';
import { cliClients, followsStack } from '../aws';
import { configForStack, settledBy } from '../deployed';

const LOCAL_HELP = 'use the local configuration as is, without reading the deployed stack (no AWS call)';

interface ExportOptions {
  readonly out: string;
  readonly local?: boolean;
  readonly stack?: string;
  readonly region?: string;
}

/**
 * The configuration to export: the deployed stack's (so names, namespaces and alarms match what
 * is deployed, `-c` overrides included), else the local one, saying why. `--local` skips the
 * lookup (no AWS call). The lookup is bounded by two requests' worst case.
 */
async function exportConfig(command: Command, opts: ExportOptions, io: CliIO): Promise<MonitoringConfig> {
  const local = localConfig(command);
  if (opts.local) return local.config;
  const limit = 2 * attemptTimeoutMs(local.config.network);
  const lookup = configForStack(local, cliClients(opts.region, local.config.network), (t) => io.err(t), opts.stack);
  return (await settledBy(lookup, local, new Deadline(limit, 'two requests'), (t) => io.err(t))).config;
}

/**
 * `monitor export python|grafana --out DIR`: files generated from the metric catalog and the
 * stack's own definitions, for tools outside this repository (the pipeline's Python, Grafana).
 */
export const registerExport: RegisterCommand = (program, io) => {
  const exporter = program.command('export').description('Generate files for other tools from the catalog and the stack: the pipeline\'s Python module, Grafana dashboards.');

  followsStack(
    exporter
      .command('python')
      .description(`Write ${PYTHON_MODULE_FILE}: profile_performance() and put_metric() for the pipeline, with this config's metric names, namespaces, units and dimensions (only needs boto3).`)
      .option('--out <dir>', 'folder to write into', 'python')
      .option('--local', LOCAL_HELP),
  ).action(async (opts: ExportOptions, command) => {
    const config = await exportConfig(command, opts, io);
    const file = join(opts.out, PYTHON_MODULE_FILE);
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(file, pythonModule(config));
    io.out(`wrote ${shown(file)} (environment ${config.envName}, namespace prefix ${config.namespacePrefix})\n`);
  });

  followsStack(
    exporter
      .command('grafana')
      .description('Write one Grafana dashboard JSON per dashboard of the stack (CloudWatch data source; same metrics, periods and alarm thresholds), ready to import.')
      .requiredOption('--out <dir>', 'folder to write into')
      .option('--local', LOCAL_HELP),
  ).action(async (opts: ExportOptions, command) => {
    const config = await exportConfig(command, opts, io);
    // aws-cdk-lib is loaded only here: the other commands stay quick.
    const [{ stackExportInput }, { grafanaDashboards }] = await Promise.all([import('../../export/stack-model'), import('../../export/grafana')]);
    const files = grafanaDashboards(stackExportInput(config));
    if (files.length === 0) {
      io.err('error: the stack has no dashboard to export.\n');
      io.exit(EXIT.failure);
      return;
    }
    mkdirSync(opts.out, { recursive: true });
    for (const { fileName, dashboard } of files) {
      const file = join(opts.out, fileName);
      writeFileSync(file, `${JSON.stringify(dashboard, null, 2)}\n`);
      io.out(`wrote ${shown(file)}: ${dashboard.panels.length} panels, ${dashboard.annotations.list.length - 1} alarm annotation(s)\n`);
    }
    const variables = new Set(files.flatMap((f) => f.dashboard.templating.list.filter((v) => v.type === 'textbox').map((v) => String(v.label))));
    if (variables.size > 0) {
      io.err(`note: fill in after import (dashboard variables; named at deploy time): ${[...variables].join(', ')}.\n`);
    }
  });
};

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
