import * as tf from '@tensorflow/tfjs';
import { BEALE_C, QUAD_A, QUAD_B, type SurfaceId } from './surfaces';

/**
 * Analytic gradients of the surfaces as elementwise TF.js ops on an [S, 2] batch of points, so
 * S independent paths step in one tensor. Each must match its surface's `loss` (tested against
 * central differences).
 */

type Gradient = (p: tf.Tensor2D) => tf.Tensor2D;

/** The columns x and y of an [S, 2] batch, each [S, 1]. */
function columns(p: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const [x, y] = tf.split(p, 2, 1);
  return [x as tf.Tensor2D, y as tf.Tensor2D];
}

/** An [S, 2] gradient from its [S, 1] columns. */
function joinColumns(gx: tf.Tensor, gy: tf.Tensor): tf.Tensor2D {
  return tf.concat([gx, gy], 1) as tf.Tensor2D;
}

const GRADIENTS: Record<SurfaceId, Gradient> = {
  quadratic: (p) => tf.mul(p, tf.tensor2d([[QUAD_A, QUAD_B]])),
  rosenbrock: (p) =>
    tf.tidy(() => {
      const [x, y] = columns(p);
      const valley = tf.sub(y, tf.square(x));
      const gx = tf.sub(tf.mul(tf.sub(x, 1), 2), tf.mul(tf.mul(x, valley), 400));
      return joinColumns(gx, tf.mul(valley, 200));
    }),
  beale: (p) =>
    tf.tidy(() => {
      const [x, y] = columns(p);
      let gx: tf.Tensor = tf.zerosLike(x);
      let gy: tf.Tensor = tf.zerosLike(y);
      // yPrev = y^(k-1); the k-th term (c_k − x + x·y^k)² adds 2r·(y^k − 1) to gx and 2r·k·x·y^(k−1) to gy.
      let yPrev: tf.Tensor = tf.onesLike(y);
      BEALE_C.forEach((c, i) => {
        const yk = tf.mul(yPrev, y);
        const r2 = tf.mul(tf.add(tf.sub(c, x), tf.mul(x, yk)), 2);
        gx = tf.add(gx, tf.mul(r2, tf.sub(yk, 1)));
        gy = tf.add(gy, tf.mul(r2, tf.mul(tf.mul(x, yPrev), i + 1)));
        yPrev = yk;
      });
      return joinColumns(gx, gy);
    }),
  saddle: (p) =>
    tf.tidy(() => {
      const [x, y] = columns(p);
      return joinColumns(x, tf.sub(tf.pow(y, 3), y));
    }),
  'noisy-bowl': (p) => tf.clone(p),
};

/** The gradient of surface `id`'s loss at every row of `p` ([S, 2]), as an [S, 2] tensor. */
export function surfaceGradient(id: SurfaceId, p: tf.Tensor2D): tf.Tensor2D {
  return GRADIENTS[id](p);
}
