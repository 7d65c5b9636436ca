import { createDefaultConfig, type ExperimentConfig, type Task } from '../engine/config';
import { computeChannelStats, type Dataset } from '../engine/dataset';
import { Rng } from '../engine/rng';
import { Trainer } from '../engine/trainer';
import { findTaskOfModel } from './preflight';
import type { SpeedWorkload } from './protocol';
import { errorMessage } from '../engine/errors';

/**
 * Times a few real training steps of a workload on the active backend: one plain SGD arm of the
 * model at the batch and input size on random images of its task's kind (speed does not depend
 * on what the images show), each step's loss read back before the next. The first step is the
 * warm-up (model build, upload, shader compilation) and is not timed. A time budget bounds the
 * warm-up, and a step slower than `slowerThanMsPerStep` (the best so far) ends the measurement.
 */

export interface SpeedBudget {
  /** Longest warm-up, in ms: a backend not warmed up by then is passed over. */
  warmupMs: number;
  /** Timed steps wanted. */
  steps: number;
  /** Longest time for the timed steps, in ms: fewer are timed when they take longer (at least one). */
  measureMs: number;
}

/** Budget of one candidate: the whole choice should cost a few seconds. */
export const DEFAULT_SPEED_BUDGET: SpeedBudget = { warmupMs: 3000, steps: 3, measureMs: 1000 };

export type SpeedResult = { ok: true; imagesPerSec: number; msPerStep: number; warmupMs: number; timedSteps: number } | { ok: false; reason: string; warmupMs?: number };

export interface SpeedOptions {
  budget?: SpeedBudget;
  /** A timed step longer than this ends the measurement: the candidate cannot win. */
  slowerThanMsPerStep?: number;
  /** The name of the backend that set slowerThanMsPerStep, for the reason. */
  slowerThanName?: string;
  /**
   * Returns only once the trainer is freed (its step in flight ended), not as soon as the result
   * is known: for a backend computing on this thread (wasm, cpu), whose step ends promptly, before
   * the backend may be restarted. A GPU backend passed over may have a step queued for minutes.
   */
  waitForEnd?: boolean;
  now?: () => number;
}

const CLASSES = 10;

function randomBytes(n: number, rng: Rng): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.int(256);
  return a;
}

/** Random data of `task`'s kind: two batches to train on, one to test on. */
export function makeSpeedDataset(task: Task, size: number, batchSize: number): Dataset {
  const rng = new Rng(7);
  const n = batchSize * 2;
  const px = size * size;
  const base = { name: 'speed', height: size, width: size, channels: 3 };
  const classNames = Array.from({ length: CLASSES }, (_, k) => `c${k}`);
  const images = (k: number) => randomBytes(k * px * 3, rng);
  if (task === 'classify') {
    const split = (k: number) => ({ images: images(k), labels: Int32Array.from({ length: k }, (_, i) => i % CLASSES), n: k });
    const train = split(n);
    return { kind: 'classify', ...base, classNames, train, test: split(batchSize), ...computeChannelStats(train.images, 3) };
  }
  if (task === 'segment') {
    const split = (k: number) => ({ images: images(k), masks: Uint8Array.from({ length: k * px }, () => rng.int(CLASSES)), n: k });
    const train = split(n);
    const palette = classNames.map((_, k): [number, number, number] => [k * 25, 255 - k * 25, 128]);
    return { kind: 'segment', ...base, classNames, palette, train, test: split(batchSize), ...computeChannelStats(train.images, 3) };
  }
  const pairs = (k: number) => ({ a: images(k), b: images(k), n: k });
  return { kind: 'translate', ...base, train: pairs(n), test: pairs(batchSize) };
}

function speedConfig(task: Task, w: SpeedWorkload): ExperimentConfig {
  const base = createDefaultConfig();
  return {
    ...base,
    task,
    dataset: 'speed',
    model: w.model,
    inputSize: w.inputSize,
    batchSize: w.batchSize,
    // More steps than are ever timed: the measurement stops the trainer itself.
    steps: 1000,
    evalEvery: 1000,
    augment: true,
    seeds: [1],
    arms: [{ ...base.arms[0], rg: { mode: 'off', probability: 1, scale: 1 } }],
  };
}

/** Measures `w` on the backend active now (see the file's comment). */
export async function measureTrainingSpeed(w: SpeedWorkload, opts: SpeedOptions = {}): Promise<SpeedResult> {
  const budget = opts.budget ?? DEFAULT_SPEED_BUDGET;
  const now = opts.now ?? (() => performance.now());
  const task = findTaskOfModel(w.model);
  const t0 = now();
  let result: SpeedResult | null = null;
  let warmedAt = 0;
  let timedAt = 0;
  let timed = 0;
  let trainer: Trainer | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let settle: (() => void) | null = null;
  const finished = new Promise<void>((resolve) => (settle = resolve));
  const end = (r: SpeedResult): void => {
    result ??= r;
    trainer?.abort(new Error('measured'));
    settle?.();
  };
  /** Ends the measurement at `ms` from now unless a step comes first. */
  const deadline = (ms: number, r: () => SpeedResult): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => end(r()), Math.max(0, ms));
  };
  const measured = (): SpeedResult => ({ ok: true, imagesPerSec: (w.batchSize * timed * 1000) / (timedAt - warmedAt), msPerStep: (timedAt - warmedAt) / timed, warmupMs: warmedAt - t0, timedSteps: timed });
  /** No timed step within `limit` ms: slower than the best so far, or than the budget allows. */
  const noTimedStep = (limit: number) => (): SpeedResult =>
    timed > 0
      ? measured()
      : { ok: false, reason: `a training step took over ${Math.round(limit)} ms${opts.slowerThanName && limit === opts.slowerThanMsPerStep ? `, slower than ${opts.slowerThanName}` : ''}`, warmupMs: warmedAt - t0 };
  const notWarm = (): SpeedResult => ({ ok: false, reason: `not warmed up within ${(budget.warmupMs / 1000).toFixed(0)} s (shader compilation or a slow first step)` });
  deadline(budget.warmupMs, notWarm);
  const onStep = (step: number): void => {
    const t = now();
    if (step === 1) {
      // A warm-up that blocked the thread past its budget (a synchronous backend) is caught here.
      if (t - t0 > budget.warmupMs) return end(notWarm());
      warmedAt = t;
      timedAt = t;
    } else {
      timed = step - 1;
      timedAt = t;
    }
    const spent = timedAt - warmedAt;
    if (timed >= budget.steps || (timed > 0 && spent >= budget.measureMs)) return end(measured());
    if (timed > 0 && opts.slowerThanMsPerStep !== undefined && spent / timed > opts.slowerThanMsPerStep) return end(measured());
    // The next step: within the time left to measure, and no slower than the best so far.
    const left = budget.measureMs - spent;
    const limit = opts.slowerThanMsPerStep !== undefined ? Math.min(left, opts.slowerThanMsPerStep) : left;
    deadline(timed === 0 ? limit : left, timed === 0 ? noTimedStep(limit) : measured);
  };
  try {
    const t = new Trainer({ config: speedConfig(task, w), dataset: makeSpeedDataset(task, w.inputSize, w.batchSize), onRecord: () => {}, flushIntervalMs: 0, onProgress: (p) => onStep(p.step) });
    trainer = t;
    const running = t.run().then(
      () => end(timed > 0 ? measured() : { ok: false, reason: 'the run ended before a step was timed' }),
      (e: unknown) => end(result ? result : { ok: false, reason: `training failed: ${errorMessage(e)}` }),
    );
    // A backend passed over may still have a step in flight: its trainer is freed once that ends.
    const freed = running.finally(() => t.dispose());
    await finished;
    if (opts.waitForEnd) await freed;
  } catch (e) {
    end({ ok: false, reason: `training failed: ${errorMessage(e)}` });
  } finally {
    if (timer) clearTimeout(timer);
  }
  return result ?? { ok: false, reason: 'not measured' };
}
