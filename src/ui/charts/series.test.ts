import { describe, expect, it } from 'vitest';
import type { EvalRecord, EventRecord, StepRecord } from '../../engine/records';
import { buildChartRows, DEFAULT_CHART_POINTS, evalSizeNote, minMaxIndices, divergedMarkers, eventMarkers, formatValue, logTicks, niceTicks, smoothEma, stepSeries, valueRange, linePath, bandPath, nearestRow, type ChartRow } from './series';

const step = (arm: string, s: number, loss: number, ms = 100): StepRecord => ({
  type: 'step',
  arm,
  seed: 1,
  step: s,
  epoch: 0,
  loss,
  weightedLoss: loss / 2,
  rgWeight: 0.5,
  lr: 0.1,
  gradNorm: 1,
  ms,
});

describe('smoothEma', () => {
  it('is debiased: a constant series stays constant from the first point', () => {
    expect(smoothEma([2, 2, 2], 0.9).map((v) => Number(v.toFixed(12)))).toEqual([2, 2, 2]);
  });
  it('returns the values for beta 0 and skips non-finite values', () => {
    expect(smoothEma([1, 3], 0)).toEqual([1, 3]);
    const s = smoothEma([1, NaN, 3], 0.5);
    expect(s[0]).toBe(1);
    expect(s[1]).toBeNaN();
    expect(s[2]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25));
  });
});

describe('buildChartRows', () => {
  it('merges arms by x with smoothed and raw values', () => {
    const rows = buildChartRows(
      [
        { xs: [1, 2], ys: [4, 2] },
        { xs: [1, 2, 3], ys: [1, 1, 1] },
      ],
      { smoothing: 0, logY: false },
    );
    expect(rows).toEqual([
      { x: 1, s0: 4, r0: 4, s1: 1, r1: 1 },
      { x: 2, s0: 2, r0: 2, s1: 1, r1: 1 },
      { x: 3, s0: null, r0: null, s1: 1, r1: 1 },
    ]);
  });

  it('downsamples to the point budget with LTTB, keeping the ends and the spikes', () => {
    const n = 10_000;
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    const ys = xs.map((x) => (x === 5000 ? 100 : Math.sin(x / 100)));
    const rows = buildChartRows([{ xs, ys }, { xs, ys: ys.map((y) => -y) }], { smoothing: 0, logY: false, maxPoints: 2000 });
    expect(rows.length).toBeLessThanOrEqual(2000);
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    expect(rows[0].x).toBe(1);
    expect(rows.at(-1)!.x).toBe(n);
    expect(rows.some((r) => r.x === 5000)).toBe(true);
  });

  it('drops non-positive values on a log scale', () => {
    expect(buildChartRows([{ xs: [1, 2], ys: [0, 2] }], { smoothing: 0, logY: true })).toEqual([
      { x: 1, s0: null, r0: null },
      { x: 2, s0: 2, r0: 2 },
    ]);
  });
});

describe('x axes and markers', () => {
  const steps = [step('a', 1, 1, 500), step('a', 2, 1, 1500), step('a', 3, 1, 1000)];
  it('places steps by step, epoch and training time', () => {
    expect(stepSeries(steps, 'loss', 'step', 2).xs).toEqual([1, 2, 3]);
    expect(stepSeries(steps, 'loss', 'epoch', 2).xs).toEqual([0.5, 1, 1.5]);
    expect(stepSeries(steps, 'loss', 'time', 2).xs).toEqual([0.5, 2, 3]);
    expect(stepSeries(steps, 'weightedLoss', 'step', 2).ys).toEqual([0.5, 0.5, 0.5]);
  });
  it('puts one marker per live change where its step begins', () => {
    const events: EventRecord[] = [
      { type: 'event', arm: 'a', seed: 1, step: 3, name: 'lr', value: 0.05 },
      { type: 'event', arm: 'a', seed: 2, step: 3, name: 'lr', value: 0.05 },
    ];
    expect(eventMarkers(events, { a: { 1: steps } }, 'step', 2)).toEqual([{ x: 2, label: 'a: lr 0.05' }]);
    expect(eventMarkers(events, { a: { 1: steps } }, 'time', 2)).toEqual([{ x: 2, label: 'a: lr 0.05' }]);
  });
  it('formats values compactly', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(1e-5)).toBe('1.00e-5');
    expect(formatValue(null)).toBe('–');
  });
});

describe('axis ticks', () => {
  it('picks round steps that cover the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(2.28, 2.34, 5)).toEqual([2.28, 2.3, 2.32, 2.34]);
    expect(niceTicks(1, 20, 6)).toEqual([0, 5, 10, 15, 20]);
    expect(niceTicks(0.1, 0.1, 5)).toEqual([0.09, 0.1, 0.11]);
  });
  it('uses powers of ten on a log axis', () => {
    expect(logTicks(0.003, 2)).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(logTicks(1.5, 3)).toEqual([1, 2, 5]);
  });
  it('finds the value range of some keys', () => {
    expect(valueRange([{ x: 1, s0: 2, r0: null }, { x: 2, s0: -1, r0: 5 }], ['s0', 'r0'])).toEqual([-1, 5]);
    expect(valueRange([{ x: 1, s0: null }], ['s0'])).toBeNull();
  });
});

describe('path builders', () => {
  const rows = [
    { x: 0, s0: 1, l0: 0.5, h0: 1.5 },
    { x: 1, s0: null, l0: null, h0: null },
    { x: 2, s0: 3, l0: 2, h0: 4 },
  ] as ChartRow[];
  const sx = (v: number) => v * 10;
  const sy = (v: number) => 100 - v * 10;

  it('draws a line through the values, joining across missing ones', () => {
    expect(linePath(rows, 's0', sx, sy)).toBe('M0,90L20,70');
    expect(linePath(rows, 's0', sx, sy, 'stepBefore')).toBe('M0,90V70H20');
    expect(linePath(rows, 'missing', sx, sy)).toBe('');
  });

  it('skips points the scale cannot place', () => {
    expect(linePath(rows, 's0', (v) => (v === 0 ? undefined : v * 10), sy)).toBe('M20,70');
  });

  it('closes a band along the upper edge and back along the lower one', () => {
    expect(bandPath(rows, 'l0', 'h0', sx, sy)).toBe('M0,85L20,60L20,80L0,95Z');
    expect(bandPath(rows, 'l1', 'h1', sx, sy)).toBe('');
  });

  it('finds the row nearest to an x', () => {
    expect(nearestRow(rows, 0.4)?.x).toBe(0);
    expect(nearestRow(rows, 1.6)?.x).toBe(2);
    expect(nearestRow(rows, 99)?.x).toBe(2);
    expect(nearestRow([], 1)).toBeUndefined();
  });
});

describe('divergence markers', () => {
  it('puts one marker per arm and step where it diverged', () => {
    const d = (arm: string, seed: number, st: number) => ({ type: 'diverged' as const, arm, seed, step: st, reason: 'loss is NaN' });
    expect(divergedMarkers([d('rg', 1, 7), d('rg', 2, 7), d('plain', 1, 9)], 'epoch', 2, {})).toEqual([
      { x: 3.5, label: 'rg diverged' },
      { x: 4.5, label: 'plain diverged' },
    ]);
  });
});

describe('long series', () => {
  it('thins to the min and max of each bucket, in order, skipping missing values', () => {
    expect(minMaxIndices([3, 1, 2, 9, NaN, 5, 4, 4], 3)).toEqual([0, 1, 3, 5, 6]);
    expect(minMaxIndices([], 4)).toEqual([]);
  });

  it('keeps the peaks of a 100,000-step series within the row budget', () => {
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    const ys = xs.map((x) => (x === 73_210 ? 50 : x === 12_345 ? -50 : Math.sin(x / 300)));
    const rows = buildChartRows([{ xs, ys }, { xs, ys: ys.map((y) => y / 2) }], { smoothing: 0, logY: false });
    expect(rows.length).toBeLessThanOrEqual(DEFAULT_CHART_POINTS);
    expect(rows.map((r) => r.x)).toEqual(expect.arrayContaining([73_210, 12_345]));
    expect(rows.map((r) => r.x)).toEqual([...rows.map((r) => r.x)].sort((a, b) => a - b));
  });
});

describe('evalSizeNote', () => {
  const ev = (step: number, scope: 'live' | 'final', evalSamples: number): EvalRecord => ({ type: 'eval', arm: 'plain', seed: 1, step, epoch: 0, metrics: { accuracy: 0.5 }, scope, evalSamples });
  it('names the live subset and, once there, the whole split of the last point', () => {
    expect(evalSizeNote({})).toBe('');
    expect(evalSizeNote({ plain: { 1: [ev(50, 'live', 2000)] } })).toBe('2,000 test images per point (the fixed subset); all of them at the end');
    expect(evalSizeNote({ plain: { 1: [ev(50, 'live', 2000), ev(100, 'final', 10000)] } })).toBe('2,000 test images per point; the last point: all 10,000');
    expect(evalSizeNote({ plain: { 1: [ev(50, 'final', 1000)] } })).toBe('all 1,000 test images per point');
  });
});
