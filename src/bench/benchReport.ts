import type { BenchResult } from './bench';
import type { StepProfile } from './benchProfile';

/**
 * BENCHMARKS.md from one run's figures: tables first, then how each was measured. Every figure
 * in it comes from the run's JSON (or, for the profile's "before", from the baseline JSON it
 * names); the prose around them says how they were measured, never what an older run found.
 */

/** An earlier run's figures that this run's profile is set against. */
export interface Baseline {
  file: string;
  date: string;
  /** The machine line of the baseline's JSON, and its note (what kind of run wrote it), if any. */
  machine?: string | null;
  note?: string | null;
  profile: StepProfile[] | null;
  flopEfficiency: number | null;
}

const f = (v: number | string | null | undefined, digits = 1): string => (typeof v === 'number' ? v.toFixed(digits) : (v ?? 'not measured'));
const meets = (ok: boolean): string => (ok ? 'met' : '**not met**');
const ci = ([lo, hi]: [number, number]): string => `${f(lo, 3)} - ${f(hi, 3)}`;
const msList = (ms: BenchResult['msPerStep']): string =>
  `bare ${f(ms.bare)}, plain ${f(ms.plain)}, RG ${f(ms.rg)}, plain + RG ${f(ms.paired)}; with augmentation plain ${f(ms.plainAug)}, plain + RG ${f(ms.pairedAug)}`;

export function renderBenchmarks(r: BenchResult, baseline: Baseline | null = null): string {
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
  const cnj = r.peers.convnetjs;
  const cnjAbs = typeof cnj === 'string' ? null : cnj.imagesPerSec.convnetjs;
  const peerBrowser = peer.browser
    ? Object.entries(peer.browser)
        .map(([k, v]) => (typeof v === 'number' ? `${k} ${f(v, 2)} (batch ${peerBatch(k)}${cnjAbs !== null ? `, ${f(v / cnjAbs, 2)}x ConvNetJS's figure in this run` : ''})` : `${k} ${v}`))
        .join(', ')
    : (r.browserError ?? 'not measured');
  return `# Benchmarks

Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` (\`src/bench/bench.ts\`) on ${r.date.slice(0, 10)}, in ${f(r.benchSeconds, 0)} s.

- Machine: ${r.machine}
- Ratios: ${r.setup}

## Ratios (measured side by side in one run)

| ratio | value (CPU time) | 95% interval | wall clock | goal | | meaning |
| --- | --- | --- | --- | --- | --- | --- |
| engineVsBare | ${f(r.engineVsBare, 3)} | ${ci(r.ci95.engineVsBare)} | ${f(r.wallClock.engineVsBare, 3)} | >= 0.95 | ${meets(r.engineVsBare >= 0.95)} | engine images/s over a bare TF.js loop of the same model, batch, backend and update rule |
| rgOverhead | ${f(r.rgOverhead, 3)} | ${ci(r.ci95.rgOverhead)} | ${f(r.wallClock.rgOverhead, 3)} | <= 1.01 | ${meets(r.rgOverhead <= 1.01)} | an RG arm's step time over a plain arm's |
| pairedCost | ${f(r.pairedCost, 3)} | ${ci(r.ci95.pairedCost)} | ${f(r.wallClock.pairedCost, 3)} | <= 1.0 | ${meets(r.pairedCost <= 1.0)} | two arms in lock step over twice one arm, with the lab's default data pipeline (random crop and flip on the device) |
| pairedCost without augmentation | ${f(r.pairedCostNoAugment, 3)} | ${ci(r.ci95.pairedCostNoAugment)} | ${f(r.wallClock.pairedCostNoAugment, 3)} | | | the same with augmentation off: the batch shared is then just a gather and a multiply-add |
| flopEfficiency | ${f(r.flopEfficiency, 3)} | | | >= 0.6 | ${meets(r.flopEfficiency >= 0.6)} | ${f(r.flops.achievedGflops, 2)} GFLOP/s achieved by the engine's plain \`cnn\` arm over the ${f(r.flops.matmulPeakGflops, 1)} GFLOP/s of a ${r.flops.matmulSize}x${r.flops.matmulSize} matmul, both on wasm in this run and both from CPU time (one thread) |

The six variants (bare loop; plain arm, RG arm, plain + RG in lock step, without augmentation;
plain arm and plain + RG with it) train side by side,
interleaved step by step: each round runs one step of each, in an order shuffled every round, and
times each step from the moment its variant resumes to its next pause (\`src/bench/interleave.ts\`).
Whatever else the machine does in a given second then hits all six alike. Each ratio is the
median over ${r.rounds.plain.length} rounds of that round's ratio, with a distribution-free 95% interval for that
median (order statistics). The goals are judged on the process's
CPU time per step: wasm runs single-threaded here, so CPU time is the work done, while wall-clock
time on a shared machine also counts other people's processes (both are in the JSON,
per round). CPU milliseconds per step (medians): ${msList(r.msPerStep)}; wall clock: ${msList(r.wallClock.msPerStep)}.

- The bare loop is \`tf.train.momentum(0.1, 0.5).minimize\` on one fixed batch already on the
  device. The engine arms use the same update (SGD, momentum 0.5, no weight decay: the default
  5e-4 would add work that the bare loop does not do). The engine's step keeps everything the
  product needs and the bare loop lacks: the batch gathered and normalised on the device from
  the whole dataset, the RG weight, the gradient norm (divergence detection) and the losses read
  back in bunches. Nothing was added to the bare loop.
- The engine's step against the bare loop's, CPU milliseconds (medians): plain arm
  ${f(r.msPerStep.plain)}, bare loop ${f(r.msPerStep.bare)}, a difference of ${f(r.msPerStep.plain - r.msPerStep.bare)} ms
  (${f((100 * (r.msPerStep.plain - r.msPerStep.bare)) / r.msPerStep.bare, 1)}% of the bare step).
- FLOPs are counted from the kernels TF.js runs in one training step (\`tf.profile\`):
  convolutions forward and both gradients, and matrix products, 2 per multiply-add
  (${f(r.flops.gflopPerStep, 3)} GFLOP per step of ${r.flops.batch} images); element-wise work
  is not counted, so the efficiency is a floor.

${renderPeers(r)}

${renderProfile(r, baseline)}

## Training speed, images/s

One plain engine arm (the lab's own step: device batches, gradient norm, bunched read-back),
32x32 inputs, SGD; median of rounds where more than one.

| where | model | wasm | webgpu | webgl | cpu |
| --- | --- | --- | --- | --- | --- |
${nodeRows}
${browserRows}${browserNote}

Node's cpu backend: a ${f(r.backends.node.cpuMatmulPeakGflops, 2)} GFLOP/s matmul peak (256x256) in this run.

${renderThreads(r)}

## The engine on ConvNetJS's network elsewhere in this run

The engine trained engine model \`convnetjs\` (ConvNetJS's CIFAR-10 demo network: conv5x5 16,
conv5x5 20, conv5x5 20, each ReLU + 2x2 max pool, dense 10) at Node wasm ${f(peer.node.wasm)} images/s and Node cpu
${f(peer.node.cpu, 2)} images/s (the table above); Chromium worker: ${peerBrowser}.${cnjAbs !== null ? ` ConvNetJS's own ${f(cnjAbs, 1)} images/s is from the interleaved peer run above (one thread, Node).` : ''}

## Data

| what | figure |
| --- | --- |
| CIFAR-10 binary tar.gz, real size (${d.cifar10.images} generated images, ${f(d.cifar10.archiveMB, 0)} MB gzip) | read and parsed in ${f(d.cifar10.loadMs / 1000, 2)} s, on the device in ${f(d.cifar10.toTensorsMs / 1000, 2)} s more (${f(d.cifar10.totalMs / 1000, 2)} s in all) |
| peak resident memory of that load | ${f(d.cifar10.peakRssMB, 0)} MB (the process started at ${f(d.cifar10.baseRssMB, 0)} MB); ${f(d.cifar10.deviceMB, 0)} MB on the device |
${d.cifar10.training ? `| training on it, live eval on ${d.cifar10.training.config.evalSubset} test images every ${d.cifar10.training.config.evalEvery} steps (${d.cifar10.training.config.model}, batch ${d.cifar10.training.config.batchSize}, ${d.cifar10.training.config.arms} arms${d.cifar10.training.config.seeds ? ` x ${d.cifar10.training.config.seeds} seeds` : ''}) | ${f(d.cifar10.training.cifarImagesPerSec, 0)} images/s vs ${f(d.cifar10.training.builtinImagesPerSec, 0)} on builtin:shapes10 (ratio ${f(d.cifar10.training.ratio, 2)}); backend peak ${f(d.cifar10.training.peakDeviceMB, 1)} MiB (tf.memory) |\n` : ''}| ImageFolder zip (PNG ${d.imageFolder.size}x${d.imageFolder.size}, ${d.imageFolder.images} images) | ${f(d.imageFolder.imagesPerSec, 0)} images/s decoded and parsed (median of 3) |

The CIFAR-10 load runs in a child process of its own (Node, wasm backend), so its peak resident
memory is that of the load: the archive's bytes and the decoded uint8 dataset (images stay
bytes on the host; only each batch goes to the backend, so "on the device" is near zero).

${renderBrowserData(r)}

## UI (Chromium, main thread)

${
  r.ui
    ? `| what | figure |
| --- | --- |
| longest main-thread task while training | ${r.ui.longTasks === 0 ? `none over the observer's 50 ms threshold (reported as ${f(r.ui.longestTaskMs)} ms)` : `${f(r.ui.longestTaskMs)} ms`} (goal <= 50; ${r.ui.longTasks} tasks over 50 ms) |
| chart redraw with ${r.ui.pointsPerSeries} points per series | ${f(r.ui.chartRedrawMs)} ms (first draw ${f(r.ui.chartMountMs)} ms) |

A PerformanceObserver ('longtask') only reports tasks longer than 50 ms, so 0 ms above means
that none was that long, not that every task took no time. The long tasks are those it saw in the lab from its second
training step to the end of a ${r.ui.trainingSteps}-step run of the \`cnn\` (16x16, batch 16, an
evaluation every 50 steps) on ${r.ui.trainingBackend}, the fastest backend here and so the most
messages per second. The chart redraw is the lab's LineChartView fed 2 arms x
${r.ui.pointsPerSeries} points: buildChartRows (EMA smoothing, LTTB down to ${r.ui.chartRows} rows), a
synchronous React render and a layout, median of 7 redraws with new numbers each.`
    : `Not measured in this run: ${r.browserError ?? 'no browser part'}.`
}

## Node's cpu backend

Node's cpu backend trains with the lab's own Conv2DBackpropFilter (\`src/engine/backends/cpuKernels.ts\`,
which indexes the typed arrays directly where tfjs-backend-cpu 4.22 reads every element through
\`TensorBuffer.get\`): in this run the \`cnn\` at ${f(r.backends.node.cpu.cnn, 2)} images/s (batch ${r.backends.node.batch.cpu}) in Node,${
  typeof r.backends.browser?.cpu?.cnn === 'number' ? ` ${f(r.backends.browser.cpu.cnn as number, 2)} in Chromium's worker (batch ${r.browser?.sizes.cnn?.cpuBatch})` : ' Chromium not measured'
}.
`;
}


/** Real-size CIFAR in the lab page (benchBrowserData.ts): load times, training speed against the built-in, backend memory. */
function renderBrowserData(r: BenchResult): string {
  const b = r.browserData;
  if (!b || typeof b === 'string') return `In Chromium (the lab page): not measured in this run (${b ?? 'no browser part'}).`;
  const t = b.training;
  const c = t.config;
  const names = { cifar10: 'CIFAR-10', cifar100: 'CIFAR-100' };
  const loads = b.loads
    .map((l) => `| ${names[l.dataset]} binary tar.gz (${l.images} generated images, ${f(l.archiveMB, 0)} MB), chosen in the lab's file input at ${l.inputSize} px | ready in ${f(l.medianMs / 1000, 2)} s (${l.ms.length > 1 ? `median of ${l.ms.length}: ${l.ms.map((x) => f(x / 1000, 2)).join(', ')}; ` : ''}goal <= 8: ${meets(l.medianMs <= 8000)}; aim <= 5: ${meets(l.medianMs <= 5000)}) |`)
    .join('\n');
  return `In Chromium, the lab page itself on ${b.backend}, driven through its real UI:

| what | figure |
| --- | --- |
${loads}
| training on CIFAR-10 against builtin:shapes10 in the same page, the default config (${c.model}, ${c.inputSize} px, batch ${c.batchSize}, ${c.arms} arms x ${c.seeds} seeds in lock step, live evaluation on ${c.evalSubset} test images every ${c.evalEvery} steps) | ${f(t.cifarImagesPerSec, 0)} images/s vs ${f(t.builtinImagesPerSec, 0)}: ratio **${f(t.ratio, 2)}** (goal >= 0.6: ${meets(t.ratio >= 0.6)}) |
| the training backend's memory while training on CIFAR-10 (the status bar's figure, peak) | ${f(t.peakMiB, 1)} MiB (goal <= 300: ${meets(t.peakMiB <= 300)}) |

Load time is from the file input's change event to the dataset status turning "ready" (read, inflated, parsed, resized to the input size and summarised in the training worker). Each training run is ${c.steps} steps; images/s count every arm and seed (${c.batchSize * c.arms * c.seeds} images per lock step) from the first step counter at or after step ${t.fromStep} to the last before the final evaluation on the whole test split, so the live evaluations are in the time and the warm-up and final evaluation are not. ${t.rounds.length > 1 ? `${t.rounds.length} rounds (ratios ${t.rounds.map((x) => f(x.ratio, 2)).join(', ')}), the two datasets in alternating order; the ratio is the median of the per-round ratios.` : 'One round, CIFAR-10 first.'} The accuracy chart's note at the end of the last round: on CIFAR-10 "${t.rounds[t.rounds.length - 1].cifarEvalNote}", on builtin:shapes10 "${t.rounds[t.rounds.length - 1].builtinEvalNote}".`;
}

/** The peers section: PyTorch on the CPU and ConvNetJS, each interleaved with the lab in this run. */
function renderPeers(r: BenchResult): string {
  const py = r.peers.pytorch;
  const cnj = r.peers.convnetjs;
  const v = r.vsPytorchCpu;
  const pyPart =
    typeof py === 'string'
      ? `PyTorch on the CPU: not measured in this run (${py}).`
      : `| side | threads | images/s (wall clock) | CPU ms per step |
| --- | --- | --- | --- |
| the lab, engine plain arm, Node wasm | 1 | ${f(py.imagesPerSec.lab)} | ${f(py.msPerStep.lab.cpu)} |
| PyTorch ${py.torch} (Python ${py.python}) | 1 | ${f(py.imagesPerSec.pytorch1)} | ${f(py.msPerStep.pytorch1.cpu)} |
| PyTorch ${py.torch} | ${py.allThreads} | ${f(py.imagesPerSec.pytorchAll)} | ${f(py.msPerStep.pytorchAll.cpu)} |

**vsPytorchCpu**: ${v ? `${f(v.oneThread, 3)} with one thread each (CPU time; goal >= 0.25: ${meets(v.oneThread >= 0.25)}), ${f(v.best, 3)} each side at its best (wall clock: the lab with ${v.labThreads} thread, PyTorch with ${v.pytorchThreads.best})` : 'not measured'}.
Both train the \`cnn\` at ${r.flops.batch} images of 32x32 per step, SGD lr 0.1 with momentum 0.5, on a fixed random batch
(PyTorch: the \`Cnn\` class of the lab's PyTorch export, \`src/export/train_template.py\`; the lab: its engine's plain arm on
shapes10). PyTorch runs in a long-lived child process (\`src/bench/pytorchPeer.py\`) that trains one step per request and
times it itself, so the three sides' steps are interleaved like the ratios above: ${py.rounds} rounds, one step of each per
round in a shuffled order, and each ratio is the median of the per-round ratios. PyTorch chose ${py.defaultThreads}
thread${py.defaultThreads === 1 ? '' : 's'} by itself; the lab's wasm backend has one thread in Node.`;
  const cnjPart =
    typeof cnj === 'string'
      ? `ConvNetJS: not measured in this run (${cnj}).`
      : `| side | images/s (CPU time) | CPU ms per ${cnj.imagesPerStep} images |
| --- | --- | --- |
| the lab, engine model \`convnetjs\`, Node wasm, batch ${cnj.imagesPerStep} | ${f(cnj.imagesPerSec.lab)} | ${f(cnj.msPerStep.lab.cpu)} |
| ConvNetJS ${cnj.version}, its CIFAR-10 demo network and trainer (${cnj.trainer}) | ${f(cnj.imagesPerSec.convnetjs)} | ${f(cnj.msPerStep.convnetjs.cpu)} |

**vsConvnetjs**: ${r.vsConvnetjs !== null ? `${f(r.vsConvnetjs, 1)} (goal >= 10: ${meets(r.vsConvnetjs >= 10)})` : 'not measured'}, the median over ${cnj.rounds} interleaved rounds of
ConvNetJS's time for ${cnj.imagesPerStep} images over the lab's time for a step of ${cnj.imagesPerStep}. ConvNetJS (npm \`convnetjs\`, pure
JavaScript, one thread) trains one image at a time as its demo does; both run in this Node process, so CPU time is each one's work.`;
  return `## Against peers (measured side by side in this run)

### PyTorch on the CPU

${pyPart}

### ConvNetJS

${cnjPart}`;
}

/** The per-kernel profile of a training step of each profiled model, with the baseline's beside it. */
function renderProfile(r: BenchResult, baseline: Baseline | null): string {
  const peak = r.flops.matmulPeakGflops;
  const tables = r.profile.map((p) => {
    const before = baseline?.profile?.find((b) => b.model === p.model && b.batch === p.batch) ?? null;
    const rows = p.kernels.slice(0, 12).map((k) => {
      const b = before?.kernels.find((x) => x.kernel === k.kernel);
      const was = before ? ` | ${b ? `${f(b.ms)} ms${b.ofPeak !== null ? `, ${f(b.ofPeak, 2)}` : ''}` : 'not run'}` : '';
      return `| ${k.kernel} | ${k.calls} | ${f(k.ms)} | ${f((100 * k.ms) / p.kernelMs, 0)}% | ${k.flops > 0 ? (k.flops < 5e5 ? '< 0.001' : f(k.flops / 1e9, 3)) : ''} | ${k.ofPeak !== null ? f(k.ofPeak, 2) : ''}${was} |`;
    });
    const head = `| kernel | calls | CPU ms per step | share | GFLOP | of peak${before ? ` | before (${before.kernels.length ? 'ms, of peak' : ''})` : ''} |\n| --- | --- | --- | --- | --- | ---${before ? ' | ---' : ''} |`;
    return `### ${p.model}, batch ${p.batch}, ${p.size}x${p.size}

Step ${f(p.stepMs)} ms wall clock (${f(p.stepCpuMs)} ms CPU), ${f(p.kernelMs)} ms of it in kernels, ${f(p.gflopPerStep, 3)} GFLOP counted.${before ? ` Before: step ${f(before.stepMs)} ms wall clock (${f(before.stepCpuMs)} ms CPU), ${f(before.kernelMs)} ms in kernels.` : ''}

${head}
${rows.join('\n')}`;
  });
  const source = baseline
    ? baseline.profile
      ? `The "before" column is from \`${baseline.file}\` (${baseline.note ? `${baseline.note}; ` : ''}the run of ${baseline.date.slice(0, 10)}${baseline.machine ? ` on ${baseline.machine}` : ''}), whose matmul peak differs from this run's: compare the "of peak" fractions as well as milliseconds.`
      : `\`${baseline.file}\` (the run of ${baseline.date.slice(0, 10)}) has no per-kernel profile, so there is no "before" column; its flopEfficiency was ${f(baseline.flopEfficiency, 3)}.`
    : 'No baseline JSON was given, so there is no "before" column.';
  return `## Where a training step's time goes (wasm, kernel by kernel)

A bare training step (forward, backward, SGD with momentum on one fixed batch; \`src/bench/benchProfile.ts\`) under
TF.js's profiler, which on wasm times each kernel's synchronous call; median per kernel over the profiled steps.
"of peak" is the kernel's GFLOP/s over this run's ${f(peak, 1)} GFLOP/s matmul peak (convolutions and products only).
Kernel times are process CPU time (the profiler's timer reads \`process.cpuUsage\` around each kernel's call), as is the peak. ${source}

${tables.join('\n\n')}`;
}

/** What this run knows about wasm threads. */
function renderThreads(r: BenchResult): string {
  const t = r.wasmThreads;
  const note = `wasm threads: in Node the wasm backend runs single-threaded (tfjs-backend-wasm 4.22's threaded build starts
its workers from blob: URLs, which Node refuses; see \`src/engine/backends/setup.ts\`).`;
  if (!t || typeof t === 'string') return `${note} In Chromium, one thread against two was not measured in this run${t ? `: ${t}` : ''}.`;
  const rows = t.cases.map((c) => `| \`${c.model}\` ${c.inputSize}x${c.inputSize}, batch ${c.batch} | ${f(c.imagesPerSec.one)} | ${f(c.imagesPerSec.two)} | ${f(c.twoOverOne, 2)} |`);
  return `${note} In Chromium's training worker (${t.cores} logical cores reported, so tfjs-backend-wasm's own
count would be ${Math.max(1, Math.floor(t.cores / 2))}), one XNNPACK thread against two, side by side: ${t.rounds} rounds of ${t.steps}-step requests
alternating the order, medians (the worker restarts wasm with each count; each result names the count it ran with).
The lab's measured backend choice times both on the user's own workload and keeps the faster (docs/backends.md).

| workload | 1 thread (images/s) | 2 threads (images/s) | 2 threads / 1 (median of per-round ratios) |
| --- | --- | --- | --- |
${rows.join('\n')}`;
}
