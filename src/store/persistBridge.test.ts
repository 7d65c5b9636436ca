import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDefaultConfig, parseExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import { openExperimentStore } from '../persist';
import { resetAppStore, useAppStore } from './index';
import { recordCount, recordsInMemory } from './metricsSlice';
import { STEP_HISTORY_CAP } from './stepHistory';
import { buildManifest, connectPersistence, runRecords } from './persistBridge';

const facts = { appVersion: '9.9.9', tfjsVersion: '4.22.0' };
const s = () => useAppStore.getState();

function records(arm: string, seed: number, from: number, to: number): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (let t = from; t <= to; t++) {
    out.push({ type: 'step', arm, seed, step: t, epoch: t / 100, loss: 2 / t, weightedLoss: 1 / t, rgWeight: 0.5, lr: 0.1, gradNorm: 1, ms: 5 });
    if (t % 5 === 0) out.push({ type: 'eval', arm, seed, step: t, epoch: t / 100, metrics: { loss: 1, accuracy: t / 100 + (arm === 'rg' ? 0.01 : 0) } });
  }
  return out;
}

/** The app as a page load sees it: a fresh store over the same IndexedDB. */
const connected: { disconnect: () => void }[] = [];

async function load(factory: IDBFactory, opts: { restoreSettings?: boolean } = {}) {
  const bridge = connectPersistence({ facts, flushMs: 10, open: () => openExperimentStore({ factory }), ...opts });
  connected.push(bridge);
  await bridge.ready;
  return bridge;
}

describe('persistence bridge', () => {
  beforeEach(() => {
    // One page has one bridge: an earlier test's must not take this test's records.
    for (const b of connected.splice(0)) b.disconnect();
    resetAppStore();
  });

  it('saves a run as it arrives, with its manifest and summary, and shows it again after a reload', async () => {
    const factory = new IDBFactory();
    const first = await load(factory);
    expect(s().experiments.storage).toBe('indexeddb');
    const config = parseExperimentConfig({ ...createDefaultConfig(), steps: 20, seeds: [1, 2] });
    s().beginRun('run-a', config);
    s().appendRecords([...records('plain', 1, 1, 10), ...records('rg', 1, 1, 10)]);
    await first.commands.flush();
    await new Promise((r) => setTimeout(r, 30));
    s().appendRecords([...records('plain', 1, 11, 20), ...records('rg', 1, 11, 20)]);
    s().appendRecords(['plain', 'rg'].map((arm) => ({ type: 'summary', arm, seed: 1, steps: 20, ms: 100, final: { accuracy: 0.2 }, best: { accuracy: 0.2 } })));
    s().finishRun(false, null);
    await new Promise((r) => setTimeout(r, 100));
    const written = recordsInMemory(s());
    expect(written.filter((r) => r.type === 'summary')).toHaveLength(2);
    expect(await first.commands.records('run-a')).toHaveLength(written.length);
    const meta = s().experiments.list.find((m) => m.id === 'run-a');
    expect(meta).toMatchObject({ status: 'done', recordCount: written.length });
    expect(meta?.manifest).toMatchObject({ app: { version: '9.9.9' }, tfjs: '4.22.0', seeds: [1, 2], config });
    expect(meta?.summary).toMatchObject({ metric: 'accuracy', baseline: 'plain', arms: [{ arm: 'plain', final: 0.2 }, { arm: 'rg' }] });
    expect((meta?.summary as { arms: { final: number }[] }).arms[1].final).toBeCloseTo(0.21);
    first.disconnect();

    resetAppStore();
    s().setConfig({ batchSize: 3 });
    await load(factory);
    expect(s().run).toMatchObject({ id: 'run-a', status: 'done', step: 20, totalSteps: 20, stored: { interrupted: false, resumable: false } });
    expect(recordsInMemory(s())).toEqual(written);
    expect(s().stepsByArm.rg[1]).toHaveLength(20);
    expect(s().config.batchSize).toBe(config.batchSize);
  });

  it('stores every record of a run whose steps the store keeps thinned, and exports those', async () => {
    const bridge = await load(new IDBFactory());
    const steps = 2 * STEP_HISTORY_CAP + 100;
    s().beginRun('run-long', parseExperimentConfig({ ...createDefaultConfig(), steps }));
    for (let t = 1; t <= steps; t += 250) s().appendRecords(records('plain', 1, t, Math.min(steps, t + 249)));
    expect(s().stepsByArm.plain[1].length).toBeLessThanOrEqual(STEP_HISTORY_CAP);
    expect(s().unsaved).toEqual([]);
    const stored = await bridge.commands.records('run-long');
    expect(stored).toEqual(records('plain', 1, 1, steps));
    expect(recordCount(s())).toBe(stored.length);
    // The export takes the stored copy; with none (or a short one) it falls back to the store's.
    expect(await runRecords(s(), (id) => bridge.commands.records(id))).toEqual(stored);
    const inMemory = await runRecords(s(), async () => stored.slice(0, 10));
    expect(inMemory).toEqual(recordsInMemory(s()));
    expect(inMemory.filter((r) => r.type === 'step').length).toBeLessThanOrEqual(STEP_HISTORY_CAP);
  });

  it('marks a run cut short by a reload as interrupted, keeping every record written', async () => {
    const factory = new IDBFactory();
    const first = await load(factory);
    s().beginRun('run-b', parseExperimentConfig({ ...createDefaultConfig(), steps: 50 }));
    s().appendRecords(records('plain', 1, 1, 7));
    await first.commands.flush();
    // The page goes away here: no finish, no status.
    resetAppStore();
    s().setConfig({ batchSize: 3 });
    await load(factory, { restoreSettings: false });
    expect(s().experiments.list[0]).toMatchObject({ id: 'run-b', status: 'interrupted' });
    expect(s().run).toMatchObject({ id: 'run-b', step: 7, totalSteps: 50, stored: { interrupted: true, resumable: true } });
    expect(recordsInMemory(s())).toHaveLength(records('plain', 1, 1, 7).length);
    expect(s().config.batchSize).toBe(3);
  });

  it('renames, deletes, exports and imports experiments; a broken bundle names the file and the problem', async () => {
    const factory = new IDBFactory();
    const bridge = await load(factory);
    s().beginRun('run-c', parseExperimentConfig({ ...createDefaultConfig(), steps: 10 }));
    s().appendRecords(records('plain', 1, 1, 10));
    s().finishRun(true, null);
    await new Promise((r) => setTimeout(r, 100));
    await bridge.commands.rename('run-c', 'first try');
    expect(s().experiments.list[0]).toMatchObject({ name: 'first try', status: 'stopped' });
    const bundle = await bridge.commands.exportBundle('run-c');
    const copy = await bridge.commands.importBundle(JSON.stringify(bundle), 'first.json');
    expect(await bridge.commands.records(copy)).toEqual(await bridge.commands.records('run-c'));
    await expect(bridge.commands.importBundle('{"format":"other"}', 'odd.json')).rejects.toThrow(/^odd\.json: .*format/);
    await expect(bridge.commands.importBundle('not json', 'bad.json')).rejects.toThrow(/^bad\.json: not JSON/);
    await bridge.commands.remove('run-c');
    expect(s().experiments.list.map((m) => m.id)).toEqual([copy]);
    expect(s().run.id).toBeNull();
  });

  it('keeps working in memory, and says so, when IndexedDB cannot be opened', async () => {
    const broken = { open: () => { throw new DOMException('blocked', 'SecurityError'); } } as unknown as IDBFactory;
    await load(broken);
    expect(s().experiments.storage).toBe('memory');
    expect(s().experiments.warning).toMatch(/memory/);
    s().beginRun('run-d', parseExperimentConfig(createDefaultConfig()));
    s().appendRecords(records('plain', 1, 1, 3));
    await new Promise((r) => setTimeout(r, 50));
    expect(s().experiments.list[0]).toMatchObject({ id: 'run-d', status: 'running' });
  });

  it('writes the manifest from the backend, adapter and dataset in use', () => {
    const config = parseExperimentConfig(createDefaultConfig());
    s().setBackendReady({ backend: 'webgpu', adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true }, forced: null, attempts: [], maxRelativeError: 0 });
    s().setDatasetLoading('k');
    s().setDatasetReady('k', { id: 'builtin:shapes10', name: 'shapes10', classNames: ['a', 'b'], height: 32, width: 32, channels: 3, numTrain: 10, numTest: 5, inputSize: 32, ms: 1 }, 'sha256:abc');
    expect(buildManifest(s(), config, facts)).toMatchObject({
      backend: 'webgpu',
      adapter: { architecture: 'swiftshader', isFallbackAdapter: true },
      dataset: { name: config.dataset, contentHash: 'sha256:abc', numTrain: 10, classes: 2 },
      seeds: config.seeds,
    });
  });

  it('keeps the newest checkpoint and resumes an interrupted run on the same experiment after a reload', async () => {
    const factory = new IDBFactory();
    const first = await load(factory);
    const config = parseExperimentConfig({ ...createDefaultConfig(), steps: 30 });
    s().beginRun('run-e', config);
    s().appendRecords(records('plain', 1, 1, 12));
    first.commands.saveCheckpoint('run-e', { step: 5, epoch: 0, savedAt: 1, positions: {}, arms: [] });
    first.commands.saveCheckpoint('run-e', { step: 10, epoch: 0, savedAt: 2, positions: {}, arms: [{ arm: 'plain', seed: 1, weights: [{ shape: [2], values: new Float32Array([1, 2]) }], optimizers: [], state: {} }] });
    await first.commands.flush();
    await new Promise((r) => setTimeout(r, 30));
    first.disconnect();

    resetAppStore();
    const second = await load(factory);
    expect(s().run.stored).toEqual({ interrupted: true, resumable: true });
    const saved = await second.commands.resumable('run-e');
    expect(saved?.checkpoint.step).toBe(10);
    expect(saved?.checkpoint.arms[0].weights[0].values).toEqual(new Float32Array([1, 2]));
    expect(Math.max(...saved!.records.map((r) => (r.type === 'summary' ? 0 : r.step)))).toBe(10);
    // What the trainer bridge's resumeRun does: the stored records, then the run under its own id.
    s().resetMetrics();
    s().appendRecords(saved!.records);
    s().beginRun('run-e', saved!.config);
    s().appendRecords(records('plain', 1, 11, 30));
    s().finishRun(false, null);
    await new Promise((r) => setTimeout(r, 100));
    const all = await second.commands.records('run-e');
    expect(all.filter((r) => r.type === 'step').map((r) => (r.type === 'step' ? r.step : 0))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(s().experiments.list.filter((m) => m.id === 'run-e')).toMatchObject([{ status: 'done' }]);
    expect(s().experiments.list).toHaveLength(1);
  });
});
