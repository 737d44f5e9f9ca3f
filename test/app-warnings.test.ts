import { App } from 'aws-cdk-lib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../lib/app';

/** What `cdk synth` shows a user about their configuration: each warning once. */
describe('configuration warnings at synth', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the missing alert email is one annotation of the stack, not also printed by the app', () => {
    const printed = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const logged = vi.spyOn(console, 'log').mockImplementation(() => {});
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } }); // the default configuration: no alertEmails
    const stack = buildApp(app);
    // Annotations are construct metadata; synth copies them into the assembly, where the CDK CLI
    // reads and prints them (with how to acknowledge them).
    const warnings = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === 'aws:cdk:warning')
      .map((m) => String(m.data));
    expect(warnings.filter((w) => w.includes('alert email'))).toEqual([expect.stringMatching(/^No alert email is configured \(alertEmails\): alarms will notify nobody/)]);
    expect(printed).not.toHaveBeenCalled();
    expect(logged).not.toHaveBeenCalled();
  });
});
