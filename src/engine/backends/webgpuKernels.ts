import * as tf from '@tensorflow/tfjs';

/**
 * Corrections to tfjs-backend-webgpu 4.22's kernels, found by the conformance suite
 * (docs/conformance.md).
 *
 * AddN: the package compiles one shader with a storage-buffer binding per input, plus one for
 * the output. WebGPU allows maxStorageBuffersPerShaderStage of them per shader (8 unless the
 * device asks for more, and TF.js asks for no more), so adding 8 or more tensors fails to create
 * the pipeline: the output keeps whatever its buffer held, and the command buffer it was
 * batched in is invalid, so the other kernels queued in it (up to
 * WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, 15) never run either. The lab's global gradient norm adds
 * one term per parameter, so on WebGPU it dropped gradient copies and weight updates queued
 * beside it. This AddN sums at most limit - 1 inputs per shader, as the package's Concat does.
 */

interface WebGpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: tf.DataId): void;
}

let originalAddN: tf.KernelFunc | null = null;

/** The most inputs one AddN shader may read on `backend`: one binding goes to the output. */
export function maxAddNInputs(backend: WebGpuBackendLike): number {
  return Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
}

const addN: tf.KernelFunc = (args) => {
  const original = originalAddN;
  if (!original) throw new Error('webgpu AddN: the original kernel is missing');
  const backend = args.backend as unknown as WebGpuBackendLike;
  const limit = maxAddNInputs(backend);
  let level = args.inputs as unknown as tf.TensorInfo[];
  const partials: tf.TensorInfo[] = [];
  while (level.length > limit) {
    const next: tf.TensorInfo[] = [];
    for (let i = 0; i < level.length; i += limit) {
      const chunk = level.slice(i, i + limit);
      if (chunk.length === 1) {
        next.push(chunk[0]);
        continue;
      }
      const sum = original({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
      partials.push(sum);
      next.push(sum);
    }
    level = next;
  }
  const out = original({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap });
  // Released after the final sum is queued; the backend frees a buffer only once its commands ran.
  for (const p of partials) backend.disposeData(p.dataId);
  return out;
};

/** Kernels this module replaces on webgpu. */
export const WEBGPU_CORRECTED_KERNELS: readonly string[] = [tf.AddN];

/** Replaces webgpu's AddN with the chunked one (once; later calls do nothing). Call after importing the webgpu package. */
export function registerWebGpuKernels(): void {
  if (originalAddN) return;
  const existing = tf.getKernel(tf.AddN, 'webgpu');
  if (!existing) return;
  originalAddN = existing.kernelFunc;
  tf.unregisterKernel(tf.AddN, 'webgpu');
  tf.registerKernel({ kernelName: tf.AddN, backendName: 'webgpu', kernelFunc: addN });
}

/** The package's own webgpu AddN, for the repro that shows what this module corrects. */
export function originalWebGpuAddN(): tf.KernelFunc | null {
  return originalAddN;
}
