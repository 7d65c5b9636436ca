import * as tf from '@tensorflow/tfjs';
// The wasm package registers its own kernels on import; ours must be registered after it, or
// its slow Conv2DBackpropInput would overwrite the fast one.
import '@tensorflow/tfjs-backend-wasm';

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

type Info = tf.TensorInfo;
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Runs wasm kernels on TensorInfos and remembers each result, so that one `disposeExcept` frees
 * every intermediate. Reshape on wasm shares the data and bumps its reference count, so each
 * result, view or not, is released exactly once.
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

  /** A float32 constant built on the spot, freed with the other results. */
  constant(values: Float32Array, shape: number[]): Info {
    const out: Info = { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    this.owned.push(out);
    return out;
  }

  /** Crops the leading [0, size) window, or returns x when it already has that shape. */
  crop(x: Info, size: number[]): Info {
    return sameShape(x.shape, size) ? x : this.run('Slice', { x }, { begin: size.map(() => 0), size });
  }

  /** Frees every result except those in `keep`, which the caller hands to the engine. */
  disposeExcept(keep: readonly Info[]): void {
    // Results are matched by object, not dataId: a Reshape result shares its input's buffer
    // and holds its own reference to it, so only the returned objects' references survive.
    const kept = new Set(keep);
    for (const t of this.owned) if (!kept.has(t)) this.backend.disposeData(t.dataId);
    // A result that is an untouched input needs a reference of its own, as Reshape takes one.
    for (const t of keep) if (!this.owned.includes(t)) this.backend.incRef(t.dataId);
    this.owned.length = 0;
  }
}

function inputOf(inputs: tf.NamedTensorInfoMap, name: string): Info {
  const t = inputs[name];
  if (!t) throw new Error(`kernel input "${name}" is missing`);
  return t;
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
    scope.disposeExcept(out ? [out] : []);
  }
}

/**
 * [n, h, w, c] -> [c, h, w, n]. Done as one 2-D transpose plus one that keeps n-float runs
 * together: XNNPACK's 4-D transpose with a new innermost axis moves single floats and is 2-4x
 * slower on activation-sized tensors.
 */
function toChannelsFirst(s: KernelScope, x: Info): Info {
  const [n, h, w, c] = x.shape;
  const flipped = s.transpose(s.reshape(x, [n, h * w * c]), [1, 0]);
  return s.reshape(s.transpose(s.reshape(flipped, [h * w, c, n]), [1, 0, 2]), [c, h, w, n]);
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
  const [x, dy] = [inputOf(inputs, 'x'), inputOf(inputs, 'dy')];
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNhwc(tf.Conv2DBackpropFilter, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  return withScope(backend as tf.KernelBackend, (s) => {
    // Channels become the batch and the batch becomes the channels, so the sum over images and
    // positions is the conv's own reduction over (filter rows, cols, in-channels).
    const xT = toChannelsFirst(s, x);
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

/**
 * Picks and reorders the taps of a conv filter [fh, fw, ci, co] and swaps its channel axes:
 * output tap r is filter tap taps[r] (kh * fw + kw), or zeros where taps[r] < 0, and each run of
 * `phases` consecutive taps is laid out as [co, phases * ci]. Returns [taps.length / phases, co,
 * phases * ci].
 *
 * The tap selection is one matmul with a 0/1 matrix, [taps, fh * fw] x [fh * fw, ci * co]: every
 * output is one weight times 1 plus zeros, which is the weight exactly (for finite weights; a
 * NaN or infinite weight spreads NaN to the taps sharing its channels, where a conv would be
 * non-finite anyway). One 4-D transpose then moves the channels. On wasm this is ~15x faster
 * than the obvious Reverse then Transpose: wasm's Reverse walks indices one element at a time
 * (~50 ns each) and XNNPACK's 6-D transpose for the polyphase layout moves single floats, so a
 * 4x4x256x256 filter took ~270 ms per call against ~15 ms now.
 *
 * Nothing outlives the call. The selection matrix is rebuilt each time (a few hundred floats).
 * wasm's BatchMatMul keeps an XNNPACK operator, holding a packed copy of its b operand, until b's
 * buffer is freed; given the filter itself, that copy would stay alive as long as the weights
 * do, so b is a fresh copy of the filter (one zero-width pad, ~2 ms per 1M weights) that goes
 * with the other intermediates.
 */
function rearrangeFilter(s: KernelScope, filter: Info, taps: number[], phases: number): Info {
  const [fh, fw, ci, co] = filter.shape;
  const k = fh * fw;
  const select = new Float32Array(taps.length * k);
  taps.forEach((tap, r) => {
    if (tap >= 0) select[r * k + tap] = 1;
  });
  const copy = s.run('PadV2', { x: filter }, { paddings: [[0, 0], [0, 0], [0, 0], [0, 0]], constantValue: 0 });
  const picked = s.run('BatchMatMul', { a: s.constant(select, [taps.length, k]), b: s.reshape(copy, [k, ci * co]) }, { transposeA: false, transposeB: false });
  const byChannel = s.transpose(s.reshape(picked, [taps.length / phases, phases, ci, co]), [0, 3, 1, 2]);
  return s.reshape(byChannel, [taps.length / phases, co, phases * ci]);
}

/**
 * The input gradient for equal strides s, as s * s stride-1 correlations packed into the output
 * channels of one conv and interleaved as DepthToSpace would: output row s * q + a only ever meets
 * filter rows congruent to a + top (mod s), so each phase a correlates the undilated dy with
 * every s-th filter row. That skips the (s^2 - 1) / s^2 zeros a dilated dy would multiply.
 * Returns null where the geometry does not fit (unequal strides, pads wider than the filter).
 */
function conv2DBackpropInputPolyphase(s: KernelScope, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info | null {
  const st = info.strideHeight;
  const { top, left } = info.padInfo;
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co } = info;
  if (info.strideWidth !== st || top > fh - 1 || left > fw - 1) return null;
  const axis = (f: number, p: number, inSize: number, outSize: number) => {
    const taps = Math.ceil(f / st);
    // The phases' windows start at most one dy row apart; a window one row longer covers all.
    const window = p % st === 0 ? taps : taps + 1;
    const lead = (window - taps) * st - (p % st);
    const start = Math.floor(p / st) - taps + 1;
    const q = Math.ceil(inSize / st);
    return { window, lead, trail: st * window - lead - f, before: -start, after: q + start + window - 1 - outSize, q };
  };
  const ah = axis(fh, top, info.inHeight, info.outHeight);
  const aw = axis(fw, left, info.inWidth, info.outWidth);
  // Phase a's window row t' meets filter row kh = s * (window - 1 - t') + a - lead (rows outside
  // the filter are zeros): stepping through the rows by s is the phase split, and counting t'
  // backwards turns the transposed conv into a correlation. DepthToSpace reads channel
  // (a * s + b) * ci + c as phase (a, b) of input channel c.
  const taps: number[] = [];
  for (let t = 0; t < ah.window; t++) {
    for (let u = 0; u < aw.window; u++) {
      for (let a = 0; a < st; a++) {
        for (let b = 0; b < st; b++) {
          const kh = st * (ah.window - 1 - t) + a - ah.lead;
          const kw = st * (aw.window - 1 - u) + b - aw.lead;
          taps.push(kh >= 0 && kh < fh && kw >= 0 && kw < fw ? kh * fw + kw : -1);
        }
      }
    }
  }
  const f = s.reshape(rearrangeFilter(s, filter, taps, st * st), [ah.window, aw.window, co, st * st * ci]);
  const corr = s.run('Conv2D', { x: dy, filter: f }, {
    strides: [1, 1],
    pad: explicitPad(ah.before, Math.max(0, ah.after), aw.before, Math.max(0, aw.after)),
    dataFormat: 'NHWC',
    dilations: [1, 1],
  });
  const n = info.batchSize;
  const phases = s.crop(corr, [n, ah.q, aw.q, st * st * ci]);
  if (st === 1) return s.crop(phases, info.inShape);
  // DepthToSpace by hand: wasm's DepthToSpace kernel is an element-wise loop ~30x slower than
  // this XNNPACK transpose, which moves whole ci-float runs.
  const interleaved = s.transpose(s.reshape(phases, [n, ah.q, aw.q, st, st, ci]), [0, 1, 3, 2, 4, 5]);
  return s.crop(s.reshape(interleaved, [n, ah.q * st, aw.q * st, ci]), info.inShape);
}

const conv2DBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [dy, filter] = [inputOf(inputs, 'dy'), inputOf(inputs, 'filter')];
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  checkNhwc(tf.Conv2DBackpropInput, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  return withScope(backend as tf.KernelBackend, (s) => {
    const fast = conv2DBackpropInputPolyphase(s, dy, filter, info);
    if (fast) return fast;
    // A transposed conv is a correlation of the stride-dilated dy with the filter flipped in
    // space and its in/out channels swapped.
    const geo = inputGradGeometry(info);
    const [fh, fw, ci, co] = filter.shape;
    const reversed = Array.from({ length: fh * fw }, (_, k) => fh * fw - 1 - k);
    const flipped = s.reshape(rearrangeFilter(s, filter, reversed, 1), [fh, fw, co, ci]);
    const dyD = dilateByStride(s, dy, info.strideHeight, info.strideWidth);
    const corr = s.run('Conv2D', { x: dyD, filter: flipped }, { strides: [1, 1], pad: geo.pad, dataFormat: 'NHWC', dilations: [1, 1] });
    return cropAt(s, corr, geo.offset, inputShape);
  });
};

const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [x, dy] = [inputOf(inputs, 'x'), inputOf(inputs, 'dy')];
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
  const [dy, filter] = [inputOf(inputs, 'dy'), inputOf(inputs, 'filter')];
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
 * MaxPoolGrad in plain JavaScript, because wasm's native one is wrong: it seeds its running
 * maximum with FLT_MIN (the smallest positive float, not the lowest), so a window whose values
 * are all <= 0 gets no gradient at all. Like the cpu backend, each window routes its dy to the
 * first position holding its maximum (row-major, pads excluded).
 */
const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [dy, input] = [inputOf(inputs, 'dy'), inputOf(inputs, 'input')];
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
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

/** The two methods of tfjs-backend-wasm's backend that the gather reads and writes the heap with. */
interface WasmHeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array | Int32Array | Uint8Array;
}


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
