/**
 * Training throughput of the wasm backend against the cpu backend, side by side in one run:
 * the `cnn` (32x32x3, batch 64, 10 classes) on both, ResNet-20 on wasm. Each row is plain SGD
 * training steps (forward, backward, update) after warm-up steps that are not timed.
 *
 *   npx tsx src/cli/benchWasm.ts [--steps 20] [--cpu-steps 1] [--warmup 2] [--threads]
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_SGD } from '../engine/config';
import { createModel, disposeModel } from '../engine/models';
import { Optimizer } from '../engine/optim';
import { Rng } from '../engine/rng';
import { initNodeBackend } from './nodeBackend';

const INPUT = 32;
const BATCH = 64;
const CLASSES = 10;

interface Row {
  backend: string;
  model: string;
  steps: number;
  imgPerSec: number;
}

function readFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number, got "${process.argv[i + 1]}"`);
  return v;
}

function measure(model: string, backend: string, warmup: number, steps: number): Row {
  const rng = new Rng(1);
  const net = createModel(model, { inputSize: INPUT, channels: 3, numClasses: CLASSES }, rng);
  const opt = new Optimizer(DEFAULT_SGD, net.params);
  const images = new Float32Array(BATCH * INPUT * INPUT * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.normal();
  const labels = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
  const x = tf.tensor4d(images, [BATCH, INPUT, INPUT, 3]);
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
  for (let i = 0; i < warmup; i++) step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const seconds = (performance.now() - start) / 1000;
  tf.dispose([x, y]);
  opt.dispose();
  disposeModel(net);
  return { backend, model, steps, imgPerSec: steps > 0 ? (steps * BATCH) / seconds : NaN };
}

async function main(): Promise<void> {
  const steps = readFlag('steps', 20);
  // The cpu backend runs the cnn at a few img/s in Node, so one batch already takes ~20 s.
  const cpuSteps = readFlag('cpu-steps', 1);
  const warmup = readFlag('warmup', 2);
  const threads = process.argv.includes('--threads');
  const rows: Row[] = [];

  await initNodeBackend('wasm', threads ? { threads: true } : {});
  console.log(`wasm: XNNPACK threads = ${getThreadsCount()}`);
  rows.push(measure('cnn', 'wasm', warmup, steps));
  rows.push(measure('resnet20', 'wasm', warmup, Math.max(1, Math.round(steps / 4))));

  await initNodeBackend('cpu');
  rows.push(measure('cnn', 'cpu', Math.min(warmup, 1), cpuSteps));

  console.log(`\ntraining throughput, ${INPUT}x${INPUT}x3, batch ${BATCH}, SGD (warm-up excluded)`);
  console.log('model     backend  steps   img/s');
  for (const r of rows) {
    console.log(`${r.model.padEnd(9)} ${r.backend.padEnd(8)} ${String(r.steps).padStart(5)} ${r.imgPerSec.toFixed(1).padStart(7)}`);
  }
  const wasmCnn = rows.find((r) => r.model === 'cnn' && r.backend === 'wasm');
  const cpuCnn = rows.find((r) => r.model === 'cnn' && r.backend === 'cpu');
  if (wasmCnn && cpuCnn) console.log(`\ncnn: wasm is ${(wasmCnn.imgPerSec / cpuCnn.imgPerSec).toFixed(0)}x the cpu backend`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
