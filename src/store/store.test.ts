import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultConfig, DEFAULT_DATASET_BY_TASK, MODELS_BY_TASK, parseExperimentConfig } from '../engine/config';
import type { EvalRecord, MetricRecord, StepRecord } from '../engine/records';
import { resetAppStore, useAppStore } from './index';
import { recordCount, recordsInMemory } from './metricsSlice';
import { STEP_HISTORY_CAP } from './stepHistory';
import { createPresetArms, matchedLrArm, seedList } from './settingsSlice';
import { baselineArm, findPlainArm, msPerStep, summariseRun } from './summary';

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
    // The default: plain, RG and RG's matched-lr control, the "Plain vs RG + matched lr" preset.
    expect(s().config.arms).toEqual(createPresetArms('plain-vs-rg-matched'));
    expect(s().config.arms.map((a) => a.name)).toEqual(['plain', 'rg', 'rg matched lr']);
    s().applyPreset('plain-vs-rg');
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
      ['rg matched lr', 0.05],
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
    expect(recordsInMemory(s())).toHaveLength(5);
    expect(s().stepsByArm.plain[1].map((r) => r.step)).toEqual([1, 2]);
    expect(s().stepsByArm.rg).toBe(before.rg);
    expect(before.plain[1]).toHaveLength(1);
    expect(s().events).toHaveLength(1);
    expect(s().evalsByArm.plain[1]).toHaveLength(1);
    // Seeds are kept apart: a second seed's steps never mix into the first seed's curve.
    s().appendRecords([{ ...step('plain', 1), seed: 2 }]);
    expect(Object.keys(s().stepsByArm.plain)).toEqual(['1', '2']);
    expect(s().stepsByArm.plain[1]).toHaveLength(2);
    expect(s().stepsByArm.plain[2]).toHaveLength(1);
    s().resetMetrics();
    expect(recordsInMemory(s())).toEqual([]);
    expect(s().stepsByArm).toEqual({});
  });
});

describe('metrics slice over a long run', () => {
  beforeEach(() => resetAppStore());
  const s = () => useAppStore.getState();
  const total = 2 * STEP_HISTORY_CAP + 500;

  function train(steps: number) {
    for (let from = 1; from <= steps; from += 40) {
      const batch: MetricRecord[] = [];
      for (let t = from; t < from + 40 && t <= steps; t++) {
        batch.push(step('plain', t, 1 / t, 10), step('rg', t, 2 / t, 11));
        if (t % 1000 === 0) batch.push(evalAt('plain', t, t / 1e4), evalAt('rg', t, t / 1e4));
      }
      s().appendRecords(batch);
    }
  }

  it('keeps at most the cap of step records per arm and seed in memory, spanning the whole run, while counting every record', () => {
    train(total);
    for (const arm of ['plain', 'rg']) {
      const kept = s().stepsByArm[arm][1];
      expect(kept.length).toBeLessThanOrEqual(STEP_HISTORY_CAP);
      expect(kept.length).toBeGreaterThan(STEP_HISTORY_CAP / 2);
      expect(kept[0].step).toBe(s().stepMeta[arm][1].stride);
      expect(kept.at(-1)!.step).toBe(total);
    }
    expect(s().stepMeta.plain[1]).toEqual({ stride: 4, count: total });
    const evals = 2 * Math.floor(total / 1000);
    expect(recordCount(s())).toBe(2 * total + evals);
    // Time per step stays exact (each kept record carries the time of the steps dropped before it).
    expect(msPerStep(s().stepsByArm, 'plain')).toBeCloseTo(10, 12);
    expect(msPerStep(s().stepsByArm, 'rg')).toBeCloseTo(11, 12);
    // Nothing took the records for storage, so the store still has every one of them, in order.
    expect(s().unsaved).toHaveLength(2 * total + evals);
    const taken = s().takeUnsaved();
    expect(taken.flatMap((r) => (r.type === 'step' && r.arm === 'rg' ? [r.step] : []))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(s().unsaved).toEqual([]);
    expect(recordCount(s())).toBe(2 * total + evals);
  });

  it('cuts a thinned run back to a checkpoint step, counting the steps up to it', () => {
    train(total);
    s().takeUnsaved();
    s().discardRecordsAfter(5000);
    expect(recordCount(s())).toBe(2 * 5000 + 2 * 5);
    expect(s().stepsByArm.plain[1].at(-1)!.step).toBeLessThanOrEqual(5000);
    expect(recordsInMemory(s()).every((r) => r.type !== 'summary' && r.step <= 5000)).toBe(true);
  });
});

describe('summary', () => {
  it('computes best/final accuracy, steps to target, speed-up and a verdict against the baseline', () => {
    const config = createDefaultConfig();
    const records: MetricRecord[] = [
      evalAt('plain', 10, 0.3),
      evalAt('plain', 20, 0.6),
      evalAt('plain', 30, 0.5),
      evalAt('rg', 10, 0.5),
      evalAt('rg', 20, 0.7),
      evalAt('rg', 30, 0.72),
    ];
    const steps = { plain: { 1: [step('plain', 1, 1, 10), step('plain', 2, 1, 20)] }, rg: { 1: [step('rg', 1, 1, 12)] } };
    expect(findPlainArm(config)).toBe('plain');
    const { byMetric, target } = summariseRun(config, records, 'plain', null);
    expect(target).toBeCloseTo(0.48);
    const [acc] = byMetric;
    expect(acc.arms.map((a) => [a.arm, a.best?.mean, a.final?.mean, a.stepsToTarget?.mean])).toEqual([
      ['plain', 0.6, 0.5, 20],
      ['rg', 0.72, 0.72, 10],
    ]);
    expect(acc.arms[1].comparison?.speedup).toBe(2);
    expect(acc.arms[1].comparison?.verdict).toMatch(/significance needs at least 2 seeds/);
    expect(msPerStep(steps, 'plain')).toBe(15);
    expect(msPerStep(steps, 'none')).toBeNull();
    expect(summariseRun(config, records, 'plain', 0.99).byMetric[0].arms.map((a) => a.reached)).toEqual([0, 0]);
    expect(summariseRun(config, [], 'plain', null).target).toBeNull();
    expect(baselineArm(config, 'rg')).toBe('rg');
    expect(baselineArm(config, 'gone')).toBe('plain');
  });

  it('compares seeds pairwise: 3 seeds where RG is ahead in each give a p-value', () => {
    const config = { ...createDefaultConfig(), seeds: [1, 2, 3] };
    const at = (arm: string, seed: number, acc: number): EvalRecord => ({ type: 'eval', arm, seed, step: 10, epoch: 0, metrics: { loss: 1, accuracy: acc } });
    const records = [at('plain', 1, 0.5), at('plain', 2, 0.52), at('plain', 3, 0.49), at('rg', 1, 0.6), at('rg', 2, 0.63), at('rg', 3, 0.58)];
    const rg = summariseRun(config, records, 'plain', 0.55).byMetric[0].arms[1];
    expect(rg.final?.n).toBe(3);
    expect(rg.comparison?.final?.tTestP).toBeLessThan(0.05);
    expect(rg.comparison?.verdict).toMatch(/over 3 seeds/);
  });
});

describe('summary of other tasks', () => {
  it('uses mIoU for segment and PSNR (target) with SSIM for translate', () => {
    useAppStore.getState().setTask('segment');
    const seg = useAppStore.getState().config;
    const segEval = (arm: string, st: number, mIoU: number): EvalRecord => ({ type: 'eval', arm, seed: 1, step: st, epoch: 0, metrics: { loss: 1, mIoU, perClassIoU: [mIoU, -1] } });
    const segRun = summariseRun(seg, [segEval('plain', 2, 0.2), segEval('plain', 4, 0.4), segEval('rg', 2, 0.35)], 'plain', null);
    expect(segRun.target).toBeCloseTo(0.32);
    expect(segRun.byMetric[0].metric).toBe('mIoU');
    expect(segRun.byMetric[0].arms.map((a) => [a.arm, a.best?.mean, a.final?.mean, a.stepsToTarget?.mean])).toEqual([
      ['plain', 0.4, 0.4, 4],
      ['rg', 0.35, 0.35, 2],
    ]);
    expect(segRun.byMetric[0].arms[1].comparison?.speedup).toBe(2);

    useAppStore.getState().setTask('translate');
    const tr = useAppStore.getState().config;
    const trEval = (arm: string, st: number, psnr: number, ssim: number): EvalRecord => ({ type: 'eval', arm, seed: 1, step: st, epoch: 0, metrics: { l1: 0.1, psnr, ssim } });
    const trRun = summariseRun(tr, [trEval('plain', 1, 12, 0.3), trEval('plain', 2, 11, 0.4)], 'plain', null);
    expect(trRun.byMetric.map((m) => m.metric)).toEqual(['psnr', 'ssim']);
    expect(trRun.byMetric[0].arms[0]).toMatchObject({ best: { mean: 12 }, final: { mean: 11 } });
    expect(trRun.byMetric[1].arms[0]).toMatchObject({ best: { mean: 0.4 }, final: { mean: 0.4 } });
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
    expect(s().config.arms[2]).toMatchObject({ name: 'rg matched lr', optimizer: { type: 'adam', lr: 1e-4 }, rg: { mode: 'off' } });

    // Back on classify: the default config with "Plain vs RG" (a task switch sets plain vs RG).
    s().setTask('classify');
    expect(s().config).toEqual({ ...createDefaultConfig(), arms: createPresetArms('plain-vs-rg') });
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

describe('experiment controls', () => {
  it('adds a matched-LR plain arm at lr x E[weight] (0.5 for U[0, 1)), keeping everything else', () => {
    const s = () => useAppStore.getState();
    s().applyPreset('plain-vs-rg');
    const rgIndex = s().config.arms.findIndex((a) => a.rg.mode === 'uniform');
    const rg = s().config.arms[rgIndex];
    s().addMatchedLrArm(rgIndex);
    s().addMatchedLrArm(rgIndex);
    const arms = s().config.arms;
    expect(arms.map((a) => a.name)).toEqual(['plain', 'rg', 'rg matched lr', 'rg matched lr 2']);
    expect(arms[2].optimizer).toEqual({ ...rg.optimizer, lr: rg.optimizer.lr * 0.5 });
    expect(arms[2].rg.mode).toBe('off');
    expect(arms[2].lrSchedule).toEqual(rg.lrSchedule);
    // Loss weight 2 on U[0, 1): E[w] = 1, so the matched arm keeps the learning rate.
    expect(matchedLrArm({ ...rg, rg: { ...rg.rg, scale: 2 } }, arms).optimizer.lr).toBe(rg.optimizer.lr);
  });

  it('runs every arm for k consecutive seeds, 1 to 10', () => {
    const s = () => useAppStore.getState();
    s().setConfig({ seeds: [7] });
    s().setSeedCount(3);
    expect(s().config.seeds).toEqual([7, 8, 9]);
    s().setSeedCount(40);
    expect(s().config.seeds).toHaveLength(10);
    expect(seedList(4294967295, 2)).toEqual([4294967295, 0]);
  });
});

describe('presets', () => {
  it('gives every preset arms that the config parser accepts (the matched-LR preset included)', () => {
    for (const task of ['classify', 'segment', 'translate'] as const) {
      for (const id of ['plain-vs-rg', 'plain-vs-rg-matched'] as const) {
        const arms = createPresetArms(id, task);
        expect(() => parseExperimentConfig({ ...useAppStore.getState().config, task, model: MODELS_BY_TASK[task][0], dataset: DEFAULT_DATASET_BY_TASK[task], arms }), `${task} ${id}`).not.toThrow();
      }
    }
    expect(createPresetArms('plain-vs-rg-matched').map((a) => [a.name, a.optimizer.lr])).toEqual([
      ['plain', 0.1],
      ['rg', 0.1],
      ['rg matched lr', 0.05],
    ]);
  });
});
