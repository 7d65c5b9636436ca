import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateShapes10 } from '../data/builtin/shapes10';
import { createDefaultConfig, type ArmConfig, type ExperimentConfig } from '../engine/config';
import { Trainer } from '../engine/trainer';
import { benchData, type DataBench, runCifarChild, writeBenchArchives } from './benchData';
import type { BrowserDataBench } from './benchBrowserData';
import type { WasmThreadsBench } from './benchBrowser';
import { benchPeers, type PeerBench } from './benchPeers';
import { bareLoop, matmulPeakGflops, profileStep, type StepProfile } from './benchProfile';
import { type Baseline, renderBenchmarks } from './benchReport';
import { initNodeBackend } from '../platform/node';
import { interleave, medianCi95, type StepTime, type Variant } from './interleave';
import { defaultSoakJsonPath, runSoak, writeSoakJson } from './soak';
import { errorMessage } from '../engine/errors';
import { median } from '../engine/median';

/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --no-browser] [-- --baseline FILE]`: the
 * engine's cost ratios, the FLOP efficiency and a per-kernel profile, the peers (PyTorch on the
 * CPU, ConvNetJS; benchPeers.ts), images/s per backend and model, data loading and (through
 * benchBrowser.ts) the browser backends and UI timings, measured in one run; variants that are
 * compared are measured in alternating rounds so machine noise hits each alike, and medians are
 * reported. A full run writes BENCHMARKS.md; --quick only prints it; --json writes the figures.
 * The profile's "before" comes from --baseline (default docs/bench-full.json, if it exists).
 * `--render FILE` prints the report for a saved JSON without measuring anything.
 * `--profile-json FILE` measures only the matmul peak and the per-kernel profiles and writes them
 * (with date and machine) to FILE: a "before" for --baseline, taken before a change to the kernels.
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
    baseline: { type: 'string' },
    render: { type: 'string' },
    'profile-json': { type: 'string' },
  },
});
const QUICK = args.quick ?? false;
const SIZE = 32;
const BATCH = 64;
/** Interleaved rounds for the ratios (one step of each variant per round), and untimed ones first. */
const ROUNDS = QUICK ? 60 : 200;
const WARMUP = 3;

const dataset = generateShapes10({ size: SIZE, trainCount: 1280, testCount: 60, seed: 0 });
/** SGD lr 0.1, momentum 0.5, no weight decay: the update tf.train.momentum makes in the bare loop. */
const SGD = { type: 'sgd', lr: 0.1, momentum: 0.5, nesterov: false, weightDecay: 0 } as const;
const plainArm: ArmConfig = { ...createDefaultConfig().arms[0], optimizer: SGD };
const rgArm: ArmConfig = { ...createDefaultConfig().arms[1], optimizer: SGD };

function config(model: string, arms: ArmConfig[], batch: number, steps: number, augment = false): ExperimentConfig {
  return { ...createDefaultConfig(), model, inputSize: SIZE, batchSize: batch, steps, evalEvery: 1_000_000, augment, seeds: [1], arms };
}

/** Wall-clock milliseconds per lock step of the engine (steps 3 .. steps-1 timed: construction, warm-up and the final eval left out). */
async function engineMsPerStep(model: string, arms: ArmConfig[], batch: number, steps: number): Promise<number> {
  let started = 0;
  let ended = 0;
  const trainer = new Trainer({
    config: config(model, arms, batch, steps),
    dataset,
    onRecord: () => {},
    flushIntervalMs: 1000,
    onProgress: (p) => {
      if (p.step === 2) started = performance.now();
      if (p.step === steps - 1) ended = performance.now();
    },
    yieldToHost: async () => {},
  });
  await trainer.run();
  trainer.dispose();
  return (ended - started) / (steps - 3);
}

/** The bare loop as an interleaved variant: `steps` steps, a pause after each. */
function bareVariant(steps: number): Variant {
  return async (pause) => {
    const bare = bareLoop('cnn', BATCH, SIZE, SGD.lr, SGD.momentum);
    try {
      for (let i = 0; i < steps; i++) {
        bare.step();
        await pause();
      }
    } finally {
      bare.dispose();
    }
  };
}

/** The engine's Trainer as an interleaved variant: it pauses where it yields to its host, after every lock step. */
function engineVariant(arms: ArmConfig[], steps: number, augment = false, model = 'cnn'): Variant {
  return async (pause) => {
    const trainer = new Trainer({ config: config(model, arms, BATCH, steps, augment), dataset, onRecord: () => {}, yieldToHost: pause });
    try {
      await trainer.run();
    } finally {
      trainer.dispose();
    }
  };
}

const MODELS = ['cnn', 'resnet20', 'convnetjs'] as const;
/** plainAug and pairedAug train with the lab's default augmentation (random crop and flip on the device). */
const RATIO_VARIANTS = ['bare', 'plain', 'rg', 'paired', 'plainAug', 'pairedAug'] as const;
export type RatioVariant = (typeof RATIO_VARIANTS)[number];

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

/**
 * The per-kernel profile taken before the gradient kernels were last reworked (written by
 * --profile-json); a later run shows it as "before". Without it, the committed full run's JSON.
 */
const DEFAULT_BASELINES = ['docs/bench-profile-before.json', 'docs/bench-full.json'];

function readBaseline(file: string): Baseline {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResult> & { note?: string };
  return { file, date: r.date ?? 'unknown date', machine: r.machine ?? null, note: r.note ?? null, profile: r.profile ?? null, flopEfficiency: r.flopEfficiency ?? null };
}

function machine(): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)} at the end`;
}

/** The models and batches profiled: the quick run profiles resnet20 at a smaller batch. */
const PROFILED = { full: [['cnn', BATCH], ['resnet20', BATCH], ['convnetjs', BATCH]], quick: [['cnn', BATCH], ['resnet20', 16], ['convnetjs', BATCH]] } as const;

async function profiles(peak: number, which: readonly (readonly [string, number])[], steps: number, log: (s: string) => void): Promise<StepProfile[]> {
  const out: StepProfile[] = [];
  for (const [model, batch] of which) {
    out.push(await profileStep(model, batch, SIZE, peak, steps, SGD.lr, SGD.momentum));
    log(`profile ${model}: ${out[out.length - 1].kernels.slice(0, 4).map((k) => `${k.kernel} ${k.ms.toFixed(1)} ms`).join(', ')}`);
  }
  return out;
}

/** --profile-json: the matmul peak and the profiles of both the quick and the full run's batches. */
async function writeProfileJson(file: string, log: (s: string) => void): Promise<void> {
  await initNodeBackend('wasm', { threads: false });
  const peak = await matmulPeakGflops(1024);
  const both = [...PROFILED.full, ...PROFILED.quick.filter(([m, b]) => !PROFILED.full.some(([fm, fb]) => fm === m && fb === b))];
  const profile = await profiles(peak, both, 5, log);
  const note = 'per-kernel profiles only, written by npm run bench -- --profile-json, kernel times in process CPU time';
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), note, matmulPeakGflops: peak, profile }, null, 2)}\n`);
  log(`wrote ${file}`);
}

async function main(): Promise<void> {
  if (args['data-child']) return runCifarChild(args['data-child'], QUICK);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  // The "before" of the per-kernel profile: an earlier run's JSON, read before this run writes any.
  if (args['profile-json']) return writeProfileJson(args['profile-json'], log);
  const baselineFile = args.baseline ?? DEFAULT_BASELINES.find((f) => existsSync(f));
  const baseline = baselineFile ? readBaseline(baselineFile) : null;
  if (args.render) {
    process.stdout.write(renderBenchmarks(JSON.parse(readFileSync(args.render, 'utf8')) as BenchResult, baseline));
    return;
  }
  const started = performance.now();
  await initNodeBackend('wasm', { threads: false });

  // Steps per variant: the first (construction), WARMUP untimed, ROUNDS timed, and a last one
  // (the final read-back and evaluation) untimed.
  const steps = WARMUP + ROUNDS + 2;
  const timed = await interleave(
    {
      bare: bareVariant(steps),
      plain: engineVariant([plainArm], steps),
      rg: engineVariant([{ ...rgArm, name: 'plain' }], steps),
      paired: engineVariant([plainArm, rgArm], steps),
      plainAug: engineVariant([plainArm], steps, true),
      pairedAug: engineVariant([plainArm, rgArm], steps, true),
    },
    { rounds: ROUNDS, warmup: WARMUP },
  );
  const pick = (kind: keyof StepTime) => Object.fromEntries(RATIO_VARIANTS.map((v) => [v, timed[v].map((x) => x[kind])])) as Record<RatioVariant, number[]>;
  const t = pick('cpu');
  const tw = pick('wall');
  const medians = (x: Record<RatioVariant, number[]>) => Object.fromEntries(RATIO_VARIANTS.map((v) => [v, median(x[v])])) as Record<RatioVariant, number>;
  const m = medians(t);
  const mw = medians(tw);
  // Ratios per round, then their median: each round's variants ran one step each, back to back.
  const perRound = (x: Record<RatioVariant, number[]>) => ({
    engineVsBare: x.bare.map((b, i) => b / x.plain[i]),
    rgOverhead: x.rg.map((v, i) => v / x.plain[i]),
    pairedCost: x.pairedAug.map((v, i) => v / (2 * x.plainAug[i])),
    pairedCostNoAugment: x.paired.map((v, i) => v / (2 * x.plain[i])),
  });
  const ratios = (x: Record<RatioVariant, number[]>) => {
    const p = perRound(x);
    return { engineVsBare: median(p.engineVsBare), rgOverhead: median(p.rgOverhead), pairedCost: median(p.pairedCost), pairedCostNoAugment: median(p.pairedCostNoAugment) };
  };
  const cpuRatios = ratios(t);
  const wallRatios = ratios(tw);
  const cpuPerRound = perRound(t);
  const ci95 = Object.fromEntries(Object.entries(cpuPerRound).map(([k, v]) => [k, medianCi95(v)])) as BenchResult['ci95'];
  log(`ratios over ${ROUNDS} interleaved rounds (cpu): ${JSON.stringify(cpuRatios)}; wall: ${JSON.stringify(wallRatios)}`);

  const wasmPeak = await matmulPeakGflops(1024);
  const profile = await profiles(wasmPeak, QUICK ? PROFILED.quick : PROFILED.full, QUICK ? 2 : 5, log);
  const flopsPerStep = profile[0].gflopPerStep * 1e9;
  // CPU time on both sides: wasm has one thread here, so it is the work done, whatever else runs.
  const achieved = (flopsPerStep * 1000) / m.plain / 1e9;
  log(`flops: ${(flopsPerStep / 1e9).toFixed(3)} GFLOP per step, ${achieved.toFixed(2)} GFLOP/s achieved, matmul peak ${wasmPeak.toFixed(1)} GFLOP/s`);

  const peers = await benchPeers({
    quick: QUICK,
    batch: BATCH,
    size: SIZE,
    lr: SGD.lr,
    momentum: SGD.momentum,
    labVariant: (model, n) => engineVariant([plainArm], n, false, model),
    log,
  });

  const wasmSpeeds = await imagesPerSec(BATCH, QUICK ? 8 : 20, QUICK ? 1 : 3);
  log(`node wasm: ${JSON.stringify(wasmSpeeds)}`);
  const CPU_BATCH = QUICK ? 8 : 32;
  await initNodeBackend('cpu');
  const cpuSpeeds = await imagesPerSec(CPU_BATCH, 4, 1);
  const cpuPeak = await matmulPeakGflops(256);
  log(`node cpu: ${JSON.stringify(cpuSpeeds)}, matmul ${cpuPeak.toFixed(2)} GFLOP/s`);
  await tf.setBackend('wasm');

  // CIFAR-10 and CIFAR-100 binary tar.gz at the official sizes, for Node's data part and the browser's.
  const archiveDir = mkdtempSync(path.join(os.tmpdir(), 'rg-bench-'));
  let browser: BrowserBench | null = null;
  let browserError: string | null = null;
  let data: DataBench;
  try {
    const archives = writeBenchArchives(archiveDir);
    data = await benchData(QUICK, archives.cifar10);
    log(`data: ${JSON.stringify(data)}`);

    if (!args['no-browser'] && existsSync('/usr/bin/chromium')) {
      try {
        const { benchBrowser } = await import('./benchBrowser');
        browser = await benchBrowser({ quick: QUICK, log, archives });
      } catch (e) {
        browserError = errorMessage(e);
        log(`browser part failed: ${browserError}`);
      }
    } else {
      browserError = args['no-browser'] ? 'skipped (--no-browser)' : 'no /usr/bin/chromium';
    }
  } finally {
    rmSync(archiveDir, { recursive: true, force: true });
  }

  const result: BenchResult = {
    date: new Date().toISOString(),
    quick: QUICK,
    machine: machine(),
    setup: `cnn, ${SIZE}x${SIZE}, batch ${BATCH}, wasm single-threaded (so the process's CPU time is the work done; ratios from CPU time, wall-clock ratios beside them), SGD lr 0.1 momentum 0.5 without weight decay in every variant, the six variants interleaved step by step (one step of each per round, in an order shuffled every round; ${WARMUP} untimed rounds first), ${ROUNDS} rounds, medians of per-round ratios`,
    ...cpuRatios,
    ci95,
    flopEfficiency: achieved / wasmPeak,
    wallClock: { ...wallRatios, msPerStep: mw, rounds: tw },
    msPerStep: m,
    rounds: t,
    flops: { model: 'cnn', batch: BATCH, backend: 'wasm', gflopPerStep: flopsPerStep / 1e9, achievedGflops: achieved, matmulPeakGflops: wasmPeak, matmulSize: 1024 },
    profile,
    wasmThreads: browser ? (browser.wasmThreads ?? 'the browser part does not measure it yet') : null,
    backends: {
      node: { batch: { wasm: BATCH, cpu: CPU_BATCH }, wasm: wasmSpeeds, cpu: cpuSpeeds, cpuMatmulPeakGflops: cpuPeak },
      browser: browser?.backends ?? null,
    },
    data,
    browserData: browser?.data ?? browserError,
    ui: browser?.ui ?? null,
    vsPytorchCpu: peers.vsPytorchCpu,
    vsConvnetjs: peers.vsConvnetjs,
    peers: { pytorch: peers.pytorch, convnetjs: peers.convnetjs },
    peerNet: {
      node: { wasm: wasmSpeeds.convnetjs, cpu: cpuSpeeds.convnetjs },
      browser: browser?.peerNet ?? null,
    },
    browser: browser ? { batch: browser.batch, sizes: browser.sizes, steps: browser.steps, rounds: browser.rounds, warmupSeconds: browser.warmupSeconds, chromium: browser.chromium } : null,
    browserError,
    benchSeconds: (performance.now() - started) / 1000,
  };
  if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  const md = renderBenchmarks(result, baseline);
  // Only a full run writes the committed report; --quick prints it (and writes --json).
  if (!QUICK) writeFileSync('BENCHMARKS.md', md);
  process.stdout.write(md);
  log(QUICK ? 'quick run: BENCHMARKS.md left as it is' : 'wrote BENCHMARKS.md');
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
  /** wasm with one thread against two in the worker, side by side (or why not): see WasmThreadsBench. */
  wasmThreads?: WasmThreadsBench | string;
  /** Real-size CIFAR in the lab page (benchBrowserData.ts), or why it was not measured. */
  data: BrowserDataBench | string;
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

export type RatioName = 'engineVsBare' | 'rgOverhead' | 'pairedCost' | 'pairedCostNoAugment';

/** Everything one run measures; the JSON file holds exactly this. */
export interface BenchResult {
  date: string;
  quick: boolean;
  machine: string;
  setup: string;
  engineVsBare: number;
  rgOverhead: number;
  /** With the lab's default augmentation (crop and flip, prepared once per lock step); pairedCostNoAugment without. */
  pairedCost: number;
  pairedCostNoAugment: number;
  /** 95% intervals of the ratios (CPU time): distribution-free, for the median of the per-round ratios. */
  ci95: Record<RatioName, [number, number]>;
  flopEfficiency: number;
  /** Process CPU milliseconds per step, medians and per round (index r = round r): what the three ratios above are taken from. */
  msPerStep: Record<RatioVariant, number>;
  rounds: Record<RatioVariant, number[]>;
  /** The same ratios from wall-clock time (noisier on a shared machine). */
  wallClock: Record<RatioName, number> & { msPerStep: Record<RatioVariant, number>; rounds: Record<RatioVariant, number[]> };
  flops: { model: string; batch: number; backend: string; gflopPerStep: number; achievedGflops: number; matmulPeakGflops: number; matmulSize: number };
  /** Chromium's worker, the cnn on wasm with one thread and with two (null: no browser part). */
  wasmThreads: BrowserBench['wasmThreads'] | null;
  /** Kernel-by-kernel profiles of one bare training step of `cnn` and `resnet20` on wasm, against flops.matmulPeakGflops. */
  profile: StepProfile[];
  backends: {
    node: { batch: { wasm: number; cpu: number }; wasm: Record<string, number>; cpu: Record<string, number>; cpuMatmulPeakGflops: number };
    browser: BrowserBench['backends'] | null;
  };
  data: DataBench;
  /** Real-size CIFAR-10 and CIFAR-100 in the lab page: load times, training images/s against the built-in, backend peak (benchBrowserData.ts); a string says why not measured. Absent in files written before it was measured. */
  browserData?: BrowserDataBench | string | null;
  ui: BrowserBench['ui'];
  /** Lab images/s over PyTorch's on the CPU (same net, batch, input size; one thread each, and each side's best), interleaved in this run. */
  vsPytorchCpu: PeerBench['vsPytorchCpu'];
  /** Lab images/s on ConvNetJS's CIFAR-10 demo network over ConvNetJS's own, interleaved in this run. */
  vsConvnetjs: PeerBench['vsConvnetjs'];
  /** The peers' absolute figures, thread counts and versions (or why a peer could not run). */
  peers: Pick<PeerBench, 'pytorch' | 'convnetjs'>;
  /** The engine on the `convnetjs` network elsewhere in this run (not interleaved with ConvNetJS). */
  peerNet: { node: { wasm: number; cpu: number }; browser: BrowserBench['peerNet'] | null };
  /** How the browser figures were taken (sizes, steps, rounds, warm-up times, Chromium's version). */
  browser: Omit<BrowserBench, 'backends' | 'peerNet' | 'ui' | 'wasmThreads' | 'data'> | null;
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
    const file = args.json ?? defaultSoakJsonPath('browser', minutes);
    writeSoakJson(file, r, `npm run bench -- --soak --browser --minutes ${minutes}`);
    console.error(`wrote ${file}`);
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
  const file = args.json ?? defaultSoakJsonPath('node', minutes);
  writeSoakJson(file, report, `npm run bench -- --soak --minutes ${minutes}`);
  console.error(`wrote ${file}`);
  if (!report.ok) process.exitCode = 1;
}

await (args.soak ? soak() : main());
