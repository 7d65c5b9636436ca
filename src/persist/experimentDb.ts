import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import { createBundle, parseBundle } from './bundle';
import { describeError, ExperimentNotFoundError, StorageUnavailableError, toStorageError } from './errors';
import { checkCheckpoint, compactCheckpoint, compareNewestFirst, createMeta, isKeptAfterResume, metaFromBundle, normaliseName } from './meta';
import type { Checkpoint, ExperimentBundle, ExperimentManifest, ExperimentMeta, ExperimentStatus, ExperimentStore } from './types';

/**
 * Experiments in IndexedDB (through `idb`). Three object stores: `experiments` (metadata, keyed
 * by id, indexed by status), `records` (auto-increment rows of up to RECORD_CHUNK records each,
 * indexed by experimentId, so a run's thousands of step records are a few rows) and
 * `checkpoints` (the latest one per experiment). Every write is one transaction: all or nothing.
 */

export const DEFAULT_DB_NAME = 'rg-lab';
const DB_VERSION = 1;
/** Most records in one row of the `records` store. */
export const RECORD_CHUNK = 2000;
/** Stored with each checkpoint; one of another version is not offered for resuming. */
const CHECKPOINT_VERSION = 1;

interface RecordChunk {
  experimentId: string;
  records: MetricRecord[];
}

interface StoredCheckpoint extends Checkpoint {
  experimentId: string;
  version: number;
}

interface RgLabSchema extends DBSchema {
  experiments: { key: string; value: ExperimentMeta; indexes: { status: ExperimentStatus } };
  records: { key: number; value: RecordChunk; indexes: { experimentId: string } };
  checkpoints: { key: string; value: StoredCheckpoint };
}

type Names = StoreNames<RgLabSchema>;
type Tx<N extends Names[], M extends IDBTransactionMode> = IDBPTransaction<RgLabSchema, N, M>;

export interface ExperimentDbOptions {
  /** The clock for createdAt and updatedAt (ms since the epoch); Date.now by default. */
  now?: () => number;
  /** How long opening may take before it counts as unavailable (default 10 s; a stuck open is a known browser bug). */
  openTimeoutMs?: number;
}

const IN_MEMORY = 'Experiments will be kept in memory only, and lost when the page is closed.';

function globalFactory(): IDBFactory {
  let factory: IDBFactory | undefined;
  try {
    factory = globalThis.indexedDB;
  } catch (e) {
    // Firefox throws here when the site may not store data (cookies blocked).
    throw new StorageUnavailableError(`The browser does not let this page store data (${describeError(e)}). ${IN_MEMORY}`, { cause: e });
  }
  if (!factory) throw new StorageUnavailableError(`This browser has no IndexedDB. ${IN_MEMORY}`);
  return factory;
}

function createSchema(db: IDBDatabase): void {
  if (!db.objectStoreNames.contains('experiments')) db.createObjectStore('experiments', { keyPath: 'id' }).createIndex('status', 'status');
  if (!db.objectStoreNames.contains('records')) db.createObjectStore('records', { autoIncrement: true }).createIndex('experimentId', 'experimentId');
  if (!db.objectStoreNames.contains('checkpoints')) db.createObjectStore('checkpoints', { keyPath: 'experimentId' });
}

function openConnection(factory: IDBFactory, name: string, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new StorageUnavailableError(`${message} ${IN_MEMORY}`, { cause }));
    };
    const timer = setTimeout(() => fail(`The experiment database did not open within ${timeoutMs / 1000} s.`), timeoutMs);
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name, DB_VERSION);
    } catch (e) {
      fail(`The browser refused to open the experiment database (${describeError(e)}).`, e);
      return;
    }
    request.onupgradeneeded = () => createSchema(request.result);
    request.onblocked = () => fail('Another RG Lab tab holds an older version of the experiment database open: close that tab, then reload this one.');
    request.onerror = (event) => {
      event.preventDefault();
      fail(`The browser refused to open the experiment database (${describeError(request.error)}); private browsing may forbid it.`, request.error);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Opened after a timeout or a block was already reported: nobody will use it.
      if (settled) return db.close();
      settled = true;
      clearTimeout(timer);
      resolve(db);
    };
  });
}

/**
 * Marks a request's promise as handled at once: when a later request throws (DataCloneError) the
 * transaction aborts and this one rejects with AbortError before anyone awaits it.
 */
function observed<T>(request: Promise<T>): Promise<T> {
  request.catch(() => undefined);
  return request;
}

/** Aborts `tx` if it is still going; returns the error it failed with, if any. */
function abortQuietly(tx: { readonly error: DOMException | null; abort(): void }): unknown {
  let error: unknown = null;
  try {
    error = tx.error;
  } catch {
    // Older browsers throw while the transaction is still active.
  }
  try {
    tx.abort();
  } catch {
    // Already finished.
  }
  return error;
}

/** The IndexedDB-backed ExperimentStore. Open it with `ExperimentDb.open`. */
export class ExperimentDb implements ExperimentStore {
  readonly persistent = true;
  /** Why the connection can no longer be used; null while it can. */
  private closedReason: string | null = null;

  private constructor(
    private readonly db: IDBPDatabase<RgLabSchema>,
    private readonly now: () => number,
  ) {}

  /**
   * Opens (creating or upgrading) the database. Rejects with StorageUnavailableError when there
   * is no IndexedDB, the browser denies it (private mode) or another tab blocks the upgrade.
   * @param factory an IDBFactory (tests pass a fresh fake-indexeddb one); the page's by default
   */
  static async open(name: string = DEFAULT_DB_NAME, factory?: IDBFactory, options: ExperimentDbOptions = {}): Promise<ExperimentDb> {
    const raw = await openConnection(factory ?? globalFactory(), name, options.openTimeoutMs ?? 10_000);
    // `wrap` returns the untyped IDBPDatabase; the schema is the one createSchema made.
    const db = new ExperimentDb(wrap(raw) as unknown as IDBPDatabase<RgLabSchema>, options.now ?? Date.now);
    raw.onversionchange = () => {
      raw.close();
      db.closedReason = `RG Lab was updated in another tab: reload this tab to keep saving. ${IN_MEMORY}`;
    };
    raw.onclose = () => {
      db.closedReason = `The browser closed the experiment database (site data cleared, or a disk error). ${IN_MEMORY}`;
    };
    return db;
  }

  /** Runs `fn` in one transaction; any failure aborts it and is rethrown as a named storage error where one fits. */
  private async transact<N extends Names[], M extends IDBTransactionMode, T>(names: N, mode: M, fn: (tx: Tx<N, M>) => Promise<T>): Promise<T> {
    if (this.closedReason) throw new StorageUnavailableError(this.closedReason);
    let tx: Tx<N, M>;
    try {
      tx = this.db.transaction(names, mode);
    } catch (e) {
      throw toStorageError(e);
    }
    const done = tx.done;
    // Observed here so that an abort is never an unhandled rejection; awaited below.
    done.catch(() => undefined);
    try {
      const result = await fn(tx);
      await done;
      return result;
    } catch (e) {
      // A quota error surfaces as the transaction's error, the requests only see AbortError.
      throw toStorageError(abortQuietly(tx) ?? e);
    }
  }

  private async update(id: string, change: (m: ExperimentMeta) => ExperimentMeta): Promise<void> {
    await this.transact(['experiments'], 'readwrite', async (tx) => {
      const meta = await tx.objectStore('experiments').get(id);
      if (!meta) throw new ExperimentNotFoundError(id);
      await tx.objectStore('experiments').put({ ...change(meta), id, updatedAt: this.now() });
    });
  }

  async createExperiment(config: ExperimentConfig, manifest: ExperimentManifest, name?: string, id?: string): Promise<string> {
    const meta = createMeta(config, manifest, this.now(), name, id);
    await this.transact(['experiments'], 'readwrite', async (tx) => {
      await tx.objectStore('experiments').add(meta);
    });
    return meta.id;
  }

  async getExperiment(id: string): Promise<ExperimentMeta | null> {
    return (await this.transact(['experiments'], 'readonly', (tx) => tx.objectStore('experiments').get(id))) ?? null;
  }

  async list(): Promise<ExperimentMeta[]> {
    const all = await this.transact(['experiments'], 'readonly', (tx) => tx.objectStore('experiments').getAll());
    return all.sort(compareNewestFirst);
  }

  async appendRecords(id: string, records: readonly MetricRecord[]): Promise<void> {
    await this.transact(['experiments', 'records'], 'readwrite', async (tx) => {
      const experiments = tx.objectStore('experiments');
      const meta = await experiments.get(id);
      if (!meta) throw new ExperimentNotFoundError(id);
      if (records.length === 0) return;
      const rows = tx.objectStore('records');
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < records.length; i += RECORD_CHUNK) writes.push(observed(rows.add({ experimentId: id, records: records.slice(i, i + RECORD_CHUNK) })));
      writes.push(observed(experiments.put({ ...meta, recordCount: meta.recordCount + records.length, updatedAt: this.now() })));
      await Promise.all(writes);
    });
  }

  async getRecords(id: string): Promise<MetricRecord[]> {
    const rows = await this.transact(['experiments', 'records'], 'readonly', async (tx) => {
      if ((await tx.objectStore('experiments').getKey(id)) === undefined) throw new ExperimentNotFoundError(id);
      // Rows with the same index key come in primary-key order: the order they were added. A
      // cursor, not getAll: each row is read (and deserialised) in its own event, so a run of a
      // million records does not hold the page for seconds.
      const out: MetricRecord[][] = [];
      let cursor = await tx.objectStore('records').index('experimentId').openCursor(id);
      while (cursor) {
        out.push(cursor.value.records);
        cursor = await cursor.continue();
      }
      return out;
    });
    return rows.flat();
  }

  async discardRecordsAfter(id: string, step: number): Promise<number> {
    return this.transact(['experiments', 'records'], 'readwrite', async (tx) => {
      const experiments = tx.objectStore('experiments');
      const meta = await experiments.get(id);
      if (!meta) throw new ExperimentNotFoundError(id);
      let removed = 0;
      let cursor = await tx.objectStore('records').index('experimentId').openCursor(id);
      while (cursor) {
        const kept = cursor.value.records.filter((r) => isKeptAfterResume(r, step));
        const gone = cursor.value.records.length - kept.length;
        if (kept.length === 0) await cursor.delete();
        else if (gone > 0) await cursor.update({ ...cursor.value, records: kept });
        removed += gone;
        cursor = await cursor.continue();
      }
      if (removed > 0) await experiments.put({ ...meta, recordCount: meta.recordCount - removed, updatedAt: this.now() });
      return removed;
    });
  }

  async setStatus(id: string, status: ExperimentStatus, error?: string): Promise<void> {
    await this.update(id, ({ error: _old, ...m }) => ({ ...m, status, ...(status === 'error' && error !== undefined ? { error } : {}) }));
  }

  async setSummary(id: string, summary: unknown): Promise<void> {
    await this.update(id, (m) => ({ ...m, summary }));
  }

  async rename(id: string, name: string): Promise<void> {
    const n = normaliseName(name);
    await this.update(id, (m) => ({ ...m, name: n }));
  }

  async delete(id: string): Promise<void> {
    await this.transact(['experiments', 'records', 'checkpoints'], 'readwrite', async (tx) => {
      const rows = tx.objectStore('records');
      const keys = await rows.index('experimentId').getAllKeys(id);
      const deletes = [observed(tx.objectStore('experiments').delete(id)), observed(tx.objectStore('checkpoints').delete(id))];
      for (const k of keys) deletes.push(observed(rows.delete(k)));
      await Promise.all(deletes);
    });
  }

  async saveCheckpoint(id: string, checkpoint: Checkpoint): Promise<void> {
    checkCheckpoint(checkpoint);
    const row: StoredCheckpoint = { ...compactCheckpoint(checkpoint), experimentId: id, version: CHECKPOINT_VERSION };
    await this.transact(['experiments', 'checkpoints'], 'readwrite', async (tx) => {
      if ((await tx.objectStore('experiments').getKey(id)) === undefined) throw new ExperimentNotFoundError(id);
      await tx.objectStore('checkpoints').put(row);
    });
  }

  async loadCheckpoint(id: string): Promise<Checkpoint | null> {
    const row = await this.transact(['experiments', 'checkpoints'], 'readonly', async (tx) => {
      if ((await tx.objectStore('experiments').getKey(id)) === undefined) throw new ExperimentNotFoundError(id);
      return tx.objectStore('checkpoints').get(id);
    });
    if (!row || row.version !== CHECKPOINT_VERSION) return null;
    const { experimentId: _id, version: _v, ...checkpoint } = row;
    return checkpoint;
  }

  async markInterrupted(isLive?: (id: string) => boolean | Promise<boolean>): Promise<string[]> {
    const running = await this.transact(['experiments'], 'readonly', (tx) => tx.objectStore('experiments').index('status').getAllKeys('running'));
    const stale: string[] = [];
    for (const id of running) if (!(isLive && (await isLive(id)))) stale.push(id);
    if (stale.length === 0) return [];
    // A second transaction: isLive may wait on other APIs, which would end the first one.
    return this.transact(['experiments'], 'readwrite', async (tx) => {
      const changed: string[] = [];
      for (const id of stale) {
        const meta = await tx.objectStore('experiments').get(id);
        if (meta?.status !== 'running') continue;
        await tx.objectStore('experiments').put({ ...meta, status: 'interrupted', updatedAt: this.now() });
        changed.push(id);
      }
      return changed;
    });
  }

  async exportBundle(id: string): Promise<ExperimentBundle> {
    const [meta, rows] = await this.transact(['experiments', 'records'], 'readonly', async (tx) => {
      const m = await tx.objectStore('experiments').get(id);
      if (!m) throw new ExperimentNotFoundError(id);
      return [m, await tx.objectStore('records').index('experimentId').getAll(id)] as const;
    });
    return createBundle(meta, rows.flatMap((r) => r.records));
  }

  async importBundle(bundle: unknown): Promise<string> {
    const parsed = parseBundle(bundle, this.now());
    const meta = metaFromBundle(parsed, this.now());
    await this.transact(['experiments', 'records'], 'readwrite', async (tx) => {
      const rows = tx.objectStore('records');
      const writes: Promise<unknown>[] = [observed(tx.objectStore('experiments').add(meta))];
      for (let i = 0; i < parsed.records.length; i += RECORD_CHUNK) {
        writes.push(observed(rows.add({ experimentId: meta.id, records: parsed.records.slice(i, i + RECORD_CHUNK) })));
      }
      await Promise.all(writes);
    });
    return meta.id;
  }

  /** Closes the connection; later calls reject with StorageUnavailableError. */
  close(): void {
    this.closedReason ??= 'The experiment database was closed.';
    this.db.close();
  }
}
