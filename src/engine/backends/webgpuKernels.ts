import * as tf from '@tensorflow/tfjs';

/**
 * Corrections to tfjs-backend-webgpu 4.22's kernels, found with the conformance suite and the
 * preflight (docs/conformance.md).
 *
 * AddN: the package compiles one shader with a storage-buffer binding per input, plus one for
 * the output. WebGPU allows maxStorageBuffersPerShaderStage of them per shader (8 unless the
 * device asks for more, and TF.js asks for no more), so adding 8 or more tensors fails to create
 * the pipeline: the output keeps whatever its buffer held, and the command buffer it was
 * batched in is invalid, so the other kernels queued in it (up to
 * WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, 15) never run either. The lab's global gradient norm adds
 * one term per parameter, so on WebGPU it dropped gradient copies and weight updates queued
 * beside it. This AddN sums at most limit - 1 inputs per shader, as the package's Concat does.
 *
 * ResizeBilinearGrad with alignCorners from a 1-pixel side (PSPNet's 1x1 pyramid bin upsampled):
 * the package computes that side's scale as 0 / (out - 1) = 0, its inverse as Infinity and a
 * search window of Infinity rows, which the int32 uniform turns into no rows at all, so the
 * gradient is all zeros. Every output pixel then reads that one input pixel with weight 1, so
 * the gradient along that side is dy summed over it; the package handles the rest.
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

let originalResizeGrad: tf.KernelFunc | null = null;

const resizeBilinearGrad: tf.KernelFunc = (args) => {
  const original = originalResizeGrad;
  const sum = tf.getKernel(tf.Sum, 'webgpu')?.kernelFunc;
  if (!original || !sum) throw new Error('webgpu ResizeBilinearGrad: the original kernels are missing');
  const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners } = args.attrs as unknown as tf.ResizeBilinearGradAttrs;
  const backend = args.backend as unknown as WebGpuBackendLike;
  const axes = [1, 2].filter((a) => alignCorners && images.shape[a] === 1 && dy.shape[a] > 1);
  if (axes.length === 0) return original(args);
  const summed = sum({ inputs: { x: dy }, backend: args.backend, attrs: { axis: axes, keepDims: true } }) as tf.TensorInfo;
  if (summed.shape[1] === images.shape[1] && summed.shape[2] === images.shape[2]) return summed;
  const out = original({ ...args, inputs: { images, dy: summed } });
  backend.disposeData(summed.dataId);
  return out;
};

/** Kernels this module replaces on webgpu. */
export const WEBGPU_CORRECTED_KERNELS: readonly string[] = [tf.AddN, tf.ResizeBilinearGrad];

/** Replaces webgpu's AddN and ResizeBilinearGrad with the corrected ones (once; later calls do nothing). Call after importing the webgpu package. */
export function registerWebGpuKernels(): void {
  if (originalAddN) return;
  const addNKernel = tf.getKernel(tf.AddN, 'webgpu');
  const resizeKernel = tf.getKernel(tf.ResizeBilinearGrad, 'webgpu');
  if (!addNKernel || !resizeKernel) return;
  originalAddN = addNKernel.kernelFunc;
  originalResizeGrad = resizeKernel.kernelFunc;
  tf.unregisterKernel(tf.AddN, 'webgpu');
  tf.registerKernel({ kernelName: tf.AddN, backendName: 'webgpu', kernelFunc: addN });
  tf.unregisterKernel(tf.ResizeBilinearGrad, 'webgpu');
  tf.registerKernel({ kernelName: tf.ResizeBilinearGrad, backendName: 'webgpu', kernelFunc: resizeBilinearGrad });
}

/** The package's own webgpu AddN, for the repro that shows what this module corrects. */
export function originalWebGpuAddN(): tf.KernelFunc | null {
  return originalAddN;
}

/** The package's own webgpu ResizeBilinearGrad, for the repro that shows what this module corrects. */
export function originalWebGpuResizeBilinearGrad(): tf.KernelFunc | null {
  return originalResizeGrad;
}
