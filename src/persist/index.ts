import { describeError, StorageUnavailableError } from './errors';
import { DEFAULT_DB_NAME, ExperimentDb, type ExperimentDbOptions } from './experimentDb';
import { MemoryExperimentStore } from './memoryStore';
import type { ExperimentStore } from './types';

/**
 * The persistence layer: experiments, their metric records and checkpoints in IndexedDB, with
 * an in-memory stand-in when IndexedDB cannot be used. No React; the store wires it in.
 */

export interface OpenedStore {
  store: ExperimentStore;
  /** Null when IndexedDB opened; else why not (its message is for the person: data is kept in memory only). */
  error: StorageUnavailableError | null;
}

/**
 * Opens the IndexedDB store, or, when IndexedDB is unavailable (private mode, blocked, missing),
 * an in-memory one with the same API, so the app keeps working; `error` says why.
 */
export async function openExperimentStore(options: ExperimentDbOptions & { name?: string; factory?: IDBFactory } = {}): Promise<OpenedStore> {
  try {
    return { store: await ExperimentDb.open(options.name ?? DEFAULT_DB_NAME, options.factory, options), error: null };
  } catch (e) {
    const error =
      e instanceof StorageUnavailableError
        ? e
        : new StorageUnavailableError(`The experiment database could not be opened (${describeError(e)}). Experiments will be kept in memory only, and lost when the page is closed.`, { cause: e });
    return { store: new MemoryExperimentStore(options.now), error };
  }
}

export { BundleError, ExperimentNotFoundError, isQuotaError, StorageFullError, StorageUnavailableError } from './errors';
export { DEFAULT_DB_NAME, ExperimentDb, RECORD_CHUNK, type ExperimentDbOptions } from './experimentDb';
export { MemoryExperimentStore } from './memoryStore';
export { RecordWriteError, RecordWriter, systemSchedule, type RecordSink, type RecordWriterOptions, type Schedule } from './recordWriter';
export { parseBundle, type ParsedBundle } from './bundle';
export { MAX_NAME_LENGTH } from './meta';
export * from './types';
