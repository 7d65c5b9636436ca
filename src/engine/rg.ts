import type { RgConfig } from './config';
import { Rng } from './rng';
import { positionIn, type ScheduleClock, triangular } from './schedules';

/**
 * RG loss-weight schedules. The weight multiplies the data loss before backpropagation;
 * weight decay lives in the optimizer and is never scaled.
 *
 * Draws are a pure function of (seed, step): every step takes exactly two uniforms u1 (for the
 * probability) and u2 (for the value) from the stream Rng.stream(seed, 'rg', step), whatever the
 * mode. So an arm's weights never depend on another arm, resuming needs no saved position, and
 * two arms of one seed with the same settings get the same weights (common random numbers).
 */

export interface RgDraw {
  /** The final weight: scale x (the mode's weight when applied, 1 otherwise). */
  weight: number;
  /** Whether the mode's weight applied this step (false on the 1 - p fraction of steps). */
  applied: boolean;
}

/** The two uniforms of step `t` for `seed`. */
export function rgUniforms(seed: number, t: number): [number, number] {
  const r = Rng.stream(seed, 'rg', t);
  return [r.next(), r.next()];
}

/** The RG weight for one step. */
export function rgWeightAt(cfg: RgConfig, seed: number, clock: ScheduleClock): RgDraw {
  const [u1, u2] = rgUniforms(seed, clock.t);
  const applied = cfg.mode !== 'off' && u1 < cfg.probability;
  let w = 1;
  if (applied) {
    switch (cfg.mode) {
      case 'constant':
        w = cfg.weight;
        break;
      case 'uniform':
        w = cfg.low + (cfg.high - cfg.low) * u2;
        break;
      case 'cyclical':
        w = triangular(cfg.min, cfg.max, cfg.period, positionIn(cfg.unit, clock));
        break;
    }
  }
  return { weight: cfg.scale * w, applied };
}

/** The expected weight E[w] of a config, for the matched-learning-rate control. */
export function expectedRgWeight(cfg: RgConfig): number {
  const p = cfg.mode === 'off' ? 0 : cfg.probability;
  let mean = 1;
  switch (cfg.mode) {
    case 'off':
      break;
    case 'constant':
      mean = cfg.weight;
      break;
    case 'uniform':
      mean = (cfg.low + cfg.high) / 2;
      break;
    case 'cyclical':
      mean = (cfg.min + cfg.max) / 2;
      break;
  }
  return cfg.scale * (p * mean + (1 - p));
}
