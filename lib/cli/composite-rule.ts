/**
 * CloudWatch composite alarm rules (`ALARM("a") OR (ALARM("b") AND NOT OK("c"))`), read so
 * `monitor fire-drill` can drill a composite through one of its members: set the member to ALARM
 * and let CloudWatch itself evaluate the composite, which proves the rule and its actions.
 */

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type RuleNode =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'state'; readonly state: AlarmStateValue; readonly alarm: string }
  | { readonly kind: 'not'; readonly operand: RuleNode }
  | { readonly kind: 'and' | 'or'; readonly operands: RuleNode[] };

/** An alarm reference in a rule (name or ARN) as the alarm's name. */
export function alarmNameOf(reference: string): string {
  const at = reference.indexOf(':alarm:');
  return reference.startsWith('arn:') && at >= 0 ? reference.slice(at + ':alarm:'.length) : reference;
}

/** Parses a rule; throws an Error naming what could not be read (e.g. AT_LEAST, an unknown word). */
export function parseAlarmRule(rule: string): RuleNode {
  const tokens = tokenize(rule);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string): string => {
    const token = tokens[pos];
    if (token === undefined) throw new Error(`rule ends early${expected ? `, expected ${expected}` : ''}`);
    if (expected !== undefined && token.toUpperCase() !== expected) throw new Error(`expected ${expected}, found ${JSON.stringify(token)}`);
    pos += 1;
    return token;
  };
  const word = (token: string | undefined) => token?.toUpperCase();

  const parseOr = (): RuleNode => {
    const operands = [parseAnd()];
    while (word(peek()) === 'OR') {
      take();
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  };
  const parseAnd = (): RuleNode => {
    const operands = [parseNot()];
    while (word(peek()) === 'AND') {
      take();
      operands.push(parseNot());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  };
  const parseNot = (): RuleNode => {
    if (word(peek()) === 'NOT') {
      take();
      return { kind: 'not', operand: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): RuleNode => {
    const token = take();
    const upper = token.toUpperCase();
    if (token === '(') {
      const inner = parseOr();
      take(')');
      return inner;
    }
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'const', value: upper === 'TRUE' };
    if (upper === 'ALARM' || upper === 'OK' || upper === 'INSUFFICIENT_DATA') {
      take('(');
      const alarm = take();
      if (alarm === ')' || alarm === '(') throw new Error(`${upper}() names no alarm`);
      take(')');
      return { kind: 'state', state: upper, alarm: alarmNameOf(unquote(alarm)) };
    }
    throw new Error(`cannot read ${JSON.stringify(token)} (only ALARM/OK/INSUFFICIENT_DATA, AND, OR, NOT, TRUE, FALSE and parentheses are understood)`);
  };

  const tree = parseOr();
  if (pos < tokens.length) throw new Error(`unexpected ${JSON.stringify(tokens[pos])}`);
  return tree;
}

/** Evaluates a rule; an alarm missing from `states` counts as INSUFFICIENT_DATA. */
export function evaluateRule(node: RuleNode, states: ReadonlyMap<string, AlarmStateValue>): boolean {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'state':
      return (states.get(node.alarm) ?? 'INSUFFICIENT_DATA') === node.state;
    case 'not':
      return !evaluateRule(node.operand, states);
    case 'and':
      return node.operands.every((o) => evaluateRule(o, states));
    case 'or':
      return node.operands.some((o) => evaluateRule(o, states));
  }
}

/** The alarms a rule reads, in the order they first appear. */
export function ruleMembers(node: RuleNode): string[] {
  const out: string[] = [];
  const walk = (n: RuleNode) => {
    if (n.kind === 'state') {
      if (!out.includes(n.alarm)) out.push(n.alarm);
    } else if (n.kind === 'not') walk(n.operand);
    else if (n.kind === 'and' || n.kind === 'or') n.operands.forEach(walk);
  };
  walk(node);
  return out;
}

export interface MemberFacts {
  readonly state: AlarmStateValue;
  readonly type: 'metric' | 'composite';
}

export type DrillMemberChoice = { readonly member: string } | { readonly reason: string };

/**
 * The first member alarm that, set to ALARM from the current states, makes the rule true, and
 * set to OK makes it false again (so the composite goes ALARM, then OK). Members must be metric
 * alarms in OK: a member composite would only be set, not evaluated.
 */
export function chooseDrillMember(rule: string, members: ReadonlyMap<string, MemberFacts>): DrillMemberChoice {
  let tree: RuleNode;
  try {
    tree = parseAlarmRule(rule);
  } catch (err) {
    return { reason: `its rule could not be read (${(err as Error).message})` };
  }
  const states = new Map([...members].map(([name, facts]) => [name, facts.state] as const));
  if (evaluateRule(tree, states)) return { reason: 'its rule is already true with the members as they are now' };
  const names = ruleMembers(tree);
  const missing = names.filter((n) => !members.has(n));
  const candidates = names.filter((n) => members.get(n)?.type === 'metric' && members.get(n)?.state === 'OK');
  for (const name of candidates) {
    const alarmed = new Map(states).set(name, 'ALARM');
    const back = new Map(states).set(name, 'OK');
    if (evaluateRule(tree, alarmed) && !evaluateRule(tree, back)) return { member: name };
  }
  const notes = [
    candidates.length === 0 ? 'no member is a metric alarm in OK' : 'no single member alarm in ALARM makes its rule true',
    missing.length > 0 ? `members not found: ${missing.join(', ')}` : '',
  ].filter(Boolean);
  return { reason: notes.join('; ') };
}

function tokenize(rule: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push(c);
      i += 1;
    } else if (c === '"' || c === "'") {
      const end = rule.indexOf(c, i + 1);
      if (end < 0) throw new Error('a quoted alarm name is not closed');
      tokens.push(rule.slice(i, end + 1));
      i = end + 1;
    } else {
      let j = i;
      while (j < rule.length && !/[\s(),"']/.test(rule[j]!)) j += 1;
      tokens.push(rule.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

function unquote(token: string): string {
  return /^(["']).*\1$/s.test(token) ? token.slice(1, -1) : token;
}
