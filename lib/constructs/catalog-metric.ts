import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import type { ExpressionRef } from '../../dashboards/types';
import { type ResolvedExpression, type ResolvedMetric, resolveExpression, resolveMetric } from '../../dashboards/model';
import type { Dimensions, MetricCatalog } from '../catalog/catalog';

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
  const resolved = resolveMetric(catalog, { metric: name, dimensions, statistic: options.statistic, periodMinutes: options.period?.toMinutes() });
  return cloudWatchMetric(resolved, { label: options.label, color: options.color });
}

/**
 * The CloudWatch metric of a resolved catalog metric (dashboards/model.ts: the one resolution
 * the template and the exports share). The label is the caller's: an alarm's or a variable's
 * metric carries none.
 */
export function cloudWatchMetric(resolved: ResolvedMetric, options: { readonly label?: string; readonly color?: string } = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: resolved.namespace,
    metricName: resolved.metricName,
    // In the catalog's order, so templates list them the way datums carry them.
    dimensionsMap: Object.fromEntries(resolved.dimensions.map((d) => [d.name, d.value])),
    statistic: resolved.statistic,
    period: Duration.seconds(resolved.periodSeconds),
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
  return cloudWatchExpression(resolveExpression(catalog, ref), options.label ?? ref.label);
}

/** The CloudWatch metric math of a resolved expression. */
export function cloudWatchExpression(resolved: ResolvedExpression, label?: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: resolved.expression,
    usingMetrics: Object.fromEntries(Object.entries(resolved.using).map(([id, m]) => [id, cloudWatchMetric(m)])),
    period: Duration.seconds(resolved.periodSeconds),
    label,
    color: resolved.color,
  });
}
