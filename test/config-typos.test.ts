import { tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../lib/app';
import { ConfigError, checkContextKeys, configWarnings, loadConfig, parseConfig } from '../lib/config/load';

/** No silent typos: a near-miss stops the synth and says what was meant. */
describe('typos stop the synth with "did you mean"', () => {
  it('an unknown config key, at the top and deep in the tree', () => {
    expect(() => parseConfig({ monthlyBudget: 40 })).toThrow(/unknown key "monthlyBudget" \(value 40\): did you mean "monthlyBudgetUsd"\?/);
    expect(() => parseConfig({ s3: { freshnes: { defaultThresholdHours: 2 } } })).toThrow(/unknown key "s3\.freshnes".*did you mean "s3\.freshness"\?/);
    expect(() => parseConfig({ adce: { enable: false } })).toThrow(/unknown key "adce\.enable".*did you mean "adce\.enabled"\?/);
    // Far from every key: named, no guess.
    const message = (() => {
      try {
        parseConfig({ zzzzzzzzzzzz: 1 });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/unknown key "zzzzzzzzzzzz"/);
    expect(message).not.toMatch(/did you mean/);
  });

  it('a -c key close to one of ours (CDK would ignore it and synthesize the default)', () => {
    expect(() => checkContextKeys({ monthlyBudget: '40' })).toThrow(/-c monthlyBudget=\.\.\. is not a context key of this app: did you mean monthlyBudgetUsd\?/);
    expect(() => checkContextKeys({ alertEmail: 'a@b.co' })).toThrow(/did you mean alertEmails\?/);
    // CDK's own keys and unrelated app keys pass.
    expect(() => checkContextKeys({ '@aws-cdk/core:newStyleStackSynthesis': true, 'aws:cdk:bundling-stacks': [], env: 'prod', somethingElseEntirely: 1 })).not.toThrow();
    const app = new App({ context: { monthlyBudget: '40', 'aws:cdk:bundling-stacks': [] } });
    expect(() => buildApp(app)).toThrow(ConfigError);
  });

  it('a freshness threshold or per-prefix metric naming no configured prefix', () => {
    expect(() => parseConfig({ s3: { prefixes: ['clicks/', 'orders/'], freshness: { perPrefix: { 'order/': 48 } } } })).toThrow(
      /s3\.freshness\.perPrefix names "order\/", which is not one of the configured prefixes \(s3\.prefixes: clicks\/, orders\/\): did you mean "orders\/"\?/,
    );
    expect(() => parseConfig({ s3: { prefixes: ['clicks/'], perPrefixMetrics: ['crm_export/'] } })).toThrow(/s3\.perPrefixMetrics names "crm_export\/"/);
    expect(() => parseConfig({ s3: { buckets: [{ name: 'acme-raw', prefixes: ['a/'], freshness: { perPrefix: { 'b/': 1 } } }] } })).toThrow(
      /s3\.buckets\[0\]\.freshness\.perPrefix names "b\/".*s3\.buckets\[0\]\.prefixes: a\//,
    );
    // Discovered at run time: allowed here, a warning when the job runs.
    expect(parseConfig({ s3: { freshness: { perPrefix: { 'anything/': 1 } } } }).s3.freshness.perPrefix).toEqual({ 'anything/': 1 });
  });

  it('a missing config/<env>.json says how to create it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    expect(() => loadConfig({ envName: 'prod', configDir: dir })).toThrow(/prod\.json for environment "prod" does not exist\. Create it with `npm run -s monitor -- init --env prod .*or write `\{\}` into it to use every default/);
    writeFileSync(join(dir, 'prod.json'), '\uFEFF{"monthlyBudgetUsd": 40}');
    expect(loadConfig({ envName: 'prod', configDir: dir }).config.monthlyBudgetUsd).toBe(40);
    expect(() => loadConfig({ envName: '../etc', configDir: dir })).toThrow(/Environment name "\.\.\/etc" must be letters, digits and "-"/);
  });

  it('warns when runbook links will not be clickable, and not once runbookBaseUrl is set', () => {
    const ids = (input: object) => configWarnings(parseConfig(input)).map((w) => w.id);
    expect(ids({ alertEmails: ['a@b.co'] })).toEqual(['monitoring:noRunbookBaseUrl']);
    expect(ids({ alertEmails: ['a@b.co'], runbookBaseUrl: 'https://github.com/acme/lake/blob/main' })).toEqual([]);
    expect(ids({ alertEmails: ['a@b.co'], runbookBaseUrl: 'https://x.example/docs', s3: { enabled: false } })).toEqual(['monitoring:dimsWithoutS3']);
  });
});
