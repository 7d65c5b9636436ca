import * as tf from '@tensorflow/tfjs';
import { heapOffset, simdKernels, type WasmHeapBackend, zeroOnHeap } from './simd/simd';
import { checkDilation, checkNhwc, explicitPad, type Info, inputOf, KernelScope, type Pad4, toChannelsFirst, withScope } from './wasmScope';

/**
 * The conv and depthwise-conv gradients for TF.js's wasm backend (which lacks the filter
 * gradients and has only a slow scalar loop for the input gradient), rebuilt from XNNPACK
 * convolution, transpose and matmul. NHWC only, dilation 1.
 */

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

/**
 * The filter gradient by the project's SIMD kernel (simd/kernels.wat), which reads x and dy in
 * place: x is padded once (the forward conv's pads, rows and columns enough for every tap, and
 * zero channels up to a multiple of 4), dy gets zero channels up to a multiple of 8 where it
 * lacks them, and the kernel accumulates 4 x 8 tiles of dW over every position. Returns null
 * where it does not apply (no SIMD, unequal strides), and the XNNPACK path serves.
 */
function conv2DBackpropFilterSimd(s: KernelScope, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info | null {
  const b = s.backend as WasmHeapBackend;
  const simd = simdKernels(b);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const st = info.strideHeight;
  if (!simd || info.strideWidth !== st || n * oh * ow * co === 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const { top, left } = info.padInfo;
  const hp = Math.max(top + h, st * (oh - 1) + fh);
  const wp = Math.max(left + w, st * (ow - 1) + fw);
  const ci4 = Math.ceil(ci / 4) * 4;
  const paddings = [[0, 0], [top, hp - top - h], [left, wp - left - w], [0, ci4 - ci]];
  const xp = paddings.every(([a, z]) => a === 0 && z === 0) ? x : s.run('PadV2', { x }, { paddings, constantValue: 0 });
  const co8 = Math.ceil(co / 8) * 8;
  const dyp = co8 === co ? dy : s.run('PadV2', { x: dy }, { paddings: [[0, 0], [0, 0], [0, 0], [0, co8 - co]], constantValue: 0 });
  const out = s.output([fh, fw, ci4, co8]);
  const at = (t: Info) => heapOffset(b, t);
  zeroOnHeap(b, out);
  simd.convFilterGrad(at(xp), at(dyp), at(out), n, hp, wp, ci4, oh, ow, co8, st, fh, fw);
  return s.crop(out, [fh, fw, ci, co]);
}

export const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [x, dy] = [inputOf(inputs, 'x'), inputOf(inputs, 'dy')];
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNhwc(tf.Conv2DBackpropFilter, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
  return withScope(backend as tf.KernelBackend, (s) => {
    const fast = conv2DBackpropFilterSimd(s, x, dy, info);
    if (fast) return fast;
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
 * output tap r is filter tap taps[r] (kh * fw + kw), or zeros where taps[r] < 0, laid out as
 * [co, ci]. Returns [taps.length, co, ci].
 *
 * The tap selection is one matmul with a 0/1 matrix, [taps, fh * fw] x [fh * fw, ci * co]: every
 * output is one weight times 1 plus zeros, which is the weight exactly (for finite weights; a
 * NaN or infinite weight spreads NaN to the taps sharing its channels, where a conv would be
 * non-finite anyway). One transpose then swaps the channels. On wasm this is ~15x faster
 * than the obvious Reverse then Transpose: wasm's Reverse walks indices one element at a time
 * (~50 ns each), so a 4x4x256x256 filter took ~270 ms per call against ~15 ms now.
 *
 * Nothing outlives the call. The selection matrix is rebuilt each time (a few hundred floats).
 * wasm's BatchMatMul keeps an XNNPACK operator, holding a packed copy of its b operand, until b's
 * buffer is freed; given the filter itself, that copy would stay alive as long as the weights
 * do, so b is a fresh copy of the filter (one zero-width pad, ~2 ms per 1M weights) that goes
 * with the other intermediates.
 */
function rearrangeFilter(s: KernelScope, filter: Info, taps: number[]): Info {
  const [fh, fw, ci, co] = filter.shape;
  const k = fh * fw;
  const select = new Float32Array(taps.length * k);
  taps.forEach((tap, r) => {
    if (tap >= 0) select[r * k + tap] = 1;
  });
  const copy = s.run('PadV2', { x: filter }, { paddings: [[0, 0], [0, 0], [0, 0], [0, 0]], constantValue: 0 });
  const picked = s.run('BatchMatMul', { a: s.constant(select, [taps.length, k]), b: s.reshape(copy, [k, ci * co]) }, { transposeA: false, transposeB: false });
  return s.transpose(s.reshape(picked, [taps.length, ci, co]), [0, 2, 1]);
}

/** Along one axis, the filter taps k that input phase a meets, and the dy row offset d = (a + p - k) / s of each. */
function phaseTaps(f: number, p: number, st: number, a: number): { k: number; d: number }[] {
  const out: { k: number; d: number }[] = [];
  for (let k = 0; k < f; k++) if ((a + p - k) % st === 0) out.push({ k, d: (a + p - k) / st });
  return out.sort((u, v) => u.d - v.d);
}

/**
 * The input gradient for equal strides s > 1 as s * s exact stride-1 correlations, one per phase
 * (a, b) of the input (rows s * q + a, columns s * r + b), each with only the filter taps that
 * phase meets: 9 taps in all for a 3x3 filter, where one packed conv over the phases' common
 * window would multiply 16, most of them zeros. The phases are
 * stacked on a leading axis (one contiguous copy each) and interleaved by two transposes that
 * move whole ci-float runs. Returns null where the geometry does not fit (unequal strides).
 */
function conv2DBackpropInputByPhase(s: KernelScope, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info | null {
  const st = info.strideHeight;
  if (info.strideWidth !== st || st === 1) return null;
  const { top, left } = info.padInfo;
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, batchSize: n } = info;
  const qh = Math.ceil(info.inHeight / st);
  const qw = Math.ceil(info.inWidth / st);
  const parts: Info[] = [];
  for (let a = 0; a < st; a++) {
    for (let b = 0; b < st; b++) {
      const rows = phaseTaps(fh, top, st, a);
      const cols = phaseTaps(fw, left, st, b);
      if (rows.length === 0 || cols.length === 0) {
        parts.push(s.run('Fill', {}, { shape: [1, n, qh, qw, ci], value: 0, dtype: 'float32' }));
        continue;
      }
      // Window row t reads dy row q + d0 + t (a phase's taps are s apart, so their d are consecutive).
      const span = (t: { d: number }[]) => t[t.length - 1].d - t[0].d + 1;
      const [wh, ww] = [span(rows), span(cols)];
      const taps: number[] = new Array<number>(wh * ww).fill(-1);
      for (const r of rows) for (const c of cols) taps[(r.d - rows[0].d) * ww + (c.d - cols[0].d)] = r.k * fw + c.k;
      const f = s.reshape(rearrangeFilter(s, filter, taps), [wh, ww, info.outChannels, ci]);
      // Rows before dy (d0 < 0) are zero pads; d0 > 0 skips rows, as an offset into the output.
      const [d0h, d0w] = [rows[0].d, cols[0].d];
      const afterH = Math.max(0, qh + d0h + wh - 1 - info.outHeight);
      const afterW = Math.max(0, qw + d0w + ww - 1 - info.outWidth);
      const corr = s.run('Conv2D', { x: dy, filter: f }, {
        strides: [1, 1],
        pad: explicitPad(Math.max(0, -d0h), afterH, Math.max(0, -d0w), afterW),
        dataFormat: 'NHWC',
        dilations: [1, 1],
      });
      parts.push(s.reshape(cropAt(s, corr, [Math.max(0, d0h), Math.max(0, d0w)], [n, qh, qw, ci]), [1, n, qh, qw, ci]));
    }
  }
  // [phase, position, ci] -> [position, phase, ci] -> [n, q, a, r, b, ci], each transpose moving
  // whole ci-float runs (XNNPACK's one-step 6-D transpose of the stack is ~50x slower).
  const stacked = s.reshape(s.run('Concat', parts as unknown as tf.NamedTensorInfoMap, { axis: 0 }), [st * st, n * qh * qw, ci]);
  const byPosition = s.reshape(s.transpose(stacked, [1, 0, 2]), [n, qh, qw, st, st, ci]);
  const interleaved = s.transpose(byPosition, [0, 1, 3, 2, 4, 5]);
  return s.crop(s.reshape(interleaved, [n, qh * st, qw * st, ci]), info.inShape);
}

/**
 * The input gradient by the project's SIMD kernel, one call per filter tap: the input's pixels
 * fall into s x s phases (rows s * q + a, columns s * r + b), and each phase gathers from dy,
 * zero-padded so that every tap's window lies inside it, through the taps congruent to it
 * (`phaseTaps`), written straight into every s-th pixel of dx. dx is padded to whole tiles of
 * 4 pixels per phase row and cropped after. Returns null where it does not apply (no SIMD,
 * stride 1, unequal strides, ci not a multiple of 8, co not a multiple of 4). At stride 1 XNNPACK's
 * conv on the flipped filter is as fast or faster (measured here: 16 -> 16 channels at 32 x 32,
 * batch 64, 9.8 ms against 11.1), and its filter is small, so repacking costs little; at stride 2
 * the cnn's two input gradients took 12.4 and 5.8 ms by phase through XNNPACK, 5.7 and 5.1 here.
 */
function conv2DBackpropInputSimd(s: KernelScope, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info | null {
  const b = s.backend as WasmHeapBackend;
  const simd = simdKernels(b);
  const st = info.strideHeight;
  const { batchSize: n, inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  if (!simd || st === 1 || info.strideWidth !== st || ci % 8 !== 0 || co % 4 !== 0 || co === 0 || n * oh * ow === 0 || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const { top, left } = info.padInfo;
  const qh = Math.ceil(info.inHeight / st);
  const qw = Math.ceil(Math.ceil(info.inWidth / st) / 4) * 4;
  const rowTaps = Array.from({ length: st }, (_, a) => phaseTaps(fh, top, st, a));
  const colTaps = Array.from({ length: st }, (_, a) => phaseTaps(fw, left, st, a));
  const ds = (taps: { d: number }[][]) => taps.flat().map((t) => t.d);
  // dy rows q + d for q < qh and every tap's d must exist: zeros before and after as needed.
  const [dh, dw] = [ds(rowTaps), ds(colTaps)];
  if (dh.length === 0 || dw.length === 0) return null;
  const before = [Math.max(0, -Math.min(...dh)), Math.max(0, -Math.min(...dw))];
  const after = [Math.max(0, qh - 1 + Math.max(...dh) - (oh - 1)), Math.max(0, qw - 1 + Math.max(...dw) - (ow - 1))];
  const paddings = [[0, 0], [before[0], after[0]], [before[1], after[1]], [0, 0]];
  const dyp = paddings.every(([p, q]) => p === 0 && q === 0) ? dy : s.run('PadV2', { x: dy }, { paddings, constantValue: 0 });
  const [hp, wp] = [oh + before[0] + after[0], ow + before[1] + after[1]];
  const wt = s.transpose(filter, [0, 1, 3, 2]); // [fh, fw, co, ci]: each tap's rows are dy's channels
  const [H, W] = [st * qh, st * qw];
  const dx = s.output([n, H, W, ci]);
  const phases = rowTaps.flatMap((rows, a) => colTaps.map((cols, c) => ({ a, c, taps: rows.flatMap((r) => cols.map((q) => ({ r, q }))) })));
  const table = s.output([phases.reduce((t, p) => t + p.taps.length, 0), 2], 'int32');
  // Views of the heap are read after the last allocation, which may grow (and so detach) it.
  const at = (t: Info) => heapOffset(b, t);
  // A phase that meets no tap (stride above the filter size) is never written: zeros.
  if (phases.some((p) => p.taps.length === 0)) zeroOnHeap(b, dx);
  let row = at(table) / 4;
  for (const { a, c, taps } of phases) {
    if (taps.length === 0) continue;
    const first = row;
    for (const { r, q } of taps) {
      b.wasm.HEAP32[row++] = ((before[0] + r.d) * wp + before[1] + q.d) * co * 4; // dy's shift
      b.wasm.HEAP32[row++] = (r.k * fw + q.k) * co * ci * 4; // the tap's [co, ci] block of wt
    }
    simd.convTaps(
      first * 4, taps.length, at(dyp), at(wt), at(dx) + (a * W + c) * ci * 4,
      n, qh, qw / 4, co, ci,
      hp * wp * co * 4, wp * co * 4, co * 4, ci * 4,
      H * W * ci * 4, st * W * ci * 4, st * ci * 4,
    );
  }
  return s.crop(dx, info.inShape);
}

export const conv2DBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const [dy, filter] = [inputOf(inputs, 'dy'), inputOf(inputs, 'filter')];
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  checkNhwc(tf.Conv2DBackpropInput, dataFormat);
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  return withScope(backend as tf.KernelBackend, (s) => {
    const fast = conv2DBackpropInputSimd(s, dy, filter, info) ?? conv2DBackpropInputByPhase(s, dy, filter, info);
    if (fast) return fast;
    // A transposed conv is a correlation of the stride-dilated dy with the filter flipped in
    // space and its in/out channels swapped.
    const geo = inputGradGeometry(info);
    const [fh, fw, ci, co] = filter.shape;
    const reversed = Array.from({ length: fh * fw }, (_, k) => fh * fw - 1 - k);
    const flipped = s.reshape(rearrangeFilter(s, filter, reversed), [fh, fw, co, ci]);
    const dyD = dilateByStride(s, dy, info.strideHeight, info.strideWidth);
    const corr = s.run('Conv2D', { x: dyD, filter: flipped }, { strides: [1, 1], pad: geo.pad, dataFormat: 'NHWC', dilations: [1, 1] });
    return cropAt(s, corr, geo.offset, inputShape);
  });
};

export const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
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

export const depthwiseBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
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
