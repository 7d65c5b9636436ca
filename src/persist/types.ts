import type { Checkpoint } from '../engine/checkpoint';
import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';

/**
 * What the persistence layer stores: experiments (metadata, config, manifest, summary), their
 * metric records (docs/contracts.md, section 3) and one checkpoint each. Plain, structured-cloneable
 * data only; the same shapes in IndexedDB and in the in-memory fallback.
 */

/** Where an experiment stands; `interrupted` is a run that was `running` when the page went away. */
export type ExperimentStatus = 'running' | 'done' | 'stopped' | 'interrupted' | 'error';
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = ['running', 'done', 'stopped', 'interrupted', 'error'];

/**
 * Free-form facts about where a run happened, supplied by the caller: backend, adapter, library
 * versions, the dataset's name and content hash. Plain JSON-like data.
 */
export type ExperimentManifest = Record<string, unknown>;

/** One experiment's metadata: everything but its records and checkpoint. */
export interface ExperimentMeta {
  id: string;
  name: string;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  /** Last change of anything, records included (ms since the epoch). */
  updatedAt: number;
  status: ExperimentStatus;
  /** The validated config the run started with. */
  config: ExperimentConfig;
  manifest: ExperimentManifest;
  /** The caller's summary of the run (per-arm results); null until set. Plain JSON-like data. */
  summary: unknown;
  /** How many metric records are stored. */
  recordCount: number;
  /** Why the run failed, for status `error`. */
  error?: string;
}

/** Checkpoints are the engine's (src/engine/checkpoint.ts): the trainer writes them, this layer stores them as they are. */
export type { ArmCheckpoint, Checkpoint, TensorData } from '../engine/checkpoint';

export const BUNDLE_FORMAT = 'rg-lab-experiment';
export const BUNDLE_VERSION = 1;

/**
 * An experiment as one JSON document, for export and import. Non-finite numbers in records
 * (a diverged loss) are written as the strings "NaN", "Infinity" and "-Infinity", so a bundle
 * survives JSON text unchanged. No checkpoint.
 */
export interface ExperimentBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  experiment: ExperimentMeta;
  records: unknown[];
}

/**
 * The storage API the app uses, whether experiments live in IndexedDB (`ExperimentDb`) or only in
 * memory (`MemoryExperimentStore`, when IndexedDB is unavailable). Every method of an unknown id
 * rejects with `ExperimentNotFoundError`; a full disk rejects with `StorageFullError`.
 */
export interface ExperimentStore {
  /** True when experiments survive a reload (IndexedDB); false for the in-memory fallback. */
  readonly persistent: boolean;
  /** Stores a new experiment with status `running` and no records; returns its id. */
  createExperiment(config: ExperimentConfig, manifest: ExperimentManifest, name?: string, id?: string): Promise<string>;
  /** One experiment's metadata, or null when there is none with this id. */
  getExperiment(id: string): Promise<ExperimentMeta | null>;
  /** Every experiment's metadata, newest first; no records. */
  list(): Promise<ExperimentMeta[]>;
  /** Appends records after those already stored, atomically: all of them or none. */
  appendRecords(id: string, records: readonly MetricRecord[]): Promise<void>;
  /** Every record of the experiment in the order it was appended. */
  getRecords(id: string): Promise<MetricRecord[]>;
  /** Removes the records of steps after `step` (and every summary), so a run resumed from a checkpoint at `step` does not repeat them; returns how many went. */
  discardRecordsAfter(id: string, step: number): Promise<number>;
  /** Sets the status; `error` is kept for status `error` and cleared otherwise. */
  setStatus(id: string, status: ExperimentStatus, error?: string): Promise<void>;
  setSummary(id: string, summary: unknown): Promise<void>;
  /** Renames; the name is trimmed and must keep 1 to 120 characters (else RangeError). */
  rename(id: string, name: string): Promise<void>;
  /** Deletes the experiment with its records and checkpoint; an unknown id is not an error. */
  delete(id: string): Promise<void>;
  /** Replaces the experiment's checkpoint; if the write fails the previous one stays. */
  saveCheckpoint(id: string, checkpoint: Checkpoint): Promise<void>;
  /** The latest checkpoint, or null when there is none. */
  loadCheckpoint(id: string): Promise<Checkpoint | null>;
  /**
   * On startup: every experiment left `running` becomes `interrupted`, except those `isLive`
   * says are still running (in another tab). Returns the ids it changed.
   */
  markInterrupted(isLive?: (id: string) => boolean | Promise<boolean>): Promise<string[]>;
  /** The experiment and its records as a JSON-serialisable bundle. */
  exportBundle(id: string): Promise<ExperimentBundle>;
  /** Validates a bundle (parsed JSON) and stores it as a new experiment; returns the new id. Throws BundleError naming what is wrong. */
  importBundle(bundle: unknown): Promise<string>;
  close(): void;
}
