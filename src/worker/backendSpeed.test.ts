import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureTrainingSpeed } from './backendSpeed';

/** Real timings of a tiny workload on the cpu backend: what is checked is the bookkeeping, not the speed. */

const TINY = { model: 'cnn', batchSize: 4, inputSize: 8 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('measuring training speed', () => {
  it('times the steps after the warm-up and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const r = await measureTrainingSpeed(TINY, { budget: { warmupMs: 30_000, steps: 3, measureMs: 30_000 } });
    if (!r.ok) throw new Error(r.reason);
    expect(r.timedSteps).toBe(3);
    expect(r.imagesPerSec).toBeCloseTo((4 * 1000) / r.msPerStep, 6);
    expect(r.warmupMs).toBeGreaterThan(0);
    // The trainer is freed once its last step has ended.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('passes a backend over when its warm-up does not end within the budget', async () => {
    let t = 0;
    // A clock that moves 10 s per reading: the warm-up step is over its 5 s budget.
    const r = await measureTrainingSpeed(TINY, { budget: { warmupMs: 5000, steps: 3, measureMs: 1000 }, now: () => (t += 10_000) });
    expect(r).toEqual({ ok: false, reason: 'not warmed up within 5 s (shader compilation or a slow first step)' });
  }, 60_000);

  it('stops timing a backend whose step is slower than the best so far, and reports it as measured', async () => {
    let t = 0;
    // Each reading 1 s later: a 1000 ms step against a best of 10 ms per step.
    const r = await measureTrainingSpeed(TINY, { budget: { warmupMs: 30_000, steps: 3, measureMs: 30_000 }, slowerThanMsPerStep: 10, slowerThanName: 'wasm', now: () => (t += 1000) });
    if (!r.ok) throw new Error(r.reason);
    expect(r.timedSteps).toBe(1);
    expect(r.msPerStep).toBe(1000);
  }, 60_000);
});
