import type { StepRecord } from '../engine/records';
import type { BySeed } from './metricsSlice';
import type { RunState } from './runSlice';

/** The summary's numbers, derived from the records (pure functions over src/stats). */

export { baselineArm, defaultTarget, findPlainArm, SUMMARY_METRICS, summariseRun, type RunSummary } from '../stats';

/**
 * Whether the run's verdicts are final: it ran to its end. A run going on, paused, stopped,
 * failed or cut short by a reload or crash gets interim verdicts (a look before the end).
 */
export function verdictsAreInterim(run: Pick<RunState, 'status' | 'stopped' | 'stored'>): boolean {
  return run.status !== 'done' || run.stopped || (run.stored?.interrupted ?? false);
}

/** Mean wall time of one arm's training step over all its seeds, in ms; null before its first step. */
export function msPerStep(steps: BySeed<StepRecord>, arm: string): number | null {
  let total = 0;
  let n = 0;
  // A series holds steps 1..last, thinned or not: each kept record's ms covers the steps since the one before.
  for (const records of Object.values(steps[arm] ?? {})) {
    for (const r of records) total += r.ms;
    n += records.at(-1)?.step ?? 0;
  }
  return n ? total / n : null;
}

