import * as tf from '@tensorflow/tfjs';
import { runConformance, type KernelCase, type KernelResult } from '../../src/engine/backends/conformance';
import { initBackend, type BackendName } from '../../src/engine/backends/setup';
import { originalWebGpuAddN, originalWebGpuResizeBilinearGrad } from '../../src/engine/backends/webgpuKernels';
import { compareProbes, computeProbeGradients } from '../../src/worker/preflight';
import cases from '../../src/engine/backends/conformance-cases.json';

/**
 * The browser half of the conformance suite, bundled by e2e/conformance.spec.ts and run in a
 * page: replays the committed kernel calls of every model's tiny training run
 * (conformance-cases.json, recorded by src/bench/conformance.ts and checked against the models by
 * the Node half) on cpu and on each asked backend. A backend that fails to start is reported.
 */
export interface HarnessRun {
  results: KernelResult[];
  unavailable: Record<string, string>;
  cases: number;
  kernels: number;
  ms: Record<string, number>;
}

async function run(backends: BackendName[]): Promise<HarnessRun> {
  const unavailable: Record<string, string> = {};
  const ready: string[] = [];
  for (const b of backends) {
    try {
      await initBackend(b, b === 'wasm' ? { wasmPath: '/conformance/wasm/', threads: false } : {});
      ready.push(b);
    } catch (e) {
      unavailable[b] = e instanceof Error ? e.message : String(e);
    }
  }
  await initBackend('cpu');
  const list = cases as KernelCase[];
  const ms: Record<string, number> = {};
  const results: KernelResult[] = [];
  for (const b of ready) {
    const t = performance.now();
    results.push(...(await runConformance(list, [b])));
    ms[b] = Math.round(performance.now() - t);
  }
  return { results, unavailable, cases: list.length, kernels: new Set(list.map((c) => c.kernel)).size, ms };
}

/**
 * `n` tensors of `size` values added on webgpu by the lab's AddN; with the device's
 * storage-buffer limit, which the package's kernel exceeds past limit - 1 inputs.
 */
async function addNRepro(n: number, size: number): Promise<{ limit: number; corrected: number[] }> {
  await initBackend('webgpu');
  if (!originalWebGpuAddN()) throw new Error('the webgpu AddN was not replaced');
  const backend = tf.backend() as unknown as tf.KernelBackend & { device: { limits: { maxStorageBuffersPerShaderStage: number } } };
  const inputs = Array.from({ length: n }, (_, i) => tf.fill([size], i + 1));
  const viaLab = tf.addN(inputs);
  const out = { limit: backend.device.limits.maxStorageBuffersPerShaderStage, corrected: Array.from(await viaLab.data()) };
  tf.dispose([...inputs, viaLab]);
  await tf.setBackend('cpu');
  return out;
}

/** The preflight's gradient check of `model` on `backend`: its probe step's relative distance from cpu's. */
async function preflight(model: string, backend: BackendName): Promise<number> {
  await initBackend(backend);
  await initBackend('cpu');
  const reference = await computeProbeGradients(model);
  await tf.setBackend(backend);
  try {
    return compareProbes(reference, await computeProbeGradients(model));
  } finally {
    await tf.setBackend('cpu');
  }
}

/**
 * The ResizeBilinearGrad repro: the gradient of an aligned-corners resize from 1 x w to 4 x 2w
 * on cpu, by the package's webgpu kernel and by the lab's corrected one.
 */
async function resizeGradRepro(w: number): Promise<{ cpu: number[]; original: number[]; corrected: number[] }> {
  await initBackend('webgpu');
  const original = originalWebGpuResizeBilinearGrad();
  if (!original) throw new Error('the webgpu ResizeBilinearGrad was not replaced');
  const dyValues = Float32Array.from({ length: 4 * 2 * w }, (_, i) => 1 + (i % 5));
  const attrs = { alignCorners: true, halfPixelCenters: false };
  const grad = async (viaPackage: boolean) => {
    const images = tf.zeros([1, 1, w, 1]);
    const dy = tf.tensor4d(dyValues, [1, 4, 2 * w, 1]);
    const out = viaPackage
      ? tf.engine().makeTensorFromTensorInfo(original({ inputs: { images, dy }, backend: tf.backend(), attrs }) as tf.TensorInfo)
      : (tf.engine().runKernel(tf.ResizeBilinearGrad, { images, dy }, attrs) as tf.Tensor);
    const values = Array.from(await out.data());
    tf.dispose([images, dy, out]);
    return values;
  };
  const corrected = await grad(false);
  const viaPackage = await grad(true);
  await tf.setBackend('cpu');
  const cpu = await grad(false);
  return { cpu, original: viaPackage, corrected };
}

(globalThis as { conformance?: unknown }).conformance = { run, addNRepro, preflight, resizeGradRepro };
