import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEYS, MONITOR_ENV_TAG, checkContextKeys, loadConfig, monitoringStackName } from './config/load';
import { MonitoringStack } from './stacks/monitoring-stack';

/**
 * Builds the app from CDK context: `-c env=prod` picks `config/prod.json`, `-c config=FILE`
 * names a file, and the keys in CONTEXT_KEYS override single values (a near-miss of one stops
 * the synth). The stack is tagged with its environment so `monitor` finds it whatever
 * overrides renamed it. cdk-nag runs on all of it.
 */
export function buildApp(app: App): MonitoringStack {
  checkContextKeys(app.node.getAllContext());
  const context = Object.fromEntries(CONTEXT_KEYS.map((k) => [k, app.node.tryGetContext(k)]));
  const { config } = loadConfig({
    envName: app.node.tryGetContext('env') ?? 'default',
    configFile: app.node.tryGetContext('config'),
    context,
  });
  const stackName = app.node.tryGetContext('stackName') ?? monitoringStackName(config);
  const stack = new MonitoringStack(app, stackName, {
    config,
    // One line per stack on `cdk synth` / `cdk deploy` (stderr: stdout may carry the template).
    onCostEstimate: (line) => console.error(line),
    description: `Data-lake monitoring of ${config.namespacePrefix} (${config.envName}): publishers, alarms, dashboards, alerting.`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    tags: { [MONITOR_ENV_TAG]: config.envName },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
