import { distanceToMinimum, type Surface } from './surfaces';
import { median } from '../engine/median';

/**
 * Readouts of one path (positions at steps 0..T as [x0, y0, x1, y1, ...]) and of many seeds'
 * steps-to-epsilon: the histogram and the paired comparison the view shows.
 */

/** A coordinate beyond this (or not finite) counts as diverged. */
export const DIVERGED_BEYOND = 1e6;

export interface PathMetrics {
  /** The first step at which the path is within epsilon of a minimum; null if it never is. */
  stepsToEpsilon: number | null;
  /** Total distance travelled (up to divergence). */
  pathLength: number;
  /** Steps whose direction turns by more than 90° from the step before (oscillation). */
  reversals: number;
  /** The loss at the last step; NaN when the path diverged. */
  finalLoss: number;
  /** The first step at which the path left the finite range; null if it never did. */
  divergedAt: number | null;
}

/** How many steps a path of `xy` positions has (one fewer than its points). */
export function pathSteps(xy: ArrayLike<number>): number {
  return xy.length / 2 - 1;
}

function finitePoint(x: number, y: number): boolean {
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) < DIVERGED_BEYOND && Math.abs(y) < DIVERGED_BEYOND;
}

/** The first step whose point is not finite (or beyond DIVERGED_BEYOND); null if none. */
export function divergenceStep(xy: ArrayLike<number>): number | null {
  for (let t = 0; t * 2 < xy.length; t++) if (!finitePoint(xy[2 * t], xy[2 * t + 1])) return t;
  return null;
}

/** The first step within `epsilon` of a minimum (distance strictly below it), or null. */
export function stepsToEpsilon(surface: Surface, xy: ArrayLike<number>, epsilon: number): number | null {
  for (let t = 0; t * 2 < xy.length; t++) {
    const x = xy[2 * t];
    const y = xy[2 * t + 1];
    if (!finitePoint(x, y)) return null;
    if (distanceToMinimum(surface, x, y) < epsilon) return t;
  }
  return null;
}

/** Length of the path up to (not including) its first non-finite point. */
export function pathLength(xy: ArrayLike<number>): number {
  let total = 0;
  for (let t = 1; t * 2 < xy.length; t++) {
    if (!finitePoint(xy[2 * t], xy[2 * t + 1])) break;
    total += Math.hypot(xy[2 * t] - xy[2 * t - 2], xy[2 * t + 1] - xy[2 * t - 1]);
  }
  return total;
}

/**
 * Direction reversals: consecutive steps whose dot product is negative. Steps shorter than
 * `minStep` are skipped (compared across), so float32 jitter at the minimum is not counted.
 */
export function directionReversals(xy: ArrayLike<number>, minStep = 0): number {
  let count = 0;
  let px = 0;
  let py = 0;
  let has = false;
  for (let t = 1; t * 2 < xy.length; t++) {
    if (!finitePoint(xy[2 * t], xy[2 * t + 1])) break;
    const dx = xy[2 * t] - xy[2 * t - 2];
    const dy = xy[2 * t + 1] - xy[2 * t - 1];
    if (Math.hypot(dx, dy) <= minStep) continue;
    if (has && dx * px + dy * py < 0) count++;
    px = dx;
    py = dy;
    has = true;
  }
  return count;
}

/** Every readout of one path. Steps shorter than a millionth of the domain's diagonal are not counted as turns. */
export function measurePath(surface: Surface, xy: ArrayLike<number>, epsilon: number): PathMetrics {
  const divergedAt = divergenceStep(xy);
  const last = pathSteps(xy);
  const diag = Math.hypot(surface.domain.x[1] - surface.domain.x[0], surface.domain.y[1] - surface.domain.y[0]);
  return {
    stepsToEpsilon: stepsToEpsilon(surface, xy, epsilon),
    pathLength: pathLength(xy),
    reversals: directionReversals(xy, diag * 1e-6),
    finalLoss: divergedAt === null ? surface.loss(xy[2 * last], xy[2 * last + 1]) : NaN,
    divergedAt,
  };
}

export interface StepsHistogram {
  /** Bin edges in steps: bin k holds values in [edges[k], edges[k + 1]). */
  edges: number[];
  /** counts[arm][bin]. */
  counts: number[][];
  /** Per arm, the seeds that never got within epsilon. */
  notReached: number[];
}

/**
 * Shared bins for every arm's steps-to-epsilon (null = not reached): integer-aligned, at most
 * `maxBins` of them, spanning the smallest to the largest value reached by any arm.
 */
export function binStepsToEpsilon(values: readonly (readonly (number | null)[])[], maxBins = 20): StepsHistogram {
  const reached = values.flatMap((v) => v.filter((x): x is number => x !== null));
  const notReached = values.map((v) => v.filter((x) => x === null).length);
  if (reached.length === 0) return { edges: [], counts: values.map(() => []), notReached };
  const lo = Math.min(...reached);
  const hi = Math.max(...reached);
  const width = Math.max(1, Math.ceil((hi - lo + 1) / maxBins));
  const bins = Math.ceil((hi - lo + 1) / width);
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  const counts = values.map((v) => {
    const c = new Array<number>(bins).fill(0);
    for (const x of v) if (x !== null) c[Math.floor((x - lo) / width)]++;
    return c;
  });
  return { edges, counts, notReached };
}

export interface ArmStepsStats {
  reached: number;
  seeds: number;
  /** Median over all seeds, a seed that never got there counting as infinitely slow. */
  median: number;
  /** Mean over the seeds that got there; NaN if none did. */
  meanReached: number;
}

/** Summary of one arm's steps-to-epsilon over seeds. */
export function summarizeSteps(values: readonly (number | null)[]): ArmStepsStats {
  const steps = values.map((v) => v ?? Infinity);
  const n = steps.length;
  const reached = values.filter((v): v is number => v !== null);
  const meanReached = reached.length === 0 ? NaN : reached.reduce((a, b) => a + b, 0) / reached.length;
  return { reached: reached.length, seeds: n, median: median(steps), meanReached };
}

export interface PairedComparison {
  /** Seeds where arm B got there in fewer steps than arm A (or A never did). */
  sooner: number;
  later: number;
  /** Same step, or neither got there. */
  ties: number;
}

/** Seed-by-seed comparison of arm B against arm A (same seeds, same order). */
export function compareSeeds(a: readonly (number | null)[], b: readonly (number | null)[]): PairedComparison {
  if (a.length !== b.length) throw new Error(`compareSeeds: ${a.length} vs ${b.length} seeds`);
  const out: PairedComparison = { sooner: 0, later: 0, ties: 0 };
  a.forEach((x, i) => {
    const va = x ?? Infinity;
    const vb = b[i] ?? Infinity;
    if (vb < va) out.sooner++;
    else if (vb > va) out.later++;
    else out.ties++;
  });
  return out;
}
