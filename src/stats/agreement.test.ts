import { describe, expect, it } from 'vitest';
import { welchAgreement } from './agreement';

const BASE = [0, 1, 2, 3, 4];

describe('welchAgreement', () => {
  it("is Welch's two-sided t test at alpha written as a tolerance", () => {
    // Equal spreads, n = 5 each: SE = 1, df = 8, t(0.995, 8) = 3.3553873 (SciPy).
    const r = welchAgreement(BASE.map((v) => v + 3.35), BASE);
    expect(r.se).toBeCloseTo(1, 12);
    expect(r.df).toBeCloseTo(8, 12);
    expect(r.tolerance).toBeCloseTo(3.3553873, 6);
    expect(r.difference).toBeCloseTo(3.35, 12);
    expect(r.agree).toBe(true);
    expect(welchAgreement(BASE.map((v) => v + 3.36), BASE).agree).toBe(false);
    expect(welchAgreement(BASE, BASE.map((v) => v + 3.36)).agree).toBe(false);
    // All the spread on one side: df = n - 1 of that side; t(0.995, 1) = 63.6567412.
    const one = welchAgreement([0, 2], [5, 5, 5]);
    expect(one.df).toBeCloseTo(1, 12);
    expect(one.tolerance).toBeCloseTo(63.6567412, 5);
  });

  it('agrees with SciPy: p = 0.0095 fails at alpha 0.01 and passes just below it', () => {
    // scipy.stats.ttest_ind(a, b, equal_var=False): p = 0.0094908, df = 7.9910.
    const a = [0.71, 0.68, 0.75, 0.7, 0.66];
    const b = [0.62, 0.66, 0.57, 0.63, 0.65];
    expect(welchAgreement(a, b).df).toBeCloseTo(7.9909713, 5);
    expect(welchAgreement(a, b, { alpha: 0.01 }).agree).toBe(false);
    expect(welchAgreement(a, b, { alpha: 0.0094 }).agree).toBe(true);
  });

  it('uses the floor when both samples are nearly constant, and rejects what it cannot judge', () => {
    expect(welchAgreement([0.5, 0.5], [0.51, 0.51, 0.51], { floor: 0.02 })).toMatchObject({ se: 0, tolerance: 0.02, agree: true });
    expect(welchAgreement([0.5, 0.5], [0.53, 0.53], { floor: 0.02 }).agree).toBe(false);
    expect(() => welchAgreement([0.5], [0.5, 0.6])).toThrow(/at least 2 values per sample/);
    expect(() => welchAgreement([0.5, NaN], [0.5, 0.6])).toThrow(/a\[1\]: is NaN/);
  });
});
