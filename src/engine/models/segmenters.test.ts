import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../../testing/nodeBackends';
import { SEGMENTERS } from '../config';
import { Rng } from '../rng';
import { countParams, createModel, disposeModel } from '.';
import { adaptiveAvgPool, adaptivePoolWeights, createSegmenter } from './segmenters';

describe('segmenters', () => {
  beforeAll(useWasm);
  afterAll(useCpu);

  for (const name of SEGMENTERS) {
    it(`${name}: logits are N x S x S x K for 16, 32, 40 and 64 px, and the weights come from the seed`, () => {
      const before = tf.memory().numTensors;
      for (const size of [16, 32, 40, 64]) {
        const spec = { inputSize: size, channels: 3, numClasses: 6 };
        const m = createSegmenter(name, spec, new Rng(1));
        const again = createModel(name, spec, new Rng(1));
        const [evalOut, trainOut] = tf.tidy(() => {
          const x = tf.randomNormal([2, size, size, 3]) as tf.Tensor4D;
          const heads = m.applyHeads(x, true);
          expect(heads.aux).toHaveLength(name === 'psp' ? 1 : 0);
          for (const a of heads.aux) expect(a.shape).toEqual([2, size, size, 6]);
          return [m.apply(x, false), heads.main];
        });
        expect(evalOut.shape).toEqual([2, size, size, 6]);
        expect(trainOut.shape).toEqual([2, size, size, 6]);
        tf.dispose([evalOut, trainOut]);
        expect(again.params.length).toBe(m.params.length);
        m.params.forEach((p, i) => expect(p.dataSync()).toEqual(again.params[i].dataSync()));
        expect(countParams(m)).toBeGreaterThan(50_000);
        expect(countParams(m)).toBeLessThan(500_000);
        disposeModel(m);
        disposeModel(again);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('rejects an unknown name, naming the allowed ones', () => {
    expect(() => createSegmenter('deeplab', { inputSize: 32, channels: 3, numClasses: 2 }, null)).toThrow(/fcn, psp, unet/);
  });
});

describe('adaptive average pooling', () => {
  it("uses PyTorch's windows: floor(i * n / b) to ceil((i + 1) * n / b)", () => {
    // 5 -> 3 cells: [0, 2), [1, 4), [3, 5).
    const w = adaptivePoolWeights(5, 3);
    expect(Array.from(w)).toEqual([1 / 2, 1 / 2, 0, 0, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0, 1 / 2, 1 / 2].map(Math.fround));
    // More bins than cells: each bin takes one cell.
    expect(Array.from(adaptivePoolWeights(2, 4))).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
  });

  it('equals avgPool when the size divides evenly, and a hand average otherwise', () => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const ours = adaptiveAvgPool(x, 2);
    const ref = tf.avgPool(x, 4, 4, 'valid');
    expect(ours.shape).toEqual([2, 2, 2, 3]);
    const a = ours.dataSync();
    const b = ref.dataSync();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    const y = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    // 3 -> 2 cells: rows/cols [0, 2) and [1, 3).
    expect(Array.from(adaptiveAvgPool(y, 2).dataSync())).toEqual([3, 4, 6, 7]);
    tf.dispose([x, ours, ref, y]);
  });
});
