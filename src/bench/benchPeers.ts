import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createDefaultConfig } from '../engine/config';
import { Rng } from '../engine/rng';
import { exportPytorch } from '../export/pytorch';
import { readTrainTemplate } from '../cli/exportPytorch';
import { interleave, type StepTime, type Variant } from './interleave';
import { errorMessage } from '../engine/errors';
import { median } from '../engine/median';

/**
 * The bench's peers, each trained side by side with the lab in one interleaved run
 * (src/bench/interleave.ts: one step of each per round, in a shuffled order):
 * - PyTorch on the CPU (the system's python3 with torch) training the lab's `cnn` as the
 *   PyTorch export writes it, at the lab's batch and input size, SGD with momentum, in a
 *   long-lived child process that trains one step per request; at one thread and at its default
 *   thread count, beside the lab's wasm backend (one thread in Node).
 * - ConvNetJS 0.3.0 (npm `convnetjs`) training its CIFAR-10 demo network, layer for layer the
 *   demo's definition and trainer, one sample at a time as it does, beside the lab's engine on
 *   the same network (engine model `convnetjs`).
 */

export interface PeerOptions {
  quick: boolean;
  batch: number;
  size: number;
  lr: number;
  momentum: number;
  /** The lab's plain engine arm on `model` as an interleaved variant (one lock step per pause). */
  labVariant: (model: string, steps: number) => Variant;
  log: (s: string) => void;
  /** The Python that has torch (default /usr/bin/python3, or $RG_LAB_PYTHON). */
  python?: string;
}

export interface PytorchPeer {
  torch: string;
  python: string;
  /** torch.get_num_threads() at start-up: PyTorch's own choice. */
  defaultThreads: number;
  /** The thread count of the pytorchAll side: one per core of this machine. */
  allThreads: number;
  rounds: number;
  /** Images/s per side from the median wall-clock step (PyTorch times its steps itself, so the pipe is left out). */
  imagesPerSec: { lab: number; pytorch1: number; pytorchAll: number };
  /** Milliseconds per step, medians (wall and CPU). */
  msPerStep: Record<'lab' | 'pytorch1' | 'pytorchAll', StepTime>;
}

export interface ConvnetjsPeer {
  version: string;
  trainer: string;
  rounds: number;
  /** Images per step of either side (ConvNetJS trains them one at a time). */
  imagesPerStep: number;
  imagesPerSec: { lab: number; convnetjs: number };
  msPerStep: Record<'lab' | 'convnetjs', StepTime>;
}

export interface PeerBench {
  pytorch: PytorchPeer | string;
  convnetjs: ConvnetjsPeer | string;
  /**
   * Lab images/s over PyTorch's, per round then the median: oneThread from CPU time (one thread
   * each), best from wall clock (PyTorch at whichever of 1 or all cores was faster; the lab's
   * wasm has one thread in Node).
   */
  vsPytorchCpu: { oneThread: number; best: number; labThreads: number; pytorchThreads: { oneThread: number; best: number } } | null;
  /** Lab images/s on ConvNetJS's network over ConvNetJS's, per round then the median (both one thread). */
  vsConvnetjs: number | null;
}


/** A long-lived PyTorch child: `step(threads)` trains one step and resolves with its own timing and the step's loss. */
export async function startPytorch(
  opts: Pick<PeerOptions, 'batch' | 'size' | 'lr' | 'momentum' | 'python'>,
  dir: string,
): Promise<{ info: { torch: string; python: string; defaultThreads: number }; step: (threads: number) => Promise<StepTime & { loss: number }>; close: () => void }> {
  const trainPy = path.join(dir, 'train.py');
  writeFileSync(trainPy, exportPytorch({ ...createDefaultConfig(), model: 'cnn', inputSize: opts.size, batchSize: opts.batch }, readTrainTemplate()));
  const script = fileURLToPath(new URL('./pytorchPeer.py', import.meta.url));
  const python = opts.python ?? process.env.RG_LAB_PYTHON ?? '/usr/bin/python3';
  const child = spawn(python, [script, trainPy, String(opts.batch), String(opts.size), String(opts.lr), String(opts.momentum)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const spawnError = new Promise<never>((_, reject) => child.on('error', (e) => reject(new Error(`cannot start ${python}: ${e.message}`))));
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await Promise.race([lines.next(), spawnError]);
    if (r.done) throw new Error(`the PyTorch peer (${python}) exited: ${stderr.trim().split('\n').slice(-1)[0] ?? 'no message'}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const ready = await next();
  return {
    info: { torch: String(ready.torch), python: String(ready.python), defaultThreads: Number(ready.defaultThreads) },
    step: async (threads) => {
      child.stdin.write(`${threads}\n`);
      const t = await next();
      return { wall: Number(t.wall), cpu: Number(t.cpu), loss: Number(t.loss) };
    },
    close: () => {
      child.stdin.end();
    },
  };
}

/** ConvNetJS's CIFAR-10 demo (convnetjs.com/demo/cifar10.html): its network and trainer, verbatim. */
export function convnetjsDemo(size: number): { version: string; trainer: string; trainSample: (i: number) => number } {
  const require = createRequire(import.meta.url);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- convnetjs ships no types
  const cnj = require('convnetjs') as any;
  const version = String((require('convnetjs/package.json') as { version: string }).version);
  const layers = [
    { type: 'input', out_sx: size, out_sy: size, out_depth: 3 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 20, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 20, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'softmax', num_classes: 10 },
  ];
  const net = new cnj.Net();
  net.makeLayers(layers);
  const trainerOpts = { method: 'adadelta', batch_size: 4, l2_decay: 0.0001 };
  const trainer = new cnj.SGDTrainer(net, trainerOpts);
  // 64 fixed random images, as the lab's bare loop uses; labels cycle through the classes.
  const rng = new Rng(3);
  const images = Array.from({ length: 64 }, () => {
    const v = new cnj.Vol(size, size, 3, 0);
    for (let k = 0; k < v.w.length; k++) v.w[k] = rng.normal();
    return v;
  });
  return { version, trainer: JSON.stringify(trainerOpts), trainSample: (i) => Number(trainer.train(images[i % images.length], i % 10).loss) };
}

/** Runs both peers beside the lab; a peer that cannot run is reported by the reason, not dropped silently. */
export async function benchPeers(opts: PeerOptions): Promise<PeerBench> {
  const warmup = 2;
  const out: PeerBench = { pytorch: 'not measured', convnetjs: 'not measured', vsPytorchCpu: null, vsConvnetjs: null };
  const perSec = (ms: number, images: number) => (images * 1000) / ms;
  const medianTimes = (xs: StepTime[]): StepTime => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'rg-lab-bench-'));
  try {
    const rounds = opts.quick ? 20 : 100;
    // One child per thread count, each keeping its count: a child switched between 1 and 2
    // threads every step ran its 1-thread steps about 35% and its 2-thread steps about 85%
    // slower than a child fixed at that count (measured here on 2026-12-06: 59 -> 80 ms and
    // 32 -> 60 ms wall per step), which flattered the lab.
    const py = await startPytorch(opts, dir);
    const pyAll = await startPytorch(opts, dir).catch((e: unknown) => {
      py.close();
      throw e;
    });
    try {
      const allThreads = os.cpus().length;
      const own: Record<string, StepTime[]> = { pytorch1: [], pytorchAll: [] };
      // The child's step as a variant: the interleaver's clock would count the pipe and this
      // process's CPU, so the child's own timing of each step is kept instead.
      const pyVariant =
        (key: 'pytorch1' | 'pytorchAll', threads: number): Variant =>
        async (pause) => {
          for (let i = 0; i <= warmup + rounds; i++) {
            const { wall, cpu } = await (key === 'pytorch1' ? py : pyAll).step(threads);
            if (i > warmup) own[key].push({ wall, cpu });
            await pause();
          }
        };
      const steps = warmup + rounds + 2;
      const timed = await interleave(
        { lab: opts.labVariant('cnn', steps), pytorch1: pyVariant('pytorch1', 1), pytorchAll: pyVariant('pytorchAll', allThreads) },
        { rounds, warmup, seed: 1 },
      );
      const lab = timed.lab;
      const n = Math.min(lab.length, own.pytorch1.length, own.pytorchAll.length);
      // One thread each: CPU time is the work done (steadier on a shared machine); with more
      // threads than one, wall clock is what the user waits for.
      const perRound = (key: 'pytorch1' | 'pytorchAll', kind: keyof StepTime) => median(Array.from({ length: n }, (_, r) => own[key][r][kind] / lab[r][kind]));
      const ms = { lab: medianTimes(lab), pytorch1: medianTimes(own.pytorch1), pytorchAll: medianTimes(own.pytorchAll) };
      const bestKey = ms.pytorchAll.wall < ms.pytorch1.wall ? 'pytorchAll' : 'pytorch1';
      out.pytorch = {
        ...py.info,
        allThreads,
        rounds,
        imagesPerSec: { lab: perSec(ms.lab.wall, opts.batch), pytorch1: perSec(ms.pytorch1.wall, opts.batch), pytorchAll: perSec(ms.pytorchAll.wall, opts.batch) },
        msPerStep: ms,
      };
      out.vsPytorchCpu = {
        oneThread: perRound('pytorch1', 'cpu'),
        best: perRound(bestKey, 'wall'),
        labThreads: 1,
        pytorchThreads: { oneThread: 1, best: bestKey === 'pytorch1' ? 1 : allThreads },
      };
      opts.log(`pytorch peer: ${JSON.stringify(out.pytorch.imagesPerSec)} img/s, vsPytorchCpu ${JSON.stringify(out.vsPytorchCpu)}`);
    } finally {
      py.close();
      pyAll.close();
    }
  } catch (e) {
    out.pytorch = `PyTorch peer failed: ${errorMessage(e)}`;
    opts.log(out.pytorch);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  try {
    const rounds = opts.quick ? 4 : 12;
    const demo = convnetjsDemo(opts.size);
    const cnjVariant: Variant = async (pause) => {
      for (let i = 0; i < warmup + rounds + 1; i++) {
        for (let k = 0; k < opts.batch; k++) demo.trainSample(k);
        await pause();
      }
    };
    const timed = await interleave({ lab: opts.labVariant('convnetjs', warmup + rounds + 2), convnetjs: cnjVariant }, { rounds, warmup, seed: 2 });
    const ms = { lab: medianTimes(timed.lab), convnetjs: medianTimes(timed.convnetjs) };
    out.convnetjs = {
      version: demo.version,
      trainer: demo.trainer,
      rounds,
      imagesPerStep: opts.batch,
      imagesPerSec: { lab: perSec(ms.lab.cpu, opts.batch), convnetjs: perSec(ms.convnetjs.cpu, opts.batch) },
      msPerStep: ms,
    };
    out.vsConvnetjs = median(timed.lab.map((t, r) => timed.convnetjs[r].cpu / t.cpu));
    opts.log(`convnetjs peer: ${JSON.stringify(out.convnetjs.imagesPerSec)} img/s (CPU time), vsConvnetjs ${out.vsConvnetjs.toFixed(1)}`);
  } catch (e) {
    out.convnetjs = `ConvNetJS peer failed: ${errorMessage(e)}`;
    opts.log(out.convnetjs);
  }
  return out;
}
