import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLabels2Scenes } from '../../data/builtin/labels2scenes';
import { useCpu, useWasm } from '../../testing/nodeBackends';
import { type ExperimentConfig, parseExperimentConfig } from '../config';
import type { PairDataset } from '../dataset';
import type { EvalRecord, MetricRecord, StepRecord } from '../records';
import { Trainer } from '../trainer';
import { type ArmModels, disposeArm } from './types';
import { createTranslateTask, jitterPairs, PairImages, pix2pixOf, resizeImages } from './translate';
import { Rng } from '../rng';

const SIZE = 16;
const dataset = generateLabels2Scenes({ size: SIZE, trainCount: 8, testCount: 4, seed: 0 });

function translateConfig(arms: unknown[], extra: Record<string, unknown> = {}): ExperimentConfig {
  return parseExperimentConfig({ task: 'translate', dataset: 'builtin:labels2scenes', inputSize: SIZE, batchSize: 4, steps: 3, evalEvery: 3, arms, ...extra });
}

function snapshot(vars: tf.Variable[]): Float32Array[] {
  return vars.map((v) => v.dataSync() as Float32Array);
}

function changed(before: Float32Array[], vars: tf.Variable[]): boolean {
  return vars.some((v, i) => v.dataSync().some((x, j) => x !== before[i][j]));
}

async function readScalars(out: Record<string, tf.Scalar>): Promise<Record<string, number>> {
  const entries = await Promise.all(Object.entries(out).map(async ([k, t]) => [k, (await t.data())[0]] as const));
  tf.dispose(Object.values(out));
  return Object.fromEntries(entries);
}

describe('translate (pix2pix)', () => {
  beforeAll(useWasm);
  afterAll(useCpu);

  it('defaults: Adam lr 2e-4 with betas 0.5 and 0.999, RG on the generator; sizes must be multiples of 8', () => {
    const cfg = translateConfig([{ name: 'plain' }, { name: 'rg', rg: { mode: 'uniform' } }]);
    expect(cfg.model).toBe('pix2pix');
    expect(cfg.arms[0].optimizer).toEqual({ type: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
    expect(cfg.arms[1].rg.applyTo).toBe('generator');
    expect(() => translateConfig([{ name: 'a' }], { inputSize: 20 })).toThrow(/inputSize: is 20; translate needs a multiple of 8/);
  });

  it('a few steps on one fixed batch lower the L1 loss, and leave no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const cfg = translateConfig([{ name: 'plain' }], { augment: false });
    const task = createTranslateTask(cfg, dataset);
    const arm = task.createArm(cfg.arms[0], 1, null);
    const batch = task.trainBatch(1, 0);
    const l1: number[] = [];
    let afterFirst = 0;
    for (let i = 0; i < 15; i++) {
      const out = task.step(arm, cfg.arms[0], batch, { weight: 1, lr: 2e-4 });
      const v = await readScalars({ loss: out.loss, gradNorm: out.gradNorm, ...out.extras });
      if (i === 0) afterFirst = tf.memory().numTensors;
      l1.push(v.gL1);
      expect(v.loss).toBeCloseTo(v.gAdv + 100 * v.gL1, 3);
    }
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(l1.at(-1)).toBeLessThan(0.85 * l1[0]);
    task.disposeBatch(batch);
    disposeArm(arm);
    task.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['generator', false, true],
    ['discriminator', true, false],
    ['both', false, false],
  ] as const)('with RG weight 0 on the %s, the generator changes: %s, the discriminator changes: %s', async (applyTo, gMoves, dMoves) => {
    const cfg = translateConfig([{ name: 'rg', rg: { mode: 'constant', weight: 0, applyTo } }]);
    const task = createTranslateTask(cfg, dataset);
    const arm = task.createArm(cfg.arms[0], 1, null);
    const { generator: G, discriminator: D } = pix2pixOf(arm);
    const g0 = snapshot(G.params);
    const d0 = snapshot(D.params);
    const batch = task.trainBatch(1, 0);
    for (let t = 0; t < 2; t++) {
      const out = task.step(arm, cfg.arms[0], batch, { weight: 0, lr: 2e-4 });
      await readScalars({ loss: out.loss, gradNorm: out.gradNorm, ...out.extras });
    }
    expect(changed(g0, G.params)).toBe(gMoves);
    expect(changed(d0, D.params)).toBe(dMoves);
    task.disposeBatch(batch);
    disposeArm(arm);
    task.dispose();
  });

  it('the step records unweighted losses; the gradient norm is that of the weighted generator loss', async () => {
    const cfg = translateConfig([{ name: 'plain' }, { name: 'half', rg: { mode: 'constant', weight: 0.5 } }]);
    const task = createTranslateTask(cfg, dataset);
    const plain = task.createArm(cfg.arms[0], 1, null);
    const half = task.createArm(cfg.arms[1], 1, plain);
    const batch = task.trainBatch(1, 0);
    const run = async (arm: ArmModels, i: number, weight: number) => {
      const out = task.step(arm, cfg.arms[i], batch, { weight, lr: 2e-4 });
      return readScalars({ loss: out.loss, gradNorm: out.gradNorm, ...out.extras });
    };
    const a = await run(plain, 0, 1);
    const b = await run(half, 1, 0.5);
    for (const k of ['loss', 'gAdv', 'gL1', 'dReal', 'dFake']) expect(b[k]).toBe(a[k]);
    expect(b.gradNorm).toBeCloseTo(a.gradNorm / 2, 4);
    task.disposeBatch(batch);
    [plain, half].forEach(disposeArm);
    task.dispose();
  });

  it('trains plain and RG arms in lock step: same first-step losses, repeatable records, l1/psnr/ssim, flat tensor count', async () => {
    const cfg = translateConfig([
      { name: 'plain' },
      { name: 'rg', rg: { mode: 'uniform', low: 0, high: 1 } },
      { name: 'rg-d', rg: { mode: 'uniform', low: 0, high: 1, applyTo: 'discriminator' } },
    ]);
    const before = tf.memory().numTensors;
    const run = async () => {
      const records: MetricRecord[] = [];
      const trainer = new Trainer({ config: cfg, dataset, onRecord: (r) => records.push(r), yieldToHost: async () => {} });
      await trainer.run();
      trainer.dispose();
      return records;
    };
    const records = await run();
    expect(tf.memory().numTensors).toBe(before);
    const steps = records.filter((r): r is StepRecord => r.type === 'step');
    expect(steps).toHaveLength(9);
    const first = (arm: string) => steps.find((r) => r.arm === arm && r.step === 1) as StepRecord;
    const [p, rg, rgD] = ['plain', 'rg', 'rg-d'].map(first);
    for (const k of ['loss', 'gAdv', 'gL1', 'dReal', 'dFake'] as const) expect(rg[k]).toBe(p[k]);
    expect(rg.rgWeight).toBeLessThan(1);
    expect(rg.gradNorm / p.gradNorm).toBeCloseTo(rg.rgWeight, 5);
    // RG on the discriminator: its losses are the same before its update; the generator's
    // gradient stays unweighted (and Adam's first step is nearly scale-free, so barely moves).
    expect([rgD.dReal, rgD.dFake]).toEqual([p.dReal, p.dFake]);
    expect(rgD.gradNorm / p.gradNorm).toBeCloseTo(1, 3);
    const evals = records.filter((r): r is EvalRecord => r.type === 'eval');
    expect(evals).toHaveLength(3);
    for (const e of evals) {
      expect(Object.keys(e.metrics).sort()).toEqual(['l1', 'psnr', 'ssim']);
      expect(Object.values(e.metrics).every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
    }
    const again = await run();
    const strip = (rs: MetricRecord[]) => rs.map((r) => (r.type === 'step' ? { ...r, ms: 0 } : r.type === 'summary' ? { ...r, ms: 0 } : r));
    expect(strip(again)).toEqual(strip(records));
  });

  it('batches: the same for the same seed and step, with dropout masks; jitter moves a and b together', () => {
    const twin: PairDataset = { ...dataset, train: { ...dataset.train, b: dataset.train.a } };
    const cfg = translateConfig([{ name: 'plain' }]);
    const task = createTranslateTask(cfg, twin);
    const x = task.trainBatch(5, 3);
    const y = task.trainBatch(5, 3);
    const z = task.trainBatch(5, 4);
    expect(x.dropout.map((m) => m.shape)).toEqual([
      [4, 8, 8, 16],
      [4, 4, 4, 32],
    ]);
    expect(x.a.dataSync()).toEqual(y.a.dataSync());
    expect(x.dropout[0].dataSync()).toEqual(y.dropout[0].dataSync());
    expect(x.dropout[0].dataSync()).not.toEqual(z.dropout[0].dataSync());
    expect(x.b.dataSync()).toEqual(x.a.dataSync());
    const range = x.a.dataSync();
    expect(Math.min(...range)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...range)).toBeLessThanOrEqual(1);
    [x, y, z].forEach((b) => task.disposeBatch(b));
    task.dispose();
  });

  it('jitter flips and crops the pair at whole pixels of the upscaled image', () => {
    const a = tf.tensor4d(Float32Array.from({ length: 16 * 16 }, (_, i) => i), [1, 16, 16, 1]);
    const [ja, jb] = jitterPairs(a, a, new Rng(1));
    expect(ja.shape).toEqual([1, 16, 16, 1]);
    expect(ja.dataSync()).toEqual(jb.dataSync());
    tf.dispose([a, ja, jb]);
  });

  it('pairs stay bytes on the host and a batch gathers exactly their values; resizing averages', () => {
    const pairs = new PairImages(dataset.train, dataset, SIZE);
    const idx = Int32Array.from([3, 0, 7]);
    const before = tf.memory().numBytes;
    const [a, b] = pairs.gather(idx);
    // The backend holds only the batch: two 3-image float32 tensors.
    expect(tf.memory().numBytes - before).toBe(2 * 3 * SIZE * SIZE * dataset.channels * 4);
    const per = SIZE * SIZE * dataset.channels;
    const expected = (which: 'a' | 'b'): number[] => [...idx].flatMap((i) => Array.from(pairs.bytes(which, i, 1)));
    expect(Array.from(a.dataSync())).toEqual(expected('a'));
    expect(Array.from(b.dataSync())).toEqual(expected('b'));
    expect(a.size).toBe(3 * per);
    tf.dispose([a, b]);
    // A 4x4 checkerboard of 0 and 200 shrinks to nearly flat grey (the widened triangle filter
    // leaves a little of the pattern); a 2x2 image grows without new extremes.
    const board = Uint8Array.from({ length: 16 }, (_, i) => ((i + Math.floor(i / 4)) % 2 ? 200 : 0));
    expect(Array.from(resizeImages(board, 1, 4, 4, 1, 2)).every((v) => Math.abs(v - 100) <= 5)).toBe(true);
    const grown = resizeImages(Uint8Array.from([0, 100, 200, 50]), 1, 2, 2, 1, 4);
    expect(Math.min(...grown)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...grown)).toBeLessThanOrEqual(200);
  });

  it('evaluation changes no weight or statistic; samples return the generator outputs as bytes', async () => {
    const cfg = translateConfig([{ name: 'plain' }]);
    const task = createTranslateTask(cfg, dataset);
    const arm = task.createArm(cfg.arms[0], 1, null);
    const vars = arm.models.flatMap((m) => [...m.params, ...m.buffers]);
    const before = snapshot(vars);
    const metrics = await task.evaluate(arm, 'final');
    expect(changed(before, vars)).toBe(false);
    expect(metrics.psnr).toBeGreaterThan(0);
    const s = await task.samples(arm, 3);
    expect([s.count, s.size, s.channels]).toEqual([3, SIZE, 3]);
    expect(s.output).toHaveLength(3 * SIZE * SIZE * 3);
    expect(s.input).toEqual(dataset.test.a.subarray(0, 3 * SIZE * SIZE * 3));
    expect(s.target).toEqual(dataset.test.b.subarray(0, 3 * SIZE * SIZE * 3));
    disposeArm(arm);
    task.dispose();
  });
});
