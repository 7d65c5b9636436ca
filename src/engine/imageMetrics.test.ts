import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../testing/nodeBackends';
import { gaussianTaps, imageMetricsPerImage, l1PerImage, PSNR_CAP_DB, psnrPerImage, ssimPerImage, SSIM_K1, toUnitRange } from './imageMetrics';

/** A deterministic pseudo-random pattern in [0, 1], the same formula as the PyTorch reference below. */
function pattern(n: number, h: number, w: number, c: number, shift: number): Float32Array {
  const out = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        for (let k = 0; k < c; k++) out[((b * h + i) * w + j) * c + k] = (((b * 7919 + i * 131 + j * 17 + k * 29 + shift) * 37) % 101) / 100;
      }
    }
  }
  return out;
}

function values(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

describe('image metrics', () => {
  it('PSNR and L1 of hand-computed cases: a constant offset, one wrong pixel', () => {
    const x = tf.fill([1, 16, 16, 3], 0.5) as tf.Tensor4D;
    const y = tf.fill([1, 16, 16, 3], 0.6) as tf.Tensor4D;
    // MSE 0.01 -> 10 log10(1 / 0.01) = 20 dB.
    expect(values(psnrPerImage(x, y))[0]).toBeCloseTo(20, 4);
    expect(values(l1PerImage(x, y))[0]).toBeCloseTo(0.1, 6);
    const dark = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const onePixel = tf.tensor4d([1, ...new Array<number>(15).fill(0)], [1, 4, 4, 1]);
    // MSE 1/16 -> 10 log10(16).
    expect(values(psnrPerImage(dark, onePixel))[0]).toBeCloseTo(10 * Math.log10(16), 4);
    expect(values(l1PerImage(dark, onePixel))[0]).toBeCloseTo(1 / 16, 6);
    tf.dispose([x, y, dark, onePixel]);
  });

  it('identical images give finite values: PSNR at its cap, SSIM 1, L1 0', () => {
    const x = tf.tensor4d(pattern(2, 16, 16, 3, 0), [2, 16, 16, 3]);
    const m = imageMetricsPerImage(x, x);
    const psnr = values(m.psnr);
    expect(psnr).toEqual([PSNR_CAP_DB, PSNR_CAP_DB].map((v) => expect.closeTo(v, 3)));
    expect(psnr.every(Number.isFinite)).toBe(true);
    expect(values(m.ssim).map((v) => Math.abs(v - 1) < 1e-5)).toEqual([true, true]);
    expect(values(m.l1)).toEqual([0, 0]);
    x.dispose();
  });

  it('SSIM of constant images offset by d is (2a(a + d) + C1) / (a^2 + (a + d)^2 + C1)', () => {
    const a = 0.5;
    const d = 0.1;
    const c1 = SSIM_K1 ** 2;
    const x = tf.fill([1, 12, 12, 1], a) as tf.Tensor4D;
    const y = tf.fill([1, 12, 12, 1], a + d) as tf.Tensor4D;
    expect(values(ssimPerImage(x, y))[0]).toBeCloseTo((2 * a * (a + d) + c1) / (a * a + (a + d) ** 2 + c1), 5);
    tf.dispose([x, y]);
  });

  it.each(['cpu', 'wasm'])('SSIM, PSNR and L1 match a PyTorch reference (float64, 2-D Gaussian window, valid positions) on %s', async (backend) => {
    await (backend === 'wasm' ? useWasm() : useCpu());
    // /usr/bin/python3 with torch 1.13, float64: the same pattern() images in NCHW, window
    // outer(g, g) with g = exp(-(i - 5)^2 / 4.5) normalised, conv2d(groups=channels) with no
    // padding, C1 = 0.01^2, C2 = 0.03^2, the SSIM map averaged per image.
    const x = tf.tensor4d(pattern(2, 16, 20, 3, 0), [2, 16, 20, 3]);
    const y = tf.tidy(() => tf.add(tf.mul(x, 0.7), tf.mul(tf.tensor4d(pattern(2, 16, 20, 3, 5), [2, 16, 20, 3]), 0.3)) as tf.Tensor4D);
    const ssim = values(ssimPerImage(x, y));
    expect(ssim[0]).toBeCloseTo(0.9063785050880098, 4);
    expect(ssim[1]).toBeCloseTo(0.9046275833721668, 4);
    const psnr = values(psnrPerImage(x, y));
    expect(psnr[0]).toBeCloseTo(18.944387247668292, 3);
    expect(psnr[1]).toBeCloseTo(18.9228340167596, 3);
    const l1 = values(l1PerImage(x, y));
    expect(l1[0]).toBeCloseTo(0.0845, 5);
    expect(l1[1]).toBeCloseTo(0.084709375, 5);
    tf.dispose([x, y]);
    await useCpu();
  });

  it('the Gaussian window sums to 1 and is symmetric; SSIM refuses images smaller than it', () => {
    const g = Array.from(gaussianTaps());
    expect(g).toHaveLength(11);
    expect(g.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(g).toEqual([...g].reverse());
    const small = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => ssimPerImage(small, small)).toThrow(/at least 11x11/);
    small.dispose();
  });

  it('toUnitRange maps [-1, 1] to [0, 1] and clips; no tensor is left behind', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d([-1.5, -1, 0, 1, 2, 0.5], [1, 1, 6, 1]);
    expect(values(toUnitRange(x))).toEqual([0, 0, 0.5, 1, 1, 0.75]);
    const zeros = tf.zeros([3, 16, 16, 3]) as tf.Tensor4D;
    const ones = tf.ones([3, 16, 16, 3]) as tf.Tensor4D;
    const m = imageMetricsPerImage(zeros, ones);
    expect(values(m.psnr).map((v) => Math.abs(v))).toEqual([0, 0, 0]);
    tf.dispose([x, zeros, ones, m.l1, m.ssim]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
