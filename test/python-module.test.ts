import { tmpdir } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { main } from '../lib/cli/main';
import { DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CONFIG_METADATA_KEY, parseConfig } from '../lib/config/load';
import type { MonitoringConfig } from '../lib/config/schema';
import { PYTHON_MODULE_FILE, pythonModule } from '../lib/export/python';
import { captureIO, configFile } from './cli-helpers';
import { mockNoDeployedStack } from './support/no-deployed-stack';

// No stack is deployed unless a test records one: export falls back to the local configuration.
const { cfn, reset: noDeployedStack } = mockNoDeployedStack();

const pythonDir = join(import.meta.dirname, '..', 'python');

/**
 * The first interpreter that can import boto3: $PYTHON, then `python3` on PATH, then Debian's
 * /usr/bin/python3 (python3-boto3 installs there, while PATH may hold a pyenv python3 without it).
 */
function findPython(): { python?: string; tried: string[] } {
  const tried = [...new Set([process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p)))];
  for (const candidate of tried) {
    try {
      execFileSync(candidate, ['-c', 'import boto3'], { stdio: 'ignore', timeout: 30_000 });
      return { python: candidate, tried };
    } catch {
      // Not there, or no boto3.
    }
  }
  return { tried };
}

const { python, tried } = findPython();
// Locally a missing python3/boto3 skips these (with a message); in CI (.ci/run installs python3-boto3) it fails.
const skip = !python && !process.env.CI;
if (skip) console.warn(`python-module tests skipped: no python3 with boto3 (tried ${tried.join(', ')}); install Debian's python3-boto3 to run them.`);

/** What the catalog says the module must send, for the Python tests to check against. */
function expectations(config: MonitoringConfig) {
  const catalog = createCatalog(config);
  const operation = config.pipelineOperations[0]!.name;
  const pushed = catalog.publishedBy('pipeline').find((m) => m.group !== 'Performance' && m.dimensions.length === 0)!;
  return {
    operation,
    durationNamespace: catalog.get(`${operation}Duration`).namespace,
    pushed: { name: pushed.name, namespace: pushed.namespace, unit: pushed.unit },
    undeclared: pushed.name.slice(0, -1),
    owned: catalog.all().find((m) => m.source !== 'pipeline' && m.enabled)!.name,
  };
}

/** Runs the Python unittest file against a module folder; returns the test count and the output. */
function runPythonTests(moduleDir: string, config: MonitoringConfig, only: string[] = []): { code: number | null; ran: number; output: string } {
  const result = spawnSync(python!, ['-m', 'unittest', '-v', 'test_datalake_monitoring', ...only.flatMap((k) => ['-k', k])], {
    cwd: pythonDir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', DLM_MODULE_DIR: moduleDir, DLM_EXPECT: JSON.stringify(expectations(config)) },
  });
  const output = `${result.stdout}${result.stderr}`;
  return { code: result.status, ran: Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0), output };
}

describe('the pipeline\'s Python module (python/datalake_monitoring.py)', () => {
  it('is what the catalog and the default configuration generate (regenerate: npm run -s monitor -- export python --out python/)', () => {
    expect(readFileSync(join(pythonDir, PYTHON_MODULE_FILE), 'utf8')).toBe(pythonModule(parseConfig({})));
  });

  it('refuses pushes of every metric a publisher owns, also those the configuration turns off', () => {
    const config = parseConfig({});
    const off = createCatalog(config).all().filter((m) => m.source !== 'pipeline' && !m.enabled).map((m) => m.name);
    // The standard profile logs these instead of sending them; they stay the publishers' series.
    expect(off).toEqual(expect.arrayContaining(['ADCEQueueTasks', 'ServiceMonthlyCost']));
    const owned = /OWNED_METRICS = \{\n([^}]*)\}/.exec(pythonModule(config))![1]!;
    for (const name of off) expect(owned).toMatch(new RegExp(`"${name}": "the (s3|adce|dims|cost) publisher"`));
    expect(owned).not.toMatch(/Duration"/);
  });

  it('monitor export python writes the module of the chosen configuration when no stack is deployed, and says so', async () => {
    noDeployedStack();
    const file = configFile({ namespacePrefix: 'Acme-Lake', pipelineOperations: [{ name: 'Load', expectedEveryHours: 1 }] });
    const out = mkdtempSync(join(tmpdir(), 'python-'));
    const io = captureIO();
    expect(await main(['--config', file, 'export', 'python', '--out', out], io)).toBe(0);
    expect(io.stderr).toMatch(/note: no stack Acme-Lake-Monitoring .*; using .*\.json/);
    const written = readFileSync(join(out, PYTHON_MODULE_FILE), 'utf8');
    expect(written).toBe(pythonModule(parseConfig({ namespacePrefix: 'Acme-Lake', pipelineOperations: [{ name: 'Load', expectedEveryHours: 1 }] })));
    expect(written).toContain('"LoadDuration": {\n        "namespace": "Acme-Lake/Performance"');
    expect(written).toContain('OPERATIONS = {\n    "Load": "LoadDuration",\n}');
    expect(written).not.toContain('DataExtractionDuration');
  });

  it('monitor export python follows the configuration the deployed stack records; --local makes no AWS call', async () => {
    noDeployedStack();
    const deployed = parseConfig({ namespacePrefix: 'Deployed-Lake', pipelineOperations: ['Load'] });
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'NBA-Simulator-Monitoring', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Metadata: { [CONFIG_METADATA_KEY]: { 'NBA-Simulator-Monitoring/Monitoring': { config: deployed } } }, Resources: {} }) });
    const file = configFile({});
    const out = mkdtempSync(join(tmpdir(), 'python-'));
    const io = captureIO();
    expect(await main(['--config', file, 'export', 'python', '--out', out], io)).toBe(0);
    expect(readFileSync(join(out, PYTHON_MODULE_FILE), 'utf8')).toBe(pythonModule(deployed));
    expect(io.stderr).toMatch(/differs from what NBA-Simulator-Monitoring was deployed with \(.*namespacePrefix.*\); using the deployed configuration/);

    cfn.resetHistory();
    const offline = captureIO();
    expect(await main(['--config', file, 'export', 'python', '--local', '--out', out], offline)).toBe(0);
    expect(readFileSync(join(out, PYTHON_MODULE_FILE), 'utf8')).toBe(pythonModule(parseConfig({})));
    expect(cfn.calls()).toHaveLength(0);
    expect(offline.stderr).toBe('');
  });

  it.skipIf(skip)('its Python tests pass against a fake CloudWatch on loopback (success, failure, re-raise, refusals, batching, timeouts)', () => {
    expect(python, `no python3 with boto3 (tried ${tried.join(', ')}): .ci/run installs python3-boto3`).toBeDefined();
    const run = runPythonTests(pythonDir, parseConfig({}));
    expect(run.code, run.output).toBe(0);
    expect(run.ran, run.output).toBe(12);
  });

  it.skipIf(skip)('a module generated for another configuration sends that configuration\'s names', () => {
    const config = parseConfig({ namespacePrefix: 'Acme-Lake', pipelineOperations: [{ name: 'Load', expectedEveryHours: 1 }] });
    const dir = mkdtempSync(join(tmpdir(), 'python-'));
    writeFileSync(join(dir, PYTHON_MODULE_FILE), pythonModule(config));
    const run = runPythonTests(dir, config, ['ProfilePerformance', 'PutMetric']);
    expect(run.code, run.output).toBe(0);
    expect(run.ran, run.output).toBe(9);
  });
});
