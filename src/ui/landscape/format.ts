import type { PathMetrics } from '../../landscape/metrics';

/** How the landscape view writes its readouts. */

/** A loss value: fixed for ordinary sizes, exponent for very small or large ones. */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? Number(v.toPrecision(4)).toString() : v.toExponential(2);
}

/** Steps to epsilon of one path, or why there is none. */
export function formatStepsToEpsilon(m: PathMetrics, steps: number): string {
  if (m.stepsToEpsilon !== null) return String(m.stepsToEpsilon);
  if (m.divergedAt !== null) return `diverged at ${m.divergedAt}`;
  return `not in ${steps}`;
}

/** A step count that may be infinite (a median over seeds that did not all get there). */
export function formatSteps(v: number): string {
  if (Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return 'never';
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
