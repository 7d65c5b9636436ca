import * as tf from '@tensorflow/tfjs';
// The wasm package registers its own kernels on import; ours must be registered after it, or
// its slow Conv2DBackpropInput would overwrite the fast one.
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilter, conv2DBackpropInput, depthwiseBackpropFilter, depthwiseBackpropInput } from './wasmConvGrads';
import { heapOffset, simdKernels, type WasmHeapBackend, zeroOnHeap } from './simd/simd';
import { type Info, inputOf, withScope } from './wasmScope';

/**
 * Training kernels for TF.js's wasm backend, which lacks the conv filter gradients, has only a
 * slow scalar loop for the conv input gradient, and has slow generic loops for several ops that
 * batch-norm gradients lean on (Tile, leading-axis Sum and Mean). Each is rebuilt from kernels
 * the wasm backend runs fast (XNNPACK convolution, pooling, transpose, broadcast multiply),
 * called directly on TensorInfos: nothing here touches the engine, the tape or tensor counts,
 * and every intermediate is freed before the kernel returns. Conv gradients: NHWC only,
 * dilation 1 (TF.js's own conv2d and depthwiseConv2d gradients refuse dilation > 1 anyway).
 *
 * Shapes: x [n, h, w, ci], dy [n, oh, ow, co], conv filter [fh, fw, ci, co], depthwise filter
 * [fh, fw, ci, m] with co = ci * m. "Pads" are the forward conv's top/left pads.
 */

/** wasm's own kernels that ours replace, kept for the cases the fast paths do not cover. */
const originals = new Map<string, tf.KernelFunc>();

function runOriginal(kernelName: string, args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> {
  const original = originals.get(kernelName);
  if (!original) throw new Error(`wasm kernel ${kernelName}: no fallback registered`);
  return original(args);
}

/**
 * Tile as a broadcast multiply by ones: x viewed as [1, d0, 1, d1, ...] times ones of shape
 * [r0, 1, r1, 1, ...] lays out exactly the tiled tensor, and x * 1 is x bit for bit. wasm's
 * native Tile walks indices one element at a time (~40 ms for the [n, h, w, 1] tiles in every
 * batch-norm gradient); XNNPACK's broadcast is ~50x faster.
 */
const tile: tf.KernelFunc = (args) => {
  const x = inputOf(args.inputs, 'x');
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  // Pairs of (repeat, extent) as (ones dim, x dim); neighbours of the same kind merge.
  const onesShape: number[] = [];
  const xShape: number[] = [];
  const push = (r: number, d: number) => {
    const last = onesShape.length - 1;
    if (last >= 0 && (r === 1) === (onesShape[last] === 1) && (d === 1) === (xShape[last] === 1)) {
      onesShape[last] *= r;
      xShape[last] *= d;
    } else {
      onesShape.push(r);
      xShape.push(d);
    }
  };
  x.shape.forEach((d, i) => {
    if (reps[i] !== 1) push(reps[i], 1);
    if (d !== 1) push(1, d);
  });
  // XNNPACK broadcasts up to 6 dimensions; int and bool tensors keep the native kernel.
  if (x.dtype !== 'float32' || onesShape.length > 6 || onesShape.length === 0) return runOriginal(tf.Tile, args);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  return withScope(args.backend as tf.KernelBackend, (s) => {
    const ones = s.run('Fill', {}, { shape: onesShape, value: 1, dtype: 'float32' });
    return s.reshape(s.run('Multiply', { a: s.reshape(x, xShape), b: ones }), outShape);
  });
};

/**
 * The [before, reduced, after] split of a reduction whose axes are one contiguous run not at the
 * end (batch norm's [0, 1, 2], global pooling's [1, 2]); null for anything else.
 */
function splitReduction(shape: number[], axis: number | number[]): { before: number; rows: number; cols: number; after: number } | null {
  const axes = tf.util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes[axes.length - 1] === shape.length - 1) return null;
  if (axes.some((a, i) => a !== axes[0] + i)) return null;
  const prod = (dims: number[]) => dims.reduce((p, d) => p * d, 1);
  const first = axes[0];
  const last = axes[axes.length - 1];
  return { before: prod(shape.slice(0, first)), rows: prod(shape.slice(first, last)), cols: shape[last], after: prod(shape.slice(last + 1)) };
}

function reducedShape(shape: number[], axis: number | number[], keepDims: boolean): number[] {
  const axes = new Set(tf.util.parseAxisParam(axis, shape));
  return keepDims ? shape.map((d, i) => (axes.has(i) ? 1 : d)) : shape.filter((_, i) => !axes.has(i));
}

/**
 * Mean (scale 1) or sum (scale = count) over a contiguous run of non-trailing axes, as one
 * XNNPACK average pool whose window covers the run. wasm's own reductions transpose the
 * reduced axes innermost first, which costs ~15x more for NHWC batch-norm statistics.
 */
function reduceByPooling(kernelName: string, args: Parameters<tf.KernelFunc>[0], sum: boolean): ReturnType<tf.KernelFunc> {
  const x = inputOf(args.inputs, 'x');
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const split = x.dtype === 'float32' && tf.util.sizeFromShape(x.shape) > 0 ? splitReduction(x.shape, axis) : null;
  if (!split) return runOriginal(kernelName, args);
  const { before, rows, cols, after } = split;
  return withScope(args.backend as tf.KernelBackend, (s) => {
    const pooled = s.run('AvgPool', { x: s.reshape(x, [before, rows, cols, after]) }, { filterSize: [rows, cols], strides: [1, 1], pad: 'valid' });
    const out = sum ? s.run('Multiply', { a: pooled, b: s.run('Fill', {}, { shape: [], value: rows * cols, dtype: 'float32' }) }) : pooled;
    return s.reshape(out, reducedShape(x.shape, axis, keepDims));
  });
}

const sum: tf.KernelFunc = (args) => reduceByPooling(tf.Sum, args, true);
const mean: tf.KernelFunc = (args) => reduceByPooling(tf.Mean, args, false);

/**
 * MaxPoolGrad by the lab's SIMD kernel (simd/kernels.wat, 4 channels at a time) where the
 * channels are a multiple of 4, else in plain JavaScript; wasm's native one is wrong: it seeds
 * its running maximum with FLT_MIN (the smallest positive float, not the lowest), so a window
 * whose values are all <= 0 gets no gradient at all. Like the cpu backend, each window routes its
 * dy to the first position holding its maximum (row-major, pads excluded). The JavaScript loop
 * took 64 ms of a 156 ms step of ConvNetJS's demo network (three 2x2 pools, batch 64); the
 * kernel about 2.5 ms.
 */
const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [dy, input] = [inputOf(inputs, 'dy'), inputOf(inputs, 'input')];
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const simd = simdKernels(backend as tf.KernelBackend);
  if (simd && info.inChannels % 4 === 0 && input.dtype === 'float32' && dy.dtype === 'float32') {
    const hb = backend as WasmHeapBackend;
    const dx = hb.makeOutput(input.shape, 'float32');
    const at = (t: Info) => heapOffset(hb, t);
    zeroOnHeap(hb, dx);
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    simd.maxPoolGrad(at(input), at(dy), at(dx), batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left);
    return dx;
  }
  const b = backend as tf.KernelBackend;
  const x = b.readSync(input.dataId) as Float32Array;
  const g = b.readSync(dy.dataId) as Float32Array;
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const dx = new Float64Array(x.length);
  let gi = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let r = 0; r < oh; r++) {
      const r0 = r * info.strideHeight - info.padInfo.top;
      for (let q = 0; q < ow; q++) {
        const q0 = q * info.strideWidth - info.padInfo.left;
        for (let ch = 0; ch < c; ch++, gi++) {
          let best = -1;
          let bestValue = Number.NEGATIVE_INFINITY;
          for (let i = Math.max(0, r0); i < Math.min(h, r0 + info.filterHeight); i++) {
            for (let j = Math.max(0, q0); j < Math.min(w, q0 + info.filterWidth); j++) {
              const at = ((n * h + i) * w + j) * c + ch;
              if (x[at] > bestValue) {
                best = at;
                bestValue = x[at];
              }
            }
          }
          if (best >= 0) dx[best] += g[gi];
        }
      }
    }
  }
  return { dataId: b.write(Float32Array.from(dx), input.shape, 'float32'), shape: input.shape, dtype: 'float32' };
};

/**
 * Identity as an alias of its input, as the cpu and webgl backends do: tensors are immutable and
 * the backend counts references per buffer (Reshape already shares this way), so the copy wasm
 * makes on every clone and gradient pass-through buys nothing.
 */
const identity: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputOf(inputs, 'x');
  (backend as tf.KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/**
 * Cast to the dtype the tensor already has is an alias too (wasm's Cast copies whatever the
 * dtypes): every ReLU gradient casts the float32 output of Step to float32, a full copy of the
 * layer's activations per step. Casts between dtypes keep wasm's own kernel.
 */
const cast: tf.KernelFunc = (args) => {
  const x = inputOf(args.inputs, 'x');
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  return x.dtype === dtype ? identity(args) : runOriginal(tf.Cast, args);
};

/**
 * GatherV2 (batchDims 0) as row copies on the wasm heap: out[o, k, :] = x[o, indices[k], :].
 * wasm's native Gather computes an index per element (~8 ms for a 64-image batch out of any
 * dataset, about 8% of a `cnn` step); copying whole rows takes well under a millisecond.
 */
const gatherV2: tf.KernelFunc = (args) => {
  const { x, indices } = args.inputs as { x: Info; indices: Info };
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  if (batchDims !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return runOriginal(tf.GatherV2, args);
  const b = args.backend as WasmHeapBackend;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const outer = tf.util.sizeFromShape(x.shape.slice(0, ax));
  const dim = x.shape[ax];
  const slice = tf.util.sizeFromShape(x.shape.slice(ax + 1));
  const idx = Int32Array.from(b.typedArrayFromHeap(indices));
  for (const i of idx) if (i < 0 || i >= dim) throw new Error(`GatherV2: the index value ${i} is not in [0, ${dim - 1}]`);
  const out = b.makeOutput([...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)], x.dtype);
  // Views are taken after makeOutput, which may grow (and so detach) the heap.
  const src = b.typedArrayFromHeap(x);
  const dst = b.typedArrayFromHeap(out);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < idx.length; k++) {
      const from = (o * dim + idx[k]) * slice;
      dst.set(src.subarray(from, from + slice), (o * idx.length + k) * slice);
    }
  }
  return out;
};


const KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput },
  { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: depthwiseBackpropFilter },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: depthwiseBackpropInput },
  { kernelName: tf.Tile, backendName: 'wasm', kernelFunc: tile },
  { kernelName: tf.Sum, backendName: 'wasm', kernelFunc: sum },
  { kernelName: tf.Mean, backendName: 'wasm', kernelFunc: mean },
  { kernelName: tf.Identity, backendName: 'wasm', kernelFunc: identity },
  { kernelName: tf.Cast, backendName: 'wasm', kernelFunc: cast },
  { kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGrad },
  { kernelName: tf.GatherV2, backendName: 'wasm', kernelFunc: gatherV2 },
];

/** The kernels `registerWasmTrainingKernels` installs, for tests and diagnostics. */
export const WASM_TRAINING_KERNELS: readonly string[] = KERNELS.map((k) => k.kernelName);

/**
 * Registers the kernels above for the 'wasm' backend, replacing wasm's own where it has one (and
 * keeping it as the fallback for cases the fast paths skip). Call after importing
 * '@tensorflow/tfjs-backend-wasm', before or after the backend starts; safe to call again.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    // registerKernel would overwrite too, but logs a warning for every replaced kernel.
    if (existing) {
      originals.set(config.kernelName, existing.kernelFunc);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    // The native kernel we fall back to binds its wasm export in its setupFunc, which the engine
    // runs only for registered configs when the backend starts: ours must carry it.
    tf.registerKernel({ ...config, setupFunc: existing?.setupFunc });
  }
}
