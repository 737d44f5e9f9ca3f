/**
 * CloudWatch Logs JSON filter patterns (`{ ($.level = "ERROR") || ($.type = "x" && $.n > 3) }`)
 * matched against JSON log events, so the simulator turns the publishers' own log lines into
 * the metric filters' datums. Follows "Using metric filters to match terms in JSON log events"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
 * `=` / `!=` on strings (with `*` wildcards) and numbers, `<` `<=` `>` `>=` on numbers, `&&`,
 * `||`, parentheses. A selector that is absent matches only `!=`. Anything else (IS NULL,
 * NOT EXISTS, arrays) is refused with an error naming it, never guessed.
 */

type Node =
  | { kind: 'cmp'; path: string[]; op: string; value: string | number }
  | { kind: 'and' | 'or'; left: Node; right: Node };

export type LogEventMatcher = (event: Record<string, unknown>) => boolean;

export function compileJsonFilter(pattern: string): LogEventMatcher {
  const body = pattern.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new Error(`Only JSON filter patterns ({ ... }) are simulated; got ${JSON.stringify(pattern)}`);
  const tokens = tokenize(body.slice(1, -1), pattern);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error(`Filter pattern ${JSON.stringify(pattern)} ends early`);
    return t;
  };
  const parseOr = (): Node => {
    let left = parseAnd();
    while (peek() === '||') {
      pos++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseTerm();
    while (peek() === '&&') {
      pos++;
      left = { kind: 'and', left, right: parseTerm() };
    }
    return left;
  };
  const parseTerm = (): Node => {
    const t = take();
    if (t === '(') {
      const inner = parseOr();
      if (take() !== ')') throw new Error(`Filter pattern ${JSON.stringify(pattern)}: expected )`);
      return inner;
    }
    if (!t.startsWith('$.')) throw new Error(`Filter pattern ${JSON.stringify(pattern)}: expected a $.selector, found ${JSON.stringify(t)}`);
    const op = take();
    if (!['=', '!=', '<', '<=', '>', '>='].includes(op)) throw new Error(`Filter pattern ${JSON.stringify(pattern)}: operator ${JSON.stringify(op)} is not simulated`);
    const raw = take();
    const value = raw.startsWith('"') ? raw.slice(1, -1) : Number(raw);
    if (typeof value === 'number' && Number.isNaN(value)) throw new Error(`Filter pattern ${JSON.stringify(pattern)}: value ${JSON.stringify(raw)} is not simulated`);
    return { kind: 'cmp', path: t.slice(2).split('.'), op, value };
  };
  const tree = parseOr();
  if (pos !== tokens.length) throw new Error(`Filter pattern ${JSON.stringify(pattern)}: unexpected ${JSON.stringify(tokens[pos])}`);
  return (event) => matches(tree, event);
}

function tokenize(text: string, pattern: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\|\||&&|!=|<=|>=|[()=<>]|"(?:[^"\\]|\\.)*"|\$\.[A-Za-z0-9_.]+|-?\d+(?:\.\d+)?)/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`Filter pattern ${JSON.stringify(pattern)}: cannot read ${JSON.stringify(text.slice(at, at + 20))}`);
    tokens.push(m[1]!);
    at = re.lastIndex;
  }
  return tokens;
}

function matches(node: Node, event: Record<string, unknown>): boolean {
  if (node.kind !== 'cmp') return node.kind === 'and' ? matches(node.left, event) && matches(node.right, event) : matches(node.left, event) || matches(node.right, event);
  let v: unknown = event;
  for (const p of node.path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  if (v === undefined) return node.op === '!=';
  if (typeof node.value === 'string') {
    const equal = wildcard(node.value).test(String(v));
    return node.op === '=' ? equal : node.op === '!=' ? !equal : false;
  }
  const n = Number(v);
  if (typeof v !== 'number' && Number.isNaN(n)) return node.op === '!=';
  switch (node.op) {
    case '=': return n === node.value;
    case '!=': return n !== node.value;
    case '<': return n < node.value;
    case '<=': return n <= node.value;
    case '>': return n > node.value;
    default: return n >= node.value;
  }
}

function wildcard(value: string): RegExp {
  return new RegExp(`^${value.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
