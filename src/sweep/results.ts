import type { MetricRecord } from '../engine/records';
import { metricDirection, summarizeExperiment, type Direction } from '../stats';
import type { CellState, CellStatus } from './queue';

/**
 * A sweep's results as numbers: per cell and arm the final and best value of a metric (means
 * over seeds), a table of them, a lr x momentum grid for the heatmap, and the CSV export.
 * Everything is computed from the cells' records, so any eval metric can be shown after the run.
 */

/** One arm of one cell on one metric. */
export interface ArmOutcome {
  arm: string;
  /** Mean over the seeds that did not diverge of the value at the last evaluation; null when none. */
  final: number | null;
  /** Mean of each seed's best evaluation (by the metric's direction). */
  best: number | null;
  /** Mean of the area under each seed's curve over its steps: the mean level, so higher means sooner for 'higher' metrics. */
  auc: number | null;
  /** Seeds with records, and how many of them diverged. */
  seeds: number;
  diverged: number;
  /** Mean of arm - baseline final over the seeds where both ran to the end; null for the baseline itself. */
  delta: number | null;
  /** The stats module's sentence on this arm against the baseline; null for the baseline. */
  verdict: string | null;
}

/**
 * Per arm of `arms` (a cell's config order), its outcome on `metric` from the cell's records.
 * The verdicts are corrected (Holm) within the cell only, never across a sweep's cells; with
 * `interim` (the cell has not finished) they say so.
 */
export function summarizeCell(records: readonly MetricRecord[], metric: string, baseline: string, arms: readonly string[], interim = false): ArmOutcome[] {
  const summary = summarizeExperiment(records, { baseline, metric, interim });
  return arms.map((arm): ArmOutcome => {
    const s = summary.arms.find((a) => a.arm === arm);
    if (!s) return { arm, final: null, best: null, auc: null, seeds: 0, diverged: 0, delta: null, verdict: null };
    return {
      arm,
      final: s.final?.mean ?? null,
      best: s.best?.mean ?? null,
      auc: s.auc?.mean ?? null,
      seeds: s.seeds.length,
      diverged: s.diverged.length,
      delta: s.comparison?.final?.meanDiff ?? null,
      verdict: s.comparison?.verdict ?? null,
    };
  });
}

/** The outcomes of a cell, or null while it has no records (queued, running, failed); verdicts of a cell not done are interim. */
export function cellOutcomes(c: CellState, metric: string): ArmOutcome[] | null {
  if (c.records.length === 0) return null;
  return summarizeCell(c.records, metric, c.cell.baseline, c.cell.config.arms.map((a) => a.name), c.status !== 'done');
}

/** One row of the results table: one arm of one cell. */
export interface SweepTableRow extends ArmOutcome {
  cell: number;
  lr: number;
  momentum: number;
  status: CellStatus;
  error: string | null;
  baseline: string;
}

/** Rows cell by cell in run order, arms in config order; a cell without records gives rows of nulls. */
export function sweepTable(results: readonly CellState[], metric: string): SweepTableRow[] {
  return results.flatMap((c) => {
    const outcomes = cellOutcomes(c, metric);
    return c.cell.config.arms.map((a, j): SweepTableRow => ({
      ...(outcomes?.[j] ?? { arm: a.name, final: null, best: null, auc: null, seeds: 0, diverged: 0, delta: null, verdict: null }),
      cell: c.cell.index,
      lr: c.cell.lr,
      momentum: c.cell.momentum,
      status: c.status,
      error: c.error,
      baseline: c.cell.baseline,
    }));
  });
}

/** What a heatmap shows: an arm's final or best value, or its final minus the baseline's. */
export type HeatmapStat = 'final' | 'best' | 'delta';

export interface HeatmapCell {
  lr: number;
  momentum: number;
  /** Null where the cell has not run, failed, or every seed of the arm diverged. */
  value: number | null;
  /** 'missing' where the sweep has no cell at this point. */
  status: CellStatus | 'missing';
  /** Every seed of the arm diverged. */
  diverged: boolean;
}

export interface HeatmapGrid {
  metric: string;
  arm: string;
  stat: HeatmapStat;
  direction: Direction;
  /** Ascending; rows of `cells` and `values`. */
  lrs: number[];
  /** Ascending; columns. */
  momenta: number[];
  cells: HeatmapCell[][];
  /** `values[i][j]` is the value at lrs[i], momenta[j]. */
  values: (number | null)[][];
  /** The colour scale's ends: the values' range; for 'delta' symmetric about 0. Null when no value. */
  min: number | null;
  max: number | null;
}

/** The lr x momentum grid of `arm`'s `stat` on `metric`. */
export function heatmapGrid(results: readonly CellState[], metric: string, arm: string, stat: HeatmapStat = 'final'): HeatmapGrid {
  const lrs = [...new Set(results.map((c) => c.cell.lr))].sort((a, b) => a - b);
  const momenta = [...new Set(results.map((c) => c.cell.momentum))].sort((a, b) => a - b);
  const cells = lrs.map((lr) =>
    momenta.map((momentum): HeatmapCell => {
      const c = results.find((r) => r.cell.lr === lr && r.cell.momentum === momentum);
      if (!c) return { lr, momentum, value: null, status: 'missing', diverged: false };
      const o = cellOutcomes(c, metric)?.find((x) => x.arm === arm) ?? null;
      const value = o === null ? null : stat === 'final' ? o.final : stat === 'best' ? o.best : o.delta;
      return { lr, momentum, value, status: c.status, diverged: o !== null && o.seeds > 0 && o.diverged === o.seeds };
    }),
  );
  const values = cells.map((row) => row.map((c) => c.value));
  const finite = values.flat().filter((v): v is number => v !== null);
  let min: number | null = finite.length ? Math.min(...finite) : null;
  let max: number | null = finite.length ? Math.max(...finite) : null;
  if (stat === 'delta' && min !== null && max !== null) {
    const m = Math.max(Math.abs(min), Math.abs(max));
    min = -m;
    max = m;
  }
  return { metric, arm, stat, direction: metricDirection(metric), lrs, momenta, cells, values, min, max };
}

/** Viridis at five stops: dark blue (low) to yellow (high). */
const SEQUENTIAL = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
/** Purple (worse) through near-white to green (better): PiYG. */
const DIVERGING = ['#8e0152', '#de77ae', '#f7f7f7', '#7fbc41', '#276419'];

function mix(stops: readonly string[], t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = parseHex(stops[i]);
  const b = parseHex(stops[i + 1]);
  return toHex(a.map((v, k) => v + (b[k] - v) * f));
}

function parseHex(hex: string): number[] {
  return [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Where `value` sits on the grid's colour scale, 0 (worst) to 1 (best): a lower-is-better metric
 * (loss) is turned round, so brighter is always better. 0.5 when the scale has no range.
 */
export function heatmapPosition(grid: Pick<HeatmapGrid, 'min' | 'max' | 'direction'>, value: number): number {
  const { min, max } = grid;
  if (min === null || max === null || max === min) return 0.5;
  const t = (value - min) / (max - min);
  return grid.direction === 'higher' ? t : 1 - t;
}

/** The fill of a value: viridis for values (bright = better), purple-white-green for deltas (green = better than the baseline). */
export function heatmapColor(grid: Pick<HeatmapGrid, 'min' | 'max' | 'direction' | 'stat'>, value: number): string {
  return mix(grid.stat === 'delta' ? DIVERGING : SEQUENTIAL, heatmapPosition(grid, value));
}

/** The colours of the legend's gradient, worst to best, for `stat`. */
export function heatmapStops(stat: HeatmapStat): readonly string[] {
  return stat === 'delta' ? DIVERGING : SEQUENTIAL;
}

/** Black or white, whichever reads better on `fill` (a #rrggbb colour). */
export function textColorOn(fill: string): string {
  const [r, g, b] = parseHex(fill);
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#111111' : '#ffffff';
}

/** Eval metrics that are fractions in [0, 1]: written as percent. */
const FRACTION_METRICS = new Set(['accuracy', 'pixelAccuracy', 'meanAccuracy', 'mIoU', 'fwIoU']);

/** True for metrics written in percent (accuracy, mIoU, ...). */
export function isFractionMetric(metric: string): boolean {
  return FRACTION_METRICS.has(metric);
}

/** A metric value as the tables write it: "41.3%", "23.10 dB", "0.412"; "–" for null. */
export function formatMetricValue(metric: string, v: number | null): string {
  if (v === null) return '–';
  if (FRACTION_METRICS.has(metric)) return `${(v * 100).toFixed(1)}%`;
  if (metric === 'psnr') return `${v.toFixed(2)} dB`;
  return v.toFixed(3);
}

/** A difference in the metric's units, signed: "+2.1 pts", "-0.35 dB", "+0.012". */
export function formatMetricDelta(metric: string, d: number | null): string {
  if (d === null) return '–';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const a = Math.abs(d);
  if (FRACTION_METRICS.has(metric)) return `${sign}${(a * 100).toFixed(1)} pts`;
  if (metric === 'psnr') return `${sign}${a.toFixed(2)} dB`;
  return `${sign}${a.toFixed(3)}`;
}

/** Header of the sweep table's CSV. */
export function sweepCsvHeader(metric: string): string {
  return `cell,lr,momentum,arm,status,seeds,diverged,final_${metric},best_${metric},auc_${metric},delta_final_vs_baseline,baseline,error`;
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The results table as CSV: one line per cell and arm, raw numbers (fractions, not percent), empty for missing values. */
export function sweepTableCsv(rows: readonly SweepTableRow[], metric: string): string {
  const lines = [sweepCsvHeader(metric)];
  for (const r of rows) {
    lines.push(
      [r.cell, r.lr, r.momentum, r.arm, r.status, r.seeds, r.diverged, r.final, r.best, r.auc, r.delta, r.baseline, r.error].map(csvCell).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
