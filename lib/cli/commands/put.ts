import { type MetricCatalog, createCatalog } from '../../catalog/catalog';
import { type MetricDatum, datumToJsonLine } from '../../publisher/datum';
import { publishDatums, summedIn } from '../../publisher/publish';
import { validateDatum } from '../../publisher/validate';
import { awsErrorText, cliClients, followsStack } from '../aws';
import { parseNumberFlag } from '../flags';
import { configForStack } from '../deployed';
import { EXIT, type RegisterCommand, localConfig } from '../main';
import { closest } from '../../config/suggest';

/**
 * `monitor put`: the pipeline pushes a datum of a catalog metric without writing AWS code. The
 * catalog decides what is accepted (name, unit, dimension names), so a typo can never create a
 * new, paid metric that no alarm or dashboard watches.
 */

interface PutOptions {
  metric?: string;
  value?: string;
  unit?: string;
  dimension: string[];
  timestamp?: string;
  stdin?: boolean;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  region?: string;
  stack?: string;
}

/** A raw datum request before the catalog has judged it. */
interface PutRequest {
  readonly metric: string;
  readonly value: number;
  readonly unit?: string;
  readonly namespace?: string;
  readonly dimensions: Record<string, string>;
  readonly timestamp?: Date;
}

export const registerPut: RegisterCommand = (program, io) => {
  followsStack(
    program
      .command('put')
      .description('Push a datum of a catalog metric (e.g. S3UploadFailures, ValidationPassRate); refuses names, units and dimensions the catalog does not declare.')
      .option('--metric <name>', 'metric name from the catalog')
      .option('--value <number>', 'the value')
      .option('--unit <unit>', "unit; must be the catalog's (default: the catalog's)")
      .option('--dimension <name=value>', 'a dimension (repeat for several)', (v: string, all: string[]) => [...all, v], [] as string[])
      .option('--timestamp <iso>', 'when the value was measured (default: now; at most 14 days ago)')
      .option('--stdin', 'read many datums as JSON lines from stdin: {"metric","value","unit"?,"dimensions"?,"timestamp"?} or the PutMetricData fields printed by --dry-run')
      .option('--dry-run', 'print the datums as JSON lines instead of sending them')
      .option('--force', 'also accept metrics that a scheduled publisher owns (backfills, alarm tests)')
      .option('--json', 'print the result as JSON')
      .addHelpText(
        'after',
        '\nExamples:\n  monitor put --metric S3UploadFailures --value 3\n  monitor put --metric ValidationDuration --value 12.5 --dimension Status=success\n' +
          '  python export_metrics.py | monitor put --stdin\n',
      ),
  ).action(async (opts: PutOptions, command) => {
    const local = localConfig(command);
    // Sending: the namespace of the deployed stack, which is what its alarms watch.
    const { config } = opts.dryRun ? local : await configForStack(local, cliClients(opts.region), (t) => io.err(t), opts.stack);
    const catalog = createCatalog(config);
    const now = new Date();

    let requests: Array<{ where: string; request?: PutRequest; error?: string }>;
    if (opts.stdin) {
      if (opts.metric || opts.value !== undefined || opts.dimension.length > 0) {
        io.err('error: --stdin reads every datum from standard input; do not combine it with --metric/--value/--dimension.\n');
        io.exit(EXIT.usage);
        return;
      }
      requests = parseJsonLines(await io.readStdin());
      if (requests.length === 0) {
        io.err('error: --stdin: standard input held no datum (expected one JSON object per line).\n');
        io.exit(EXIT.usage);
        return;
      }
    } else {
      if (!opts.metric || opts.value === undefined) {
        io.err('error: give --metric NAME and --value V (or --stdin).\n');
        io.exit(EXIT.usage);
        return;
      }
      requests = [{ where: 'command line', ...requestFromFlags(opts) }];
    }

    const datums: MetricDatum[] = [];
    const problems: string[] = [];
    for (const item of requests) {
      const built = item.request ? buildDatum(catalog, item.request, now, opts.force ?? false) : { error: item.error! };
      if ('datum' in built) datums.push(built.datum);
      else problems.push(opts.stdin ? `${item.where}: ${built.error}` : built.error);
    }
    for (const problem of problems) io.err(`error: ${problem}\n`);
    // A bad flag is a usage error; a bad line among good ones is bad data: the good ones still go.
    const problemCode = opts.stdin ? EXIT.failure : EXIT.usage;

    if (opts.dryRun) {
      for (const datum of datums) io.out(`${datumToJsonLine(datum)}\n`);
      if (problems.length > 0) io.exit(problemCode);
      return;
    }
    if (datums.length === 0) {
      io.exit(problemCode);
      return;
    }

    let sent = 0;
    let requestsMade = 0;
    const failures: string[] = [];
    try {
      const result = await publishDatums(datums, { client: cliClients(opts.region, config.network).publisher(), summed: summedIn(catalog) });
      sent = result.sent;
      requestsMade = result.requests;
      for (const r of result.rejected) failures.push(`${r.datum.MetricName}: ${r.reason}`);
      for (const f of result.failed) failures.push(`${f.datum.MetricName}: ${f.error}`);
    } catch (err) {
      failures.push(awsErrorText(err));
    }
    for (const failure of failures) io.err(`error: not sent: ${failure}\n`);
    if (opts.json) {
      io.out(`${JSON.stringify({ sent, requests: requestsMade, invalid: problems, failed: failures })}\n`);
    } else {
      io.out(`sent ${sent} of ${datums.length + problems.length} datum(s) in ${requestsMade} request(s)\n`);
    }
    if (failures.length > 0) io.exit(EXIT.failure);
    if (problems.length > 0) io.exit(problemCode);
  });
};

function requestFromFlags(opts: PutOptions): { request?: PutRequest; error?: string } {
  let value: number;
  try {
    value = parseNumberFlag('--value', opts.value!);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const dimensions: Record<string, string> = {};
  for (const pair of opts.dimension) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { error: `--dimension ${JSON.stringify(pair)} must look like NAME=VALUE.` };
    const name = pair.slice(0, eq);
    if (name in dimensions) return { error: `--dimension ${name} is given twice.` };
    dimensions[name] = pair.slice(eq + 1);
  }
  let timestamp: Date | undefined;
  if (opts.timestamp !== undefined) {
    timestamp = new Date(opts.timestamp);
    if (Number.isNaN(timestamp.getTime())) return { error: `--timestamp ${JSON.stringify(opts.timestamp)} is not an ISO 8601 date.` };
  }
  return { request: { metric: opts.metric!, value, unit: opts.unit, dimensions, timestamp } };
}

/** One request per non-blank line; a line that is not a usable object becomes an error for that line only. */
function parseJsonLines(text: string): Array<{ where: string; request?: PutRequest; error?: string }> {
  const out: Array<{ where: string; request?: PutRequest; error?: string }> = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `stdin line ${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      out.push({ where, error: `not valid JSON (${(err as Error).message})` });
      return;
    }
    const result = requestFromObject(parsed);
    out.push({ where, ...result });
  });
  return out;
}

function requestFromObject(input: unknown): { request?: PutRequest; error?: string } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { error: `expected a JSON object, got ${JSON.stringify(input)}` };
  const o = input as Record<string, unknown>;
  const metric = o.metric ?? o.MetricName;
  const value = o.value ?? o.Value;
  const unit = o.unit ?? o.Unit;
  const namespace = o.namespace ?? o.Namespace;
  const rawDims = o.dimensions ?? o.Dimensions;
  const rawTs = o.timestamp ?? o.Timestamp;
  if (typeof metric !== 'string' || metric === '') return { error: 'missing "metric" (or "MetricName")' };
  if (typeof value !== 'number') return { error: `"value" of ${metric} must be a JSON number, got ${JSON.stringify(value) ?? 'nothing'}` };
  if (unit !== undefined && typeof unit !== 'string') return { error: `"unit" of ${metric} must be a string` };
  if (namespace !== undefined && typeof namespace !== 'string') return { error: `"namespace" of ${metric} must be a string` };

  const dimensions: Record<string, string> = {};
  if (Array.isArray(rawDims)) {
    for (const d of rawDims as Array<{ Name?: unknown; Value?: unknown }>) {
      if (typeof d?.Name !== 'string' || typeof d?.Value !== 'string') return { error: `dimensions of ${metric} must be [{"Name","Value"}] strings` };
      dimensions[d.Name] = d.Value;
    }
  } else if (rawDims !== undefined && rawDims !== null) {
    if (typeof rawDims !== 'object') return { error: `dimensions of ${metric} must be an object {"Name": "value"}` };
    for (const [k, v] of Object.entries(rawDims as Record<string, unknown>)) {
      if (typeof v !== 'string') return { error: `dimension ${k} of ${metric} must be a string, got ${JSON.stringify(v)}` };
      dimensions[k] = v;
    }
  }
  let timestamp: Date | undefined;
  if (rawTs !== undefined) {
    timestamp = typeof rawTs === 'string' || typeof rawTs === 'number' ? new Date(rawTs) : new Date(NaN);
    if (Number.isNaN(timestamp.getTime())) return { error: `"timestamp" of ${metric} is not an ISO 8601 date: ${JSON.stringify(rawTs)}` };
  }
  return { request: { metric, value, unit: unit as string | undefined, namespace: namespace as string | undefined, dimensions, timestamp } };
}

/** Judges one request against the catalog and CloudWatch's limits; the error says what was expected. */
function buildDatum(catalog: MetricCatalog, request: PutRequest, now: Date, force: boolean): { datum: MetricDatum } | { error: string } {
  const metric = catalog.findByName(request.metric);
  if (!metric) {
    const names = [...catalog.all().map((m) => m.name)];
    const suggestion = closest(request.metric, names);
    return {
      error:
        `metric ${JSON.stringify(request.metric)} is not in the catalog.` +
        (suggestion ? ` Did you mean ${suggestion}?` : '') +
        ` Pipeline metrics: ${catalog.publishedBy('pipeline').map((m) => m.name).join(', ')}, or <Operation>Duration via \`monitor time\`.` +
        ` All declared: ${names.join(', ')}.`,
    };
  }
  if (request.namespace !== undefined && request.namespace !== metric.namespace) {
    return { error: `${metric.name} lives in namespace ${metric.namespace}, not ${request.namespace}.` };
  }
  if (metric.source !== 'pipeline' && !force) {
    const owner =
      metric.source === 'logs' ? 'a log metric filter' : `the ${metric.source} publisher (every ${metric.cadenceMinutes} min)`;
    return {
      error: `${metric.name} is sent by ${owner}; a pushed value would mix with its data. Use --force for a deliberate backfill or alarm test.`,
    };
  }
  if (request.unit !== undefined && request.unit !== metric.unit) {
    return { error: `${metric.name} is declared with unit ${metric.unit}, got ${request.unit} (leave --unit out to use the catalog's).` };
  }
  const settable = metric.dimensions.filter((d) => metric.fixedDimensions?.[d] === undefined);
  const given = Object.keys(request.dimensions);
  const missing = settable.filter((d) => !given.includes(d));
  const extra = given.filter((d) => !metric.dimensions.includes(d));
  if (missing.length > 0 || extra.length > 0) {
    const expected = settable.length === 0 ? 'no dimensions' : `exactly ${settable.map((d) => `--dimension ${d}=<value>`).join(' ')}`;
    const choices = settable.filter((d) => metric.dimensionValues?.[d]).map((d) => `${d} is ${metric.dimensionValues![d]!.join(' or ')}`);
    const example = choices.length > 0 ? ` (${choices.join('; ')})` : '';
    return {
      error:
        `${metric.name} takes ${expected}${example}; got [${given.join(', ')}]` +
        (extra.length ? `, not declared: ${extra.join(', ')}` : '') +
        (missing.length ? `, missing: ${missing.join(', ')}` : '') +
        '.',
    };
  }
  let datum: MetricDatum;
  try {
    datum = catalog.datumOf(metric, request.value, request.dimensions, request.timestamp ?? now);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const reason = validateDatum(datum, now);
  return reason ? { error: reason } : { datum };
}
