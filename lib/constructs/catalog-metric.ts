import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import type { ExpressionRef } from '../../dashboards/types';
import type { CatalogMetric, Dimensions, MetricCatalog } from '../catalog/catalog';
import { periodMinutesFor } from '../health/windows';

/**
 * The only way CDK code builds a CloudWatch metric of ours: from the catalog, by name, with
 * exactly the declared dimension names (fixed values such as DIMS's `Source=DIMS` are filled
 * in). A widget of `S3ObjectCount` without `Bucket` throws here instead of showing "no data".
 */
export interface CatalogMetricOptions {
  /** Statistic, e.g. `Sum`, `Average`, `p90`. @default the catalog's statistic for the metric */
  readonly statistic?: string;
  /** Aggregation period. @default one interval of the metric's publisher (`periodMinutesFor(cadenceMinutes)`: 5 minutes for pushed metrics, at most a day) */
  readonly period?: Duration;
  /** Legend label (graphs only: a labelled metric renders an alarm in the `Metrics` form). @default none: CloudWatch shows name and dimensions */
  readonly label?: string;
  /** Line colour, e.g. `#d62728`. @default automatic */
  readonly color?: string;
}

export function catalogMetric(
  catalog: MetricCatalog,
  name: string,
  dimensions: Dimensions = {},
  options: CatalogMetricOptions = {},
): cloudwatch.Metric {
  return metricOf(catalog, catalog.get(name), dimensions, options);
}

/** Same as `catalogMetric` for a metric already looked up (e.g. from `catalog.publishedBy`). */
export function metricOf(
  catalog: MetricCatalog,
  metric: CatalogMetric,
  dimensions: Dimensions = {},
  options: CatalogMetricOptions = {},
): cloudwatch.Metric {
  const full = catalog.dimensionsFor(metric, dimensions);
  // Dimension map in the catalog's order, so templates list them the way datums carry them.
  const dimensionsMap = Object.fromEntries(metric.dimensions.map((n) => [n, full[n]!]));
  return new cloudwatch.Metric({
    namespace: metric.namespace,
    metricName: metric.name,
    dimensionsMap,
    statistic: options.statistic ?? metric.statistic,
    period: options.period ?? Duration.minutes(periodMinutesFor(metric.cadenceMinutes)),
    label: options.label,
    color: options.color,
    // No `unit`: in an alarm or graph the unit is a filter, and a datum pushed by the pipeline
    // without a unit (boto3's default) would then silently not match.
  });
}

/**
 * Metric math over catalog metrics (the same `ExpressionRef` a dashboard draws), so an alarm and
 * its graph evaluate one expression. Variables carry no label: they are read, not drawn.
 */
export function catalogExpression(catalog: MetricCatalog, ref: ExpressionRef, options: { readonly label?: string } = {}): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: ref.expression,
    usingMetrics: Object.fromEntries(
      Object.entries(ref.using).map(([id, m]) => [
        id,
        catalogMetric(catalog, m.metric, m.dimensions, { statistic: m.statistic, period: m.periodMinutes === undefined ? undefined : Duration.minutes(m.periodMinutes) }),
      ]),
    ),
    period: Duration.minutes(ref.periodMinutes),
    label: options.label ?? ref.label,
    color: ref.color,
  });
}
