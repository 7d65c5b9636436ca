import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenes } from '../../data/builtin/scenes';
import { useCpu, useWasm } from '../../testing/nodeBackends';
import { createDefaultConfig, parseExperimentConfig, type ArmConfig, type ExperimentConfig } from '../config';
import { IGNORE_INDEX, type SegmentationDataset } from '../dataset';
import { confusionMatrix, segmentationScores } from '../metrics';
import type { EvalRecord, MetricRecord, StepRecord } from '../records';
import { Trainer } from '../trainer';
import { createSegmentTask, SegmentationBatcher, maskedCrossEntropy, oneHotMask } from './segment';
import { disposeArm } from './types';

const sgd = { type: 'sgd' as const, lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4 };
const plain: ArmConfig = { name: 'plain', optimizer: sgd, lrSchedule: { type: 'poly', power: 0.9 }, rg: { mode: 'off', probability: 1, scale: 1 } };
const rg: ArmConfig = { ...plain, name: 'rg', rg: { mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 } };

function segConfig(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return { ...createDefaultConfig(), task: 'segment', dataset: 'builtin:scenes', model: 'fcn', inputSize: 16, batchSize: 4, steps: 4, evalEvery: 2, seeds: [1], arms: [plain, rg], ...over };
}

async function train(cfg: ExperimentConfig, dataset: SegmentationDataset): Promise<MetricRecord[]> {
  const records: MetricRecord[] = [];
  const trainer = new Trainer({ config: cfg, dataset, onRecord: (r) => records.push(r), yieldToHost: async () => {} });
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
  }
  return records;
}

const stepsOf = (rs: MetricRecord[], arm: string) => rs.filter((r): r is StepRecord => r.type === 'step' && r.arm === arm);
const evalsOf = (rs: MetricRecord[], arm: string) => rs.filter((r): r is EvalRecord => r.type === 'eval' && r.arm === arm);

describe('masked cross-entropy (cpu backend)', () => {
  beforeAll(useCpu);

  it('matches a hand-computed case and skips pixels labelled 255', () => {
    // Pixel 0: logits (0, 0), label 0 -> ln 2. Pixel 1: (2, 0), label 1 -> ln(1 + e^2). Pixel 2: ignored.
    const logits = tf.tensor4d([0, 0, 2, 0, 5, -5], [1, 1, 3, 2]);
    const labels = tf.tensor3d([0, 1, IGNORE_INDEX], [1, 1, 3], 'int32');
    const loss = maskedCrossEntropy(logits, oneHotMask(labels, 2));
    expect(loss.dataSync()[0]).toBeCloseTo((Math.log(2) + Math.log(1 + Math.E ** 2)) / 2, 5);
    const none = maskedCrossEntropy(logits, oneHotMask(tf.fill([1, 1, 3], IGNORE_INDEX, 'int32') as tf.Tensor3D, 2));
    expect(none.dataSync()[0]).toBe(0);
  });

  it('is unchanged, with a zero gradient there, whatever the logits at ignored pixels', () => {
    const labelValues = Int32Array.from({ length: 2 * 4 * 4 }, (_, i) => (i % 3 === 0 ? IGNORE_INDEX : i % 4));
    const y = oneHotMask(tf.tensor3d(labelValues, [2, 4, 4], 'int32'), 4);
    const a = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const ignored = tf.tensor4d(Array.from(labelValues, (l) => [l, l, l, l].map(() => (l === IGNORE_INDEX ? 1 : 0))).flat(), [2, 4, 4, 4]);
    const b = tf.add(a, tf.mul(ignored, tf.randomNormal([2, 4, 4, 4], 0, 10, 'float32', 2))) as tf.Tensor4D;
    expect(maskedCrossEntropy(b, y).dataSync()[0]).toBeCloseTo(maskedCrossEntropy(a, y).dataSync()[0], 6);
    const g = tf.grad((l: tf.Tensor) => maskedCrossEntropy(l as tf.Tensor4D, y))(a);
    expect(tf.sum(tf.abs(tf.mul(g, ignored))).dataSync()[0]).toBe(0);
    expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('segmentation data on the device (cpu backend)', () => {
  beforeAll(useCpu);
  const ds = generateScenes({ size: 16, trainCount: 16, testCount: 4, seed: 1 });

  it('mirrors image and mask together, per sample, the same for the same seed and step', () => {
    const flipped = new SegmentationBatcher(ds, 16, 8, true);
    const straight = new SegmentationBatcher(ds, 16, 8, false);
    const a = flipped.trainBatch(3, 5);
    const again = flipped.trainBatch(3, 5);
    const b = straight.trainBatch(3, 5);
    expect(a.x.dataSync()).toEqual(again.x.dataSync());
    let mirrored = 0;
    for (let i = 0; i < 8; i++) {
      const pick = (t: tf.Tensor4D) => tf.slice(t, [i, 0, 0, 0], [1, -1, -1, -1]);
      const same = tf.tidy(() => tf.max(tf.abs(tf.sub(pick(a.x), pick(b.x)))).dataSync()[0] === 0 && tf.max(tf.abs(tf.sub(pick(a.y), pick(b.y)))).dataSync()[0] === 0);
      const flip = tf.tidy(
        () => tf.max(tf.abs(tf.sub(pick(a.x), tf.reverse(pick(b.x), 2)))).dataSync()[0] === 0 && tf.max(tf.abs(tf.sub(pick(a.y), tf.reverse(pick(b.y), 2)))).dataSync()[0] === 0,
      );
      expect(same || flip).toBe(true);
      if (!same) mirrored++;
    }
    expect(mirrored).toBeGreaterThan(0);
    expect(mirrored).toBeLessThan(8);
    tf.dispose([a.x, a.y, again.x, again.y, b.x, b.y]);
    flipped.dispose();
    straight.dispose();
  });

  it('resizes masks by nearest neighbour, keeping only class and void labels', () => {
    const data = new SegmentationBatcher(ds, 24, 4, false);
    const labels = new Set<number>();
    for (const b of data.testBatches()) {
      expect(b.x.shape).toEqual([4, 24, 24, 3]);
      b.labels.dataSync().forEach((v) => labels.add(v));
      tf.dispose([b.x, b.labels]);
    }
    for (const l of labels) expect(l === IGNORE_INDEX || (l >= 0 && l < 6)).toBe(true);
    expect(labels.has(IGNORE_INDEX)).toBe(true);
    data.dispose();
  });
});

describe('segment task (wasm backend)', () => {
  beforeAll(useWasm);
  afterAll(useCpu);
  const tiny = generateScenes({ size: 16, trainCount: 16, testCount: 6, seed: 2 });

  it('accepts segment configs with the three models', () => {
    for (const model of ['fcn', 'psp', 'unet']) {
      const cfg = parseExperimentConfig({ task: 'segment', dataset: 'builtin:scenes', model, arms: [{ name: 'a' }] });
      expect(cfg.model).toBe(model);
    }
    expect(() => parseExperimentConfig({ task: 'segment', model: 'cnn', arms: [{ name: 'a' }] })).toThrow(/fcn \| psp \| unet/);
  });

  it("fills in the paper's segmentation defaults: SGD lr 0.01, momentum 0.9, weight decay 5e-4, poly lr (power 0.9)", () => {
    const cfg = parseExperimentConfig({ task: 'segment', dataset: 'builtin:scenes', arms: [{ name: 'a' }] });
    expect(cfg.model).toBe('fcn');
    expect(cfg.augment).toBe(true);
    expect(cfg.arms[0].optimizer).toEqual({ type: 'sgd', lr: 0.01, momentum: 0.9, nesterov: false, weightDecay: 5e-4 });
    expect(cfg.arms[0].lrSchedule).toEqual({ type: 'poly', power: 0.9, warmupSteps: 0 });
    const classify = parseExperimentConfig({ arms: [{ name: 'a' }] });
    expect(classify.arms[0].optimizer).toMatchObject({ lr: 0.1, momentum: 0.5 });
    expect(classify.arms[0].lrSchedule.type).toBe('constant');
  });

  it('evaluates to the same scores as counting its own predictions on the CPU', async () => {
    const task = createSegmentTask(segConfig(), tiny);
    const arm = task.createArm(plain, 1, null);
    const metrics = await task.evaluate(arm, 'final');
    const preds = await task.predict(arm, [0, 1, 2, 3, 4, 5]);
    expect(preds).toHaveLength(6 * 16 * 16);
    const expected = segmentationScores(confusionMatrix(tiny.test.masks, preds, 6), 6);
    expect(metrics.pixelAccuracy).toBeCloseTo(expected.pixelAccuracy, 10);
    expect(metrics.mIoU).toBeCloseTo(expected.mIoU, 10);
    expect(metrics.fwIoU).toBeCloseTo(expected.fwIoU, 10);
    expect(metrics.meanAccuracy).toBeCloseTo(expected.meanAccuracy, 10);
    expect(metrics.perClassIoU).toEqual(expected.perClassIoU.map((v) => expect.closeTo(v, 10)));
    expect(Object.keys(metrics).sort()).toEqual(['fwIoU', 'loss', 'mIoU', 'meanAccuracy', 'perClassIoU', 'pixelAccuracy']);
    // The loss is the mean over every labelled val pixel, not a mean of batch means.
    const data = new SegmentationBatcher(tiny, 16, 4, false);
    const loss = tf.tidy(() => {
      const logits = arm.models[0].apply(data.testImages([0, 1, 2, 3, 4, 5]), false) as tf.Tensor4D;
      return maskedCrossEntropy(logits, oneHotMask(tf.tensor3d(tiny.test.masks, [6, 16, 16], 'int32'), 6)).dataSync()[0];
    });
    expect(metrics.loss as number).toBeCloseTo(loss, 4);
    data.dispose();
    disposeArm(arm);
    task.dispose();
  });

  it('pairs arms (same first-step loss), reports psp main and auxiliary losses, and leaks no tensors', async () => {
    for (const model of ['fcn', 'psp', 'unet']) {
      const before = tf.memory().numTensors;
      const rs = await train(segConfig({ model }), tiny);
      expect(tf.memory().numTensors).toBe(before);
      const p = stepsOf(rs, 'plain');
      const r = stepsOf(rs, 'rg');
      expect(p).toHaveLength(4);
      expect(r[0].loss).toBe(p[0].loss);
      expect(r[0].rgWeight).toBeLessThan(1);
      expect(r[1].loss).not.toBe(p[1].loss);
      if (model === 'psp') {
        const s = p[0] as StepRecord & { mainLoss: number; auxLoss: number };
        expect(s.loss).toBeCloseTo(s.mainLoss + 0.4 * s.auxLoss, 5);
      } else {
        expect(p[0]).not.toHaveProperty('auxLoss');
      }
      const ev = evalsOf(rs, 'plain');
      expect(ev.map((e) => e.step)).toEqual([2, 4]);
      expect((ev[0].metrics.perClassIoU as number[]).length).toBe(6);
      const summary = rs.find((x) => x.type === 'summary' && x.arm === 'plain');
      expect(summary && summary.type === 'summary' && summary.best.mIoU).toBeGreaterThanOrEqual(ev[1].metrics.mIoU as number);
    }
  });

  it('evaluates live on the fixed subset and last on the whole split, with the dataset left as bytes on the host', async () => {
    const before = tf.memory().numBytes;
    const batcher = new SegmentationBatcher(tiny, 16, 4, false);
    // Only the normalisation constants (mean and std, 3 floats each) go to the backend up front.
    expect(tf.memory().numBytes - before).toBe(2 * 3 * 4);
    batcher.dispose();
    const task = createSegmentTask(segConfig({ evalSubset: 4 }), tiny);
    expect(task.evalSizes).toEqual({ live: 4, final: 6 });
    task.dispose();
    const rs = await train(segConfig({ evalSubset: 4 }), tiny);
    for (const arm of ['plain', 'rg']) {
      expect(evalsOf(rs, arm).map((e) => [e.step, e.scope, e.evalSamples])).toEqual([
        [2, 'live', 4],
        [4, 'final', 6],
      ]);
    }
  });

  it('repeats the same records for the same config and seed', async () => {
    const losses = async () => stepsOf(await train(segConfig(), tiny), 'rg').map((r) => [r.loss, r.gradNorm, r.rgWeight]);
    expect(await losses()).toEqual(await losses());
  });

  it('fcn: mIoU on builtin:scenes rises in a short run', async () => {
    const ds = generateScenes({ size: 32, trainCount: 240, testCount: 60, seed: 0 });
    const cfg = segConfig({ inputSize: 32, batchSize: 8, steps: 90, evalEvery: 90, arms: [plain] });
    const task = createSegmentTask(cfg, ds);
    const arm = task.createArm(plain, 1, null);
    const before = (await task.evaluate(arm, 'final')).mIoU as number;
    disposeArm(arm);
    task.dispose();
    const rs = await train(cfg, ds);
    const after = evalsOf(rs, 'plain')[0].metrics.mIoU as number;
    expect(after).toBeGreaterThan(before + 0.1);
    expect(after).toBeGreaterThan(0.25);
  });
});
