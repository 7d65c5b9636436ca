import type { LrScheduleConfig, ScheduleUnit } from './config';

/**
 * Learning-rate schedules, evaluated per optimizer step as PyTorch's schedulers are when
 * stepped once per iteration. `t` counts the optimizer steps already taken (0 for the first).
 */

export interface ScheduleClock {
  /** Optimizer steps already taken. */
  t: number;
  /** Steps in the whole run. */
  total: number;
  stepsPerEpoch: number;
}

/** Position in units of `unit`, fractional for epochs so the curve is smooth. */
export function positionIn(unit: ScheduleUnit, clock: ScheduleClock): number {
  return unit === 'step' ? clock.t : clock.t / clock.stepsPerEpoch;
}

/** A triangular wave: `min` at 0, `max` at half a period, `min` again after a whole period. */
export function triangular(min: number, max: number, period: number, position: number): number {
  const phase = (position / period) % 1;
  return min + (max - min) * (1 - Math.abs(2 * phase - 1));
}

/**
 * The learning rate for step `clock.t`. `baseLr` is the arm's current learning rate (a live
 * slider change moves it); a cyclical schedule's absolute bounds are scaled by baseLr / configLr.
 */
export function learningRateAt(cfg: LrScheduleConfig, baseLr: number, configLr: number, clock: ScheduleClock): number {
  const { t, total } = clock;
  let lr: number;
  switch (cfg.type) {
    case 'constant':
      lr = baseLr;
      break;
    case 'step': {
      const passed = cfg.milestones.filter((m) => m <= t).length;
      lr = baseLr * Math.pow(cfg.gamma, passed);
      break;
    }
    case 'poly':
      lr = baseLr * Math.pow(Math.max(0, 1 - t / Math.max(total, 1)), cfg.power);
      break;
    case 'cosine': {
      const minLr = cfg.minLr ?? 0;
      lr = minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, total)) / Math.max(total, 1)));
      break;
    }
    case 'cyclical':
      lr = triangular(cfg.min, cfg.max, cfg.period, positionIn(cfg.unit, clock)) * (baseLr / configLr);
      break;
  }
  const warm = cfg.warmupSteps ?? 0;
  if (warm > 0 && t < warm) lr *= (t + 1) / warm;
  return lr;
}
