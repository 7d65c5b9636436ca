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
      { arm: 'plain', best: { accuracy: 0.6 }, final: { accuracy: 0.5 }, stepsToTarget: 20, msPerStep: 15, speedup: 1 },
      { arm: 'rg', best: { accuracy: 0.72 }, final: { accuracy: 0.72 }, stepsToTarget: 10, msPerStep: 12, speedup: 2 },
    ]);
    expect(summariseArms(config, evals, steps, 0.99).map((r) => r.stepsToTarget)).toEqual([null, null]);
    expect(defaultTargetAccuracy(config, {})).toBeNull();
  });
});

describe('summary of other tasks', () => {
  it('uses mIoU for segment and PSNR (target) with SSIM for translate', () => {
    useAppStore.getState().setTask('segment');
    const seg = useAppStore.getState().config;
    const segEval = (arm: string, st: number, mIoU: number): EvalRecord => ({ type: 'eval', arm, seed: 1, step: st, epoch: 0, metrics: { loss: 1, mIoU, perClassIoU: [mIoU, -1] } });
    const segEvals = { plain: [segEval('plain', 2, 0.2), segEval('plain', 4, 0.4)], rg: [segEval('rg', 2, 0.35)] };
    expect(defaultTargetAccuracy(seg, segEvals)).toBeCloseTo(0.32);
    const segRows = summariseArms(seg, segEvals, {}, 0.32);
    expect(segRows.map((r) => [r.arm, r.best, r.final, r.stepsToTarget])).toEqual([
      ['plain', { mIoU: 0.4 }, { mIoU: 0.4 }, 4],
      ['rg', { mIoU: 0.35 }, { mIoU: 0.35 }, 2],
    ]);
    expect(segRows[1].speedup).toBe(2);

    useAppStore.getState().setTask('translate');
    const tr = useAppStore.getState().config;
    const trEval = (arm: string, st: number, psnr: number, ssim: number): EvalRecord => ({ type: 'eval', arm, seed: 1, step: st, epoch: 0, metrics: { l1: 0.1, psnr, ssim } });
    const trRows = summariseArms(tr, { plain: [trEval('plain', 1, 12, 0.3), trEval('plain', 2, 11, 0.4)] }, {}, null);
    expect(trRows[0]).toMatchObject({ best: { psnr: 12, ssim: 0.4 }, final: { psnr: 11, ssim: 0.4 }, stepsToTarget: null });
    expect(trRows[1]).toMatchObject({ arm: 'rg', best: { psnr: null, ssim: null }, final: { psnr: null, ssim: null } });
  });
});

describe('task switch', () => {
  it('sets the model, built-in dataset, input size and the task optimizer defaults on plain vs RG', () => {
    const s = () => useAppStore.getState();
    s().setUi({ targetAccuracy: 0.5 });
    s().setTask('segment');
    expect(s().config).toMatchObject({ task: 'segment', model: 'fcn', dataset: 'builtin:scenes', inputSize: 32 });
    expect(s().config.arms.map((a) => [a.name, a.rg.mode])).toEqual([
      ['plain', 'off'],
      ['rg', 'uniform'],
    ]);
    expect(s().config.arms[1]).toMatchObject({ optimizer: { type: 'sgd', lr: 0.01, momentum: 0.9 }, lrSchedule: { type: 'poly', power: 0.9 } });
    expect(s().ui.targetAccuracy).toBeNull();

    s().setTask('translate');
    expect(s().config).toMatchObject({ task: 'translate', model: 'pix2pix', dataset: 'builtin:labels2scenes' });
    expect(s().config.inputSize % 8).toBe(0);
    expect(s().config.arms[0]).toMatchObject({ optimizer: { type: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999 }, lrSchedule: { type: 'constant' } });
    expect(s().config.arms[1].rg).toMatchObject({ mode: 'uniform', applyTo: 'generator' });
    s().applyPreset('plain-vs-rg-matched');
    expect(s().config.arms[2]).toMatchObject({ name: 'plain lr/2', optimizer: { type: 'adam', lr: 1e-4 } });

    s().setTask('classify');
    expect(s().config).toEqual(createDefaultConfig());
  });
});

describe('samples', () => {
  const samples = (arm: string, st: number) => ({
    arm,
    seed: 1,
    step: st,
    samples: { kind: 'segment' as const, count: 1, size: 2, channels: 3, input: new Uint8Array(12), target: new Uint8Array(4), output: new Uint8Array(4).fill(st) },
  });

  it('keeps the latest samples per arm and resets with the metrics', () => {
    const s = () => useAppStore.getState();
    const palette: [number, number, number][] = [
      [0, 0, 0],
      [128, 0, 0],
    ];
    s().setSamples(samples('plain', 2), palette);
    s().setSamples(samples('rg', 2), palette);
    s().setSamples(samples('plain', 4), palette);
    s().setSamples(samples('plain', 3), palette);
    expect(s().samplesByArm.plain.step).toBe(4);
    expect(s().samplesByArm.rg.step).toBe(2);
    expect(s().samplePalette).toEqual(palette);
    s().resetMetrics();
    expect(s().samplesByArm).toEqual({});
    expect(s().samplePalette).toBeNull();
  });
});
