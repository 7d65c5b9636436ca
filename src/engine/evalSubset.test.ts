import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { ClassificationBatcher } from './batcher';
import { createClassifyArms, createDefaultConfig, type ExperimentConfig } from './config';
import type { EvalRecord, MetricRecord, SummaryRecord } from './records';
import { evalSubset } from './sampler';
import { createClassifyTask, evaluateClassifier } from './tasks/classify';
import { Trainer } from './trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('evalSubset', () => {
  it('keeps each class its share of the split, the same indices every call, ascending', () => {
    // 3 classes of 50, 30 and 20 samples, interleaved.
    const labels = Int32Array.from({ length: 100 }, (_, i) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2));
    const picked = evalSubset(100, 20, labels);
    expect(picked).toHaveLength(20);
    const counts = [0, 1, 2].map((k) => [...picked].filter((i) => labels[i] === k).length);
    expect(counts).toEqual([10, 6, 4]);
    expect(new Set(picked).size).toBe(20);
    expect([...picked]).toEqual([...picked].sort((a, b) => a - b));
    expect(evalSubset(100, 20, labels)).toEqual(picked);
    // Not simply the first samples of each class.
    expect([...picked]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('rounds shares by largest remainder to exactly the count asked', () => {
    const labels = Int32Array.from({ length: 30 }, (_, i) => i % 3);
    const picked = evalSubset(30, 10, labels);
    const counts = [0, 1, 2].map((k) => [...picked].filter((i) => labels[i] === k).length);
    expect(counts.reduce((a, b) => a + b)).toBe(10);
    expect(Math.max(...counts) - Math.min(...counts)).toBe(1);
  });

  it('gives the whole split for 0 or a count at least its size', () => {
    expect([...evalSubset(5, 0)]).toEqual([0, 1, 2, 3, 4]);
    expect([...evalSubset(5, 9)]).toEqual([0, 1, 2, 3, 4]);
    expect(evalSubset(50, 7)).toHaveLength(7);
  });
});

describe('live evaluation on the subset, final on the whole split', () => {
  const dataset = makeTinyClassification({ n: 48, nTest: 40, size: 8 });
  const config = (over: Partial<ExperimentConfig> = {}): ExperimentConfig => ({
    ...createDefaultConfig(),
    augment: true,
    arms: createClassifyArms(),
    inputSize: 8,
    batchSize: 8,
    steps: 6,
    evalEvery: 2,
    evalSubset: 12,
    seeds: [1, 2],
    ...over,
  });

  it('evaluates every arm and seed on the same stratified subset during the run, on all 40 at the end', async () => {
    const records: MetricRecord[] = [];
    const trainer = new Trainer({ config: config(), dataset, onRecord: (r) => records.push(r), yieldToHost: async () => {} });
    await trainer.run();
    trainer.dispose();
    const evals = records.filter((r): r is EvalRecord => r.type === 'eval');
    expect(evals).toHaveLength(3 * 2 * 2);
    for (const e of evals) {
      expect([e.step, e.scope, e.evalSamples]).toEqual(e.step < 6 ? [e.step, 'live', 12] : [6, 'final', 40]);
    }
    const summaries = records.filter((r): r is SummaryRecord => r.type === 'summary');
    expect(summaries).toHaveLength(4);
    for (const s of summaries) {
      const last = evals.filter((e) => e.arm === s.arm && e.seed === s.seed && e.step === 6)[0];
      expect(s.final.accuracy).toBe(last.metrics.accuracy);
      expect(s.finalEvalSamples).toBe(40);
    }
  });

  it("the task's live evaluation is the classifier's on evalSubset's indices, for every seed's arm", async () => {
    const cfg = config();
    const task = createClassifyTask(cfg, dataset);
    const batcher = new ClassificationBatcher(dataset, 8, 8, false);
    const subset = evalSubset(40, 12, dataset.test.labels);
    for (const seed of cfg.seeds) {
      const arm = task.createArm(cfg.arms[0], seed, null);
      const live = await task.evaluate(arm, 'live');
      const full = await task.evaluate(arm, 'final');
      expect(live).toEqual(await evaluateClassifier(arm.models[0], batcher, subset));
      expect(full).toEqual(await evaluateClassifier(arm.models[0], batcher));
      arm.models[0].params.forEach((p) => p.dispose());
      arm.optimizers[0].dispose();
    }
    expect(task.evalSizes).toEqual({ live: 12, final: 40 });
    batcher.dispose();
    task.dispose();
  });

  it('a run stopped between evaluations ends with one evaluation on the whole split', async () => {
    const records: MetricRecord[] = [];
    const trainer: Trainer = new Trainer({
      config: config({ seeds: [1], steps: 20 }),
      dataset,
      onRecord: (r) => records.push(r),
      yieldToHost: async () => {
        if (trainer.step === 5) trainer.stop();
      },
    });
    await trainer.run();
    trainer.dispose();
    const evals = records.filter((r): r is EvalRecord => r.type === 'eval' && r.arm === 'plain');
    expect(evals.map((e) => [e.step, e.scope])).toEqual([
      [2, 'live'],
      [4, 'live'],
      [5, 'final'],
    ]);
  });

  it('with the subset covering the split every evaluation is final, as before', async () => {
    const records: MetricRecord[] = [];
    const trainer = new Trainer({ config: config({ evalSubset: 0, seeds: [1] }), dataset, onRecord: (r) => records.push(r), yieldToHost: async () => {} });
    await trainer.run();
    trainer.dispose();
    const evals = records.filter((r): r is EvalRecord => r.type === 'eval');
    expect(evals.every((e) => e.scope === 'final' && e.evalSamples === 40)).toBe(true);
  });
});
