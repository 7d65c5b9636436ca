import { expect, it, suite } from 'vitest';
import { pairedComparison } from './paired';

// Student's sleep data (Cushny & Peebles 1905), R's `sleep` data set. Published result of
// t.test(extra ~ group, data = sleep, paired = TRUE) in R's documentation and textbooks:
// t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58.
// More digits, and Cohen's d_z, from mpmath (30 digits): p = 0.0028328901973842727,
// CI [-2.459885763276983, -0.7001142367230174], sd 1.2299954832798732, d_z = -1.2845575625910544.
// Differences -1.2, -2.4, -1.3, -1.3, 0, -1, -1.8, -0.8, -4.6, -1.4: R's wilcox.test falls back to a
// normal approximation here (ties, a zero) and gives 0.009091; the exact answer with the zero
// dropped and mid-ranks is 2/2^9 = 1/256 (all 9 non-zero differences negative), and the sign-flip
// test gives 4/1024 = 1/256 (the zero's two signs count twice). Both by brute-force enumeration in
// Python with exact fractions.
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

// Hollander & Wolfe (1973), p. 29: Hamilton depression scale before (x) and after (y) a drug,
// R's wilcox.test example: wilcox.test(x, y, paired = TRUE, alternative = "greater") gives
// V = 40, p-value = 0.01953 (= 10/512, exact); two-sided 20/512 = 0.0390625 (exact enumeration in
// Python of the 2^9 sign patterns agrees). Paired t, mpmath: p = 0.016176627434908092. Sign-flip
// test of the mean, by enumeration in Python: 14/512 = 0.02734375.
const DEPRESSION_X = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
const DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

suite('pairedComparison', () => {
  it('matches the paired t-test of the sleep data', () => {
    const c = pairedComparison(SLEEP_1, SLEEP_2);
    expect(c.n).toBe(10);
    expect(c.meanDiff).toBeCloseTo(-1.58, 12);
    expect(c.sdDiff).toBeCloseTo(1.22999548327987, 12);
    expect(c.tTestP).toBeCloseTo(0.00283289019738427, 10);
    expect(c.ci95?.[0]).toBeCloseTo(-2.45988576327698, 10);
    expect(c.ci95?.[1]).toBeCloseTo(-0.700114236723017, 10);
    expect(c.effectSize).toBeCloseTo(-1.28455756259105, 10);
  });

  it('gives exact Wilcoxon and sign-flip p for the sleep data (a zero and ties: no normal approximation)', () => {
    const c = pairedComparison(SLEEP_1, SLEEP_2);
    expect(c.wilcoxonP).toBe(1 / 256);
    expect(c.permutationP).toBe(1 / 256);
  });

  it('matches the exact Wilcoxon p of the depression data', () => {
    const c = pairedComparison(DEPRESSION_X, DEPRESSION_Y);
    expect(c.wilcoxonP).toBeCloseTo(0.0390625, 12);
    expect(c.permutationP).toBeCloseTo(0.02734375, 12);
    expect(c.tTestP).toBeCloseTo(0.0161766274349081, 10);
  });

  it('exact Wilcoxon by hand: 5 positive distinct differences give 2/32, one negative smallest 4/32', () => {
    expect(pairedComparison([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]).wilcoxonP).toBeCloseTo(0.0625, 12);
    // Accuracy-like values (float differences 0.02, 0.03, -0.01, 0.05, 0.04): T = 14, P(T >= 14) = 2/32.
    const c = pairedComparison([0.61, 0.63, 0.6, 0.64, 0.62], [0.59, 0.6, 0.61, 0.59, 0.58]);
    expect(c.wilcoxonP).toBeCloseTo(0.125, 12);
    expect(c.permutationP).toBeCloseTo(0.125, 12);
    // mpmath: t = 2.5253432421288869, p = 0.064985910342120664, d_z = 1.1293678311839804
    expect(c.tTestP).toBeCloseTo(0.0649859103421207, 10);
    expect(c.effectSize).toBeCloseTo(1.12936783118398, 10);
  });

  it('gives p = 1 when the statistic is at the centre', () => {
    // n = 3, differences 1, 2, -3: V = 3 = n(n+1)/4, and the sum is 0.
    expect(pairedComparison([1, 2, -3], [0, 0, 0]).wilcoxonP).toBe(1);
    expect(pairedComparison([1, 2, -3], [0, 0, 0]).permutationP).toBe(1);
  });

  it('handles ties and zeros exactly: differences 1, 1, 2, -2, 3, 0', () => {
    // Python enumeration with fractions: Wilcoxon (zero dropped, mid-ranks) 3/8, sign-flip 3/8.
    const c = pairedComparison([1, 1, 2, -2, 3, 0], [0, 0, 0, 0, 0, 0]);
    expect(c.wilcoxonP).toBeCloseTo(0.375, 12);
    expect(c.permutationP).toBeCloseTo(0.375, 12);
  });

  it('n = 1 gives the difference and no test', () => {
    expect(pairedComparison([0.7], [0.6])).toEqual({
      n: 1,
      meanDiff: 0.7 - 0.6,
      sdDiff: null,
      ci95: null,
      tTestP: null,
      wilcoxonP: null,
      permutationP: null,
      effectSize: null,
    });
  });

  it('identical arms: difference 0, no test (nothing to test)', () => {
    const v = [0.5, 0.6, 0.7];
    const c = pairedComparison(v, v);
    expect(c.meanDiff).toBe(0);
    expect(c.sdDiff).toBe(0);
    expect(c.ci95).toEqual([0, 0]);
    expect(c.tTestP).toBeNull();
    expect(c.wilcoxonP).toBeNull();
    expect(c.permutationP).toBeNull();
    expect(c.effectSize).toBeNull();
  });

  it('a constant non-zero difference has no t-test; the exact tests give 2/2^n (5 seeds: 2/32)', () => {
    // steps to target 200 vs 300 in all 5 seeds: only the all-minus and all-plus sign patterns are
    // as extreme, so p = 2/32 = 0.0625 exactly (a normal approximation with ties said 0.037).
    const c = pairedComparison([200, 200, 200, 200, 200], [300, 300, 300, 300, 300]);
    expect(c.tTestP).toBeNull();
    expect(c.effectSize).toBeNull();
    expect(c.wilcoxonP).toBe(0.0625);
    expect(c.permutationP).toBe(0.0625);
    // float noise in 0.63 - 0.61 vs 0.53 - 0.51 is snapped: still no spread, and 3 seeds give 2/8
    const f = pairedComparison([0.63, 0.53, 0.73], [0.61, 0.51, 0.71]);
    expect(f.tTestP).toBeNull();
    expect(f.permutationP).toBe(0.25);
    expect(f.wilcoxonP).toBe(0.25);
  });

  it('enumerates 20 seeds exactly and leaves the sign-flip test out above 20', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? -1 : 1) * (i + 1));
    // 1..20 with 1, 5, 9, 13 and 17 negated: sum 120; by counting signed sums in Python, 25,114 of 2^20
    expect(pairedComparison(twenty, new Array(20).fill(0)).permutationP).toBe(25114 / 2 ** 20);
    const c = pairedComparison([...twenty, 3], new Array(21).fill(0));
    expect(c.permutationP).toBeNull();
    expect(c.wilcoxonP).not.toBeNull();
  });

  it('refuses unequal lengths, empty lists and NaN', () => {
    expect(() => pairedComparison([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedComparison([], [])).toThrow(RangeError);
    expect(() => pairedComparison([1, NaN], [1, 2])).toThrow(/arm\[1\]/);
  });
});
