/**
 * Exact two-sided paired tests for a few seeds, computed from the whole null distribution
 * (no normal approximation at any n they accept):
 * - the sign-flip permutation test of the mean difference: under "the arms are exchangeable
 *   within a seed" each difference is as likely to have either sign, so the 2^n sign patterns are
 *   equally likely; p is the share of them whose |sum| is at least the observed |sum|;
 * - the Wilcoxon signed-rank test with zeros dropped (Wilcoxon's convention, as R's
 *   wilcox.test) and tied |differences| given their mean rank; p is exact given those ranks.
 * Both take differences already snapped (see paired.ts), so float noise neither breaks ties
 * nor passes for a difference.
 */

/** Largest n the permutation test enumerates (2^20 sign patterns, a few ms). */
export const MAX_PERMUTATION_N = 20;

/**
 * Two-sided exact sign-flip permutation p-value of the mean of `diffs`: #{s in {-1,1}^n :
 * |sum s_i d_i| >= |sum d_i|} / 2^n, enumerated in Gray-code order (one addition per pattern).
 * A zero difference flips to itself and leaves p unchanged. Null when every difference is 0
 * (nothing to test) or n > {@link MAX_PERMUTATION_N}. For n identical non-zero differences it
 * is 2 / 2^n (0.0625 at n = 5), the smallest p any n gives.
 */
export function signFlipP(diffs: readonly number[]): number | null {
  const n = diffs.length;
  if (n === 0 || n > MAX_PERMUTATION_N || diffs.every((d) => d === 0)) return null;
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  const scale = diffs.reduce((s, d) => s + Math.abs(d), 0);
  // A pattern whose |sum| equals the observed one in exact arithmetic may land a few ulps below.
  const threshold = observed - 1e-9 * scale;
  let sum = diffs.reduce((s, d) => s + d, 0);
  const sign = new Array<number>(n).fill(1);
  let count = Math.abs(sum) >= threshold ? 1 : 0;
  const total = 2 ** n;
  for (let k = 1; k < total; k++) {
    // Gray code: pattern k differs from k - 1 in the bit of k's lowest set bit.
    const j = 31 - Math.clz32(k & -k);
    sum -= 2 * sign[j] * diffs[j];
    sign[j] = -sign[j];
    if (Math.abs(sum) >= threshold) count++;
  }
  return count / total;
}

/** Ranks of `values` (all > 0) from 1, ties given the mean of the ranks they span, doubled to integers. */
function doubledMidranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    // ranks i+1 .. j+1 share their mean (i + j + 2) / 2; doubled: i + j + 2.
    for (let k = i; k <= j; k++) ranks[order[k][1]] = i + j + 2;
    i = j + 1;
  }
  return ranks;
}

/**
 * Two-sided exact Wilcoxon signed-rank p-value of `diffs`: zero differences dropped, tied
 * |differences| get mid-ranks, and V (the sum of the ranks of the positive differences) is
 * referred to its exact distribution given those ranks, every sign pattern equally likely
 * (dynamic programming over the doubled ranks, so any n is exact). p = P(|V - E V| >= |v - E V|),
 * at most 1. Null when every difference is 0.
 */
export function wilcoxonExactP(diffs: readonly number[]): number | null {
  const nonZero = diffs.filter((d) => d !== 0);
  if (nonZero.length === 0) return null;
  const ranks = doubledMidranks(nonZero.map(Math.abs));
  const total = ranks.reduce((s, r) => s + r, 0);
  // dist[s]: probability that the doubled ranks of the positive differences sum to s.
  let dist = new Float64Array(total + 1);
  dist[0] = 1;
  let reach = 0;
  for (const r of ranks) {
    const next = new Float64Array(total + 1);
    for (let s = 0; s <= reach; s++) {
      if (dist[s] === 0) continue;
      next[s] += dist[s] / 2;
      next[s + r] += dist[s] / 2;
    }
    dist = next;
    reach += r;
  }
  const observed = nonZero.reduce((s, d, i) => s + (d > 0 ? ranks[i] : 0), 0);
  // |2s - total| >= |2 observed - total|: integers, so ties with the observed value count exactly.
  const extreme = Math.abs(2 * observed - total);
  let p = 0;
  for (let s = 0; s <= total; s++) if (Math.abs(2 * s - total) >= extreme) p += dist[s];
  return Math.min(1, p);
}
