import { simdKernelsActive } from '../engine/backends/simd/simd';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { useCpu as switchToCpu, useWasm as switchToWasm } from '../testing/nodeBackends';
import type { SpeedResult } from './backendSpeed';
import { createTrainerHandler, type HandlerDeps } from './handler';
import { type BackendName, type BackendReport, candidateName, type FromWorker, type MeasuredChoice, type SpeedWorkload } from './protocol';

/**
 * The measured backend choice in the worker, with made-up timings (real ones depend on the
 * machine): cpu and wasm are real backends here, webgpu is absent, and "webgl" is the cpu backend
 * under another name where a test asks for it (its kernels are registered in Node too).
 */

/** Fake timings per candidate name: `wasm`, `cpu`, `webgl`, or with thread choices `wasm (2 threads)`. */
type Timings = Partial<Record<string, SpeedResult>>;

const ok = (imagesPerSec: number): SpeedResult => ({ ok: true, imagesPerSec, msPerStep: (32 * 1000) / imagesPerSec, warmupMs: 50, timedSteps: 3 });
const WORKLOAD: SpeedWorkload = { model: 'cnn', batchSize: 32, inputSize: 32 };

function harness(timings: Timings, opts: { webgl?: 'works' | 'starts once'; wasmThreadChoices?: number[]; webglRenderer?: string } = {}) {
  const messages: FromWorker[] = [];
  const measured: { backend: string; slowerThan?: number }[] = [];
  /** Every activation of wasm, with the thread count it was given. */
  const wasmStarts: (number | undefined)[] = [];
  let active: BackendName = 'cpu';
  let wasmThreads: number | null = null;
  let webglStarts = 0;
  const activeName = (): string => (active === 'wasm' && opts.wasmThreadChoices ? candidateName({ backend: 'wasm', threads: wasmThreads ?? 1 }) : active);
  const deps: HandlerDeps = {
    ...(opts.wasmThreadChoices ? { wasmThreadChoices: opts.wasmThreadChoices } : {}),
    ...(opts.webglRenderer ? { webglRenderer: () => opts.webglRenderer ?? null } : {}),
    // The fake wasm keeps the count it was last given, like the browser's (one thread at first).
    wasmThreads: () => wasmThreads,
    wasmSimdKernels: simdKernelsActive,
    activateBackend: async (name, threads) => {
      if (name === 'wasm') {
        wasmStarts.push(threads);
        wasmThreads = threads ?? wasmThreads ?? 1;
      }
      if (name === 'webgl' && opts.webgl && (opts.webgl === 'works' || webglStarts++ === 0)) {
        active = name;
        return switchToCpu();
      }
      if (name === 'webgl' && opts.webgl) throw new Error('the WebGL context was lost');
      if (name !== 'cpu' && name !== 'wasm') throw new Error(`${name} is not available in Node`);
      active = name;
      return name === 'cpu' ? switchToCpu() : switchToWasm();
    },
    probeWebGpu: async () => 'this browser has no WebGPU (navigator.gpu is missing)',
    loadDataset: () => makeTinyClassification({ n: 8, nTest: 4, size: 8, classes: 4 }),
    loadArchive: () => Promise.reject(new Error('no archives here')),
    measureSpeed: async (w, o) => {
      expect(w).toEqual(WORKLOAD);
      measured.push({ backend: activeName(), ...(o.slowerThanMsPerStep !== undefined ? { slowerThan: o.slowerThanMsPerStep } : {}) });
      return timings[activeName()] ?? { ok: false, reason: 'no timing in this test' };
    },
  };
  const handle = createTrainerHandler((m) => messages.push(m), deps);
  const choose = async (remembered?: MeasuredChoice[], backend: BackendName | null = null, threads?: number): Promise<BackendReport> => {
    messages.length = 0;
    await handle({ type: 'init', id: 7, backend, model: 'cnn', workload: WORKLOAD, ...(remembered ? { remembered } : {}), ...(threads !== undefined ? { threads } : {}) });
    const ready = messages.find((m) => m.type === 'ready');
    if (ready?.type !== 'ready') throw new Error(`no ready: ${JSON.stringify(messages)}`);
    return ready.report;
  };
  return { messages, measured, wasmStarts, choose, threadsNow: () => wasmThreads };
}

afterAll(() => switchToCpu());

describe('the measured backend choice', () => {
  it('times the backends and trains on the fastest, with each figure or reason reported', async () => {
    const h = harness({ wasm: ok(281), cpu: ok(40) });
    const report = await h.choose();
    expect(report.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.choice).toMatchObject({ how: 'measured', backend: 'wasm', key: 'no-webgpu|cnn|batch 32|32px' });
    expect(report.choice?.measurements).toEqual([
      { backend: 'webgpu', imagesPerSec: null, reason: 'this browser has no WebGPU (navigator.gpu is missing)' },
      { backend: 'webgl', imagesPerSec: null, reason: 'did not start: webgl is not available in Node' },
      { backend: 'wasm', imagesPerSec: 281, warmupMs: 50 },
      { backend: 'cpu', imagesPerSec: null, reason: 'not timed: wasm runs the same kernels compiled, and was timed' },
    ]);
    expect(h.measured.map((m) => m.backend)).toEqual(['wasm']);
    expect(report.attempts).toEqual([{ backend: 'wasm', ok: true }]);
    const progress = h.messages.flatMap((m) => (m.type === 'backendProgress' ? [m.text] : []));
    expect(progress).toEqual(['choosing backend: measuring wasm…', 'choosing backend: measuring webgl…', 'choosing backend: checking wasm…']);
  }, 60_000);

  it('follows the figures, not the order: a faster later backend wins, timed against the best so far', async () => {
    const h = harness({ wasm: ok(281), webgl: ok(500) }, { webgl: 'works' });
    const report = await h.choose();
    expect(report.backend).toBe('webgl');
    expect(h.measured.map((m) => m.backend)).toEqual(['wasm', 'webgl']);
    // webgl is timed against wasm's step: a slower step would end its timing.
    expect(h.measured[1].slowerThan).toBeCloseTo((32 * 1000) / 281);
  }, 60_000);

  it('trains on the fastest backend that passes the check', async () => {
    const h = harness({ wasm: ok(281), webgl: ok(500) }, { webgl: 'starts once' });
    const report = await h.choose();
    expect(report.backend).toBe('wasm');
    expect(report.choice?.measurements.find((m) => m.backend === 'webgl')).toEqual({
      backend: 'webgl',
      imagesPerSec: null,
      reason: 'failed the check (timed at 500 img/s): the WebGL context was lost',
    });
  }, 60_000);

  it('never picks a backend passed over when another was timed; times cpu when wasm could not be', async () => {
    const h = harness({ wasm: { ok: false, reason: 'not warmed up within 3 s (shader compilation or a slow first step)' }, cpu: ok(12) });
    const report = await h.choose();
    expect(report.backend).toBe('cpu');
    expect(h.measured).toEqual([{ backend: 'wasm' }, { backend: 'cpu' }]);
    expect(report.choice?.measurements.find((m) => m.backend === 'wasm')).toEqual({ backend: 'wasm', imagesPerSec: null, reason: 'not warmed up within 3 s (shader compilation or a slow first step)' });
  }, 60_000);

  it('uses a remembered choice for the same adapter and workload without timing anything', async () => {
    const first = harness({ wasm: ok(281), cpu: ok(40) });
    const measuredChoice = (await first.choose()).choice!;
    const h = harness({ wasm: ok(1), cpu: ok(1000) });
    const report = await h.choose([{ ...measuredChoice, backend: 'cpu' }]);
    expect(h.measured).toEqual([]);
    // The remembered backend (made cpu here), not the one these timings would pick.
    expect(report.backend).toBe('cpu');
    expect(report.choice).toEqual({ ...measuredChoice, backend: 'cpu', how: 'remembered' });
  }, 60_000);

  it('measures again when the remembered choice is for another workload', async () => {
    const h = harness({ wasm: ok(50) });
    const other: MeasuredChoice = { key: 'no-webgpu|cnn|batch 64|32px', backend: 'cpu', measurements: [], measuredAt: '2026-12-06T15:00:00.000Z' };
    const report = await h.choose([other]);
    expect(h.measured.map((m) => m.backend)).toEqual(['wasm']);
    expect(report.backend).toBe('wasm');
    expect(report.choice?.how).toBe('measured');
  }, 60_000);

  it('trains on a backend forced with ?backend= without timing any', async () => {
    const h = harness({ wasm: ok(281), cpu: ok(40) });
    const report = await h.choose(undefined, 'cpu');
    expect(h.measured).toEqual([]);
    expect(report).toMatchObject({ backend: 'cpu', forced: 'cpu' });
    expect(report.simdKernels).toBeUndefined();
    expect(report.choice).toBeUndefined();
  }, 60_000);
});

describe('wasm thread counts as candidates', () => {
  it('times wasm with one thread and with two, and trains on the faster with its count in the report and the choice', async () => {
    const h = harness({ 'wasm (1 thread)': ok(281), 'wasm (2 threads)': ok(420) }, { wasmThreadChoices: [1, 2] });
    const report = await h.choose();
    expect(h.measured.map((m) => m.backend)).toEqual(['wasm (1 thread)', 'wasm (2 threads)']);
    // Two threads are timed against one thread's step.
    expect(h.measured[1].slowerThan).toBeCloseTo((32 * 1000) / 281);
    expect(report).toMatchObject({ backend: 'wasm', threads: 2, simdKernels: true, choice: { backend: 'wasm', threads: 2, how: 'measured' } });
    expect(report.choice?.measurements.filter((m) => m.backend === 'wasm')).toEqual([
      { backend: 'wasm', threads: 1, imagesPerSec: 281, warmupMs: 50 },
      { backend: 'wasm', threads: 2, imagesPerSec: 420, warmupMs: 50 },
    ]);
    expect(report.choice?.measurements.find((m) => m.backend === 'cpu')?.reason).toMatch(/^not timed/);
    expect(report.attempts).toEqual([{ backend: 'wasm', threads: 2, ok: true }]);
  }, 60_000);

  it('goes back to one thread when one thread was faster', async () => {
    const h = harness({ 'wasm (1 thread)': ok(281), 'wasm (2 threads)': ok(150) }, { wasmThreadChoices: [1, 2] });
    const report = await h.choose();
    expect(report).toMatchObject({ backend: 'wasm', threads: 1, choice: { threads: 1 } });
    // Timed with 1 then 2; the check restarts wasm with 1.
    expect(h.wasmStarts).toEqual([1, 2, 1]);
    expect(h.threadsNow()).toBe(1);
  }, 60_000);

  it('restores a remembered thread count without timing, and measures again when the count is no longer a candidate', async () => {
    const first = harness({ 'wasm (1 thread)': ok(281), 'wasm (2 threads)': ok(420) }, { wasmThreadChoices: [1, 2] });
    const choice = (await first.choose()).choice!;
    const h = harness({ 'wasm (1 thread)': ok(1000) }, { wasmThreadChoices: [1, 2] });
    const report = await h.choose([choice]);
    expect(h.measured).toEqual([]);
    expect(h.wasmStarts).toEqual([2]);
    expect(report).toMatchObject({ backend: 'wasm', threads: 2, choice: { how: 'remembered', threads: 2 } });
    // A page that cannot run threads any more has no "wasm (2 threads)" candidate: it measures.
    const plain = harness({ wasm: ok(300) });
    const again = await plain.choose([choice]);
    expect(again.choice?.how).toBe('measured');
    expect(plain.measured.map((m) => m.backend)).toEqual(['wasm']);
  }, 60_000);

  it('forces a thread count with ?backend=wasm&threads=', async () => {
    const h = harness({}, { wasmThreadChoices: [1, 2] });
    const report = await h.choose(undefined, 'wasm', 2);
    expect(h.measured).toEqual([]);
    expect(report).toMatchObject({ backend: 'wasm', forced: 'wasm', threads: 2, forcedThreads: 2 });
  }, 60_000);

  it('does not time a GPU backend that renders in software once wasm has a figure', async () => {
    const h = harness({ wasm: ok(281), webgl: ok(5000) }, { webgl: 'works', webglRenderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)' });
    const report = await h.choose();
    expect(h.measured.map((m) => m.backend)).toEqual(['wasm']);
    expect(report.backend).toBe('wasm');
    expect(report.choice?.measurements.find((m) => m.backend === 'webgl')?.reason).toMatch(/^not timed: its renderer is a software one \(ANGLE .*SwiftShader.*\), a GPU emulated on the CPU, where wasm was timed$/);
  }, 60_000);
});
