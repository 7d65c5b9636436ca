import * as tf from '@tensorflow/tfjs';
import type { ArmConfig, ExperimentConfig } from '../engine/config';
import { computeChannelStats, type ClassificationDataset, type ImageSplit } from '../engine/dataset';
import { createModel, disposeModel } from '../engine/models';
import { Rng } from '../engine/rng';
import { softmaxCrossEntropy } from '../engine/tasks/classify';
import { Trainer } from '../engine/trainer';
import type { AdapterInfo, BackendName } from './protocol';

/**
 * The backend preflight's measurements: which kernels a model needs to train (recorded once on
 * the cpu backend with a tiny real run, so gradients, optimizers, batching and evaluation are
 * all covered), which of them a backend lacks, and how far a backend's forward+backward pass
 * lands from the cpu's.
 */

/** Largest relative difference from the cpu backend that a backend may show. */
export const MAX_RELATIVE_ERROR = 1e-3;

const PROBE_SIZE = 8;
const PROBE_CLASSES = 4;
const PROBE_BATCH = 2;
const PROBE_SEED = 12345;

function makeProbeSplit(n: number, rng: Rng): ImageSplit {
  const images = new Uint8Array(n * PROBE_SIZE * PROBE_SIZE * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % PROBE_CLASSES), n };
}

function makeProbeDataset(): ClassificationDataset {
  const rng = new Rng(PROBE_SEED);
  const train = makeProbeSplit(8, rng);
  return {
    kind: 'classify',
    name: 'preflight',
    classNames: Array.from({ length: PROBE_CLASSES }, (_, k) => `c${k}`),
    height: PROBE_SIZE,
    width: PROBE_SIZE,
    channels: 3,
    train,
    test: makeProbeSplit(4, rng),
    ...computeChannelStats(train.images, 3),
  };
}

function makeProbeConfig(model: string): ExperimentConfig {
  const sgd = (name: string, nesterov: boolean): ArmConfig => ({
    name,
    optimizer: { type: 'sgd', lr: 0.01, momentum: 0.5, nesterov, weightDecay: 5e-4 },
    lrSchedule: { type: 'constant' },
    rg: { mode: 'uniform', low: 0, high: 1, probability: 0.5, scale: 1 },
  });
  const adam = (type: 'adam' | 'adamw'): ArmConfig => ({
    name: type,
    optimizer: { type, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 },
    lrSchedule: { type: 'constant' },
    rg: { mode: 'off', probability: 1, scale: 1 },
  });
  return {
    task: 'classify',
    dataset: 'preflight',
    model,
    inputSize: PROBE_SIZE,
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
 * Every kernel a tiny training run of `model` calls: forward, gradients, optimizers, batching,
 * evaluation. Run it with the cpu backend active.
 */
export async function recordTrainingKernels(model: string): Promise<string[]> {
  const dataset = makeProbeDataset();
  const info = await tf.profile(async () => {
    const trainer = new Trainer({ config: makeProbeConfig(model), dataset, onRecord: () => {} });
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

/** The kernels of `needed` that `backend` has not registered. */
export function findMissingKernels(needed: readonly string[], backend: BackendName): string[] {
  return needed.filter((k) => tf.getKernel(k, backend) === undefined);
}

/**
 * One tiny forward+backward pass of `model` on the active backend, from fixed weights and
 * inputs: the loss followed by every gradient, flattened.
 */
export async function computeProbeGradients(model: string): Promise<Float32Array[]> {
  const spec = { inputSize: PROBE_SIZE, channels: 3, numClasses: PROBE_CLASSES };
  const m = createModel(model, spec, Rng.stream(PROBE_SEED, 'init'));
  const rng = Rng.stream(PROBE_SEED, 'data');
  const xValues = Float32Array.from({ length: PROBE_BATCH * PROBE_SIZE * PROBE_SIZE * 3 }, () => rng.normal());
  const labels = Int32Array.from({ length: PROBE_BATCH }, (_, i) => i % PROBE_CLASSES);
  try {
    const { value, grads } = tf.tidy(() => {
      const x = tf.tensor4d(xValues, [PROBE_BATCH, PROBE_SIZE, PROBE_SIZE, 3]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), PROBE_CLASSES).toFloat();
      return tf.variableGrads(() => softmaxCrossEntropy(m.apply(x, true), y), m.params);
    });
    const ordered = [value, ...m.params.map((p) => grads[p.name])];
    const out = await Promise.all(ordered.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(ordered);
    return out;
  } finally {
    disposeModel(m);
  }
}

/**
 * The largest relative difference between two probe results: per tensor, the biggest absolute
 * difference over the reference's biggest magnitude. NaN or a shape mismatch gives Infinity.
 */
export function compareProbes(reference: readonly Float32Array[], got: readonly Float32Array[]): number {
  if (reference.length !== got.length) return Infinity;
  let worst = 0;
  reference.forEach((ref, i) => {
    const g = got[i];
    if (g.length !== ref.length) {
      worst = Infinity;
      return;
    }
    let scale = 1e-12;
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
    return `requestAdapter() failed: ${e instanceof Error ? e.message : String(e)}`;
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
