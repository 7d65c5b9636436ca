import * as tf from '@tensorflow/tfjs';
import { cropDraws } from '../engine/batcher';
import { createModel } from '../engine/models';
import { Rng } from '../engine/rng';
import { EpochSampler } from '../engine/sampler';

/**
 * The random draws the lab makes for one seed of a `cnn` classification run with crop + flip,
 * in the layout train_on_draws.py feeds to an exported train.py in place of its own:
 * - init: the seed's initial parameters in PyTorch's order and layout (conv OIHW, linear
 *   out x in), flat;
 * - orders: each epoch's sample permutation;
 * - augment: per step, per image, [row offset, column offset, flip 0/1].
 * So the two can be compared step for step on the same draws, not only seed mean against seed mean.
 */
export interface LabDraws {
  seed: number;
  init: number[];
  orders: number[][];
  augment: number[][][];
}

export function labDraws(opts: { seed: number; epochs: number; numTrain: number; batchSize: number; channels?: number; numClasses?: number }): LabDraws {
  const { seed, epochs } = opts;
  const model = createModel('cnn', { inputSize: 32, channels: opts.channels ?? 3, numClasses: opts.numClasses ?? 10 }, Rng.stream(seed, 'init'));
  const init: number[] = [];
  for (const p of model.params) {
    // conv HWIO -> OIHW, dense in x out -> out x in; biases as they are
    const t = tf.tidy(() => (p.shape.length === 4 ? tf.transpose(p, [3, 2, 0, 1]) : p.shape.length === 2 ? tf.transpose(p) : p.clone()));
    init.push(...t.dataSync());
    t.dispose();
  }
  tf.dispose(model.params);
  const sampler = new EpochSampler(opts.numTrain, opts.batchSize);
  const orders = Array.from({ length: epochs }, (_, e) => Array.from(sampler.epochOrder(seed, e)));
  const augment = Array.from({ length: epochs * sampler.stepsPerEpoch }, (_, t) =>
    cropDraws(Rng.stream(seed, 'augment', t), sampler.batchSize).map((d) => [d.oy, d.ox, d.flip ? 1 : 0]),
  );
  return { seed, init, orders, augment };
}
