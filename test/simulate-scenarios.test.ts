import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../lib/cli/main';
import { parseConfig } from '../lib/config/load';
import type { MonitoringConfig, MonitoringConfigInput } from '../lib/config/schema';
import { builtInScenarios } from '../lib/simulate/built-in';
import { DETECTION_DOC, simulateBuiltIns } from '../lib/simulate/detection-doc';
import { type ScenarioResult, isAlarm, simulateScenario } from '../lib/simulate/driver';
import { SIMULATOR_APPROXIMATIONS } from '../lib/simulate/approximations';
import { renderDetectionDoc, renderSummary } from '../lib/simulate/report';
import { parseScenario } from '../lib/simulate/scenario';
import { readStackTemplate } from '../lib/simulate/template';
import { inMemoryStack } from '../lib/stacks/monitoring-stack';
import { captureIO } from './cli-helpers';

/**
 * Every built-in scenario through the simulator: the real publishers against the simulated
 * world, the synthesized alarms judged each minute. Bounds are recomputed here from the
 * configuration, so a scenario whose bound drifted from its documented rule fails too.
 */

const EXPECTED: Record<string, (c: MonitoringConfig) => { alarm: string; bound: number }> = {
  's3-publisher-dies': (c) => ({ alarm: 'S3-PublisherHeartbeat', bound: 2 * c.s3.scheduleMinutes + 1 }),
  // The first source judged for freshness goes silent (in the alternate configuration clicks/, with its own 8 h).
  'source-goes-silent': (c) => ({ alarm: 'S3-StaleSources', bound: (c.s3.freshness.perPrefix['clicks/'] ?? c.s3.freshness.defaultThresholdHours) * 60 + 60 + 1 }),
  'adce-orchestrator-dies': (c) => ({ alarm: 'ADCE-NoRecentRun', bound: c.adce.maxHoursWithoutRun * 60 + c.adce.scheduleMinutes + 1 }),
  'adce-never-ran': (c) => ({ alarm: 'ADCE-NoRecentRun', bound: c.adce.maxHoursWithoutRun * 60 + c.adce.scheduleMinutes + 1 }),
  'adce-queue-not-regenerated': (c) => ({ alarm: 'ADCE-QueueStale', bound: 3 * c.adce.reconciliationIntervalMinutes + 2 * c.adce.scheduleMinutes + 1 }),
  'adce-failure-burst': () => ({ alarm: 'ADCE-HighFailureRate', bound: 10 }),
  'adce-slow-burn': () => ({ alarm: 'ADCE-HighFailureRate', bound: 10 }),
  'dims-not-verified': (c) => ({ alarm: 'DIMS-VerificationStale', bound: c.dims.verificationCadenceHours * 60 + 2 * c.dims.scheduleMinutes + 1 }),
  'dims-drift': (c) => ({ alarm: 'DIMS-DriftMajor', bound: c.dims.scheduleMinutes + 1 }),
  'cost-forecast-over-budget': (c) => ({ alarm: 'Cost-ForecastOverBudget', bound: c.cost.scheduleMinutes + 1 }),
  'upload-failures': () => ({ alarm: 'S3-UploadFailures', bound: 11 }),
  'validation-pass-rate-drop': () => ({ alarm: 'Data-QualityIssues', bound: 61 }),
  'publisher-errors': (c) => ({ alarm: 'Publishers-LoggedErrors', bound: c.adce.scheduleMinutes + 6 }),
  'cloudwatch-throttled-1h': (c) => ({ alarm: 'Publishers-LoggedErrors', bound: Math.min(c.s3.scheduleMinutes, c.adce.scheduleMinutes, c.dims.scheduleMinutes, c.cost.scheduleMinutes) + 6 }),
};

// Other schedules and thresholds, and the full profile: composites (SLO burn, roll-up) and anomaly bands too.
const ALTERNATE: MonitoringConfigInput = {
  profile: 'full',
  namespacePrefix: 'Acme',
  dataLakeBucket: 'acme-events-lake',
  monthlyBudgetUsd: 400,
  s3: { scheduleMinutes: 60, prefixes: ['inventory-reports/', 'clicks/', 'orders/'], freshness: { defaultThresholdHours: 12, perPrefix: { 'clicks/': 8 } } },
  adce: { scheduleMinutes: 10, maxHoursWithoutRun: 3, reconciliationIntervalMinutes: 30, timeZone: 'America/New_York', priorities: ['urgent', 'routine'] },
  dims: { scheduleMinutes: 720, verificationCadenceHours: 12, extraMetrics: ['prediction_system.total_lines'] },
  cost: { scheduleMinutes: 720 },
};

function checkAll(results: ScenarioResult[], config: MonitoringConfig): void {
  expect(results.map((r) => r.scenario).sort()).toEqual(['healthy', ...Object.keys(EXPECTED)].sort());
  for (const r of results) {
    if (r.scenario === 'healthy') {
      expect(r.verdict, r.problems.join('; ')).toBe('quiet');
      expect(r.events.filter((e) => e.state === 'ALARM')).toEqual([]);
      continue;
    }
    const want = EXPECTED[r.scenario]!(config);
    expect(r.verdict, `${r.scenario}: ${r.problems.join('; ')}`).toBe('detected');
    expect(r.withinMinutes, r.scenario).toBe(want.bound);
    expect(isAlarm(config, r.detection!.alarm, want.alarm), `${r.scenario} detected by ${r.detection!.alarm}`).toBe(true);
    expect(r.detection!.afterMinutes).toBeGreaterThanOrEqual(0);
    expect(r.detection!.afterMinutes).toBeLessThanOrEqual(want.bound);
  }
}

describe('built-in scenarios on the default configuration', () => {
  const config = parseConfig({}, 'default');
  let results: ScenarioResult[];
  beforeAll(async () => {
    results = await simulateBuiltIns(config);
  });

  it('detects every failure within its bound and fires nothing on a healthy week', () => {
    checkAll(results, config);
  });

  it('tells who hears about it: the severity topic of the alarm that fired', () => {
    const byName = new Map(results.map((r) => [r.scenario, r]));
    expect(byName.get('s3-publisher-dies')!.detection!.topics).toEqual(['warning']);
    expect(byName.get('adce-orchestrator-dies')!.detection!.topics).toEqual(['critical']);
    // The default configuration subscribes nobody: said, not hidden.
    expect(byName.get('adce-orchestrator-dies')!.detection!.recipients).toEqual([]);
  });

  it('shows recovery once the world is healthy again', () => {
    const dies = results.find((r) => r.scenario === 's3-publisher-dies')!;
    expect(dies.restoredAtMinute).toBeDefined();
    expect(dies.recoveredAtMinute).toBeGreaterThan(dies.restoredAtMinute!);
    expect(dies.stillInAlarm).toEqual([]);
  });

  it('a failed run goes to the failure queue after its retry, and the queue alarm holds until the messages expire', () => {
    const errors = results.find((r) => r.scenario === 'publisher-errors')!;
    expect(errors.runs.adce!.toFailureQueue).toBeGreaterThan(0);
    expect(errors.runs.adce!.failed).toBe(2 * errors.runs.adce!.toFailureQueue);
    expect(errors.events.some((e) => isAlarm(config, e.alarm, 'Publishers-FailedRuns') && e.state === 'ALARM')).toBe(true);
    expect(errors.stillInAlarm.some((a) => isAlarm(config, a, 'Publishers-FailedRuns'))).toBe(true);
  });

  it('writes docs/monitoring/DETECTION.md from these results (run `npm run docs:detection` when this fails)', () => {
    expect(readFileSync(DETECTION_DOC, 'utf8')).toBe(renderDetectionDoc(results, SIMULATOR_APPROXIMATIONS));
  });
});

describe('built-in scenarios on a configuration with other schedules and thresholds', () => {
  it('detects every failure within the bounds that follow from it; anomaly bands are named as not simulated', async () => {
    const config = parseConfig(ALTERNATE, 'alternate');
    const results = await simulateBuiltIns(config);
    checkAll(results, config);
    expect(results[0]!.notes).toContainEqual(expect.stringMatching(/^Acme-S3-ObjectGrowthAnomaly is not simulated: anomaly detection bands/));
    // The roll-up composite follows its members.
    const burst = results.find((r) => r.scenario === 'adce-failure-burst')!;
    expect(burst.events.filter((e) => e.state === 'ALARM').map((e) => e.alarm)).toEqual(expect.arrayContaining(['Acme-ADCE-HighFailureRate', 'Acme-Monitoring-Unhealthy']));
  });
});

describe('scenarios of turned-off sources', () => {
  it('are skipped with a note naming the setting', async () => {
    const config = parseConfig({ dims: { enabled: false } }, 'no dims');
    const stack = readStackTemplate(inMemoryStack(config).inMemoryTemplate(), 'no-dims');
    const scenario = builtInScenarios(config).find((s) => s.name === 'dims-drift')!;
    const result = await simulateScenario({ stack, config, scenario });
    expect(result.verdict).toBe('skipped');
    expect(result.notes.join(' ')).toMatch(/dims\.enabled: false/);
  });

  it('with every publisher off, only the pipeline scenarios run, and the summary says how many were skipped', async () => {
    const results = await simulateBuiltIns(parseConfig({ s3: { enabled: false }, adce: { enabled: false }, dims: { enabled: false }, cost: { enabled: false } }, 'pipeline only'));
    expect(results.filter((r) => r.verdict !== 'skipped').map((r) => [r.scenario, r.verdict])).toEqual([
      ['healthy', 'quiet'],
      ['upload-failures', 'detected'],
      ['validation-pass-rate-drop', 'detected'],
    ]);
    expect(renderSummary(results)).toMatch(/All 3 scenarios run pass \(12 skipped\)\./);
  });
});

describe('user scenarios', () => {
  it('name the file and each bad key', () => {
    expect(() => parseScenario({ name: 'Bad Name', description: 'x', days: 40, events: [{ kind: 'meteor' }], expect: { nothing: true } }, 'mine.json')).toThrow(/mine\.json is not a valid scenario: name: .*days: must be at most 30 days.*events\.0/);
    expect(() => parseScenario({ name: 'late', description: 'x', days: 1, events: [{ kind: 'orchestrator-stops', atMinute: 2000 }], expect: { nothing: true } }, 'late.json')).toThrow(/late\.json: events\.0\.atMinute 2000 is after the simulation's end \(minute 1440/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'simulate-cli-'));
  const app = join(dir, 'cdk.out');
  beforeAll(() => {
    const config = parseConfig({}, 'default');
    const stack = inMemoryStack(config, { stackName: 'NBA-Simulator-Monitoring' });
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'NBA-Simulator-Monitoring.template.json'), JSON.stringify(stack.inMemoryTemplate()));
  });

  it('run from a file through the CLI, with --json one object per scenario; a missed detection exits 1 naming it', async () => {
    const file = join(dir, 'quiet-orchestrator.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'short-orchestrator-outage',
        description: 'The orchestrator pauses for 2 hours: shorter than adce.maxHoursWithoutRun, so nothing must page.',
        days: 1,
        events: [{ kind: 'orchestrator-stops', atMinute: 300, untilMinute: 420 }],
        expect: { alarms: ['ADCE-NoRecentRun'], withinMinutes: 400 },
      }),
    );
    const io = captureIO();
    const code = await main(['simulate', '--scenario-file', file, '--json', '--app', app], io);
    expect(code).toBe(1);
    const lines = io.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ scenario: 'short-orchestrator-outage', failureAtMinute: 300, verdict: 'missed', passed: false });
    expect(lines[0].problems.join(' ')).toMatch(/not detected: none of ADCE-NoRecentRun fired/);
  });

  it('--scenario prints the timeline: failure, each state change with its time after the failure and who is notified, recovery', async () => {
    const io = captureIO();
    const code = await main(['simulate', '--scenario', 'adce-failure-burst', '--app', app], io);
    expect(code, io.stderr).toBe(0);
    expect(io.stdout).toMatch(/failure starts/);
    expect(io.stdout).toMatch(/\+\d+ min\s+NBA-Simulator-ADCE-HighFailureRate {2}OK -> ALARM; notifies critical topic "NBA-Simulator critical" -> no subscribers/);
    expect(io.stdout).toMatch(/every alarm that fired is out of ALARM again/);
    expect(io.stdout).toMatch(/PASS: detected by NBA-Simulator-ADCE-HighFailureRate after \d+ min \(bound 10 min/);
  });

  it('--list names every built-in scenario; an unknown one is a usage error listing them', async () => {
    const list = captureIO();
    expect(await main(['simulate', '--list', '--app', app], list)).toBe(0);
    for (const name of ['healthy', ...Object.keys(EXPECTED)]) expect(list.stdout).toContain(name);
    const bad = captureIO();
    expect(await main(['simulate', '--scenario', 'nope', '--app', app], bad)).toBe(2);
    expect(bad.stderr).toMatch(/no scenario "nope"; known: healthy, s3-publisher-dies/);
  });
});
