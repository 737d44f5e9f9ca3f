import { describe, expect, it } from 'vitest';
import { burnRate, burnRateExpression, burnWindowClasses, errorBudget, errorBudgetRemainingExpression, errorBudgetRemainingPct } from '../lib/slo/burn-rate';

describe('ADCE SLO burn rate (hand-computed cases)', () => {
  it('30 failed of 200 tasks at a 95% target burns 3x (15% failures / 5% budget)', () => {
    expect(burnRate(30, 170, 95)).toBeCloseTo(3, 12);
  });

  it('exactly the budget is 1x; no failure is 0x; all failed at 95% is 20x', () => {
    expect(burnRate(5, 95, 95)).toBeCloseTo(1, 12);
    expect(burnRate(0, 120, 95)).toBe(0);
    expect(burnRate(40, 0, 95)).toBeCloseTo(20, 12);
  });

  it('the fast threshold 14.4x at 95% is 72% failures; at 99.9% it is 1.44% failures', () => {
    expect(burnRate(72, 28, 95)).toBeCloseTo(14.4, 12);
    expect(burnRate(144, 9856, 99.9)).toBeCloseTo(14.4, 9);
  });

  it('a window without finished tasks has no burn rate (no data, not zero)', () => {
    expect(burnRate(0, 0, 95)).toBeUndefined();
    expect(errorBudgetRemainingPct(0, 0, 95)).toBeUndefined();
  });

  it('error budget remaining: 100 untouched, 0 spent, negative overspent', () => {
    expect(errorBudgetRemainingPct(0, 1000, 95)).toBe(100);
    expect(errorBudgetRemainingPct(50, 950, 95)).toBeCloseTo(0, 9);
    expect(errorBudgetRemainingPct(25, 975, 95)).toBeCloseTo(50, 9);
    expect(errorBudgetRemainingPct(100, 900, 95)).toBeCloseTo(-100, 9);
  });

  it('the budget is a clean decimal (no 0.050000000000000044 in the alarm math)', () => {
    expect(errorBudget(95)).toBe(0.05);
    expect(errorBudget(99.9)).toBe(0.001);
    expect(String(errorBudget(99.95))).toBe('0.0005');
    expect(() => errorBudget(100)).toThrow(/between 0 and 100/);
    expect(() => burnRate(-1, 3, 95)).toThrow(/>= 0/);
  });

  it('metric math: no datapoint without tasks (IF without else), the same formula as burnRate', () => {
    const ids = { failed: 'f', completed: 'c' };
    expect(burnRateExpression(ids, 95)).toBe('IF((f + c) > 0, f / (f + c) / 0.05)');
    expect(errorBudgetRemainingExpression(ids, 99)).toBe('100 * (1 - IF((f + c) > 0, f / (f + c) / 0.01))');
  });

  it('windows: fast 1 h + 5 min, slow 6 h + 30 min, rates from config', () => {
    expect(burnWindowClasses({ fastBurnRate: 14.4, slowBurnRate: 6 })).toEqual([
      { name: 'fast', rate: 14.4, longMinutes: 60, shortMinutes: 5 },
      { name: 'slow', rate: 6, longMinutes: 360, shortMinutes: 30 },
    ]);
  });
});
