import * as tf from '@tensorflow/tfjs';
import type { OptimizerSnapshot } from './optim';
import type { ArmModels } from './tasks/types';

/**
 * Checkpoints: everything needed to continue a run exactly from a step, as plain,
 * structured-cloneable data (the worker posts them, IndexedDB stores them; src/persist/types.ts
 * re-exports these types). Every random stream a run draws from is keyed by (seed, step) or
 * (seed, epoch) — data order, augmentation, pix2pix dropout, RG draws — so no generator state
 * needs saving: `positions` records where the sampler stands, to check the data still fit.
 */

/** A tensor's values read back from the device, row-major. */
export interface TensorData {
  shape: number[];
  values: Float32Array;
}

/** One arm x seed of a checkpoint. */
export interface ArmCheckpoint {
  arm: string;
  seed: number;
  /** Every model's parameters then buffers, in the arm's model order (pix2pix: generator, discriminator). */
  weights: TensorData[];
  /** One snapshot per optimizer of the arm, in the arm's order. */
  optimizers: OptimizerSnapshot[];
  /** The trainer's per-arm state (live lr, momentum and loss weight, best metrics, divergence): plain JSON-like data. */
  state: Record<string, unknown>;
}

/** Everything needed to continue a run exactly from `step`; only the latest one per experiment is kept. */
export interface Checkpoint {
  /** Lock steps completed when it was taken. */
  step: number;
  epoch: number;
  /** Milliseconds since the epoch. */
  savedAt: number;
  arms: ArmCheckpoint[];
  /** RNG and sampler positions and any other run-wide state: plain JSON-like data. */
  positions: Record<string, unknown>;
}

/** A checkpoint that does not fit the run it is restored into (other arms, models, data or batch size). */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** An arm's state as device copies, taken between two steps; read it back with `readArmCapture`. */
export interface ArmCapture {
  weights: tf.Tensor[];
  optimizers: { step: number; momentumReady: boolean; slots: tf.Tensor[] }[];
}

/** Every variable of an arm, in checkpoint order: each model's parameters, then its buffers. */
export function armVariables(arm: ArmModels): tf.Variable[] {
  return arm.models.flatMap((m) => [...m.params, ...m.buffers]);
}

/**
 * Copies a tensor on the device. A copy, not a clone: training goes on while the copy is read
 * back, and on WebGPU a clone read after its source was reassigned came back as zeros (TF.js
 * 4.22). Multiplying by 1 is exact for every float, -0 and NaN included.
 */
export function copyTensor(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(t, 1));
}

/** Copies an arm's weights and optimizer state on the device, synchronously. */
export function captureArm(arm: ArmModels): ArmCapture {
  return {
    weights: armVariables(arm).map(copyTensor),
    optimizers: arm.optimizers.map((o) => o.copyState()),
  };
}

/** Reads tensors back and disposes them, even when a read fails. */
export async function readTensors(ts: tf.Tensor[]): Promise<TensorData[]> {
  try {
    const values = await Promise.all(ts.map((t) => t.data()));
    // The copies are disposed below, so their arrays (the backing store itself on cpu) are ours.
    return ts.map((t, i) => {
      const v = values[i];
      return { shape: [...t.shape], values: v instanceof Float32Array ? v : Float32Array.from(v) };
    });
  } finally {
    tf.dispose(ts);
  }
}

/** Reads an arm's capture back into plain data, disposing its copies. */
export async function readArmCapture(c: ArmCapture): Promise<Pick<ArmCheckpoint, 'weights' | 'optimizers'>> {
  try {
    const [weights, optimizers] = await Promise.all([
      readTensors(c.weights),
      Promise.all(c.optimizers.map(async (o) => ({ step: o.step, momentumReady: o.momentumReady, slots: await readTensors(o.slots) }))),
    ]);
    return { weights, optimizers };
  } finally {
    disposeArmCapture(c);
  }
}

/** Frees a capture's copies (those not read yet). */
export function disposeArmCapture(c: ArmCapture): void {
  tf.dispose([...c.weights, ...c.optimizers.flatMap((o) => o.slots)]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws a CheckpointError unless `data` fits `shapes` one to one. */
export function checkTensorData(data: readonly TensorData[], shapes: readonly (readonly number[])[], what: string): void {
  if (data.length !== shapes.length) throw new CheckpointError(`${what}: the checkpoint has ${data.length} tensors, the run ${shapes.length}`);
  data.forEach((d, i) => {
    if (!sameShape(d.shape, shapes[i])) {
      throw new CheckpointError(`${what}[${i}]: the checkpoint's shape [${d.shape.join(', ')}] is not the run's [${shapes[i].join(', ')}]`);
    }
    const size = d.shape.reduce((a, b) => a * b, 1);
    if (!(d.values instanceof Float32Array) || d.values.length !== size) {
      throw new CheckpointError(`${what}[${i}]: expected ${size} float32 values for shape [${d.shape.join(', ')}]`);
    }
  });
}

/** Throws a CheckpointError unless a checkpoint's weights and optimizer state fit an arm built for the same config. */
export function checkArmCheckpoint(arm: ArmModels, c: ArmCheckpoint): void {
  const what = `arm ${c.arm} (seed ${c.seed})`;
  checkTensorData(c.weights, armVariables(arm).map((v) => v.shape), `${what} weights`);
  if (c.optimizers.length !== arm.optimizers.length) {
    throw new CheckpointError(`${what}: the checkpoint has ${c.optimizers.length} optimizers, the run ${arm.optimizers.length}`);
  }
  arm.optimizers.forEach((o, i) => checkTensorData(c.optimizers[i].slots, o.slotShapes(), `${what} optimizer ${i} state`));
}

/**
 * A tensor of `data`'s values in an array of its own: the cpu backend keeps the array it is
 * given, so a checkpoint's array transferred or changed later would change the run.
 */
export function tensorFromData(data: TensorData): tf.Tensor {
  return tf.tensor(data.values.slice(), data.shape);
}

/** Puts a checkpoint's weights and optimizer state into an arm (check it first with `checkArmCheckpoint`). */
export function restoreArm(arm: ArmModels, c: ArmCheckpoint): void {
  armVariables(arm).forEach((v, i) => tf.tidy(() => v.assign(tensorFromData(c.weights[i]))));
  arm.optimizers.forEach((o, i) => o.restore(c.optimizers[i]));
}

/** The trainer's per-arm state that a checkpoint keeps besides tensors. */
export interface ArmLiveState {
  /** Live settings (setParams). */
  lr: number;
  momentum: number;
  /** The RG scale ("loss weight"). */
  lossWeight: number;
  /** Why the arm diverged, or null. */
  diverged: string | null;
  divergedAt: number;
  stepsDone: number;
  msTotal: number;
  lastEval: Record<string, number>;
  best: Record<string, number>;
}

function readMetrics(v: unknown, what: string): Record<string, number> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CheckpointError(`${what} must be an object of numbers`);
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'number') throw new CheckpointError(`${what}.${k} must be a number`);
    out[k] = x;
  }
  return out;
}

/** Reads an arm's `state` back, checking every field; throws a CheckpointError naming the first bad one. */
export function parseArmState(state: Record<string, unknown>, what: string): ArmLiveState {
  const num = (k: keyof ArmLiveState): number => {
    const v = state[k];
    if (typeof v !== 'number') throw new CheckpointError(`${what}: state.${k} must be a number`);
    return v;
  };
  const diverged = state.diverged;
  if (diverged !== null && typeof diverged !== 'string') throw new CheckpointError(`${what}: state.diverged must be a reason or null`);
  return {
    lr: num('lr'),
    momentum: num('momentum'),
    lossWeight: num('lossWeight'),
    diverged,
    divergedAt: num('divergedAt'),
    stepsDone: num('stepsDone'),
    msTotal: num('msTotal'),
    lastEval: readMetrics(state.lastEval, `${what}: state.lastEval`),
    best: readMetrics(state.best, `${what}: state.best`),
  };
}

/** Where the epoch sampler stands at a checkpoint; its sizes must match the run it is restored into. */
export interface SamplerPosition {
  /** The epoch and the batch within it that the next step draws. */
  epoch: number;
  batch: number;
  stepsPerEpoch: number;
  batchSize: number;
}

/** Reads `positions.sampler` back; throws a CheckpointError when it is missing or malformed. */
export function parseSamplerPosition(positions: Record<string, unknown>): SamplerPosition {
  const p = positions.sampler;
  if (typeof p !== 'object' || p === null) throw new CheckpointError('the checkpoint has no sampler position');
  const num = (k: keyof SamplerPosition): number => {
    const v: unknown = Reflect.get(p, k);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new CheckpointError(`positions.sampler.${k} must be an integer`);
    return v;
  };
  return { epoch: num('epoch'), batch: num('batch'), stepsPerEpoch: num('stepsPerEpoch'), batchSize: num('batchSize') };
}

/** Every buffer of a checkpoint's tensors, for postMessage's transfer list. */
export function checkpointBuffers(c: Checkpoint): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of c.arms) {
    for (const t of [...a.weights, ...a.optimizers.flatMap((o) => o.slots)]) {
      if (t.values.buffer instanceof ArrayBuffer) buffers.add(t.values.buffer);
    }
  }
  return [...buffers];
}

/**
 * A copy of a checkpoint whose tensors have buffers of their own, to transfer while keeping the
 * original; the plain parts are shared (postMessage clones them anyway).
 */
export function copyCheckpointTensors(c: Checkpoint): Checkpoint {
  const copy = (t: TensorData): TensorData => ({ shape: [...t.shape], values: t.values.slice() });
  return {
    ...c,
    arms: c.arms.map((a) => ({ ...a, weights: a.weights.map(copy), optimizers: a.optimizers.map((o) => ({ ...o, slots: o.slots.map(copy) })) })),
  };
}

/** What a checkpoint is restored into: a fresh run's plan and its arm runs, in order. */
export interface RestoreTarget {
  totalSteps: number;
  stepsPerEpoch: number;
  batchSize: number;
  runs: readonly { name: string; seed: number; arm: ArmModels }[];
}

/**
 * Checks that checkpoint `c` fits `target` (step, sampler sizes, arm runs, weight and optimizer
 * shapes) before anything changes; returns each arm run's live state, in order. Throws a
 * CheckpointError naming what does not fit.
 */
export function checkRestore(c: Checkpoint, target: RestoreTarget): ArmLiveState[] {
  if (!Number.isInteger(c.step) || c.step < 0 || c.step > target.totalSteps) {
    throw new CheckpointError(`the checkpoint is at step ${c.step}, but this run has ${target.totalSteps} steps`);
  }
  const pos = parseSamplerPosition(c.positions);
  if (pos.stepsPerEpoch !== target.stepsPerEpoch || pos.batchSize !== target.batchSize) {
    throw new CheckpointError(
      `the checkpoint was taken with ${pos.stepsPerEpoch} batches of ${pos.batchSize} per epoch, this run has ${target.stepsPerEpoch} of ${target.batchSize}: the dataset or the batch size changed`,
    );
  }
  if (c.arms.length !== target.runs.length) throw new CheckpointError(`the checkpoint has ${c.arms.length} arm runs, this run ${target.runs.length}`);
  return target.runs.map((r, i) => {
    const a = c.arms[i];
    if (a.arm !== r.name || a.seed !== r.seed) {
      throw new CheckpointError(`the checkpoint's arm run ${i} is ${a.arm} (seed ${a.seed}), this run's is ${r.name} (seed ${r.seed})`);
    }
    checkArmCheckpoint(r.arm, a);
    return parseArmState(a.state, `arm ${a.arm} (seed ${a.seed})`);
  });
}

/** One arm run as the trainer holds it: its name and seed, its models and its live state. */
export interface CheckpointedRun extends ArmLiveState {
  config: { name: string };
  seed: number;
  arm: ArmModels;
}

/** A run's device copies and plain state, taken between two steps, not yet read back. */
export interface RunCapture {
  step: number;
  epoch: number;
  positions: { sampler: SamplerPosition };
  arms: { arm: string; seed: number; capture: ArmCapture; state: ArmLiveState }[];
}

/** Copies the run's state at lock step `step` on the device and takes its plain state, synchronously. */
export function captureRun(step: number, stepsPerEpoch: number, batchSize: number, runs: readonly CheckpointedRun[]): RunCapture {
  return {
    step,
    epoch: Math.floor(step / stepsPerEpoch),
    positions: { sampler: { epoch: Math.floor(step / stepsPerEpoch), batch: step % stepsPerEpoch, stepsPerEpoch, batchSize } },
    arms: runs.map((run) => ({
      arm: run.config.name,
      seed: run.seed,
      capture: captureArm(run.arm),
      state: {
        lr: run.lr,
        momentum: run.momentum,
        lossWeight: run.lossWeight,
        diverged: run.diverged,
        divergedAt: run.divergedAt,
        stepsDone: run.stepsDone,
        msTotal: run.msTotal,
        lastEval: { ...run.lastEval },
        best: { ...run.best },
      },
    })),
  };
}

/** Reads a capture back; every copy is disposed, whether its read succeeds or not. */
export async function readRunCapture(c: RunCapture): Promise<Checkpoint> {
  const arms = await Promise.all(c.arms.map(async ({ arm, seed, capture, state }) => ({ arm, seed, ...(await readArmCapture(capture)), state: { ...state } })));
  return { step: c.step, epoch: c.epoch, savedAt: Date.now(), arms, positions: c.positions };
}
