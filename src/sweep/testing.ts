import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import type { CellState, CellStatus } from './queue';
import type { SweepCell } from './spec';

/** Fixtures for the sweep tests: the records a run of a cell would give, with values chosen per arm. */

/**
 * A step, evals at `steps` and a summary per arm and seed of `config`; `value(arm, seed, step)`
 * gives the metric, NaN for a run that diverges at that step.
 */
export function fakeRecords(config: ExperimentConfig, metric: string, value: (arm: string, seed: number, step: number) => number, steps: readonly number[] = [50, 100]): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const seed of config.seeds) {
    for (const { name: arm } of config.arms) {
      let last: number | null = null;
      for (const step of steps) {
        out.push({ type: 'step', arm, seed, step, epoch: 0, loss: 1, weightedLoss: 1, rgWeight: 1, lr: 0.1, gradNorm: 1, ms: 2 });
        const v = value(arm, seed, step);
        if (Number.isNaN(v)) {
          out.push({ type: 'diverged', arm, seed, step, reason: 'loss is NaN' });
          break;
        }
        out.push({ type: 'eval', arm, seed, step, epoch: 0, metrics: { [metric]: v, loss: 1 - v } });
        last = v;
      }
      out.push({ type: 'summary', arm, seed, steps: steps[steps.length - 1], ms: 10, final: last === null ? {} : { [metric]: last }, best: {} });
    }
  }
  return out;
}

/** A finished cell state over `cell` with `records`. */
export function cellState(cell: SweepCell, records: MetricRecord[], status: CellStatus = 'done'): CellState {
  return { cell, status, error: null, records: records.filter((r) => r.type !== 'step'), ms: 1000 };
}
