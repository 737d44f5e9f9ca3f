/**
 * Evaluates the stack's alarms every simulated minute the way CloudWatch does: each metric alarm
 * aggregates its metrics into periods, runs its metric math, counts breaching datapoints over its
 * evaluation range with its TreatMissingData setting, and then every composite alarm reads the
 * states its members reached in that same minute. Pure: no AWS calls, no I/O.
 *
 * Sources (CloudWatch User Guide and API Reference):
 * - Alarm evaluation: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 * - Missing data: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 * - Metric math: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 * - Composite alarms: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html
 *
 * ## Approximations
 * - Evaluation range: CloudWatch retrieves more periods than Evaluation Periods, a number that
 *   "depends on the length of the alarm period" and is not published. The simulator retrieves
 *   N + 2 periods, the range of the docs' worked examples (N = 3, 5 datapoints retrieved).
 * - Missing data with fewer than N real datapoints, all of them breaching but fewer than M:
 *   `missing` gives INSUFFICIENT_DATA and `ignore` keeps the state, as the docs' rows `- - - - X`
 *   say. The docs' row `X - - - -` (oldest datapoint breaching) gives ALARM for `missing`; the
 *   simulator does not tell the two apart by position and gives INSUFFICIENT_DATA for both.
 * - Periods are whole minutes (a sub-minute period is read as one minute); alarms are evaluated
 *   at every whole minute and a datum counts from the minute it is stamped with.
 * - Metric math covers numbers, ids, + - * / ^, unary minus, comparisons, AND/OR/NOT, IF, FILL
 *   (a number or REPEAT), ABS, DIFF, RATE, TIME_SERIES and MIN/MAX/SUM/AVG of one series (a
 *   number over the evaluation range) or of an array `[a, b]` (a series). Anything else is refused
 *   with UnsupportedExpressionError. DIFF and RATE read the preceding real datapoint of the range.
 * - Composite alarms: actions suppressors are not modelled.
 */
import { alarmNameOf, evaluateRule, parseAlarmRule, ruleMembers, type RuleNode } from '../cli/composite-rule';
import {
  metricKey,
  type AlarmActions,
  type AlarmState,
  type ComparisonOperator,
  type MetricQuery,
  type MetricRef,
  type MetricStore,
  type Notification,
  type SimAlarm,
  type SimCompositeAlarm,
  type SimMetricAlarm,
  type SimTopic,
  type StateChange,
  type StoredDatum,
} from './model';

/** Thrown for a math function or syntax the simulator does not model: names the function and the alarm. */
export class UnsupportedExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedExpressionError';
  }
}

// ---------------------------------------------------------------------------------------------
// Metric store

/** In-memory store: add datums (any order), query by window. */
export class InMemoryMetricStore implements MetricStore {
  private readonly byKey = new Map<string, StoredDatum[]>();
  // Alarms ask with the same ref objects every minute: build each key once.
  private readonly keyOfRef = new WeakMap<MetricRef, string>();

  add(ref: MetricRef, datum: StoredDatum): void {
    const key = this.keyOf(ref);
    let list = this.byKey.get(key);
    if (list === undefined) {
      list = [];
      this.byKey.set(key, list);
    }
    if (list.length === 0 || list[list.length - 1]!.minute <= datum.minute) list.push(datum);
    else list.splice(firstIndexAfter(list, datum.minute), 0, datum);
  }

  between(ref: MetricRef, fromMinute: number, toMinute: number): readonly StoredDatum[] {
    const list = this.byKey.get(this.keyOf(ref));
    if (list === undefined || fromMinute >= toMinute) return [];
    return list.slice(firstIndexAtOrAfter(list, fromMinute), firstIndexAtOrAfter(list, toMinute));
  }

  private keyOf(ref: MetricRef): string {
    let key = this.keyOfRef.get(ref);
    if (key === undefined) {
      key = metricKey(ref);
      this.keyOfRef.set(ref, key);
    }
    return key;
  }
}

function firstIndexAtOrAfter(list: readonly StoredDatum[], minute: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.minute < minute) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstIndexAfter(list: readonly StoredDatum[], minute: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.minute <= minute) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Statistics and periods

const STATISTICS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const;

/**
 * A statistic over the datums of one period; undefined when there are none: a period without
 * data is a missing datapoint, also for SampleCount.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Statistic
 */
export function aggregate(stat: string, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'SampleCount':
      return values.length;
    default:
      throw new Error(`statistic ${JSON.stringify(stat)} is not one of ${STATISTICS.join(', ')}`);
  }
}

/** Whole minutes of a CloudWatch period. */
export function periodMinutes(periodSeconds: number): number {
  return Math.max(1, Math.ceil(periodSeconds / 60));
}

/**
 * The statistic of a metric for the `count` most recent whole periods ending at `minute`, oldest
 * first: the k-th most recent covers minutes [minute - k*p, minute - (k-1)*p).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 */
export function periodValues(
  store: MetricStore,
  query: Pick<MetricQuery, 'metric' | 'stat'>,
  periodSeconds: number,
  minute: number,
  count: number,
): (number | undefined)[] {
  const p = periodMinutes(periodSeconds);
  const start = minute - count * p;
  // Datums come in time order, so periods fill one after another: one pass, no value lists
  // (this runs every minute for every metric of every alarm).
  const out = new Array<number | undefined>(count).fill(undefined);
  const datums = store.between(query.metric, start, minute);
  let i = 0;
  while (i < datums.length) {
    const k = Math.floor((datums[i]!.minute - start) / p);
    const end = start + (k + 1) * p;
    let sum = 0;
    let n = 0;
    let min = Infinity;
    let max = -Infinity;
    for (; i < datums.length && datums[i]!.minute < end; i++) {
      const value = datums[i]!.value;
      sum += value;
      n += 1;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    out[k] = statisticOf(query.stat, sum, n, min, max);
  }
  return out;
}

function statisticOf(stat: string, sum: number, n: number, min: number, max: number): number {
  switch (stat) {
    case 'Sum':
      return sum;
    case 'Average':
      return sum / n;
    case 'Minimum':
      return min;
    case 'Maximum':
      return max;
    case 'SampleCount':
      return n;
    default:
      throw new Error(`statistic ${JSON.stringify(stat)} is not one of ${STATISTICS.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Metric math

/** Values of aligned periods, oldest first; undefined is a missing datapoint. */
export type Series = (number | undefined)[];
/** What a metric-math term gives: a number, a time series or an array of time series. */
export type MathValue =
  | { readonly kind: 'scalar'; readonly value: number | undefined }
  | { readonly kind: 'series'; readonly values: Series }
  | { readonly kind: 'array'; readonly items: readonly Series[] };

type MathNode =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'id'; readonly name: string }
  | { readonly kind: 'keyword'; readonly name: string }
  | { readonly kind: 'array'; readonly items: readonly MathNode[] }
  | { readonly kind: 'unary'; readonly op: '-' | 'NOT'; readonly operand: MathNode }
  | { readonly kind: 'binary'; readonly op: string; readonly left: MathNode; readonly right: MathNode }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly MathNode[] };

/** What a compiled expression reads: the range length, the period and the values of ids. */
export interface MathContext {
  readonly length: number;
  readonly periodSeconds: number;
  readonly resolve: (id: string) => MathValue;
}

/** An expression read once, run every minute. */
export interface CompiledExpression {
  /** The ids the expression reads. */
  readonly ids: readonly string[];
  run(context: MathContext): MathValue;
}

const SUPPORTED_FUNCTIONS = ['ABS', 'AVG', 'DIFF', 'FILL', 'IF', 'MAX', 'MIN', 'RATE', 'SUM', 'TIME_SERIES'];

/** Reads a metric-math expression; throws UnsupportedExpressionError for what is not modelled. */
export function compileExpression(expression: string, alarmName: string): CompiledExpression {
  const refuse = (what: string) =>
    new UnsupportedExpressionError(`alarm ${JSON.stringify(alarmName)}: ${what} in ${JSON.stringify(expression)} is not simulated`);
  const tree = parseMath(expression, refuse);
  const ids: string[] = [];
  const walk = (node: MathNode): void => {
    switch (node.kind) {
      case 'id':
        if (!ids.includes(node.name)) ids.push(node.name);
        return;
      case 'keyword':
        throw refuse(node.name);
      case 'array':
        return node.items.forEach(walk);
      case 'unary':
        return walk(node.operand);
      case 'binary':
        walk(node.left);
        return walk(node.right);
      case 'call': {
        if (!SUPPORTED_FUNCTIONS.includes(node.name)) throw refuse(`function ${node.name}`);
        // REPEAT (and LINEAR, refused) are words only as FILL's second argument.
        const filler = node.name === 'FILL' ? node.args[1] : undefined;
        if (filler?.kind === 'keyword' && filler.name !== 'REPEAT') throw refuse(`FILL(…, ${filler.name})`);
        return node.args.filter((arg) => !(arg === filler && arg.kind === 'keyword')).forEach(walk);
      }
      case 'number':
        return;
    }
  };
  walk(tree);
  return { ids, run: (context) => evaluateNode(tree, context, refuse) };
}

/**
 * Evaluates a metric-math expression element-wise over aligned periods (oldest first);
 * undefined is a missing datapoint. The result must be a time series.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */
export function evaluateExpression(
  expression: string,
  series: ReadonlyMap<string, (number | undefined)[]>,
  alarmName: string,
  options: { readonly periodSeconds?: number; readonly length?: number } = {},
): (number | undefined)[] {
  const compiled = compileExpression(expression, alarmName);
  const length = options.length ?? series.values().next().value?.length ?? 0;
  const result = compiled.run({
    length,
    periodSeconds: options.periodSeconds ?? 60,
    resolve: (id) => {
      const values = series.get(id);
      if (values === undefined) throw new UnsupportedExpressionError(`alarm ${JSON.stringify(alarmName)}: unknown identifier ${JSON.stringify(id)} in ${JSON.stringify(expression)}`);
      return { kind: 'series', values };
    },
  });
  return seriesResult(result, expression, alarmName);
}

function seriesResult(result: MathValue, expression: string, alarmName: string): Series {
  // The final result of an expression must be one time series (using-metric-math.html).
  if (result.kind !== 'series') {
    throw new UnsupportedExpressionError(`alarm ${JSON.stringify(alarmName)}: ${JSON.stringify(expression)} gives ${result.kind === 'scalar' ? 'a single number' : 'an array of time series'}, not one time series`);
  }
  return result.values;
}

function parseMath(expression: string, refuse: (what: string) => Error): MathNode {
  const tokens = expression.match(/\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*|>=|<=|==|!=|&&|\|\||[-+*/^()<>,![\]]|\S/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string): string => {
    const token = tokens[pos];
    if (token === undefined) throw refuse(`an expression that ends early${expected ? ` (expected ${expected})` : ''}`);
    if (expected !== undefined && token !== expected) throw refuse(`${JSON.stringify(token)} where ${expected} was expected`);
    pos += 1;
    return token;
  };
  const binaryLevel = (ops: readonly string[], next: () => MathNode, canonical: (op: string) => string = (op) => op) => (): MathNode => {
    let left = next();
    while (peek() !== undefined && ops.includes(peek()!)) {
      const op = canonical(take());
      left = { kind: 'binary', op, left, right: next() };
    }
    return left;
  };
  const logical = (op: string) => (op === '&&' ? 'AND' : op === '||' ? 'OR' : op);

  const parsePrimary = (): MathNode => {
    const token = take();
    if (token === '(') {
      const inner = parseOr();
      take(')');
      return inner;
    }
    if (token === '[') {
      const items = [parseOr()];
      while (peek() === ',') {
        take();
        items.push(parseOr());
      }
      take(']');
      return { kind: 'array', items };
    }
    if (/^(\d|\.\d)/.test(token)) return { kind: 'number', value: Number(token) };
    if (/^[A-Za-z_]/.test(token)) {
      if (peek() === '(') {
        take('(');
        const args: MathNode[] = [];
        if (peek() !== ')') {
          args.push(parseOr());
          while (peek() === ',') {
            take();
            args.push(parseOr());
          }
        }
        take(')');
        return { kind: 'call', name: token, args };
      }
      // Ids start with a lower-case letter; upper-case words are keywords such as REPEAT.
      return /^[A-Z][A-Z0-9_]*$/.test(token) ? { kind: 'keyword', name: token } : { kind: 'id', name: token };
    }
    throw refuse(`${JSON.stringify(token)}`);
  };
  const parsePower = (): MathNode => {
    const base = parsePrimary();
    if (peek() === '^') {
      take();
      return { kind: 'binary', op: '^', left: base, right: parseUnary() };
    }
    return base;
  };
  const parseUnary = (): MathNode => {
    if (peek() === '-') {
      take();
      return { kind: 'unary', op: '-', operand: parseUnary() };
    }
    if (peek() === '+') {
      take();
      return parseUnary();
    }
    return parsePower();
  };
  const parseProduct = binaryLevel(['*', '/'], parseUnary);
  const parseSum = binaryLevel(['+', '-'], parseProduct);
  const parseComparison = binaryLevel(['>', '<', '>=', '<=', '==', '!='], parseSum);
  const parseNot = (): MathNode => {
    if (peek() === 'NOT' || peek() === '!') {
      take();
      return { kind: 'unary', op: 'NOT', operand: parseNot() };
    }
    return parseComparison();
  };
  const parseAnd = binaryLevel(['AND', '&&'], parseNot, logical);
  const parseOr = binaryLevel(['OR', '||'], parseAnd, logical);

  if (tokens.length === 0) throw refuse('an empty expression');
  const tree = parseOr();
  if (pos < tokens.length) throw refuse(`${JSON.stringify(tokens[pos])}`);
  return tree;
}

function applyBinary(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    // Division by zero drops the datapoint (using-metric-math.html, basic arithmetic).
    case '/':
      return b === 0 ? undefined : a / b;
    case '^': {
      const r = a ** b;
      return Number.isFinite(r) ? r : undefined;
    }
    case '>':
      return a > b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case 'AND':
      return a !== 0 && b !== 0 ? 1 : 0;
    case 'OR':
      return a !== 0 || b !== 0 ? 1 : 0;
    default:
      throw new Error(`operator ${op}`);
  }
}

/**
 * Missing datapoints in operators: between two time series, a value missing in one series where
 * the other has one is read as 0 ("metric math reads a missing series as 0 in comparisons": use
 * FILL to choose another value); where no series has a value the result is missing. A series
 * with a number keeps its missing datapoints missing.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax-operators
 */
function combine(op: string, left: MathValue, right: MathValue, refuse: (what: string) => Error): MathValue {
  if (left.kind === 'array' || right.kind === 'array') throw refuse(`an array of time series with ${op}`);
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    return { kind: 'scalar', value: left.value === undefined || right.value === undefined ? undefined : applyBinary(op, left.value, right.value) };
  }
  if (left.kind === 'series' && right.kind === 'series') {
    return {
      kind: 'series',
      values: left.values.map((a, i) => {
        const b = right.values[i];
        if (a === undefined && b === undefined) return undefined;
        return applyBinary(op, a ?? 0, b ?? 0);
      }),
    };
  }
  if (left.kind === 'series') {
    const b = (right as { value: number | undefined }).value;
    return { kind: 'series', values: left.values.map((a) => (a === undefined || b === undefined ? undefined : applyBinary(op, a, b))) };
  }
  const a = left.value;
  return { kind: 'series', values: (right as { values: Series }).values.map((b) => (a === undefined || b === undefined ? undefined : applyBinary(op, a, b))) };
}

function mapValue(value: MathValue, f: (x: number) => number | undefined, refuse: (what: string) => Error, what: string): MathValue {
  if (value.kind === 'scalar') return { kind: 'scalar', value: value.value === undefined ? undefined : f(value.value) };
  if (value.kind === 'series') return { kind: 'series', values: value.values.map((x) => (x === undefined ? undefined : f(x))) };
  throw refuse(`${what} of an array of time series`);
}

// Hot path: evaluated every minute for every math alarm, so no closures are built per call.
function seriesOf(node: MathNode, context: MathContext, refuse: (what: string) => Error, what: string): Series {
  const value = evaluateNode(node, context, refuse);
  if (value.kind !== 'series') throw refuse(`${what} of ${value.kind === 'scalar' ? 'a number' : 'an array'}`);
  return value.values;
}

function evaluateNode(node: MathNode, context: MathContext, refuse: (what: string) => Error): MathValue {
  switch (node.kind) {
    case 'number':
      return { kind: 'scalar', value: node.value };
    case 'id':
      return context.resolve(node.name);
    case 'keyword':
      throw refuse(node.name);
    case 'array':
      return { kind: 'array', items: node.items.map((item) => seriesOf(item, context, refuse, 'an array item')) };
    case 'unary':
      return node.op === '-'
        ? mapValue(evaluateNode(node.operand, context, refuse), negate, refuse, 'unary minus')
        : mapValue(evaluateNode(node.operand, context, refuse), not, refuse, 'NOT');
    case 'binary':
      return combine(node.op, evaluateNode(node.left, context, refuse), evaluateNode(node.right, context, refuse), refuse);
    case 'call':
      return callFunction(node, context, refuse);
  }
}

function negate(x: number): number {
  return -x;
}

function not(x: number): number {
  return x === 0 ? 1 : 0;
}

function checkArity(node: Extract<MathNode, { kind: 'call' }>, refuse: (what: string) => Error, min: number, max = min): void {
  if (node.args.length < min || node.args.length > max) throw refuse(`${node.name} with ${node.args.length} argument(s)`);
}

function callFunction(node: Extract<MathNode, { kind: 'call' }>, context: MathContext, refuse: (what: string) => Error): MathValue {
  const { name, args } = node;
  switch (name) {
    case 'ABS':
      checkArity(node, refuse, 1);
      return mapValue(evaluateNode(args[0]!, context, refuse), Math.abs, refuse, 'ABS');
    case 'TIME_SERIES': {
      checkArity(node, refuse, 1);
      const value = evaluateNode(args[0]!, context, refuse);
      if (value.kind !== 'scalar') throw refuse('TIME_SERIES of a time series');
      return { kind: 'series', values: Array.from({ length: context.length }, () => value.value) };
    }
    case 'FILL': {
      // FILL(TS, S | REPEAT): a number, or the most recent real value before the gap.
      checkArity(node, refuse, 2);
      const values = seriesOf(args[0]!, context, refuse, 'FILL');
      const filler = args[1]!;
      if (filler.kind === 'keyword') {
        let last: number | undefined;
        return { kind: 'series', values: values.map((x) => (x === undefined ? last : (last = x))) };
      }
      const fill = evaluateNode(filler, context, refuse);
      if (fill.kind !== 'scalar') throw refuse('FILL with a time series as the filler');
      return { kind: 'series', values: values.map((x) => x ?? fill.value) };
    }
    case 'IF':
      checkArity(node, refuse, 2, 3);
      return evaluateIf(evaluateNode(args[0]!, context, refuse), evaluateNode(args[1]!, context, refuse), args[2] === undefined ? undefined : evaluateNode(args[2], context, refuse), refuse);
    case 'DIFF':
    case 'RATE': {
      // The difference from the preceding real value (per second for RATE); the first is missing.
      checkArity(node, refuse, 1);
      const values = seriesOf(args[0]!, context, refuse, name);
      let previous: number | undefined;
      return {
        kind: 'series',
        values: values.map((x, i) => {
          if (x === undefined) return undefined;
          const prior = previous;
          const priorValue = prior === undefined ? undefined : values[prior]!;
          previous = i;
          if (prior === undefined || priorValue === undefined) return undefined;
          return name === 'DIFF' ? x - priorValue : (x - priorValue) / ((i - prior) * context.periodSeconds);
        }),
      };
    }
    case 'MIN':
    case 'MAX':
    case 'SUM':
    case 'AVG': {
      // One series → a number over the evaluation range; an array [a, b] → a series.
      // Several plain arguments (MAX(a, b)) are not metric-math syntax.
      checkArity(node, refuse, 1);
      const value = evaluateNode(args[0]!, context, refuse);
      if (value.kind === 'scalar') throw refuse(`${name} of a number`);
      if (value.kind === 'series') return { kind: 'scalar', value: reduceValues(name, value.values.filter((x): x is number => x !== undefined)) };
      return {
        kind: 'series',
        values: Array.from({ length: context.length }, (_, i) => {
          const column = value.items.map((s) => s[i]);
          if (column.every((x) => x === undefined)) return undefined;
          // SUM and AVG read a missing value as 0 (using-metric-math.html, AVG); MIN/MAX skip it.
          return name === 'SUM' || name === 'AVG'
            ? reduceValues(name, column.map((x) => x ?? 0))
            : reduceValues(name, column.filter((x): x is number => x !== undefined));
        }),
      };
    }
    default:
      throw refuse(`function ${name}`);
  }
}

function reduceValues(name: string, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  if (name === 'MIN') return Math.min(...values);
  if (name === 'MAX') return Math.max(...values);
  const sum = values.reduce((a, b) => a + b, 0);
  return name === 'SUM' ? sum : sum / values.length;
}

function valueAt(value: MathValue, i: number): number | undefined {
  return value.kind === 'scalar' ? value.value : (value as { values: Series }).values[i];
}

/**
 * IF(condition, trueValue[, falseValue]), per "Using IF expressions": a missing condition drops
 * the datapoint; a true condition with trueValue missing there gives 0; a false condition with
 * falseValue missing or omitted drops the datapoint.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#using-IF-expressions
 */
function evaluateIf(condition: MathValue, whenTrue: MathValue, whenFalse: MathValue | undefined, refuse: (what: string) => Error): MathValue {
  if (condition.kind === 'array' || whenTrue.kind === 'array' || whenFalse?.kind === 'array') throw refuse('IF over an array of time series');
  if (condition.kind === 'scalar') {
    if (condition.value === undefined) return { kind: 'scalar', value: undefined };
    if (condition.value !== 0) return whenTrue;
    if (whenFalse !== undefined) return whenFalse;
    return whenTrue.kind === 'series' ? { kind: 'series', values: whenTrue.values.map(() => undefined) } : { kind: 'scalar', value: undefined };
  }
  return {
    kind: 'series',
    values: condition.values.map((c, i) => {
      if (c === undefined) return undefined;
      if (c !== 0) return valueAt(whenTrue, i) ?? 0;
      return whenFalse === undefined ? undefined : valueAt(whenFalse, i);
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Alarm state

function breaches(comparison: ComparisonOperator, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/** The settings of a metric alarm that decide its state from its datapoints. */
export type StateSettings = Pick<SimMetricAlarm, 'comparison' | 'threshold' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData'>;

/** A decided state; `undefined` state keeps the current one (TreatMissingData `ignore`). */
export interface StateDecision {
  readonly state: AlarmState | undefined;
  readonly reason: string;
}

/** The reason is text only a state change needs: built when read. */
class MetricDecision implements StateDecision {
  constructor(
    readonly state: AlarmState | undefined,
    private readonly breaching: number,
    private readonly n: number,
    private readonly fills: number,
    private readonly evaluated: readonly number[],
    private readonly rangeLength: number,
  ) {}

  get reason(): string {
    const shown = [...new Array<string>(this.fills).fill('missing'), ...this.evaluated.map(String)];
    if (this.evaluated.length === 0) return `no datapoints in the last ${this.rangeLength} periods`;
    const rest = this.state === 'INSUFFICIENT_DATA' || this.state === undefined ? ', the rest missing' : '';
    return `${this.breaching} of ${this.n} datapoints breaching${rest}: [${shown.join(', ')}]`;
  }
}

/**
 * The state from the datapoints of the evaluation range (oldest first, undefined = missing),
 * per "How alarm state is evaluated when data is missing":
 * - at least N real datapoints: the N most recent real ones decide, TreatMissingData unused;
 * - fewer: the real ones are all used and the rest filled per TreatMissingData, as few as possible;
 * - with N datapoints evaluated, M or more breaching is ALARM, fewer is OK;
 * - `missing` with no real datapoint is INSUFFICIENT_DATA; `ignore` keeps the state when the real
 *   datapoints cannot decide. See the module's Approximations for the one table row not followed.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 */
export function decideState(settings: StateSettings, range: readonly (number | undefined)[]): StateDecision {
  const n = settings.evaluationPeriods;
  const m = settings.datapointsToAlarm;
  const real = range.filter((v): v is number => v !== undefined);

  if (real.length >= n) {
    const evaluated = real.slice(real.length - n);
    const breaching = countBreaching(settings, evaluated);
    return new MetricDecision(breaching >= m ? 'ALARM' : 'OK', breaching, n, 0, evaluated, range.length);
  }
  const fills = n - real.length;
  const realBreaching = countBreaching(settings, real);
  let breaching = realBreaching;
  let state: AlarmState | undefined;
  switch (settings.treatMissingData) {
    case 'breaching':
      breaching += fills;
      state = breaching >= m ? 'ALARM' : 'OK';
      break;
    case 'notBreaching':
      state = breaching >= m ? 'ALARM' : 'OK';
      break;
    case 'missing':
    case 'ignore':
      if (breaching >= m) state = 'ALARM';
      else if (realBreaching < real.length) state = 'OK';
      else state = settings.treatMissingData === 'missing' ? 'INSUFFICIENT_DATA' : undefined;
      break;
  }
  return new MetricDecision(state, breaching, n, fills, real, range.length);
}

function countBreaching(settings: StateSettings, values: readonly number[]): number {
  let count = 0;
  for (const v of values) if (breaches(settings.comparison, v, settings.threshold)) count += 1;
  return count;
}

// ---------------------------------------------------------------------------------------------
// Evaluator

interface PreparedMetricAlarm {
  readonly alarm: SimMetricAlarm;
  readonly rangePeriods: number;
  readonly metricQueries: readonly MetricQuery[];
  readonly expressions: ReadonlyMap<string, { readonly expression: string; readonly compiled: CompiledExpression }>;
  /** The values of this minute by query id, and the math context reading them (built once). */
  readonly scratch: { readonly computed: Map<string, MathValue>; readonly context: MathContext };
}

interface PreparedComposite {
  readonly alarm: SimCompositeAlarm;
  readonly rule: RuleNode;
}

/** Extra periods CloudWatch retrieves beyond Evaluation Periods (module doc, Approximations). */
const EXTRA_RANGE_PERIODS = 2;

export class AlarmEvaluator {
  private readonly states = new Map<string, AlarmState>();
  private readonly metricAlarms: PreparedMetricAlarm[] = [];
  private readonly composites: PreparedComposite[] = [];
  private readonly topics: ReadonlyMap<string, SimTopic>;

  constructor(
    alarms: readonly SimAlarm[],
    topics: readonly SimTopic[],
    private readonly store: MetricStore,
  ) {
    this.topics = new Map(topics.map((t) => [t.logicalId, t]));
    const byName = new Map(alarms.map((a) => [a.name, a]));
    for (const alarm of alarms) this.states.set(alarm.name, 'INSUFFICIENT_DATA');
    for (const alarm of alarms) if (alarm.kind === 'metric') this.metricAlarms.push(prepareMetricAlarm(alarm));
    this.composites = orderComposites(
      alarms.filter((a): a is SimCompositeAlarm => a.kind === 'composite').map((alarm) => ({ alarm, rule: parseAlarmRule(alarm.rule) })),
      byName,
    );
  }

  /** The current state of an alarm; INSUFFICIENT_DATA until evaluated. */
  state(alarmName: string): AlarmState {
    return this.states.get(alarmName) ?? 'INSUFFICIENT_DATA';
  }

  /**
   * Evaluates every alarm at simulated minute `minute` (call once per minute, increasing).
   * Metric alarms first, then composites (a composite sees its members' states of this same minute).
   */
  step(minute: number): { changes: StateChange[]; notifications: Notification[] } {
    const changes: StateChange[] = [];
    const notifications: Notification[] = [];
    const record = (name: string, actions: AlarmActions, decision: StateDecision) => {
      const from = this.state(name);
      if (decision.state === undefined || decision.state === from) return;
      this.states.set(name, decision.state);
      changes.push({ minute, alarm: name, from, to: decision.state, reason: decision.reason });
      notifications.push(...this.notify(minute, name, decision.state, actions));
    };
    for (const prepared of this.metricAlarms) {
      record(prepared.alarm.name, prepared.alarm.actions, decideState(prepared.alarm, this.rangeValues(prepared, minute)));
    }
    // A composite is ALARM when its rule is true and OK otherwise: INSUFFICIENT_DATA is only its
    // state between creation and its first evaluation.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html
    for (const { alarm, rule } of this.composites) {
      const isTrue = evaluateRule(rule, this.states);
      record(alarm.name, alarm.actions, { state: isTrue ? 'ALARM' : 'OK', reason: `rule ${alarm.rule} is ${isTrue ? 'true' : 'false'}` });
    }
    return { changes, notifications };
  }

  /** The returnId values over the alarm's evaluation range at `minute`, oldest first. */
  private rangeValues(prepared: PreparedMetricAlarm, minute: number): Series {
    const { alarm, rangePeriods, scratch } = prepared;
    scratch.computed.clear();
    for (const query of prepared.metricQueries) {
      scratch.computed.set(query.id, { kind: 'series', values: periodValues(this.store, query, alarm.periodSeconds, minute, rangePeriods) });
    }
    const returned = prepared.expressions.get(alarm.returnId);
    return seriesResult(scratch.context.resolve(alarm.returnId), returned?.expression ?? alarm.returnId, alarm.name);
  }

  private notify(minute: number, alarm: string, state: AlarmState, actions: AlarmActions): Notification[] {
    const ids = state === 'ALARM' ? actions.alarm : state === 'OK' ? actions.ok : actions.insufficientData;
    return ids.map((id) => {
      const topic = this.topics.get(id);
      if (topic === undefined) return { minute, alarm, state, topic: id, recipients: [] };
      return {
        minute,
        alarm,
        state,
        topic: topic.displayName,
        ...(topic.severity !== undefined ? { severity: topic.severity } : {}),
        recipients: topic.subscribers.map((s) => `${s.protocol}:${s.endpoint}`),
      };
    });
  }
}

function prepareMetricAlarm(alarm: SimMetricAlarm): PreparedMetricAlarm {
  const metricQueries: MetricQuery[] = [];
  const expressions = new Map<string, { expression: string; compiled: CompiledExpression }>();
  for (const query of alarm.queries) {
    if (query.kind === 'metric') {
      if (!(STATISTICS as readonly string[]).includes(query.stat)) {
        throw new UnsupportedExpressionError(`alarm ${JSON.stringify(alarm.name)}: statistic ${query.stat} of ${query.id} is not simulated`);
      }
      metricQueries.push(query);
    } else {
      expressions.set(query.id, { expression: query.expression, compiled: compileExpression(query.expression, alarm.name) });
    }
  }
  const ids = new Set(alarm.queries.map((q) => q.id));
  for (const [, { expression, compiled }] of expressions) {
    const unknown = compiled.ids.find((id) => !ids.has(id));
    if (unknown !== undefined) throw new UnsupportedExpressionError(`alarm ${JSON.stringify(alarm.name)}: unknown identifier ${JSON.stringify(unknown)} in ${JSON.stringify(expression)}`);
  }
  if (!ids.has(alarm.returnId)) throw new Error(`alarm ${JSON.stringify(alarm.name)}: no query has the returned id ${alarm.returnId}`);
  const rangePeriods = alarm.evaluationPeriods + EXTRA_RANGE_PERIODS;
  const computed = new Map<string, MathValue>();
  const resolving = new Set<string>();
  const context: MathContext = {
    length: rangePeriods,
    periodSeconds: alarm.periodSeconds,
    resolve(id: string): MathValue {
      const known = computed.get(id);
      if (known !== undefined) return known;
      if (resolving.has(id)) throw new UnsupportedExpressionError(`alarm ${JSON.stringify(alarm.name)}: expression ${id} refers to itself`);
      resolving.add(id);
      try {
        const value = expressions.get(id)!.compiled.run(context);
        computed.set(id, value);
        return value;
      } finally {
        resolving.delete(id);
      }
    },
  };
  return { alarm, rangePeriods, metricQueries, expressions, scratch: { computed, context } };
}

/** Composites in an order where each comes after the composites its rule reads. */
function orderComposites(composites: readonly PreparedComposite[], byName: ReadonlyMap<string, SimAlarm>): PreparedComposite[] {
  const byCompositeName = new Map(composites.map((c) => [c.alarm.name, c]));
  const ordered: PreparedComposite[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (composite: PreparedComposite) => {
    const name = composite.alarm.name;
    if (done.has(name)) return;
    if (visiting.has(name)) throw new Error(`composite alarm ${JSON.stringify(name)} is part of a cycle of composite alarms`);
    visiting.add(name);
    for (const member of ruleMembers(composite.rule).map(alarmNameOf)) {
      if (!byName.has(member)) throw new Error(`composite alarm ${JSON.stringify(name)} names alarm ${JSON.stringify(member)}, which is not in the stack`);
      const inner = byCompositeName.get(member);
      if (inner !== undefined) visit(inner);
    }
    visiting.delete(name);
    done.add(name);
    ordered.push(composite);
  };
  composites.forEach(visit);
  return ordered;
}
