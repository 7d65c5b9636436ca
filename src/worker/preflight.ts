import * as tf from '@tensorflow/tfjs';
import { type KernelCase, mergeCases, recordKernelCases } from '../engine/backends/conformance';
import { MODELS_BY_TASK, TASKS, type ArmConfig, type ExperimentConfig, type Task } from '../engine/config';
import { computeChannelStats, IGNORE_INDEX, type Dataset, type ImageSplit, type PairSplit, type SegmentationSplit } from '../engine/dataset';
import { Rng } from '../engine/rng';
import { createTaskRunner } from '../engine/tasks';
import { disposeArm } from '../engine/tasks/types';
import { Trainer } from '../engine/trainer';
import type { AdapterInfo, BackendName } from './protocol';
import { errorMessage } from '../engine/errors';

/**
 * The backend preflight's measurements, for a model of any task: which kernels it needs to train
 * (recorded once on the cpu backend with a tiny real run, so gradients, optimizers, batching,
 * augmentation, evaluation and samples are all covered), which of them a backend lacks, and how
 * far a backend's forward+backward pass lands from the cpu's.
 */

/** Largest relative difference from the cpu backend that a backend may show. */
export const MAX_RELATIVE_ERROR = 1e-3;

const PROBE_CLASSES = 4;
const PROBE_BATCH = 2;
const PROBE_SEED = 12345;
/** Probe image side per task: segmenters pool down 8x and pix2pix's SSIM window is 11 px. */
const PROBE_SIZE: Record<Task, number> = { classify: 8, segment: 16, translate: 16 };

/** The task whose model list holds `model` (model names are unique across tasks). */
export function findTaskOfModel(model: string): Task {
  return TASKS.find((t) => MODELS_BY_TASK[t].includes(model)) ?? 'classify';
}

function makeProbeImages(n: number, size: number, rng: Rng): Uint8Array {
  const images = new Uint8Array(n * size * size * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  return images;
}

function makeProbeSplit(n: number, rng: Rng): ImageSplit {
  const images = makeProbeImages(n, PROBE_SIZE.classify, rng);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % PROBE_CLASSES), n };
}

/** Masks with every class and some void (255) pixels, so the masked loss is exercised. */
function makeProbeMasks(n: number, size: number, rng: Rng): Uint8Array {
  return Uint8Array.from({ length: n * size * size }, () => (rng.int(8) === 0 ? IGNORE_INDEX : rng.int(PROBE_CLASSES)));
}

/** A tiny random dataset of `task`'s kind. */
function makeProbeDataset(task: Task): Dataset {
  const rng = new Rng(PROBE_SEED);
  const size = PROBE_SIZE[task];
  const base = { name: 'preflight', height: size, width: size, channels: 3 };
  const classNames = Array.from({ length: PROBE_CLASSES }, (_, k) => `c${k}`);
  if (task === 'classify') {
    const train = makeProbeSplit(8, rng);
    return { kind: 'classify', ...base, classNames, train, test: makeProbeSplit(4, rng), ...computeChannelStats(train.images, 3) };
  }
  if (task === 'segment') {
    const split = (n: number): SegmentationSplit => ({ images: makeProbeImages(n, size, rng), masks: makeProbeMasks(n, size, rng), n });
    const train = split(8);
    const palette = classNames.map((_, k): [number, number, number] => [k * 60, 255 - k * 60, 128]);
    return { kind: 'segment', ...base, classNames, palette, train, test: split(4), ...computeChannelStats(train.images, 3) };
  }
  const pairs = (n: number): PairSplit => ({ a: makeProbeImages(n, size, rng), b: makeProbeImages(n, size, rng), n });
  return { kind: 'translate', ...base, train: pairs(8), test: pairs(4) };
}

function makeProbeConfig(task: Task, model: string): ExperimentConfig {
  const rg: ArmConfig['rg'] = { mode: 'uniform', low: 0, high: 1, probability: 0.5, scale: 1, ...(task === 'translate' ? { applyTo: 'both' as const } : {}) };
  const sgd = (name: string, nesterov: boolean): ArmConfig => ({
    name,
    optimizer: { type: 'sgd', lr: 0.01, momentum: 0.5, nesterov, weightDecay: 5e-4 },
    lrSchedule: task === 'segment' ? { type: 'poly', power: 0.9 } : { type: 'constant' },
    rg,
  });
  const adam = (type: 'adam' | 'adamw'): ArmConfig => ({
    name: type,
    optimizer: { type, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 },
    lrSchedule: { type: 'constant' },
    rg: { ...rg, mode: 'off' },
  });
  return {
    task,
    dataset: 'preflight',
    model,
    inputSize: PROBE_SIZE[task],
    batchSize: PROBE_BATCH,
    // Two steps: SGD's momentum buffer is only blended from the second step on.
    steps: 2,
    evalEvery: 2,
    seeds: [1],
    augment: true,
    arms: [sgd('sgd', false), sgd('nesterov', true), adam('adam'), adam('adamw')],
  };
}

/**
 * Every kernel a tiny training run of `model` (of `task`) calls: forward, gradients, optimizers,
 * batching and augmentation, evaluation, the UI's samples. Run it with the cpu backend active.
 */
export async function recordTrainingKernels(model: string, task: Task = findTaskOfModel(model)): Promise<string[]> {
  const dataset = makeProbeDataset(task);
  const info = await tf.profile(async () => {
    const trainer = new Trainer({ config: makeProbeConfig(task, model), dataset, onRecord: () => {}, onSamples: () => {}, sampleCount: 2 });
    try {
      await trainer.run();
    } finally {
      trainer.dispose();
    }
    return 0;
  });
  // Composite ops (custom gradients such as logSoftmax) show up under their own names but run
  // as registered kernels, which are recorded too: keep only the names cpu registers.
  return [...new Set(info.kernelNames)].filter((k) => tf.getKernel(k, 'cpu') !== undefined).sort();
}

/**
 * The distinct kernel calls (shapes, attributes) of a tiny training run of each of `models`
 * (default: every model of every task), recorded on the cpu backend and merged: the backend
 * conformance suite's cases (docs/conformance.md). Leaves cpu active.
 */
export async function recordModelCases(models: readonly string[] = TASKS.flatMap((t) => MODELS_BY_TASK[t])): Promise<KernelCase[]> {
  await tf.setBackend('cpu');
  const lists: KernelCase[][] = [];
  for (const model of models) lists.push(await recordKernelCases(() => recordTrainingKernels(model)));
  return mergeCases(...lists);
}

/** The kernels of `needed` that `backend` has not registered. */
export function findMissingKernels(needed: readonly string[], backend: BackendName): string[] {
  return needed.filter((k) => tf.getKernel(k, backend) === undefined);
}

/**
 * One tiny training step of `model` (of `task`) on the active backend, from fixed weights and
 * a fixed batch, with the optimizers replaced by recorders: the loss followed by every gradient
 * each optimizer was handed (pix2pix: the discriminator's, then the generator's), flattened.
 */
export async function computeProbeGradients(model: string, task: Task = findTaskOfModel(model)): Promise<Float32Array[]> {
  const config = { ...makeProbeConfig(task, model), augment: false };
  const armConfig: ArmConfig = { ...config.arms[0], rg: { mode: 'off', probability: 1, scale: 1 } };
  const runner = createTaskRunner(config, makeProbeDataset(task));
  const arm = runner.createArm(armConfig, 1, null);
  const grads: tf.Tensor[] = [];
  for (const opt of arm.optimizers) {
    opt.applyGradients = (gs) => {
      // A real copy, not clone(): on WebGPU a clone read after its source is disposed came back
      // as zeros (seen with TF.js 4.22 on SwiftShader), failing a backend that computes right.
      for (const g of gs) grads.push(tf.keep(tf.mul(g, 1)));
    };
  }
  const batch = runner.trainBatch(1, 0);
  try {
    const out = runner.step(arm, armConfig, batch, { weight: 1, lr: 0.01 });
    const extras = Object.values(out.extras ?? {});
    const ordered = [out.loss, ...grads];
    const values = await Promise.all(ordered.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([out.loss, out.gradNorm, ...extras]);
    return values;
  } finally {
    tf.dispose(grads);
    runner.disposeBatch(batch);
    disposeArm(arm);
    runner.dispose();
  }
}

/**
 * A tensor's differences are measured against at least this fraction of the largest magnitude
 * over all the probe's tensors. Some gradients are zero in exact arithmetic (a bias or BN offset
 * feeding a training-mode batch norm, which removes any per-channel shift; a BN over two 1x1
 * values), so both backends return rounding noise there (~1e-9), and noise over its own scale
 * is ~1 however right each backend is (mobilenetv2's project-BN offsets did this on WebGPU).
 */
export const PROBE_SCALE_FLOOR = 1e-3;

/**
 * The largest relative difference between two probe results: per tensor, the biggest absolute
 * difference over the reference's biggest magnitude (or PROBE_SCALE_FLOOR of the largest over
 * all tensors, if more). NaN or a shape mismatch gives Infinity.
 */
export function compareProbes(reference: readonly Float32Array[], got: readonly Float32Array[]): number {
  if (reference.length !== got.length) return Infinity;
  let overall = 0;
  for (const ref of reference) for (let j = 0; j < ref.length; j++) overall = Math.max(overall, Math.abs(ref[j]));
  const floor = Math.max(1e-12, PROBE_SCALE_FLOOR * overall);
  let worst = 0;
  reference.forEach((ref, i) => {
    const g = got[i];
    if (g.length !== ref.length) {
      worst = Infinity;
      return;
    }
    let scale = floor;
    let diff = 0;
    for (let j = 0; j < ref.length; j++) {
      scale = Math.max(scale, Math.abs(ref[j]));
      const d = Math.abs(ref[j] - g[j]);
      diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    }
    worst = Math.max(worst, diff / scale);
  });
  return worst;
}

interface GpuAdapterLike {
  info?: Partial<AdapterInfo>;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/**
 * Asks for a WebGPU adapter. Resolves to its description, or to a reason string when there is
 * none (no `navigator.gpu`, or no adapter: Chrome without a GPU needs --enable-unsafe-webgpu).
 */
export async function probeWebGpu(): Promise<AdapterInfo | string> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (!nav?.gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch (e) {
    return `requestAdapter() failed: ${errorMessage(e)}`;
  }
  if (!adapter) return 'requestAdapter() found no WebGPU adapter (GPU blocked or absent)';
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
}
