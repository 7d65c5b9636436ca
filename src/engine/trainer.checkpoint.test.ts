import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLabels2Scenes } from '../data/builtin/labels2scenes';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { type Checkpoint, CheckpointError } from './checkpoint';
import { createClassifyArms, createDefaultConfig, DEFAULT_SGD, parseExperimentConfig, type ArmConfig, type ExperimentConfig } from './config';
import type { Dataset } from './dataset';
import type { MetricRecord } from './records';
import { Trainer, type TrainerOptions } from './trainer';

/**
 * Checkpoint and restore: a run checkpointed at step k, restored into a fresh trainer and
 * continued, gives the same records as the run that never stopped, bit for bit on the cpu
 * backend. Checkpoints go through structuredClone, as they do through postMessage and IndexedDB.
 */

const classify = makeTinyClassification({ n: 16, nTest: 8, size: 8 });

function classifyConfig(over: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return { ...createDefaultConfig(), seeds: [1], augment: true, arms: createClassifyArms().map((a) => ({ ...a, optimizer: { ...DEFAULT_SGD } })), inputSize: 8, batchSize: 8, steps: 8, evalEvery: 3, ...over };
}

function arm(name: string, over: Partial<ArmConfig> = {}): ArmConfig {
  return { ...createDefaultConfig().arms[0], name, ...over };
}

const adam = (name: string, rg: ArmConfig['rg']): ArmConfig => ({
  name,
  optimizer: { type: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-4 },
  lrSchedule: { type: 'cosine' },
  rg,
});

interface Run {
  records: MetricRecord[];
  checkpoints: Checkpoint[];
}

/** Extra trainer options; `get` returns the trainer once it exists. */
type Extra = (get: () => Trainer) => Partial<TrainerOptions>;

async function train(config: ExperimentConfig, dataset: Dataset, opts: { from?: Checkpoint; extra?: Extra } = {}): Promise<Run> {
  const records: MetricRecord[] = [];
  const checkpoints: Checkpoint[] = [];
  let self: Trainer | null = null;
  const trainer = new Trainer({
    config,
    dataset,
    onRecord: (r) => records.push(r),
    onCheckpoint: (c) => checkpoints.push(structuredClone(c)),
    yieldToHost: async () => {},
    ...opts.extra?.(() => self!),
  });
  self = trainer;
  try {
    if (opts.from) {
      trainer.restore(opts.from);
      // What it restored reads back as the checkpoint it was given.
      expect({ ...(await trainer.checkpoint()), savedAt: 0 }).toEqual({ ...opts.from, savedAt: 0 });
    }
    await trainer.run();
  } finally {
    trainer.dispose();
  }
  return { records, checkpoints };
}

/** Records without wall times, which differ run to run. */
const withoutTimes = (rs: MetricRecord[]) => rs.map((r) => (r.type === 'step' || r.type === 'summary' ? { ...r, ms: 0 } : r));
/** What a run resumed at `step` re-emits: later records and the summaries. */
const after = (rs: MetricRecord[], step: number) => rs.filter((r) => r.type === 'summary' || r.step > step);

/** Runs `config` once, then again from its checkpoint at `k`; expects the same records after k. */
async function expectExactResume(config: ExperimentConfig, dataset: Dataset, k: number, extra?: Extra): Promise<Run> {
  const before = tf.memory().numTensors;
  const full = await train(config, dataset, { extra });
  expect(tf.memory().numTensors).toBe(before);
  const checkpoint = full.checkpoints.find((c) => c.step === k);
  if (!checkpoint) throw new Error(`no checkpoint at step ${k}; got ${full.checkpoints.map((c) => c.step).join(', ')}`);
  const resumed = await train(config, dataset, { from: checkpoint });
  expect(tf.memory().numTensors).toBe(before);
  const steps = resumed.records.filter((r) => r.type === 'step');
  expect(steps.length).toBeGreaterThan(0);
  expect(Math.min(...steps.map((r) => r.step))).toBe(k + 1);
  expect(withoutTimes(resumed.records)).toEqual(withoutTimes(after(full.records, k)));
  expect(resumed.checkpoints.map((c) => c.step)).toEqual(full.checkpoints.filter((c) => c.step > k).map((c) => c.step));
  return full;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer checkpoints (cpu backend)', () => {
  it('classify, SGD with momentum and weight decay, plain and RG, two seeds, live changes: resumes exactly across epoch boundaries', async () => {
    const config = classifyConfig({ seeds: [1, 2], steps: 5, evalEvery: 2, augment: true });
    const full = await expectExactResume(config, classify, 2, (get) => ({
      onProgress: (p) => {
        if (p.step !== 1) return;
        get().setParams('rg', { lr: 0.02, lossWeight: 2 });
        get().setParams('plain', { momentum: 0.9 });
      },
    }));
    expect(full.checkpoints.map((x) => x.step)).toEqual([2, 4, 5]);
    const c = full.checkpoints[0];
    expect(c).toMatchObject({ step: 2, epoch: 1, positions: { sampler: { epoch: 1, batch: 0, stepsPerEpoch: 2, batchSize: 8 } } });
    expect(c.arms.map((a) => `${a.arm}/${a.seed}`)).toEqual(['plain/1', 'rg/1', 'plain/2', 'rg/2']);
    expect(c.arms[0].optimizers[0]).toMatchObject({ step: 2, momentumReady: true });
    expect(c.arms[0].state).toMatchObject({ lr: 0.1, momentum: 0.9, lossWeight: 1, diverged: null, stepsDone: 2, best: { accuracy: expect.any(Number) } });
    expect(c.arms[1].state).toMatchObject({ lr: 0.02, momentum: 0.5, lossWeight: 2 });
    expect(full.records.filter((r) => r.type === 'step' && r.arm === 'rg').at(-1)).toMatchObject({ lr: 0.02 });
  });

  it('classify with Adam and a cosine schedule: resumes exactly', async () => {
    const rg = { mode: 'uniform', low: 0, high: 1, probability: 0.5, scale: 1 } as const;
    const config = classifyConfig({ steps: 4, evalEvery: 2, arms: [adam('plain', { mode: 'off', probability: 1, scale: 1 }), adam('rg', rg)] });
    const full = await expectExactResume(config, classify, 2);
    const a = full.checkpoints[0].arms[0];
    expect(a.optimizers[0].slots).toHaveLength(2 * a.weights.length);
    expect(a.optimizers[0].step).toBe(2);
  });

  it('pix2pix (generator and discriminator, batch norm, jitter, dropout masks), Adam, RG on both: resumes exactly', async () => {
    const pairs = generateLabels2Scenes({ size: 16, trainCount: 6, testCount: 2, seed: 0 });
    const config = parseExperimentConfig({
      task: 'translate',
      dataset: 'builtin:labels2scenes',
      inputSize: 16,
      batchSize: 2,
      steps: 4,
      evalEvery: 2,
      arms: [{ name: 'plain' }, { name: 'rg', rg: { mode: 'uniform', applyTo: 'both' } }],
    });
    const full = await expectExactResume(config, pairs, 2);
    const a = full.checkpoints[0].arms[0];
    expect(a.optimizers).toHaveLength(2);
    // Evaluation uses batch norm's running statistics, so equal eval records after the restore show they came back too.
    expect(full.records.filter((r) => r.type === 'eval' && r.step === 4)).toHaveLength(2);
    expect(full.records.some((r) => r.type === 'step' && r.step > 2 && r.gL1 !== undefined)).toBe(true);
  });

  it('a diverged arm stays diverged after a restore while the other arm goes on', async () => {
    const blowUp = arm('huge', { optimizer: { type: 'sgd', lr: 1e8, momentum: 0.9, nesterov: false, weightDecay: 0 } });
    const config = classifyConfig({ steps: 8, evalEvery: 4, arms: [arm('plain'), blowUp] });
    const full = await expectExactResume(config, classify, 4);
    const div = full.records.find((r) => r.type === 'diverged');
    expect(div).toMatchObject({ arm: 'huge' });
    expect(div!.step).toBeLessThanOrEqual(4);
    const state = full.checkpoints[0].arms[1].state;
    expect(state).toMatchObject({ diverged: expect.any(String), divergedAt: div!.step, stepsDone: div!.step });
    expect(full.records.filter((r) => r.type === 'step' && r.arm === 'plain')).toHaveLength(8);
    expect(full.records.filter((r) => r.type === 'step' && r.arm === 'huge' && r.step > 4)).toHaveLength(0);
    expect(full.records.find((r) => r.type === 'summary' && r.arm === 'huge')).toMatchObject({ diverged: expect.any(String), steps: div!.step });
  });

  it('refuses a checkpoint that does not fit the run, changing nothing', async () => {
    const config = classifyConfig({ steps: 2, evalEvery: 2 });
    const [c] = (await train(config, classify)).checkpoints;
    const attempt = (cfg: ExperimentConfig, ck: Checkpoint): (() => void) => () => {
      const t = new Trainer({ config: cfg, dataset: classify, onRecord: () => {} });
      try {
        t.restore(ck);
      } finally {
        t.dispose();
      }
    };
    expect(attempt(classifyConfig({ steps: 2, batchSize: 4 }), c)).toThrow(/2 batches of 8 per epoch, this run has 4 of 4/);
    expect(attempt(classifyConfig({ steps: 2, arms: [arm('plain'), arm('other')] }), c)).toThrow(/arm run 1 is rg \(seed 1\), this run's is other/);
    expect(attempt(classifyConfig({ steps: 2, model: 'resnet20' }), c)).toThrow(CheckpointError);
    const adamArms = [adam('plain', { mode: 'off', probability: 1, scale: 1 }), adam('rg', { mode: 'off', probability: 1, scale: 1 })];
    expect(attempt(classifyConfig({ steps: 2, arms: adamArms }), c)).toThrow(/optimizer 0 state: the checkpoint has \d+ tensors/);
    const bad = structuredClone(c);
    bad.arms[1].state = { ...bad.arms[1].state, lr: 'fast' };
    expect(attempt(config, bad)).toThrow(/arm rg \(seed 1\): state.lr must be a number/);
  });
});
