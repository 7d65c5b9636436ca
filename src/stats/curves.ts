import { ci95HalfWidth, meanOf, sampleStd } from './describe';

/**
 * Statistics of learning curves: one series of points per seed, x being the step (or epoch),
 * y a metric. Seeds of one experiment run in lock step, so their x values are the same numbers
 * and are matched by exact equality.
 */

export interface Point {
  x: number;
  y: number;
}

/** Whether larger values of a metric are better ('higher') or smaller ones ('lower'). */
export type Direction = 'higher' | 'lower';

/** The band drawn around a mean curve: +/-1 sample std, the seeds' min to max, or the 95% t CI of the mean. */
export type BandKind = 'std' | 'minmax' | 'ci95';

/** One x of a mean curve over seeds. `lo` and `hi` are null where the band is undefined (std or CI of one seed). */
export interface BandPoint {
  x: number;
  mean: number;
  lo: number | null;
  hi: number | null;
  /** Seeds that had a finite value at this x. */
  n: number;
}

export interface AlignOptions {
  /**
   * Fewest seeds with a finite value an x needs to be kept (default: all of them). With the
   * default the curve stops where the first seed stops (e.g. diverged), so the mean never jumps
   * because a seed dropped out; pass 1 to keep every x, averaged over the seeds that have it.
   */
  minSeeds?: number;
}

/** Values per x over seeds: non-finite y count as missing; x sorted ascending. */
function collectByX(perSeed: readonly (readonly Point[])[]): Map<number, number[]> {
  const byX = new Map<number, number[]>();
  perSeed.forEach((points) => {
    const seen = new Set<number>();
    points.forEach(({ x, y }) => {
      // A seed's repeated x (a re-evaluation) counts once: its first finite value.
      if (!Number.isFinite(y) || !Number.isFinite(x) || seen.has(x)) return;
      seen.add(x);
      const list = byX.get(x) ?? [];
      list.push(y);
      byX.set(x, list);
    });
  });
  return byX;
}

function keptXs(byX: Map<number, number[]>, seeds: number, opts: AlignOptions | undefined): number[] {
  const min = Math.max(1, Math.min(opts?.minSeeds ?? seeds, seeds));
  return [...byX.keys()].filter((x) => (byX.get(x)?.length ?? 0) >= min).sort((a, b) => a - b);
}

function bandOf(values: readonly number[], kind: BandKind): [number | null, number | null] {
  const mean = meanOf(values);
  if (kind === 'minmax') return [Math.min(...values), Math.max(...values)];
  const std = sampleStd(values);
  if (!Number.isFinite(std)) return [null, null];
  const half = kind === 'std' ? std : ci95HalfWidth(std, values.length);
  return half === null ? [null, null] : [mean - half, mean + half];
}

/**
 * Mean curve over seeds with a band of `kind`, one point per x. An x is kept when at least
 * `opts.minSeeds` seeds (default: every seed) have a finite value there; non-finite values (a
 * diverged seed) count as missing. Seeds with no points at all still count towards "every seed".
 */
export function bandSeries(perSeed: readonly (readonly Point[])[], kind: BandKind, opts?: AlignOptions): BandPoint[] {
  const byX = collectByX(perSeed);
  return keptXs(byX, perSeed.length, opts).map((x) => {
    const values = byX.get(x) ?? [];
    const [lo, hi] = bandOf(values, kind);
    return { x, mean: meanOf(values), lo, hi, n: values.length };
  });
}

/**
 * Per x, the mean over seeds of arm - baseline with its 95% t CI (lo/hi null where fewer than
 * two seeds). Seed i of `armPerSeed` is paired with seed i of `basePerSeed`; a pair counts at an
 * x where both have a finite value, and the x is kept under the rule of {@link bandSeries}.
 */
export function pairedDifferenceSeries(
  armPerSeed: readonly (readonly Point[])[],
  basePerSeed: readonly (readonly Point[])[],
  opts?: AlignOptions,
): BandPoint[] {
  if (armPerSeed.length !== basePerSeed.length) {
    throw new RangeError(`arm has ${armPerSeed.length} seeds, baseline ${basePerSeed.length}; pair them seed by seed`);
  }
  const diffs = armPerSeed.map((arm, s) => {
    const base = new Map<number, number>();
    for (const p of basePerSeed[s]) if (Number.isFinite(p.y) && !base.has(p.x)) base.set(p.x, p.y);
    return arm.map((p) => {
      const b = base.get(p.x);
      return { x: p.x, y: b === undefined ? NaN : p.y - b };
    });
  });
  return bandSeries(diffs, 'ci95', opts);
}

function sortedFinite(series: readonly Point[]): Point[] {
  return series.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
}

/**
 * The first x (step) at which the metric reaches `target`: y >= target when higher is better,
 * y <= target when lower is; null if it never does. Non-finite points are skipped.
 */
export function stepsToTarget(series: readonly Point[], target: number, direction: Direction): number | null {
  const hit = sortedFinite(series).find((p) => (direction === 'higher' ? p.y >= target : p.y <= target));
  return hit ? hit.x : null;
}

/**
 * Area under the curve by the trapezoid rule over x, divided by the x range, so it is the curve's
 * mean value (in the metric's units) over the steps it spans. One point gives its y; no finite
 * point gives null. Non-finite points are skipped (their neighbours are joined). Compare AUCs
 * only over the same x range.
 */
export function areaUnderCurve(series: readonly Point[]): number | null {
  const pts = sortedFinite(series);
  if (pts.length === 0) return null;
  const range = pts[pts.length - 1].x - pts[0].x;
  if (range === 0) return meanOf(pts.map((p) => p.y));
  let area = 0;
  for (let i = 1; i < pts.length; i++) area += ((pts[i].y + pts[i - 1].y) / 2) * (pts[i].x - pts[i - 1].x);
  return area / range;
}
