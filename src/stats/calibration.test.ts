import { expect, it, suite } from 'vitest';
import { simulateVerdicts, wilson95 } from './calibration';

// The verdict code on synthetic experiments (see calibration.ts for the model). The full table,
// with more experiments and heavy-tailed noise, is written by src/bench/calibrate.ts.
suite('calibration of the verdicts', () => {
  for (const seeds of [3, 5, 10]) {
    it(`A/A over ${seeds} seeds: at most 5% of 2,000 experiments claim a difference`, () => {
      const r = simulateVerdicts({ seeds, experiments: 2000 });
      const rate = r.anyFinding / r.experiments;
      const [lo, hi] = wilson95(r.anyFinding, r.experiments);
      expect(rate, `false-positive rate ${rate} (95% CI ${lo.toFixed(3)} to ${hi.toFixed(3)})`).toBeLessThanOrEqual(0.05);
      // without the Holm correction the same experiments would claim differences far more often
      expect(wilson95(r.anyUncorrected, r.experiments)[0]).toBeGreaterThan(0.05);
    });
  }

  it('finds a large effect: d_z = 3 over 10 seeds in at least 90% of experiments, in its direction', () => {
    const r = simulateVerdicts({ seeds: 10, experiments: 200, effect: 3 });
    expect(r.finalHigher / r.experiments).toBeGreaterThanOrEqual(0.9);
  });

  it("Wilson's interval matches the textbook value", () => {
    // 5 of 100: 0.02154 to 0.11175, as R's prop.test(5, 100, correct = FALSE) gives
    const [lo, hi] = wilson95(5, 100);
    expect(lo).toBeCloseTo(0.0215, 4);
    expect(hi).toBeCloseTo(0.1118, 4);
  });
});
