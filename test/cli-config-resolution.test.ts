import { tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { beforeEach, describe, expect, it } from 'vitest';
import { localConfig, main } from '../lib/cli/main';
import { MONITOR_ENV_TAG, parseConfig } from '../lib/config/load';
import { captureIO, configFile } from './cli-helpers';
import { mockCloudWatch } from './support/cloudwatch-mock';

/** One documented order: --config, --env, MONITOR_ENV, the default configuration. */
describe('which local configuration the CLI reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'resolution-'));
  for (const env of ['prod', 'staging']) writeFileSync(join(dir, `${env}.json`), JSON.stringify({ namespacePrefix: `Team-${env}` }));
  const explicit = join(dir, 'explicit.json');
  writeFileSync(explicit, JSON.stringify({ namespacePrefix: 'Team-explicit' }));
  const resolve = (args: string[], environment: NodeJS.ProcessEnv = {}) => {
    const program = new Command().option('--env <name>').option('--config <file>').exitOverride();
    program.parse(args, { from: 'user' });
    return localConfig(program, environment, dir);
  };

  it('--config wins over --env and MONITOR_ENV', () => {
    const got = resolve(['--config', explicit, '--env', 'prod'], { MONITOR_ENV: 'staging' });
    expect(got.config.namespacePrefix).toBe('Team-explicit');
    expect(got.origin).toBe(explicit);
    expect(got.chosen).toBe(true);
  });

  it('--env wins over MONITOR_ENV', () => {
    expect(resolve(['--env', 'prod'], { MONITOR_ENV: 'staging' }).config.namespacePrefix).toBe('Team-prod');
  });

  it('MONITOR_ENV when no flag is given', () => {
    const got = resolve([], { MONITOR_ENV: 'staging' });
    expect(got.config).toMatchObject({ namespacePrefix: 'Team-staging', envName: 'staging' });
    expect(got.chosen).toBe(true);
  });

  it('else the default configuration, not chosen', () => {
    const got = resolve([], {});
    expect(got.config).toMatchObject({ namespacePrefix: 'NBA-Simulator', envName: 'default' });
    expect(got.chosen).toBe(false);
  });

  it('a MONITOR_ENV without its file says how to create it', () => {
    expect(() => resolve([], { MONITOR_ENV: 'qa' })).toThrow(/qa\.json for environment "qa" does not exist\. Create it with/);
  });
});

describe('put follows the deployed stack', () => {
  const cloudwatch = mockCloudWatch();
  const cfn = mockClient(CloudFormationClient);
  const local = configFile({});
  const deployed = parseConfig({ namespacePrefix: 'Acme-Lake', envName: 'default' });

  beforeEach(() => {
    cloudwatch.reset();
    cfn.reset();
  });

  it('sends into the namespace the stack was deployed with and says the local config differs', async () => {
    // Deployed with -c namespacePrefix=Acme-Lake: another stack name, found by its environment tag.
    cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
      if (input.StackName) throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
      return { Stacks: [{ StackName: 'Acme-Lake-Monitoring', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Tags: [{ Key: MONITOR_ENV_TAG, Value: 'default' }] }] };
    });
    cfn.on(GetTemplateCommand, { StackName: 'Acme-Lake-Monitoring' }).resolves({
      TemplateBody: JSON.stringify({ Metadata: { DataLakeMonitoring: { 'Acme-Lake-Monitoring/Monitoring': { config: deployed } } } }),
    });
    const io = captureIO();
    expect(await main(['--config', local, 'put', '--metric', 'S3UploadFailures', '--value', '2'], io)).toBe(0);
    expect(cloudwatch.requests().map((r) => r.Namespace)).toEqual(['Acme-Lake/DataCollection']);
    expect(io.stderr).toMatch(/note: .* differs from what Acme-Lake-Monitoring was deployed with \(namespacePrefix\); using the deployed configuration/);
  });

  it('without a deployed stack, uses the local configuration and says why', async () => {
    cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
      if (input.StackName) throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
      return { Stacks: [] };
    });
    const io = captureIO();
    expect(await main(['--config', local, 'put', '--metric', 'S3UploadFailures', '--value', '2'], io)).toBe(0);
    expect(cloudwatch.requests().map((r) => r.Namespace)).toEqual(['NBA-Simulator/DataCollection']);
    expect(io.stderr).toMatch(/note: no stack NBA-Simulator-Monitoring \(nor one tagged data-lake-monitoring:env=default\) in this account and region; using .*test\.json/);
  });

  it('two stacks tagged with the environment: no guess, it asks for --stack', async () => {
    cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => {
      if (input.StackName) throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
      const tagged = (StackName: string) => ({ StackName, StackStatus: 'CREATE_COMPLETE' as const, CreationTime: new Date(), Tags: [{ Key: MONITOR_ENV_TAG, Value: 'default' }] });
      return { Stacks: [tagged('A-Monitoring'), tagged('B-Monitoring')] };
    });
    const io = captureIO();
    await main(['--config', local, 'put', '--metric', 'S3UploadFailures', '--value', '2'], io);
    expect(io.stderr).toMatch(/2 stacks are tagged data-lake-monitoring:env=default \(A-Monitoring, B-Monitoring\): pass --stack/);
  });
});
