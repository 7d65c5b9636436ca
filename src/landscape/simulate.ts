import * as tf from '@tensorflow/tfjs';
import type { OptimizerConfig, RgConfig } from '../engine/config';
import { Optimizer } from '../engine/optim';
import { rgWeightAt } from '../engine/rg';
import { hashString, Rng } from '../engine/rng';
import { surfaceGradient } from './gradients';
import { MAX_SEEDS, MAX_STEPS } from './settings';
import { getSurface, type Point, type SurfaceId } from './surfaces';

/**
 * Optimizer paths on a surface, every seed at once: each arm's parameters are one [S, 2]
 * variable (a row per seed) stepped by the engine's own Optimizer, whose update rules are
 * elementwise, so the rows are S independent paths. Every step, each row's gradient is the
 * surface's analytic gradient plus Gaussian noise, times the row's RG weight from the engine's
 * rgWeightAt, as the lab scales the loss before backpropagation.
 *
 * Pairing: all arms start at the same point, and seed s's noise and RG draws at step t depend
 * only on (s, t), so every arm of a seed sees the same noise and the same r sequence.
 */

export interface ArmSpec {
  name: string;
  optimizer: OptimizerConfig;
  rg: RgConfig;
}

export interface SimSpec {
  surface: SurfaceId;
  arms: ArmSpec[];
  start: Point;
  /** Optimizer steps per path. */
  steps: number;
  /** One path per seed and arm. */
  seeds: number[];
  /** Standard deviation of the gradient noise per coordinate (0 = exact gradients). */
  noise: number;
}

export interface SimResult {
  steps: number;
  seeds: number[];
  /** Per arm, positions at steps 0..steps of every seed: [S, steps + 1, 2] flattened, seed-major. */
  paths: Float32Array[];
}

/** Keys the gradient-noise streams apart from the lab's own use of the 'data' purpose. */
const NOISE_KEY = hashString('landscape.gradient-noise');

/** The two standard normals that seed `seed` adds to the gradient at step `t`. */
export function gradientNoiseAt(seed: number, t: number): Point {
  const r = Rng.stream(seed, 'data', NOISE_KEY, t);
  return [r.normal(), r.normal()];
}

/** Throws a one-line reason when `spec` cannot be simulated. */
export function validateSimSpec(spec: SimSpec): void {
  const fail = (msg: string) => {
    throw new Error(`landscape: ${msg}`);
  };
  getSurface(spec.surface);
  if (spec.arms.length === 0) fail('no arms to simulate');
  if (!Number.isInteger(spec.steps) || spec.steps < 1 || spec.steps > MAX_STEPS) fail(`steps is ${spec.steps}; allowed 1..${MAX_STEPS}`);
  if (spec.seeds.length < 1 || spec.seeds.length > MAX_SEEDS) fail(`${spec.seeds.length} seeds; allowed 1..${MAX_SEEDS}`);
  if (!spec.start.every(Number.isFinite)) fail('the start point is not finite');
  if (!(spec.noise >= 0)) fail(`noise is ${spec.noise}; allowed >= 0`);
  for (const a of spec.arms) if (!(a.optimizer.lr > 0)) fail(`arm ${a.name}: lr is ${a.optimizer.lr}; allowed > 0`);
}

/** One simulation in progress; `advance` runs it in pieces so a caller can yield between them. */
export class LandscapeSimulation {
  private readonly params: tf.Variable<tf.Rank.R2>[];
  private readonly optimizers: Optimizer[];
  private readonly paths: Float32Array[];
  private t = 0;

  constructor(readonly spec: SimSpec) {
    validateSimSpec(spec);
    const s = spec.seeds.length;
    const stride = (spec.steps + 1) * 2;
    this.paths = spec.arms.map(() => new Float32Array(s * stride));
    this.params = spec.arms.map(() =>
      tf.tidy(() => tf.variable(tf.tile(tf.tensor2d([spec.start]), [s, 1]) as tf.Tensor2D, false)),
    );
    this.optimizers = spec.arms.map((a, i) => new Optimizer(a.optimizer, [this.params[i]]));
    this.record();
  }

  /** Steps taken so far. */
  get stepsDone(): number {
    return this.t;
  }

  get done(): boolean {
    return this.t >= this.spec.steps;
  }

  /** Runs up to `n` more steps. */
  advance(n: number): void {
    const end = Math.min(this.spec.steps, this.t + n);
    while (this.t < end) {
      this.step(this.t);
      this.t++;
      this.record();
    }
  }

  /** The positions recorded so far (the rest of each path is zeros until it is run). */
  result(): SimResult {
    return { steps: this.spec.steps, seeds: this.spec.seeds.slice(), paths: this.paths };
  }

  dispose(): void {
    this.optimizers.forEach((o) => o.dispose());
    this.params.forEach((p) => p.dispose());
  }

  /** Step `t` of every arm: gradient plus noise, times the RG weight, into the optimizer. */
  private step(t: number): void {
    const { seeds, steps, arms, noise } = this.spec;
    const noiseT = noise > 0 ? this.noiseTensor(t) : null;
    arms.forEach((arm, i) => {
      const w = seeds.map((seed) => rgWeightAt(arm.rg, seed, { t, total: steps, stepsPerEpoch: steps }).weight);
      tf.tidy(() => {
        let g: tf.Tensor = surfaceGradient(this.spec.surface, this.params[i]);
        if (noiseT) g = tf.add(g, noiseT);
        // A weight of exactly 1 (plain arms) changes nothing; skipping it saves an op per step.
        if (w.some((x) => x !== 1)) g = tf.mul(g, tf.tensor2d(w, [w.length, 1]));
        this.optimizers[i].applyGradients([g], arm.optimizer.lr);
      });
    });
    noiseT?.dispose();
  }

  private noiseTensor(t: number): tf.Tensor2D {
    const { seeds, noise } = this.spec;
    const values = new Float32Array(seeds.length * 2);
    seeds.forEach((seed, s) => {
      const [a, b] = gradientNoiseAt(seed, t);
      values[2 * s] = noise * a;
      values[2 * s + 1] = noise * b;
    });
    return tf.tensor2d(values, [seeds.length, 2]);
  }

  /** Copies every arm's current positions into its path at step `this.t`. */
  private record(): void {
    const stride = (this.spec.steps + 1) * 2;
    this.params.forEach((p, i) => {
      const xy = p.dataSync();
      const path = this.paths[i];
      for (let s = 0; s < this.spec.seeds.length; s++) {
        path[s * stride + this.t * 2] = xy[2 * s];
        path[s * stride + this.t * 2 + 1] = xy[2 * s + 1];
      }
    });
  }
}

/** Runs `spec` to the end and returns every path. */
export function simulatePaths(spec: SimSpec): SimResult {
  const sim = new LandscapeSimulation(spec);
  try {
    sim.advance(spec.steps);
    return sim.result();
  } finally {
    sim.dispose();
  }
}

/** The positions of seed index `s` of one arm's paths: [steps + 1, 2] flattened. */
export function seedPath(result: SimResult, arm: number, s: number): Float32Array {
  const stride = (result.steps + 1) * 2;
  return result.paths[arm].subarray(s * stride, (s + 1) * stride);
}
