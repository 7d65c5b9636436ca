import { HIGHER_IS_BETTER } from '../engine/records';
import type { Direction } from './curves';

/** Metric names, directions and the number formats of the plain-language verdict. */

/** Eval metrics that are fractions in [0, 1]: shown as percent, differences in percentage points. */
const FRACTION_METRICS = new Set(['accuracy', 'pixelAccuracy', 'meanAccuracy', 'mIoU', 'fwIoU']);

const LABELS: Record<string, string> = {
  accuracy: 'test accuracy',
  loss: 'test loss',
  pixelAccuracy: 'pixel accuracy',
  meanAccuracy: 'mean accuracy',
  mIoU: 'mIoU',
  fwIoU: 'fwIoU',
  psnr: 'PSNR',
  ssim: 'SSIM',
  l1: 'L1',
};

/**
 * 'higher' for accuracy, pixelAccuracy, meanAccuracy, mIoU, fwIoU, psnr and ssim (the engine's
 * HIGHER_IS_BETTER); 'lower' for every other metric (loss, l1, ...).
 */
export function metricDirection(metric: string): Direction {
  return HIGHER_IS_BETTER.has(metric) ? 'higher' : 'lower';
}

/** The metric as a sentence names it: "test accuracy", "mIoU", "PSNR"; unknown names unchanged. */
export function metricLabel(metric: string): string {
  return LABELS[metric] ?? metric;
}

/** About two significant digits: 2.3, 0.45, 12.3, 140. */
function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  if (a === 0) return '0';
  return String(Number(v.toPrecision(2)));
}

/**
 * A p-value as reported: "p < 0.001", else two significant digits ("p = 0.021", "p = 0.41"),
 * with a third where two would round a p below `alpha` up to it (0.0499 is "p = 0.0499") or
 * where three digits give an exact test's k/2^n exactly (2/32 is "p = 0.0625", not 0.063).
 */
export function formatP(p: number, alpha = 0.05): string {
  if (p < 0.001) return 'p < 0.001';
  let s = String(Number(p.toPrecision(2)));
  if ((p < alpha && Number(s) >= alpha) || (Number.isInteger(p * 2 ** 20) && Number(p.toPrecision(3)) === p)) s = String(Number(p.toPrecision(3)));
  return `p = ${s}`;
}

/** A target level with its metric: "60% test accuracy", "25 dB PSNR", "test loss 0.5". */
export function formatTarget(metric: string, target: number): string {
  if (FRACTION_METRICS.has(metric)) return `${Number((target * 100).toPrecision(3))}% ${metricLabel(metric)}`;
  if (metric === 'psnr') return `${Number(target.toPrecision(3))} dB PSNR`;
  return `${metricLabel(metric)} ${Number(target.toPrecision(3))}`;
}

/** The size of a difference in the metric's units: "2.3 points" (fractions), "0.8 dB" (PSNR), "0.012". */
export function formatDifference(metric: string, diff: number): string {
  const a = Math.abs(diff);
  if (FRACTION_METRICS.has(metric)) return `${formatNumber(a * 100)} points`;
  if (metric === 'psnr') return `${formatNumber(a)} dB`;
  return formatNumber(a);
}

/** A speed-up factor: one decimal ("1.4"), two below 1.1 so a small one does not read "1.0". */
export function formatRatio(r: number): string {
  return r < 1.095 ? r.toFixed(2) : r.toFixed(1);
}

/** "1 seed", "5 seeds". */
export function seedsText(n: number): string {
  return `${n} seed${n === 1 ? '' : 's'}`;
}
