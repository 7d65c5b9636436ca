import * as tf from '@tensorflow/tfjs';

/**
 * Image-quality metrics for image-to-image translation, per image, on NHWC float images with
 * values in [0, 1] (data range 1): mean absolute error, PSNR and SSIM. Pure tf ops, so they run
 * on any backend; every intermediate is freed.
 */

/** PSNR's value for identical images, where it is +Infinity mathematically: JSON has no Infinity. */
export const PSNR_CAP_DB = 100;

/** SSIM's constants (Wang et al. 2004): an 11x11 Gaussian window with sigma 1.5, K1 0.01, K2 0.03. */
export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

/** Mean absolute error per image. @returns [n] */
export function l1PerImage(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(x, y)), [1, 2, 3]) as tf.Tensor1D);
}

/**
 * Peak signal-to-noise ratio per image in dB, 10 log10(1 / MSE), capped at PSNR_CAP_DB: the
 * MSE is floored at 10^(-cap / 10), so identical images give exactly the cap.
 * @returns [n]
 */
export function psnrPerImage(x: tf.Tensor4D, y: tf.Tensor4D, cap = PSNR_CAP_DB): tf.Tensor1D {
  return tf.tidy(() => {
    const mse = tf.maximum(tf.mean(tf.squaredDifference(x, y), [1, 2, 3]), Math.pow(10, -cap / 10));
    return tf.mul(tf.log(mse), -10 / Math.LN10) as tf.Tensor1D;
  });
}

/** The normalised 1-D Gaussian of `size` taps (centred) with standard deviation `sigma`. */
export function gaussianTaps(size = SSIM_WINDOW, sigma = SSIM_SIGMA): Float32Array {
  const half = (size - 1) / 2;
  const taps = Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  return Float32Array.from(taps, (t) => t / sum);
}

/**
 * Structural similarity per image: the SSIM map over every position where the whole window fits
 * (no padding, as in Wang et al.'s code, scikit-image after its crop, and pytorch-msssim),
 * computed per channel and averaged over positions and channels. Images need a side of at least
 * the window (11 px).
 * @returns [n]
 */
export function ssimPerImage(x: tf.Tensor4D, y: tf.Tensor4D): tf.Tensor1D {
  const [, h, w, c] = x.shape;
  if (h < SSIM_WINDOW || w < SSIM_WINDOW) throw new Error(`SSIM needs images of at least ${SSIM_WINDOW}x${SSIM_WINDOW} pixels, got ${h}x${w}`);
  return tf.tidy(() => {
    const g = gaussianTaps();
    const k = SSIM_WINDOW;
    // Separable: a k x 1 then a 1 x k depthwise pass, each channel filtered on its own.
    const col = tf.tile(tf.tensor4d(g, [k, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const row = tf.tile(tf.tensor4d(g, [1, k, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const blur = (t: tf.Tensor4D): tf.Tensor4D => tf.depthwiseConv2d(tf.depthwiseConv2d(t, col, 1, 'valid'), row, 1, 'valid');
    const c1 = SSIM_K1 ** 2;
    const c2 = SSIM_K2 ** 2;
    // Second moments are taken about each image pair's mean level: the (co)variances do not
    // change, and float32 loses far less to E[x^2] - E[x]^2 cancellation on flat regions.
    const level = tf.mul(tf.mean(tf.add(x, y), [1, 2, 3], true), 0.5);
    const xs = tf.sub(x, level) as tf.Tensor4D;
    const ys = tf.sub(y, level) as tf.Tensor4D;
    const muXs = blur(xs);
    const muYs = blur(ys);
    const varX = tf.sub(blur(tf.square(xs)), tf.square(muXs));
    const varY = tf.sub(blur(tf.square(ys)), tf.square(muYs));
    const covXY = tf.sub(blur(tf.mul(xs, ys)), tf.mul(muXs, muYs));
    const muX = tf.add(muXs, level);
    const muY = tf.add(muYs, level);
    const muXY = tf.mul(muX, muY);
    const muXX = tf.square(muX);
    const muYY = tf.square(muY);
    const num = tf.mul(tf.add(tf.mul(muXY, 2), c1), tf.add(tf.mul(covXY, 2), c2));
    const den = tf.mul(tf.add(tf.add(muXX, muYY), c1), tf.add(tf.add(varX, varY), c2));
    return tf.mean(tf.div(num, den), [1, 2, 3]) as tf.Tensor1D;
  });
}

/** The three metrics of one batch, per image. */
export interface ImageMetricTensors {
  l1: tf.Tensor1D;
  psnr: tf.Tensor1D;
  ssim: tf.Tensor1D;
}

/** L1, PSNR and SSIM per image of `x` against `y`, both NHWC in [0, 1]. The caller disposes them. */
export function imageMetricsPerImage(x: tf.Tensor4D, y: tf.Tensor4D): ImageMetricTensors {
  return { l1: l1PerImage(x, y), psnr: psnrPerImage(x, y), ssim: ssimPerImage(x, y) };
}

/** Maps a model's [-1, 1] output to [0, 1], clipped. */
export function toUnitRange(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.mul(tf.add(x, 1), 0.5), 0, 1) as tf.Tensor4D);
}
