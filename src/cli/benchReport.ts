import os from 'node:os';
import type { BenchResult } from './bench';

/** BENCHMARKS.md from one run's figures: tables first, then how each was measured. */

const f = (v: number | string | null | undefined, digits = 1): string => (typeof v === 'number' ? v.toFixed(digits) : (v ?? 'not measured'));
const meets = (ok: boolean): string => (ok ? 'met' : '**not met**');
const ci = ([lo, hi]: [number, number]): string => `${f(lo, 3)} - ${f(hi, 3)}`;
const msList = (ms: BenchResult['msPerStep']): string =>
  `bare ${f(ms.bare)}, plain ${f(ms.plain)}, RG ${f(ms.rg)}, plain + RG ${f(ms.paired)}; with augmentation plain ${f(ms.plainAug)}, plain + RG ${f(ms.pairedAug)}`;

export function renderBenchmarks(r: BenchResult): string {
  const nodeRows = (['cnn', 'resnet20', 'convnetjs'] as const)
    .map((m) => `| Node | ${m} | ${f(r.backends.node.wasm[m])} (batch ${r.backends.node.batch.wasm}) | | | ${f(r.backends.node.cpu[m], 2)} (batch ${r.backends.node.batch.cpu}) |`)
    .join('\n');
  const b = r.backends.browser;
  const sizes = r.browser?.sizes;
  const cell = (v: number | string | undefined, digits: number, batch: number | undefined) => (typeof v === 'number' ? `${f(v, digits)} (batch ${batch})` : f(v));
  const browserRows = b
    ? (['cnn', 'resnet20', 'convnetjs'] as const)
        .map((m) => {
          const s = sizes?.[m];
          return `| Chromium worker | ${m}${s ? ` (${s.inputSize}x${s.inputSize})` : ''} | ${cell(b.wasm?.[m], 1, s?.batch)} | ${cell(b.webgpu?.[m], 2, s?.batch)} | ${cell(b.webgl?.[m], 2, s?.batch)} | ${cell(b.cpu?.[m], 2, s?.cpuBatch)} |`;
        })
        .join('\n')
    : `| Chromium worker | all | ${r.browserError ?? 'not measured'} | | | |`;
  const browserNote = r.browser
    ? `\n\nChromium ${r.browser.chromium} (headless, with playwright.config.ts's flags: WebGPU and WebGL are SwiftShader, i.e. this CPU), in the lab's training worker through the page's \`?bench\` hook (the worker's \`bench\` request: the engine's Trainer, one plain SGD arm, shapes10), ${r.browser.steps} steps per measurement (the first 2 and the last untimed), ${r.browser.rounds} round${r.browser.rounds > 1 ? 's, backends in rotating order, medians' : ''}. Warm-up (construction and the first two steps: model build, upload, shader compilation) in s: ${Object.entries(r.browser.warmupSeconds).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ')}.`
    : '';
  const d = r.data;
  const peer = r.peerNet;
  const peerBatch = (k: string) => (k === 'cpu' ? r.browser?.sizes.convnetjs?.cpuBatch : r.browser?.sizes.convnetjs?.batch);
  const peerBrowser = peer.browser
    ? Object.entries(peer.browser)
        .map(([k, v]) => (typeof v === 'number' ? `${k} ${f(v, 2)} (batch ${peerBatch(k)}, ${f(v / peer.convnetjsImagesPerSec, 2)}x ConvNetJS)` : `${k} ${v}`))
        .join(', ')
    : (r.browserError ?? 'not measured');
  return `# Benchmarks

Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` (\`src/cli/bench.ts\`) on ${r.date.slice(0, 10)}, in ${f(r.benchSeconds, 0)} s.

- Machine: ${r.machine}
- Ratios: ${r.setup}

## Ratios (measured side by side in one run)

| ratio | value (CPU time) | 95% interval | wall clock | goal | | meaning |
| --- | --- | --- | --- | --- | --- | --- |
| engineVsBare | ${f(r.engineVsBare, 3)} | ${ci(r.ci95.engineVsBare)} | ${f(r.wallClock.engineVsBare, 3)} | >= 0.95 | ${meets(r.engineVsBare >= 0.95)} | engine images/s over a bare TF.js loop of the same model, batch, backend and update rule |
| rgOverhead | ${f(r.rgOverhead, 3)} | ${ci(r.ci95.rgOverhead)} | ${f(r.wallClock.rgOverhead, 3)} | <= 1.01 | ${meets(r.rgOverhead <= 1.01)} | an RG arm's step time over a plain arm's |
| pairedCost | ${f(r.pairedCost, 3)} | ${ci(r.ci95.pairedCost)} | ${f(r.wallClock.pairedCost, 3)} | <= 1.0 | ${meets(r.pairedCost <= 1.0)} | two arms in lock step over twice one arm, with the lab's default data pipeline (random crop and flip on the device) |
| pairedCost without augmentation | ${f(r.pairedCostNoAugment, 3)} | ${ci(r.ci95.pairedCostNoAugment)} | ${f(r.wallClock.pairedCostNoAugment, 3)} | | | the same with augmentation off: the batch shared is then just a gather and a multiply-add |
| flopEfficiency | ${f(r.flopEfficiency, 3)} | | | | | ${f(r.flops.achievedGflops, 2)} GFLOP/s achieved by the engine's plain \`cnn\` arm (wall clock) over the ${f(r.flops.matmulPeakGflops, 1)} GFLOP/s of a ${r.flops.matmulSize}x${r.flops.matmulSize} matmul, both on wasm in this run |

The six variants (bare loop; plain arm, RG arm, plain + RG in lock step, without augmentation;
plain arm and plain + RG with it) train side by side,
interleaved step by step: each round runs one step of each, in an order shuffled every round, and
times each step from the moment its variant resumes to its next pause (\`src/cli/interleave.ts\`).
Whatever else the machine does in a given second then hits all six alike. Each ratio is the
median over ${r.rounds.plain.length} rounds of that round's ratio, with a distribution-free 95% interval for that
median (order statistics). The goals are judged on the process's
CPU time per step: wasm runs single-threaded here, so CPU time is the work done, while wall-clock
time on this shared 2-core machine also counts other people's processes (both are in the JSON,
per round). CPU milliseconds per step (medians): ${msList(r.msPerStep)}; wall clock: ${msList(r.wallClock.msPerStep)}.

- The bare loop is \`tf.train.momentum(0.1, 0.5).minimize\` on one fixed batch already on the
  device. The engine arms use the same update (SGD, momentum 0.5, no weight decay: the default
  5e-4 would add work that the bare loop does not do). The engine's step keeps everything the
  product needs and the bare loop lacks: the batch gathered and normalised on the device from
  the whole dataset, the RG weight, the gradient norm (divergence detection) and the losses read
  back in bunches. Nothing was added to the bare loop.
- What cost the engine its 6% (measured with wasm CPU time per call): \`tf.gather\` of a
  64-image batch took about 8-10 ms in wasm's native Gather (an index computed per element) and
  normalising with a [3]-vector broadcast about 2.7 ms, against a step of about 100 ms. The wasm
  backend now gets a row-copy GatherV2 (\`src/engine/backends/wasmKernels.ts\`, about 1 ms) and
  batches are normalised as one same-shape multiply-add with whole-batch rows held on the device
  (about 0.4 ms): a batch is ready in about 0.7 ms instead of 9. The gradient norm costs about
  0.6 ms and stays: divergence detection needs it.
- FLOPs are counted from the kernels TF.js runs in one training step (\`tf.profile\`):
  convolutions forward and both gradients, and matrix products, 2 per multiply-add
  (${f(r.flops.gflopPerStep, 3)} GFLOP per step of ${r.flops.batch} images); element-wise work
  is not counted, so the efficiency is a floor.

## Training speed, images/s

One plain engine arm (the lab's own step: device batches, gradient norm, bunched read-back),
32x32 inputs, SGD; median of rounds where more than one.

| where | model | wasm | webgpu | webgl | cpu |
| --- | --- | --- | --- | --- | --- |
${nodeRows}
${browserRows}${browserNote}

Node's cpu backend: a ${f(r.backends.node.cpuMatmulPeakGflops, 2)} GFLOP/s matmul peak (256x256) in this run.

wasm threads, on and off: the wasm column is single-threaded in Node (tfjs-backend-wasm 4.22's
threaded build starts its workers from blob: URLs, which Node refuses, so threads cannot be
turned on there) and threaded in Chromium (the page is cross-origin isolated, so TF.js picks the
threaded build); but that build caps its pool at navigator.hardwareConcurrency / 2, which is one
thread on this ${os.cpus().length}-core machine, so here "on" and "off" train alike and one
figure stands for both. On a machine with 4 or more cores the browser's wasm column is threaded.

## Against ConvNetJS (peerNet)

ConvNetJS trains its CIFAR-10 demo network at about ${peer.convnetjsImagesPerSec} images/s on this machine
(measured in this team's browser notes; pure JS, one thread). The same network as engine model \`convnetjs\`
(conv5x5 16, conv5x5 20, conv5x5 20, each ReLU + 2x2 max pool, dense 10), trained by the engine:
Node wasm ${f(peer.node.wasm)} images/s (${f(peer.node.wasm / peer.convnetjsImagesPerSec, 1)}x ConvNetJS), Node cpu
${f(peer.node.cpu, 2)}; Chromium worker: ${peerBrowser}.

## Data

| what | figure |
| --- | --- |
| CIFAR-10 binary tar.gz, real size (${d.cifar10.images} generated images, ${f(d.cifar10.archiveMB, 0)} MB gzip) | read and parsed in ${f(d.cifar10.loadMs / 1000, 2)} s, on the device in ${f(d.cifar10.toTensorsMs / 1000, 2)} s more (${f(d.cifar10.totalMs / 1000, 2)} s in all) |
| peak resident memory of that load | ${f(d.cifar10.peakRssMB, 0)} MB (the process started at ${f(d.cifar10.baseRssMB, 0)} MB); ${f(d.cifar10.deviceMB, 0)} MB on the device |
| ImageFolder zip (PNG ${d.imageFolder.size}x${d.imageFolder.size}, ${d.imageFolder.images} images) | ${f(d.imageFolder.imagesPerSec, 0)} images/s decoded and parsed (median of 3) |

The CIFAR-10 load runs in a child process of its own (Node, wasm backend), so its peak resident
memory is that of the load: the archive's bytes, the decoded uint8 dataset and the tensors.

## UI (Chromium, main thread)

${
  r.ui
    ? `| what | figure |
| --- | --- |
| longest main-thread task while training | ${f(r.ui.longestTaskMs)} ms (goal <= 50; ${r.ui.longTasks} tasks over 50 ms) |
| chart redraw with ${r.ui.pointsPerSeries} points per series | ${f(r.ui.chartRedrawMs)} ms (first draw ${f(r.ui.chartMountMs)} ms) |

The long tasks are those a PerformanceObserver ('longtask') saw in the lab from its second
training step to the end of a ${r.ui.trainingSteps}-step run of the \`cnn\` (16x16, batch 16, an
evaluation every 50 steps) on ${r.ui.trainingBackend}, the fastest backend here and so the most
messages per second. The chart redraw is the lab's LineChartView fed 2 arms x
${r.ui.pointsPerSeries} points: buildChartRows (EMA smoothing, LTTB down to ${r.ui.chartRows} rows), a
synchronous React render and a layout, median of 7 redraws with new numbers each.`
    : `Not measured in this run: ${r.browserError ?? 'no browser part'}.`
}

## Node's cpu backend against Chromium's

${CPU_NOTE}
`;
}

/** What was found about the cpu backend in Node (item 4 of the performance issue). */
const CPU_NOTE = `A hand measurement (docs/backends.md, "Node's cpu backend") put the cpu backend at 1.7 images/s in Node and 7-9 in Chromium. A
\`tf.profile\` of one \`cnn\` step in Node (batch 16) put 14.8 s of 15 s in Conv2DBackpropFilter
(forward Conv2D: 0.23 s). tfjs-backend-cpu 4.22 reads every element of that kernel through
\`TensorBuffer.get(...locs)\`, a rest-argument call in the innermost loop; Node 20's V8 (11.3)
leaves that call in, Chromium's much newer V8 optimises it. Fixed, not routed around:
\`src/engine/backends/cpuKernels.ts\` registers a Conv2DBackpropFilter for the cpu backend that
indexes the typed arrays directly (outer products of contiguous NHWC channel runs, float64
accumulation as before; tested against the package's kernel to 1e-6 of the largest value).
\`initBackend('cpu')\` installs it in Node and in the browser. The same profile then gave 0.23 s
for that kernel and the step went from 0.73 to about 12 images/s (batch 16, under load); the cpu
row above is with it.`;
