import { expect, it, suite } from 'vitest';
import type { MetricRecord } from '../engine/records';
import { bandSeries } from './curves';
import { summarizeExperiment } from './experiment';

const STEPS = [100, 200, 300];

/** Records as the trainer emits them: steps, then each arm's eval per seed at every eval step. */
function makeRecords(curves: Record<string, Record<number, number[]>>): MetricRecord[] {
  const out: MetricRecord[] = [];
  STEPS.forEach((step, i) => {
    for (const [arm, bySeed] of Object.entries(curves)) {
      for (const [seed, ys] of Object.entries(bySeed)) {
        if (i >= ys.length) continue;
        out.push({ type: 'step', arm, seed: Number(seed), step, epoch: 0, loss: 1, weightedLoss: 1, rgWeight: 1, lr: 0.1, gradNorm: 1, ms: 5 });
        out.push({ type: 'eval', arm, seed: Number(seed), step, epoch: 0, metrics: { loss: 2 - ys[i], accuracy: ys[i], perClassIoU: [0.1, 0.2] } });
      }
    }
  });
  return out;
}

const records: MetricRecord[] = [
  ...makeRecords({
    plain: { 1: [0.3, 0.5, 0.59], 2: [0.35, 0.55, 0.6], 3: [0.3, 0.58, 0.61], 4: [0.32, 0.5, 0.6] },
    rg: { 1: [0.4, 0.62, 0.61], 2: [0.45, 0.61, 0.63], 3: [0.42, 0.6, 0.6], 4: [0.5] },
  }),
  { type: 'diverged', arm: 'rg', seed: 4, step: 150, reason: 'loss is NaN' },
  { type: 'event', arm: 'rg', seed: 1, step: 120, name: 'lr', value: 0.05 },
  { type: 'summary', arm: 'rg', seed: 4, steps: 150, ms: 10, final: { accuracy: 0.5 }, best: { accuracy: 0.5 }, diverged: 'loss is NaN' },
];

suite('summarizeExperiment', () => {
  const s = summarizeExperiment(records, { baseline: 'plain', metric: 'accuracy', target: 0.6 });
  const [plain, rg] = s.arms;

  it('lists arms in record order and every seed, and marks the diverged run', () => {
    expect(s.seeds).toEqual([1, 2, 3, 4]);
    expect(s.arms.map((a) => a.arm)).toEqual(['plain', 'rg']);
    expect(s.direction).toBe('higher');
    expect(rg.diverged).toEqual([4]);
    expect(rg.seeds[3]).toMatchObject({ seed: 4, diverged: true, divergedReason: 'loss is NaN', final: 0.5 });
    expect(plain.diverged).toEqual([]);
  });

  it('describes final, best, steps to target and AUC over non-diverged seeds', () => {
    // mpmath: mean 0.61333333, std 0.015275252316519, CI [0.57538750299737, 0.65127916366930]
    expect(rg.final?.n).toBe(3);
    expect(rg.final?.mean).toBeCloseTo(0.613333333333333, 12);
    expect(rg.final?.std).toBeCloseTo(0.0152752523165195, 12);
    expect(rg.final?.ci95?.[0]).toBeCloseTo(0.575387502997366, 10);
    expect(rg.best?.mean).toBeCloseTo((0.62 + 0.63 + 0.6) / 3, 12);
    expect(plain.final?.n).toBe(4);
    expect(rg.seeds.map((x) => x.stepsToTarget)).toEqual([200, 200, 200, null]);
    expect(plain.seeds.map((x) => x.stepsToTarget)).toEqual([null, 300, 300, 300]);
    expect(rg.reached).toBe(3);
    expect(plain.reached).toBe(3);
    expect(rg.stepsToTarget).toMatchObject({ n: 3, mean: 200, std: 0 });
    // ((0.4 + 0.62) / 2 x 100 + (0.62 + 0.61) / 2 x 100) / 200
    expect(rg.seeds[0].auc).toBeCloseTo(0.5625, 12);
    expect(rg.auc?.n).toBe(3);
  });

  it('compares with the baseline on the seeds where neither diverged', () => {
    expect(plain.comparison).toBeNull();
    const c = rg.comparison;
    expect(c?.seeds).toEqual([1, 2, 3]);
    // final differences 0.02, 0.03, -0.01; mpmath: t-test p = 0.38278660015163
    expect(c?.final?.meanDiff).toBeCloseTo(0.013333333333333, 12);
    expect(c?.final?.tTestP).toBeCloseTo(0.382786600151632, 10);
    expect(c?.best?.n).toBe(3);
    // steps to target only where both reached (seeds 2 and 3): 200 vs 300
    expect(c?.stepsToTarget).toMatchObject({ n: 2, meanDiff: -100, tTestP: null });
    expect(c?.speedup).toBeCloseTo(1.5, 12);
    // two equal step differences: the exact sign-flip test gives 2/4 = 0.5; Holm over the 2 tests:
    // min(1, 2 x 0.383) = 0.766, then max(0.766, 0.5) = 0.766 for both
    expect(c?.verdict).toBe(
      'rg reached 60% test accuracy in 3 of 3 seeds, plain in 2 of 3; where both did, steps to reach it did not differ significantly ' +
        '(p = 0.5, exact sign-flip test over 2 seeds, Holm-corrected p = 0.77); no significant difference otherwise (final test accuracy p = 0.38, ' +
        "Holm-corrected p = 0.77); Holm correction over the experiment's 2 tests; rg diverged in 1 of 4 seeds (those seeds are left out)",
    );
    expect(c?.family).toBe(2);
    expect(c?.interim).toBe(false);
    expect(c?.tests.map((t) => [t.measure, t.seeds, t.quoted?.p])).toEqual([
      ['stepsToTarget', [2, 3], 0.5],
      ['final', [1, 2, 3], c?.final?.tTestP],
    ]);
    // the verdict's final test is the summary's final comparison: one computation
    expect(c?.tests[1].comparison).toEqual(c?.final);
    expect(c?.tests[1].pHolm).toBeCloseTo(2 * 0.382786600151632, 10);
  });

  it('marks every verdict interim while the run goes on', () => {
    const s = summarizeExperiment(records, { baseline: 'plain', metric: 'accuracy', target: 0.6, interim: true });
    expect(s.arms[1].comparison?.interim).toBe(true);
    expect(s.arms[1].comparison?.verdict).toMatch(/^interim \(the run has not finished\): rg reached 60% test accuracy in 3 of 3 seeds/);
  });

  it("gives curves for the bands: a diverged seed's curve ends early", () => {
    const kept = rg.seeds.filter((x) => !x.diverged).map((x) => x.curve);
    expect(bandSeries(kept, 'minmax').map((p) => [p.x, p.lo, p.hi])).toEqual([
      [100, 0.4, 0.45],
      [200, 0.6, 0.62],
      [300, 0.6, 0.63],
    ]);
    expect(bandSeries(rg.seeds.map((x) => x.curve), 'std').map((p) => p.x)).toEqual([100]);
  });

  it('takes the best value by direction for lower-is-better metrics', () => {
    const loss = summarizeExperiment(records, { baseline: 'plain', metric: 'loss', target: 1.45 });
    expect(loss.direction).toBe('lower');
    expect(loss.arms[1].seeds[0].best).toBeCloseTo(2 - 0.62, 12);
    expect(loss.arms[1].seeds[0].stepsToTarget).toBe(200);
  });

  it('works before any record and without the baseline or a target', () => {
    expect(summarizeExperiment([], { baseline: 'plain', metric: 'accuracy' })).toEqual({
      metric: 'accuracy',
      direction: 'higher',
      target: null,
      baseline: 'plain',
      seeds: [],
      arms: [],
    });
    const noBase = summarizeExperiment(records, { baseline: 'other', metric: 'accuracy' });
    expect(noBase.arms.every((a) => a.comparison === null)).toBe(true);
    expect(noBase.arms[1].seeds[0].stepsToTarget).toBeNull();
    expect(noBase.arms[1].stepsToTarget).toBeNull();
  });

  it('with one seed the verdict asks for more seeds', () => {
    const one = summarizeExperiment(
      makeRecords({ plain: { 7: [0.3, 0.5, 0.6] }, rg: { 7: [0.4, 0.6, 0.62] } }),
      { baseline: 'plain', metric: 'accuracy', target: 0.6 },
    );
    expect(one.arms[1].final).toMatchObject({ n: 1, std: null, ci95: null });
    expect(one.arms[1].comparison?.verdict).toBe(
      'with 1 seed, rg ended 2.0 points higher than plain in final test accuracy; rg reached 60% test accuracy 1.5x sooner than plain; ' +
        'significance needs at least 2 seeds (better 3 or more)',
    );
  });
});
