import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../../config/load';
import type { MonitoringConfig } from '../../config/schema';
import { builtInScenarios } from '../../simulate/built-in';
import { type ScenarioResult, simulateScenario } from '../../simulate/driver';
import type { SimStack } from '../../simulate/model';
import { passed, renderSummary, renderTimeline, resultJson } from '../../simulate/report';
import { type Scenario, parseScenario } from '../../simulate/scenario';
import { readStackTemplate } from '../../simulate/template';
import { chooseConfig, chooseStack, readStacks } from '../assembly';
import { UsageError, parseNumberFlag } from '../flags';
import { EXIT, type RegisterCommand, localConfig } from '../main';
import { formatTable } from '../table';

/**
 * `monitor simulate`: replays failure scenarios through the synthesized stack's alarms without
 * an AWS account, and says which alarm fires, when, and who hears about it. Exit 0 when every
 * scenario run is detected within its bound (healthy: nothing fires), 1 otherwise.
 */

interface SimulateOptions {
  list?: boolean;
  scenario: string[];
  scenarioFile: string[];
  all?: boolean;
  days?: string;
  json?: boolean;
  app: string;
  stack?: string;
}

export const registerSimulate: RegisterCommand = (program, io) => {
  program
    .command('simulate')
    .description('Replay failure scenarios through the synthesized alarms: which alarm fires, when, and who is notified (no AWS account needed).')
    .option('--list', 'list the scenarios and their detection bounds')
    .option('--scenario <name>', 'run one scenario and print its timeline (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--scenario-file <file>', 'also run the scenario in this JSON file (repeatable; format: docs/monitoring/MONITORING_GUIDE.md, section 5)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--all', 'run every scenario and print a summary table')
    .option('--days <n>', 'simulated days (default: each scenario its own)')
    .option('--json', 'print one JSON object per scenario, one per line')
    .option('--app <dir>', 'cloud assembly folder written by `npx cdk synth`', 'cdk.out')
    .option('--stack <name>', 'the stack to simulate; default: the one of --env/--config/MONITOR_ENV, else the only one')
    .action(async (opts: SimulateOptions, command) => {
      try {
        const local = localConfig(command);
        const chosen = chooseStack(readStacks(opts.app), opts.stack, local);
        const { config, origin } = chosen.config ? { config: chosen.config, origin: `the configuration recorded in ${chosen.name}` } : chooseConfig(local, [chosen.template]);
        const stack = readStackTemplate(chosen.template, chosen.name);
        const builtIn = builtInScenarios(config);
        const fromFiles = opts.scenarioFile.map(readScenarioFile);
        const known = [...builtIn, ...fromFiles];
        const days = opts.days === undefined ? undefined : parseNumberFlag('--days', opts.days, { min: 1, max: 30 });

        if (opts.list) {
          io.out(`${formatTable(['scenario', 'days', 'detected by', 'within', 'description'], known.map((s) => [s.name, String(s.days), 'alarms' in s.expect ? s.expect.alarms.join(' | ') : '(nothing may fire)', 'withinMinutes' in s.expect ? `${s.expect.withinMinutes} min` : '', s.description]))}\n`);
          return;
        }
        let chosenScenarios: Scenario[];
        if (opts.all) chosenScenarios = known;
        else if (opts.scenario.length > 0 || fromFiles.length > 0) {
          chosenScenarios = [...opts.scenario.map((name) => known.find((s) => s.name === name) ?? unknownScenario(name, known)), ...fromFiles.filter((f) => !opts.scenario.includes(f.name))];
        } else {
          throw new UsageError('choose --list, --scenario NAME, --scenario-file FILE or --all.');
        }
        if (!opts.json) io.err(`Simulating ${chosen.name} (${chosen.file}) with ${origin}.\n`);
        const results: ScenarioResult[] = [];
        for (const scenario of chosenScenarios) {
          const result = await simulate(stack, config, scenario, days);
          results.push(result);
          if (opts.json) io.out(`${JSON.stringify(resultJson(result))}\n`);
          else if (!opts.all) io.out(renderTimeline(result));
        }
        if (opts.all && !opts.json) io.out(renderSummary(results));
        if (results.some((r) => !passed(r))) io.exit(EXIT.failure);
      } catch (err) {
        if (!(err instanceof UsageError) && !(err instanceof ConfigError)) throw err;
        io.err(`error: ${err.message}\n`);
        io.exit(EXIT.usage);
      }
    });
};

function simulate(stack: SimStack, config: MonitoringConfig, scenario: Scenario, days: number | undefined): Promise<ScenarioResult> {
  return simulateScenario({ stack, config, scenario, ...(days !== undefined ? { days } : {}) });
}

function readScenarioFile(file: string): Scenario {
  if (!existsSync(file)) throw new UsageError(`--scenario-file ${file}: no such file.`);
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--scenario-file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseScenario(input, file);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function unknownScenario(name: string, known: readonly Scenario[]): never {
  throw new UsageError(`no scenario ${JSON.stringify(name)}; known: ${known.map((s) => s.name).join(', ')} (monitor simulate --list).`);
}
