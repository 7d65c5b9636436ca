import { expect, it, suite } from 'vitest';
import { MODELS_BY_TASK } from '../engine/config';
import { findPreset, PAPER_PRESETS, TABLE1 } from './presets';
import { estimateSweepCost, expandSweep, findBaseline } from './spec';

suite('PAPER_PRESETS', () => {
  it('has the five experiments of the issue, ids unique', () => {
    expect(PAPER_PRESETS.map((p) => p.id)).toEqual(['table1', 'fig5', 'fig6', 'fig1-right', 'cyclical']);
    expect(findPreset('fig6')?.title).toMatch(/Fig\. 6/);
    expect(findPreset('nope')).toBeUndefined();
  });

  for (const p of PAPER_PRESETS) {
    it(`${p.id}: expands to valid configs on a built-in dataset within a browser budget`, () => {
      const cells = expandSweep(p.spec);
      expect(cells.length).toBe(p.spec.lrs.length * p.spec.momenta.length);
      for (const c of cells) {
        expect(c.config.dataset).toMatch(/^builtin:(shapes10|scenes)$/);
        expect(MODELS_BY_TASK[c.config.task]).toContain(c.config.model);
        expect(c.config.inputSize).toBe(32);
        expect(c.config.steps).toBeLessThanOrEqual(300);
        expect(c.config.arms.length).toBe(p.spec.variants.length);
      }
      // A few minutes of training on a laptop: at most about 200k training images in all.
      expect(estimateSweepCost(p.spec).images).toBeLessThanOrEqual(200_000);
      expect(findBaseline(p.spec)).toBe(p.spec.baseline);
      expect(p.paperSetting.length).toBeGreaterThan(20);
      expect(p.labSetting).toContain(`${p.spec.steps} steps`);
      expect(p.claims.length).toBeGreaterThan(0);
    });
  }

  it('states "no numbers" for the figures and quotes every claim of docs/paper.md it restates', () => {
    for (const p of PAPER_PRESETS.filter((x) => x.id !== 'table1')) {
      expect(p.numbers).toEqual([]);
      expect(p.reported).toMatch(/no numbers/);
    }
    // docs/paper.md, "Claims": the quotes must be its words, not paraphrases of them.
    const paperClaims = [
      'with too large a step (lr 0.01, momentum 0.95) both fail',
      'lowering lr to 0.001 or momentum to 0.90 makes RG better than plain',
      'at lr 0.0001 RG is slightly worse',
      'constant loss weights above 1 make results worse',
      'random reductions make them better; a random weight in [0, 1) is best',
      'at lr 0.1 the best momentum differs per model; 0.5 is a good general choice',
      'ResNet34 converges visibly faster with RG, the others show no clear speed advantage',
      'classification with lr 0.1 and momentum 0.95 fails for both; changing either one fixes it',
      'RG does poorly with small learning rates',
      'converges faster and better from lr 0.1 up',
      'a cyclical weight schedule in place of the random number improves further',
    ];
    const quotes = PAPER_PRESETS.flatMap((p) => p.claims.map((c) => c.quote));
    for (const q of paperClaims) expect(quotes).toContain(q);
  });

  it('Table 1 values are the paper\'s (docs/paper.md, "Table 1 (segmentation, mean IoU on VOC 2012 val)")', () => {
    // lr, momentum, plain mIoU %, RG mIoU %, copied from the table row by row.
    const expected = [
      [0.01, 0.95, 31.94, 28.357],
      [0.001, 0.95, 65.473, 68.014],
      [0.01, 0.9, 28.121, 47.62],
      [0.0001, 0.95, 69.076, 68.681],
    ];
    expect(TABLE1.map((n) => [n.lr, n.momentum, n.plain, n.rg])).toEqual(expected);
    const table1 = findPreset('table1');
    expect(table1?.numbers).toBe(TABLE1);
    expect(table1?.numbersMetric).toBe('mIoU');
    // Its grid is the table's: lr {1e-2, 1e-3, 1e-4} x momentum {0.95, 0.9}; every reported pair is a cell.
    expect(table1?.spec.lrs).toEqual([0.01, 0.001, 0.0001]);
    expect(table1?.spec.momenta).toEqual([0.95, 0.9]);
    const cells = expandSweep(table1!.spec);
    for (const n of TABLE1) expect(cells.some((c) => c.lr === n.lr && c.momentum === n.momentum)).toBe(true);
    // The reported text carries the same numbers, written as the paper prints them.
    for (const t of ['31.940%', '28.357%', '65.473%', '68.014%', '28.121%', '47.620%', '69.076%', '68.681%']) expect(table1?.reported).toContain(t);
  });

  it('runs each figure at the paper\'s fixed setting and the claimed arms', () => {
    const fig5 = findPreset('fig5')!;
    expect(fig5.spec.lrs).toEqual([0.1]);
    expect(fig5.spec.momenta).toContain(0.5);
    expect(fig5.spec.momenta).toContain(0.95);
    const fig6 = findPreset('fig6')!;
    expect(fig6.spec.momenta).toEqual([0.5]);
    expect(fig6.spec.lrs.some((lr) => lr < 0.1) && fig6.spec.lrs.some((lr) => lr >= 0.1)).toBe(true);
    const fig1 = expandSweep(findPreset('fig1-right')!.spec)[0].config;
    const weights = fig1.arms.map((a) => (a.rg.mode === 'constant' ? a.rg.weight : a.rg.mode === 'uniform' ? `U[${a.rg.low}, ${a.rg.high})` : a.rg.mode));
    expect(weights).toEqual(['U[0, 1)', 0.5, 1, 2]);
    const cyc = expandSweep(findPreset('cyclical')!.spec)[0].config;
    expect(cyc.arms.find((a) => a.name === 'cyclical')?.rg).toMatchObject({ mode: 'cyclical', min: 0, max: 1, unit: 'step' });
    // Table 1's RG arm follows the paper's segmentation code: RG on half the steps.
    expect(expandSweep(findPreset('table1')!.spec)[0].config.arms[1].rg).toMatchObject({ mode: 'uniform', probability: 0.5 });
  });
});
