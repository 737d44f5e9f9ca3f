import * as z from 'zod/mini';
import { PUBLISHERS } from '../config/schema';

/**
 * A scenario: the world over time, as events that bend the healthy world from one minute
 * (`atMinute`) until another (`untilMinute`, else to the end), and what must happen: the
 * alarms that must fire and how soon, or nothing at all. Built-in scenarios are made for the
 * configuration (lib/simulate/built-in.ts); users write their own as JSON files of this shape.
 */

const minute = z.int().check(z.minimum(0, 'must be >= 0'));
const publisher = z.enum(PUBLISHERS);
const at = { atMinute: minute, untilMinute: z.optional(minute) };

export const scenarioEventSchema = z.discriminatedUnion('kind', [
  /** The publisher is not invoked any more (schedule deleted, function broken before it logs). */
  z.strictObject({ kind: z.literal('publisher-stops'), publisher, ...at }),
  /** No new objects under a data source (`prefix`), or under every source. */
  z.strictObject({ kind: z.literal('source-silent'), prefix: z.optional(z.string()), ...at }),
  /** The ADCE orchestrator writes no run reports (its reconciliation still rewrites the queue). */
  z.strictObject({ kind: z.literal('orchestrator-stops'), ...at }),
  /** ADCE's reconciliation stops rewriting the task queue (runs go on). */
  z.strictObject({ kind: z.literal('queue-not-regenerated'), ...at }),
  /** This share of each ADCE run's tasks fails. */
  z.strictObject({ kind: z.literal('adce-failure-rate'), failedPct: z.number().check(z.minimum(0), z.maximum(100)), ...at }),
  /** DIMS stops verifying its inventory. */
  z.strictObject({ kind: z.literal('dims-not-verified'), ...at }),
  /** DIMS writes an object count this many percent off the live bucket. */
  z.strictObject({ kind: z.literal('dims-count-off'), pct: z.number(), ...at }),
  /** The account costs this much a day. */
  z.strictObject({ kind: z.literal('daily-cost'), usd: z.number().check(z.minimum(0)), ...at }),
  /** The pipeline pushes this many S3 upload failures every minute. */
  z.strictObject({ kind: z.literal('upload-failures'), perMinute: z.int().check(z.minimum(0)), ...at }),
  /** The pipeline pushes this validation pass rate. */
  z.strictObject({ kind: z.literal('validation-pass-rate'), pct: z.number().check(z.minimum(0), z.maximum(100)), ...at }),
  /** A publisher's input becomes unreadable (invalid JSON / YAML): its runs fail and log errors. */
  z.strictObject({ kind: z.literal('corrupt-source'), publisher: z.enum(['adce', 'dims']), ...at }),
  /** CloudWatch refuses PutMetricData (throttling). */
  z.strictObject({ kind: z.literal('cloudwatch-refuses'), ...at }),
]);

export type ScenarioEvent = z.output<typeof scenarioEventSchema>;

export const scenarioSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')),
  description: z.string(),
  /** Simulated days. */
  days: z.number().check(z.positive(), z.maximum(30, 'must be at most 30 days')),
  /** Publishers the scenario needs; skipped with a note when one is turned off. */
  requires: z._default(z.array(publisher), []),
  events: z.array(scenarioEventSchema),
  world: z.optional(z.strictObject({ /** false: ADCE has never run (no run report before minute 0) and its publisher is deployed at minute 0. @default true */ adceHistory: z.optional(z.boolean()) })),
  expect: z.union([
    z.strictObject({ nothing: z.literal(true) }),
    z.strictObject({
      /** Alarm names without the stack's prefix (e.g. `S3-PublisherHeartbeat`); the first of them to fire detects the failure. */
      alarms: z.array(z.string()).check(z.minLength(1, 'must name at least one alarm')),
      /** Detection must come within this many minutes after the failure. */
      withinMinutes: z.number().check(z.positive()),
      /** How the bound follows from the configuration. */
      bound: z.optional(z.string()),
    }),
  ]),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** The minute the failure starts: the first event's. */
export function failureMinute(scenario: Scenario): number | undefined {
  return scenario.events.length === 0 ? undefined : Math.min(...scenario.events.map((e) => e.atMinute));
}

/** The minute the world is healthy again: the last `untilMinute`, if every event has one. */
export function restoredMinute(scenario: Scenario): number | undefined {
  if (scenario.events.length === 0 || scenario.events.some((e) => e.untilMinute === undefined)) return undefined;
  return Math.max(...scenario.events.map((e) => e.untilMinute!));
}

/** Parses a scenario (a user's JSON file); the error names the file and each bad key. */
export function parseScenario(input: unknown, origin: string): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${origin} is not a valid scenario: ${issues}`);
  }
  const s = parsed.data;
  const end = s.days * 1440;
  for (const [i, e] of s.events.entries()) {
    if (e.atMinute >= end) throw new Error(`${origin}: events.${i}.atMinute ${e.atMinute} is after the simulation's end (minute ${end}, days: ${s.days})`);
    if (e.untilMinute !== undefined && e.untilMinute <= e.atMinute) throw new Error(`${origin}: events.${i}.untilMinute ${e.untilMinute} must be after atMinute ${e.atMinute}`);
  }
  return s;
}
