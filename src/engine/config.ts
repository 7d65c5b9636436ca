import { FieldError } from './errors';
import { matchedLrArm } from './matchedLr';

/**
 * The experiment config (docs/contracts.md, section 2): one typed object with defaults, validated
 * where it enters (runner, URL, UI) by `parseExperimentConfig`.
 */

export type Task = 'classify' | 'segment' | 'translate';
export const TASKS: readonly Task[] = ['classify', 'segment', 'translate'];

/** The built-in dataset a task uses when a config names none. */
export const DEFAULT_DATASET_BY_TASK: Record<Task, string> = {
  classify: 'builtin:shapes10',
  segment: 'builtin:scenes',
  translate: 'builtin:labels2scenes',
};

export const CLASSIFIERS = ['cnn', 'resnet20', 'mobilenetv2', 'densenet'] as const;
export type ClassifierName = (typeof CLASSIFIERS)[number];
/** Segmentation models (src/engine/models/segmenters.ts): small FCN, PSPNet and U-Net. */
export const SEGMENTERS = ['fcn', 'psp', 'unet'] as const;
export type SegmenterName = (typeof SEGMENTERS)[number];
/** Models offered per task. */
export const MODELS_BY_TASK: Record<Task, readonly string[]> = {
  classify: CLASSIFIERS,
  segment: SEGMENTERS,
  translate: ['pix2pix'],
};

export interface SgdConfig {
  type: 'sgd';
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}
export interface AdamConfig {
  type: 'adam' | 'adamw';
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}
export type OptimizerConfig = SgdConfig | AdamConfig;

export type ScheduleUnit = 'step' | 'epoch';
interface WarmupPart {
  /** Linear warm-up from lr/warmupSteps to lr over this many steps (0 = none). */
  warmupSteps?: number;
}
export type LrScheduleConfig = WarmupPart &
  (
    | { type: 'constant' }
    | { type: 'step'; milestones: number[]; gamma: number }
    | { type: 'poly'; power: number }
    | { type: 'cosine'; minLr?: number }
    | { type: 'cyclical'; min: number; max: number; period: number; unit: ScheduleUnit }
  );

interface RgCommon {
  /** Fraction of steps on which the weight applies; weight 1 on the others. */
  probability: number;
  /** Multiplies the weight of every mode: the UI's "loss weight". */
  scale: number;
  /** translate only: which loss the weight reaches. */
  applyTo?: 'generator' | 'discriminator' | 'both';
}
export type RgConfig = RgCommon &
  (
    | { mode: 'off' }
    | { mode: 'constant'; weight: number }
    | { mode: 'uniform'; low: number; high: number }
    | { mode: 'cyclical'; min: number; max: number; period: number; unit: ScheduleUnit }
  );
export type RgMode = RgConfig['mode'];
export const RG_MODES: readonly RgMode[] = ['off', 'constant', 'uniform', 'cyclical'];

export interface ArmConfig {
  name: string;
  optimizer: OptimizerConfig;
  lrSchedule: LrScheduleConfig;
  rg: RgConfig;
}

export interface ExperimentConfig {
  task: Task;
  dataset: string;
  model: string;
  inputSize: number;
  batchSize: number;
  /** Exactly one of steps and epochs drives the run length; `steps` wins when both are set. */
  steps?: number;
  epochs?: number;
  evalEvery: number;
  /**
   * Test samples each evaluation during the run uses: a fixed, stratified subset (the same for
   * every arm and seed); the run's last evaluation uses the whole split. 0 = always the whole
   * split. Default DEFAULT_EVAL_SUBSET (parseExperimentConfig fills it in).
   */
  evalSubset?: number;
  seeds: number[];
  /**
   * Augmentation. classify: random crop with padding 4 and horizontal flip; segment: random
   * mirror; translate: pix2pix's random jitter (scale x 286/256, crop back) and mirror.
   */
  augment: boolean;
  arms: ArmConfig[];
}

/** A config problem that names the field and what is allowed there. */
export class ConfigError extends FieldError {
  override name = 'ConfigError';
}

/** The default of config.evalSubset. */
export const DEFAULT_EVAL_SUBSET = 2000;

export const DEFAULT_SGD: SgdConfig = { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: false, weightDecay: 5e-4 };

/**
 * Evaluation period in steps when a config names none: the parser's default and the default
 * config's value (one constant).
 */
export const DEFAULT_EVAL_EVERY = 50;

/**
 * The lab's classification optimizer: the paper's lr 0.1 and weight decay with momentum 0.9, not
 * the paper's 0.5: the small `cnn` (no batch norm) barely moves in 300 steps at 0.5 and learns the
 * default dataset at 0.9 (docs/user-guide.md, "The first run").
 */
export const LAB_CLASSIFY_SGD: SgdConfig = { ...DEFAULT_SGD, momentum: 0.9 };

/** "Plain vs RG" for classification: plain SGD and RG with r ~ U[0, 1), same lr and momentum. */
export function createClassifyArms(): ArmConfig[] {
  const arm = (name: string, rg: RgConfig): ArmConfig => ({
    name,
    optimizer: { ...LAB_CLASSIFY_SGD },
    lrSchedule: { type: 'constant' },
    rg,
  });
  return [
    arm('plain', { mode: 'off', probability: 1, scale: 1 }),
    arm('rg', { mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 }),
  ];
}

/**
 * The default experiment, the first run a newcomer sees: plain vs RG vs the matched-lr control
 * (plain at lr x E[r]) on the easy built-in shapes10, 3 seeds in lock step, so the run ends with a
 * verdict. 16 px, 300 steps of 32 per arm and seed: sized to finish within about two minutes on
 * wasm (docs/user-guide.md, "The first run").
 */
export function createDefaultConfig(): ExperimentConfig {
  const arms = createClassifyArms();
  return {
    task: 'classify',
    dataset: 'builtin:shapes10',
    model: 'cnn',
    inputSize: 16,
    batchSize: 32,
    steps: 300,
    evalEvery: DEFAULT_EVAL_EVERY,
    evalSubset: DEFAULT_EVAL_SUBSET,
    seeds: [1, 2, 3],
    // Random crops with padding 4 move a 16 px image by a quarter of its width: too much for 300 steps.
    augment: false,
    arms: [...arms, matchedLrArm(arms[1], arms)],
  };
}

// ---------------------------------------------------------------------------------------------
// Validation. Every reader takes unknown JSON and returns typed values or throws ConfigError.

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readNumber(
  obj: Json,
  key: string,
  path: string,
  opts: { def?: number; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean },
): number {
  const field = `${path}.${key}`.replace(/^\./, '');
  const raw = obj[key];
  if (raw === undefined) {
    if (opts.def === undefined) throw new ConfigError(field, 'is required');
    return opts.def;
  }
  const range = describeRange(opts);
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new ConfigError(field, `must be a number${range}`);
  if (opts.integer && !Number.isInteger(raw)) throw new ConfigError(field, `must be an integer${range}`);
  const low = opts.min !== undefined && (opts.minExclusive ? raw <= opts.min : raw < opts.min);
  const high = opts.max !== undefined && (opts.maxExclusive ? raw >= opts.max : raw > opts.max);
  if (low || high) throw new ConfigError(field, `is ${raw}; allowed${range}`);
  return raw;
}

function describeRange(opts: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }): string {
  const parts: string[] = [];
  if (opts.min !== undefined) parts.push(`${opts.minExclusive ? '>' : '>='} ${opts.min}`);
  if (opts.max !== undefined) parts.push(`${opts.maxExclusive ? '<' : '<='} ${opts.max}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

function readEnum<T extends string>(obj: Json, key: string, path: string, allowed: readonly T[], def?: T): T {
  const field = `${path}.${key}`.replace(/^\./, '');
  const raw = obj[key];
  if (raw === undefined && def !== undefined) return def;
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(field, `is ${JSON.stringify(raw)}; allowed: ${allowed.join(' | ')}`);
  }
  return raw as T;
}

function readBool(obj: Json, key: string, path: string, def: boolean): boolean {
  const raw = obj[key];
  if (raw === undefined) return def;
  if (typeof raw !== 'boolean') throw new ConfigError(`${path}.${key}`.replace(/^\./, ''), 'must be true or false');
  return raw;
}

function readObject(obj: Json, key: string, path: string, def?: Json): Json {
  const raw = obj[key];
  if (raw === undefined && def) return def;
  if (!isObject(raw)) throw new ConfigError(`${path}.${key}`.replace(/^\./, ''), 'must be an object');
  return raw;
}

const UNITS: readonly ScheduleUnit[] = ['step', 'epoch'];

/**
 * `translate` defaults to pix2pix's optimizer: Adam, lr 2e-4, betas 0.5 and 0.999; `segment` to
 * the paper's segmentation SGD: lr 0.01, momentum 0.9 (weight decay 5e-4, as for classify).
 */
export function parseOptimizer(raw: Json, path: string, task: Task = 'classify'): OptimizerConfig {
  const type = readEnum(raw, 'type', path, ['sgd', 'adam', 'adamw'] as const, task === 'translate' ? 'adam' : 'sgd');
  const lr = readNumber(raw, 'lr', path, { def: type === 'sgd' ? (task === 'segment' ? 0.01 : 0.1) : 2e-4, min: 0, minExclusive: true, max: 10 });
  const weightDecay = readNumber(raw, 'weightDecay', path, { def: type === 'sgd' ? 5e-4 : type === 'adamw' ? 1e-2 : 0, min: 0, max: 1 });
  if (type === 'sgd') {
    return {
      type,
      lr,
      momentum: readNumber(raw, 'momentum', path, { def: task === 'segment' ? 0.9 : 0.5, min: 0, max: 1, maxExclusive: true }),
      nesterov: readBool(raw, 'nesterov', path, false),
      weightDecay,
    };
  }
  return {
    type,
    lr,
    beta1: readNumber(raw, 'beta1', path, { def: task === 'translate' ? 0.5 : 0.9, min: 0, max: 1, maxExclusive: true }),
    beta2: readNumber(raw, 'beta2', path, { def: 0.999, min: 0, max: 1, maxExclusive: true }),
    epsilon: readNumber(raw, 'epsilon', path, { def: 1e-8, min: 0, minExclusive: true, max: 1 }),
    weightDecay,
  };
}

/** `segment` defaults to the paper's poly schedule (power 0.9); the other tasks to a constant rate. */
export function parseLrSchedule(raw: Json, path: string, task: Task = 'classify'): LrScheduleConfig {
  const type = readEnum(raw, 'type', path, ['constant', 'step', 'poly', 'cosine', 'cyclical'] as const, task === 'segment' ? 'poly' : 'constant');
  const warmupSteps = readNumber(raw, 'warmupSteps', path, { def: 0, min: 0, integer: true });
  switch (type) {
    case 'constant':
      return { type, warmupSteps };
    case 'step': {
      const ms = raw.milestones ?? [];
      if (!Array.isArray(ms) || ms.some((m) => typeof m !== 'number' || !Number.isInteger(m) || m < 1)) {
        throw new ConfigError(`${path}.milestones`, 'must be a list of step numbers >= 1');
      }
      return { type, milestones: [...(ms as number[])].sort((a, b) => a - b), gamma: readNumber(raw, 'gamma', path, { def: 0.1, min: 0, minExclusive: true, max: 1 }), warmupSteps };
    }
    case 'poly':
      return { type, power: readNumber(raw, 'power', path, { def: 0.9, min: 0, minExclusive: true, max: 10 }), warmupSteps };
    case 'cosine':
      return { type, minLr: readNumber(raw, 'minLr', path, { def: 0, min: 0 }), warmupSteps };
    case 'cyclical': {
      const min = readNumber(raw, 'min', path, { min: 0, minExclusive: true });
      const max = readNumber(raw, 'max', path, { min });
      const period = readNumber(raw, 'period', path, { min: 1, integer: true });
      return { type, min, max, period, unit: readEnum(raw, 'unit', path, UNITS, 'step'), warmupSteps };
    }
  }
}

export function parseRg(raw: Json, path: string, task: Task): RgConfig {
  const mode = readEnum(raw, 'mode', path, RG_MODES, 'off');
  const common: RgCommon = {
    probability: readNumber(raw, 'probability', path, { def: 1, min: 0, max: 1 }),
    scale: readNumber(raw, 'scale', path, { def: 1, min: 0, max: 100 }),
  };
  if (task === 'translate') common.applyTo = readEnum(raw, 'applyTo', path, ['generator', 'discriminator', 'both'] as const, 'generator');
  switch (mode) {
    case 'off':
      return { ...common, mode };
    case 'constant':
      return { ...common, mode, weight: readNumber(raw, 'weight', path, { def: 1, min: 0, max: 100 }) };
    case 'uniform': {
      const low = readNumber(raw, 'low', path, { def: 0, min: 0, max: 100 });
      const high = readNumber(raw, 'high', path, { def: 1, min: low, max: 100 });
      return { ...common, mode, low, high };
    }
    case 'cyclical': {
      const min = readNumber(raw, 'min', path, { def: 0, min: 0, max: 100 });
      const max = readNumber(raw, 'max', path, { def: 2, min, max: 100 });
      const period = readNumber(raw, 'period', path, { def: 10, min: 1, integer: true });
      return { ...common, mode, min, max, period, unit: readEnum(raw, 'unit', path, UNITS, 'epoch') };
    }
  }
}

export function parseArm(raw: unknown, path: string, task: Task): ArmConfig {
  if (!isObject(raw)) throw new ConfigError(path, 'must be an object');
  const name = raw.name;
  if (typeof name !== 'string' || !/^[\w .+-]{1,40}$/.test(name)) {
    throw new ConfigError(`${path}.name`, 'must be 1-40 letters, digits, spaces or _ . + -');
  }
  return {
    name,
    optimizer: parseOptimizer(readObject(raw, 'optimizer', path, {}), `${path}.optimizer`, task),
    lrSchedule: parseLrSchedule(readObject(raw, 'lrSchedule', path, {}), `${path}.lrSchedule`, task),
    rg: parseRg(readObject(raw, 'rg', path, {}), `${path}.rg`, task),
  };
}

/**
 * The limits of the config's top-level numbers: the parser checks them and the UI's fields use
 * them as their min and max, so the two cannot disagree.
 */
export const CONFIG_LIMITS = {
  inputSize: { min: 8, max: 128 },
  batchSize: { min: 1, max: 1024 },
  steps: { min: 1, max: 10_000_000 },
  epochs: { min: 1, max: 100_000 },
  evalEvery: { min: 1 },
  evalSubset: { min: 0, max: 10_000_000 },
  /** One seed's value. */
  seed: { min: 0, max: 0xffffffff },
  /** How many seeds a config lists. */
  seeds: { min: 1, max: 10 },
  arms: { min: 1, max: 8 },
} as const;

/** Validates a config from JSON, fills defaults, and throws ConfigError naming the first bad field. */
export function parseExperimentConfig(raw: unknown): ExperimentConfig {
  if (!isObject(raw)) throw new ConfigError('config', 'must be a JSON object');
  const task = readEnum(raw, 'task', '', TASKS, 'classify');
  const models = MODELS_BY_TASK[task];
  if (models.length === 0) throw new ConfigError('task', `"${task}" has no models in this version; allowed: ${TASKS.filter((t) => MODELS_BY_TASK[t].length > 0).join(' | ')}`);
  const model = readEnum(raw, 'model', '', models, models[0]);
  const dataset = raw.dataset ?? DEFAULT_DATASET_BY_TASK[task];
  if (typeof dataset !== 'string' || dataset.length === 0) throw new ConfigError('dataset', 'must be builtin:<name> or an archive path');
  const inputSize = readNumber(raw, 'inputSize', '', { def: 32, ...CONFIG_LIMITS.inputSize, integer: true });
  // pix2pix's U-Net halves the image at least three times; SSIM's window is 11 px.
  if (task === 'translate' && (inputSize % 8 !== 0 || inputSize < 16)) throw new ConfigError('inputSize', `is ${inputSize}; translate needs a multiple of 8 from 16 to 128`);
  const batchSize = readNumber(raw, 'batchSize', '', { def: 32, ...CONFIG_LIMITS.batchSize, integer: true });
  let steps: number | undefined;
  let epochs: number | undefined;
  if (raw.steps !== undefined || raw.epochs === undefined) steps = readNumber(raw, 'steps', '', { def: 300, ...CONFIG_LIMITS.steps, integer: true });
  else epochs = readNumber(raw, 'epochs', '', { ...CONFIG_LIMITS.epochs, integer: true });
  const evalEvery = readNumber(raw, 'evalEvery', '', { def: DEFAULT_EVAL_EVERY, ...CONFIG_LIMITS.evalEvery, integer: true });
  const evalSubset = readNumber(raw, 'evalSubset', '', { def: DEFAULT_EVAL_SUBSET, ...CONFIG_LIMITS.evalSubset, integer: true });
  const seedsRaw = raw.seeds ?? [1];
  if (!Array.isArray(seedsRaw) || seedsRaw.length < CONFIG_LIMITS.seeds.min || seedsRaw.length > CONFIG_LIMITS.seeds.max) {
    throw new ConfigError('seeds', `must be a list of ${CONFIG_LIMITS.seeds.min} to ${CONFIG_LIMITS.seeds.max} integers`);
  }
  seedsRaw.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < CONFIG_LIMITS.seed.min || s > CONFIG_LIMITS.seed.max) {
      throw new ConfigError(`seeds[${i}]`, `must be an integer from ${CONFIG_LIMITS.seed.min} to ${CONFIG_LIMITS.seed.max}`);
    }
  });
  if (new Set(seedsRaw).size !== seedsRaw.length) throw new ConfigError('seeds', 'must not repeat a seed');
  const armsRaw = raw.arms;
  if (!Array.isArray(armsRaw) || armsRaw.length < CONFIG_LIMITS.arms.min) throw new ConfigError('arms', 'must be a list of at least one arm');
  if (armsRaw.length > CONFIG_LIMITS.arms.max) throw new ConfigError('arms', `has ${armsRaw.length} arms; allowed ${CONFIG_LIMITS.arms.min} to ${CONFIG_LIMITS.arms.max}`);
  const arms = armsRaw.map((a, i) => parseArm(a, `arms[${i}]`, task));
  const names = new Set<string>();
  arms.forEach((a, i) => {
    if (names.has(a.name)) throw new ConfigError(`arms[${i}].name`, `"${a.name}" is used by another arm`);
    names.add(a.name);
  });
  return {
    task,
    dataset,
    model,
    inputSize,
    batchSize,
    ...(steps !== undefined ? { steps } : { epochs }),
    evalEvery,
    evalSubset,
    seeds: seedsRaw as number[],
    augment: readBool(raw, 'augment', '', true),
    arms,
  };
}
