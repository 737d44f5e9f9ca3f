import type { CatalogMetric, Dimensions } from './catalog';
import { dataLakeBuckets } from '../config/load';
import type { MonitoringConfig } from '../config/schema';

/**
 * Every dimension set a metric is published with, as far as config knows it. CloudWatch
 * treats each set as its own metric (own data, own bill), so `verify` queries each one and
 * `cost-estimate` counts each one. Values config cannot know (the top services Cost Explorer
 * will name) come back as placeholders with `known: false`.
 */
interface DimensionSets {
  readonly sets: Dimensions[];
  /** False when some values are placeholders (only the count is right). */
  readonly known: boolean;
}

export function dimensionSets(config: MonitoringConfig, metric: CatalogMetric): DimensionSets {
  // Per-prefix metrics: each bucket with its own prefixes, not every bucket with every prefix.
  if (metric.dimensions.includes('Bucket') && metric.dimensions.includes('Prefix')) {
    const sets = dataLakeBuckets(config).flatMap((b) => b.perPrefixMetrics.map((Prefix) => ({ Bucket: b.name, Prefix })));
    return { sets, known: true };
  }
  let sets: Array<Record<string, string>> = [{}];
  let known = true;
  for (const name of metric.dimensions) {
    const values = valuesOf(config, metric, name);
    if (!values.known) known = false;
    sets = sets.flatMap((set) => values.values.map((v) => ({ ...set, [name]: v })));
  }
  return { sets, known };
}

function valuesOf(config: MonitoringConfig, metric: CatalogMetric, dimension: string): { values: string[]; known: boolean } {
  const fixed = metric.fixedDimensions?.[dimension];
  if (fixed !== undefined) return { values: [fixed], known: true };
  const allowed = metric.dimensionValues?.[dimension];
  if (allowed) return { values: [...allowed], known: true };
  switch (dimension) {
    case 'Bucket':
      return { values: dataLakeBuckets(config).map((b) => b.name), known: true };
    case 'Priority':
      return { values: [...config.adce.priorities], known: true };
    case 'Service':
      return { values: Array.from({ length: config.cost.topServices }, (_, i) => `<top service ${i + 1}>`), known: false };
    default:
      return { values: [`<${dimension}>`], known: false };
  }
}
