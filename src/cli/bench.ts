import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateShapes10 } from '../data/builtin/shapes10';
import { createDefaultConfig, type ArmConfig, type ExperimentConfig } from '../engine/config';
import { createModel } from '../engine/models';
import { Rng } from '../engine/rng';
import { softmaxCrossEntropy } from '../engine/tasks/classify';
import { Trainer } from '../engine/trainer';
import { initNodeBackend } from './nodeBackend';

/**
 * `npm run bench [-- --quick] [-- --json FILE]`: the engine's cost ratios, measured side by side
 * in one process on the wasm backend (rounds alternate, so machine noise hits every variant
 * alike), written to BENCHMARKS.md and optionally JSON. This is the Node part of the
 * performance issue; the browser backends and the UI figures are not measured here yet.
 */

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'string' } } });
const QUICK = args.quick ?? false;
const SIZE = 32;
const BATCH = 64;
const STEPS = QUICK ? 12 : 40;
const ROUNDS = QUICK ? 3 : 5;

const dataset = generateShapes10({ size: SIZE, trainCount: 1280, testCount: 100, seed: 0 });
const plainArm = createDefaultConfig().arms[0];
const rgArm = createDefaultConfig().arms[1];

function config(arms: ArmConfig[]): ExperimentConfig {
  return { ...createDefaultConfig(), model: 'cnn', inputSize: SIZE, batchSize: BATCH, steps: STEPS, evalEvery: 1_000_000, augment: false, arms };
}

/** Milliseconds per lock step of the engine for these arms (construction and the final eval excluded). */
async function engineMsPerStep(arms: ArmConfig[]): Promise<number> {
  let started = 0;
  let ended = 0;
  const trainer = new Trainer({
    config: config(arms),
    dataset,
    onRecord: () => {},
    flushIntervalMs: 1000,
    onProgress: (p) => {
      if (p.step === 2) started = performance.now();
      if (p.step === STEPS - 1) ended = performance.now();
    },
    yieldToHost: async () => {},
  });
  await trainer.run();
  trainer.dispose();
  return (ended - started) / (STEPS - 3);
}

/** Milliseconds per step of a bare TF.js loop: the same model, batch and backend, tf.train.momentum, no engine. */
async function bareMsPerStep(): Promise<number> {
  const model = createModel('cnn', { inputSize: SIZE, channels: 3, numClasses: 10 }, new Rng(1));
  const x = tf.randomNormal([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 10), 'int32'), 10).toFloat();
  const opt = tf.train.momentum(0.1, 0.5);
  const step = () => tf.tidy(() => void opt.minimize(() => softmaxCrossEntropy(model.apply(x, true), y), false, model.params));
  step();
  step();
  const t0 = performance.now();
  for (let i = 0; i < STEPS - 3; i++) step();
  await model.params[0].data();
  const ms = (performance.now() - t0) / (STEPS - 3);
  opt.dispose();
  tf.dispose([x, y, ...model.params]);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  await initNodeBackend('wasm', { threads: false });
  const t: Record<'bare' | 'plain' | 'rg' | 'paired', number[]> = { bare: [], plain: [], rg: [], paired: [] };
  for (let r = 0; r < ROUNDS; r++) {
    t.bare.push(await bareMsPerStep());
    t.plain.push(await engineMsPerStep([plainArm]));
    t.rg.push(await engineMsPerStep([{ ...rgArm, name: 'plain' }]));
    t.paired.push(await engineMsPerStep([plainArm, rgArm]));
    process.stderr.write(`round ${r + 1}/${ROUNDS}: bare ${t.bare[r].toFixed(1)} plain ${t.plain[r].toFixed(1)} rg ${t.rg[r].toFixed(1)} paired ${t.paired[r].toFixed(1)} ms/step\n`);
  }
  const m = { bare: median(t.bare), plain: median(t.plain), rg: median(t.rg), paired: median(t.paired) };
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`,
    setup: `cnn, ${SIZE}x${SIZE}, batch ${BATCH}, wasm single-threaded, ${STEPS} steps per measurement (the first 2 and the last excluded), median of ${ROUNDS} alternating rounds`,
    msPerStep: m,
    engineVsBare: m.bare / m.plain,
    rgOverhead: m.rg / m.plain,
    pairedCost: m.paired / (2 * m.plain),
    backends: { node: { wasm: { cnn: (BATCH * 1000) / m.plain } } },
    notMeasured: 'flopEfficiency, browser backends, data, ui and peerNet: not in this harness yet',
  };
  const md = `# Benchmarks

Measured by \`npm run bench${QUICK ? ' -- --quick' : ''}\` on ${result.date.slice(0, 10)}.

- Machine: ${result.machine}
- Setup: ${result.setup}

| ratio | value | goal | meaning |
| --- | --- | --- | --- |
| engineVsBare | ${result.engineVsBare.toFixed(3)} | >= 0.95 | engine images/s over a bare TF.js loop (tf.train.momentum, fixed batch) of the same model, batch and backend |
| rgOverhead | ${result.rgOverhead.toFixed(3)} | <= 1.01 | an RG arm's step time over a plain arm's |
| pairedCost | ${result.pairedCost.toFixed(3)} | <= 1.0 | two arms in lock step over twice one arm |

| variant | ms per step (median) |
| --- | --- |
| bare TF.js loop | ${m.bare.toFixed(1)} |
| engine, one plain arm | ${m.plain.toFixed(1)} |
| engine, one RG arm | ${m.rg.toFixed(1)} |
| engine, plain + RG in lock step | ${m.paired.toFixed(1)} |

The engine's step includes what the bare loop leaves out: gathering the batch on the device,
the RG weight, the gradient norm and reading losses back in bunches. Not measured yet:
${result.notMeasured}.
`;
  writeFileSync('BENCHMARKS.md', md);
  if (args.json) writeFileSync(args.json, JSON.stringify(result, null, 2));
  process.stdout.write(md);
}

await main();
