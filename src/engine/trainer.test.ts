import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../testing/nodeBackends';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { createClassifyArms, createDefaultConfig, type ArmConfig, type ExperimentConfig } from './config';
import type { MetricRecord, StepRecord } from './records';
import { evaluateClassifier } from './tasks/classify';
import { Trainer, type TrainerOptions } from './trainer';
import { ClassificationBatcher } from './batcher';
import { createModel } from './models';
import { Rng } from './rng';

const dataset = makeTinyClassification({ n: 48, nTest: 16, size: 8 });

function tinyConfig(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return { ...createDefaultConfig(), seeds: [1], augment: true, arms: createClassifyArms(), inputSize: 8, batchSize: 8, steps: 6, evalEvery: 3, ...over };
}

function arm(name: string, over: Partial<ArmConfig> = {}): ArmConfig {
  const base = createDefaultConfig().arms[0];
  return { ...base, name, ...over };
}

async function train(cfg: ExperimentConfig, extra: Partial<TrainerOptions> = {}): Promise<MetricRecord[]> {
  const records: MetricRecord[] = [];
  const trainer = new Trainer({ config: cfg, dataset, onRecord: (r) => records.push(r), yieldToHost: async () => {}, ...extra });
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
  }
  return records;
}

const steps = (rs: MetricRecord[], armName: string): StepRecord[] =>
  rs.filter((r): r is StepRecord => r.type === 'step' && r.arm === armName);
const withoutTimes = (rs: MetricRecord[]) => rs.map((r) => ('ms' in r ? { ...r, ms: 0 } : r));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer pairing and determinism (cpu backend)', () => {
  it('gives two arms with equal settings identical losses at every step', async () => {
    const rs = await train(tinyConfig({ arms: [arm('a'), arm('b')] }));
    const a = steps(rs, 'a');
    const b = steps(rs, 'b');
    expect(a).toHaveLength(6);
    expect(b.map((r) => r.loss)).toEqual(a.map((r) => r.loss));
    expect(b.map((r) => r.gradNorm)).toEqual(a.map((r) => r.gradNorm));
  });

  it('trains the plain arm the same alone as in lock step with an RG arm', async () => {
    const both = await train(tinyConfig());
    const alone = await train(tinyConfig({ arms: createClassifyArms().filter((a) => a.name === 'plain') }));
    const withRg = steps(both, 'plain');
    expect(withRg).toHaveLength(6);
    expect(withRg.map((r) => r.loss)).toEqual(steps(alone, 'plain').map((r) => r.loss));
    const finals = (rs: MetricRecord[]) => rs.filter((r) => r.type === 'eval' && r.arm === 'plain');
    expect(finals(both)).toEqual(finals(alone));
  });

  it('gives a plain and an RG arm the same first-step loss, then different paths', async () => {
    const rs = await train(tinyConfig());
    const plain = steps(rs, 'plain');
    const rg = steps(rs, 'rg');
    expect(rg[0].loss).toBe(plain[0].loss);
    expect(rg[0].rgWeight).toBeGreaterThanOrEqual(0);
    expect(rg[0].rgWeight).toBeLessThan(1);
    expect(rg[0].weightedLoss).toBeCloseTo(rg[0].rgWeight * rg[0].loss, 12);
    expect(plain.every((r) => r.rgWeight === 1)).toBe(true);
    expect(rg[2].loss).not.toBe(plain[2].loss);
  });

  it('repeats the same records for the same config and seed', async () => {
    const cfg = tinyConfig({ seeds: [3, 4] });
    const first = await train(cfg);
    const second = await train(cfg);
    expect(withoutTimes(second)).toEqual(withoutTimes(first));
    expect(first.filter((r) => r.type === 'summary')).toHaveLength(4);
  });

  it('gives different seeds different initial weights', async () => {
    const rs = await train(tinyConfig({ seeds: [1, 2], steps: 1, arms: [arm('a')] }));
    const [s1, s2] = [1, 2].map((s) => rs.find((r): r is StepRecord => r.type === 'step' && r.seed === s)!);
    expect(s1.loss).not.toBe(s2.loss);
  });

  it('keeps the tensor count flat over 20 steps', async () => {
    const counts: number[] = [];
    const cfg = tinyConfig({ steps: 20, evalEvery: 5 });
    await train(cfg, { flushIntervalMs: 0, onProgress: () => counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(20);
    expect(new Set(counts.slice(1)).size).toBe(1);
    const before = tf.memory().numTensors;
    await train(tinyConfig({ steps: 2 }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads losses back at least every maxPendingSteps lock steps, however long the interval', async () => {
    const cfg = tinyConfig({ steps: 12, evalEvery: 12 });
    const recordedAt: number[] = [];
    const rates: number[] = [];
    let progressStep = 0;
    const records: MetricRecord[] = [];
    const trainer = new Trainer({
      config: cfg,
      dataset,
      flushIntervalMs: 1e9,
      maxPendingSteps: 4,
      yieldToHost: async () => {},
      onProgress: (p) => {
        progressStep = p.step;
        rates.push(p.imagesPerSec);
      },
      onRecord: (r) => {
        records.push(r);
        if (r.type === 'step' && r.arm === 'plain') recordedAt.push(progressStep);
      },
    });
    await trainer.run();
    trainer.dispose();
    // Steps 1-4 are read back during step 4 (progress still says 3), 5-8 during step 8, ...
    expect(recordedAt).toEqual([1, 2, 3].flatMap((k) => [0, 0, 0, 0].map(() => 4 * k - 1)));
    expect(steps(records, 'plain').map((r) => r.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // Images/s counts only steps read back: none before step 4, then the same figure until the next read-back.
    expect(rates.slice(0, 3)).toEqual([0, 0, 0]);
    expect(rates[3]).toBeGreaterThan(0);
    expect(rates.slice(4, 7)).toEqual([rates[3], rates[3], rates[3]]);
    expect(rates[7]).not.toBe(rates[3]);
  });
});

describe('Trainer behaviour', () => {
  it('evaluation changes no weight, batch-norm statistics included', async () => {
    const data = new ClassificationBatcher(dataset, 8, 8, false);
    const model = createModel('resnet20', { inputSize: 8, channels: 3, numClasses: 4 }, new Rng(1));
    const vars = [...model.params, ...model.buffers];
    const before = await Promise.all(vars.map((v) => v.data()));
    await evaluateClassifier(model, data);
    const after = await Promise.all(vars.map((v) => v.data()));
    expect(after).toEqual(before);
    data.dispose();
    vars.forEach((v) => v.dispose());
  });

  it('marks a diverging arm and lets the other arms go on', async () => {
    const blowUp = arm('huge', { optimizer: { type: 'sgd', lr: 1e8, momentum: 0.9, nesterov: false, weightDecay: 0 } });
    const rs = await train(tinyConfig({ steps: 8, arms: [arm('plain'), blowUp] }));
    const div = rs.find((r) => r.type === 'diverged');
    expect(div).toMatchObject({ type: 'diverged', arm: 'huge' });
    const hugeSteps = steps(rs, 'huge');
    expect(hugeSteps.at(-1)!.step).toBe(div!.step);
    expect(steps(rs, 'plain')).toHaveLength(8);
    const summary = rs.find((r) => r.type === 'summary' && r.arm === 'huge');
    expect(summary).toMatchObject({ diverged: expect.any(String) });
  });

  it('applies a live learning-rate change from the next step and records it', async () => {
    const records: MetricRecord[] = [];
    let trainer: Trainer | null = null;
    trainer = new Trainer({
      config: tinyConfig({ steps: 6 }),
      dataset,
      onRecord: (r) => records.push(r),
      flushIntervalMs: 0,
      onProgress: (p) => {
        if (p.step === 2) trainer!.setParams('rg', { lr: 0.01, lossWeight: 2 });
      },
      yieldToHost: async () => {},
    });
    await trainer.run();
    trainer.dispose();
    const rg = steps(records, 'rg');
    expect(rg.map((r) => r.lr)).toEqual([0.1, 0.1, 0.01, 0.01, 0.01, 0.01]);
    expect(rg[3].rgWeight).toBeGreaterThanOrEqual(0);
    expect(rg[3].rgWeight).toBeLessThan(2);
    expect(steps(records, 'plain').every((r) => r.lr === 0.1)).toBe(true);
    const events = records.filter((r) => r.type === 'event');
    expect(events).toEqual([
      { type: 'event', arm: 'rg', seed: 1, step: 3, name: 'lr', value: 0.01 },
      { type: 'event', arm: 'rg', seed: 1, step: 3, name: 'lossWeight', value: 2 },
    ]);
  });

  it('pauses, resumes and stops between steps', async () => {
    const records: MetricRecord[] = [];
    const trainer = new Trainer({ config: tinyConfig({ steps: 50 }), dataset, onRecord: (r) => records.push(r), flushIntervalMs: 0 });
    const seen: string[] = [];
    const done = trainer.run();
    await new Promise((r) => setTimeout(r, 5));
    trainer.pause();
    seen.push(trainer.status);
    await new Promise((r) => setTimeout(r, 50));
    const stepsWhilePaused = steps(records, 'plain').length;
    await new Promise((r) => setTimeout(r, 50));
    expect(steps(records, 'plain').length).toBe(stepsWhilePaused);
    trainer.resume();
    seen.push(trainer.status);
    trainer.stop();
    await done;
    seen.push(trainer.status);
    trainer.dispose();
    expect(seen).toEqual(['paused', 'running', 'stopped']);
    const last = steps(records, 'plain').length;
    expect(last).toBeLessThan(50);
    expect(records.filter((r) => r.type === 'summary')).toHaveLength(2);
    expect(records.find((r) => r.type === 'summary')).toMatchObject({ steps: last });
  });
});

describe('Trainer on the trainable wasm backend (single-threaded)', () => {
  beforeAll(useWasm);
  afterAll(useCpu);

  it('repeats the same records for the same config and seed, and pairs arms', async () => {
    const cfg = tinyConfig({ model: 'resnet20', steps: 4, evalEvery: 2 });
    const first = await train(cfg);
    const second = await train(cfg);
    expect(withoutTimes(second)).toEqual(withoutTimes(first));
    expect(steps(first, 'rg')[0].loss).toBe(steps(first, 'plain')[0].loss);
    expect(tf.getBackend()).toBe('wasm');
  });
});
