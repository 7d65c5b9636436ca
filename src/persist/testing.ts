import { createDefaultConfig, type ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import type { Schedule } from './recordWriter';
import type { Checkpoint } from './types';

/** Fixtures for the persistence tests: records, checkpoints and a fake clock. */

export function makeConfig(): ExperimentConfig {
  return createDefaultConfig();
}

/**
 * `steps` lock steps of plain and rg (seed 1) as the trainer emits them: step records, an eval
 * every 10 steps, an event, a diverged rg arm at step 7 when `diverge` is set (its loss NaN),
 * summaries at the end.
 */
export function makeRecords(steps: number, opts: { diverge?: boolean } = {}): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (let step = 1; step <= steps; step++) {
    for (const arm of ['plain', 'rg']) {
      const broken = opts.diverge && arm === 'rg' && step === 7;
      if (opts.diverge && arm === 'rg' && step > 7) continue;
      out.push({
        type: 'step',
        arm,
        seed: 1,
        step,
        epoch: Math.floor((step - 1) / 50),
        loss: broken ? Number.NaN : 2 / step,
        weightedLoss: broken ? Number.NaN : 1 / step,
        rgWeight: arm === 'rg' ? ((step * 37) % 100) / 100 : 1,
        lr: 0.1,
        gradNorm: broken ? Number.POSITIVE_INFINITY : 3 + step / 1000,
        ms: 12.5,
      });
      if (broken) out.push({ type: 'diverged', arm, seed: 1, step, reason: 'loss is NaN' });
    }
    if (step === 3) out.push({ type: 'event', arm: 'rg', seed: 1, step: 4, name: 'lr', value: 0.05 });
    if (step % 10 === 0) {
      out.push({ type: 'eval', arm: 'plain', seed: 1, step, epoch: 0, metrics: { loss: 1 / step, accuracy: step / (step + 10), perClassIoU: [0.5, 0.25] } });
    }
  }
  out.push({ type: 'summary', arm: 'plain', seed: 1, steps, ms: 12.5 * steps, final: { accuracy: 0.5 }, best: { accuracy: 0.6 } });
  return out;
}

/** A checkpoint of two arms, one seed; arm rg has two models and optimizers (as pix2pix would). */
export function makeCheckpoint(step: number): Checkpoint {
  const tensor = (shape: number[], offset: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { shape, values: Float32Array.from({ length: n }, (_, i) => offset + i / 7) };
  };
  return {
    step,
    epoch: step / 100,
    savedAt: 1_700_000_000_000 + step,
    positions: { data: { epoch: 0, cursor: step * 32 }, rng: { rg: [1, 2, 3, 4], augment: [5, 6, 7, 8] } },
    arms: [
      {
        arm: 'plain',
        seed: 1,
        weights: [tensor([3, 3, 3, 16], 0), tensor([16], 1)],
        optimizers: [{ step, momentumReady: true, slots: [tensor([3, 3, 3, 16], 2), tensor([16], 3)] }],
        state: { lr: 0.1, momentum: 0.5, lossWeight: 1, best: { accuracy: 0.4 }, diverged: null },
      },
      {
        arm: 'rg',
        seed: 1,
        weights: [tensor([4, 4], 4), tensor([2, 2], 5)],
        optimizers: [
          { step, momentumReady: false, slots: [tensor([4, 4], 6), tensor([4, 4], 7)] },
          { step, momentumReady: false, slots: [tensor([2, 2], 8), tensor([2, 2], 9)] },
        ],
        state: { lr: 0.05, momentum: 0.5, lossWeight: 1, best: {}, diverged: null },
      },
    ],
  };
}

/** A clock that moves only when told: `schedule` for the code under test, `advance` for the test. */
export function createFakeClock() {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const schedule: Schedule = (fn, ms) => {
    const id = nextId++;
    timers.set(id, { at: now + ms, fn });
    return () => timers.delete(id);
  };
  /** Lets promises (and fake-indexeddb's callbacks) run to completion. */
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  return {
    schedule,
    now: () => now,
    /** Timers waiting to fire. */
    pending: () => timers.size,
    settle,
    /** Moves the clock forward, firing every timer that falls due, in time order. */
    async advance(ms: number): Promise<void> {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | null = null;
        for (const entry of timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}
