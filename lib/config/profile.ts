/**
 * Profiles: which priced insight features are on when the config does not say. `standard` (the
 * default) keeps every failure-mode detection and leaves the insight features off, so the
 * default deploy fits a small team's monitoring budget; `full` turns every insight feature on.
 * A feature key set explicitly in the config always wins over its profile's default.
 * CDK-free: the schema, the cost estimate and the docs read this one list.
 */

export const PROFILES = ['standard', 'full'] as const;
export type Profile = (typeof PROFILES)[number];

export interface ProfileFeature {
  /** Config key (dotted path), e.g. `slo.burnRateAlarms`. */
  readonly key: string;
  /** What it adds, in the words of the docs and of `monitor cost-estimate --what-if`. */
  readonly summary: string;
}

/** Every feature a profile switches, in the order the docs list them. */
export const PROFILE_FEATURES: readonly ProfileFeature[] = [
  { key: 'slo.burnRateAlarms', summary: 'ADCE SLO burn-rate alarms (fast and slow; each the AND of two windows)' },
  { key: 'healthRollup', summary: 'Monitoring-Unhealthy / Monitoring-Degraded roll-up composites on every dashboard' },
  { key: 'anomalyDetection.operationDurations', summary: 'an anomaly band on each pipeline operation duration' },
  { key: 'anomalyDetection.s3Growth', summary: "an anomaly band on the data lake's object growth" },
  { key: 'adce.priorityMetrics', summary: 'ADCEQueueTasks per priority as custom metrics (the Logs Insights table is always there)' },
  { key: 'cost.serviceMetrics', summary: 'ServiceMonthlyCost per top service as custom metrics (the Logs Insights table is always there)' },
];

/** A feature's value: the explicit one, else what the profile says. */
export function featureDefault(profile: Profile, explicit: boolean | undefined): boolean {
  return explicit ?? profile === 'full';
}

/** Reads a dotted key of a (resolved) config object. */
export function featureValue(config: object, key: string): unknown {
  return key.split('.').reduce<unknown>((cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), config);
}
