import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stage } from 'aws-cdk-lib';
import type { MonitoringConfig } from '../config/schema';
import { inMemoryStack } from '../stacks/monitoring-stack';
import type { PreflightTemplate, Target } from './types';

/**
 * The template `cdk deploy` would send for this config, account and region, synthesized in
 * memory (Lambda bundling skipped: only resource types and names matter here).
 */
export function synthesizeTemplate(config: MonitoringConfig, stackName: string, target: Target): PreflightTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'preflight-'));
  try {
    const stack = inMemoryStack(config, { stackName, env: target, outdir });
    return Stage.of(stack)!.synth().getStackByName(stack.stackName).template as PreflightTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
