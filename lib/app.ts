import { Annotations, type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEYS, loadConfig, monitoringStackName } from './config/load';
import { MonitoringStack } from './stacks/monitoring-stack';

/**
 * Builds the app from CDK context: `-c env=prod` picks `config/prod.json`, `-c config=FILE`
 * names a file, and the keys in CONTEXT_KEYS override single values. cdk-nag runs on all of it.
 */
export function buildApp(app: App): MonitoringStack {
  const context = Object.fromEntries(CONTEXT_KEYS.map((k) => [k, app.node.tryGetContext(k)]));
  const { config, warnings } = loadConfig({
    envName: app.node.tryGetContext('env') ?? 'default',
    configFile: app.node.tryGetContext('config'),
    context,
  });
  const stackName = app.node.tryGetContext('stackName') ?? monitoringStackName(config);
  const stack = new MonitoringStack(app, stackName, {
    config,
    description: `Data-lake monitoring for ${config.dataLakeBucket}: publishers, alarms, dashboards, alerting.`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  for (const warning of warnings) {
    Annotations.of(stack).addWarningV2('monitoring:config', warning);
    console.warn(`warning: ${warning}`);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
