import * as tf from '@tensorflow/tfjs';
// The wasm package registers its own kernels on import; ours must be registered after it, or
// its slow Conv2DBackpropInput would overwrite the fast one.
import '@tensorflow/tfjs-backend-wasm';

/**
 * Gradient kernels for TF.js's wasm backend, which lacks the conv filter gradients and has only a
 * slow scalar loop for the conv input gradient. Each is rewritten as one forward (XNNPACK)
 * convolution plus cheap transposes and pads, run through the wasm backend's own kernels on
 * TensorInfos: nothing here touches the engine, the tape or tensor counts, and every
 * intermediate is freed before the kernel returns. NHWC only, dilation 1 (TF.js's own
 * gradients of conv2d and depthwiseConv2d refuse dilation > 1 anyway).
 *
 * Shapes: x [n, h, w, ci], dy [n, oh, ow, co], conv filter [fh, fw, ci, co], depthwise filter
 * [fh, fw, ci, m] with co = ci * m. "Pads" are the forward conv's top/left pads.
 */

type Info = tf.TensorInfo;
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

interface DisposingBackend {
  disposeData(dataId: Info['dataId'], force?: boolean): boolean;
}

/**
 * Runs wasm kernels on TensorInfos and remembers each result, so that one `dispose` frees every
 * intermediate. Reshape on wasm shares the data and bumps its reference count, so each result,
 * view or not, is released exactly once.
 */
class KernelScope {
  private readonly owned: Info[] = [];

  constructor(private readonly backend: tf.KernelBackend) {}

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): Info {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm kernel ${kernelName} is not registered`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several tensors`);
    this.owned.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return sameShape(x.shape, shape) ? x : this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  /** Crops the leading [0, size) window, or returns x when it already has that shape. */
  crop(x: Info, size: number[]): Info {
    return sameShape(x.shape, size) ? x : this.run('Slice', { x }, { begin: size.map(() => 0), size });
  }

  /** Frees every result except `keep`, which the caller hands to the engine. */
  dispose(keep: Info | null): void {
    const backend = this.backend as unknown as DisposingBackend;
    let kept = false;
    for (const t of this.owned) {
      // A kernel may return its input's dataId (Reshape, Identity); only the one reference that
      // is the returned result survives.
      if (!kept && t === keep) {
        kept = true;
        continue;
      }
      backend.disposeData(t.dataId);
    }
    this.owned.length = 0;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Runs `body` in a scope, freeing all intermediates whether it returns or throws. */
function withScope(backend: tf.KernelBackend, body: (s: KernelScope) => Info): Info {
  const scope = new KernelScope(backend);
  let out: Info | null = null;
  try {
    out = body(scope);
    return out;
  } finally {
    scope.dispose(out);
  }
}

function explicitPad(top: number, bottom: number, left: number, right: number): Pad4 {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

function checkDilation(kernelName: string, dilations: number | [number, number] | undefined): void {
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
  if (dh !== 1 || dw !== 1) throw new Error(`${kernelName} on wasm: dilation ${dh}x${dw} is not supported (only 1)`);
}

function checkNhwc(kernelName: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') throw new Error(`${kernelName} on wasm: data format ${dataFormat} is not supported (only NHWC)`);
}

/**
 * The geometry shared by the filter gradients: correlating x with dy dilated by the stride gives
 * dW, and this is the explicit padding that makes that correlation's output exactly fh x fw.
 * A bottom/right pad below zero (the forward conv never read the last rows) is clamped to zero
 * and the surplus output cropped.
 */
function filterGradPads(info: tf.backend_util.Conv2DInfo): Pad4 {
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const bottom = fh + (oh - 1) * info.strideHeight - h - top;
  const right = fw + (ow - 1) * info.strideWidth - w - left;
  return explicitPad(top, Math.max(0, bottom), left, Math.max(0, right));
}

/**
 * Spreads dy onto the stride grid (s - 1 zeros after each row and column), so that the input
 * gradient becomes a stride-1 correlation. One rank-5 pad does both axes; the trailing zeros it
 * leaves at the far edge are absorbed by `inputGradGeometry`.
 */
function dilateByStride(s: KernelScope, dy: Info, sh: number, sw: number): Info {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const r = s.reshape(dy, [n * oh, 1, ow, 1, c]);
  const padded = s.run('PadV2', { x: r }, { paddings: [[0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
  return s.reshape(padded, [n, oh * sh, ow * sw, c]);
}

interface InputGradGeometry {
  pad: Pad4;
  /** Where the wanted h x w window starts in the correlation's output (non-zero if a pad went negative). */
  offset: [number, number];
}

/**
 * Pads for correlating the stride-dilated dy (height oh * sh) with the flipped filter so that
 * the output is the input's h x w: fh - 1 - top before, the rest after. Negative pads (only for
 * explicit pads wider than the filter) become zero pads plus an offset crop.
 */
function inputGradGeometry(info: tf.backend_util.Conv2DInfo): InputGradGeometry {
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const top = fh - 1 - info.padInfo.top;
  const left = fw - 1 - info.padInfo.left;
  const bottom = h + fh - 1 - oh * info.strideHeight - top;
  const right = w + fw - 1 - ow * info.strideWidth - left;
  return {
    pad: explicitPad(Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)),
    offset: [Math.max(0, -top), Math.max(0, -left)],
  };
}

function cropAt(s: KernelScope, x: Info, offset: [number, number], size: number[]): Info {
  if (offset[0] === 0 && offset[1] === 0) return s.crop(x, size);
  return s.run('Slice', { x }, { begin: [0, offset[0], offset[1], 0], size });
}

const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNhwc(tf.Conv2DBackpropFilter, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  return withScope(backend as tf.KernelBackend, (s) => {
    // Channels become the batch and the batch becomes the channels, so the sum over images and
    // positions is the conv's own reduction over (filter rows, cols, in-channels).
    const xT = s.transpose(x, [3, 1, 2, 0]);
    const dyT = s.transpose(dy, [1, 2, 0, 3]);
    const corr = s.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: filterGradPads(info),
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    });
    return s.transpose(s.crop(corr, [ci, fh, fw, co]), [1, 2, 0, 3]);
  });
};

const conv2DBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  checkNhwc(tf.Conv2DBackpropInput, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  const geo = inputGradGeometry(info);
  return withScope(backend as tf.KernelBackend, (s) => {
    // A transposed conv is a correlation with the filter flipped in space and its in/out
    // channels swapped.
    const flipped = s.transpose(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    const dyD = dilateByStride(s, dy, info.strideHeight, info.strideWidth);
    const corr = s.run('Conv2D', { x: dyD, filter: flipped }, { strides: [1, 1], pad: geo.pad, dataFormat: 'NHWC', dilations: [1, 1] });
    return cropAt(s, corr, geo.offset, inputShape);
  });
};

const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as tf.DepthwiseConv2dNativeBackpropFilterInputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  checkDilation(tf.DepthwiseConv2dNativeBackpropFilter, dilations);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, true);
  const [n, h, w, ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const [fh, fw, , m] = filterShape;
  return withScope(backend as tf.KernelBackend, (s) => {
    // Each (image, channel) pair becomes its own depthwise channel, with that image's dy plane
    // as its filter; the per-image results are then summed.
    const xr = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, h, w, n * ci]);
    const dyr = s.reshape(s.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * ci, m]);
    const corr = s.run('DepthwiseConv2dNative', { x: xr, filter: dyr }, {
      strides: [1, 1],
      pad: filterGradPads(info),
      dilations: [info.strideHeight, info.strideWidth],
    });
    const perImage = s.reshape(s.crop(corr, [1, fh, fw, n * co]), [fh, fw, n, co]);
    return s.reshape(s.run('Sum', { x: perImage }, { axis: [2], keepDims: false }), filterShape);
  });
};

const depthwiseBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as tf.DepthwiseConv2dNativeBackpropInputInputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  checkDilation(tf.DepthwiseConv2dNativeBackpropInput, dilations);
  const filterShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode, true);
  const geo = inputGradGeometry(info);
  const [n, h, w, ci] = inputShape;
  const [fh, fw, , m] = filterShape;
  return withScope(backend as tf.KernelBackend, (s) => {
    // Output channel c * m + q came from input channel c through filter column q, so a
    // multiplier-1 depthwise correlation over all c * m channels, summed over q, is dx.
    const flipped = s.reshape(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [fh, fw, ci * m, 1]);
    const dyD = dilateByStride(s, dy, info.strideHeight, info.strideWidth);
    const corr = s.run('DepthwiseConv2dNative', { x: dyD, filter: flipped }, { strides: [1, 1], pad: geo.pad, dilations: [1, 1] });
    const dx = cropAt(s, corr, geo.offset, [n, h, w, ci * m]);
    if (m === 1) return dx;
    return s.run('Sum', { x: s.reshape(dx, [n, h, w, ci, m]) }, { axis: [4], keepDims: false });
  });
};

const KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput },
  { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: depthwiseBackpropFilter },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: depthwiseBackpropInput },
];

/** The kernels `registerWasmTrainingKernels` installs, for tests and diagnostics. */
export const WASM_TRAINING_KERNELS: readonly string[] = KERNELS.map((k) => k.kernelName);

/**
 * Registers the training kernels above for the 'wasm' backend, replacing any kernel of the same
 * name (wasm's own slow Conv2DBackpropInput). Safe to call more than once.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    // registerKernel would overwrite too, but logs a warning for every replaced kernel.
    if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
