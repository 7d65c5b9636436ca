import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import type { ParsedBundle } from './bundle';
import type { Checkpoint, ExperimentManifest, ExperimentMeta, TensorData } from './types';

/** Helpers shared by the IndexedDB store and the in-memory one. */

export const MAX_NAME_LENGTH = 120;

/** "cnn: plain vs rg", the name an experiment gets when none is given. */
export function defaultExperimentName(config: ExperimentConfig): string {
  return `${config.model}: ${config.arms.map((a) => a.name).join(' vs ')}`;
}

let idCounter = 0;

/** A unique experiment id: a random UUID where the page may make one, else the time and a counter. */
export function createExperimentId(now: number): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `exp-${now.toString(36)}-${(++idCounter).toString(36)}`;
}

/** The trimmed name; RangeError when it is empty or longer than MAX_NAME_LENGTH. */
export function normaliseName(name: string): string {
  const n = name.trim();
  if (n.length === 0 || n.length > MAX_NAME_LENGTH) {
    throw new RangeError(`An experiment name must have 1 to ${MAX_NAME_LENGTH} characters; this one has ${n.length}`);
  }
  return n;
}

/** A new experiment's metadata: status `running`, no records, no summary. */
export function createMeta(config: ExperimentConfig, manifest: ExperimentManifest, now: number, name?: string, id?: string): ExperimentMeta {
  return {
    id: id ?? createExperimentId(now),
    name: normaliseName(name ?? defaultExperimentName(config)),
    createdAt: now,
    updatedAt: now,
    status: 'running',
    config,
    manifest,
    summary: null,
    recordCount: 0,
  };
}

/** False for records that a run resumed from a checkpoint at `step` emits again (later steps, summaries). */
export function isKeptAfterResume(r: MetricRecord, step: number): boolean {
  return r.type !== 'summary' && r.step <= step;
}

function checkTensor(t: TensorData, path: string): void {
  if (!(t.values instanceof Float32Array)) throw new TypeError(`${path}.values must be a Float32Array`);
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new TypeError(`${path}.shape must be a list of sizes`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (size !== t.values.length) throw new TypeError(`${path} has ${t.values.length} values for shape [${t.shape.join(', ')}] (${size})`);
}

/** Throws a TypeError naming the first tensor whose values do not fit its shape (a trainer bug, caught before it is stored). */
export function checkCheckpoint(c: Checkpoint): void {
  if (!Number.isInteger(c.step) || c.step < 0) throw new TypeError(`checkpoint.step must be a step count, is ${c.step}`);
  c.arms.forEach((a, i) => {
    a.weights.forEach((w, j) => checkTensor(w, `checkpoint.arms[${i}].weights[${j}]`));
    a.optimizers.forEach((o, j) => o.slots.forEach((s, k) => checkTensor(s, `checkpoint.arms[${i}].optimizers[${j}].slots[${k}]`)));
  });
}

/** A typed array that owns exactly its bytes: a view into a larger buffer would store the whole buffer. */
function ownBytes(values: Float32Array): Float32Array {
  return values.byteOffset === 0 && values.byteLength === values.buffer.byteLength ? values : values.slice();
}

/** The checkpoint with every tensor's values in a buffer of their own. */
export function compactCheckpoint(c: Checkpoint): Checkpoint {
  return {
    ...c,
    arms: c.arms.map((a) => ({
      ...a,
      weights: a.weights.map((w) => ({ shape: w.shape, values: ownBytes(w.values) })),
      optimizers: a.optimizers.map((o) => ({ ...o, slots: o.slots.map((s) => ({ shape: s.shape, values: ownBytes(s.values) })) })),
    })),
  };
}

/** The metadata an imported bundle is stored under, with a new id. */
export function metaFromBundle(b: ParsedBundle, now: number): ExperimentMeta {
  return {
    id: createExperimentId(now),
    name: b.name,
    createdAt: b.createdAt,
    updatedAt: now,
    status: b.status,
    config: b.config,
    manifest: b.manifest,
    summary: b.summary,
    recordCount: b.records.length,
    ...(b.error !== undefined ? { error: b.error } : {}),
  };
}

/** Newest first; ties (same millisecond) by id, so the order is stable. */
export function compareNewestFirst(a: ExperimentMeta, b: ExperimentMeta): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
