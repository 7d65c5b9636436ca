import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateShapes10 } from '../data/builtin/shapes10';
import { createDefaultConfig, type ArmConfig, type ExperimentConfig } from '../engine/config';
import { createModel } from '../engine/models';
import { Rng } from '../engine/rng';
import { softmaxCrossEntropy } from '../engine/tasks/classify';
import { Trainer } from '../engine/trainer';
import { benchData, type DataBench, runCifarChild } from './benchData';
import { renderBenchmarks } from './benchReport';
import { initNodeBackend } from './nodeBackend';
import { runSoak } from './soak';

/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --no-browser]`: the engine's cost ratios, the
 * FLOP efficiency, images/s per backend and model, data loading and (through benchBrowser.ts)
 * the browser backends and UI timings, measured in one run; variants that are compared are
 * measured in alternating rounds so machine noise hits each alike, and medians are reported.
 * Writes BENCHMARKS.md and, with --json, the figures as JSON.
 */

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    'no-browser': { type: 'boolean', default: false },
    'data-child': { type: 'string' },
    soak: { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '30' },
  },
});
const QUICK = args.quick ?? false;
const SIZE = 32;
const BATCH = 64;
const STEPS = QUICK ? 12 : 40;
const ROUNDS = QUICK ? 5 : 7;

const dataset = generateShapes10({ size: SIZE, trainCount: 1280, testCount: 60, seed: 0 });
/** SGD lr 0.1, momentum 0.5, no weight decay: the update tf.train.momentum makes in the bare loop. */
const SGD = { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: false, weightDecay: 0 } as const;
const plainArm: ArmConfig = { ...createDefaultConfig().arms[0], optimizer: SGD };
const rgArm: ArmConfig = { ...createDefaultConfig().arms[1], optimizer: SGD };

function config(model: string, arms: ArmConfig[], batch: number, steps: number): ExperimentConfig {
  return { ...createDefaultConfig(), model, inputSize: SIZE, batchSize: batch, steps, evalEvery: 1_000_000, augment: false, arms };
}

/** Wall-clock and process CPU milliseconds per step. */
interface StepTime {
  wall: number;
  cpu: number;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Milliseconds per lock step of the engine (steps 3 .. steps-1 timed: construction, warm-up and the final eval left out). */
async function engineMsPerStep(model: string, arms: ArmConfig[], batch = BATCH, steps = STEPS): Promise<number> {
  return (await engineStepTime(model, arms, batch, steps)).wall;
}

async function engineStepTime(model: string, arms: ArmConfig[], batch = BATCH, steps = STEPS): Promise<StepTime> {
  let started = 0;
  let ended = 0;
  let cpuStarted = 0;
  let cpuEnded = 0;
  const trainer = new Trainer({
    config: config(model, arms, batch, steps),
    dataset,
    onRecord: () => {},
    flushIntervalMs: 1000,
    onProgress: (p) => {
      if (p.step === 2) [started, cpuStarted] = [performance.now(), cpuMs()];
      if (p.step === steps - 1) [ended, cpuEnded] = [performance.now(), cpuMs()];
    },
    yieldToHost: async () => {},
  });
  await trainer.run();
  trainer.dispose();
  return { wall: (ended - started) / (steps - 3), cpu: (cpuEnded - cpuStarted) / (steps - 3) };
}

/** A bare TF.js loop: the same model, batch and backend, tf.train.momentum on one fixed batch, no engine. */
function bareLoop(model: string, batch = BATCH): { step: () => void; dispose: () => void; model: ReturnType<typeof createModel> } {
  const m = createModel(model, { inputSize: SIZE, channels: 3, numClasses: 10 }, new Rng(1));
  const x = tf.randomNormal([batch, SIZE, SIZE, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10).toFloat();
  const opt = tf.train.momentum(SGD.lr, SGD.momentum);
  return {
    model: m,
    step: () => tf.tidy(() => void opt.minimize(() => softmaxCrossEntropy(m.apply(x, true), y), false, m.params)),
    dispose: () => {
      opt.dispose();
      tf.dispose([x, y, ...m.params, ...m.buffers]);
    },
  };
}

/** Milliseconds per step of the bare loop, timed like the engine (two warm-up steps, STEPS - 3 timed). */
async function bareStepTime(): Promise<StepTime> {
  const bare = bareLoop('cnn');
  bare.step();
  bare.step();
  const t0 = performance.now();
  const c0 = cpuMs();
  for (let i = 0; i < STEPS - 3; i++) bare.step();
  await bare.model.params[0].data();
  const ms = { wall: (performance.now() - t0) / (STEPS - 3), cpu: (cpuMs() - c0) / (STEPS - 3) };
  bare.dispose();
  return ms;
}

/**
 * FLOPs of one training step of `model` at `batch`, from the kernels TF.js runs (tf.profile):
 * convolutions (forward and both gradients) and matrix products, 2 per multiply-add; element-wise
 * work is left out, so this is a floor.
 */
async function trainFlopsPerStep(model: string, batch: number): Promise<number> {
  const bare = bareLoop(model, batch);
  bare.step();
  const info = await tf.profile(() => bare.step());
  bare.dispose();
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  let flops = 0;
  for (const k of info.kernels) {
    const [a, b] = k.inputShapes as number[][];
    const out = (k.outputShapes as number[][])[0];
    if (k.name === 'Conv2D' || k.name === 'FusedConv2D') {
      // inputs x, filter [fh, fw, ci, co]; output [n, oh, ow, co]
      flops += 2 * size(out) * b[0] * b[1] * b[2];
    } else if (k.name === 'Conv2DBackpropInput') {
      // inputs dy [n, oh, ow, co], filter [fh, fw, ci, co]
      flops += 2 * size(a) * b[0] * b[1] * b[2];
    } else if (k.name === 'Conv2DBackpropFilter') {
      // inputs x [n, h, w, ci], dy [n, oh, ow, co]; output the filter [fh, fw, ci, co]
      flops += 2 * size(b) * out[0] * out[1] * out[2];
    } else if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const batches = size(out.slice(0, -2));
      flops += 2 * size(out) * Math.sqrt((size(a) * size(b)) / (size(out) * batches));
    }
  }
  return flops;
}

/** The backend's matmul peak in GFLOP/s: median of 5 products of two n x n matrices. */
async function matmulPeakGflops(n: number): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const times: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    times.push(performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (median(times.slice(1)) * 1e6);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

const MODELS = ['cnn', 'resnet20', 'convnetjs'] as const;
const VARIANTS = ['bare', 'plain', 'rg', 'paired'] as const;
type Variant = (typeof VARIANTS)[number];

/** Images/s of one plain engine arm per model on the current backend (median of `rounds`). */
async function imagesPerSec(batch: number, steps: number, rounds: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const model of MODELS) {
    const ms: number[] = [];
    for (let r = 0; r < rounds; r++) ms.push(await engineMsPerStep(model, [plainArm], batch, steps));
    out[model] = (batch * 1000) / median(ms);
  }
  return out;
}

async function main(): Promise<void> {
  if (args['data-child']) return runCifarChild(args['data-child']);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = performance.now();
  await initNodeBackend('wasm', { threads: false });

  const times: Record<Variant, StepTime[]> = { bare: [], plain: [], rg: [], paired: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // The order rotates each round, so no variant always runs first (warmest or coldest).
    const runs: [Variant, () => Promise<StepTime>][] = [
      ['bare', bareStepTime],
      ['plain', () => engineStepTime('cnn', [plainArm])],
      ['rg', () => engineStepTime('cnn', [{ ...rgArm, name: 'plain' }])],
      ['paired', () => engineStepTime('cnn', [plainArm, rgArm])],
    ];
    for (let k = 0; k < runs.length; k++) {
      const [name, run] = runs[(k + r) % runs.length];
      times[name].push(await run());
    }
    log(`round ${r + 1}/${ROUNDS}: ${VARIANTS.map((v) => `${v} ${times[v][r].cpu.toFixed(1)} cpu / ${times[v][r].wall.toFixed(1)} wall`).join(', ')} ms/step`);
  }
  const pick = (kind: keyof StepTime) => Object.fromEntries(VARIANTS.map((v) => [v, times[v].map((x) => x[kind])])) as Record<Variant, number[]>;
  const t = pick('cpu');
  const tw = pick('wall');
  const m = { bare: median(t.bare), plain: median(t.plain), rg: median(t.rg), paired: median(t.paired) };
  const mw = { bare: median(tw.bare), plain: median(tw.plain), rg: median(tw.rg), paired: median(tw.paired) };
  // Ratios per round, then their median: each round's variants ran back to back.
  const ratios = (x: Record<Variant, number[]>) => {
    const perRound = (f: (i: number) => number) => median(x.bare.map((_, i) => f(i)));
    return { engineVsBare: perRound((i) => x.bare[i] / x.plain[i]), rgOverhead: perRound((i) => x.rg[i] / x.plain[i]), pairedCost: perRound((i) => x.paired[i] / (2 * x.plain[i])) };
  };
  const cpuRatios = ratios(t);
  const wallRatios = ratios(tw);

  const flopsPerStep = await trainFlopsPerStep('cnn', BATCH);
  const wasmPeak = await matmulPeakGflops(1024);
  const achieved = (flopsPerStep * 1000) / mw.plain / 1e9;
  log(`flops: ${(flopsPerStep / 1e9).toFixed(3)} GFLOP per step, ${achieved.toFixed(2)} GFLOP/s achieved, matmul peak ${wasmPeak.toFixed(1)} GFLOP/s`);

  const wasmSpeeds = await imagesPerSec(BATCH, QUICK ? 8 : 20, QUICK ? 1 : 3);
  log(`node wasm: ${JSON.stringify(wasmSpeeds)}`);
  const CPU_BATCH = QUICK ? 8 : 32;
  await initNodeBackend('cpu');
  const cpuSpeeds = await imagesPerSec(CPU_BATCH, 4, 1);
  const cpuPeak = await matmulPeakGflops(256);
  log(`node cpu: ${JSON.stringify(cpuSpeeds)}, matmul ${cpuPeak.toFixed(2)} GFLOP/s`);
  await tf.setBackend('wasm');

  const data: DataBench = await benchData(QUICK);
  log(`data: ${JSON.stringify(data)}`);

  let browser: BrowserBench | null = null;
  let browserError: string | null = null;
  if (!args['no-browser'] && existsSync('/usr/bin/chromium')) {
    try {
      const { benchBrowser } = await import('./benchBrowser');
      browser = await benchBrowser({ quick: QUICK, log });
    } catch (e) {
      browserError = e instanceof Error ? e.message : String(e);
      log(`browser part failed: ${browserError}`);
    }
  } else {
    browserError = args['no-browser'] ? 'skipped (--no-browser)' : 'no /usr/bin/chromium';
  }

  const result: BenchResult = {
    date: new Date().toISOString(),
    quick: QUICK,
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)} at the end`,
    setup: `cnn, ${SIZE}x${SIZE}, batch ${BATCH}, wasm single-threaded (so the process's CPU time is the work done; ratios from CPU time, wall-clock ratios beside them), SGD lr 0.1 momentum 0.5 without weight decay in every variant, ${STEPS} steps per measurement (the first 2 and the last untimed), ${ROUNDS} alternating rounds, medians`,
    ...cpuRatios,
    flopEfficiency: achieved / wasmPeak,
    wallClock: { ...wallRatios, msPerStep: mw, rounds: tw },
    msPerStep: m,
    rounds: t,
    flops: { model: 'cnn', batch: BATCH, backend: 'wasm', gflopPerStep: flopsPerStep / 1e9, achievedGflops: achieved, matmulPeakGflops: wasmPeak, matmulSize: 1024 },
    backends: {
      node: { batch: { wasm: BATCH, cpu: CPU_BATCH }, wasm: wasmSpeeds, cpu: cpuSpeeds, cpuMatmulPeakGflops: cpuPeak },
      browser: browser?.backends ?? null,
    },
    data,
    ui: browser?.ui ?? null,
    peerNet: {
      convnetjsImagesPerSec: 52,
      node: { wasm: wasmSpeeds.convnetjs, cpu: cpuSpeeds.convnetjs },
      browser: browser?.peerNet ?? null,
    },
    browser: browser ? { batch: browser.batch, sizes: browser.sizes, steps: browser.steps, rounds: browser.rounds, warmupSeconds: browser.warmupSeconds, chromium: browser.chromium } : null,
    browserError,
    benchSeconds: (performance.now() - started) / 1000,
  };
  const md = renderBenchmarks(result);
  writeFileSync('BENCHMARKS.md', md);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(md);
}

/** What benchBrowser.ts measures. */
export interface BrowserBench {
  /** Images/s per backend in Chromium's worker: { webgl: { cnn, resnet20, convnetjs }, ... }; a string says why a cell has no figure. */
  backends: Record<string, Record<string, number | string>>;
  /** Images/s per backend on the `convnetjs` network (the same cells as backends[*].convnetjs). */
  peerNet: Record<string, number | string>;
  ui: {
    /** Longest main-thread task (PerformanceObserver 'longtask') from the second training step to the end; 0 when none. */
    longestTaskMs: number;
    longTasks: number;
    trainingBackend: string;
    trainingSteps: number;
    /** Median redraw: buildChartRows of 2 arms x pointsPerSeries points, React render, layout. */
    chartRedrawMs: number;
    chartMountMs: number;
    chartRows: number;
    pointsPerSeries: number;
  } | null;
  /** The cnn's batch on the GPU backends and wasm. */
  batch: number;
  /** Input size and batch per model (cpuBatch on the cpu backend). */
  sizes: Record<string, { inputSize: number; batch: number; cpuBatch: number }>;
  /** Steps per measurement (the first 2 and the last untimed) and rounds (medians over them). */
  steps: number;
  rounds: number;
  /** Construction and the first two steps, in s, per model/backend (median): shader compilation shows here. */
  warmupSeconds: Record<string, number>;
  chromium: string;
}

/** Everything one run measures; the JSON file holds exactly this. */
export interface BenchResult {
  date: string;
  quick: boolean;
  machine: string;
  setup: string;
  engineVsBare: number;
  rgOverhead: number;
  pairedCost: number;
  flopEfficiency: number;
  /** Process CPU milliseconds per step, medians and per round: what the three ratios above are taken from. */
  msPerStep: Record<'bare' | 'plain' | 'rg' | 'paired', number>;
  rounds: Record<'bare' | 'plain' | 'rg' | 'paired', number[]>;
  /** The same ratios from wall-clock time (noisier on a shared machine). */
  wallClock: { engineVsBare: number; rgOverhead: number; pairedCost: number; msPerStep: Record<'bare' | 'plain' | 'rg' | 'paired', number>; rounds: Record<'bare' | 'plain' | 'rg' | 'paired', number[]> };
  flops: { model: string; batch: number; backend: string; gflopPerStep: number; achievedGflops: number; matmulPeakGflops: number; matmulSize: number };
  backends: {
    node: { batch: { wasm: number; cpu: number }; wasm: Record<string, number>; cpu: Record<string, number>; cpuMatmulPeakGflops: number };
    browser: BrowserBench['backends'] | null;
  };
  data: DataBench;
  ui: BrowserBench['ui'];
  peerNet: { convnetjsImagesPerSec: number; node: { wasm: number; cpu: number }; browser: BrowserBench['peerNet'] | null };
  /** How the browser figures were taken (sizes, steps, rounds, warm-up times, Chromium's version). */
  browser: Omit<BrowserBench, 'backends' | 'peerNet' | 'ui'> | null;
  browserError: string | null;
  benchSeconds: number;
}

/** `--soak`: the long run of the reliability issue instead of the benchmarks (see soak.ts). */
async function soak(): Promise<void> {
  const minutes = Number(args.minutes);
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number (got ${args.minutes})`);
  if (args.browser) {
    console.error(`soak: ${minutes} min of the lab training plain vs RG in Chromium (wasm), a sample a minute`);
    const { soakBrowser } = await import('./benchBrowser');
    const r = await soakBrowser(Math.max(2, Math.round(minutes)), (line) => console.error(line));
    console.error(`browser soak ${r.ok ? 'passed' : 'FAILED'}: heap growth ${(r.heapGrowth * 100).toFixed(1)}%, device growth ${r.deviceGrowth} bytes, longest task ${Math.max(...r.samples.map((x) => x.longestTaskMs)).toFixed(0)} ms`);
    if (args.json) writeFileSync(args.json, JSON.stringify(r, null, 2));
    if (!r.ok) process.exitCode = 1;
    return;
  }
  await initNodeBackend('wasm', { threads: false });
  console.error(`soak: ${minutes} min of plain vs RG (cnn, 16 px) on ${tf.getBackend()}, a sample a minute`);
  const report = await runSoak({
    minutes,
    onSample: (x) => console.error(`  ${(x.seconds / 60).toFixed(1)} min  step ${x.step}  tensors ${x.numTensors}  TF.js ${(x.numBytes / 1e6).toFixed(1)} MB  heap ${(x.heapUsed / 1e6).toFixed(1)} MB`),
  });
  console.error(
    `soak ${report.ok ? 'passed' : 'FAILED'}: tensor growth ${report.tensorGrowth}, tensors left after dispose ${report.tensorsLeft}, heap growth ${(report.heapGrowth * 100).toFixed(1)}%`,
  );
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
  if (!report.ok) process.exitCode = 1;
}

await (args.soak ? soak() : main());
