import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { useCpu as switchToCpu, useWasm as switchToWasm } from '../testing/nodeBackends';
import type { SpeedResult } from './backendSpeed';
import { createTrainerHandler, type HandlerDeps } from './handler';
import type { BackendName, BackendReport, FromWorker, MeasuredChoice, SpeedWorkload } from './protocol';

/**
 * The measured backend choice in the worker, with made-up timings (real ones depend on the
 * machine): cpu and wasm are real backends here, webgpu is absent, and "webgl" is the cpu backend
 * under another name where a test asks for it (its kernels are registered in Node too).
 */

type Timings = Partial<Record<BackendName, SpeedResult>>;

const ok = (imagesPerSec: number): SpeedResult => ({ ok: true, imagesPerSec, msPerStep: (32 * 1000) / imagesPerSec, warmupMs: 50, timedSteps: 3 });
const WORKLOAD: SpeedWorkload = { model: 'cnn', batchSize: 32, inputSize: 32 };

function harness(timings: Timings, opts: { webgl?: 'works' | 'starts once' } = {}) {
  const messages: FromWorker[] = [];
  const measured: { backend: string; slowerThan?: number }[] = [];
  let active: BackendName = 'cpu';
  let webglStarts = 0;
  const deps: HandlerDeps = {
    activateBackend: async (name) => {
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
      measured.push({ backend: active, ...(o.slowerThanMsPerStep !== undefined ? { slowerThan: o.slowerThanMsPerStep } : {}) });
      return timings[active] ?? { ok: false, reason: 'no timing in this test' };
    },
  };
  const handle = createTrainerHandler((m) => messages.push(m), deps);
  const choose = async (remembered?: MeasuredChoice[], backend: BackendName | null = null): Promise<BackendReport> => {
    messages.length = 0;
    await handle({ type: 'init', id: 7, backend, model: 'cnn', workload: WORKLOAD, ...(remembered ? { remembered } : {}) });
    const ready = messages.find((m) => m.type === 'ready');
    if (ready?.type !== 'ready') throw new Error(`no ready: ${JSON.stringify(messages)}`);
    return ready.report;
  };
  return { messages, measured, choose };
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
    expect(report.choice).toBeUndefined();
  }, 60_000);
});
