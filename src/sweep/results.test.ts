import { expect, it, suite } from 'vitest';
import type { CellState } from './queue';
import {
  cellOutcomes,
  formatMetricDelta,
  formatMetricValue,
  heatmapColor,
  heatmapGrid,
  heatmapPosition,
  summarizeCell,
  sweepCsvHeader,
  sweepTable,
  sweepTableCsv,
  textColorOn,
} from './results';
import { createCustomSpec, expandSweep, pickVariants } from './spec';
import { cellState, fakeRecords } from './testing';

// lr {0.1, 0.01} x momentum {0.5, 0.9}, listed out of order to check the grid sorts its axes.
const cells = expandSweep({ ...createCustomSpec('classify'), lrs: [0.1, 0.01], momenta: [0.9, 0.5], steps: 100, evalEvery: 50, base: { ...createCustomSpec('classify').base, seeds: [1, 2] } });

/** Final accuracy: plain 0.3 + lr + momentum / 10, rg 0.05 above it; seed 2 is 0.02 above seed 1; the step-50 eval is 0.1 lower. */
function value(lr: number, momentum: number) {
  return (arm: string, seed: number, step: number) => 0.3 + lr + momentum / 10 + (arm === 'rg' ? 0.05 : 0) + (seed === 2 ? 0.02 : 0) - (step === 50 ? 0.1 : 0);
}

function results(): CellState[] {
  return cells.map((c) => {
    if (c.lr === 0.01 && c.momentum === 0.9) return { cell: c, status: 'error', error: 'boom', records: [], ms: 5 };
    // The rg arm diverges on both seeds at lr 0.1, momentum 0.9.
    const v = value(c.lr, c.momentum);
    const f = c.lr === 0.1 && c.momentum === 0.9 ? (arm: string, seed: number, step: number) => (arm === 'rg' && step === 100 ? NaN : v(arm, seed, step)) : v;
    return cellState(c, fakeRecords(c.config, 'accuracy', f));
  });
}

suite('summarizeCell', () => {
  it('gives per arm the mean final, best and AUC over seeds, the delta to the baseline and a verdict', () => {
    const c = cells.find((x) => x.lr === 0.1 && x.momentum === 0.5)!;
    const [plain, rg] = summarizeCell(fakeRecords(c.config, 'accuracy', value(0.1, 0.5)), 'accuracy', 'plain', ['plain', 'rg']);
    expect(plain.final).toBeCloseTo(0.3 + 0.1 + 0.05 + 0.01, 12);
    expect(plain.best).toBeCloseTo(plain.final!, 12);
    expect(plain.auc).toBeCloseTo(plain.final! - 0.05, 12);
    expect(plain).toMatchObject({ arm: 'plain', seeds: 2, diverged: 0, delta: null, verdict: null });
    expect(rg.final! - plain.final!).toBeCloseTo(0.05, 12);
    expect(rg.delta).toBeCloseTo(0.05, 12);
    expect(rg.verdict).toEqual(expect.any(String));
  });

  it("a running cell's verdict is interim, a done cell's is not", () => {
    const c = cells.find((x) => x.lr === 0.1 && x.momentum === 0.5)!;
    const records = fakeRecords(c.config, 'accuracy', value(0.1, 0.5));
    expect(cellOutcomes(cellState(c, records, 'running'), 'accuracy')?.[1].verdict).toMatch(/^interim \(the run has not finished\): /);
    expect(cellOutcomes(cellState(c, records), 'accuracy')?.[1].verdict).not.toMatch(/interim/);
  });

  it('leaves diverged seeds out and keeps arms that left no records', () => {
    const c = cells[0];
    const [plain, rg, ghost] = summarizeCell(fakeRecords(c.config, 'accuracy', (arm, _s, step) => (arm === 'rg' && step === 100 ? NaN : 0.5)), 'accuracy', 'plain', ['plain', 'rg', 'ghost']);
    expect(plain.final).toBe(0.5);
    expect(rg).toMatchObject({ final: null, seeds: 2, diverged: 2, delta: null });
    expect(ghost).toMatchObject({ arm: 'ghost', final: null, seeds: 0 });
  });
});

suite('sweepTable', () => {
  it('has a row per cell and arm in run order, nulls for a failed cell', () => {
    const rows = sweepTable(results(), 'accuracy');
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => `${r.lr}/${r.momentum}/${r.arm}/${r.status}`)).toEqual([
      '0.1/0.9/plain/done',
      '0.1/0.9/rg/done',
      '0.1/0.5/plain/done',
      '0.1/0.5/rg/done',
      '0.01/0.9/plain/error',
      '0.01/0.9/rg/error',
      '0.01/0.5/plain/done',
      '0.01/0.5/rg/done',
    ]);
    expect(rows[4]).toMatchObject({ final: null, error: 'boom', baseline: 'plain', cell: 2 });
    expect(rows[1]).toMatchObject({ final: null, diverged: 2 });
    expect(rows[3].delta).toBeCloseTo(0.05, 12);
  });

  it('writes a CSV with raw numbers and empty missing values', () => {
    const csv = sweepTableCsv(sweepTable(results(), 'accuracy'), 'accuracy');
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(sweepCsvHeader('accuracy'));
    expect(lines[0]).toBe('cell,lr,momentum,arm,status,seeds,diverged,final_accuracy,best_accuracy,auc_accuracy,delta_final_vs_baseline,baseline,error');
    expect(lines).toHaveLength(9);
    expect(lines[5]).toBe('2,0.01,0.9,plain,error,0,0,,,,,plain,boom');
    const plain = lines[3].split(',');
    expect(plain.slice(0, 7)).toEqual(['1', '0.1', '0.5', 'plain', 'done', '2', '0']);
    expect(Number(plain[7])).toBeCloseTo(0.46, 12);
  });

  it('quotes CSV cells with commas', () => {
    const rows = sweepTable(results(), 'accuracy').map((r) => ({ ...r, error: 'a, "b"' }));
    expect(sweepTableCsv(rows, 'accuracy').split('\n')[1].endsWith(',plain,"a, ""b"""')).toBe(true);
  });
});

suite('heatmapGrid', () => {
  it('puts each value at its lr and momentum, axes ascending, with the scale range', () => {
    const g = heatmapGrid(results(), 'accuracy', 'plain');
    expect(g.lrs).toEqual([0.01, 0.1]);
    expect(g.momenta).toEqual([0.5, 0.9]);
    expect(g.direction).toBe('higher');
    // plain finals: 0.3 + lr + m/10 + 0.01 (mean of seeds 1 and 2); lr 0.01 x 0.9 failed.
    const expected = [
      [0.3 + 0.01 + 0.05 + 0.01, null],
      [0.3 + 0.1 + 0.05 + 0.01, 0.3 + 0.1 + 0.09 + 0.01],
    ];
    g.values.forEach((row, i) =>
      row.forEach((v, j) => {
        if (expected[i][j] === null) expect(v).toBeNull();
        else expect(v).toBeCloseTo(expected[i][j] as number, 12);
      }),
    );
    expect(g.cells[0][1]).toMatchObject({ lr: 0.01, momentum: 0.9, status: 'error', value: null });
    expect(g.min).toBeCloseTo(0.37, 12);
    expect(g.max).toBeCloseTo(0.5, 12);
  });

  it('marks an arm whose seeds all diverged, and shows deltas on a scale symmetric about 0', () => {
    const rg = heatmapGrid(results(), 'accuracy', 'rg');
    expect(rg.cells[1][1]).toMatchObject({ value: null, diverged: true });
    const d = heatmapGrid(results(), 'accuracy', 'rg', 'delta');
    expect(d.values[0][0]).toBeCloseTo(0.05, 12);
    expect(d.values[1][0]).toBeCloseTo(0.05, 12);
    expect(d.min).toBeCloseTo(-0.05, 12);
    expect(d.max).toBeCloseTo(0.05, 12);
    expect(heatmapGrid(results(), 'accuracy', 'plain', 'delta').min).toBeNull();
  });

  it('marks grid points the sweep lacks as missing', () => {
    const some = results().filter((c) => !(c.cell.lr === 0.01 && c.cell.momentum === 0.5));
    const g = heatmapGrid(some, 'accuracy', 'plain');
    expect(g.cells[0][0]).toMatchObject({ status: 'missing', value: null });
  });

  it('colours better values brighter whatever the direction, and picks a readable text colour', () => {
    const up = { min: 0, max: 1, direction: 'higher' as const, stat: 'final' as const };
    expect(heatmapPosition(up, 0.25)).toBe(0.25);
    expect(heatmapPosition({ ...up, direction: 'lower' }, 0.25)).toBe(0.75);
    expect(heatmapPosition({ ...up, min: 0.5, max: 0.5 }, 0.5)).toBe(0.5);
    expect(heatmapColor(up, 0)).toBe('#440154');
    expect(heatmapColor(up, 1)).toBe('#fde725');
    expect(heatmapColor({ ...up, direction: 'lower' }, 1)).toBe('#440154');
    expect(heatmapColor({ min: -1, max: 1, direction: 'higher', stat: 'delta' }, 0)).toBe('#f7f7f7');
    expect(heatmapColor({ min: -1, max: 1, direction: 'higher', stat: 'delta' }, 1)).toBe('#276419');
    expect(heatmapColor(up, 5)).toBe('#fde725');
    expect(textColorOn('#440154')).toBe('#ffffff');
    expect(textColorOn('#fde725')).toBe('#111111');
  });
});

suite('formatting', () => {
  it('writes fractions in percent, PSNR in dB, others with three decimals', () => {
    expect(formatMetricValue('mIoU', 0.47620)).toBe('47.6%');
    expect(formatMetricValue('psnr', 21.456)).toBe('21.46 dB');
    expect(formatMetricValue('loss', 1.23456)).toBe('1.235');
    expect(formatMetricValue('loss', null)).toBe('–');
    expect(formatMetricDelta('accuracy', 0.021)).toBe('+2.1 pts');
    expect(formatMetricDelta('accuracy', -0.021)).toBe('−2.1 pts');
    expect(formatMetricDelta('loss', 0)).toBe('±0.000');
  });

  it('summarises a cell without records as null', () => {
    const [c] = cells;
    expect(cellOutcomes({ cell: c, status: 'queued', error: null, records: [], ms: null }, 'accuracy')).toBeNull();
    const three = expandSweep({ ...createCustomSpec('classify'), lrs: [0.1], momenta: [0.5], variants: pickVariants(['plain', 'rg', 'w2']) })[0];
    expect(cellOutcomes(cellState(three, fakeRecords(three.config, 'accuracy', () => 0.4)), 'accuracy')?.map((o) => o.arm)).toEqual(['plain', 'rg', 'w2']);
  });
});
