import { expect, it, suite } from 'vitest';
import { compareOutcomes, paperVsLab, resolveArm } from './paper';
import { findPreset } from './presets';
import type { CellState } from './queue';
import type { ArmOutcome } from './results';
import { expandSweep, pickVariants } from './spec';
import { cellState, fakeRecords } from './testing';

const table1 = findPreset('table1')!;

/** Table 1's grid run with made-up mIoU: `at(lr, momentum)` gives [plain, rg]; NaN diverges. */
function table1Results(at: (lr: number, m: number) => [number, number] | null): CellState[] {
  return expandSweep(table1.spec).map((c) => {
    const v = at(c.lr, c.momentum);
    if (v === null) return { cell: c, status: 'queued', error: null, records: [], ms: null };
    return cellState(c, fakeRecords(c.config, 'mIoU', (arm) => (arm === 'plain' ? v[0] : v[1])));
  });
}

function outcome(patch: Partial<ArmOutcome>): ArmOutcome {
  return { arm: 'a', final: 0.5, best: 0.5, auc: 0.4, seeds: 1, diverged: 0, delta: null, verdict: null, ...patch };
}

suite('compareOutcomes', () => {
  it('orders by the stat and the direction; a fully diverged arm loses', () => {
    expect(compareOutcomes(outcome({ final: 0.6 }), outcome({}), 'final', 'higher')).toBe(1);
    expect(compareOutcomes(outcome({ final: 0.6 }), outcome({}), 'final', 'lower')).toBe(-1);
    expect(compareOutcomes(outcome({ auc: 0.3 }), outcome({}), 'auc', 'higher')).toBe(-1);
    expect(compareOutcomes(outcome({}), outcome({}), 'final', 'higher')).toBe(0);
    expect(compareOutcomes(outcome({ final: null, diverged: 1 }), outcome({}), 'final', 'higher')).toBe(-1);
    expect(compareOutcomes(outcome({}), outcome({ final: null, diverged: 1 }), 'final', 'higher')).toBe(1);
    expect(compareOutcomes(outcome({ final: null, diverged: 1 }), outcome({ final: null, diverged: 1 }), 'final', 'higher')).toBeNull();
    expect(compareOutcomes(outcome({ final: null, seeds: 0 }), outcome({}), 'final', 'higher')).toBeNull();
  });
});

suite('paperVsLab', () => {
  it('Table 1: one row per reported value beside the lab, agreement on whether RG beat plain', () => {
    // Lab: RG better everywhere at momentum 0.95 except lr 0.0001, RG worse at lr 0.01 x 0.9.
    const rows = paperVsLab(
      table1,
      table1Results((lr, m) => (m === 0.9 ? (lr === 0.01 ? [0.3, 0.2] : [0.1, 0.1]) : lr === 0.0001 ? [0.12, 0.1] : [0.2, 0.25])),
    );
    const numbers = rows.filter((r) => r.kind === 'number');
    expect(numbers.map((r) => r.setting)).toEqual([
      'lr 0.01, momentum 0.95',
      'lr 0.001, momentum 0.95',
      'lr 0.01, momentum 0.9',
      'lr 0.0001, momentum 0.95',
      'lr 0.001, momentum 0.9',
      'lr 0.0001, momentum 0.9',
    ]);
    expect(numbers[0].paper).toBe('plain 31.940%, RG 28.357%: RG −3.583 points');
    expect(numbers[2].paper).toBe('plain 28.121%, RG 47.620%: RG +19.499 points');
    expect(numbers[0].lab).toBe('plain 20.0%, rg p0.5 25.0%: RG +5.0 pts');
    // Paper: RG worse, better, better, worse. Lab: better, better, worse, worse.
    expect(numbers.slice(0, 4).map((r) => r.agreement)).toEqual([
      { agree: 0, of: 1 },
      { agree: 1, of: 1 },
      { agree: 0, of: 1 },
      { agree: 1, of: 1 },
    ]);
    expect(numbers[4]).toMatchObject({ paper: 'not reported in Table 1', lab: 'plain 10.0%, rg p0.5 10.0%', agreement: null });
    const claims = rows.filter((r) => r.kind === 'claim');
    expect(claims.map((r) => r.id)).toEqual(['C1-fail', 'C1-better', 'C1-worse']);
    expect(claims[0]).toMatchObject({ agreement: null, lab: 'lr 0.01, momentum 0.95: plain 20.0%, rg p0.5 25.0%' });
    expect(claims[1].agreement).toEqual({ agree: 1, of: 2 });
    expect(claims[1].lab).toBe('lr 0.01, momentum 0.9: rg p0.5 20.0% vs plain 30.0%; lr 0.001, momentum 0.95: rg p0.5 25.0% vs plain 20.0%');
    expect(claims[2].agreement).toEqual({ agree: 1, of: 1 });
  });

  it('says what has not run and what the sweep leaves out', () => {
    const rows = paperVsLab(table1, table1Results(() => null));
    expect(rows.every((r) => r.agreement === null)).toBe(true);
    expect(rows[0].lab).toBe('not run yet');
    const without = paperVsLab(table1, table1Results(() => [0.1, 0.2]).filter((c) => c.cell.lr !== 0.0001));
    expect(without.find((r) => r.setting === 'lr 0.0001, momentum 0.95' && r.kind === 'number')?.lab).toBe('not in this sweep');
    expect(without.find((r) => r.id === 'C1-worse')?.lab).toBe('no cell of this sweep is covered');
  });

  it('counts a diverged RG arm as worse than plain', () => {
    const rows = paperVsLab(table1, table1Results((lr, m) => (lr === 0.01 && m === 0.95 ? [0.2, NaN] : [0.2, 0.2])));
    expect(rows[0]).toMatchObject({ lab: 'plain 20.0%, rg p0.5 diverged', agreement: { agree: 1, of: 1 } });
  });

  it('Fig. 1 right: checks each claimed ordering of loss weights', () => {
    const preset = findPreset('fig1-right')!;
    const [cell] = expandSweep(preset.spec);
    const mIoU: Record<string, number> = { rg: 0.4, 'w0.5': 0.35, w1: 0.3, w2: 0.32 };
    const rows = paperVsLab(preset, [cellState(cell, fakeRecords(cell.config, 'mIoU', (arm) => mIoU[arm]))]);
    expect(rows.map((r) => [r.id, r.agreement])).toEqual([
      ['C2-above-1', { agree: 0, of: 1 }],
      ['C2-random', { agree: 1, of: 1 }],
    ]);
    expect(rows[1].lab).toBe('lr 0.01, momentum 0.9: rg 40.0% vs w0.5 35.0% vs w1 30.0% vs w2 32.0%');
  });

  it('Fig. 5 and 6: best momentum per arm, and RG against plain below and from lr 0.1 (final and mean over the run)', () => {
    const fig5 = findPreset('fig5')!;
    const res5 = expandSweep(fig5.spec).map((c) => cellState(c, fakeRecords(c.config, 'accuracy', (arm) => (arm === 'rg' ? 0.3 : 0.2) + (c.momentum === 0.5 ? 0.1 : 0))));
    const rows5 = paperVsLab(fig5, res5);
    expect(rows5[0].lab).toBe('best final accuracy: plain: momentum 0.5 (30.0%); rg: momentum 0.5 (40.0%)');
    expect(rows5[1].agreement).toEqual({ agree: 3, of: 3 });
    expect(rows5[1].lab.startsWith('mean accuracy over the run: lr 0.1, momentum 0: rg')).toBe(true);

    const fig6 = findPreset('fig6')!;
    const res6 = expandSweep(fig6.spec).map((c) => cellState(c, fakeRecords(c.config, 'accuracy', (arm) => (arm === 'rg' ? 0.5 : 0.4))));
    expect(paperVsLab(fig6, res6).map((r) => r.agreement)).toEqual([
      { agree: 0, of: 3 },
      { agree: 2, of: 2 },
      { agree: 2, of: 2 },
    ]);
  });

  it("resolves 'plain' to the baseline and 'rg' to the first uniform arm when the names differ", () => {
    const [cell] = expandSweep({ ...findPreset('cyclical')!.spec, variants: pickVariants(['rg p0.5', 'w1']), baseline: 'w1' });
    const state = cellState(cell, []);
    expect(resolveArm(state, 'plain')).toBe('w1');
    expect(resolveArm(state, 'rg')).toBe('rg p0.5');
    expect(resolveArm(state, 'cyclical')).toBeNull();
  });
});
