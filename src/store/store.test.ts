import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../engine/config';
import type { EvalRecord, MetricRecord, StepRecord } from '../engine/records';
import { resetAppStore, useAppStore } from './index';
import { defaultTargetAccuracy, summariseArms } from './summary';

const step = (arm: string, s: number, loss = 1, ms = 10): StepRecord => ({
  type: 'step',
  arm,
  seed: 1,
  step: s,
  epoch: 0,
  loss,
  weightedLoss: loss,
  rgWeight: 1,
  lr: 0.1,
  gradNorm: 1,
  ms,
});
const evalAt = (arm: string, s: number, accuracy: number): EvalRecord => ({ type: 'eval', arm, seed: 1, step: s, epoch: 0, metrics: { loss: 1, accuracy } });

beforeEach(() => resetAppStore());

describe('settings slice', () => {
  it('adds, edits and removes arms and resets to the default preset', () => {
    const s = () => useAppStore.getState();
    expect(s().config.arms.map((a) => a.name)).toEqual(['plain', 'rg']);
    s().addArm();
    expect(s().config.arms.map((a) => a.name)).toEqual(['plain', 'rg', 'arm3']);
    expect(s().config.arms[2].rg).toEqual(s().config.arms[1].rg);
    s().updateArm(2, { ...s().config.arms[2], name: 'rg fast', optimizer: { ...s().config.arms[2].optimizer, lr: 0.3 } });
    expect(s().config.arms[2]).toMatchObject({ name: 'rg fast', optimizer: { lr: 0.3 } });
    s().removeArm(0);
    expect(s().config.arms.map((a) => a.name)).toEqual(['rg', 'rg fast']);
    s().applyPreset('plain-vs-rg-matched');
    expect(s().config.arms.map((a) => [a.name, a.optimizer.lr])).toEqual([
      ['plain', 0.1],
      ['rg', 0.1],
      ['plain lr/2', 0.05],
    ]);
    s().resetSettings();
    expect(s().config).toEqual(createDefaultConfig());
  });

  it('keeps the last arm and switches the run length between steps and epochs', () => {
    const s = () => useAppStore.getState();
    s().removeArm(0);
    s().removeArm(0);
    expect(s().config.arms).toHaveLength(1);
    s().setRunLength('epochs', 3);
    expect(s().config.epochs).toBe(3);
    expect('steps' in s().config).toBe(false);
    s().setRunLength('steps', 20);
    expect(s().config.steps).toBe(20);
    expect('epochs' in s().config).toBe(false);
  });
});

describe('run slice', () => {
  it('moves through running, paused and done, and ignores status after the end', () => {
    const s = () => useAppStore.getState();
    expect(s().run.status).toBe('idle');
    s().beginRun('r1', createDefaultConfig());
    expect(s().run).toMatchObject({ id: 'r1', status: 'running', totalSteps: 300, step: 0 });
    s().setRunPlan(300, 156);
    s().setProgress({ step: 5, totalSteps: 300, epoch: 5 / 156, imagesPerSec: 40, elapsedMs: 1000 });
    s().setRunStatus('paused');
    expect(s().run).toMatchObject({ status: 'paused', step: 5, stepsPerEpoch: 156 });
    s().finishRun(true, null);
    expect(s().run).toMatchObject({ status: 'done', stopped: true, step: 5 });
    s().setRunStatus('running');
    expect(s().run.status).toBe('done');
    s().failRun('TrainingError: boom');
    expect(s().run).toMatchObject({ status: 'error', error: 'TrainingError: boom' });
    s().resetRun();
    expect(s().run.status).toBe('idle');
  });

  it('drops a dataset reply that is not for the latest request', () => {
    const s = () => useAppStore.getState();
    s().setDatasetLoading('a');
    s().setDatasetLoading('b');
    s().setDatasetReady('a', { id: 'a', name: 'a', classNames: [], height: 1, width: 1, channels: 3, numTrain: 1, numTest: 1, inputSize: 1, ms: 1 });
    expect(s().dataset.state).toBe('loading');
    s().setDatasetError('b', 'DatasetError: nope');
    expect(s().dataset).toMatchObject({ state: 'error', error: 'DatasetError: nope' });
  });
});

describe('metrics slice', () => {
  it('splits appended records by kind and arm, immutably', () => {
    const s = () => useAppStore.getState();
    const batch: MetricRecord[] = [
      step('plain', 1),
      step('rg', 1),
      { type: 'event', arm: 'rg', seed: 1, step: 2, name: 'lr', value: 0.05 },
      evalAt('plain', 2, 0.5),
    ];
    s().appendRecords(batch);
    const before = s().stepsByArm;
    s().appendRecords([step('plain', 2)]);
    expect(s().records).toHaveLength(5);
    expect(s().stepsByArm.plain.map((r) => r.step)).toEqual([1, 2]);
    expect(s().stepsByArm.rg).toBe(before.rg);
    expect(before.plain).toHaveLength(1);
    expect(s().events).toHaveLength(1);
    expect(s().evalsByArm.plain).toHaveLength(1);
    s().resetMetrics();
    expect(s().records).toEqual([]);
    expect(s().stepsByArm).toEqual({});
  });
});

describe('summary', () => {
  it('computes best/final accuracy, steps to target and speed-up against the first arm', () => {
    const config = createDefaultConfig();
    const evals = {
      plain: [evalAt('plain', 10, 0.3), evalAt('plain', 20, 0.6), evalAt('plain', 30, 0.5)],
      rg: [evalAt('rg', 10, 0.5), evalAt('rg', 20, 0.7), evalAt('rg', 30, 0.72)],
    };
    const steps = { plain: [step('plain', 1, 1, 10), step('plain', 2, 1, 20)], rg: [step('rg', 1, 1, 12)] };
    const target = defaultTargetAccuracy(config, evals);
    expect(target).toBeCloseTo(0.48);
    const rows = summariseArms(config, evals, steps, target);
    expect(rows).toEqual([
      { arm: 'plain', bestAccuracy: 0.6, finalAccuracy: 0.5, stepsToTarget: 20, msPerStep: 15, speedup: 1 },
      { arm: 'rg', bestAccuracy: 0.72, finalAccuracy: 0.72, stepsToTarget: 10, msPerStep: 12, speedup: 2 },
    ]);
    expect(summariseArms(config, evals, steps, 0.99).map((r) => r.stepsToTarget)).toEqual([null, null]);
    expect(defaultTargetAccuracy(config, {})).toBeNull();
  });
});
