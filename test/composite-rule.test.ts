import { describe, expect, it } from 'vitest';
import { type MemberFacts, chooseDrillMember, evaluateRule, parseAlarmRule, ruleMembers } from '../lib/cli/composite-rule';

const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:111122223333:alarm:${name}`;
const ok = (type: MemberFacts['type'] = 'metric'): MemberFacts => ({ state: 'OK', type });

describe('composite alarm rules', () => {
  it('reads names and ARNs, quoted or not, with AND binding tighter than OR', () => {
    const tree = parseAlarmRule(`ALARM("${arn('A')}") OR ALARM(B) AND NOT OK('C')`);
    expect(ruleMembers(tree)).toEqual(['A', 'B', 'C']);
    const states = (a: string, b: string, c: string) => new Map([['A', a], ['B', b], ['C', c]] as const) as Map<string, 'OK' | 'ALARM'>;
    expect(evaluateRule(tree, states('ALARM', 'OK', 'OK'))).toBe(true);
    expect(evaluateRule(tree, states('OK', 'ALARM', 'OK'))).toBe(false); // NOT OK(C) is false
    expect(evaluateRule(tree, states('OK', 'ALARM', 'ALARM'))).toBe(true);
    expect(evaluateRule(parseAlarmRule('(TRUE) and not FALSE'), new Map())).toBe(true);
  });

  it('refuses what it cannot read, naming it', () => {
    expect(() => parseAlarmRule('AT_LEAST(2, ALARM, ("a", "b", "c"))')).toThrow(/cannot read "AT_LEAST"/);
    expect(() => parseAlarmRule('ALARM("a") OR')).toThrow(/rule ends early/);
    expect(() => parseAlarmRule('ALARM("a")) ')).toThrow(/unexpected "\)"/);
  });

  it('picks the first member alarm that alone turns an OR roll-up to ALARM', () => {
    const rule = `ALARM("${arn('A')}") OR ALARM("${arn('B')}")`;
    expect(chooseDrillMember(rule, new Map([['A', { state: 'INSUFFICIENT_DATA', type: 'metric' }], ['B', ok()]]))).toEqual({ member: 'B' });
    expect(chooseDrillMember(rule, new Map([['A', ok('composite')], ['B', ok()]]))).toEqual({ member: 'B' });
  });

  it('says why not: every member must fire together, none is a metric alarm in OK, or the rule is already true', () => {
    expect(chooseDrillMember('ALARM(A) AND ALARM(B)', new Map([['A', ok()], ['B', ok()]]))).toEqual({ reason: 'no single member alarm in ALARM makes its rule true' });
    expect(chooseDrillMember('ALARM(A) OR ALARM(B)', new Map([['A', ok('composite')]]))).toEqual({ reason: 'no member is a metric alarm in OK; members not found: B' });
    expect(chooseDrillMember('ALARM(A) OR OK(B)', new Map([['A', ok()], ['B', ok()]]))).toEqual({ reason: 'its rule is already true with the members as they are now' });
    expect(chooseDrillMember('AT_LEAST(1, ALARM, (A))', new Map())).toMatchObject({ reason: expect.stringMatching(/^its rule could not be read/) });
  });
});
