import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExperimentNotFoundError } from './errors';
import { ExperimentDb, RECORD_CHUNK } from './experimentDb';
import { MemoryExperimentStore } from './memoryStore';
import { makeCheckpoint, makeConfig, makeRecords } from './testing';
import type { ExperimentStore } from './types';

/** The behaviour both stores share: IndexedDB (fake-indexeddb, a fresh one per test) and memory. */

const MANIFEST = { backend: 'wasm', adapter: null, versions: { tfjs: '4.22.0' }, dataset: { name: 'builtin:shapes10', hash: 'abc123' } };

/** A clock that ticks 1 ms per call, so createdAt orders experiments. */
function tickingClock(start = 1_700_000_000_000): () => number {
  let t = start;
  return () => t++;
}

const STORES: [string, () => Promise<ExperimentStore>][] = [
  ['ExperimentDb', () => ExperimentDb.open('rg-lab-test', new IDBFactory(), { now: tickingClock() })],
  ['MemoryExperimentStore', async () => new MemoryExperimentStore(tickingClock())],
];

describe.each(STORES)('%s', (_name, openStore) => {
  let store: ExperimentStore;
  beforeEach(async () => {
    store = await openStore();
  });
  afterEach(() => store.close());

  it('keeps config, manifest, records and summary as given', async () => {
    const config = makeConfig();
    const id = await store.createExperiment(config, MANIFEST, 'first try');
    const records = makeRecords(20, { diverge: true });
    await store.appendRecords(id, records.slice(0, 15));
    await store.appendRecords(id, records.slice(15));
    await store.setSummary(id, { plain: { best: 0.6 } });
    await store.setStatus(id, 'done');
    const meta = await store.getExperiment(id);
    expect(meta).toMatchObject({ id, name: 'first try', status: 'done', config, manifest: MANIFEST, summary: { plain: { best: 0.6 } }, recordCount: records.length });
    // NaN and Infinity survive (structured clone keeps them).
    expect(await store.getRecords(id)).toEqual(records);
    expect(await store.getExperiment('nope')).toBeNull();
  });

  it('returns records in append order across many chunks', async () => {
    const id = await store.createExperiment(makeConfig(), {});
    const records = makeRecords(Math.ceil((RECORD_CHUNK * 3) / 2) + 17);
    // Uneven batches, one bigger than a chunk.
    let i = 0;
    for (const size of [1, 7, RECORD_CHUNK + 3, 250, 999]) {
      await store.appendRecords(id, records.slice(i, i + size));
      i += size;
    }
    await store.appendRecords(id, records.slice(i));
    await store.appendRecords(id, []);
    const back = await store.getRecords(id);
    expect(back.length).toBe(records.length);
    expect(back).toEqual(records);
    expect((await store.getExperiment(id))?.recordCount).toBe(records.length);
  });

  it('keeps each experiment’s records apart when writes interleave', async () => {
    const a = await store.createExperiment(makeConfig(), {}, 'a');
    const b = await store.createExperiment(makeConfig(), {}, 'b');
    const ra = makeRecords(30);
    const rb = makeRecords(12);
    await Promise.all([store.appendRecords(a, ra.slice(0, 20)), store.appendRecords(b, rb), store.appendRecords(a, ra.slice(20))]);
    expect(await store.getRecords(a)).toEqual(ra);
    expect(await store.getRecords(b)).toEqual(rb);
  });

  it('lists newest first without records, renames and deletes everything of one experiment', async () => {
    const ids = [];
    for (const name of ['one', 'two', 'three']) ids.push(await store.createExperiment(makeConfig(), {}, name));
    await store.appendRecords(ids[1], makeRecords(5));
    await store.saveCheckpoint(ids[1], makeCheckpoint(5));
    const listed = await store.list();
    expect(listed.map((m) => m.name)).toEqual(['three', 'two', 'one']);
    expect(listed[1]).not.toHaveProperty('records');
    expect(listed[1].recordCount).toBe(makeRecords(5).length);

    await store.rename(ids[0], '  lr 0.1 vs RG  ');
    expect((await store.getExperiment(ids[0]))?.name).toBe('lr 0.1 vs RG');
    await expect(store.rename(ids[0], '   ')).rejects.toThrow(RangeError);
    await expect(store.rename('missing', 'x')).rejects.toThrow(ExperimentNotFoundError);

    await store.delete(ids[1]);
    expect((await store.list()).map((m) => m.id)).toEqual([ids[2], ids[0]]);
    await expect(store.getRecords(ids[1])).rejects.toThrow(ExperimentNotFoundError);
    await expect(store.loadCheckpoint(ids[1])).rejects.toThrow(ExperimentNotFoundError);
    // Deleting again, or an id that never was, is fine.
    await store.delete(ids[1]);
    // The other experiments are untouched.
    expect(await store.getRecords(ids[0])).toEqual([]);
  });

  it('gives a default name and takes a caller’s id once', async () => {
    const id = await store.createExperiment(makeConfig(), {}, undefined, 'run-20240101-120000-1');
    expect(id).toBe('run-20240101-120000-1');
    expect((await store.getExperiment(id))?.name).toBe('cnn: plain vs rg vs rg matched lr');
    await expect(store.createExperiment(makeConfig(), {}, undefined, id)).rejects.toThrow();
    const other = await store.createExperiment(makeConfig(), {});
    expect(other).not.toBe(id);
  });

  it('marks runs left running as interrupted, except live ones', async () => {
    const running = await store.createExperiment(makeConfig(), {}, 'running');
    const live = await store.createExperiment(makeConfig(), {}, 'live in another tab');
    const done = await store.createExperiment(makeConfig(), {}, 'done');
    await store.setStatus(done, 'done');
    const failed = await store.createExperiment(makeConfig(), {}, 'failed');
    await store.setStatus(failed, 'error', 'DeviceLostError: the GPU went away');
    expect(await store.markInterrupted(async (id) => id === live)).toEqual([running]);
    const status = async (id: string) => (await store.getExperiment(id))?.status;
    expect(await status(running)).toBe('interrupted');
    expect(await status(live)).toBe('running');
    expect(await status(done)).toBe('done');
    expect(await store.getExperiment(failed)).toMatchObject({ status: 'error', error: 'DeviceLostError: the GPU went away' });
    expect(await store.markInterrupted()).toEqual([live]);
    expect(await store.markInterrupted()).toEqual([]);
    // Resuming clears nothing but the status; an error message goes with a status other than error.
    await store.setStatus(failed, 'running');
    expect(await store.getExperiment(failed)).not.toHaveProperty('error');
  });

  it('saves and loads the latest checkpoint with its Float32Arrays', async () => {
    const id = await store.createExperiment(makeConfig(), {});
    expect(await store.loadCheckpoint(id)).toBeNull();
    await store.saveCheckpoint(id, makeCheckpoint(100));
    const second = makeCheckpoint(200);
    await store.saveCheckpoint(id, second);
    const back = await store.loadCheckpoint(id);
    expect(back).toEqual(second);
    expect(back?.arms[1].optimizers[1].slots[0].values).toBeInstanceOf(Float32Array);
    expect(back?.arms[0].weights[0].values).toEqual(second.arms[0].weights[0].values);
    await expect(store.saveCheckpoint('missing', second)).rejects.toThrow(ExperimentNotFoundError);
  });

  it('stores a view’s own values, not the buffer behind it, and refuses values that do not fit the shape', async () => {
    const id = await store.createExperiment(makeConfig(), {});
    const c = makeCheckpoint(10);
    const big = new Float32Array(1000).fill(9);
    c.arms[0].weights[1] = { shape: [16], values: big.subarray(100, 116) };
    await store.saveCheckpoint(id, c);
    const back = await store.loadCheckpoint(id);
    expect(back?.arms[0].weights[1].values.buffer.byteLength).toBe(16 * 4);
    const bad = makeCheckpoint(20);
    bad.arms[1].optimizers[0].slots[1].values = new Float32Array(3);
    await expect(store.saveCheckpoint(id, bad)).rejects.toThrow('checkpoint.arms[1].optimizers[0].slots[1] has 3 values for shape [4, 4] (16)');
    // The earlier checkpoint stays.
    expect((await store.loadCheckpoint(id))?.step).toBe(10);
  });

  it('drops the records a resumed run will emit again', async () => {
    const id = await store.createExperiment(makeConfig(), {});
    const records = makeRecords(RECORD_CHUNK);
    await store.appendRecords(id, records.slice(0, 1000));
    await store.appendRecords(id, records.slice(1000));
    const kept = records.filter((r) => r.type !== 'summary' && r.step <= 400);
    expect(await store.discardRecordsAfter(id, 400)).toBe(records.length - kept.length);
    expect(await store.getRecords(id)).toEqual(kept);
    expect((await store.getExperiment(id))?.recordCount).toBe(kept.length);
    expect(await store.discardRecordsAfter(id, 400)).toBe(0);
  });

  it('exports a bundle that imports as a new experiment with identical records', async () => {
    const id = await store.createExperiment(makeConfig(), MANIFEST, 'to share');
    const records = makeRecords(RECORD_CHUNK + 50, { diverge: true });
    await store.appendRecords(id, records);
    await store.setSummary(id, { rows: [{ arm: 'plain', best: 0.6 }] });
    await store.setStatus(id, 'stopped');
    await store.saveCheckpoint(id, makeCheckpoint(7));
    const bundle = await store.exportBundle(id);
    expect(bundle).toMatchObject({ format: 'rg-lab-experiment', version: 1, experiment: { id, name: 'to share', recordCount: records.length } });
    expect(bundle).not.toHaveProperty('checkpoint');
    // Through JSON text, as a downloaded file would go.
    const text = JSON.stringify(bundle);
    const newId = await store.importBundle(JSON.parse(text));
    expect(newId).not.toBe(id);
    expect(await store.getRecords(newId)).toEqual(records);
    const meta = await store.getExperiment(newId);
    expect(meta).toMatchObject({ name: 'to share', status: 'stopped', config: makeConfig(), manifest: MANIFEST, summary: { rows: [{ arm: 'plain', best: 0.6 }] }, recordCount: records.length });
    expect(await store.loadCheckpoint(newId)).toBeNull();
    expect((await store.list()).length).toBe(2);
  });

  it('names the unknown experiment', async () => {
    await expect(store.appendRecords('gone', makeRecords(1))).rejects.toThrow('No experiment with id "gone"');
    await expect(store.getRecords('gone')).rejects.toThrow(ExperimentNotFoundError);
    await expect(store.setStatus('gone', 'done')).rejects.toThrow(ExperimentNotFoundError);
    await expect(store.exportBundle('gone')).rejects.toThrow(ExperimentNotFoundError);
  });
});
