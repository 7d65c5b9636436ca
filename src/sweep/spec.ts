import { ConfigError, parseArm, parseExperimentConfig, type ExperimentConfig, type RgConfig, type Task } from '../engine/config';
import { FieldError } from '../engine/errors';

/**
 * Sweeps: a grid over learning rate x momentum, every point run with the same set of arm
 * variants (plain, RG, loss weights, ...). A cell is one (lr, momentum) point and one
 * experiment config whose arms are the variants, so the variants of a cell share initial
 * weights, batches and RG draws, exactly as the lab's side-by-side runs do. Variants only
 * change per-arm settings (RG weight, learning-rate factor), so they can always share a run;
 * what cannot (model, dataset, batch size) belongs to the sweep's base config, not to a variant.
 * Cells of one sweep use the same seeds, and a run's initial weights and batches are functions
 * of (seed, model, dataset) alone, so every cell starts from the same weights on the same
 * batches: cells compare as pairs too, they just run one after another.
 */

/** An RG setting as a variant states it; `probability` and `scale` default to 1 when parsed. */
export type RgVariant = DistributiveOmit<RgConfig, 'probability' | 'scale' | 'applyTo'> & { probability?: number; scale?: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One arm of every cell: a name, its RG weight, and a factor on the cell's learning rate. */
export interface ArmVariant {
  /** The arm's name in each cell's config: unique in a sweep, 1-40 of letters, digits, spaces, _ . + - */
  name: string;
  /** What it is, for the panel. */
  label: string;
  rg: RgVariant;
  /** Multiplies the cell's learning rate (default 1): 0.5 is the matched-lr control for RG's E[r] = 0.5. */
  lrScale?: number;
}

/** A sweep: a base config, the axes, a budget per run and the metric to report. */
export interface SweepSpec {
  /**
   * Task, dataset, model, input size, batch size, seeds and augmentation of every cell; its first
   * arm is the template of every arm's optimizer (SGD: weight decay, Nesterov) and LR schedule.
   * Its own steps, evalEvery and arms are replaced.
   */
  base: ExperimentConfig;
  /** Learning rates, in the order the queue runs them (outer loop). */
  lrs: readonly number[];
  /** SGD momenta (inner loop). */
  momenta: readonly number[];
  /** The arms of every cell, 1 to 8. */
  variants: readonly ArmVariant[];
  /** Training steps per run (the budget of one cell). */
  steps: number;
  /** Steps between evaluations; default {@link defaultEvalEvery}(steps). */
  evalEvery?: number;
  /** The eval metric the table, heatmap and paper comparison report (one of {@link SWEEP_METRICS}). */
  metric: string;
  /** The arm the others are compared with; default {@link findBaseline}. */
  baseline?: string;
}

/** One grid point: its coordinates and its complete, validated config. */
export interface SweepCell {
  /** Position in run order, 0-based. */
  index: number;
  /** `lr=0.01 momentum=0.9`: stable across runs of the same grid. */
  id: string;
  lr: number;
  momentum: number;
  config: ExperimentConfig;
  /** The arm the cell's other arms are compared with. */
  baseline: string;
}

/** A sweep the lab cannot run, naming the field: `lrs[2]: is 0; allowed > 0 and <= 10`. */
export class SweepError extends FieldError {
  override name = 'SweepError';
}

/** Eval metrics a sweep can report, per task, the headline first. */
export const SWEEP_METRICS: Record<Task, readonly string[]> = {
  classify: ['accuracy', 'loss'],
  segment: ['mIoU', 'pixelAccuracy', 'meanAccuracy', 'fwIoU', 'loss'],
  translate: ['psnr', 'ssim', 'l1'],
};

/** At most this many values per axis (so at most 64 cells). */
export const MAX_AXIS_VALUES = 8;
/** At most this many arms per cell: the config's limit. */
export const MAX_VARIANTS = 8;
/** Budget limits per run, in steps. */
export const MIN_BUDGET = 10;
export const MAX_BUDGET = 5000;

/** The arm variants the panel offers; presets pick from these. */
export const ARM_VARIANTS: readonly ArmVariant[] = [
  { name: 'plain', label: 'plain: RG off', rg: { mode: 'off' } },
  { name: 'rg', label: 'RG: r ~ U[0, 1) every step (the paper)', rg: { mode: 'uniform', low: 0, high: 1 } },
  { name: 'rg p0.5', label: "RG on half the steps (the paper's segmentation code)", rg: { mode: 'uniform', low: 0, high: 1, probability: 0.5 } },
  { name: 'plain lr x0.5', label: "plain at lr × 0.5: RG's mean step without its noise", rg: { mode: 'off' }, lrScale: 0.5 },
  { name: 'w0.5', label: 'constant loss weight 0.5', rg: { mode: 'constant', weight: 0.5 } },
  { name: 'w1', label: 'constant loss weight 1 (plain)', rg: { mode: 'constant', weight: 1 } },
  { name: 'w2', label: 'constant loss weight 2', rg: { mode: 'constant', weight: 2 } },
  {
    name: 'cyclical',
    label: 'cyclical weight: triangular 0 → 1 → 0 every 50 steps (mean 0.5, as U[0, 1))',
    rg: { mode: 'cyclical', min: 0, max: 1, period: 50, unit: 'step' },
  },
];

/** The catalogue's variants with these names, in the catalogue's order; throws on an unknown name. */
export function pickVariants(names: readonly string[]): ArmVariant[] {
  const unknown = names.find((n) => !ARM_VARIANTS.some((v) => v.name === n));
  if (unknown !== undefined) throw new SweepError('variants', `"${unknown}" is not one of ${ARM_VARIANTS.map((v) => v.name).join(', ')}`);
  return ARM_VARIANTS.filter((v) => names.includes(v.name));
}

/** About five evaluations per run (and the trainer adds one at the end). */
export function defaultEvalEvery(steps: number): number {
  return Math.max(1, Math.ceil(steps / 5));
}

/** `spec.baseline` if it is a variant, else the first variant with RG off (or weight 1) at lr x 1, else the first. */
export function findBaseline(spec: Pick<SweepSpec, 'variants' | 'baseline'>): string {
  const { variants } = spec;
  if (spec.baseline !== undefined && variants.some((v) => v.name === spec.baseline)) return spec.baseline;
  const plain = variants.find((v) => (v.lrScale ?? 1) === 1 && (v.rg.mode === 'off' || (v.rg.mode === 'constant' && v.rg.weight === 1)));
  return (plain ?? variants[0])?.name ?? '';
}

/** `lr=0.01 momentum=0.9`. */
export function cellId(lr: number, momentum: number): string {
  return `lr=${lr} momentum=${momentum}`;
}

function checkAxis(values: readonly number[], field: string, ok: (v: number) => boolean, allowed: string): void {
  if (values.length === 0) throw new SweepError(field, 'needs at least one value');
  if (values.length > MAX_AXIS_VALUES) throw new SweepError(field, `has ${values.length} values; allowed 1 to ${MAX_AXIS_VALUES}`);
  values.forEach((v, i) => {
    if (!Number.isFinite(v) || !ok(v)) throw new SweepError(`${field}[${i}]`, `is ${v}; allowed ${allowed}`);
    if (values.indexOf(v) !== i) throw new SweepError(`${field}[${i}]`, `repeats ${v}`);
  });
}

/** Throws a SweepError naming the first problem of `spec` that is not a single config's (axes, budget, metric, variants). */
export function validateSweep(spec: SweepSpec): void {
  checkAxis(spec.lrs, 'lrs', (v) => v > 0 && v <= 10, '> 0 and <= 10');
  checkAxis(spec.momenta, 'momenta', (v) => v >= 0 && v < 1, '>= 0 and < 1');
  if (spec.variants.length === 0) throw new SweepError('variants', 'needs at least one arm');
  if (spec.variants.length > MAX_VARIANTS) throw new SweepError('variants', `has ${spec.variants.length} arms; allowed 1 to ${MAX_VARIANTS}`);
  spec.variants.forEach((v, i) => {
    if (spec.variants.findIndex((w) => w.name === v.name) !== i) throw new SweepError(`variants[${i}].name`, `"${v.name}" is used by another arm`);
    const scale = v.lrScale ?? 1;
    if (!(scale > 0 && scale <= 10)) throw new SweepError(`variants[${i}].lrScale`, `is ${scale}; allowed > 0 and <= 10`);
  });
  if (!Number.isInteger(spec.steps) || spec.steps < MIN_BUDGET || spec.steps > MAX_BUDGET) {
    throw new SweepError('steps', `is ${spec.steps}; allowed an integer from ${MIN_BUDGET} to ${MAX_BUDGET}`);
  }
  const metrics = SWEEP_METRICS[spec.base.task];
  if (!metrics.includes(spec.metric)) throw new SweepError('metric', `is "${spec.metric}"; allowed for ${spec.base.task}: ${metrics.join(' | ')}`);
  const template = spec.base.arms[0];
  if (!template) throw new SweepError('base.arms', 'needs one arm as the template of the optimizer and schedule');
  if (template.optimizer.type !== 'sgd') throw new SweepError('base.arms[0].optimizer.type', `is ${template.optimizer.type}; the momentum axis needs sgd`);
  if (template.lrSchedule.type === 'cyclical') {
    throw new SweepError('base.arms[0].lrSchedule.type', 'is cyclical, whose absolute bounds ignore the lr axis; use constant, step, poly or cosine');
  }
}

/**
 * Every grid point's config, lr-major in the order of `spec.lrs` then `spec.momenta`. Each is
 * validated by parseExperimentConfig; a problem throws a SweepError naming the spec's field, or
 * the cell and the config's field.
 */
export function expandSweep(spec: SweepSpec): SweepCell[] {
  validateSweep(spec);
  const { steps: _steps, epochs: _epochs, arms: _arms, ...base } = spec.base;
  const template = spec.base.arms[0];
  const baseline = findBaseline(spec);
  const evalEvery = spec.evalEvery ?? defaultEvalEvery(spec.steps);
  const cells: SweepCell[] = [];
  for (const lr of spec.lrs) {
    for (const momentum of spec.momenta) {
      const id = cellId(lr, momentum);
      const raw = {
        ...base,
        steps: spec.steps,
        evalEvery,
        arms: spec.variants.map((v) => ({
          name: v.name,
          optimizer: { ...template.optimizer, lr: lr * (v.lrScale ?? 1), momentum },
          lrSchedule: template.lrSchedule,
          rg: v.rg,
        })),
      };
      let config: ExperimentConfig;
      try {
        config = parseExperimentConfig(structuredClone(raw));
      } catch (e) {
        if (e instanceof ConfigError) throw new SweepError(`cell ${id}: ${e.field}`, e.message.slice(e.field.length + 2));
        throw e;
      }
      cells.push({ index: cells.length, id, lr, momentum, config, baseline });
    }
  }
  return cells;
}

/** What a sweep costs: cells, runs (cell x seed), arm-steps and training images. */
export interface SweepCost {
  cells: number;
  arms: number;
  seeds: number;
  armSteps: number;
  images: number;
}

/** The size of `spec` before it runs (no validation). */
export function estimateSweepCost(spec: SweepSpec): SweepCost {
  const cells = spec.lrs.length * spec.momenta.length;
  const arms = spec.variants.length;
  const seeds = spec.base.seeds.length;
  const armSteps = cells * arms * seeds * spec.steps;
  return { cells, arms, seeds, armSteps, images: armSteps * spec.base.batchSize };
}

/**
 * A list of numbers as typed in the panel ("0.01, 1e-3 0.0001"): commas, semicolons or spaces
 * between them. Throws a SweepError naming `field` for an empty list or a value outside `range`.
 */
export function parseNumberList(text: string, field: string, range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): number[] {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length === 0) throw new SweepError(field, 'needs at least one number');
  const allowed = `${range.minExclusive ? '>' : '>='} ${range.min} and ${range.maxExclusive ? '<' : '<='} ${range.max}`;
  return parts.map((p, i) => {
    const v = Number(p);
    if (!Number.isFinite(v)) throw new SweepError(`${field}[${i}]`, `"${p}" is not a number`);
    const low = range.minExclusive ? v <= range.min : v < range.min;
    const high = range.maxExclusive ? v >= range.max : v > range.max;
    if (low || high) throw new SweepError(`${field}[${i}]`, `is ${v}; allowed ${allowed}`);
    return v;
  });
}

/** The inverse of {@link parseNumberList}: "0.01, 0.001, 0.0001". */
export function formatNumberList(values: readonly number[]): string {
  return values.map((v) => String(v)).join(', ');
}

/**
 * A custom sweep for `task`: the task's built-in dataset and first model, its default optimizer
 * and schedule (classify SGD lr 0.1, momentum 0.5; segment lr 0.01, momentum 0.9, poly), plain
 * vs RG, 200 steps.
 */
export function createCustomSpec(task: 'classify' | 'segment'): SweepSpec {
  const template = parseArm({ name: 'template' }, 'arms[0]', task);
  const base = parseExperimentConfig({
    task,
    inputSize: 32,
    batchSize: task === 'classify' ? 64 : 8,
    seeds: [1],
    arms: [template],
  });
  return {
    base,
    lrs: task === 'classify' ? [0.01, 0.1] : [0.01, 0.001],
    momenta: [0.5, 0.9],
    variants: pickVariants(['plain', 'rg']),
    steps: 200,
    evalEvery: 50,
    metric: SWEEP_METRICS[task][0],
  };
}
