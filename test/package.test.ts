import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The construct library as a team installs it: `npm pack` the repository, install the tarball
 * into a fresh CDK app outside the repository (so nothing resolves from our node_modules), type
 * check it and synthesize two instances in one stack. The fresh app has no esbuild: the
 * publishers must come prebuilt in the package.
 */
const repo = join(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// Outside the repository on purpose (TMPDIR points inside it for CDK's own output).
const outside = existsSync('/tmp') ? '/tmp' : join(repo, '..');

type Json = Record<string, any>;

const APP = `
import { App, Stack } from 'aws-cdk-lib';
import { DataLakeMonitoring, type MonitoringConfigInput } from 'data-lake-monitoring';

const app = new App({ outdir: 'cdk.out', context: { 'aws:cdk:bundling-stacks': ['*'] } });
const stack = new Stack(app, 'TwoLakes');
const acmeProps: MonitoringConfigInput = {
  namespacePrefix: 'Acme', dataLakeBucket: 'acme-events-lake', monthlyBudgetUsd: 40, alertEmails: ['ops@acme.example'],
  adce: { enabled: false }, dims: { enabled: false },
};
const acme = new DataLakeMonitoring(stack, 'Acme', acmeProps);
const beta = new DataLakeMonitoring(stack, 'Beta', { namespacePrefix: 'Beta', dataLakeBucket: 'beta-lake' });
// What users build on, typed: topics, alarms by base name, catalog metrics with their dimensions.
const budget: number = acme.config.monthlyBudgetUsd;
acme.topic('critical').topicArn;
beta.alarm('ADCE-QueueStale').alarmArn;
acme.metric('S3ObjectCount', { Bucket: 'acme-events-lake' }).with({ statistic: 'Maximum' });
// Type-checked, never run: the props are the config file's shape, a budget is a number.
export function wrongProps(): void {
  // @ts-expect-error monthlyBudgetUsd must be a number
  new DataLakeMonitoring(new Stack(new App(), 'Never'), 'Bad', { monthlyBudgetUsd: 'forty' });
}
console.log('budget', budget);
app.synth();
`;

describe('the packed construct library in a fresh CDK app', () => {
  let dir: string;
  let template: Json;

  beforeAll(() => {
    dir = mkdtempSync(join(outside, 'dlm-package-'));
    const packed = execFileSync(npm, ['pack', '--silent', '--pack-destination', dir], { cwd: repo, encoding: 'utf8' }).trim().split('\n').at(-1)!;
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'commonjs' }));
    writeFileSync(join(app, 'app.ts'), APP);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'out', types: [] }, files: ['app.ts'] }),
    );
    const cdkLib = JSON.parse(readFileSync(join(repo, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
    const constructs = JSON.parse(readFileSync(join(repo, 'node_modules', 'constructs', 'package.json'), 'utf8')).version;
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(dir, packed), `aws-cdk-lib@${cdkLib}`, `constructs@${constructs}`], { cwd: app, stdio: 'pipe' });
    execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, stdio: 'pipe' });
    execFileSync(process.execPath, [join('out', 'app.js')], { cwd: app, stdio: 'pipe', env: { ...process.env, TMPDIR: dir } });
    template = JSON.parse(readFileSync(join(app, 'cdk.out', 'TwoLakes.template.json'), 'utf8'));
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ofType = (type: string) => Object.entries<Json>(template.Resources).filter(([, r]) => r.Type === type);
  const names = (type: string, key: string) => ofType(type).map(([, r]) => r.Properties[key]);

  it('synthesizes both instances with the publishers the package ships prebuilt (no bundling in the app)', () => {
    // The custom-resource framework function is aws-cdk-lib's own code.
    const functions = ofType('AWS::Lambda::Function').filter(([id]) => !id.includes('ProviderframeworkonEvent'));
    // Acme: S3 + cost; Beta: all four; each with the Cost Anomaly Detection deploy-time handler.
    expect(functions).toHaveLength(8);
    const shipped = join(dir, 'app', 'node_modules', 'data-lake-monitoring', 'dist', 'lambda');
    const prebuilt = new Set(['s3', 'adce', 'dims', 'cost', 'cost-anomaly-alerts'].map((p) => readFileSync(join(shipped, p, 'index.js'), 'utf8')));
    for (const [id, fn] of functions) {
      const asset = join(dir, 'app', 'cdk.out', `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
      expect(prebuilt.has(readFileSync(asset, 'utf8')), `${id} uses a shipped bundle`).toBe(true);
      expect(fn.Properties.Handler).toBe('index.handler');
    }
  });

  it('no two resources have the same physical name', () => {
    const physical = [
      ...names('AWS::CloudWatch::Alarm', 'AlarmName'),
      ...names('AWS::CloudWatch::CompositeAlarm', 'AlarmName'),
      ...names('AWS::CloudWatch::Dashboard', 'DashboardName'),
      ...ofType('AWS::Budgets::Budget').map(([, r]) => JSON.stringify(r.Properties.Budget.BudgetName)),
      ...names('AWS::Logs::QueryDefinition', 'Name'),
      ...names('AWS::Logs::LogGroup', 'LogGroupName').filter((n) => n !== undefined),
    ];
    expect(physical.length).toBeGreaterThan(40);
    expect(physical.filter((n, i) => physical.indexOf(n) !== i)).toEqual([]);
    const alarms = names('AWS::CloudWatch::Alarm', 'AlarmName');
    expect(alarms).toContain('Acme-S3-PublisherHeartbeat');
    expect(alarms).toContain('Beta-S3-PublisherHeartbeat');
    expect(alarms.filter((n: string) => n.startsWith('Acme-') && /ADCE|DIMS/.test(n))).toEqual([]);
  });

  it('records each instance configuration in the template for the CLI', () => {
    const recorded = template.Metadata?.DataLakeMonitoring as Record<string, { config: Json }>;
    expect(Object.keys(recorded).sort()).toEqual(['TwoLakes/Acme', 'TwoLakes/Beta']);
    expect(recorded['TwoLakes/Acme']!.config).toMatchObject({ namespacePrefix: 'Acme', monthlyBudgetUsd: 40, adce: { enabled: false } });
  });
});
