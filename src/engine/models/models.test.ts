import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateShapes10 } from '../../data/builtin/shapes10';
import { useCpu, useWasm } from '../../testing/nodeBackends';
import { CLASSIFIERS, createDefaultConfig } from '../config';
import type { MetricRecord, StepRecord } from '../records';
import { Rng } from '../rng';
import { Trainer } from '../trainer';
import { countParams, createModel, disposeModel } from '.';

// A small training split, seen several times over, so a short run shows every model learning.
const dataset = generateShapes10({ size: 16, trainCount: 80, testCount: 20, seed: 0 });

describe('classifiers', () => {
  beforeAll(useWasm);
  afterAll(useCpu);

  for (const name of CLASSIFIERS) {
    it(`${name}: logits have the right shape for 16 and 32 px, and the weights come from the seed`, () => {
      for (const size of [16, 32]) {
        const m = createModel(name, { inputSize: size, channels: 3, numClasses: 10 }, new Rng(1));
        const again = createModel(name, { inputSize: size, channels: 3, numClasses: 10 }, new Rng(1));
        const out = tf.tidy(() => m.apply(tf.zeros([2, size, size, 3]), false));
        expect(out.shape).toEqual([2, 10]);
        out.dispose();
        expect(m.params[0].dataSync()).toEqual(again.params[0].dataSync());
        expect(countParams(m)).toBeGreaterThan(10_000);
        disposeModel(m);
        disposeModel(again);
      }
    });

    it(`${name}: the training loss falls on shapes10 (wasm backend)`, async () => {
      const cfg = {
        ...createDefaultConfig(),
        seeds: [1],
        model: name,
        inputSize: 16,
        batchSize: 16,
        steps: 40,
        evalEvery: 40,
        augment: false,
        arms: [{ ...createDefaultConfig().arms[0], optimizer: { type: 'sgd' as const, lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4 } }],
      };
      const records: MetricRecord[] = [];
      const before = tf.memory().numTensors;
      const trainer = new Trainer({ config: cfg, dataset, onRecord: (r) => records.push(r), yieldToHost: async () => {} });
      await trainer.run();
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const losses = records.filter((r): r is StepRecord => r.type === 'step').map((r) => r.loss);
      expect(losses).toHaveLength(40);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const first = mean(losses.slice(0, 8));
      const last = mean(losses.slice(-8));
      expect(first).toBeGreaterThan(2.0);
      expect(last).toBeLessThan(first - 0.1);
    });
  }
});
