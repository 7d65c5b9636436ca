import { describe, expect, it } from 'vitest';
import { binStepsToEpsilon, compareSeeds, directionReversals, divergenceStep, measurePath, pathLength, stepsToEpsilon, summarizeSteps } from './metrics';
import { getSurface } from './surfaces';

const quadratic = getSurface('quadratic');
const flat = (pts: number[][]) => pts.flat();

describe('path readouts', () => {
  it('steps to epsilon is the first step strictly inside epsilon of the minimum', () => {
    const xy = flat([[2, 0], [1, 0], [0.5, 0], [0.1, 0], [0.09, 0], [0.3, 0]]);
    expect(stepsToEpsilon(quadratic, xy, 0.1)).toBe(4);
    expect(stepsToEpsilon(quadratic, xy, 0.5000001)).toBe(2);
    expect(stepsToEpsilon(quadratic, xy, 3)).toBe(0);
    expect(stepsToEpsilon(quadratic, xy, 0.05)).toBeNull();
  });

  it('path length sums the step lengths', () => {
    expect(pathLength(flat([[0, 0], [3, 4], [3, 0]]))).toBe(9);
    expect(pathLength(flat([[1, 1]]))).toBe(0);
  });

  it('reversals count turns of more than 90 degrees, skipping steps shorter than minStep', () => {
    // A zig-zag across the x axis while moving right: every step turns by less than 90°.
    expect(directionReversals(flat([[0, 0.2], [1, -0.2], [2, 0.2], [3, -0.2]]))).toBe(0);
    expect(directionReversals(flat([[0, 1], [1, -1], [2, 1], [3, -1]]))).toBe(2);
    // Back and forth along x: every turn after the first step reverses.
    expect(directionReversals(flat([[0, 0], [2, 0], [-1, 0], [1, 0], [0, 0]]))).toBe(3);
    // A tiny wobble between two forward steps is skipped, not counted twice.
    expect(directionReversals(flat([[0, 0], [1, 0], [1 - 1e-9, 0], [2, 0]]), 1e-6)).toBe(0);
    expect(directionReversals(flat([[0, 0], [1, 0], [1 - 1e-9, 0], [2, 0]]))).toBe(2);
  });

  it('a diverged path reports where, stops its length there, and has no final loss', () => {
    const xy = flat([[1, 0], [-2, 0], [4, 0], [Infinity, 0], [NaN, NaN]]);
    expect(divergenceStep(xy)).toBe(3);
    const m = measurePath(quadratic, xy, 0.1);
    expect(m).toEqual({ stepsToEpsilon: null, pathLength: 9, reversals: 1, finalLoss: NaN, divergedAt: 3 });
    expect(divergenceStep(flat([[0, 0], [2e6, 0]]))).toBe(1);
  });

  it('the final loss is the surface’s loss at the last point', () => {
    const m = measurePath(quadratic, flat([[2, 1], [1, 0.5]]), 0.01);
    expect(m.finalLoss).toBeCloseTo(quadratic.loss(1, 0.5), 12);
    expect(m.divergedAt).toBeNull();
  });
});

describe('many seeds', () => {
  it('bins every arm on shared integer bins and counts the seeds that never got there', () => {
    const h = binStepsToEpsilon([
      [10, 12, 19, null],
      [15, 29, null, null],
    ], 4);
    expect(h.edges).toEqual([10, 15, 20, 25, 30]);
    expect(h.counts).toEqual([
      [2, 1, 0, 0],
      [0, 1, 0, 1],
    ]);
    expect(h.notReached).toEqual([1, 2]);
    // Every reached value lands in a bin.
    expect(h.counts.flat().reduce((a, b) => a + b, 0) + 3).toBe(8);
  });

  it('bins one step wide when the values are close, and none when nothing got there', () => {
    expect(binStepsToEpsilon([[3, 4, 4]], 20)).toEqual({ edges: [3, 4, 5], counts: [[1, 2]], notReached: [0] });
    expect(binStepsToEpsilon([[null], [null]])).toEqual({ edges: [], counts: [[], []], notReached: [1, 1] });
  });

  it('summarizes with the median counting misses as slowest', () => {
    expect(summarizeSteps([5, 1, null, 3])).toEqual({ reached: 3, seeds: 4, median: 4, meanReached: 3 });
    expect(summarizeSteps([5, null, null])).toEqual({ reached: 1, seeds: 3, median: Infinity, meanReached: 5 });
  });

  it('compares arm B with arm A seed by seed', () => {
    expect(compareSeeds([10, 20, null, 5, null], [8, 25, 40, 5, null])).toEqual({ sooner: 2, later: 1, ties: 2 });
    expect(() => compareSeeds([1], [1, 2])).toThrow(/1 vs 2 seeds/);
  });
});
