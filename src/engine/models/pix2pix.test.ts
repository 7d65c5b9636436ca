import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../../testing/nodeBackends';
import { Rng } from '../rng';
import { countParams, disposeModel } from '.';
import { createPix2pix, PatchDiscriminator, type Pix2pix, unetDepth, unetDropoutShapes } from './pix2pix';

function disposeNets(nets: Pix2pix): void {
  disposeModel(nets.generator);
  disposeModel(nets.discriminator);
}

describe('pix2pix models', () => {
  afterAll(useCpu);

  it.each([
    [32, 5, 6, 6],
    [64, 6, 6, 6],
    [128, 7, 14, 14],
  ])('at %i px: the U-Net has depth %i, the generator keeps the image shape, the PatchGAN scores a %i x %i grid of patches', (size, depth, patches) => {
    const nets = createPix2pix({ inputSize: size, inChannels: 3, outChannels: 3 }, new Rng(1));
    const { generator: G, discriminator: D } = nets;
    expect(G.depth).toBe(depth);
    const before = tf.memory().numTensors;
    const [out, scores, masked] = tf.tidy(() => {
      const x = tf.randomUniform([2, size, size, 3], -1, 1) as tf.Tensor4D;
      const y = G.apply(x, false);
      const masks = unetDropoutShapes(G.spec, 2).map((s) => tf.fill(s, 2) as tf.Tensor4D);
      return [y, D.apply(tf.concat([x, y], 3), false), G.forward(x, 'trainNoUpdate', masks)];
    });
    expect(out.shape).toEqual([2, size, size, 3]);
    expect(masked.shape).toEqual([2, size, size, 3]);
    expect(scores.shape).toEqual([2, patches, patches, 1]);
    expect(PatchDiscriminator.outputSide(size)).toBe(patches);
    const v = out.dataSync();
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    tf.dispose([out, scores, masked]);
    expect(tf.memory().numTensors).toBe(before);
    disposeNets(nets);
  });

  it('dropout masks sit on the three up levels outside the innermost, never the outermost', () => {
    const spec = (inputSize: number) => ({ inputSize, inChannels: 3, outChannels: 3 });
    expect(unetDropoutShapes(spec(32), 4)).toEqual([
      [4, 16, 16, 16],
      [4, 8, 8, 32],
      [4, 4, 4, 64],
    ]);
    expect(unetDropoutShapes(spec(128), 1).map((s) => s[1])).toEqual([16, 8, 4]);
    expect(unetDropoutShapes(spec(16), 1).map((s) => s[1])).toEqual([8, 4]);
    expect(unetDepth(48)).toBe(4);
    expect(() => unetDepth(20)).toThrow(/multiple of 8/);
  });

  it('weights come from the seed (N(0, 0.02) convs, N(1, 0.02) batch-norm scales); a null rng builds zeros', () => {
    const spec = { inputSize: 32, inChannels: 3, outChannels: 3 };
    const a = createPix2pix(spec, new Rng(7));
    const b = createPix2pix(spec, new Rng(7));
    const zero = createPix2pix(spec, null);
    expect(a.generator.params[0].dataSync()).toEqual(b.generator.params[0].dataSync());
    expect(a.discriminator.params.at(-2)?.dataSync()).toEqual(b.discriminator.params.at(-2)?.dataSync());
    const w = Array.from(a.generator.params[0].dataSync());
    const mean = w.reduce((s, x) => s + x, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.017);
    expect(std).toBeLessThan(0.023);
    expect(zero.generator.params.every((p) => p.dataSync().every((x) => x === 0))).toBe(true);
    expect(countParams(a.generator)).toBeGreaterThan(100_000);
    expect(countParams(a.discriminator)).toBeGreaterThan(10_000);
    [a, b, zero].forEach(disposeNets);
  });

  it('wasm computes the same losses and gradients as cpu (transposed convs, padding 1)', async () => {
    const spec = { inputSize: 16, inChannels: 3, outChannels: 3 };
    const lossAndGrads = () => {
      const nets = createPix2pix(spec, new Rng(3));
      const rng = new Rng(4);
      const x = tf.tensor4d(Float32Array.from({ length: 2 * 16 * 16 * 3 }, () => rng.uniform(-1, 1)), [2, 16, 16, 3]);
      const masks = unetDropoutShapes(spec, 2).map((s) => tf.tensor4d(Float32Array.from({ length: s.reduce((p, d) => p * d, 1) }, () => (rng.next() < 0.5 ? 0 : 2)), s));
      const params = [...nets.generator.params, ...nets.discriminator.params];
      const { value, grads } = tf.variableGrads(() => {
        const y = nets.generator.forward(x, 'train', masks);
        const s = nets.discriminator.forward(tf.concat([x, y], 3), 'train');
        return tf.add(tf.mean(tf.square(tf.sub(s, 1))), tf.mean(tf.abs(tf.sub(y, x)))) as tf.Scalar;
      }, params);
      const out = { loss: value.dataSync()[0], grads: params.map((p) => Array.from(grads[p.name].dataSync())) };
      tf.dispose([value, x, ...masks, ...Object.values(grads)]);
      disposeNets(nets);
      return out;
    };
    await useCpu();
    const cpu = lossAndGrads();
    await useWasm();
    const wasm = lossAndGrads();
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    cpu.grads.forEach((g, i) => {
      const scale = Math.max(...g.map(Math.abs), 1e-6);
      const err = Math.max(...g.map((v, j) => Math.abs(v - wasm.grads[i][j])));
      expect(err / scale).toBeLessThan(1e-3);
    });
  });
});
