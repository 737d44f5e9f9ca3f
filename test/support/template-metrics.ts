import type { MetricCatalog } from '../../lib/catalog/catalog';

/** A metric some resource of a synthesized template reads (or, for a log metric filter, writes). */
export interface TemplateMetric {
  /** Logical id and place, for messages: `AlarmsX.Metrics[1]`, `DashboardsY.widgets[3].metrics[0]`. */
  readonly where: string;
  readonly namespace: unknown;
  readonly name: unknown;
  /** Dimension names as they appear. */
  readonly dimensions: readonly string[];
}

type Json = Record<string, any>;

/**
 * Every metric in every alarm, anomaly detector, log metric filter and dashboard widget of a
 * template (`Template.toJSON()`). Dashboard bodies are `Fn::Join`s: literal parts are joined
 * and tokens (alarm ARNs, the region) become a placeholder, which is enough to parse them.
 */
export function metricsInTemplate(template: Json): TemplateMetric[] {
  const out: TemplateMetric[] = [];
  for (const [id, resource] of Object.entries<Json>(template.Resources ?? {})) {
    const p: Json = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::CloudWatch::Alarm':
        if (p.MetricName !== undefined) out.push(stat(`${id}`, p));
        (p.Metrics ?? []).forEach((q: Json, i: number) => q.MetricStat && out.push(stat(`${id}.Metrics[${i}]`, q.MetricStat.Metric)));
        break;
      case 'AWS::CloudWatch::AnomalyDetector': {
        if (p.MetricName !== undefined) out.push(stat(id, p));
        if (p.SingleMetricAnomalyDetector) out.push(stat(`${id}.SingleMetricAnomalyDetector`, p.SingleMetricAnomalyDetector));
        (p.MetricMathAnomalyDetector?.MetricDataQueries ?? []).forEach(
          (q: Json, i: number) => q.MetricStat && out.push(stat(`${id}.MetricDataQueries[${i}]`, q.MetricStat.Metric)),
        );
        break;
      }
      case 'AWS::Logs::MetricFilter':
        (p.MetricTransformations ?? []).forEach((t: Json, i: number) =>
          out.push({
            where: `${id}.MetricTransformations[${i}]`,
            namespace: t.MetricNamespace,
            name: t.MetricName,
            dimensions: (t.Dimensions ?? []).map((d: Json) => d.Key),
          }),
        );
        break;
      case 'AWS::CloudWatch::Dashboard':
        out.push(...dashboardMetrics(id, dashboardBody(p.DashboardBody)));
        break;
    }
  }
  return out;
}

/** Problems of template metrics against the catalog; vended `AWS/*` metrics are not ours to declare. */
export function catalogViolations(metrics: readonly TemplateMetric[], catalog: MetricCatalog): string[] {
  const problems: string[] = [];
  for (const m of metrics) {
    if (typeof m.namespace !== 'string' || typeof m.name !== 'string') {
      problems.push(`${m.where}: namespace/name must be literal strings, got ${JSON.stringify(m.namespace)} / ${JSON.stringify(m.name)}`);
      continue;
    }
    if (m.namespace.startsWith('AWS/')) continue;
    const declared = catalog.find(m.namespace, m.name);
    if (!declared) {
      problems.push(`${m.where}: ${m.namespace}/${m.name} is not in the catalog`);
      continue;
    }
    const given = [...m.dimensions].sort().join(', ');
    const expected = [...declared.dimensions].sort().join(', ');
    if (given !== expected) problems.push(`${m.where}: ${m.namespace}/${m.name} has dimensions [${given}], the catalog declares [${expected}]`);
  }
  return problems;
}

/** The dashboard body as JSON, tokens replaced by a placeholder. */
export function dashboardBody(body: unknown): Json {
  if (typeof body === 'string') return JSON.parse(body);
  const join = (body as Json)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '') throw new Error(`Unexpected DashboardBody: ${JSON.stringify(body).slice(0, 200)}`);
  const text = (join[1] as unknown[]).map((part) => (typeof part === 'string' ? part : '__TOKEN__')).join('');
  return JSON.parse(text);
}

function stat(where: string, m: Json): TemplateMetric {
  return { where, namespace: m.Namespace, name: m.MetricName, dimensions: (m.Dimensions ?? []).map((d: Json) => d.Name) };
}

/**
 * Metric rows of metric widgets: `[namespace, name, dimName, dimValue, ..., {options}?]`, with
 * CloudWatch's `"."`/`"..."` shorthand for "same as the row above". Expression rows (`[{expression}]`) read
 * metrics that appear as their own rows, so they are skipped.
 */
function dashboardMetrics(id: string, body: Json): TemplateMetric[] {
  const out: TemplateMetric[] = [];
  (body.widgets ?? []).forEach((widget: Json, w: number) => {
    if (widget.type !== 'metric') return;
    let previous: string[] = [];
    (widget.properties?.metrics ?? []).forEach((row: unknown[], r: number) => {
      const parts: string[] = [];
      for (const item of row) {
        if (typeof item !== 'string') break;
        parts.push(item);
      }
      if (parts.length === 0) return;
      if (parts[0] === '...') parts.splice(0, 1, ...previous.slice(0, previous.length - (parts.length - 1)));
      const full = parts.map((p, i) => (p === '.' ? previous[i]! : p));
      previous = full;
      const [namespace, name, ...dims] = full;
      out.push({ where: `${id}.widgets[${w}].metrics[${r}]`, namespace, name, dimensions: dims.filter((_, i) => i % 2 === 0) });
    });
  });
  return out;
}
