/**
 * Training throughput of the wasm backend against the cpu backend, side by side in one run:
 * the `cnn` (32x32x3, batch 64, 10 classes) on both, ResNet-20 on wasm, each as plain SGD steps
 * (forward, backward, update); and one pix2pix step on wasm (32 px, batch 4, generator and
 * discriminator with Adam, as the translate task trains it: its transposed convs lean on
 * Conv2DBackpropInput). Warm-up steps are not timed.
 *
 *   npx tsx src/bench/benchWasm.ts [--steps 20] [--cpu-steps 1] [--warmup 2]
 *
 * Single-threaded: TF.js never starts wasm threads in Node (see setup.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { generateLabels2Scenes } from '../data/builtin/labels2scenes';
import { DEFAULT_SGD, parseExperimentConfig } from '../engine/config';
import { createModel, disposeModel } from '../engine/models';
import { Optimizer } from '../engine/optim';
import { Rng } from '../engine/rng';
import { createTranslateTask } from '../engine/tasks/translate';
import { disposeArm } from '../engine/tasks/types';
import { initNodeBackend } from '../platform/node';

const INPUT = 32;
const BATCH = 64;
const CLASSES = 10;
const PIX2PIX_SIZE = 32;
const PIX2PIX_BATCH = 4;

interface Row {
  backend: string;
  model: string;
  steps: number;
  batch: number;
  /** Wall-clock milliseconds per step. */
  msPerStep: number;
  /** Images per wall-clock second. */
  imgPerSec: number;
  /** Images per second of this process's CPU time: steadier than wall time on a shared machine. */
  imgPerCpuSec: number;
}

function readFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number, got "${process.argv[i + 1]}"`);
  return v;
}

/** Times `steps` calls of `step` after `warmup` untimed ones. */
function timeSteps(backend: string, model: string, batch: number, warmup: number, steps: number, step: () => void): Row {
  for (let i = 0; i < warmup; i++) step();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const images = steps * batch;
  return { backend, model, steps, batch, msPerStep: (1000 * seconds) / steps, imgPerSec: images / seconds, imgPerCpuSec: images / cpuSeconds };
}

function measure(model: string, backend: string, warmup: number, steps: number): Row {
  const rng = new Rng(1);
  const net = createModel(model, { inputSize: INPUT, channels: 3, numClasses: CLASSES }, rng);
  const opt = new Optimizer(DEFAULT_SGD, net.params);
  const pixels = new Float32Array(BATCH * INPUT * INPUT * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.normal();
  const labels = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
  const x = tf.tensor4d(pixels, [BATCH, INPUT, INPUT, 3]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
  const step = (): void => {
    const { value, grads } = tf.variableGrads(() => {
      const logp = tf.logSoftmax(net.apply(x, true));
      return tf.neg(tf.mean(tf.sum(tf.mul(y, logp), 1))) as tf.Scalar;
    }, net.params);
    opt.applyGradients(net.params.map((p) => grads[p.name]), DEFAULT_SGD.lr);
    // Reading the loss waits for the step, as a trainer reporting it would.
    value.dataSync();
    value.dispose();
    tf.dispose(Object.values(grads));
  };
  const row = timeSteps(backend, model, BATCH, warmup, steps, step);
  tf.dispose([x, y]);
  opt.dispose();
  disposeModel(net);
  return row;
}

/** One pix2pix training step (G and D) on a fixed batch of builtin labels2scenes pairs, built as translate.test.ts does. */
function measurePix2pix(backend: string, warmup: number, steps: number): Row {
  const dataset = generateLabels2Scenes({ size: PIX2PIX_SIZE, trainCount: 8, testCount: 4, seed: 0 });
  const cfg = parseExperimentConfig({ task: 'translate', dataset: 'builtin:labels2scenes', inputSize: PIX2PIX_SIZE, batchSize: PIX2PIX_BATCH, augment: false, arms: [{ name: 'plain' }] });
  const task = createTranslateTask(cfg, dataset);
  const arm = task.createArm(cfg.arms[0], 1, null);
  const batch = task.trainBatch(1, 0);
  const step = (): void => {
    const out = task.step(arm, cfg.arms[0], batch, { weight: 1, lr: 2e-4 });
    out.loss.dataSync();
    tf.dispose([out.loss, out.gradNorm, ...Object.values(out.extras ?? {})]);
  };
  const row = timeSteps(backend, 'pix2pix', PIX2PIX_BATCH, warmup, steps, step);
  task.disposeBatch(batch);
  disposeArm(arm);
  task.dispose();
  return row;
}

async function main(): Promise<void> {
  const steps = readFlag('steps', 20);
  if (steps < 1) throw new Error('--steps must be at least 1');
  // The cpu backend trains the cnn at ~1.5 img/s in Node: one batch of 64 takes ~40 s.
  const cpuSteps = Math.max(1, readFlag('cpu-steps', 1));
  const warmup = readFlag('warmup', 2);
  const rows: Row[] = [];

  await initNodeBackend('wasm');
  console.log(`wasm: XNNPACK threads = ${getThreadsCount()}`);
  rows.push(measure('cnn', 'wasm', warmup, steps));
  rows.push(measure('resnet20', 'wasm', warmup, Math.max(1, Math.round(steps / 4))));
  rows.push(measurePix2pix('wasm', warmup, Math.max(1, Math.round(steps / 2))));

  await initNodeBackend('cpu');
  rows.push(measure('cnn', 'cpu', Math.min(warmup, 1), cpuSteps));

  console.log(`\ntraining throughput (warm-up excluded): cnn and resnet20 ${INPUT}x${INPUT}x3 with SGD, pix2pix ${PIX2PIX_SIZE}x${PIX2PIX_SIZE} with Adam`);
  console.log('model     backend  batch  steps  ms/step   img/s  img/cpu-s');
  for (const r of rows) {
    const cols = [
      r.model.padEnd(9),
      r.backend.padEnd(8),
      String(r.batch).padStart(5),
      String(r.steps).padStart(6),
      r.msPerStep.toFixed(0).padStart(8),
      r.imgPerSec.toFixed(1).padStart(7),
      r.imgPerCpuSec.toFixed(1).padStart(10),
    ];
    console.log(cols.join(' '));
  }
  const wasmCnn = rows.find((r) => r.model === 'cnn' && r.backend === 'wasm');
  const cpuCnn = rows.find((r) => r.model === 'cnn' && r.backend === 'cpu');
  if (wasmCnn && cpuCnn) console.log(`\ncnn: wasm is ${(wasmCnn.imgPerSec / cpuCnn.imgPerSec).toFixed(0)}x the cpu backend`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
