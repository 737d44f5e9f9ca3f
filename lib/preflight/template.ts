import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { MonitoringConfig } from '../config/schema';
import { MonitoringStack } from '../stacks/monitoring-stack';
import type { PreflightTemplate, Target } from './types';

/**
 * The template `cdk deploy` would send for this config, account and region, synthesized in
 * memory (Lambda bundling skipped: only resource types and names matter here).
 */
export function synthesizeTemplate(config: MonitoringConfig, stackName: string, target: Target): PreflightTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'preflight-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new MonitoringStack(app, stackName, { config, env: target });
    return app.synth().getStackByName(stack.stackName).template as PreflightTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
