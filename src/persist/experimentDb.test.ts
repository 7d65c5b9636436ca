import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageFullError, StorageUnavailableError } from './errors';
import { ExperimentDb, RECORD_CHUNK } from './experimentDb';
import { openExperimentStore } from './index';
import { MemoryExperimentStore } from './memoryStore';
import { makeCheckpoint, makeConfig, makeRecords } from './testing';

/** What only the IndexedDB store does: survive a reload, chunk rows, and fail with named errors. */

function countRows(factory: IDBFactory, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const count = db.transaction('records').objectStore('records').count();
      count.onsuccess = () => {
        db.close();
        resolve(count.result);
      };
    };
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ExperimentDb', () => {
  it('keeps everything over a reload; a run left running comes back interrupted with its checkpoint', async () => {
    const factory = new IDBFactory();
    const before = await ExperimentDb.open('rg-lab', factory);
    const id = await before.createExperiment(makeConfig(), { backend: 'webgpu' }, 'mid-run');
    const records = makeRecords(120);
    await before.appendRecords(id, records);
    await before.saveCheckpoint(id, makeCheckpoint(100));
    // The page goes away without a word: no status change, the connection just closes.
    before.close();

    const after = await ExperimentDb.open('rg-lab', factory);
    expect(await after.markInterrupted()).toEqual([id]);
    expect(await after.getExperiment(id)).toMatchObject({ name: 'mid-run', status: 'interrupted', manifest: { backend: 'webgpu' }, recordCount: records.length });
    expect(await after.getRecords(id)).toEqual(records);
    const checkpoint = await after.loadCheckpoint(id);
    expect(checkpoint).toEqual(makeCheckpoint(100));
    expect(checkpoint?.arms[0].weights[0].values).toBeInstanceOf(Float32Array);
    after.close();
  });

  it('stores records as chunks, not one row each', async () => {
    const factory = new IDBFactory();
    const db = await ExperimentDb.open('rg-lab', factory);
    const id = await db.createExperiment(makeConfig(), {});
    await db.appendRecords(id, makeRecords(RECORD_CHUNK).slice(0, 2 * RECORD_CHUNK + 1));
    await db.appendRecords(id, makeRecords(3));
    db.close();
    expect(await countRows(factory, 'rg-lab')).toBe(4);
  });

  it('turns a quota error into StorageFullError and stores nothing of that write', async () => {
    const db = await ExperimentDb.open('rg-lab', new IDBFactory());
    const id = await db.createExperiment(makeConfig(), {});
    const first = makeRecords(5);
    await db.appendRecords(id, first);
    const add = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const write = db.appendRecords(id, makeRecords(RECORD_CHUNK * 2));
    await expect(write).rejects.toThrow(StorageFullError);
    await expect(write).rejects.toThrow(/^Storage is full/);
    await expect(db.saveCheckpoint(id, makeCheckpoint(1))).resolves.toBeUndefined();
    add.mockRestore();
    expect(await db.getRecords(id)).toEqual(first);
    expect((await db.getExperiment(id))?.recordCount).toBe(first.length);
    await db.appendRecords(id, first);
    expect((await db.getRecords(id)).length).toBe(2 * first.length);
    db.close();
  });

  it('finds the quota error on the transaction when the browser aborts it at commit', async () => {
    const db = await ExperimentDb.open('rg-lab', new IDBFactory());
    const id = await db.createExperiment(makeConfig(), {});
    const add = IDBObjectStore.prototype.add;
    // As Chrome does: the requests succeed or fail with AbortError, the transaction carries QuotaExceededError.
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      const request = add.apply(this, args);
      const abort: unknown = Reflect.get(this.transaction, '_abort');
      if (typeof abort === 'function') abort.call(this.transaction, 'QuotaExceededError');
      return request;
    });
    await expect(db.appendRecords(id, makeRecords(10))).rejects.toThrow(StorageFullError);
    vi.restoreAllMocks();
    expect(await db.getRecords(id)).toEqual([]);
    expect((await db.getExperiment(id))?.recordCount).toBe(0);
    db.close();
  });

  it('stores nothing of a write whose second chunk cannot be cloned', async () => {
    const db = await ExperimentDb.open('rg-lab', new IDBFactory());
    const id = await db.createExperiment(makeConfig(), {});
    const records = makeRecords(RECORD_CHUNK);
    records[RECORD_CHUNK + 1] = { ...records[RECORD_CHUNK + 1], arm: (() => 'rg') as unknown as string };
    await expect(db.appendRecords(id, records)).rejects.toThrow(/could not be cloned|DataCloneError/);
    expect(await db.getRecords(id)).toEqual([]);
    db.close();
  });

  it('reports a refused open as StorageUnavailableError, and the app goes on in memory', async () => {
    const denying = {
      open: () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as IDBFactory;
    await expect(ExperimentDb.open('rg-lab', denying)).rejects.toThrow(StorageUnavailableError);
    await expect(ExperimentDb.open('rg-lab', denying)).rejects.toThrow('The browser refused to open the experiment database (SecurityError: The operation is insecure.). Experiments will be kept in memory only');

    const { store, error } = await openExperimentStore({ factory: denying });
    expect(store).toBeInstanceOf(MemoryExperimentStore);
    expect(store.persistent).toBe(false);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    const id = await store.createExperiment(makeConfig(), {});
    await store.appendRecords(id, makeRecords(3));
    expect(await store.getRecords(id)).toEqual(makeRecords(3));

    const ok = await openExperimentStore({ factory: new IDBFactory() });
    expect(ok.error).toBeNull();
    expect(ok.store.persistent).toBe(true);
    ok.store.close();
  });

  it('reports a database newer than this app (an open that errors) as StorageUnavailableError', async () => {
    const factory = new IDBFactory();
    await new Promise<void>((resolve) => {
      const req = factory.open('rg-lab', 5);
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
    });
    await expect(ExperimentDb.open('rg-lab', factory)).rejects.toThrow(/refused to open the experiment database \(VersionError/);
  });

  it('reports a missing IndexedDB and an open that never finishes', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB');
    Reflect.deleteProperty(globalThis, 'indexedDB');
    try {
      await expect(ExperimentDb.open()).rejects.toThrow('This browser has no IndexedDB. Experiments will be kept in memory only');
      expect((await openExperimentStore()).store).toBeInstanceOf(MemoryExperimentStore);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'indexedDB', saved);
    }
    const stuck = { open: () => ({}) } as unknown as IDBFactory;
    await expect(ExperimentDb.open('rg-lab', stuck, { openTimeoutMs: 20 })).rejects.toThrow('did not open within 0.02 s');
  });

  it('steps aside when another tab upgrades the database, and says so', async () => {
    const factory = new IDBFactory();
    const db = await ExperimentDb.open('rg-lab', factory);
    const id = await db.createExperiment(makeConfig(), {});
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('rg-lab', 2);
      req.onblocked = () => reject(new Error('blocked: the old connection did not close'));
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
    });
    await expect(db.appendRecords(id, makeRecords(1))).rejects.toThrow(/updated in another tab: reload this tab/);
  });

  it('rejects every call after close', async () => {
    const db = await ExperimentDb.open('rg-lab', new IDBFactory());
    db.close();
    await expect(db.list()).rejects.toThrow(StorageUnavailableError);
  });
});
