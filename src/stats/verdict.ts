import { meanOf } from './describe';
import { formatDifference, formatP, formatRatio, formatTarget, metricLabel, seedsText } from './format';
import { pairedComparison, type PairedComparison } from './paired';

/**
 * The plain-language verdict of one arm against the baseline arm, from per-seed outcomes:
 * steps to the target and the final metric, each tested with the paired t-test at level 0.05.
 */

/** Significance level of the verdict. */
export const SIGNIFICANCE = 0.05;

/** What one run (arm x seed) gave. */
export interface SeedOutcome {
  /** The metric at the run's last evaluation; null before the first one. */
  final: number | null;
  /** First evaluated step at which the metric reached the target; null if it never did (or no target). */
  stepsToTarget: number | null;
  /** The run diverged: this seed is left out of every comparison, for both arms. */
  diverged: boolean;
}

export interface VerdictInput {
  arm: string;
  baseline: string;
  metric: string;
  /** The level whose steps-to-reach are compared; null compares the final metric only. */
  target: number | null;
  /** One outcome per seed; seed i of `armSeeds` pairs with seed i of `baseSeeds`. */
  armSeeds: readonly SeedOutcome[];
  baseSeeds: readonly SeedOutcome[];
  /** Significance level (default {@link SIGNIFICANCE}). */
  alpha?: number;
}

/** The test a verdict quotes: the paired t-test, or Wilcoxon when the differences have no spread. */
export interface QuotedTest {
  p: number;
  test: 'paired t-test' | 'Wilcoxon signed-rank test';
}

/** The p-value a verdict quotes for `c`; null when every difference is zero (nothing to test). */
export function quotedTest(c: PairedComparison): QuotedTest | null {
  if (c.tTestP !== null) return { p: c.tTestP, test: 'paired t-test' };
  if (c.wilcoxonP !== null) return { p: c.wilcoxonP, test: 'Wilcoxon signed-rank test' };
  return null;
}

interface Pair {
  arm: SeedOutcome;
  base: SeedOutcome;
}

/** "p = 0.021, paired t-test over 5 seeds". */
function evidence(t: QuotedTest, n: number, alpha: number): string {
  return `${formatP(t.p, alpha)}, ${t.test} over ${seedsText(n)}`;
}

/**
 * "1.4x sooner than plain" (the ratio of mean steps, baseline over arm) or "in 1.5x as many steps
 * as plain"; without a factor when a mean is 0.
 */
function speedPhrase(armSteps: readonly number[], baseSteps: readonly number[], baseline: string): string {
  const a = meanOf(armSteps);
  const b = meanOf(baseSteps);
  if (!(a > 0) || !(b > 0)) return b >= a ? `sooner than ${baseline}` : `later than ${baseline}`;
  return b >= a ? `${formatRatio(b / a)}x sooner than ${baseline}` : `in ${formatRatio(a / b)}x as many steps as ${baseline}`;
}

function finalPhrase(input: VerdictInput, diff: number): string {
  const { arm, baseline, metric } = input;
  if (diff === 0) return `${arm} and ${baseline} ended with the same final ${metricLabel(metric)}`;
  return `${arm} ended ${formatDifference(metric, diff)} ${diff > 0 ? 'higher' : 'lower'} than ${baseline} in final ${metricLabel(metric)}`;
}

/** The one-seed sentence: the raw differences, and that they cannot be tested. */
function singleSeed(input: VerdictInput, p: Pair): string {
  const { arm, baseline, metric, target } = input;
  let s = `with 1 seed, ${finalPhrase(input, (p.arm.final ?? 0) - (p.base.final ?? 0))}`;
  if (target !== null) {
    const goal = formatTarget(metric, target);
    const a = p.arm.stepsToTarget;
    const b = p.base.stepsToTarget;
    if (a !== null && b !== null) s += `; ${arm} reached ${goal} ${speedPhrase([a], [b], baseline)}`;
    else if (a !== null) s += `; ${arm} reached ${goal} and ${baseline} did not`;
    else if (b !== null) s += `; ${baseline} reached ${goal} and ${arm} did not`;
    else s += `; neither reached ${goal}`;
  }
  return `${s}; significance needs at least 2 seeds (better 3 or more)`;
}

interface Clause {
  /** A finding worth stating on its own (a significant difference, or a difference in reaching the target). */
  finding: string | null;
  /** What was tested without a significant result, e.g. "final test accuracy p = 0.41". */
  insignificant: string | null;
}

function stepsClause(input: VerdictInput, pairs: readonly Pair[], target: number, alpha: number): Clause {
  const { arm, baseline, metric } = input;
  const goal = formatTarget(metric, target);
  const both = pairs.filter((p) => p.arm.stepsToTarget !== null && p.base.stepsToTarget !== null);
  const armReached = pairs.filter((p) => p.arm.stepsToTarget !== null).length;
  const baseReached = pairs.filter((p) => p.base.stepsToTarget !== null).length;
  if (armReached === 0 && baseReached === 0) return { finding: `neither reached ${goal}`, insignificant: null };
  const armSteps = both.map((p) => p.arm.stepsToTarget ?? 0);
  const baseSteps = both.map((p) => p.base.stepsToTarget ?? 0);
  const cmp = both.length >= 2 ? pairedComparison(armSteps, baseSteps) : null;
  const test = cmp ? quotedTest(cmp) : null;
  const speed = both.length ? speedPhrase(armSteps, baseSteps, baseline) : '';
  const significant = test !== null && test.p < alpha;
  if (both.length === pairs.length) {
    if (significant) return { finding: `${arm} reached ${goal} ${speed} (${evidence(test, both.length, alpha)})`, insignificant: null };
    if (test === null) return { finding: null, insignificant: `same step to reach ${goal} in every seed` };
    return { finding: null, insignificant: `steps to ${goal} ${formatP(test.p, alpha)}` };
  }
  // Some seeds reached the target in one arm only: a speed-up over the others would flatter.
  const n = pairs.length;
  let finding = `${arm} reached ${goal} in ${armReached} of ${n} seeds, ${baseline} in ${baseReached} of ${n}`;
  if (significant) {
    finding += `; where both did, ${arm} reached it ${speed} (${evidence(test, both.length, alpha)})`;
  } else if (test !== null) {
    finding += `; where both did, steps to reach it did not differ significantly (${evidence(test, both.length, alpha)})`;
  }
  return { finding, insignificant: null };
}

function finalClause(input: VerdictInput, pairs: readonly Pair[], alpha: number): Clause {
  const cmp = pairedComparison(
    pairs.map((p) => p.arm.final ?? 0),
    pairs.map((p) => p.base.final ?? 0),
  );
  const test = quotedTest(cmp);
  const what = `final ${metricLabel(input.metric)}`;
  if (test === null) return { finding: null, insignificant: `same ${what} in every seed` };
  if (test.p < alpha) return { finding: `${finalPhrase(input, cmp.meanDiff)} (${evidence(test, pairs.length, alpha)})`, insignificant: null };
  return { finding: null, insignificant: `${what} ${formatP(test.p, alpha)}` };
}

function divergedNote(input: VerdictInput): string | null {
  const n = input.armSeeds.length;
  const parts: string[] = [];
  const a = input.armSeeds.filter((s) => s.diverged).length;
  const b = input.baseSeeds.filter((s) => s.diverged).length;
  if (a) parts.push(`${input.arm} diverged in ${a} of ${seedsText(n)}`);
  if (b) parts.push(`${input.baseline} diverged in ${b} of ${seedsText(n)}`);
  return parts.length ? `${parts.join(' and ')} (those seeds are left out)` : null;
}

/**
 * One sentence (no final period) comparing `arm` with `baseline`, e.g. "rg reached 60% test
 * accuracy 1.4x sooner than plain (p = 0.02, paired t-test over 5 seeds); no significant
 * difference otherwise (final test accuracy p = 0.41)" or "no significant difference between rg
 * and plain over 5 seeds (final test accuracy p = 0.41)". The speed-up is the ratio of mean steps
 * to target (baseline over arm). Seeds where either arm diverged or has no evaluation yet are
 * left out (divergence is named); a speed-up is claimed only over seeds where both arms reached
 * the target, and reach counts are given when they differ. With one seed it gives the raw
 * differences and says significance needs at least 2 seeds. Throws a RangeError when the seed
 * lists differ in length.
 */
export function verdict(input: VerdictInput): string {
  const alpha = input.alpha ?? SIGNIFICANCE;
  const { arm, baseline, armSeeds, baseSeeds, target } = input;
  if (armSeeds.length !== baseSeeds.length) {
    throw new RangeError(`${arm} has ${armSeeds.length} seeds, ${baseline} ${baseSeeds.length}; pair them seed by seed`);
  }
  const pairs: Pair[] = armSeeds
    .map((a, i) => ({ arm: a, base: baseSeeds[i] }))
    .filter((p) => !p.arm.diverged && !p.base.diverged && p.arm.final !== null && p.base.final !== null);
  const note = divergedNote(input);
  const withNote = (s: string): string => (note ? `${s}; ${note}` : s);
  if (pairs.length === 0) return withNote(`no comparison yet: ${arm} and ${baseline} have no evaluated seed in common`);
  if (pairs.length === 1) return withNote(singleSeed(input, pairs[0]));

  const clauses = [...(target === null ? [] : [stepsClause(input, pairs, target, alpha)]), finalClause(input, pairs, alpha)];
  const findings = clauses.map((c) => c.finding).filter((s): s is string => s !== null);
  const rest = clauses.map((c) => c.insignificant).filter((s): s is string => s !== null);
  if (findings.length === 0) {
    return withNote(`no significant difference between ${arm} and ${baseline} over ${seedsText(pairs.length)} (${rest.join('; ')})`);
  }
  const others = rest.length ? [`no significant difference otherwise (${rest.join('; ')})`] : [];
  return withNote([...findings, ...others].join('; '));
}
