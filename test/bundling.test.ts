import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildStack } from './support/synth';

/** The one test that bundles the Lambdas for real with esbuild. */
describe('Lambda bundles', () => {
  it('each of the four publishers and the Cost Anomaly Detection deploy-time handler bundles to a minified CJS file that loads and exports its handler', () => {
    const { app, stack } = buildStack({}, { bundle: true });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, any> };
    const publishers = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('MonitoringPublishers'));
    expect(publishers).toHaveLength(4);
    for (const [id, fn] of publishers) {
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const file = join(assembly.directory, `asset.${hash}`, 'index.js');
      expect(existsSync(file), `${id}: ${file}`).toBe(true);
      const code = readFileSync(file, 'utf8');
      const kb = statSync(file).size / 1024;
      // Target 300 KB (cold start). DIMS carries the `yaml` parser (~110 KB): its reason to be larger.
      const limitKb = id.includes('Dims') ? 350 : 300;
      expect(kb, `${id} bundle size`).toBeLessThan(limitKb);
      // CJS, SDK external (the Node 24 runtime ships it).
      expect(code).toMatch(/require\("@aws-sdk\/client-(cloudwatch|s3|cost-explorer)"\)/);
      expect(code).not.toContain('GraniteServiceVersion20100801');
      // Lambda loads index.js as CJS (no package.json); here the project's "type": "module" would not.
      const cjs = file.replace(/\.js$/, '.cjs');
      copyFileSync(file, cjs);
      const mod = createRequire(cjs)(cjs) as { handler?: unknown };
      expect(typeof mod.handler, id).toBe('function');
    }

    const alerts = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).includes('Cost Anomaly Detection alert subscription'));
    expect(alerts).toHaveLength(1);
    const file = join(assembly.directory, `asset.${String(alerts[0]![1].Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
    expect(statSync(file).size / 1024).toBeLessThan(300);
    expect(readFileSync(file, 'utf8')).toMatch(/require\("@aws-sdk\/client-cost-explorer"\)/);
    const cjs = file.replace(/\.js$/, '.cjs');
    copyFileSync(file, cjs);
    expect(typeof (createRequire(cjs)(cjs) as { handler?: unknown }).handler).toBe('function');
  });
});
