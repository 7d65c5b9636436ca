import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../engine/records';
import { appendSteps, EMPTY_SERIES, type StepSeries } from './stepHistory';

const rec = (step: number, ms = 1): StepRecord => ({ type: 'step', arm: 'rg', seed: 0, step, epoch: 0, loss: 1 / step, weightedLoss: 0.5 / step, rgWeight: 0.5, lr: 0.1, gradNorm: 1, ms });
const range = (from: number, to: number, ms = 1) => Array.from({ length: to - from + 1 }, (_, i) => rec(from + i, ms));

function feed(steps: number, batch: number, cap: number, ms = (s: number) => s): StepSeries {
  let s = EMPTY_SERIES;
  for (let from = 1; from <= steps; from += batch) s = appendSteps(s, range(from, Math.min(steps, from + batch - 1)).map((r) => ({ ...r, ms: ms(r.step) })), cap);
  return s;
}

describe('appendSteps', () => {
  it('keeps every step until the cap, without touching the series it was given', () => {
    const a = appendSteps(EMPTY_SERIES, range(1, 3), 8);
    const b = appendSteps(a, range(4, 8), 8);
    expect(a.records.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(b.records.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(b.stride).toBe(1);
    expect(appendSteps(b, [])).toBe(b);
  });

  it('halves the resolution each time the cap is reached, keeping the latest step', () => {
    const s = feed(9, 9, 8);
    expect(s.stride).toBe(2);
    expect(s.records.map((r) => r.step)).toEqual([2, 4, 6, 8, 9]);
    const long = feed(1000, 7, 8);
    expect(long.records.length).toBeLessThanOrEqual(8);
    expect(long.records.length).toBeGreaterThanOrEqual(4);
    expect(long.records.at(-1)!.step).toBe(1000);
    // Every kept step but the live last one is on the stride, evenly spaced over the whole run.
    const onStride = long.records.slice(0, -1).map((r) => r.step);
    expect(onStride.every((x) => x % long.stride === 0)).toBe(true);
    expect(onStride[0]).toBe(long.stride);
  });

  it('keeps the total time exact: each kept record carries the time of the steps dropped before it', () => {
    for (const [steps, batch] of [[1000, 7], [777, 1], [4096, 64]]) {
      const s = feed(steps, batch, 16);
      const total = s.records.reduce((a, r) => a + r.ms, 0);
      expect(total).toBe((steps * (steps + 1)) / 2);
      // and a kept step's cumulative time is that of every step up to it
      let acc = 0;
      for (const r of s.records) {
        acc += r.ms;
        expect(acc).toBe((r.step * (r.step + 1)) / 2);
      }
    }
  });

  it('gives every seed and arm fed the same steps the same kept steps (series stay aligned by step)', () => {
    const a = feed(5000, 13, 64);
    const b = feed(5000, 50, 64);
    expect(a.records.map((r) => r.step)).toEqual(b.records.map((r) => r.step));
  });
});
