import type { OptimizerConfig, RgConfig } from '../engine/config';
import { expectedRgWeight } from '../engine/rg';
import type { ArmSpec, SimSpec } from './simulate';
import { getSurface, type Point, type SurfaceId } from './surfaces';

/**
 * The landscape view's settings and how they become simulation arms: plain and RG are SGD with
 * the same learning rate and momentum, RG adding the engine's loss weight; "matched" is plain
 * SGD at RG's mean step (lr x E[r]), which tells the noise in r apart from a smaller average
 * step; Nesterov and Adam arms, each with or without RG, are there to compare against.
 */

export const ARM_KEYS = ['plain', 'rg', 'matched', 'nesterov', 'nesterov+rg', 'adam', 'adam+rg'] as const;
export type ArmKey = (typeof ARM_KEYS)[number];

export type LandscapeRgMode = 'uniform' | 'constant' | 'cyclical';
export const LANDSCAPE_RG_MODES: readonly LandscapeRgMode[] = ['uniform', 'constant', 'cyclical'];

export interface LandscapeRg {
  mode: LandscapeRgMode;
  /** uniform: r ~ U[low, high); cyclical: a triangle wave from low to high and back. */
  low: number;
  high: number;
  /** constant: r on every step. */
  weight: number;
  /** cyclical: steps per cycle. */
  period: number;
}

export interface LandscapeSettings {
  surface: SurfaceId;
  start: Point;
  lr: number;
  adamLr: number;
  momentum: number;
  rg: LandscapeRg;
  steps: number;
  epsilon: number;
  noise: number;
  /** The seed of the single path drawn; the 100-seed run uses seed, seed + 1, ... */
  seed: number;
  arms: ArmKey[];
}

export const SEEDS_PER_RUN = 100;
/** Limits of one simulation. */
export const MAX_STEPS = 5000;
export const MAX_SEEDS = 1000;

export const DEFAULT_RG: LandscapeRg = { mode: 'uniform', low: 0, high: 1, weight: 0.5, period: 20 };

/** Settings for `surface` at its defaults, with plain and RG arms and the paper's r ~ U[0, 1). */
export function createLandscapeSettings(surface: SurfaceId = 'quadratic'): LandscapeSettings {
  return withSurface({ surface, start: [0, 0], lr: 0, adamLr: 0, momentum: 0, rg: DEFAULT_RG, steps: 1, epsilon: 1, noise: 0, seed: 1, arms: ['plain', 'rg'] }, surface);
}

/** `settings` moved to `surface`: its start, step sizes, steps, epsilon and noise; RG and arms kept. */
export function withSurface(settings: LandscapeSettings, surface: SurfaceId): LandscapeSettings {
  const d = getSurface(surface).defaults;
  return { ...settings, surface, start: d.start, lr: d.lr, adamLr: d.adamLr, momentum: d.momentum, steps: d.steps, epsilon: d.epsilon, noise: d.noise };
}

/** The engine's RgConfig for the view's RG settings. */
export function toRgConfig(rg: LandscapeRg): RgConfig {
  const common = { probability: 1, scale: 1 };
  switch (rg.mode) {
    case 'uniform':
      return { ...common, mode: 'uniform', low: Math.min(rg.low, rg.high), high: Math.max(rg.low, rg.high) };
    case 'constant':
      return { ...common, mode: 'constant', weight: rg.weight };
    case 'cyclical':
      return { ...common, mode: 'cyclical', min: rg.low, max: rg.high, period: rg.period, unit: 'step' };
  }
}

/** A short label of the RG setting, e.g. "r ~ U[0, 1)". */
export function describeRg(rg: LandscapeRg): string {
  switch (rg.mode) {
    case 'uniform':
      return `r ~ U[${Math.min(rg.low, rg.high)}, ${Math.max(rg.low, rg.high)})`;
    case 'constant':
      return `r = ${rg.weight}`;
    case 'cyclical':
      return `r cycles ${rg.low}→${rg.high}→${rg.low} every ${rg.period} steps`;
  }
}

/** Plain SGD's learning rate for the matched arm: lr x E[r] of the RG setting. */
export function matchedLr(settings: LandscapeSettings): number {
  return settings.lr * expectedRgWeight(toRgConfig(settings.rg));
}

/** The arm `key` under `settings`. */
export function buildArm(settings: LandscapeSettings, key: ArmKey): ArmSpec {
  const withRg = key.endsWith('rg');
  const rg: RgConfig = withRg ? toRgConfig(settings.rg) : { mode: 'off', probability: 1, scale: 1 };
  const lr = key === 'matched' ? matchedLr(settings) : settings.lr;
  const optimizer: OptimizerConfig = key.startsWith('adam')
    ? { type: 'adam', lr: settings.adamLr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }
    : { type: 'sgd', lr, momentum: settings.momentum, nesterov: key.startsWith('nesterov'), weightDecay: 0 };
  return { name: key, optimizer, rg };
}

/** How the view names arm `key`. */
export function armLabel(key: ArmKey): string {
  switch (key) {
    case 'plain':
      return 'plain SGD';
    case 'rg':
      return 'SGD + RG';
    case 'matched':
      return 'plain SGD, lr × E[r]';
    case 'nesterov':
      return 'Nesterov';
    case 'nesterov+rg':
      return 'Nesterov + RG';
    case 'adam':
      return 'Adam';
    case 'adam+rg':
      return 'Adam + RG';
  }
}

/** The arms switched on, in the fixed order of ARM_KEYS (so colours stay put). */
export function buildArms(settings: LandscapeSettings): ArmSpec[] {
  return ARM_KEYS.filter((k) => settings.arms.includes(k)).map((k) => buildArm(settings, k));
}

/** The simulation of `seeds` consecutive seeds from `settings.seed`. */
export function buildSimSpec(settings: LandscapeSettings, seeds = 1): SimSpec {
  return {
    surface: settings.surface,
    arms: buildArms(settings),
    start: settings.start,
    steps: settings.steps,
    seeds: Array.from({ length: seeds }, (_, i) => settings.seed + i),
    noise: settings.noise,
  };
}
