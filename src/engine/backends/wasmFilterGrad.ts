import * as tf from '@tensorflow/tfjs';
import { type Info, KernelScope } from './wasmScope';

/**
 * The conv filter gradient on wasm as one matrix product that XNNPACK runs near the machine's
 * matmul peak: dW [fh * fw * ci, co] = patches [fh * fw * ci, L] x dy' [L, co], where the
 * "patches" rows are x's channel planes shifted by each filter tap, and the L columns are output
 * positions. Building patches takes one pass over x and then only whole-row copies:
 *
 * - x is split into stride phases ("planes"): plane (rh, rw) of channel c holds
 *   x[b, s * u + rh - top, s * v + rw - left, c] for u < hs, v < ws (zeros outside x), laid out
 *   channel-major, each plane flat over (b, u, v).
 * - Filter tap (kh, kw) reads plane (kh mod s, kw mod s) at (i + kh div s, j + kw div s) for output
 *   (i, j): in the flat (b, u, v) order that is the whole plane shifted by a constant offset, so
 *   each patches row is one contiguous copy. The copies also cover positions (i, j) beyond the
 *   output (i >= oh or j >= ow: the plane's margin, hs x ws instead of oh x ow), whose reads run
 *   into the next row or image; dy' is dy padded with zeros there, so they add nothing. (They do
 *   multiply real x values by 0: an infinite or NaN x turns such a tap's sum into NaN where the
 *   cpu backend could return a finite value or an infinity; a step with non-finite activations is
 *   lost either way.)
 *
 * The product runs through wasm's BatchMatMul, whose XNNPACK operator packs its b operand and
 * keeps the packed copy until b's buffer is freed: dy' is always a fresh buffer of this call, so
 * nothing is kept. NHWC, dilation 1.
 */
export function conv2DBackpropFilterMatmul(s: KernelScope, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Phases that some tap reads (a 1x1 filter with stride 2 reads only phase (0, 0)).
  const ph = Math.min(sh, fh);
  const pw = Math.min(sw, fw);
  const hs = oh + Math.floor((fh - 1) / sh);
  const ws = ow + Math.floor((fw - 1) / sw);
  const len = n * hs * ws;
  // The largest tap offset: the last copy reads this far past the plane's end.
  const tail = Math.floor((fh - 1) / sh) * ws + Math.floor((fw - 1) / sw);
  const planeStride = len + tail;

  const xT = ci === 1 ? x : s.transpose(s.reshape(x, [n * h * w, ci]), [1, 0]);
  const planes = s.alloc([ph * pw * ci * planeStride]);
  const patches = s.alloc([1, fh * fw * ci, len]);
  const dyPad = s.alloc([1, len, co]);
  // Views after the last allocation (an allocation may move the heap).
  const src = s.heap(xT);
  const pl = s.heap(planes);
  const pt = s.heap(patches);
  const dyv = s.heap(dy);
  const dp = s.heap(dyPad);

  pl.fill(0);
  for (let rh = 0; rh < ph; rh++) {
    for (let rw = 0; rw < pw; rw++) {
      // Output columns v whose x column sw * v + rw - left is inside x.
      const v0 = Math.max(0, Math.ceil((left - rw) / sw));
      const v1 = Math.min(ws, Math.floor((w - 1 + left - rw) / sw) + 1);
      for (let c = 0; c < ci; c++) {
        const planeBase = ((rh * pw + rw) * ci + c) * planeStride;
        for (let b = 0; b < n; b++) {
          for (let u = 0; u < hs; u++) {
            const y = sh * u + rh - top;
            if (y < 0 || y >= h || v1 <= v0) continue;
            const from = ((c * n + b) * h + y) * w + rw - left;
            const to = planeBase + (b * hs + u) * ws;
            if (sw === 1) pl.set(src.subarray(from + v0, from + v1), to + v0);
            else for (let v = v0; v < v1; v++) pl[to + v] = src[from + sw * v];
          }
        }
      }
    }
  }
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const offset = Math.floor(kh / sh) * ws + Math.floor(kw / sw);
      const phase = (kh % sh) * pw + (kw % sw);
      for (let c = 0; c < ci; c++) {
        const from = (phase * ci + c) * planeStride + offset;
        pt.set(pl.subarray(from, from + len), ((kh * fw + kw) * ci + c) * len);
      }
    }
  }
  // dy' [n, hs, ws, co]: dy, then zeros in the margin.
  dp.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const from = ((b * oh + i) * ow) * co;
      dp.set(dyv.subarray(from, from + ow * co), ((b * hs + i) * ws) * co);
    }
  }
  const product = s.run('BatchMatMul', { a: patches, b: dyPad }, { transposeA: false, transposeB: false });
  return s.reshape(product, [fh, fw, ci, co]);
}
