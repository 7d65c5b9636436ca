import { createLTTB } from 'downsample';
import { bandSeries, type BandKind, type Point } from '../../stats';
import type { DivergedRecord, EvalRecord, EventRecord, StepRecord } from '../../engine/records';
import type { XAxisMode } from '../../store/uiSlice';

/**
 * Turns records into chart rows: x by step, epoch or wall time; debiased EMA smoothing applied
 * to every arm alike; at most a budget of rows (never over MAX_CHART_POINTS), chosen by LTTB
 * (the `downsample` package) per arm so each arm keeps its own peaks. Pure functions: charts
 * stay stateless.
 */

export const MAX_CHART_POINTS = 2000;
/**
 * Rows a chart draws by default: about one per horizontal pixel of a chart card. More would
 * not show, and every SVG point costs main-thread time on each redraw.
 */
export const DEFAULT_CHART_POINTS = 500;

/** One arm's points; `ys` may hold NaN where a value is missing. */
export interface ArmSeries {
  xs: number[];
  ys: number[];
  /** A band around `ys` (over seeds), aligned with `xs`; drawn as is (never smoothed again). */
  lo?: (number | null)[];
  hi?: (number | null)[];
  /** Each seed's own values aligned with `xs` (already smoothed), drawn thin on demand. */
  seeds?: number[][];
}

/** A chart row: `x`, then `s<i>` (smoothed) and `r<i>` (raw) for arm i; null where absent. */
export type ChartRow = { x: number } & Record<string, number | null>;

/** Key of arm i's smoothed and raw values in a ChartRow (arm names may hold dots and spaces). */
export const smoothKey = (i: number): string => `s${i}`;
export const rawKey = (i: number): string => `r${i}`;
/** Keys of arm i's band (lower and upper edge, e.g. mean +/- std over seeds), when rows carry one. */
export const bandLoKey = (i: number): string => `l${i}`;
export const bandHiKey = (i: number): string => `h${i}`;
/** Key of seed j of arm i (drawn thin when single seeds are shown). */
export const seedKey = (i: number, j: number): string => `k${i}_${j}`;

/** What a multi-seed arm's band shows: none, +/-1 std, min to max, or the 95% CI of the mean. */
export type BandMode = 'none' | BandKind;

/**
 * One arm's seeds as one series: the mean over seeds at every x all of them reached (a seed that
 * diverged ends the curve there), with the band of `band` computed over each seed's smoothed
 * curve, and, when `withSeeds`, every seed's smoothed curve. The mean is of the raw values:
 * buildChartRows smooths it, and an EMA of the mean is the mean of the seeds' EMAs.
 */
export function aggregateSeeds(perSeed: readonly ArmSeries[], band: BandMode, smoothing: number, withSeeds: boolean): ArmSeries {
  if (perSeed.length === 1 && !withSeeds) return perSeed[0];
  const points = (xs: readonly number[], ys: readonly number[]): Point[] => xs.map((x, i) => ({ x, y: ys[i] }));
  const smoothed = perSeed.map((s) => smoothEma(s.ys, smoothing));
  const mean = bandSeries(
    perSeed.map((s) => points(s.xs, s.ys)),
    'std',
  );
  const out: ArmSeries = { xs: mean.map((p) => p.x), ys: mean.map((p) => p.mean) };
  if (band !== 'none' && perSeed.length > 1) {
    const byX = new Map(bandSeries(perSeed.map((s, k) => points(s.xs, smoothed[k])), band).map((p) => [p.x, p]));
    out.lo = out.xs.map((x) => byX.get(x)?.lo ?? null);
    out.hi = out.xs.map((x) => byX.get(x)?.hi ?? null);
  }
  if (withSeeds) {
    out.seeds = perSeed.map((s, k) => {
      const at = new Map(s.xs.map((x, i) => [x, smoothed[k][i]]));
      return out.xs.map((x) => at.get(x) ?? NaN);
    });
  }
  return out;
}

/**
 * TensorBoard's smoothing: an exponential moving average divided by (1 - beta^n) so the start
 * is not pulled towards zero. Non-finite values are passed through and skipped.
 * @param beta in [0, 1); 0 returns the values unchanged
 */
export function smoothEma(ys: readonly number[], beta: number): number[] {
  if (beta <= 0) return [...ys];
  let acc = 0;
  let n = 0;
  return ys.map((y) => {
    if (!Number.isFinite(y)) return y;
    acc = beta * acc + (1 - beta) * y;
    n++;
    return acc / (1 - beta ** n);
  });
}

const lttb = createLTTB<{ x: number; y: number }>({ x: 'x', y: 'y' });

/**
 * Indices of the finite points of `ys`, thinned to the smallest and largest value of each of
 * `buckets` equal runs (in order): an O(n) pass that keeps every peak and trough, so LTTB then
 * works on a few thousand points instead of every step of a long run.
 */
export function minMaxIndices(ys: readonly number[], buckets: number): number[] {
  const n = ys.length;
  const out: number[] = [];
  const size = Math.max(1, Math.ceil(n / buckets));
  for (let start = 0; start < n; start += size) {
    let lo = -1;
    let hi = -1;
    for (let j = start; j < Math.min(n, start + size); j++) {
      const v = ys[j];
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < ys[lo]) lo = j;
      if (hi < 0 || v > ys[hi]) hi = j;
    }
    if (lo < 0) continue;
    if (lo === hi) out.push(lo);
    else out.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return out;
}

/** The x values LTTB keeps from one series, at most `budget` of them (long series thinned by min-max buckets first). */
function selectXs(xs: readonly number[], ys: readonly number[], budget: number): number[] {
  const indices = ys.length > 8 * budget ? minMaxIndices(ys, 4 * budget) : ys.flatMap((y, i) => (Number.isFinite(y) ? [i] : []));
  const points = indices.map((i) => ({ x: xs[i], y: ys[i] }));
  if (points.length <= budget) return points.map((p) => p.x);
  return Array.from(lttb(points, Math.max(budget, 3)), (p) => p.x);
}

export interface RowOptions {
  /** EMA beta in [0, 1). */
  smoothing: number;
  /** Drop values <= 0 (log scale). */
  logY: boolean;
  /** Row budget (default DEFAULT_CHART_POINTS, never above MAX_CHART_POINTS). */
  maxPoints?: number;
}

/** Merges arms into rows keyed by x, smoothed, downsampled to at most `maxPoints` rows. */
export function buildChartRows(series: readonly ArmSeries[], opts: RowOptions): ChartRow[] {
  const maxPoints = Math.min(opts.maxPoints ?? DEFAULT_CHART_POINTS, MAX_CHART_POINTS);
  const keep = (v: number): number | null => (!Number.isFinite(v) || (opts.logY && v <= 0) ? null : v);
  const smoothed = series.map((s) => smoothEma(s.ys, opts.smoothing));
  // Which x values get a row: all of them, or, when there are more than maxPoints, the ones LTTB
  // keeps per arm. Rows are made for those alone, so a 100,000-step run costs one pass over its
  // points, not 100,000 row objects per redraw.
  const longest = Math.max(0, ...series.map((s) => s.xs.length));
  const total = series.reduce((n, s) => n + s.xs.length, 0);
  let chosen: Set<number> | null = null;
  if (longest > maxPoints || (total > maxPoints && new Set(series.flatMap((s) => s.xs)).size > maxPoints)) {
    const budget = Math.floor(maxPoints / series.length);
    chosen = new Set<number>();
    for (let i = 0; i < series.length; i++) for (const x of selectXs(series[i].xs, smoothed[i], budget)) chosen.add(x);
  }
  const rows = new Map<number, ChartRow>();
  series.forEach((s, i) => {
    const { xs, ys, lo, hi, seeds } = s;
    const sm = smoothed[i];
    for (let j = 0; j < xs.length; j++) {
      const x = xs[j];
      if (chosen && !chosen.has(x)) continue;
      let row = rows.get(x);
      if (!row) {
        row = { x } as ChartRow;
        rows.set(x, row);
      }
      row[smoothKey(i)] = keep(sm[j]);
      row[rawKey(i)] = keep(ys[j]);
      if (lo && hi) {
        row[bandLoKey(i)] = keep(lo[j] ?? NaN);
        row[bandHiKey(i)] = keep(hi[j] ?? NaN);
      }
      if (seeds) for (let k = 0; k < seeds.length; k++) row[seedKey(i, k)] = keep(seeds[k][j]);
    }
  });
  const xs = [...rows.keys()].sort((a, b) => a - b);
  return xs.map((x) => {
    const row = rows.get(x)!;
    for (let i = 0; i < series.length; i++) {
      row[smoothKey(i)] ??= null;
      row[rawKey(i)] ??= null;
    }
    return row;
  });
}

/** Seconds of training time of one arm after each of its steps (sum of its step times). */
export function cumulativeSeconds(steps: readonly StepRecord[]): Map<number, number> {
  const out = new Map<number, number>();
  let ms = 0;
  for (const r of steps) {
    ms += r.ms;
    out.set(r.step, ms / 1000);
  }
  return out;
}

/** Where step `step` of an arm sits on the chosen x axis. */
export function toX(mode: XAxisMode, step: number, stepsPerEpoch: number, seconds: Map<number, number>): number {
  if (mode === 'epoch') return stepsPerEpoch > 0 ? step / stepsPerEpoch : step;
  if (mode === 'time') return seconds.get(step) ?? NaN;
  return step;
}

/** Step-record fields a chart can draw; the task extras (pix2pix's G and D parts) are absent on other tasks. */
export type StepMetric = 'loss' | 'weightedLoss' | 'lr' | 'rgWeight' | 'gradNorm' | 'gAdv' | 'gL1' | 'dReal' | 'dFake';

/** One arm's step metric against the chosen x axis. */
export function stepSeries(steps: readonly StepRecord[], metric: StepMetric, mode: XAxisMode, stepsPerEpoch: number): ArmSeries {
  const seconds = mode === 'time' ? cumulativeSeconds(steps) : new Map<number, number>();
  return { xs: steps.map((r) => toX(mode, r.step, stepsPerEpoch, seconds)), ys: steps.map((r) => r[metric] ?? NaN) };
}

/** One arm's evaluation metric (e.g. accuracy) against the chosen x axis. */
export function evalSeries(evals: readonly EvalRecord[], steps: readonly StepRecord[], metric: string, mode: XAxisMode, stepsPerEpoch: number): ArmSeries {
  const seconds = mode === 'time' ? cumulativeSeconds(steps) : new Map<number, number>();
  const points = evals
    .map((r) => ({ x: toX(mode, r.step, stepsPerEpoch, seconds), y: r.metrics[metric] }))
    .filter((p): p is { x: number; y: number } => typeof p.y === 'number' && Number.isFinite(p.x));
  return { xs: points.map((p) => p.x), ys: points.map((p) => p.y) };
}

/** A live change drawn on the charts. */
export interface Marker {
  x: number;
  label: string;
}

/** Markers for live changes, one per arm, step and setting (seeds collapse into one). */
export function eventMarkers(
  events: readonly EventRecord[],
  stepsByArm: Record<string, Record<number, StepRecord[]>>,
  mode: XAxisMode,
  stepsPerEpoch: number,
): Marker[] {
  const seen = new Set<string>();
  const out: Marker[] = [];
  for (const e of events) {
    const key = `${e.arm}|${e.step}|${e.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A change applies from e.step on, so it sits where step e.step - 1 ended.
    const seconds = mode === 'time' ? cumulativeSeconds(stepsByArm[e.arm]?.[e.seed] ?? []) : new Map<number, number>();
    const x = mode === 'time' ? (seconds.get(e.step - 1) ?? 0) : toX(mode, e.step - 1, stepsPerEpoch, seconds);
    out.push({ x, label: `${e.arm}: ${e.name} ${formatValue(e.value)}` });
  }
  return out;
}

/** Where arms diverged, one marker per arm and step (seeds that diverged at the same step collapse into one). */
export function divergedMarkers(diverged: readonly DivergedRecord[], mode: XAxisMode, stepsPerEpoch: number, stepsByArm: Record<string, Record<number, StepRecord[]>>): Marker[] {
  const seen = new Set<string>();
  const out: Marker[] = [];
  for (const d of diverged) {
    const key = `${d.arm}|${d.step}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const seconds = mode === 'time' ? cumulativeSeconds(stepsByArm[d.arm]?.[d.seed] ?? []) : new Map<number, number>();
    out.push({ x: toX(mode, d.step, stepsPerEpoch, seconds), label: `${d.arm} diverged` });
  }
  return out;
}

/** A compact number for labels and tooltips. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/**
 * About `count` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of
 * ten). Computed here because recharts' own nice ticks use decimal arithmetic that is slow on
 * every live redraw.
 */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; first + i * step <= hi + step * 1e-9; i++) ticks.push(Number((first + i * step).toPrecision(12)));
  if (ticks[ticks.length - 1] < hi - step * 1e-9) ticks.push(Number((first + ticks.length * step).toPrecision(12)));
  return ticks;
}

/** Powers of ten (with 2x and 5x when the range is narrow) covering [lo, hi], for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const mults = b - a <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) for (const m of mults) ticks.push(Number((m * 10 ** e).toPrecision(12)));
  const lower = ticks.filter((t) => t <= lo).pop() ?? ticks[0];
  const upper = ticks.find((t) => t >= hi) ?? ticks[ticks.length - 1];
  return ticks.filter((t) => t >= lower && t <= upper);
}

/** Smallest and largest finite value of `keys` over `rows`, or null when there is none. */
export function valueRange(rows: readonly ChartRow[], keys: readonly string[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    for (const k of keys) {
      const v = r[k];
      if (v !== null && v !== undefined && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Data to pixel mapping of one axis (recharts' scale: undefined outside its domain). */
export type Project = (value: number) => number | undefined;

const px = (v: number): string => (Math.round(v * 10) / 10).toString();

/**
 * SVG path data through the rows' values under `key`, in row order; rows without a value are
 * skipped and the line joins across them (like connectNulls). 'stepBefore' holds each value
 * from the previous x (a learning rate changed live).
 */
export function linePath(rows: readonly ChartRow[], key: string, x: Project, y: Project, curve: 'linear' | 'stepBefore' = 'linear'): string {
  const parts: string[] = [];
  for (const r of rows) {
    const v = r[key];
    if (v === null || v === undefined) continue;
    const sx = x(r.x);
    const sy = y(v);
    if (sx === undefined || sy === undefined || !Number.isFinite(sx) || !Number.isFinite(sy)) continue;
    if (parts.length === 0) parts.push(`M${px(sx)},${px(sy)}`);
    else if (curve === 'stepBefore') parts.push(`V${px(sy)}H${px(sx)}`);
    else parts.push(`L${px(sx)},${px(sy)}`);
  }
  return parts.join('');
}

/**
 * SVG path data of the area between `loKey` and `hiKey` (a band around a mean): along the
 * upper edge, then back along the lower one. Rows missing either value are skipped.
 */
export function bandPath(rows: readonly ChartRow[], loKey: string, hiKey: string, x: Project, y: Project): string {
  const upper: string[] = [];
  const lower: string[] = [];
  for (const r of rows) {
    const lo = r[loKey];
    const hi = r[hiKey];
    if (lo === null || lo === undefined || hi === null || hi === undefined) continue;
    const sx = x(r.x);
    const sl = y(lo);
    const sh = y(hi);
    if (sx === undefined || sl === undefined || sh === undefined || !Number.isFinite(sx) || !Number.isFinite(sl) || !Number.isFinite(sh)) continue;
    upper.push(`${px(sx)},${px(sh)}`);
    lower.push(`${px(sx)},${px(sl)}`);
  }
  if (upper.length === 0) return '';
  return `M${upper.join('L')}L${lower.reverse().join('L')}Z`;
}

/** The row whose x is nearest to `x` (rows sorted by x), or undefined when there are none. */
export function nearestRow(rows: readonly ChartRow[], x: number): ChartRow | undefined {
  if (rows.length === 0 || !Number.isFinite(x)) return undefined;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(rows[lo - 1].x - x) <= Math.abs(rows[lo].x - x)) return rows[lo - 1];
  return rows[lo];
}

/**
 * How many test samples the eval points used: the live subset during the run and the whole
 * split at the run's last evaluation; '' before any record says.
 */
export function evalSizeNote(evalsByArm: Record<string, Record<number, EvalRecord[]>>): string {
  let live = 0;
  let final = 0;
  for (const bySeed of Object.values(evalsByArm)) {
    for (const list of Object.values(bySeed)) {
      for (const r of list) {
        if (r.scope === 'live' && r.evalSamples) live = r.evalSamples;
        if (r.scope === 'final' && r.evalSamples) final = r.evalSamples;
      }
    }
  }
  const n = (v: number): string => v.toLocaleString('en-US');
  if (live && final) return `${n(live)} test images per point; the last point: all ${n(final)}`;
  if (live) return `${n(live)} test images per point (the fixed subset); all of them at the end`;
  if (final) return `all ${n(final)} test images per point`;
  return '';
}
