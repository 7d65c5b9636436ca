import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLabels2Scenes } from '../data/builtin/labels2scenes';
import { generateScenes } from '../data/builtin/scenes';
import { useCpu, useWasm } from '../testing/nodeBackends';
import { createClassifyArms, parseExperimentConfig } from './config';
import type { Dataset } from './dataset';
import { Trainer, type ArmSamples } from './trainer';

async function collectSamples(raw: object, dataset: Dataset): Promise<ArmSamples[]> {
  const config = parseExperimentConfig(raw);
  const out: ArmSamples[] = [];
  const trainer = new Trainer({ config, dataset, onRecord: () => {}, onSamples: (s) => out.push(s), sampleCount: 3, yieldToHost: async () => {} });
  await trainer.run();
  trainer.dispose();
  return out;
}

const arms = createClassifyArms().map(({ name, rg }) => ({ name, rg }));

describe('samples after each evaluation (for overlays and sample grids)', () => {
  beforeAll(useWasm);
  afterAll(useCpu);

  it('segment: each arm predicts masks for the same val images, first seed only', async () => {
    const dataset = generateScenes({ size: 16, trainCount: 16, testCount: 4, seed: 1 });
    const before = tf.memory().numTensors;
    const s = await collectSamples({ task: 'segment', model: 'fcn', inputSize: 16, batchSize: 4, steps: 2, evalEvery: 1, seeds: [1, 2], arms }, dataset);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.map((x) => `${x.arm}@${x.step}/s${x.seed}`)).toEqual(['plain@1/s1', 'rg@1/s1', 'plain@2/s1', 'rg@2/s1']);
    for (const x of s) {
      expect(x.samples).toMatchObject({ kind: 'segment', count: 3, size: 16, channels: 3 });
      expect(x.samples.input).toHaveLength(3 * 16 * 16 * 3);
      expect(x.samples.target).toHaveLength(3 * 16 * 16);
      expect(x.samples.output).toHaveLength(3 * 16 * 16);
      expect(Math.max(...x.samples.output)).toBeLessThan(dataset.classNames.length);
    }
    expect(s[1].samples.input).toEqual(s[0].samples.input);
    expect(s[1].samples.target).toEqual(s[0].samples.target);
    // The un-normalised inputs are the dataset's own bytes (to rounding).
    const first = dataset.test.images.subarray(0, 16 * 16 * 3);
    const diff = Math.max(...Array.from(first, (v, i) => Math.abs(v - s[0].samples.input[i])));
    expect(diff).toBeLessThanOrEqual(1);
  });

  it('translate: each arm generates images for the same val inputs', async () => {
    const dataset = generateLabels2Scenes({ size: 16, trainCount: 8, testCount: 4, seed: 1 });
    const s = await collectSamples({ task: 'translate', model: 'pix2pix', inputSize: 16, batchSize: 4, steps: 1, evalEvery: 1, arms }, dataset);
    expect(s.map((x) => x.arm)).toEqual(['plain', 'rg']);
    for (const x of s) {
      expect(x.samples).toMatchObject({ kind: 'translate', count: 3, size: 16, channels: 3 });
      expect(x.samples.output).toHaveLength(3 * 16 * 16 * 3);
      expect(x.samples.target).toHaveLength(3 * 16 * 16 * 3);
    }
    expect(s[1].samples.target).toEqual(s[0].samples.target);
  });
});
