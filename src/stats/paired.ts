import ttest from '@stdlib/stats-ttest';
import { assertFiniteSample, ci95HalfWidth, meanOf, sampleStd } from './describe';
import { signFlipP, wilcoxonExactP } from './exact';

/**
 * One arm against a baseline arm, seed by seed: the differences arm - baseline of one value per
 * seed (final accuracy, steps to a target, ...), tested two-sided with stdlib's paired t-test,
 * the exact Wilcoxon signed-rank test and the exact sign-flip permutation test (exact.ts).
 */

export interface PairedComparison {
  /** Number of seed pairs. */
  n: number;
  /** Mean of arm - baseline. */
  meanDiff: number;
  /** Sample std of the differences; null when n < 2. */
  sdDiff: number | null;
  /** 95% t confidence interval of the mean difference; null when n < 2. */
  ci95: [number, number] | null;
  /**
   * Two-sided paired t-test p-value; null when n < 2 or the differences have no spread (all
   * equal, where t is 0/0 or infinite; the exact tests below still say something then).
   */
  tTestP: number | null;
  /**
   * Two-sided exact Wilcoxon signed-rank p-value at every n: zero differences dropped, ties
   * given mid-ranks, exact given those ranks (never a normal approximation). Null when n < 2 or
   * every difference is zero. With m non-zero differences it is never below 2/2^m (0.0625 at 5).
   */
  wilcoxonP: number | null;
  /**
   * Two-sided exact sign-flip permutation p-value of the mean difference, over all 2^n sign
   * patterns; null when n < 2, n > 20 or every difference is zero. Never below 2/2^n.
   */
  permutationP: number | null;
  /** Cohen's d for paired samples (d_z): meanDiff / sdDiff; null when n < 2 or sdDiff is 0. */
  effectSize: number | null;
}

/**
 * Differences rounded to 12 significant digits, so float noise (0.63 - 0.61 against 0.53 - 0.51)
 * neither breaks ties in the ranks nor passes for spread.
 */
function snap(v: number): number {
  return Number(v.toPrecision(12));
}

/**
 * Compares `arm` with `baseline`, one value per seed in the same seed order. Throws a RangeError
 * when the lengths differ, a list is empty or a value is not finite (leave diverged seeds out of
 * both lists first).
 */
export function pairedComparison(arm: readonly number[], baseline: readonly number[]): PairedComparison {
  assertFiniteSample(arm, 'arm');
  assertFiniteSample(baseline, 'baseline');
  if (arm.length !== baseline.length) throw new RangeError(`arm has ${arm.length} values, baseline ${baseline.length}; pair them seed by seed`);
  const n = arm.length;
  const diffs = arm.map((a, i) => a - baseline[i]);
  const meanDiff = meanOf(diffs);
  if (n < 2) return { n, meanDiff, sdDiff: null, ci95: null, tTestP: null, wilcoxonP: null, permutationP: null, effectSize: null };

  const snapped = diffs.map(snap);
  const noSpread = snapped.every((d) => d === snapped[0]);
  const sdDiff = noSpread ? 0 : sampleStd(diffs);
  const half = ci95HalfWidth(sdDiff, n);
  const tTestP = noSpread ? null : ttest(diffs).pValue;
  return {
    n,
    meanDiff,
    sdDiff,
    ci95: half === null ? null : [meanDiff - half, meanDiff + half],
    tTestP,
    wilcoxonP: wilcoxonExactP(snapped),
    permutationP: signFlipP(snapped),
    effectSize: sdDiff > 0 ? meanDiff / sdDiff : null,
  };
}
