import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackendName, BackendReport, FromWorker, MeasuredChoice, SpeedWorkload } from '../worker/protocol';
import { type ChoiceStorage, loadChoices } from './backendChoiceCache';
import type { TrainerClientLike } from './bridgeContext';
import { resetAppStore, useAppStore } from './index';
import { connectTrainer } from './trainerBridge';

/** The page's side of the measured backend choice: what it asks the worker for, and what it remembers. */

interface InitCall {
  forced: BackendName | null;
  workload?: SpeedWorkload;
  remembered?: MeasuredChoice[];
}

const measuredReport = (w: SpeedWorkload): BackendReport => ({
  backend: 'wasm',
  adapter: null,
  forced: null,
  attempts: [{ backend: 'wasm', ok: true }],
  maxRelativeError: 1e-6,
  choice: {
    how: 'measured',
    key: `no-webgpu|${w.model}|batch ${w.batchSize}|${w.inputSize}px`,
    backend: 'wasm',
    measuredAt: '2026-12-06T15:00:00.000Z',
    measurements: [
      { backend: 'webgpu', imagesPerSec: null, reason: 'not warmed up within 6 s' },
      { backend: 'wasm', imagesPerSec: 281 },
    ],
  },
});

function fakeClient(inits: InitCall[], listeners: ((m: FromWorker) => void)[]): TrainerClientLike {
  const nothing = () => {};
  return {
    subscribe: (fn) => {
      listeners.push(fn);
      return nothing;
    },
    init: async (forced, model, workload, remembered) => {
      inits.push({ forced, ...(workload ? { workload } : {}), ...(remembered ? { remembered } : {}) });
      const w = workload ?? { model, batchSize: 0, inputSize: 0 };
      return forced ? { ...measuredReport(w), backend: forced, forced, choice: undefined } : measuredReport(w);
    },
    loadDataset: async (dataset, inputSize) => ({ id: dataset, name: dataset, classNames: ['a'], height: 8, width: 8, channels: 3, numTrain: 1, numTest: 1, inputSize, ms: 1 }),
    loadArchive: () => ({ id: 1, summary: new Promise(nothing) }),
    cancelLoad: nothing,
    start: nothing,
    pause: nothing,
    resume: nothing,
    stop: nothing,
    setParams: nothing,
    restart: nothing,
  };
}

function memoryStorage(): ChoiceStorage {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));
let disconnect = () => {};
beforeEach(() => resetAppStore());
afterEach(() => disconnect());

function connect(storage: ChoiceStorage, forcedBackend: BackendName | null = null) {
  const inits: InitCall[] = [];
  const listeners: ((m: FromWorker) => void)[] = [];
  const bridge = connectTrainer(fakeClient(inits, listeners), { forcedBackend, choiceStorage: storage, datasetDelayMs: 0, backendDelayMs: 0 });
  disconnect = bridge.disconnect;
  return { inits, listeners };
}

describe('the measured backend choice, page side', () => {
  it('asks for a choice measured on the config’s model, batch and input size, and remembers it', async () => {
    const storage = memoryStorage();
    const { inits } = connect(storage);
    await tick();
    const { model, batchSize, inputSize } = useAppStore.getState().config;
    expect(inits).toEqual([{ forced: null, workload: { model, batchSize, inputSize }, remembered: [] }]);
    expect(useAppStore.getState().backend.report?.choice?.how).toBe('measured');
    const { how: _how, ...remembered } = measuredReport({ model, batchSize, inputSize }).choice!;
    expect(loadChoices(storage)).toEqual([remembered]);
    disconnect();
    // The next visit hands the remembered choice to the worker.
    const next = connect(storage);
    await tick();
    expect(next.inits[0].remembered).toEqual([remembered]);
  });

  it('chooses again when the model, batch size or input size changes, not for other settings', async () => {
    const { inits } = connect(memoryStorage());
    await tick();
    useAppStore.getState().setConfig({ augment: true });
    await tick(20);
    expect(inits).toHaveLength(1);
    useAppStore.getState().setConfig({ batchSize: 64 });
    await tick(20);
    expect(inits).toHaveLength(2);
    expect(inits[1].workload?.batchSize).toBe(64);
    useAppStore.getState().setConfig({ inputSize: 24 });
    await tick(20);
    expect(inits.map((i) => i.workload?.inputSize)).toEqual([16, 16, 24]);
  });

  it('shows the worker’s progress line while the choice is pending', async () => {
    const { listeners } = connect(memoryStorage());
    useAppStore.getState().setBackendPending();
    for (const l of listeners) l({ type: 'backendProgress', id: 1, text: 'choosing backend: measuring wasm…' });
    expect(useAppStore.getState().backend).toMatchObject({ state: 'pending', progress: 'choosing backend: measuring wasm…' });
    await tick();
    expect(useAppStore.getState().backend).toMatchObject({ state: 'ready', progress: null });
  });

  it('with ?backend= asks for that backend only, measures nothing and remembers nothing', async () => {
    const storage = memoryStorage();
    const { inits } = connect(storage, 'webgl');
    await tick();
    useAppStore.getState().setConfig({ batchSize: 64 });
    await tick(20);
    expect(inits).toEqual([{ forced: 'webgl' }]);
    expect(loadChoices(storage)).toEqual([]);
  });
});
