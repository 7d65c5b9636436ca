import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import { createBundle, parseBundle } from './bundle';
import { ExperimentNotFoundError } from './errors';
import { checkCheckpoint, compactCheckpoint, compareNewestFirst, createMeta, isKeptAfterResume, metaFromBundle, normaliseName } from './meta';
import type { Checkpoint, ExperimentBundle, ExperimentManifest, ExperimentMeta, ExperimentStatus, ExperimentStore } from './types';

/**
 * The ExperimentStore for when IndexedDB cannot be used: the same API and behaviour, kept in
 * this page's memory (lost on reload). Values are copied in and out with structuredClone, as
 * IndexedDB would, so callers cannot change what is stored by mutating what they passed.
 */
export class MemoryExperimentStore implements ExperimentStore {
  readonly persistent = false;
  private readonly experiments = new Map<string, ExperimentMeta>();
  private readonly records = new Map<string, MetricRecord[]>();
  private readonly checkpoints = new Map<string, Checkpoint>();

  constructor(private readonly now: () => number = Date.now) {}

  private meta(id: string): ExperimentMeta {
    const m = this.experiments.get(id);
    if (!m) throw new ExperimentNotFoundError(id);
    return m;
  }

  private update(id: string, change: (m: ExperimentMeta) => ExperimentMeta): void {
    this.experiments.set(id, { ...change(this.meta(id)), id, updatedAt: this.now() });
  }

  async createExperiment(config: ExperimentConfig, manifest: ExperimentManifest, name?: string, id?: string): Promise<string> {
    const meta = createMeta(structuredClone(config), structuredClone(manifest), this.now(), name, id);
    if (this.experiments.has(meta.id)) throw new DOMException(`An experiment with id "${meta.id}" exists`, 'ConstraintError');
    this.experiments.set(meta.id, meta);
    this.records.set(meta.id, []);
    return meta.id;
  }

  async getExperiment(id: string): Promise<ExperimentMeta | null> {
    const m = this.experiments.get(id);
    return m ? structuredClone(m) : null;
  }

  async list(): Promise<ExperimentMeta[]> {
    return structuredClone([...this.experiments.values()]).sort(compareNewestFirst);
  }

  async appendRecords(id: string, records: readonly MetricRecord[]): Promise<void> {
    const meta = this.meta(id);
    if (records.length === 0) return;
    const stored = this.records.get(id) ?? [];
    for (const r of structuredClone(records)) stored.push(r);
    this.records.set(id, stored);
    this.experiments.set(id, { ...meta, recordCount: stored.length, updatedAt: this.now() });
  }

  async getRecords(id: string): Promise<MetricRecord[]> {
    this.meta(id);
    return structuredClone(this.records.get(id) ?? []);
  }

  async discardRecordsAfter(id: string, step: number): Promise<number> {
    const meta = this.meta(id);
    const all = this.records.get(id) ?? [];
    const kept = all.filter((r) => isKeptAfterResume(r, step));
    const removed = all.length - kept.length;
    if (removed > 0) {
      this.records.set(id, kept);
      this.experiments.set(id, { ...meta, recordCount: kept.length, updatedAt: this.now() });
    }
    return removed;
  }

  async setStatus(id: string, status: ExperimentStatus, error?: string): Promise<void> {
    this.update(id, ({ error: _old, ...m }) => ({ ...m, status, ...(status === 'error' && error !== undefined ? { error } : {}) }));
  }

  async setSummary(id: string, summary: unknown): Promise<void> {
    const copy = structuredClone(summary);
    this.update(id, (m) => ({ ...m, summary: copy }));
  }

  async rename(id: string, name: string): Promise<void> {
    const n = normaliseName(name);
    this.update(id, (m) => ({ ...m, name: n }));
  }

  async delete(id: string): Promise<void> {
    this.experiments.delete(id);
    this.records.delete(id);
    this.checkpoints.delete(id);
  }

  async saveCheckpoint(id: string, checkpoint: Checkpoint): Promise<void> {
    checkCheckpoint(checkpoint);
    this.meta(id);
    this.checkpoints.set(id, structuredClone(compactCheckpoint(checkpoint)));
  }

  async loadCheckpoint(id: string): Promise<Checkpoint | null> {
    this.meta(id);
    const c = this.checkpoints.get(id);
    return c ? structuredClone(c) : null;
  }

  async markInterrupted(isLive?: (id: string) => boolean | Promise<boolean>): Promise<string[]> {
    const changed: string[] = [];
    const isRunning = (id: string): boolean => this.experiments.get(id)?.status === 'running';
    for (const id of [...this.experiments.keys()]) {
      if (!isRunning(id) || (isLive && (await isLive(id))) || !isRunning(id)) continue;
      this.update(id, (m) => ({ ...m, status: 'interrupted' }));
      changed.push(id);
    }
    return changed;
  }

  async exportBundle(id: string): Promise<ExperimentBundle> {
    return createBundle(structuredClone(this.meta(id)), structuredClone(this.records.get(id) ?? []));
  }

  async importBundle(bundle: unknown): Promise<string> {
    const parsed = parseBundle(bundle, this.now());
    const copy = structuredClone(parsed);
    const meta = metaFromBundle(copy, this.now());
    this.experiments.set(meta.id, meta);
    this.records.set(meta.id, copy.records);
    return meta.id;
  }

  close(): void {
    // Nothing to release; what is stored stays until the page goes.
  }
}
