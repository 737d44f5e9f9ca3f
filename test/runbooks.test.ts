import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_PATH, runbookAnchor } from '../lib/constructs/alarm-factory';
import { synthStack } from './support/synth';

const runbook = readFileSync(join(import.meta.dirname, '..', RUNBOOK_PATH), 'utf8');
/** `## Heading` -> section text, keyed by the GitHub anchor. */
const sections = new Map(
  runbook
    .split(/^## /m)
    .slice(1)
    .map((s) => [runbookAnchor(s.split('\n')[0]!), s] as const),
);

describe('alarm runbooks', () => {
  // One operation with a cadence, so its heartbeat alarm is checked too.
  const { template, stack } = synthStack({ alertEmails: ['ops@example.com'], pipelineOperations: ['DataExtraction', { name: 'S3Upload', expectedEveryHours: 24 }, 'Validation'] });
  const alarms = Object.values({
    ...template.findResources('AWS::CloudWatch::Alarm'),
    ...template.findResources('AWS::CloudWatch::CompositeAlarm'),
  }).map((r) => r.Properties as { AlarmName: string; AlarmDescription?: string });

  it('every alarm of the template links a runbook section that exists', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    expect(alarms.map((a) => a.AlarmName)).toContain('S3Upload-Heartbeat');
    for (const a of alarms) {
      const link = /ALARM_RUNBOOKS\.md#([\w-]+)$/.exec(a.AlarmDescription ?? '');
      expect(link, `${a.AlarmName} has no runbook link in its description`).not.toBeNull();
      expect(sections.has(link![1]!), `${a.AlarmName}: no "## " section with anchor #${link![1]} in ${RUNBOOK_PATH}`).toBe(true);
    }
  });

  it('every registered alarm section says what it means, what to check first and how to resolve', () => {
    for (const e of stack.alarms.registered) {
      const text = sections.get(e.runbookAnchor);
      expect(text, `${e.baseName} has no runbook section`).toBeDefined();
      for (const part of ['**What it means.**', '**First checks.**', '**Resolve.**', `**Severity:** ${e.severity}`]) {
        expect(text, `${e.baseName} runbook lacks ${part}`).toContain(part);
      }
    }
  });

  it('explains severities, missing-data choices and silencing once for all', () => {
    for (const heading of ['severities', 'missing-data-what-each-alarm-does-when-nothing-arrives', 'how-to-silence-an-alarm-all-alarms']) {
      expect(sections.has(heading), heading).toBe(true);
    }
  });
});
