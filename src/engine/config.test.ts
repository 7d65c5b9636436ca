import { describe, expect, it } from 'vitest';
import { CONFIG_LIMITS, ConfigError, createDefaultConfig, type ExperimentConfig, parseExperimentConfig } from './config';

/** docs/contracts.md section 2's example, comments removed. */
const CONTRACT_EXAMPLE = {
  task: 'classify',
  dataset: 'builtin:shapes10',
  model: 'resnet20',
  inputSize: 32,
  batchSize: 64,
  steps: 300,
  evalEvery: 100,
  evalSubset: 500,
  seeds: [1],
  arms: [
    {
      name: 'plain',
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: false, weightDecay: 0.0005 },
      lrSchedule: { type: 'constant' },
      rg: { mode: 'off' },
    },
    {
      name: 'rg',
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: false, weightDecay: 0.0005 },
      lrSchedule: { type: 'constant' },
      rg: { mode: 'uniform', low: 0, high: 1, probability: 1 },
    },
  ],
};

/** A minimal valid config with one arm changed by `arm`. */
function withArm(arm: Record<string, unknown>): Record<string, unknown> {
  return { arms: [{ name: 'a', ...arm }] };
}

/** Parses `raw` expecting a ConfigError that names `field`, in `.field` and in the message. */
function expectConfigError(raw: unknown, field: string): ConfigError {
  let caught: unknown;
  try {
    parseExperimentConfig(raw);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.name).toBe('ConfigError');
  expect(err.field).toBe(field);
  expect(err.message.startsWith(`${field}: `)).toBe(true);
  return err;
}

describe('parseExperimentConfig fills defaults', () => {
  it('for a config of one named arm', () => {
    const cfg = parseExperimentConfig({ arms: [{ name: 'a' }] });
    expect(cfg).toEqual<ExperimentConfig>({
      task: 'classify',
      dataset: 'builtin:shapes10',
      model: 'cnn',
      inputSize: 32,
      batchSize: 32,
      steps: 300,
      evalEvery: 50,
      evalSubset: 2000,
      seeds: [1],
      augment: true,
      arms: [
        {
          name: 'a',
          optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: false, weightDecay: 5e-4 },
          lrSchedule: { type: 'constant', warmupSteps: 0 },
          rg: { mode: 'off', probability: 1, scale: 1 },
        },
      ],
    });
  });

  it('for each optimizer, schedule and RG mode', () => {
    const arms = parseExperimentConfig({
      arms: [
        { name: 'adam', optimizer: { type: 'adam' }, lrSchedule: { type: 'step' }, rg: { mode: 'uniform' } },
        { name: 'adamw', optimizer: { type: 'adamw' }, lrSchedule: { type: 'poly' }, rg: { mode: 'cyclical' } },
        { name: 'c', lrSchedule: { type: 'cosine' }, rg: { mode: 'constant' } },
        { name: 'd', lrSchedule: { type: 'cyclical', min: 0.01, max: 0.1, period: 10 } },
      ],
    }).arms;
    expect(arms[0].optimizer).toEqual({ type: 'adam', lr: 2e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
    expect(arms[1].optimizer).toEqual({ type: 'adamw', lr: 2e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 });
    expect(arms[0].lrSchedule).toEqual({ type: 'step', milestones: [], gamma: 0.1, warmupSteps: 0 });
    expect(arms[1].lrSchedule).toEqual({ type: 'poly', power: 0.9, warmupSteps: 0 });
    expect(arms[2].lrSchedule).toEqual({ type: 'cosine', minLr: 0, warmupSteps: 0 });
    expect(arms[3].lrSchedule).toEqual({ type: 'cyclical', min: 0.01, max: 0.1, period: 10, unit: 'step', warmupSteps: 0 });
    expect(arms[0].rg).toEqual({ mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 });
    expect(arms[1].rg).toEqual({ mode: 'cyclical', min: 0, max: 2, period: 10, unit: 'epoch', probability: 1, scale: 1 });
    expect(arms[2].rg).toEqual({ mode: 'constant', weight: 1, probability: 1, scale: 1 });
  });

  it('sorts step milestones and keeps epochs when steps are absent', () => {
    const cfg = parseExperimentConfig({ epochs: 3, arms: [{ name: 'a', lrSchedule: { type: 'step', milestones: [30, 10, 20] } }] });
    expect(cfg.epochs).toBe(3);
    expect(cfg.steps).toBeUndefined();
    expect(cfg.arms[0].lrSchedule).toMatchObject({ milestones: [10, 20, 30] });
    expect(parseExperimentConfig({ steps: 5, epochs: 3, arms: [{ name: 'a' }] })).toMatchObject({ steps: 5 });
  });

  it('keeps every value of the docs/contracts.md example, and round-trips through JSON', () => {
    const cfg = parseExperimentConfig(CONTRACT_EXAMPLE);
    expect(cfg).toMatchObject(CONTRACT_EXAMPLE);
    expect(cfg.arms[1].rg).toEqual({ mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 });
    expect(parseExperimentConfig(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
    const def = createDefaultConfig();
    expect(parseExperimentConfig(JSON.parse(JSON.stringify(def)))).toEqual(parseExperimentConfig(def));
    expect(parseExperimentConfig(def)).toMatchObject({ model: def.model, steps: def.steps, arms: [{ name: 'plain' }, { name: 'rg' }, { name: 'rg matched lr' }] });
  });
});

describe('parseExperimentConfig rejects bad configs, naming the field', () => {
  it('not an object', () => {
    expectConfigError(null, 'config');
    expectConfigError([], 'config');
  });

  it('unknown model or task', () => {
    const err = expectConfigError({ model: 'vgg16', arms: [{ name: 'a' }] }, 'model');
    expect(err.message).toContain('resnet20');
    expectConfigError({ model: 42, arms: [{ name: 'a' }] }, 'model');
    expectConfigError({ task: 'detect', arms: [{ name: 'a' }] }, 'task');
  });

  it('no arms', () => {
    expectConfigError({}, 'arms');
    expectConfigError({ arms: [] }, 'arms');
    expectConfigError({ arms: {} }, 'arms');
    expectConfigError({ arms: Array.from({ length: 9 }, (_, i) => ({ name: `a${i}` })) }, 'arms');
    expectConfigError({ arms: ['plain'] }, 'arms[0]');
  });

  it('lr <= 0 (or not a number)', () => {
    expectConfigError(withArm({ optimizer: { lr: 0 } }), 'arms[0].optimizer.lr');
    expectConfigError(withArm({ optimizer: { lr: -0.1 } }), 'arms[0].optimizer.lr');
    expectConfigError(withArm({ optimizer: { type: 'adam', lr: 0 } }), 'arms[0].optimizer.lr');
    expectConfigError(withArm({ optimizer: { lr: '0.1' } }), 'arms[0].optimizer.lr');
    expectConfigError(withArm({ optimizer: { lr: Number.NaN } }), 'arms[0].optimizer.lr');
  });

  it('other optimizer and schedule fields', () => {
    expectConfigError(withArm({ optimizer: { type: 'rmsprop' } }), 'arms[0].optimizer.type');
    expectConfigError(withArm({ optimizer: { momentum: 1 } }), 'arms[0].optimizer.momentum');
    expectConfigError(withArm({ optimizer: { nesterov: 'yes' } }), 'arms[0].optimizer.nesterov');
    expectConfigError(withArm({ optimizer: { weightDecay: -1e-4 } }), 'arms[0].optimizer.weightDecay');
    expectConfigError(withArm({ lrSchedule: { type: 'exponential' } }), 'arms[0].lrSchedule.type');
    expectConfigError(withArm({ lrSchedule: { type: 'step', milestones: [0] } }), 'arms[0].lrSchedule.milestones');
    expectConfigError(withArm({ lrSchedule: { type: 'cyclical', max: 0.1, period: 10 } }), 'arms[0].lrSchedule.min');
    expectConfigError(withArm({ lrSchedule: { type: 'constant', warmupSteps: 2.5 } }), 'arms[0].lrSchedule.warmupSteps');
  });

  it('unknown RG mode and bad RG values', () => {
    const err = expectConfigError(withArm({ rg: { mode: 'gaussian' } }), 'arms[0].rg.mode');
    expect(err.message).toContain('uniform');
    expectConfigError(withArm({ rg: { mode: 'uniform', probability: 1.5 } }), 'arms[0].rg.probability');
    expectConfigError(withArm({ rg: { mode: 'off', scale: -1 } }), 'arms[0].rg.scale');
    expectConfigError(withArm({ rg: { mode: 'uniform', low: 0.8, high: 0.2 } }), 'arms[0].rg.high');
    expectConfigError(withArm({ rg: { mode: 'cyclical', period: 0 } }), 'arms[0].rg.period');
    expectConfigError(withArm({ rg: { mode: 'cyclical', unit: 'batch' } }), 'arms[0].rg.unit');
  });

  it('duplicate or malformed arm names', () => {
    expectConfigError({ arms: [{ name: 'plain' }, { name: 'rg' }, { name: 'plain' }] }, 'arms[2].name');
    expectConfigError({ arms: [{}] }, 'arms[0].name');
    expectConfigError({ arms: [{ name: '' }] }, 'arms[0].name');
    expectConfigError({ arms: [{ name: 'a/b' }] }, 'arms[0].name');
  });

  it('seeds out of range, repeated, or too many', () => {
    expectConfigError({ seeds: [-1], arms: [{ name: 'a' }] }, 'seeds[0]');
    expectConfigError({ seeds: [1, 2 ** 32], arms: [{ name: 'a' }] }, 'seeds[1]');
    expectConfigError({ seeds: [1.5], arms: [{ name: 'a' }] }, 'seeds[0]');
    expectConfigError({ seeds: ['1'], arms: [{ name: 'a' }] }, 'seeds[0]');
    expectConfigError({ seeds: [], arms: [{ name: 'a' }] }, 'seeds');
    expectConfigError({ seeds: 1, arms: [{ name: 'a' }] }, 'seeds');
    expectConfigError({ seeds: Array.from({ length: 11 }, (_, i) => i), arms: [{ name: 'a' }] }, 'seeds');
    expectConfigError({ seeds: [3, 3], arms: [{ name: 'a' }] }, 'seeds');
    expect(parseExperimentConfig({ seeds: [0, 2 ** 32 - 1], arms: [{ name: 'a' }] }).seeds).toEqual([0, 2 ** 32 - 1]);
  });

  it('top-level numbers and flags', () => {
    expectConfigError({ inputSize: 4, arms: [{ name: 'a' }] }, 'inputSize');
    expectConfigError({ batchSize: 0, arms: [{ name: 'a' }] }, 'batchSize');
    expectConfigError({ steps: 10.5, arms: [{ name: 'a' }] }, 'steps');
    expectConfigError({ epochs: 0, arms: [{ name: 'a' }] }, 'epochs');
    expectConfigError({ evalEvery: 0, arms: [{ name: 'a' }] }, 'evalEvery');
    expectConfigError({ evalSubset: -1, arms: [{ name: 'a' }] }, 'evalSubset');
    expectConfigError({ evalSubset: 2.5, arms: [{ name: 'a' }] }, 'evalSubset');
    expectConfigError({ dataset: '', arms: [{ name: 'a' }] }, 'dataset');
    expectConfigError({ augment: 'yes', arms: [{ name: 'a' }] }, 'augment');
  });
});

describe('CONFIG_LIMITS', () => {
  const base = () => createDefaultConfig() as unknown as Record<string, unknown>;
  it('is what the parser accepts: each bound passes and one step past it fails', () => {
    for (const field of ['inputSize', 'batchSize', 'steps', 'evalSubset'] as const) {
      const { min, max } = CONFIG_LIMITS[field];
      expect(() => parseExperimentConfig({ ...base(), [field]: min })).not.toThrow();
      expect(() => parseExperimentConfig({ ...base(), [field]: max })).not.toThrow();
      expect(() => parseExperimentConfig({ ...base(), [field]: min - 1 })).toThrow(ConfigError);
      expect(() => parseExperimentConfig({ ...base(), [field]: max + 1 })).toThrow(ConfigError);
    }
    const { min, max } = CONFIG_LIMITS.seed;
    expect(() => parseExperimentConfig({ ...base(), seeds: [min, max] })).not.toThrow();
    expect(() => parseExperimentConfig({ ...base(), seeds: [max + 1] })).toThrow('seeds[0]: must be an integer from 0 to 4294967295');
    const seeds = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(() => parseExperimentConfig({ ...base(), seeds: seeds(CONFIG_LIMITS.seeds.max) })).not.toThrow();
    expect(() => parseExperimentConfig({ ...base(), seeds: seeds(CONFIG_LIMITS.seeds.max + 1) })).toThrow('seeds: must be a list of 1 to 10 integers');
  });
});
