import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../playwright.config';
import type { BackendName, BenchHook, BenchRequest, BenchResult } from '../worker/protocol';
import type { BrowserBench } from './bench';
import { benchBrowserData, type BenchArchives } from './benchBrowserData';
import { errorMessage } from '../engine/errors';
import { median } from '../engine/median';

/**
 * The browser part of `npm run bench`: builds the app into its own folder, serves it with
 * `vite preview` on port 4400, drives /usr/bin/chromium (playwright.config's CHROMIUM_ARGS) and
 * measures, through the page's `?bench` hook (src/ui/benchHook.tsx), images/s per backend in the
 * training worker (the engine's Trainer, one plain SGD arm), then in the lab itself the longest
 * main-thread task while training and a chart redraw of 100,000 points per series, and
 * (benchBrowserData.ts) real-size CIFAR-10 and CIFAR-100 loaded and trained on in the page.
 */

const PORT = 4400;
const OUT_DIR = path.join(os.tmpdir(), 'rglab-bench-dist');
const ORIGIN = `http://127.0.0.1:${PORT}`;
const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const CHART_POINTS = 100_000;

/** Input size and batch per model; cpu trains a smaller batch (it is 10-100x slower). */
export const BROWSER_SIZES: Record<string, { inputSize: number; batch: number; cpuBatch: number }> = {
  cnn: { inputSize: 32, batch: 64, cpuBatch: 16 },
  resnet20: { inputSize: 16, batch: 8, cpuBatch: 8 },
  convnetjs: { inputSize: 32, batch: 64, cpuBatch: 16 },
};

declare global {
  interface Window {
    __rgBench?: BenchHook;
    __longTasks: [number, number][];
  }
}

const describe = (e: unknown): string => errorMessage(e).split('\n')[0].slice(0, 200);

/** Builds the app into OUT_DIR (its own folder: a test run may be using dist/), in test mode: the `?bench` hook is left out of production builds. */
function buildApp(log: (s: string) => void): void {
  log(`browser: building the app into ${OUT_DIR}`);
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--mode', 'test', '--outDir', OUT_DIR, '--emptyOutDir', '--logLevel', 'error'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed: ${r.stderr.slice(-2000)}`);
}

/** Starts `vite preview` on PORT and resolves once it answers. */
async function startServer(): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort', '--outDir', OUT_DIR], { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`vite preview exited (${server.exitCode}); is port ${PORT} taken?`);
    try {
      if ((await fetch(ORIGIN)).ok) return server;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill();
  throw new Error(`vite preview did not answer on ${ORIGIN} within 30 s`);
}

/** Opens the lab with the bench hook (init on wasm: it checks fast; each request picks its own backend). */
async function openBenchPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${ORIGIN}/?bench&backend=wasm`);
  await page.waitForFunction(() => window.__rgBench !== undefined, undefined, { timeout: 60_000 });
  return page;
}

/** One request in the page's worker; rejects after `timeoutMs` (the caller then reloads the page). */
async function runRequest(page: Page, request: BenchRequest, timeoutMs: number): Promise<BenchResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs)));
  try {
    return await Promise.race([page.evaluate((req) => window.__rgBench!.bench(req), request), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Cell {
  model: string;
  backend: BackendName;
  request: BenchRequest | null;
  /** Why the cell is not measured (set before the run for a skipped cell, or by a failure). */
  skipped?: string;
  imagesPerSec: number[];
  warmupMs: number[];
  error?: string;
}

/**
 * Images/s per model and backend in the worker. Each round runs every cell once, the backends
 * of a model back to back in an order that rotates from round to round; medians over rounds.
 */
async function measureBackends(browser: Browser, quick: boolean, log: (s: string) => void): Promise<{ cells: Cell[]; page: Page; steps: number; rounds: number }> {
  const steps = quick ? 5 : 10;
  const rounds = quick ? 1 : 3;
  const cells: Cell[] = [];
  for (const model of Object.keys(BROWSER_SIZES)) {
    const size = BROWSER_SIZES[model];
    for (const backend of BACKENDS) {
      const batchSize = backend === 'cpu' ? size.cpuBatch : size.batch;
      const cell: Cell = { model, backend, request: { backend, model, inputSize: size.inputSize, batchSize, steps }, imagesPerSec: [], warmupMs: [] };
      // WebGPU (SwiftShader) spends about 110 s compiling ResNet-20's shaders before its first step.
      if (quick && backend === 'webgpu' && model === 'resnet20') cell.skipped = 'skipped in --quick (about 110 s of shader compilation first)';
      cells.push(cell);
    }
  }
  let page = await openBenchPage(browser);
  for (let r = 0; r < rounds; r++) {
    for (const model of Object.keys(BROWSER_SIZES)) {
      const row = cells.filter((c) => c.model === model);
      for (let k = 0; k < row.length; k++) {
        const cell = row[(k + r) % row.length];
        if (cell.skipped || cell.error || !cell.request) continue;
        const timeoutMs = (cell.backend === 'webgpu' ? 300 : 180) * 1000;
        try {
          const res = await runRequest(page, cell.request, timeoutMs);
          cell.imagesPerSec.push(res.imagesPerSec);
          cell.warmupMs.push(res.warmupMs);
          log(`browser round ${r + 1}/${rounds}: ${model} ${cell.backend} ${res.inputSize}px batch ${res.batchSize}: ${res.imagesPerSec.toFixed(2)} img/s (${res.msPerStep.toFixed(0)} ms/step, warm-up ${(res.warmupMs / 1000).toFixed(1)} s)`);
        } catch (e) {
          cell.error = describe(e);
          log(`browser: ${model} on ${cell.backend} failed: ${cell.error}`);
          // A request that hung keeps the worker busy: start a fresh page (and worker).
          await page.close().catch(() => {});
          page = await openBenchPage(browser);
        }
      }
    }
  }
  return { cells, page, steps, rounds };
}

/**
 * wasm with one XNNPACK thread against two in Chromium's worker, per workload: rounds alternate
 * the order (1 then 2, 2 then 1), `imagesPerSec` are medians over rounds and `twoOverOne` the
 * median of the per-round ratios.
 */
export interface WasmThreadsBench {
  rounds: number;
  steps: number;
  /** navigator.hardwareConcurrency in the page: tfjs-backend-wasm's own count is half of it. */
  cores: number;
  cases: { model: string; inputSize: number; batch: number; imagesPerSec: { one: number; two: number }; twoOverOne: number }[];
}

/** The workloads wasm threads are compared on: the benchmark's cnn, and the lab's default config. */
export const THREAD_CASES = [
  { model: 'cnn', inputSize: 32, batch: 64 },
  { model: 'cnn', inputSize: 16, batch: 32 },
] as const;

/**
 * wasm with one thread against two, side by side in the page's worker (WasmThreadsBench); the
 * worker restarts wasm with the count each request asks for, and each result says the count it
 * ran with. A string says why not measured.
 */
export async function measureWasmThreads(page: Page, quick: boolean, log: (s: string) => void): Promise<WasmThreadsBench | string> {
  if (!(await page.evaluate(() => crossOriginIsolated))) return 'the page is not cross-origin isolated (no SharedArrayBuffer)';
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const rounds = quick ? 2 : 6;
  const steps = quick ? 6 : 10;
  const cases: WasmThreadsBench['cases'] = [];
  for (const c of THREAD_CASES) {
    const ips: Record<1 | 2, number[]> = { 1: [], 2: [] };
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const threads of r % 2 ? ([2, 1] as const) : ([1, 2] as const)) {
        const res = await runRequest(page, { backend: 'wasm', model: c.model, inputSize: c.inputSize, batchSize: c.batch, steps, threads }, 180_000);
        if (res.threadsInUse !== threads) return `asked for ${threads} wasm threads, the worker ran with ${res.threadsInUse ?? 'an unknown count'}`;
        ips[threads].push(res.imagesPerSec);
        log(`browser wasm threads round ${r + 1}/${rounds}: ${c.model} ${c.inputSize}px batch ${c.batch}, ${threads} thread${threads === 1 ? '' : 's'}: ${res.imagesPerSec.toFixed(1)} img/s`);
      }
      ratios.push(ips[2][r] / ips[1][r]);
    }
    cases.push({ ...c, imagesPerSec: { one: median(ips[1]), two: median(ips[2]) }, twoOverOne: median(ratios) });
  }
  return { rounds, steps, cores, cases };
}

/** The longest main-thread task (ms) while the lab trains, from its second step to its end. */
/**
 * Opens the lab on wasm with a long-task observer, starts plain vs RG (cnn, 16 px, batch 16) for
 * `steps` steps and returns once the second step is done (shader and model set-up behind it),
 * with the backend in use.
 */
async function startLabRun(page: Page, steps: number, evalEvery: number): Promise<string> {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${ORIGIN}/?backend=wasm`);
  await page.waitForSelector('[data-testid="backend-badge"][data-state="ready"]', { timeout: 120_000 });
  const backend = (await page.getByTestId('backend-badge').getAttribute('data-backend')) ?? '';
  await page.getByTestId('task-select').selectOption('classify');
  await page.getByTestId('model-select').selectOption('cnn');
  await page.getByTestId('input-size-input').fill('16');
  await page.getByTestId('batch-size-input').fill('16');
  await page.getByTestId('length-input').fill(String(steps));
  await page.getByTestId('eval-every-input').fill(String(evalEvery));
  await page.getByTestId('input-size-input').blur();
  await page.waitForSelector('[data-testid="dataset-status"][data-state="ready"]', { timeout: 60_000 });
  await page.getByTestId('start').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-status"]')?.getAttribute('data-step')) >= 2, undefined, { timeout: 120_000 });
  return backend;
}

async function measureLongestTask(browser: Browser, quick: boolean, log: (s: string) => void): Promise<{ longestTaskMs: number; longTasks: number; backend: string; steps: number }> {
  const steps = quick ? 150 : 400;
  const page = await browser.newPage();
  try {
    const backend = await startLabRun(page, steps, 50);
    const since = await page.evaluate(() => performance.now());
    await page.waitForSelector('[data-testid="run-status"][data-state="done"]', { timeout: 300_000 });
    const tasks = await page.evaluate((t) => window.__longTasks.filter(([start]) => start >= t), since);
    const longest = tasks.reduce((m, [, d]) => Math.max(m, d), 0);
    log(`browser ui: ${tasks.length} long tasks while training ${steps} steps on ${backend}, longest ${longest.toFixed(0)} ms`);
    return { longestTaskMs: longest, longTasks: tasks.length, backend, steps };
  } finally {
    await page.close();
  }
}

/** See the file comment. Throws when the app cannot be built or served or Chromium cannot start. */
export async function benchBrowser(opts: { quick: boolean; log: (s: string) => void; archives: BenchArchives }): Promise<BrowserBench> {
  const { quick, log } = opts;
  buildApp(log);
  const server = await startServer();
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const chromiumVersion = browser.version();
    log(`browser: Chromium ${chromiumVersion} on ${ORIGIN}`);
    const { cells, page, steps, rounds } = await measureBackends(browser, quick, log);
    let wasmThreads: WasmThreadsBench | string;
    try {
      wasmThreads = await measureWasmThreads(page, quick, log);
    } catch (e) {
      wasmThreads = `failed: ${describe(e)}`;
    }
    const chart = await page.evaluate((n) => window.__rgBench!.timeChartRedraw(n, 7), CHART_POINTS);
    log(`browser chart: ${chart.arms} x ${chart.pointsPerSeries} points -> ${chart.rows} rows, redraw ${chart.redrawMs.toFixed(1)} ms (mount ${chart.mountMs.toFixed(1)} ms)`);
    await page.close();
    const longTask = await measureLongestTask(browser, quick, log);
    let data: BrowserBench['data'];
    try {
      data = await benchBrowserData(browser, ORIGIN, opts.archives, { quick, backend: 'wasm', log });
    } catch (e) {
      data = `failed: ${describe(e)}`;
      log(`browser data: ${data}`);
    }

    const value = (c: Cell): number | string => (c.imagesPerSec.length ? median(c.imagesPerSec) : (c.skipped ?? `failed: ${c.error ?? 'no result'}`));
    const backends: BrowserBench['backends'] = {};
    for (const c of cells) (backends[c.backend] ??= {})[c.model] = value(c);
    const peerNet: BrowserBench['peerNet'] = {};
    for (const c of cells.filter((x) => x.model === 'convnetjs')) peerNet[c.backend] = value(c);
    return {
      backends,
      peerNet,
      ui: {
        longestTaskMs: longTask.longestTaskMs,
        longTasks: longTask.longTasks,
        trainingBackend: longTask.backend,
        trainingSteps: longTask.steps,
        chartRedrawMs: chart.redrawMs,
        chartMountMs: chart.mountMs,
        chartRows: chart.rows,
        pointsPerSeries: chart.pointsPerSeries,
      },
      data,
      wasmThreads,
      batch: BROWSER_SIZES.cnn.batch,
      sizes: BROWSER_SIZES,
      steps,
      rounds,
      warmupSeconds: Object.fromEntries(cells.filter((c) => c.warmupMs.length).map((c) => [`${c.model}/${c.backend}`, median(c.warmupMs) / 1000])),
      chromium: chromiumVersion,
    };
  } finally {
    await browser?.close().catch(() => {});
    server.kill();
  }
}

/** One minute of the browser soak: long tasks in that minute, the page's JS heap and the training backend's bytes. */
export interface BrowserSoakSample {
  minute: number;
  step: number;
  longTasks: number;
  longestTaskMs: number;
  heapBytes: number;
  deviceBytes: number;
}

/**
 * The browser half of the soak (`npm run bench -- --soak --browser`): the lab itself trains plain
 * vs RG (cnn, 16 px) on wasm for `minutes`, sampled every minute; it passes with no task over
 * 50 ms, a page heap that grew by less than 10% and a flat device memory.
 */
export async function soakBrowser(minutes: number, log: (s: string) => void): Promise<{ ok: boolean; samples: BrowserSoakSample[]; heapGrowth: number; deviceGrowth: number }> {
  buildApp(log);
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'] });
  try {
    const page = await browser.newPage();
    await startLabRun(page, 1_000_000, 200);
    const samples: BrowserSoakSample[] = [];
    let since = await page.evaluate(() => performance.now());
    for (let m = 1; m <= minutes; m++) {
      await page.waitForTimeout(60_000);
      const s = await page.evaluate((t) => {
        // The heap after a full collection: what the page keeps, not the garbage it has made.
        (window as unknown as { gc?: () => void }).gc?.();
        const tasks = window.__longTasks.filter(([start]) => start >= t);
        const status = document.querySelector('[data-testid="run-status"]');
        const bytes = document.querySelector('[data-testid="device-bytes"]');
        return {
          now: performance.now(),
          step: Number(status?.getAttribute('data-step')),
          longTasks: tasks.length,
          longestTaskMs: tasks.reduce((x, [, d]) => Math.max(x, d), 0),
          heapBytes: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
          deviceBytes: Number(bytes?.getAttribute('data-bytes') ?? 0),
        };
      }, since);
      since = s.now;
      const sample = { minute: m, step: s.step, longTasks: s.longTasks, longestTaskMs: s.longestTaskMs, heapBytes: s.heapBytes, deviceBytes: s.deviceBytes };
      samples.push(sample);
      log(`  ${m} min  step ${s.step}  long tasks ${s.longTasks} (longest ${s.longestTaskMs.toFixed(0)} ms)  heap ${(s.heapBytes / 1e6).toFixed(1)} MB  device ${(s.deviceBytes / 1e6).toFixed(1)} MB`);
    }
    await page.getByTestId('stop').click();
    const third = Math.max(1, Math.floor(samples.length / 3));
    const med = (xs: number[]) => median(xs);
    const heapGrowth = med(samples.slice(-third).map((x) => x.heapBytes)) / med(samples.slice(0, third).map((x) => x.heapBytes)) - 1;
    // The floors of the thirds are compared: a leak raises the floor, while what is in flight at
    // a sample (losses being read back, a checkpoint's copy of the weights) only adds to one sample.
    const deviceGrowth = Math.min(...samples.slice(-third).map((x) => x.deviceBytes)) - Math.min(...samples.slice(0, third).map((x) => x.deviceBytes));
    // A few scalars come and go: growth under 64 KiB is not a leak.
    const ok = samples.length >= 2 && samples.every((x) => x.longestTaskMs <= 50) && heapGrowth < 0.1 && deviceGrowth < 65_536;
    return { ok, samples, heapGrowth, deviceGrowth };
  } finally {
    await browser.close();
    server.kill();
  }
}
