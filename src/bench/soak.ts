import { writeFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { generateShapes10 } from '../data/builtin/shapes10';
import { createClassifyArms, createDefaultConfig, parseExperimentConfig } from '../engine/config';
import { Trainer } from '../engine/trainer';
import { median } from '../engine/median';

/**
 * The soak test (`npm run bench -- --soak [--minutes N]`, not in CI): trains plain vs RG for a
 * long time in Node and samples the tensor count, the bytes TF.js holds and the JS heap; a
 * leak shows as a count that climbs, or a heap that grows by more than 10%.
 */

export interface SoakSample {
  seconds: number;
  step: number;
  numTensors: number;
  numBytes: number;
  heapUsed: number;
}

export interface SoakReport {
  backend: string;
  minutes: number;
  steps: number;
  samples: SoakSample[];
  /**
   * Most tensors held in the last third of the samples minus the most in the first third: 0 or
   * less when nothing leaks (the count moves by a few while loss read-backs are in flight).
   */
  tensorGrowth: number;
  /** Tensors left after the trainer was disposed minus those before it was made: 0 when nothing leaks. */
  tensorsLeft: number;
  /** JS heap at the end over after warm-up, as a ratio - 1 (0.1 = 10% more). */
  heapGrowth: number;
  ok: boolean;
}

export interface SoakOptions {
  minutes: number;
  /** Seconds between samples (default 60). */
  everySeconds?: number;
  onSample?: (s: SoakSample) => void;
  /** Seconds of training before the first (baseline) sample, default 30. */
  warmupSeconds?: number;
  /** The trainer's bound on lock steps awaiting a loss read-back (its default when unset). */
  maxPendingSteps?: number;
}

/** The heap after a collection where Node exposes one (node --expose-gc), else as it stands. */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Trains for `minutes` with the current TF.js backend and reports what grew. */
export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const every = (opts.everySeconds ?? 60) * 1000;
  const warmup = (opts.warmupSeconds ?? 30) * 1000;
  const dataset = generateShapes10({ size: 16, trainCount: 500, testCount: 60, seed: 0 });
  const config = parseExperimentConfig({ ...createDefaultConfig(), arms: createClassifyArms(), seeds: [1], model: 'cnn', inputSize: 16, batchSize: 16, steps: 10_000_000, evalEvery: 200 });
  const samples: SoakSample[] = [];
  const tensorsBefore = tf.memory().numTensors;
  const start = performance.now();
  let next = start + warmup;
  let step = 0;
  let trainer: Trainer | null = null;
  trainer = new Trainer({
    config,
    dataset,
    onRecord: () => {},
    maxPendingSteps: opts.maxPendingSteps,
    onProgress: (p) => {
      step = p.step;
      const now = performance.now();
      if (now < next) return;
      next = now + every;
      const mem = tf.memory();
      const s = { seconds: (now - start) / 1000, step, numTensors: mem.numTensors, numBytes: mem.numBytes, heapUsed: heapUsed() };
      samples.push(s);
      opts.onSample?.(s);
      if (now - start >= opts.minutes * 60_000) trainer?.stop();
    },
    // Lets the timers and the progress callback breathe between steps, as the worker does.
    yieldToHost: () => new Promise((r) => setTimeout(r, 0)),
  });
  await trainer.run();
  trainer.dispose();
  const tensorsLeft = tf.memory().numTensors - tensorsBefore;
  const third = Math.max(1, Math.floor(samples.length / 3));
  // Each sample counts the resident tensors plus the losses of the lock steps still awaiting a
  // read-back, which swing by up to 2 per arm per pending step with the machine's pace; a leak
  // lifts the floor under that swing, so the thirds' minima are compared.
  const floor = (list: SoakSample[]) => Math.min(...list.map((x) => x.numTensors));
  const tensorGrowth = samples.length >= 2 ? floor(samples.slice(-third)) - floor(samples.slice(0, third)) : 0;
  // The heap is compared between the thirds' medians: single samples swing with the collector.
  const heapMedian = (list: SoakSample[]) => median(list.map((x) => x.heapUsed));
  const heapGrowth = samples.length >= 2 ? heapMedian(samples.slice(-third)) / heapMedian(samples.slice(0, third)) - 1 : 0;
  return {
    backend: tf.getBackend(),
    minutes: opts.minutes,
    steps: step,
    samples,
    tensorGrowth,
    tensorsLeft,
    heapGrowth,
    ok: samples.length >= 2 && tensorGrowth <= 0 && tensorsLeft === 0 && heapGrowth < 0.1,
  };
}

/** Where `--soak` writes its figures unless --json names a file: the committed file the README quotes. */
export function defaultSoakJsonPath(where: 'node' | 'browser', minutes: number): string {
  return `docs/soak-${where}-${minutes}min.json`;
}

/** Writes a soak's report as JSON with when, where and how it ran, so the figures quoted from it carry their source. */
export function writeSoakJson(path: string, report: object, command: string): void {
  const cpus = os.cpus();
  const meta = {
    date: new Date().toISOString(),
    command,
    machine: `${cpus.length} x ${cpus[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  };
  writeFileSync(path, `${JSON.stringify({ ...meta, ...report }, null, 2)}\n`);
}
