import { expect, it, suite } from 'vitest';
import { formatP, formatTarget, metricDirection } from './format';
import { verdict, verdicts, type SeedOutcome, type VerdictInput } from './verdict';

const outcomes = (finals: number[], steps: (number | null)[] = [], diverged: number[] = []): SeedOutcome[] =>
  finals.map((final, i) => ({ final, stepsToTarget: steps[i] ?? null, diverged: diverged.includes(i) }));

const input = (armSeeds: SeedOutcome[], baseSeeds: SeedOutcome[], target: number | null = 0.6, metric = 'accuracy'): VerdictInput => ({
  arm: 'rg',
  baseline: 'plain',
  metric,
  target,
  armSeeds,
  baseSeeds,
});

// Paired t-test p-values below are from mpmath (see paired.test.ts):
// steps [300,400,300,500,400] vs [500,500,400,600,600]: p = 0.0046358394179, mean 380 vs 520 (1.37x)
// final [.61,.63,.60,.64,.62] vs [.59,.60,.61,.59,.58]: mean diff 0.026, p = 0.064985910342
// final [.61,.63,.60,.64,.62] vs [.59,.60,.60,.61,.58]: mean diff 0.024, p = 0.024043528799
const ARM_STEPS = [300, 400, 300, 500, 400];
const BASE_STEPS = [500, 500, 400, 600, 600];
const ARM_FINAL = [0.61, 0.63, 0.6, 0.64, 0.62];
const BASE_FINAL_CLOSE = [0.59, 0.6, 0.61, 0.59, 0.58];
const BASE_FINAL_LOWER = [0.59, 0.6, 0.6, 0.61, 0.58];

suite('verdict', () => {
  it('states a significant speed-up, and that the final metric did not differ, Holm-corrected over both tests', () => {
    // Holm over 2: 0.0046 x 2 = 0.0093; max(0.0093, 0.065 x 1) = 0.065
    expect(verdict(input(outcomes(ARM_FINAL, ARM_STEPS), outcomes(BASE_FINAL_CLOSE, BASE_STEPS)))).toBe(
      'rg reached 60% test accuracy 1.4x sooner than plain (p = 0.0046, paired t-test over 5 seeds, Holm-corrected p = 0.0093); ' +
        "no significant difference otherwise (final test accuracy p = 0.065, Holm-corrected p = 0.065); Holm correction over the experiment's 2 tests",
    );
  });

  it('says "as many steps" when the arm is the slower one', () => {
    expect(verdict(input(outcomes(BASE_FINAL_CLOSE, BASE_STEPS), outcomes(ARM_FINAL, ARM_STEPS)))).toMatch(
      /^rg reached 60% test accuracy in 1\.4x as many steps as plain \(p = 0\.0046, paired t-test over 5 seeds, Holm-corrected p = 0\.0093\)/,
    );
  });

  it('states a significant final difference in points', () => {
    expect(verdict(input(outcomes(ARM_FINAL), outcomes(BASE_FINAL_LOWER), null))).toBe(
      'rg ended 2.4 points higher than plain in final test accuracy (p = 0.024, paired t-test over 5 seeds)',
    );
  });

  it('says there is no significant difference, with the p-values tested', () => {
    expect(verdict(input(outcomes(ARM_FINAL), outcomes(BASE_FINAL_CLOSE), null))).toBe(
      'no significant difference between rg and plain over 5 seeds (final test accuracy p = 0.065)',
    );
    expect(verdict(input(outcomes(ARM_FINAL, [300, 400, 300, 500, 400]), outcomes(BASE_FINAL_CLOSE, [400, 400, 300, 500, 400])))).toBe(
      // steps differences -100, 0, 0, 0, 0: t-test p = 0.37390 (mpmath)
      'no significant difference between rg and plain over 5 seeds (steps to 60% test accuracy p = 0.37, Holm-corrected p = 0.37; ' +
        "final test accuracy p = 0.065, Holm-corrected p = 0.13); Holm correction over the experiment's 2 tests",
    );
  });

  it('with one seed, gives the raw differences and asks for more seeds', () => {
    expect(verdict(input(outcomes([0.62], [400]), outcomes([0.6], [600])))).toBe(
      'with 1 seed, rg ended 2.0 points higher than plain in final test accuracy; rg reached 60% test accuracy 1.5x sooner than plain; ' +
        'significance needs at least 2 seeds (better 3 or more)',
    );
    expect(verdict(input(outcomes([0.62], [400]), outcomes([0.55], [null])))).toMatch(/rg reached 60% test accuracy and plain did not; significance needs/);
  });

  it('does not claim "sooner" when an arm missed the target in some seeds', () => {
    const v = verdict(input(outcomes(ARM_FINAL, ARM_STEPS), outcomes(BASE_FINAL_CLOSE, [500, null, 400, null, 600])));
    expect(v).toMatch(/^rg reached 60% test accuracy in 5 of 5 seeds, plain in 3 of 5; where both did, /);
    expect(v).not.toMatch(/^rg reached 60% test accuracy [0-9.]+x sooner/);
    // where both reached (3 seeds: 300/500, 300/400, 400/600): mean 333 vs 500, t-test p = 0.037749551 (mpmath),
    // which Holm over the 2 tests doubles to 0.075: no longer significant
    expect(v).toBe(
      'rg reached 60% test accuracy in 5 of 5 seeds, plain in 3 of 5; where both did, steps to reach it did not differ significantly ' +
        '(p = 0.038, paired t-test over 3 seeds, Holm-corrected p = 0.075); no significant difference otherwise (final test accuracy p = 0.065, ' +
        "Holm-corrected p = 0.075); Holm correction over the experiment's 2 tests",
    );
    const slow = verdict(input(outcomes(ARM_FINAL, [300, null, 300, 500, 500]), outcomes(BASE_FINAL_CLOSE, [400, 400, 300, 500, 400])));
    // both reached in 4 seeds: differences -100, 0, 0, 100: p = 1
    expect(slow).toMatch(/^rg reached 60% test accuracy in 4 of 5 seeds, plain in 5 of 5; where both did, steps to reach it did not differ significantly \(p = 1, paired t-test over 4 seeds, Holm-corrected p = 1\)/);
  });

  it('says when neither arm reached the target', () => {
    expect(verdict(input(outcomes(ARM_FINAL), outcomes(BASE_FINAL_LOWER), 0.9))).toBe(
      'neither reached 90% test accuracy; rg ended 2.4 points higher than plain in final test accuracy (p = 0.024, paired t-test over 5 seeds)',
    );
  });

  it('leaves diverged seeds out and says so', () => {
    const arm = outcomes([...ARM_FINAL, 0.1], [...ARM_STEPS, null], [5]);
    const base = outcomes([...BASE_FINAL_CLOSE, 0.6], [...BASE_STEPS, 500]);
    expect(verdict(input(arm, base))).toBe(
      'rg reached 60% test accuracy 1.4x sooner than plain (p = 0.0046, paired t-test over 5 seeds, Holm-corrected p = 0.0093); ' +
        "no significant difference otherwise (final test accuracy p = 0.065, Holm-corrected p = 0.065); Holm correction over the experiment's 2 tests; " +
        'rg diverged in 1 of 6 seeds (those seeds are left out)',
    );
  });

  it('identical arms: no difference, nothing to test', () => {
    const same = outcomes([0.5, 0.6, 0.7], [300, 300, 400]);
    expect(verdict(input(same, same))).toBe(
      'no significant difference between rg and plain over 3 seeds (same step to reach 60% test accuracy in every seed; same final test accuracy in every seed); ' +
        "Holm correction over the experiment's 2 tests",
    );
  });

  it('a constant step difference over 5 seeds is tested exactly: p = 2/32 = 0.0625, not significant', () => {
    // the t-test is undefined (no spread); a normal approximation with ties said 0.037 and called it
    const v = verdict(input(outcomes(ARM_FINAL, [200, 200, 200, 200, 200]), outcomes(BASE_FINAL_CLOSE, [300, 300, 300, 300, 300]), 0.6));
    expect(v).toMatch(/^no significant difference between rg and plain over 5 seeds \(steps to 60% test accuracy p = 0\.0625, Holm-corrected p = 0\.125;/);
    const [alone] = verdicts([input(outcomes(ARM_FINAL, [200, 200, 200, 200, 200]), outcomes(BASE_FINAL_CLOSE, [300, 300, 300, 300, 300]))]);
    const steps = alone.tests.find((t) => t.measure === 'stepsToTarget');
    expect(steps?.quoted).toEqual({ p: 0.0625, test: 'exact sign-flip test' });
    expect(steps?.comparison.wilcoxonP).toBe(0.0625);
    expect(steps?.significant).toBe(false);
  });

  it('corrects across arms: a p = 0.024 alone is significant, against three arms it is not', () => {
    const lower = input(outcomes(ARM_FINAL), outcomes(BASE_FINAL_LOWER), null);
    expect(verdict(lower)).toMatch(/^rg ended 2\.4 points higher/);
    const close = (arm: string) => ({ ...input(outcomes(ARM_FINAL), outcomes(BASE_FINAL_CLOSE), null), arm });
    const [first, ...rest] = verdicts([lower, close('rg2'), close('rg3')]);
    // Holm over 3: 0.024 x 3 = 0.072; then max(0.072, 0.065 x 2) = 0.13 for both others
    expect(first.family).toBe(3);
    expect(first.tests[0].pHolm).toBeCloseTo(3 * 0.024043528799, 9);
    expect(first.sentence).toBe(
      "no significant difference between rg and plain over 5 seeds (final test accuracy p = 0.024, Holm-corrected p = 0.072); Holm correction over the experiment's 3 tests",
    );
    expect(rest.map((v) => v.tests[0].pHolm)).toEqual([2 * 0.0649859103421207, 2 * 0.0649859103421207].map((x) => expect.closeTo(x, 9)));
  });

  it('marks interim verdicts', () => {
    const [v] = verdicts([input(outcomes(ARM_FINAL), outcomes(BASE_FINAL_LOWER), null)], { interim: true });
    expect(v.sentence).toBe('interim (the run has not finished): rg ended 2.4 points higher than plain in final test accuracy (p = 0.024, paired t-test over 5 seeds)');
  });

  it('lower-is-better metrics read "lower"', () => {
    const v = verdict(input(outcomes([1.1, 1.2, 1.0, 1.15]), outcomes([1.3, 1.35, 1.1, 1.3]), null, 'loss'));
    expect(v).toMatch(/^rg ended 0\.15 lower than plain in final test loss \(p = /);
  });

  it('without common evaluated seeds there is nothing to compare; unequal seed lists throw', () => {
    expect(verdict(input([{ final: null, stepsToTarget: null, diverged: false }], outcomes([0.5])))).toBe(
      'no comparison yet: rg and plain have no evaluated seed in common',
    );
    expect(() => verdict(input(outcomes([0.5, 0.6]), outcomes([0.5])))).toThrow(RangeError);
  });
});

suite('formatting and directions', () => {
  it('formats p-values', () => {
    expect(formatP(0.0213)).toBe('p = 0.021');
    expect(formatP(0.41)).toBe('p = 0.41');
    expect(formatP(0.0499)).toBe('p = 0.0499');
    expect(formatP(0.0004)).toBe('p < 0.001');
    expect(formatP(1)).toBe('p = 1');
    expect(formatP(2 / 32)).toBe('p = 0.0625');
    expect(formatP(3 / 8)).toBe('p = 0.375');
    expect(formatP(5 / 1024)).toBe('p = 0.0049');
  });

  it('formats targets', () => {
    expect(formatTarget('accuracy', 0.6)).toBe('60% test accuracy');
    expect(formatTarget('mIoU', 0.425)).toBe('42.5% mIoU');
    expect(formatTarget('psnr', 25)).toBe('25 dB PSNR');
    expect(formatTarget('loss', 0.5)).toBe('test loss 0.5');
  });

  it('knows which way each metric improves', () => {
    for (const m of ['accuracy', 'mIoU', 'psnr', 'ssim', 'pixelAccuracy', 'meanAccuracy', 'fwIoU']) expect(metricDirection(m)).toBe('higher');
    for (const m of ['loss', 'l1']) expect(metricDirection(m)).toBe('lower');
  });
});
