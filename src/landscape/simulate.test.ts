import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OptimizerConfig, RgConfig } from '../engine/config';
import { Optimizer } from '../engine/optim';
import { rgWeightAt } from '../engine/rg';
import { useCpu } from '../testing/nodeBackends';
import { measurePath, stepsToEpsilon } from './metrics';
import { type ArmSpec, gradientNoiseAt, seedPath, simulatePaths, type SimSpec, validateSimSpec } from './simulate';
import { getSurface, QUAD_A, QUAD_B } from './surfaces';

beforeAll(useCpu);
afterEach(() => {
  vi.restoreAllMocks();
});

const OFF: RgConfig = { mode: 'off', probability: 1, scale: 1 };
const PAPER_RG: RgConfig = { mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 };
const sgd = (lr: number, momentum = 0, nesterov = false): OptimizerConfig => ({ type: 'sgd', lr, momentum, nesterov, weightDecay: 0 });
const arm = (name: string, optimizer: OptimizerConfig, rg: RgConfig = OFF): ArmSpec => ({ name, optimizer, rg });
const quadratic = getSurface('quadratic');

function spec(over: Partial<SimSpec>): SimSpec {
  return { surface: 'quadratic', arms: [arm('plain', sgd(0.1))], start: [-2, 1], steps: 50, seeds: [1], noise: 0, ...over };
}

/** Distance to the minimum after t steps of plain SGD on 0.5(a x² + b y²): each coordinate scales by (1 - lr·curvature)^t. */
function closedFormDistance(lr: number, x0: number, y0: number, t: number): number {
  return Math.hypot(Math.pow(1 - lr * QUAD_A, t) * x0, Math.pow(1 - lr * QUAD_B, t) * y0);
}

/** The first t whose closed-form distance is below epsilon (it shrinks monotonically when both factors are below 1 in size). */
function closedFormStepsToEpsilon(lr: number, x0: number, y0: number, eps: number): number {
  let t = 0;
  while (closedFormDistance(lr, x0, y0, t) >= eps) t++;
  return t;
}

describe('plain SGD on the quadratic matches the closed form', () => {
  const cases = [
    { lr: 0.15, start: [-2.6, 1.4], eps: 0.01 },
    { lr: 0.05, start: [2, -1.5], eps: 0.001 },
    { lr: 0.1, start: [-1, 0.5], eps: 0.05 },
    { lr: 0.16, start: [0.3, 1.9], eps: 0.02 },
  ] as const;

  it.each(cases)('lr $lr from $start to epsilon $eps', ({ lr, start, eps }) => {
    const [x0, y0] = start;
    const expected = closedFormStepsToEpsilon(lr, x0, y0, eps);
    // float32 against float64: the crossing is kept well away from epsilon so rounding cannot move it.
    expect(Math.abs(closedFormDistance(lr, x0, y0, expected) / eps - 1)).toBeGreaterThan(1e-3);
    expect(Math.abs(closedFormDistance(lr, x0, y0, expected - 1) / eps - 1)).toBeGreaterThan(1e-3);

    const result = simulatePaths(spec({ arms: [arm('plain', sgd(lr))], start: [x0, y0], steps: expected + 20 }));
    const xy = seedPath(result, 0, 0);
    expect(stepsToEpsilon(quadratic, xy, eps)).toBe(expected);
    for (let t = 0; t <= expected; t++) {
      expect(xy[2 * t]).toBeCloseTo(Math.pow(1 - lr * QUAD_A, t) * x0, 5);
      expect(xy[2 * t + 1]).toBeCloseTo(Math.pow(1 - lr * QUAD_B, t) * y0, 5);
    }
  });

  it('on the x axis, steps-to-epsilon is ceil(log(eps / |x0|) / log|1 - lr·a|)', () => {
    const lr = 0.07;
    const x0 = 2.5;
    const eps = 0.003;
    const expected = Math.ceil(Math.log(eps / x0) / Math.log(Math.abs(1 - lr * QUAD_A)));
    const result = simulatePaths(spec({ arms: [arm('plain', sgd(lr))], start: [x0, 0], steps: expected + 5 }));
    expect(stepsToEpsilon(quadratic, seedPath(result, 0, 0), eps)).toBe(expected);
  });
});

describe('RG arms scale each step by the engine’s rgWeightAt draws', () => {
  it('without momentum, each coordinate is multiplied by (1 - lr·w_t·curvature) at step t, seed by seed', () => {
    const lr = 0.1;
    const seeds = [1, 2, 7];
    const steps = 30;
    const result = simulatePaths(spec({ arms: [arm('rg', sgd(lr), PAPER_RG)], seeds, steps, start: [-2, 1] }));
    seeds.forEach((seed, s) => {
      const xy = seedPath(result, 0, s);
      let x = -2;
      let y = 1;
      for (let t = 0; t < steps; t++) {
        const w = rgWeightAt(PAPER_RG, seed, { t, total: steps, stepsPerEpoch: steps }).weight;
        x *= 1 - lr * w * QUAD_A;
        y *= 1 - lr * w * QUAD_B;
        expect(xy[2 * (t + 1)]).toBeCloseTo(x, 5);
        expect(xy[2 * (t + 1) + 1]).toBeCloseTo(y, 5);
      }
    });
  });
});

/** torch.optim's rules in float64 for a 2-vector, the independent reference for the engine's Optimizer. */
function referencePath(cfg: OptimizerConfig, grad: (p: number[]) => number[], start: number[], steps: number, weight: (t: number) => number): number[][] {
  let p = start.slice();
  const buf = [0, 0];
  const m = [0, 0];
  const v = [0, 0];
  const out = [p.slice()];
  for (let t = 0; t < steps; t++) {
    const g = grad(p).map((x) => x * weight(t));
    if (cfg.type === 'sgd') {
      p = p.map((pi, i) => {
        let d = g[i];
        if (cfg.momentum !== 0) {
          buf[i] = t === 0 ? d : cfg.momentum * buf[i] + d;
          d = cfg.nesterov ? d + cfg.momentum * buf[i] : buf[i];
        }
        return pi - cfg.lr * d;
      });
    } else {
      const bc1 = 1 - Math.pow(cfg.beta1, t + 1);
      const bc2 = 1 - Math.pow(cfg.beta2, t + 1);
      p = p.map((pi, i) => {
        m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * g[i];
        v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * g[i] * g[i];
        return pi - (cfg.lr / bc1) * (m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + cfg.epsilon));
      });
    }
    out.push(p.slice());
  }
  return out;
}

describe('paths use the engine’s optimizers', () => {
  const ADAM: OptimizerConfig = { type: 'adam', lr: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
  const arms = [arm('plain', sgd(0.1, 0.5)), arm('rg', sgd(0.1, 0.5), PAPER_RG), arm('nesterov', sgd(0.1, 0.5, true)), arm('adam', ADAM)];

  it('every step of every arm is one Optimizer.applyGradients call on an [S, 2] gradient', () => {
    const calls: number[][] = [];
    const original = Optimizer.prototype.applyGradients;
    vi.spyOn(Optimizer.prototype, 'applyGradients').mockImplementation(function (this: Optimizer, grads, lr) {
      calls.push(grads[0].shape);
      return original.call(this, grads, lr);
    });
    simulatePaths(spec({ arms, seeds: [1, 2, 3], steps: 12 }));
    expect(calls).toHaveLength(12 * arms.length);
    expect(calls.every((s) => s[0] === 3 && s[1] === 2)).toBe(true);
  });

  it('momentum SGD, Nesterov and Adam, with and without RG, follow torch’s update rules', () => {
    const seed = 4;
    const steps = 40;
    const result = simulatePaths(spec({ arms, seeds: [seed], steps, start: [-2.6, 1.4] }));
    const grad = (p: number[]) => [QUAD_A * p[0], QUAD_B * p[1]];
    arms.forEach((a, i) => {
      const ref = referencePath(a.optimizer, grad, [-2.6, 1.4], steps, (t) => rgWeightAt(a.rg, seed, { t, total: steps, stepsPerEpoch: steps }).weight);
      const xy = seedPath(result, i, 0);
      ref.forEach(([x, y], t) => {
        expect(xy[2 * t]).toBeCloseTo(x, 4);
        expect(xy[2 * t + 1]).toBeCloseTo(y, 4);
      });
    });
  });
});

describe('pairing', () => {
  it('arms of one seed see the same gradient noise: RG with r = 1 on every step retraces plain exactly', () => {
    const always1: RgConfig = { mode: 'constant', weight: 1, probability: 1, scale: 1 };
    const result = simulatePaths(spec({ surface: 'noisy-bowl', noise: 1, seeds: [3, 4], arms: [arm('plain', sgd(0.1, 0.5)), arm('rg1', sgd(0.1, 0.5), always1)] }));
    expect(Array.from(result.paths[1])).toEqual(Array.from(result.paths[0]));
  });

  it('a seed’s path is the same alone and inside a batch of seeds, and differs between seeds', () => {
    const arms = [arm('plain', sgd(0.1, 0.5)), arm('rg', sgd(0.1, 0.5), PAPER_RG)];
    const batch = simulatePaths(spec({ surface: 'noisy-bowl', noise: 1, seeds: [10, 11, 12], arms }));
    const alone = simulatePaths(spec({ surface: 'noisy-bowl', noise: 1, seeds: [11], arms }));
    for (let a = 0; a < arms.length; a++) {
      expect(Array.from(seedPath(alone, a, 0))).toEqual(Array.from(seedPath(batch, a, 1)));
      expect(Array.from(seedPath(batch, a, 0))).not.toEqual(Array.from(seedPath(batch, a, 1)));
    }
  });

  it('the noise is the engine Rng’s normals for (seed, step), times sigma', () => {
    const sigma = 0.5;
    const lr = 0.1;
    const result = simulatePaths(spec({ surface: 'noisy-bowl', noise: sigma, seeds: [9], steps: 5, start: [1, -1], arms: [arm('plain', sgd(lr))] }));
    let [x, y] = [1, -1];
    for (let t = 0; t < 5; t++) {
      const [nx, ny] = gradientNoiseAt(9, t);
      x -= lr * (x + sigma * nx);
      y -= lr * (y + sigma * ny);
    }
    const xy = seedPath(result, 0, 0);
    expect(xy[10]).toBeCloseTo(x, 5);
    expect(xy[11]).toBeCloseTo(y, 5);
  });

  it('repeats exactly and leaks no tensors', () => {
    const s = spec({ surface: 'rosenbrock', start: [-1.2, 1], seeds: [1, 2], noise: 0.1, arms: [arm('plain', sgd(0.001, 0.9)), arm('rg', sgd(0.001, 0.9), PAPER_RG)] });
    simulatePaths(s);
    const before = tf.memory().numTensors;
    const a = simulatePaths(s);
    const b = simulatePaths(s);
    expect(tf.memory().numTensors).toBe(before);
    a.paths.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(b.paths[i])));
  });
});

describe('divergence and validation', () => {
  it('a step too large for the curvature diverges and is reported, not drawn as numbers', () => {
    const result = simulatePaths(spec({ arms: [arm('plain', sgd(0.3))], steps: 200 }));
    const m = measurePath(quadratic, seedPath(result, 0, 0), 0.01);
    expect(m.divergedAt).not.toBeNull();
    expect(m.stepsToEpsilon).toBeNull();
    expect(m.finalLoss).toBeNaN();
  });

  it('rejects specs it cannot run, with the reason', () => {
    expect(() => validateSimSpec(spec({ steps: 0 }))).toThrow(/steps is 0/);
    expect(() => validateSimSpec(spec({ arms: [] }))).toThrow(/no arms/);
    expect(() => validateSimSpec(spec({ seeds: [] }))).toThrow(/0 seeds/);
    expect(() => validateSimSpec(spec({ arms: [arm('x', sgd(0))] }))).toThrow(/arm x: lr is 0/);
    expect(() => validateSimSpec(spec({ start: [NaN, 0] }))).toThrow(/start/);
  });
});
