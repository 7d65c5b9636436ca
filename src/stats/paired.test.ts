import { expect, it, suite } from 'vitest';
import { pairedComparison } from './paired';

// Student's sleep data (Cushny & Peebles 1905), R's `sleep` data set. Published result of
// t.test(extra ~ group, data = sleep, paired = TRUE) in R's documentation and textbooks:
// t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142, mean difference -1.58.
// More digits, and Cohen's d_z, from mpmath (30 digits): p = 0.0028328901973842727,
// CI [-2.459885763276983, -0.7001142367230174], sd 1.2299954832798732, d_z = -1.2845575625910544.
// R's wilcox.test(extra ~ group, data = sleep, paired = TRUE): V = 0, p-value = 0.009091 (one zero
// difference dropped, ties: normal approximation with continuity correction); mpmath 0.0090906980.
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

// Hollander & Wolfe (1973), p. 29: Hamilton depression scale before (x) and after (y) a drug,
// R's wilcox.test example: wilcox.test(x, y, paired = TRUE, alternative = "greater") gives
// V = 40, p-value = 0.01953 (= 10/512, exact); two-sided 20/512 = 0.0390625 (exact enumeration in
// Python of the 2^9 sign patterns agrees). Paired t, mpmath: p = 0.016176627434908092.
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

  it("matches R's Wilcoxon p of the sleep data (zero dropped, ties, normal approximation)", () => {
    expect(pairedComparison(SLEEP_1, SLEEP_2).wilcoxonP).toBeCloseTo(0.0090906980159, 8);
  });

  it('matches the exact Wilcoxon p of the depression data', () => {
    const c = pairedComparison(DEPRESSION_X, DEPRESSION_Y);
    expect(c.wilcoxonP).toBeCloseTo(0.0390625, 12);
    expect(c.tTestP).toBeCloseTo(0.0161766274349081, 10);
  });

  it('exact Wilcoxon by hand: 5 positive distinct differences give 2/32, one negative smallest 4/32', () => {
    expect(pairedComparison([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]).wilcoxonP).toBeCloseTo(0.0625, 12);
    // Accuracy-like values (float differences 0.02, 0.03, -0.01, 0.05, 0.04): T = 14, P(T >= 14) = 2/32.
    const c = pairedComparison([0.61, 0.63, 0.6, 0.64, 0.62], [0.59, 0.6, 0.61, 0.59, 0.58]);
    expect(c.wilcoxonP).toBeCloseTo(0.125, 12);
    // mpmath: t = 2.5253432421288869, p = 0.064985910342120664, d_z = 1.1293678311839804
    expect(c.tTestP).toBeCloseTo(0.0649859103421207, 10);
    expect(c.effectSize).toBeCloseTo(1.12936783118398, 10);
  });

  it('caps the two-sided exact Wilcoxon p at 1 when the statistic is at the centre', () => {
    // n = 3, differences 1, 2, -3: T = 3 = n(n+1)/4; stdlib's 2 x P(T <= 3) would be 1.25.
    expect(pairedComparison([1, 2, -3], [0, 0, 0]).wilcoxonP).toBe(1);
  });

  it('n = 1 gives the difference and no test', () => {
    expect(pairedComparison([0.7], [0.6])).toEqual({
      n: 1,
      meanDiff: 0.7 - 0.6,
      sdDiff: null,
      ci95: null,
      tTestP: null,
      wilcoxonP: null,
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
    expect(c.effectSize).toBeNull();
  });

  it('a constant non-zero difference has no t-test, but a Wilcoxon p (ties: normal approximation)', () => {
    // steps to target 200 vs 300 in all 5 seeds; float noise in 0.63 - 0.61 vs 0.53 - 0.51 is snapped too
    const c = pairedComparison([200, 200, 200, 200, 200], [300, 300, 300, 300, 300]);
    expect(c.tTestP).toBeNull();
    expect(c.effectSize).toBeNull();
    // ranks all 3, T = 0, mean 7.5, var = (330 - 0.5 x 120) / 24 = 11.25: z = -(7.5 - 0.5) / sqrt(11.25),
    // p = 2 Phi(-2.0870) = 0.036888 (R's wilcox.test gives the same, with a ties warning)
    expect(c.wilcoxonP).toBeCloseTo(0.03688843, 6);
    const f = pairedComparison([0.63, 0.53, 0.73], [0.61, 0.51, 0.71]);
    expect(f.tTestP).toBeNull();
  });

  it('refuses unequal lengths, empty lists and NaN', () => {
    expect(() => pairedComparison([1, 2], [1])).toThrow(RangeError);
    expect(() => pairedComparison([], [])).toThrow(RangeError);
    expect(() => pairedComparison([1, NaN], [1, 2])).toThrow(/arm\[1\]/);
  });
});
