import { describe, expect, it } from 'vitest';
import { interleave, median, medianCi95, medianPerRound, type Variant } from './interleave';

/** A clock that only moves when a variant "works": cost units per step. */
function fakeClock() {
  let t = 0;
  return { clock: { wall: () => t, cpu: () => t / 2 }, work: (ms: number) => (t += ms) };
}

function variant(steps: number, costOf: (i: number) => number, work: (ms: number) => void, log: string[], name: string): Variant {
  return async (pause) => {
    work(1000); // construction: never timed
    for (let i = 0; i < steps; i++) {
      log.push(name);
      work(costOf(i));
      await pause();
    }
  };
}

describe('interleave', () => {
  it('runs one step of each variant per round and times each step from its resumption to its pause', async () => {
    const { clock, work } = fakeClock();
    const log: string[] = [];
    const rounds = 5;
    const steps = 2 + rounds + 1;
    const times = await interleave(
      {
        a: variant(steps, (i) => 10 + i, work, log, 'a'),
        b: variant(steps, (i) => 100 + i, work, log, 'b'),
        c: variant(steps, () => 7, work, log, 'c'),
      },
      { rounds, warmup: 2, clock, seed: 3 },
    );
    // Step i of a costs 10 + i; timed steps are 1 + warmup .. warmup + rounds (step 0 ends at the first pause).
    expect(times.a.map((t) => t.wall)).toEqual([3, 4, 5, 6, 7].map((i) => 10 + i));
    expect(times.b.map((t) => t.wall)).toEqual([3, 4, 5, 6, 7].map((i) => 100 + i));
    expect(times.c.map((t) => t.cpu)).toEqual([3.5, 3.5, 3.5, 3.5, 3.5]);
    // Every variant ran every step, and within each round each ran exactly once.
    expect(log.filter((x) => x === 'a')).toHaveLength(steps);
    const rest = log.slice(3, 3 + 3 * (2 + rounds));
    for (let r = 0; r < 2 + rounds; r++) expect([...rest.slice(3 * r, 3 * r + 3)].sort()).toEqual(['a', 'b', 'c']);
    // The order changes between rounds.
    expect(new Set(Array.from({ length: 2 + rounds }, (_, r) => rest.slice(3 * r, 3 * r + 3).join(''))).size).toBeGreaterThan(1);
  });

  it('names a variant that fails or ends too early', async () => {
    const { clock, work } = fakeClock();
    const failing: Variant = async (pause) => {
      await pause();
      throw new Error('device lost');
    };
    await expect(interleave({ ok: variant(10, () => 1, work, [], 'ok'), bad: failing }, { rounds: 3, clock })).rejects.toThrow(/"bad" failed: device lost/);
    await expect(interleave({ short: variant(3, () => 1, work, [], 'short') }, { rounds: 3, clock })).rejects.toThrow(/"short" ended before its last timed step/);
  });

  it('takes medians of per-round ratios', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const a = [10, 20, 30];
    const b = [11, 19, 33];
    expect(medianPerRound(3, (r) => b[r] / a[r])).toBeCloseTo(1.1, 12);
  });

  it('gives the median a distribution-free 95% interval from order statistics', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, shuffled order
    // n = 100: the 40th and the 61st smallest (the textbook order statistics for n = 100).
    expect(medianCi95(xs)).toEqual([40, 61]);
    expect(medianCi95([5])).toEqual([5, 5]);
  });
});
