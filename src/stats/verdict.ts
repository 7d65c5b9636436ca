import { meanOf } from './describe';
import { formatDifference, formatP, formatRatio, formatTarget, metricLabel, seedsText } from './format';
import { holm } from './holm';
import { pairedComparison, type PairedComparison } from './paired';

/**
 * The plain-language verdict of each arm against the baseline arm, from per-seed outcomes:
 * steps to the target and the final metric, each tested with the paired t-test (the exact
 * sign-flip test where the t-test is undefined), all of an experiment's tests Holm-corrected
 * together at level 0.05.
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

/** The test a verdict quotes: the paired t-test, or the exact sign-flip test when the differences have no spread. */
export interface QuotedTest {
  p: number;
  test: 'paired t-test' | 'exact sign-flip test' | 'exact Wilcoxon signed-rank test';
}

/**
 * The p-value a verdict quotes for `c`: the paired t-test's; when it is undefined (every
 * difference equal) the exact sign-flip test's (2/2^n for n equal non-zero differences), or past
 * 20 seeds the exact Wilcoxon test's. Null when every difference is zero (nothing to test).
 */
export function quotedTest(c: PairedComparison): QuotedTest | null {
  if (c.tTestP !== null) return { p: c.tTestP, test: 'paired t-test' };
  if (c.permutationP !== null) return { p: c.permutationP, test: 'exact sign-flip test' };
  if (c.wilcoxonP !== null) return { p: c.wilcoxonP, test: 'exact Wilcoxon signed-rank test' };
  return null;
}

/** What a verdict tests per arm: steps to the target and the final metric. */
export type Measure = 'stepsToTarget' | 'final';

/** One test a verdict made, with its Holm-corrected p-value over the whole experiment. */
export interface VerdictTest {
  measure: Measure;
  /** Positions in `armSeeds` / `baseSeeds` of the seeds compared. */
  indices: number[];
  comparison: PairedComparison;
  /** Null when every difference is zero (it counts in the correction as p = 1). */
  quoted: QuotedTest | null;
  /** Holm-corrected p over every test of the experiment (the quoted p when it is the only one); 1 when `quoted` is null. */
  pHolm: number;
  /** pHolm < alpha. */
  significant: boolean;
}

/** One arm's verdict: its sentence and the tests behind it. */
export interface ArmVerdict {
  sentence: string;
  tests: VerdictTest[];
  /** How many tests the Holm correction covered (every arm's). */
  family: number;
}

export interface VerdictOptions {
  /** Significance level (default {@link SIGNIFICANCE}). */
  alpha?: number;
  /** The run has not finished: the sentences say they are interim. */
  interim?: boolean;
}

interface Pair {
  arm: SeedOutcome;
  base: SeedOutcome;
  /** Position in the seed lists. */
  index: number;
}

/** The seeds both arms have evaluated and neither diverged in. */
function comparablePairs(input: VerdictInput): Pair[] {
  return input.armSeeds
    .map((a, i) => ({ arm: a, base: input.baseSeeds[i], index: i }))
    .filter((p) => !p.arm.diverged && !p.base.diverged && p.arm.final !== null && p.base.final !== null);
}

/** How a p-value reads: "p = 0.021", then ", Holm-corrected p = 0.042" when the experiment made more than one test. */
interface Wording {
  alpha: number;
  family: number;
}

function corrected(t: VerdictTest, w: Wording): string {
  return w.family > 1 ? `, Holm-corrected ${formatP(t.pHolm, w.alpha)}` : '';
}

/** "final test accuracy p = 0.41" reads "p = 0.41" (with the corrected p when there is a family). */
function pText(t: VerdictTest, w: Wording): string {
  return `${formatP(t.quoted?.p ?? 1, w.alpha)}${corrected(t, w)}`;
}

/** "p = 0.021, paired t-test over 5 seeds" (with the corrected p when there is a family). */
function evidence(t: VerdictTest & { quoted: QuotedTest }, w: Wording): string {
  return `${formatP(t.quoted.p, w.alpha)}, ${t.quoted.test} over ${seedsText(t.indices.length)}${corrected(t, w)}`;
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

/** A test before the correction. */
type RawTest = Omit<VerdictTest, 'pHolm' | 'significant'>;

function makeTest(measure: Measure, pairs: readonly Pair[], key: 'final' | 'stepsToTarget'): RawTest {
  const comparison = pairedComparison(
    pairs.map((p) => p.arm[key] ?? 0),
    pairs.map((p) => p.base[key] ?? 0),
  );
  return { measure, indices: pairs.map((p) => p.index), comparison, quoted: quotedTest(comparison) };
}

/** The tests one arm's verdict makes: steps to the target where both reached it in 2 or more seeds, and the final metric over 2 or more seeds. */
function armTests(input: VerdictInput): RawTest[] {
  const pairs = comparablePairs(input);
  if (pairs.length < 2) return [];
  const tests: RawTest[] = [];
  if (input.target !== null) {
    const both = pairs.filter((p) => p.arm.stepsToTarget !== null && p.base.stepsToTarget !== null);
    if (both.length >= 2) tests.push(makeTest('stepsToTarget', both, 'stepsToTarget'));
  }
  tests.push(makeTest('final', pairs, 'final'));
  return tests;
}

interface Clause {
  /** A finding worth stating on its own (a significant difference, or a difference in reaching the target). */
  finding: string | null;
  /** What was tested without a significant result, e.g. "final test accuracy p = 0.41". */
  insignificant: string | null;
}

function stepsClause(input: VerdictInput, pairs: readonly Pair[], target: number, test: VerdictTest | undefined, w: Wording): Clause {
  const { arm, baseline, metric } = input;
  const goal = formatTarget(metric, target);
  const both = pairs.filter((p) => p.arm.stepsToTarget !== null && p.base.stepsToTarget !== null);
  const armReached = pairs.filter((p) => p.arm.stepsToTarget !== null).length;
  const baseReached = pairs.filter((p) => p.base.stepsToTarget !== null).length;
  if (armReached === 0 && baseReached === 0) return { finding: `neither reached ${goal}`, insignificant: null };
  const armSteps = both.map((p) => p.arm.stepsToTarget ?? 0);
  const baseSteps = both.map((p) => p.base.stepsToTarget ?? 0);
  const speed = both.length ? speedPhrase(armSteps, baseSteps, baseline) : '';
  const tested = test?.quoted ? (test as VerdictTest & { quoted: QuotedTest }) : null;
  if (both.length === pairs.length) {
    if (tested?.significant) return { finding: `${arm} reached ${goal} ${speed} (${evidence(tested, w)})`, insignificant: null };
    if (tested === null) return { finding: null, insignificant: `same step to reach ${goal} in every seed` };
    return { finding: null, insignificant: `steps to ${goal} ${pText(tested, w)}` };
  }
  // Some seeds reached the target in one arm only: a speed-up over the others would flatter.
  const n = pairs.length;
  let finding = `${arm} reached ${goal} in ${armReached} of ${n} seeds, ${baseline} in ${baseReached} of ${n}`;
  if (tested?.significant) {
    finding += `; where both did, ${arm} reached it ${speed} (${evidence(tested, w)})`;
  } else if (tested !== null) {
    finding += `; where both did, steps to reach it did not differ significantly (${evidence(tested, w)})`;
  }
  return { finding, insignificant: null };
}

function finalClause(input: VerdictInput, test: VerdictTest, w: Wording): Clause {
  const what = `final ${metricLabel(input.metric)}`;
  if (test.quoted === null) return { finding: null, insignificant: `same ${what} in every seed` };
  if (test.significant) return { finding: `${finalPhrase(input, test.comparison.meanDiff)} (${evidence({ ...test, quoted: test.quoted }, w)})`, insignificant: null };
  return { finding: null, insignificant: `${what} ${pText(test, w)}` };
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

function sentence(input: VerdictInput, tests: readonly VerdictTest[], w: Wording): string {
  const { arm, baseline, target } = input;
  const pairs = comparablePairs(input);
  const note = divergedNote(input);
  const withNote = (s: string): string => (note ? `${s}; ${note}` : s);
  if (pairs.length === 0) return withNote(`no comparison yet: ${arm} and ${baseline} have no evaluated seed in common`);
  if (pairs.length === 1) return withNote(singleSeed(input, pairs[0]));

  const final = tests.find((t) => t.measure === 'final');
  if (!final) throw new Error('a verdict over 2 or more seeds always tests the final metric');
  const steps = tests.find((t) => t.measure === 'stepsToTarget');
  const clauses = [...(target === null ? [] : [stepsClause(input, pairs, target, steps, w)]), finalClause(input, final, w)];
  const findings = clauses.map((c) => c.finding).filter((s): s is string => s !== null);
  const rest = clauses.map((c) => c.insignificant).filter((s): s is string => s !== null);
  const family = w.family > 1 ? `; Holm correction over the experiment's ${w.family} tests` : '';
  if (findings.length === 0) {
    return withNote(`no significant difference between ${arm} and ${baseline} over ${seedsText(pairs.length)} (${rest.join('; ')})${family}`);
  }
  const others = rest.length ? [`no significant difference otherwise (${rest.join('; ')})`] : [];
  return withNote([...findings, ...others].join('; ') + family);
}

/**
 * One verdict per input (each arm against the baseline, all from one experiment), with every
 * test of every arm corrected together (Holm), so the chance of any false "differs" in the
 * experiment stays at most `alpha`. Each sentence has no final period, e.g. "rg reached 60% test
 * accuracy 1.4x sooner than plain (p = 0.0046, paired t-test over 5 seeds, Holm-corrected
 * p = 0.0093); no significant difference otherwise (final test accuracy p = 0.065,
 * Holm-corrected p = 0.065); Holm correction over the experiment's 2 tests", or "no significant
 * difference between rg and plain over 5 seeds (final test accuracy p = 0.41)". Tests: steps to
 * the target over the seeds where both arms reached it (2 or more), and the final metric; each
 * quotes the paired t-test, or the exact sign-flip test where the differences have no spread; a
 * test whose differences are all zero counts as p = 1. The speed-up is the ratio of mean steps
 * to target (baseline over arm). Seeds where either arm diverged or has no evaluation yet are
 * left out (divergence is named); a speed-up is claimed only over seeds where both arms reached
 * the target, and reach counts are given when they differ. With one seed it gives the raw
 * differences and says significance needs at least 2 seeds. With `interim` each sentence starts
 * "interim (the run has not finished): ". Throws a RangeError when an arm's seed list and its
 * baseline's differ in length.
 */
export function verdicts(inputs: readonly VerdictInput[], opts: VerdictOptions = {}): ArmVerdict[] {
  for (const { arm, baseline, armSeeds, baseSeeds } of inputs) {
    if (armSeeds.length !== baseSeeds.length) {
      throw new RangeError(`${arm} has ${armSeeds.length} seeds, ${baseline} ${baseSeeds.length}; pair them seed by seed`);
    }
  }
  const alpha = opts.alpha ?? SIGNIFICANCE;
  const raw = inputs.map(armTests);
  const family = raw.reduce((n, t) => n + t.length, 0);
  const corrected = holm(raw.flat().map((t) => t.quoted?.p ?? 1));
  let k = 0;
  const w: Wording = { alpha, family };
  return inputs.map((input, i) => {
    const tests = raw[i].map((t): VerdictTest => {
      const pHolm = corrected[k++];
      return { ...t, pHolm, significant: t.quoted !== null && pHolm < alpha };
    });
    const s = sentence(input, tests, w);
    return { sentence: opts.interim ? `interim (the run has not finished): ${s}` : s, tests, family };
  });
}

/** {@link verdicts} of one arm alone (its own tests are the family), at `input.alpha`. */
export function verdict(input: VerdictInput): string {
  return verdicts([input], { alpha: input.alpha })[0].sentence;
}
