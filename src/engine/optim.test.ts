import * as tf from '@tensorflow/tfjs';
import { runTorchReference } from '../testing/torchReference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerConfig, RgConfig } from './config';
import { createModel, disposeModel } from './models';
import { Optimizer } from './optim';
import { rgWeightAt } from './rg';
import { Rng } from './rng';


type Nested = number | Nested[];

function flatten(v: Nested): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}

function nest(values: number[], shape: number[]): Nested {
  if (shape.length <= 1) return values.slice();
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(values.slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

// ---------------------------------------------------------------------------------------------
// Cases: the same small losses in TF.js and in torch, stepped with RG weights.

interface ParamInit {
  shape: number[];
  values: number[];
}

/** mean((tanh(x W1 + b1) W2 + b2 - y)^2), params [W1, b1, W2, b2]. */
interface MlpLoss {
  type: 'mlp';
  x: number[][];
  y: number[][];
}

/** sum_i sum(grads[t][i] * p_i): its gradient at step t is exactly grads[t]. */
interface GradsLoss {
  type: 'grads';
  grads: Nested[][];
}

/** What torch.optim takes beyond our config: dampening (ours is always 0). */
type TorchOptimizerConfig = OptimizerConfig & { dampening?: number };

interface OptimCase {
  name: string;
  optimizer: OptimizerConfig;
  params: ParamInit[];
  loss: MlpLoss | GradsLoss;
  rg: number[];
  /** Per-step values written into the optimizer before each step, as live sliders do. */
  lr?: number[];
  momentum?: number[];
}

interface TorchOptimResult {
  params: Nested[][];
  losses: number[];
}

const IN = 3;
const HIDDEN = 4;
const OUT = 2;
const BATCH = 6;

function uniformMatrix(rng: Rng, rows: number, cols: number, bound: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniform(-bound, bound)));
}

function uniformParam(rng: Rng, shape: number[], bound: number): ParamInit {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, values: Array.from({ length: size }, () => rng.uniform(-bound, bound)) };
}

const dataRng = new Rng(2024);
const MLP_LOSS: MlpLoss = { type: 'mlp', x: uniformMatrix(dataRng, BATCH, IN, 1), y: uniformMatrix(dataRng, BATCH, OUT, 1) };

function mlpParams(seed: number): ParamInit[] {
  const rng = new Rng(seed);
  return [
    uniformParam(rng, [IN, HIDDEN], 1 / Math.sqrt(IN)),
    uniformParam(rng, [HIDDEN], 1 / Math.sqrt(IN)),
    uniformParam(rng, [HIDDEN, OUT], 1 / Math.sqrt(HIDDEN)),
    uniformParam(rng, [OUT], 1 / Math.sqrt(HIDDEN)),
  ];
}

/** The paper's RG: uniform [0, 1), drawn by the engine's own RG stream. */
const UNIFORM_RG: RgConfig = { mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 };
const RG_DRAWN = Array.from({ length: 5 }, (_, t) => rgWeightAt(UNIFORM_RG, 11, { t, total: 5, stepsPerEpoch: 5 }).weight);
/** Hand-picked: a zero weight, a weight above 1 (loss-weight slider at 2) and a tiny one. */
const RG_EDGES = [0.3, 1.7, 0, 0.9, 0.05];

const sgd = (lr: number, momentum: number, nesterov: boolean, weightDecay: number): OptimizerConfig => ({ type: 'sgd', lr, momentum, nesterov, weightDecay });
const adam = (type: 'adam' | 'adamw', lr: number, beta1: number, weightDecay: number): OptimizerConfig => ({
  type,
  lr,
  beta1,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay,
});

const CASES: OptimCase[] = [
  { name: 'SGD plain', optimizer: sgd(0.1, 0, false, 0), params: mlpParams(1), loss: MLP_LOSS, rg: RG_DRAWN },
  { name: 'SGD momentum 0.9', optimizer: sgd(0.1, 0.9, false, 0), params: mlpParams(2), loss: MLP_LOSS, rg: RG_DRAWN },
  { name: 'SGD nesterov 0.9 with weight decay', optimizer: sgd(0.1, 0.9, true, 1e-3), params: mlpParams(3), loss: MLP_LOSS, rg: RG_EDGES },
  { name: 'SGD weight decay 0.05, momentum 0.5', optimizer: sgd(0.2, 0.5, false, 0.05), params: mlpParams(4), loss: MLP_LOSS, rg: RG_EDGES },
  { name: 'SGD dampening 0, momentum 0.95', optimizer: sgd(0.05, 0.95, false, 5e-4), params: mlpParams(5), loss: MLP_LOSS, rg: RG_DRAWN },
  { name: 'Adam with weight decay', optimizer: adam('adam', 0.01, 0.9, 0.01), params: mlpParams(6), loss: MLP_LOSS, rg: RG_DRAWN },
  { name: 'Adam betas 0.5/0.999 (pix2pix), no decay', optimizer: adam('adam', 2e-3, 0.5, 0), params: mlpParams(7), loss: MLP_LOSS, rg: RG_EDGES },
  { name: 'AdamW weight decay 0.1', optimizer: adam('adamw', 0.01, 0.9, 0.1), params: mlpParams(8), loss: MLP_LOSS, rg: RG_EDGES },
  {
    name: 'SGD lr and momentum changed mid-run',
    optimizer: sgd(0.1, 0.9, false, 5e-4),
    params: mlpParams(9),
    loss: MLP_LOSS,
    rg: RG_DRAWN,
    lr: [0.1, 0.1, 0.05, 0.05, 0.2],
    momentum: [0.9, 0.9, 0.5, 0.5, 0.95],
  },
  {
    name: 'SGD nesterov, lr and momentum changed mid-run',
    optimizer: sgd(0.1, 0.5, true, 1e-3),
    params: mlpParams(10),
    loss: MLP_LOSS,
    rg: RG_EDGES,
    lr: [0.1, 0.3, 0.3, 0.02, 0.02],
    momentum: [0.5, 0.5, 0.9, 0.9, 0.1],
  },
  {
    name: 'SGD momentum 0, then 0.9',
    optimizer: sgd(0.1, 0, false, 1e-3),
    params: mlpParams(11),
    loss: MLP_LOSS,
    rg: RG_DRAWN,
    momentum: [0, 0, 0.9, 0.9, 0.9],
  },
  {
    name: 'SGD momentum 0.9, 0, then 0.9 again (buffer kept)',
    optimizer: sgd(0.1, 0.9, false, 0),
    params: mlpParams(12),
    loss: MLP_LOSS,
    rg: RG_EDGES,
    momentum: [0.9, 0.9, 0, 0.9, 0.9],
  },
  {
    name: 'Adam lr changed mid-run',
    optimizer: adam('adam', 0.01, 0.9, 1e-3),
    params: mlpParams(13),
    loss: MLP_LOSS,
    rg: RG_DRAWN,
    lr: [0.01, 0.01, 0.002, 0.002, 0.05],
  },
  {
    name: 'Adam, given gradients, zero-weight step (decay alone feeds the moments)',
    optimizer: adam('adam', 0.01, 0.9, 0.1),
    params: [{ shape: [2, 2], values: [1, -2, 0.5, 3] }],
    loss: { type: 'grads', grads: [[[[0.5, -0.25], [1, 0.1]]], [[[0.2, 0.2], [-0.3, 0.4]]], [[[-1, 0.5], [0.1, 0.1]]]] },
    rg: [0.5, 0, 2],
  },
  {
    name: 'SGD momentum, given gradients, zero-weight step',
    optimizer: sgd(0.1, 0.9, false, 0.1),
    params: [{ shape: [2, 2], values: [1, -2, 0.5, 3] }],
    loss: { type: 'grads', grads: [[[[0.5, -0.25], [1, 0.1]]], [[[0.2, 0.2], [-0.3, 0.4]]], [[[-1, 0.5], [0.1, 0.1]]]] },
    rg: [0.5, 0, 2],
  },
];

function torchCase(c: OptimCase, overrides: Partial<TorchOptimizerConfig> = {}): unknown {
  const optimizer: Record<string, unknown> = { ...c.optimizer, ...overrides };
  return {
    kind: 'optim',
    dtype: 'float64',
    params: c.params.map((p) => nest(p.values, p.shape)),
    loss: c.loss,
    rg: c.rg,
    ...(c.lr ? { lr: c.lr } : {}),
    ...(c.momentum ? { momentum: c.momentum } : {}),
    optimizer: optimizer.type === 'sgd' ? { dampening: 0, ...optimizer } : optimizer,
  };
}

// ---------------------------------------------------------------------------------------------
// Our side: the same loss in TF.js, gradients of r x loss from tf.variableGrads, our Optimizer.

interface OursResult {
  /** Flat parameter values after each step. */
  params: number[][][];
  /** Tensors alive after the steps minus before them. */
  leaked: number;
}

function makeVariables(params: ParamInit[]): tf.Variable[] {
  return params.map((p) => tf.tidy(() => tf.variable(tf.tensor(p.values, p.shape), true)));
}

function lossFor(spec: MlpLoss | GradsLoss, vars: tf.Variable[], t: number): tf.Scalar {
  if (spec.type === 'grads') {
    const terms = vars.map((v, i) => tf.sum(tf.mul(tf.tensor(flatten(spec.grads[t][i]), v.shape), v)));
    return tf.addN(terms) as tf.Scalar;
  }
  const [w1, b1, w2, b2] = vars;
  const h = tf.tanh(tf.add(tf.matMul(tf.tensor2d(spec.x), w1 as tf.Tensor2D), b1));
  const out = tf.add(tf.matMul(h, w2 as tf.Tensor2D), b2);
  return tf.mean(tf.square(tf.sub(out, tf.tensor2d(spec.y))));
}

/** One training step: gradients of r x loss, then the update; everything but the variables freed. */
function stepWithRg(opt: Optimizer, vars: tf.Variable[], loss: () => tf.Scalar, r: number, lr: number): void {
  const { value, grads } = tf.variableGrads(() => tf.mul(loss(), r), vars);
  opt.applyGradients(
    vars.map((v) => grads[v.name]),
    lr,
  );
  value.dispose();
  tf.dispose(grads);
}

function runOurs(c: OptimCase): OursResult {
  const vars = makeVariables(c.params);
  const opt = new Optimizer(c.optimizer, vars);
  const before = tf.memory().numTensors;
  const params: number[][][] = [];
  c.rg.forEach((r, t) => {
    if (c.lr) opt.lr = c.lr[t];
    if (c.momentum) opt.momentum = c.momentum[t];
    stepWithRg(opt, vars, () => lossFor(c.loss, vars, t), r, opt.lr);
    params.push(vars.map((v) => Array.from(v.dataSync())));
  });
  const leaked = tf.memory().numTensors - before;
  opt.dispose();
  tf.dispose(vars);
  return { params, leaked };
}

/** Largest |ours - torch| / max(1, |torch|) over every parameter of every step. */
function maxError(ours: number[][][], torch: Nested[][]): number {
  expect(ours.length).toBe(torch.length);
  let worst = 0;
  ours.forEach((step, t) => {
    expect(step.length).toBe(torch[t].length);
    step.forEach((values, i) => {
      const ref = flatten(torch[t][i]);
      expect(values.length).toBe(ref.length);
      values.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - ref[k]) / Math.max(1, Math.abs(ref[k])));
      });
    });
  });
  return worst;
}

const TOLERANCE = 1e-5;

describe('Optimizer against torch.optim (PyTorch 1.13 semantics)', () => {
  let torch: TorchOptimResult[] = [];
  /** Controls that must NOT match: shows the comparison can fail. */
  let dampened: TorchOptimResult;
  let plainSgdForNesterov: TorchOptimResult;
  let adamForAdamw: TorchOptimResult;
  const nesterovCase = CASES[2];
  const dampeningCase = CASES[4];
  const adamwCase = CASES[7];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const controls = [
      torchCase(dampeningCase, { dampening: 0.5 }),
      torchCase(nesterovCase, { nesterov: false }),
      torchCase(adamwCase, { type: 'adam' }),
    ];
    const results = runTorchReference<TorchOptimResult>([...CASES.map((c) => torchCase(c)), ...controls]);
    torch = results.slice(0, CASES.length);
    [dampened, plainSgdForNesterov, adamForAdamw] = results.slice(CASES.length);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s: every parameter after every step matches torch', (_name, i) => {
    const c = CASES[i];
    const ours = runOurs(c);
    expect(ours.leaked).toBe(0);
    expect(maxError(ours.params, torch[i].params)).toBeLessThan(TOLERANCE);
    // The run moved the parameters, so the match is not the trivial one.
    const initial = c.params.flatMap((p) => p.values);
    const final = ours.params[ours.params.length - 1].flat();
    expect(Math.max(...final.map((v, k) => Math.abs(v - initial[k])))).toBeGreaterThan(1e-3);
  });

  it('the comparison tells apart dampening, nesterov and decoupled decay', () => {
    expect(maxError(runOurs(dampeningCase).params, dampened.params)).toBeGreaterThan(1e-3);
    expect(maxError(runOurs(nesterovCase).params, plainSgdForNesterov.params)).toBeGreaterThan(1e-3);
    expect(maxError(runOurs(adamwCase).params, adamForAdamw.params)).toBeGreaterThan(1e-3);
  });
});

describe('RG weight and weight decay', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gradients of r x loss equal r x the plain gradients for the cnn', () => {
    const model = createModel('cnn', { inputSize: 8, channels: 3, numClasses: 4 }, new Rng(1));
    const rng = new Rng(5);
    const x = tf.tensor4d(Array.from({ length: 2 * 8 * 8 * 3 }, () => rng.uniform(-1, 1)), [2, 8, 8, 3]);
    const labels = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4);
    const before = tf.memory().numTensors;
    const gradsOf = (r: number): number[][] => {
      const { value, grads } = tf.variableGrads(() => tf.mul(tf.losses.softmaxCrossEntropy(labels, model.apply(x, true)), r) as tf.Scalar, model.params);
      const out = model.params.map((p) => Array.from(grads[p.name].dataSync()));
      value.dispose();
      tf.dispose(grads);
      return out;
    };
    const plain = gradsOf(1);
    expect(plain).toHaveLength(model.params.length);
    expect(Math.max(...plain.flat().map(Math.abs))).toBeGreaterThan(1e-3);
    for (const r of [0.37, 0.01, 1.8]) {
      const weighted = gradsOf(r);
      let worst = 0;
      weighted.forEach((g, i) => g.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - r * plain[i][k]) / Math.max(1, Math.abs(r * plain[i][k]))))));
      expect(worst).toBeLessThan(1e-6);
    }
    expect(gradsOf(0).flat().every((v) => v === 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    disposeModel(model);
  });

  /** One step on loss = sum(g * p) with weight r; returns the parameters after it. */
  const stepOnLinearLoss = (cfg: OptimizerConfig, p0: number[], g: number[], r: number): number[] => {
    const [v] = makeVariables([{ shape: [p0.length], values: p0 }]);
    const opt = new Optimizer(cfg, [v]);
    const gt = tf.tensor1d(g);
    stepWithRg(opt, [v], () => tf.sum(tf.mul(gt, v)), r, cfg.lr);
    const out = Array.from(v.dataSync());
    tf.dispose([v, gt]);
    opt.dispose();
    return out;
  };

  it('SGD: r scales the data gradient only, weight decay stays whole', () => {
    const [lr, wd, r] = [0.1, 0.1, 0.25];
    const p0 = [1, -2];
    const g = [0.5, 0.5];
    const p1 = stepOnLinearLoss(sgd(lr, 0, false, wd), p0, g, r);
    // p1 = p0 - lr (r g + wd p0) = [1 - 0.1 (0.125 + 0.1), -2 - 0.1 (0.125 - 0.2)]
    expect(p1[0]).toBeCloseTo(0.9775, 6);
    expect(p1[1]).toBeCloseTo(-1.9925, 6);
    // Were decay scaled too, p1 = p0 - lr r (g + wd p0) = [0.98250, -1.9875].
    expect(Math.abs(p1[0] - 0.9825)).toBeGreaterThan(1e-3);
    // With r = 0 the update is weight decay alone.
    const decayOnly = stepOnLinearLoss(sgd(lr, 0.9, false, wd), p0, g, 0);
    expect(decayOnly[0]).toBeCloseTo(1 * (1 - lr * wd), 6);
    expect(decayOnly[1]).toBeCloseTo(-2 * (1 - lr * wd), 6);
  });

  it('AdamW: a zero-weight step is pure decoupled decay, p x (1 - lr wd)', () => {
    const cfg = adam('adamw', 0.01, 0.9, 0.1);
    const p1 = stepOnLinearLoss(cfg, [1, -2, 4], [0.3, -0.7, 0.2], 0);
    expect(p1[0]).toBeCloseTo(1 * (1 - 0.01 * 0.1), 6);
    expect(p1[1]).toBeCloseTo(-2 * (1 - 0.01 * 0.1), 6);
    expect(p1[2]).toBeCloseTo(4 * (1 - 0.01 * 0.1), 6);
  });
});

describe('Optimizer state', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('snapshot and restore continue the run exactly, momentum buffer included', async () => {
    const c = CASES[1];
    const straight = runOurs(c).params;
    const vars = makeVariables(c.params);
    const first = new Optimizer(c.optimizer, vars);
    for (let t = 0; t < 2; t++) stepWithRg(first, vars, () => lossFor(c.loss, vars, t), c.rg[t], first.lr);
    const snap = await first.snapshot();
    first.dispose();
    const resumed = new Optimizer(c.optimizer, vars);
    resumed.restore(snap);
    for (let t = 2; t < c.rg.length; t++) stepWithRg(resumed, vars, () => lossFor(c.loss, vars, t), c.rg[t], resumed.lr);
    expect(vars.map((v) => Array.from(v.dataSync()))).toEqual(straight[straight.length - 1]);
    resumed.dispose();
    tf.dispose(vars);
  });

  it('rejects a gradient list of the wrong length', () => {
    const vars = makeVariables(mlpParams(1));
    const opt = new Optimizer(sgd(0.1, 0, false, 0), vars);
    expect(() => opt.applyGradients([vars[0]], 0.1)).toThrow(/expected 4 gradients, got 1/);
    opt.dispose();
    tf.dispose(vars);
  });
});

afterAll(() => {
  tf.disposeVariables();
});
