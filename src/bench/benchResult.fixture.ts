import type { BenchResult, RatioVariant } from './bench';
import type { StepProfile } from './benchProfile';
import type { BrowserDataBench } from './benchBrowserData';

/**
 * A complete bench JSON (what `npm run bench -- --json` writes) for the report's tests, with
 * made-up figures: each figure distinct, so a test can tell which one a sentence quotes.
 */

const variants: RatioVariant[] = ['bare', 'plain', 'rg', 'paired', 'plainAug', 'pairedAug'];

export function buildStepProfile(model: string, scale = 1): StepProfile {
  return {
    model,
    batch: 64,
    size: 32,
    kernelMs: 430 * scale,
    stepMs: 441 * scale,
    stepCpuMs: 440 * scale,
    gflopPerStep: 1.019,
    kernels: [
      { kernel: 'Conv2DBackpropInput', calls: 2, ms: 186.5 * scale, flops: 0.302e9, ofPeak: 0.25 / scale },
      { kernel: 'Conv2DBackpropFilter', calls: 3, ms: 148.6 * scale, flops: 0.453e9, ofPeak: 0.38 / scale },
      { kernel: 'Add', calls: 20, ms: 25.2 * scale, flops: 0, ofPeak: null },
    ],
  };
}

export function buildBenchResult(): BenchResult {
  const ms = Object.fromEntries(variants.map((v, i) => [v, 90 + i])) as Record<RatioVariant, number>;
  const rounds = Object.fromEntries(variants.map((v, i) => [v, [90 + i, 91 + i, 92 + i]])) as Record<RatioVariant, number[]>;
  const ratios = { engineVsBare: 0.987, rgOverhead: 1.002, pairedCost: 0.981, pairedCostNoAugment: 0.994 };
  return {
    date: '2026-12-06T15:00:00.000Z',
    quick: true,
    machine: '2 x Test CPU, 8 GiB, Node v20.0.0, load 1.0 at the end',
    setup: 'cnn, 32x32, batch 64',
    ...ratios,
    ci95: { engineVsBare: [0.98, 0.99], rgOverhead: [0.999, 1.004], pairedCost: [0.97, 0.99], pairedCostNoAugment: [0.99, 1.0] },
    flopEfficiency: 0.347,
    msPerStep: ms,
    rounds,
    wallClock: { ...ratios, msPerStep: ms, rounds },
    flops: { model: 'cnn', batch: 64, backend: 'wasm', gflopPerStep: 1.019, achievedGflops: 10.5, matmulPeakGflops: 30.3, matmulSize: 1024 },
    profile: [buildStepProfile('cnn'), { ...buildStepProfile('resnet20', 3), batch: 16 }],
    wasmThreads: null,
    backends: {
      node: { batch: { wasm: 64, cpu: 8 }, wasm: { cnn: 654.1, resnet20: 47.2, convnetjs: 708.3 }, cpu: { cnn: 41.7, resnet20: 1.93, convnetjs: 29.6 }, cpuMatmulPeakGflops: 0.74 },
      browser: null,
    },
    data: {
      cifar10: { archiveMB: 154, images: 60000, loadMs: 4660, toTensorsMs: 3290, totalMs: 7950, peakRssMB: 1738, baseRssMB: 189, deviceMB: 707 },
      imageFolder: { images: 2500, size: 32, imagesPerSec: 7695 },
    },
    ui: null,
    vsPytorchCpu: { oneThread: 0.213, best: 0.171, labThreads: 1, pytorchThreads: { oneThread: 1, best: 2 } },
    vsConvnetjs: 17.6,
    peers: {
      pytorch: {
        torch: '1.13.0a0',
        python: '3.11.2',
        defaultThreads: 1,
        allThreads: 2,
        rounds: 20,
        imagesPerSec: { lab: 611.9, pytorch1: 2873.4, pytorchAll: 3581.2 },
        msPerStep: { lab: { wall: 104.6, cpu: 104.1 }, pytorch1: { wall: 22.3, cpu: 22.2 }, pytorchAll: { wall: 17.9, cpu: 33.8 } },
      },
      convnetjs: {
        version: '0.3.0',
        trainer: '{"method":"adadelta","batch_size":4,"l2_decay":0.0001}',
        rounds: 4,
        imagesPerStep: 64,
        imagesPerSec: { lab: 432.8, convnetjs: 25.6 },
        msPerStep: { lab: { wall: 148.1, cpu: 147.9 }, convnetjs: { wall: 2498.2, cpu: 2497.8 } },
      },
    },
    peerNet: { node: { wasm: 708.3, cpu: 29.6 }, browser: null },
    browser: null,
    browserError: 'skipped (--no-browser)',
    benchSeconds: 321,
  };
}

/** Real-size CIFAR in the lab page as benchBrowserData.ts writes it (two rounds). */
export function buildBrowserData(): BrowserDataBench {
  const load = (dataset: 'cifar10' | 'cifar100', ms: number[]) => ({ dataset, file: `${dataset}-binary.tar.gz`, archiveMB: 154.5, images: 60_000, inputSize: 16, ms, medianMs: [...ms].sort((a, b) => a - b)[1] });
  const round = (builtin: number, cifar: number) => ({
    builtinImagesPerSec: builtin,
    cifarImagesPerSec: cifar,
    ratio: cifar / builtin,
    cifarPeakMiB: 3.5,
    builtinPeakMiB: 3.4,
    cifarEvalNote: '2,000 test images per point; the last point: all 10,000',
    builtinEvalNote: 'all 1,000 test images per point',
  });
  return {
    backend: 'wasm',
    loads: [load('cifar100', [3600, 3500, 4100]), load('cifar10', [4000, 3100, 3300])],
    training: {
      config: { model: 'cnn', inputSize: 16, batchSize: 32, steps: 200, evalEvery: 50, evalSubset: 2000, arms: 3, seeds: 3 },
      fromStep: 2,
      rounds: [round(920, 700), round(900, 720)],
      builtinImagesPerSec: 910,
      cifarImagesPerSec: 710,
      ratio: 0.78,
      peakMiB: 3.5,
    },
  };
}
