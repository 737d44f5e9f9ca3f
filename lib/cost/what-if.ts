import { parseConfig } from '../config/load';
import { PROFILE_FEATURES, featureValue } from '../config/profile';
import type { MonitoringConfig } from '../config/schema';
import { inMemoryStack } from '../stacks/monitoring-stack';
import { type CostAssumptions, DEFAULT_ASSUMPTIONS, estimateCost } from './model';

/**
 * What each profile feature that a config leaves off would add to its monthly cost: the stack
 * is built in memory (no bundling, no cdk.out) with and without the feature, and both templates
 * are priced by the same model as `monitor cost-estimate`.
 */
export interface FeatureCost {
  readonly key: string;
  readonly summary: string;
  /** Monthly USD the feature adds to this config (free tier applied as in the estimate). */
  readonly addsUsd: number;
}

export interface WhatIf {
  readonly baseUsd: number;
  readonly features: FeatureCost[];
  /** Every feature on at once (`profile: "full"` with no explicit feature key off). */
  readonly allOnUsd: number;
}

/** The monthly cost of a config's stack, built in memory. */
function estimateConfig(config: MonitoringConfig, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS): number {
  return estimateCost([inMemoryStack(config).inMemoryTemplate()], config, assumptions).totalUsd;
}

/** A config with one dotted key set (the config re-validated). */
function withKey(config: MonitoringConfig, key: string, value: boolean): MonitoringConfig {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const path = key.split('.');
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path.at(-1)!] = value;
  return parseConfig(copy, `what-if ${key}`);
}

export function whatIf(config: MonitoringConfig, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS): WhatIf {
  const baseUsd = estimateConfig(config, assumptions);
  const off = PROFILE_FEATURES.filter((f) => featureValue(config, f.key) === false);
  const features = off.map((f) => ({ key: f.key, summary: f.summary, addsUsd: estimateConfig(withKey(config, f.key, true), assumptions) - baseUsd }));
  const allOn = off.reduce((c, f) => withKey(c, f.key, true), config);
  return { baseUsd, features, allOnUsd: off.length > 0 ? estimateConfig(allOn, assumptions) : baseUsd };
}
