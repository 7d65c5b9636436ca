import { expect, it } from 'vitest';
import type { MetricRecord } from '../engine/records';
import { comparisonRecords, comparisonTable } from './comparison';
import { summarizeExperiment } from './experiment';

// plain and rg over 5 seeds, evaluated at steps 100, 200, 300; rg ends 0.01 or 0.02 lower in every seed
const CURVES: Record<string, number[][]> = {
  plain: [[0.3, 0.45, 0.52], [0.31, 0.44, 0.5], [0.28, 0.46, 0.53], [0.3, 0.47, 0.51], [0.29, 0.43, 0.49]],
  rg: [[0.29, 0.41, 0.5], [0.3, 0.45, 0.49], [0.27, 0.42, 0.51], [0.31, 0.43, 0.5], [0.28, 0.4, 0.47]],
};
const records: MetricRecord[] = Object.entries(CURVES).flatMap(([arm, seeds]) =>
  seeds.flatMap((c, s) => c.map((y, k): MetricRecord => ({ type: 'eval', arm, seed: s + 1, step: 100 * (k + 1), epoch: k + 1, metrics: { accuracy: y } }))),
);

it('gives one record per arm and measure with the summary numbers, in the documented field order', () => {
  const summary = summarizeExperiment(records, { baseline: 'plain', metric: 'accuracy', target: 0.4 });
  const [steps, final] = comparisonRecords(summary);
  const rg = summary.arms[1].comparison!;
  // every seed reached 40% at step 200 in both arms: all differences 0, nothing to test
  expect(steps).toMatchObject({ measure: 'stepsToTarget', target: 0.4, seeds: [1, 2, 3, 4, 5], diffs: [0, 0, 0, 0, 0], test: null, p: null, pHolm: null, significant: false });
  expect(Object.keys(final)).toEqual(
    'type arm baseline metric measure target seeds diffs meanDiff ci95 effectSize pT pWilcoxon pPermutation test p pHolm family significant interim verdict'.split(' '),
  );
  // differences -0.02, -0.01, -0.02, -0.01, -0.02: sd 0.0054772, t = -6.5320, p = 0.0028378459 (scipy's ttest_1samp)
  expect(final).toMatchObject({ arm: 'rg', baseline: 'plain', metric: 'accuracy', measure: 'final', target: null, test: 't', family: 2, significant: true, interim: false });
  expect(final.pT).toBeCloseTo(0.00283784592673, 9);
  expect(final.pWilcoxon).toBe(0.0625);
  expect(final.pPermutation).toBe(0.0625);
  expect(final.pHolm).toBeCloseTo(2 * 0.00283784592673, 9);
  expect(final.meanDiff).toBe(rg.final?.meanDiff);
  expect(final.ci95).toEqual(rg.final?.ci95);
  expect(final.diffs.map((d) => Number(d.toFixed(12)))).toEqual([-0.02, -0.01, -0.02, -0.01, -0.02]);
  expect(final.verdict).toBe(rg.verdict);
  const table = comparisonTable([steps, final]).split('\n');
  expect(table[0]).toMatch(/^arm +vs +measure +n +mean diff +95% CI +pT +pWilcoxon +pPerm +pHolm \(2\) +significant$/);
  expect(table[2]).toMatch(/^rg +plain +final accuracy +5 +-0\.016 +\[-0\.0228, -0\.009199\] +0\.00284 +0\.0625 +0\.0625 +0\.00568 +yes$/);
  expect(table[3]).toBe(`rg: ${rg.verdict}.`);
});

it('writes a final record without tests for one seed, and nothing without a baseline', () => {
  const one = records.filter((r) => r.seed === 1);
  const [final] = comparisonRecords(summarizeExperiment(one, { baseline: 'plain', metric: 'accuracy' }));
  expect(final).toMatchObject({ measure: 'final', seeds: [1], pT: null, pWilcoxon: null, pPermutation: null, test: null, p: null, pHolm: null, family: 0, significant: false });
  expect(final.meanDiff).toBeCloseTo(-0.02, 12);
  expect(comparisonRecords(summarizeExperiment(records, { baseline: 'nobody', metric: 'accuracy' }))).toEqual([]);
});
