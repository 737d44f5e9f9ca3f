import { formatTable } from '../cli/table';
import type { ScenarioResult } from './driver';
import { SIMULATION_START } from './driver';

/** What `monitor simulate` prints: a scenario's timeline, the summary of all, JSON, the detection table. */

/** `125` -> `2 h 05 min`, `45` -> `45 min`, `2100` -> `1 d 11 h 00 min`. */
export function duration(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  let m = Math.abs(Math.round(minutes));
  const d = Math.floor(m / 1440);
  m -= d * 1440;
  const h = Math.floor(m / 60);
  m -= h * 60;
  if (d === 0 && h === 0) return `${sign}${m} min`;
  const mm = String(m).padStart(2, '0');
  return d === 0 ? `${sign}${h} h ${mm} min` : `${sign}${d} d ${h} h ${mm} min`;
}

function clock(minute: number): string {
  return new Date(SIMULATION_START + minute * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Whether a result passes: a detected failure within its bound, or a quiet healthy run (skipped scenarios do not count against it). */
export function passed(result: ScenarioResult): boolean {
  return result.verdict === 'detected' || result.verdict === 'quiet' || result.verdict === 'skipped';
}

function relative(result: ScenarioResult, minute: number): string {
  return result.failureAtMinute === undefined ? `minute ${minute}` : `${minute >= result.failureAtMinute ? '+' : ''}${duration(minute - result.failureAtMinute)}`;
}

function recipients(list: readonly string[]): string {
  return list.length === 0 ? 'no subscribers' : list.join(', ');
}

export function renderTimeline(result: ScenarioResult): string {
  const out = [`Scenario ${result.scenario}: ${result.description}`];
  if (result.verdict === 'skipped') return [...out, `  ${result.notes.join('; ')}`, ''].join('\n');
  out.push(`  ${result.days} simulated days from ${clock(0)} UTC; times after the failure.`);
  if (result.failureAtMinute !== undefined) out.push(`  ${clock(result.failureAtMinute)}  (minute ${result.failureAtMinute})  failure starts`);
  const lines: Array<{ minute: number; text: string }> = result.events.map((e) => {
    const sent = e.notifications.map((n) => `${n.severity ?? n.topic} topic "${n.topic}" -> ${recipients(n.recipients)}`);
    return { minute: e.minute, text: `${e.alarm}  ${e.from} -> ${e.state}${sent.length > 0 ? `; notifies ${sent.join('; ')}` : '; no notification'}\n      ${e.reason}` };
  });
  if (result.restoredAtMinute !== undefined) lines.push({ minute: result.restoredAtMinute, text: 'the world is healthy again' });
  if (result.recoveredAtMinute !== undefined) lines.push({ minute: result.recoveredAtMinute, text: 'every alarm that fired is out of ALARM again' });
  lines.sort((a, b) => a.minute - b.minute);
  for (const l of lines) out.push(`  ${clock(l.minute)}  ${relative(result, l.minute).padEnd(16)}  ${l.text}`);
  if (result.events.length === 0) out.push('  no alarm changed state');
  out.push('', `  ${verdictLine(result)}`);
  for (const p of result.problems) out.push(`  - ${p}`);
  if (result.stillInAlarm.length > 0) out.push(`  Still in ALARM at the end: ${result.stillInAlarm.join(', ')}`);
  const runs = Object.entries(result.runs).map(([p, r]) => `${p} ${r.invoked} runs${r.failed > 0 ? ` (${r.failed} failed, ${r.toFailureQueue} to the failure queue)` : ''}`);
  if (runs.length > 0) out.push(`  Publisher runs (the warm-up before minute 0 included): ${runs.join(', ')}`);
  for (const n of result.notes) out.push(`  Note: ${n}`);
  return `${out.join('\n')}\n`;
}

function verdictLine(result: ScenarioResult): string {
  switch (result.verdict) {
    case 'quiet':
      return 'PASS: nothing fired.';
    case 'detected':
      return `PASS: detected by ${result.detection!.alarm} after ${duration(result.detection!.afterMinutes)} (bound ${duration(result.withinMinutes!)}: ${result.bound ?? 'from the scenario'}).`;
    case 'late':
      return `FAIL: detected late by ${result.detection!.alarm} after ${duration(result.detection!.afterMinutes)} (bound ${duration(result.withinMinutes!)}).`;
    case 'missed':
      return 'FAIL: not detected.';
    case 'false-alarm':
      return 'FAIL: an alarm fired that should not have.';
    default:
      return 'SKIPPED.';
  }
}

/** How long after the world was restored every alarm that fired was out of ALARM, or which were not by the end. */
function recovery(r: ScenarioResult): string {
  if (r.restoredAtMinute === undefined) return '';
  if (r.recoveredAtMinute !== undefined) return duration(r.recoveredAtMinute - r.restoredAtMinute);
  return r.stillInAlarm.length > 0 ? `not by the end (${r.stillInAlarm.join(', ')})` : '';
}

export function summaryRows(results: readonly ScenarioResult[]): string[][] {
  return results.map((r) => [
    r.scenario,
    r.detection?.alarm ?? (r.verdict === 'quiet' ? '(none, as expected)' : r.verdict === 'skipped' ? '(skipped)' : '(none)'),
    r.detection ? duration(r.detection.afterMinutes) : '',
    r.detection ? `${r.detection.topics.join(', ') || 'no topic'}: ${recipients(r.detection.recipients)}` : '',
    recovery(r),
    passed(r) ? (r.verdict === 'skipped' ? 'skipped' : 'pass') : `FAIL (${r.verdict})`,
  ]);
}

export function renderSummary(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'first alarm', 'time to detect', 'notified', 'recovery after restore', 'result'];
  const failed = results.filter((r) => !passed(r));
  const lines = [formatTable(header, summaryRows(results)), ''];
  for (const r of results.filter((x) => x.verdict === 'skipped')) lines.push(`${r.scenario}: ${r.notes.join('; ')}`);
  for (const r of failed) lines.push(`${r.scenario}: ${r.problems.join('; ')}`);
  const skipped = results.filter((r) => r.verdict === 'skipped').length;
  const ran = results.length - skipped;
  const skippedText = skipped > 0 ? ` (${skipped} skipped)` : '';
  lines.push(failed.length === 0 ? `All ${ran} scenarios run pass${skippedText}.` : `${failed.length} of ${ran} scenarios run fail${skippedText}: ${failed.map((r) => r.scenario).join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/** The `--json` object of one scenario. */
export function resultJson(result: ScenarioResult): Record<string, unknown> {
  return {
    scenario: result.scenario,
    verdict: result.verdict,
    passed: passed(result),
    ...(result.failureAtMinute !== undefined ? { failureAtMinute: result.failureAtMinute } : {}),
    ...(result.detection ? { detectedBy: result.detection.alarm, timeToDetectMinutes: result.detection.afterMinutes } : {}),
    ...(result.withinMinutes !== undefined ? { boundMinutes: result.withinMinutes } : {}),
    ...(result.restoredAtMinute !== undefined ? { restoredAtMinute: result.restoredAtMinute } : {}),
    ...(result.recoveredAtMinute !== undefined ? { recoveredAtMinute: result.recoveredAtMinute } : {}),
    events: result.events.map((e) => ({ minute: e.minute, alarm: e.alarm, state: e.state, topics: e.topics })),
    problems: result.problems,
    notes: result.notes,
  };
}

/** docs/monitoring/DETECTION.md: what the simulator found for the default configuration. */
export function renderDetectionDoc(results: readonly ScenarioResult[], approximations: readonly string[]): string {
  const rows = results.map((r) => [
    `\`${r.scenario}\``,
    r.detection ? `\`${r.detection.alarm}\`` : r.verdict === 'quiet' ? 'none (as required)' : r.verdict === 'skipped' ? 'skipped' : '**not detected**',
    r.detection ? duration(r.detection.afterMinutes) : '',
    r.withinMinutes !== undefined ? `${duration(r.withinMinutes)}: ${r.bound ?? ''}` : '',
    r.detection ? r.detection.topics.join(', ') || 'no topic' : '',
    recovery(r),
  ]);
  const table = [
    '| Scenario | First alarm | Time to detect | Bound | Topic notified | Recovery after restore |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  return [
    '# Detection: what fires, when, and who hears about it',
    '',
    'Written by `npm run docs:detection` (`monitor simulate --all` on the default configuration);',
    'a test fails when this file is stale. Each scenario runs the real publishers against a',
    'simulated world with an injected clock, stores their datums and log lines as CloudWatch',
    'would, and evaluates every alarm of the synthesized stack each simulated minute.',
    'Times count from the failure. Every bound includes the minute CloudWatch takes to evaluate',
    'an alarm on a datum it has just received. In the default configuration the topics have no',
    'subscribers: add `alertEmails` / `alertPhoneNumbers` (see CONFIG_REFERENCE.md).',
    'Publishers-FailedRuns stays in ALARM until someone reads and empties the failed-runs queue',
    '(see its runbook section); nothing in the simulation reads it.',
    '',
    ...table,
    '',
    '## Scenarios',
    '',
    ...results.map((r) => `- \`${r.scenario}\`: ${r.description}`),
    '',
    '## How the simulator follows CloudWatch, and where it approximates',
    '',
    ...approximations.map((a) => `- ${a}`),
    '',
  ].join('\n');
}
