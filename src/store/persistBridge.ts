import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord, StepRecord } from '../engine/records';
import type { Checkpoint } from '../engine/checkpoint';
import { openExperimentStore, RecordWriter, type ExperimentMeta, type ExperimentStore, type OpenedStore } from '../persist';
import { useAppStore, type AppStore } from './index';
import { firstSeedOf, recordCount, recordsInMemory } from './metricsSlice';
import { isRunActive } from './runSlice';
import { storedSummaryOf, verdictsAreInterim } from './summary';
import { importJsonlFiles, type ImportProgress } from './importRecords';
import { isJsonlFile, nextTask } from '../persist/jsonlStream';

/**
 * Keeps every experiment in IndexedDB as it runs: the config and a manifest when a run starts,
 * its records as they arrive (flushed at least twice a second and when the page is hidden), its
 * status and summary when it ends. Opens, renames, deletes, exports and imports saved
 * experiments. It watches the store and never talks to the worker.
 */

type StoreApi = Pick<typeof useAppStore, 'getState' | 'subscribe'>;

/** Facts about where a run happened, saved with it and exported as its manifest. */
export interface ManifestFacts {
  appVersion: string;
  tfjsVersion: string;
}

export interface ExperimentCommands {
  /** Shows a saved experiment's charts and summary and, unless `settings` is false, puts its settings back (not while a run is going). */
  open(id: string, settings?: boolean): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  /** The experiment as a bundle (config, manifest, summary, records), JSON-ready. */
  exportBundle(id: string): Promise<unknown>;
  /** Stores a bundle from a file; returns its new id. Throws a BundleError naming what is wrong. */
  importBundle(text: string, fileName: string): Promise<string>;
  /**
   * Imports files: .rglab.json bundles one by one, JSONL records (the runner's, train.py's) all
   * together as one experiment. Returns the new ids; throws naming the file (and line) at fault,
   * after storing the bundles that were good.
   */
  importFiles(files: readonly File[], onProgress?: (p: ImportProgress) => void): Promise<string[]>;
  /** Writes what is queued now (page hidden or closing). */
  flush(): Promise<void>;
  /** The manifest saved with an experiment; null when there is none with this id. */
  manifest(id: string): Promise<Record<string, unknown> | null>;
  /** Every record of a saved experiment (for comparing experiments). */
  records(id: string): Promise<MetricRecord[]>;
  /** Keeps the newest checkpoint of the run being saved (one per experiment). */
  saveCheckpoint(id: string, checkpoint: Checkpoint): void;
  /** The run resumed from its checkpoint at `step`: stored records after it go (they are made again). */
  discardAfter(id: string, step: number): Promise<void>;
  /** What a resume of a saved experiment needs: its config, its checkpoint and its records up to the checkpoint; null without a checkpoint. */
  resumable(id: string): Promise<{ config: ExperimentConfig; checkpoint: Checkpoint; records: MetricRecord[] } | null>;
}

export interface PersistOptions {
  store?: StoreApi;
  facts: ManifestFacts;
  open?: () => Promise<OpenedStore>;
  /** Longest wait before records are written, ms (default 500). */
  flushMs?: number;
  /** Show the newest saved experiment on startup (default true). */
  showLatest?: boolean;
  /** Whether to put its settings back on startup too (default yes; a link with other settings says no). */
  restoreSettings?: boolean | ((meta: ExperimentMeta) => boolean);
}

/** The manifest of a run: config, seeds, backend and adapter, versions, dataset and its content hash. */
export function buildManifest(s: AppStore, config: ExperimentConfig, facts: ManifestFacts): Record<string, unknown> {
  const report = s.backend.report;
  const summary = s.dataset.summary;
  return {
    format: 'rg-lab-manifest',
    version: 1,
    source: 'lab',
    createdAt: new Date().toISOString(),
    app: { name: 'rg-lab', version: facts.appVersion },
    tfjs: facts.tfjsVersion,
    backend: report?.backend ?? null,
    adapter: report?.adapter ?? null,
    seeds: config.seeds,
    dataset: {
      name: config.dataset,
      fileName: summary?.name ?? null,
      contentHash: s.dataset.contentHash,
      inputSize: config.inputSize,
      numTrain: summary?.numTrain ?? null,
      numTest: summary?.numTest ?? null,
      classes: summary?.classNames.length ?? null,
    },
    config,
  };
}

/** Where a stored run got to, from its records. */
function planOf(config: ExperimentConfig, records: readonly MetricRecord[]) {
  let step = 0;
  let epoch = 0;
  let stepsPerEpoch = 0;
  for (const r of records) {
    if (r.type !== 'step') continue;
    if (r.step > step) {
      step = r.step;
      epoch = r.epoch;
    }
    if (!stepsPerEpoch && r.epoch > 0) stepsPerEpoch = Math.round(r.step / r.epoch);
  }
  const totalSteps = config.steps ?? (config.epochs && stepsPerEpoch ? config.epochs * stepsPerEpoch : step);
  return { step, epoch, stepsPerEpoch, totalSteps };
}

/** The run's summary as saved with it: per arm the headline metric's final and best mean, and the verdicts. */
function storedSummary(s: AppStore): unknown {
  const config = s.run.config;
  if (!config) return null;
  const records = [...Object.values(s.evalsByArm).flatMap((bySeed) => Object.values(bySeed).flat()), ...s.diverged, ...s.summaries];
  const steps = Math.max(0, ...config.arms.map((a) => (firstSeedOf<StepRecord>(s.stepsByArm, a.name).at(-1)?.step ?? 0)));
  return storedSummaryOf(config, records, s.ui.baseline, s.ui.targetAccuracy, steps, verdictsAreInterim(s.run));
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Every record of the run shown: the saved copy (the store keeps a long run's steps thinned, see
 * stepHistory.ts), or what the store holds where the saved copy is missing or falls short of
 * what the run received (storage failed; then a long run's steps come thinned).
 */
export async function runRecords(s: AppStore, saved: (id: string) => Promise<MetricRecord[]>): Promise<MetricRecord[]> {
  const stored = s.run.id ? await saved(s.run.id).catch(() => []) : [];
  return stored.length >= recordCount(s) ? stored : recordsInMemory(s);
}

/** Records handed to the store at once when a saved experiment is opened. */
const OPEN_SLICE = 20_000;

/** Connects the persistence layer to the app store. */
export function connectPersistence(opts: PersistOptions): { commands: ExperimentCommands; ready: Promise<void>; disconnect: () => void } {
  const app = opts.store ?? useAppStore;
  const get = (): AppStore => app.getState();
  let db: ExperimentStore | null = null;
  let writer: RecordWriter | null = null;
  /** The live run being saved (its records are taken from the store's `unsaved` as they come). */
  let saving: { id: string; created: Promise<void> } | null = null;
  /** Set while stored records after a resume point are being removed: new records wait. */
  let holding = false;
  /** That removal, which the end of a run waits for before writing the records held back. */
  let discarding: Promise<void> = Promise.resolve();
  /** The writing of the last run's end (its last records, summary and status): a resume waits for it. */
  let finishing: Promise<void> = Promise.resolve();
  let unsubscribe: () => void = () => {};

  const warn = (warning: string | null) => get().setExperiments({ warning });
  const refresh = async () => {
    if (db) get().setExperiments({ list: await db.list() });
  };

  /** Starts saving a new run. Synchronous, so records arriving at once are not missed; writes wait for the experiment to exist. */
  function startSaving(id: string, config: ExperimentConfig): void {
    if (!db) return;
    const store = db;
    void writer?.close();
    // A resumed run keeps its experiment (its records up to the checkpoint are stored already).
    const created = store
      .getExperiment(id)
      .then(async (found) => {
        if (found) await store.setStatus(id, 'running');
        else await store.createExperiment(config, buildManifest(get(), config, opts.facts), undefined, id);
      })
      .then(
      () => refresh(),
      (e: unknown) => {
        warn(`This run is not being saved: ${describe(e)}`);
        throw e;
      },
    );
    created.catch(() => undefined);
    // What the store holds now is stored already (a resumed run's records up to its checkpoint).
    get().takeUnsaved();
    saving = { id, created };
    writer = new RecordWriter(
      {
        appendRecords: async (experiment, records) => {
          await created;
          return store.appendRecords(experiment, records);
        },
      },
      id,
      { intervalMs: opts.flushMs ?? 500, onError: (e) => warn(e.message), onRecover: () => warn(null) },
    );
    push();
  }

  function push(): void {
    const s = get();
    if (!saving || !writer || holding || s.run.id !== saving.id || s.unsaved.length === 0) return;
    writer.push(s.takeUnsaved());
  }

  async function finishSaving(status: 'done' | 'stopped' | 'error', error?: string): Promise<void> {
    const run = saving;
    const w = writer;
    if (!db || !run || !w) return;
    // Records held back while a cut after a resume is made are still in the store.
    await discarding;
    const rest = get().takeUnsaved();
    saving = null;
    writer = null;
    if (rest.length > 0) w.push(rest);
    await w.close();
    try {
      await db.setSummary(run.id, storedSummary(get()));
      await db.setStatus(run.id, status, error);
    } catch (e) {
      warn(`The end of this run was not saved: ${describe(e)}`);
    }
    await refresh();
  }

  const onStore = (s: AppStore, prev: AppStore) => {
    // A run starts (a new one, or a saved one resumed under its own id).
    if (s.run.id && s.run.config && !s.run.stored && isRunActive(s.run.status) && !isRunActive(prev.run.status) && saving?.id !== s.run.id) {
      startSaving(s.run.id, s.run.config);
      return;
    }
    if (s.unsaved !== prev.unsaved) push();
    if (saving && s.run.id === saving.id && isRunActive(prev.run.status) && !isRunActive(s.run.status)) {
      finishing = finishSaving(s.run.status === 'error' ? 'error' : s.run.stopped ? 'stopped' : 'done', s.run.error ?? undefined).catch(() => undefined);
    }
  };

  const onHide = () => {
    if (document.visibilityState === 'hidden') void writer?.flush();
  };

  const commands: ExperimentCommands = {
    async open(id, settings = true) {
      if (!db || isRunActive(get().run.status)) return;
      const meta: ExperimentMeta | null = await db.getExperiment(id);
      if (!meta) return;
      const records = await db.getRecords(id);
      const s = get();
      s.resetMetrics();
      s.showStoredRun(id, meta.config, { ...planOf(meta.config, records), interrupted: meta.status === 'interrupted', stopped: meta.status === 'stopped', resumable: meta.status !== 'done' && meta.status !== 'running' });
      // In slices, the page getting a turn between them: an imported run may hold a million records.
      for (let i = 0; i < records.length; i += OPEN_SLICE) {
        if (i > 0) await nextTask();
        // Another experiment opened (or a run started) meanwhile: that one is shown now.
        if (get().run.id !== id) return;
        get().appendRecords(records.slice(i, i + OPEN_SLICE));
        // They are stored already.
        get().takeUnsaved();
      }
      // Its settings come back too, so Start runs it again, unless its archive is not the one loaded.
      if (settings && (meta.config.dataset.startsWith('builtin:') || meta.config.dataset === s.config.dataset)) s.setConfig(meta.config);
    },
    async rename(id, name) {
      await db?.rename(id, name);
      await refresh();
    },
    async remove(id) {
      if (!db || saving?.id === id) return;
      await db.delete(id);
      const s = get();
      if (s.run.id === id && !isRunActive(s.run.status)) {
        s.resetMetrics();
        s.resetRun();
      }
      s.setExperiments({ compare: s.experiments.compare.filter((c) => c !== id) });
      await refresh();
    },
    async exportBundle(id) {
      if (saving?.id === id) await writer?.flush();
      if (!db) throw new Error('Saved experiments are not open yet.');
      return db.exportBundle(id);
    },
    async importBundle(text, fileName) {
      if (!db) throw new Error('Saved experiments are not open yet.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new Error(`${fileName}: not JSON (${describe(e)})`);
      }
      let id: string;
      try {
        id = await db.importBundle(parsed);
      } catch (e) {
        throw new Error(`${fileName}: ${describe(e)}`);
      }
      await refresh();
      return id;
    },
    async importFiles(files, onProgress) {
      if (!db) throw new Error('Saved experiments are not open yet.');
      const kinds = await Promise.all(files.map((f) => isJsonlFile(f)));
      const ids: string[] = [];
      try {
        for (const [i, f] of files.entries()) if (!kinds[i]) ids.push(await commands.importBundle(await f.text(), f.name));
        const jsonl = files.filter((_, i) => kinds[i]);
        if (jsonl.length) {
          const { ui } = get();
          ids.push((await importJsonlFiles(db, jsonl, { baseline: ui.baseline, target: ui.targetAccuracy, onProgress })).id);
        }
      } finally {
        await refresh();
      }
      return ids;
    },
    async flush() {
      await writer?.flush();
    },
    async manifest(id) {
      return (await db?.getExperiment(id))?.manifest ?? null;
    },
    saveCheckpoint(id, checkpoint) {
      const store = db;
      if (!store) return;
      const created = saving?.id === id ? saving.created : Promise.resolve();
      created.then(() => store.saveCheckpoint(id, checkpoint)).catch((e: unknown) => warn(`A checkpoint was not saved: ${describe(e)}`));
    },
    async discardAfter(id, step) {
      if (!db || !saving || saving.id !== id || !writer) return;
      const store = db;
      const w = writer;
      // The in-memory records were cut already; new ones wait in the store until the stored copies are cut too.
      holding = true;
      discarding = (async () => {
        try {
          await w.flush();
          await store.discardRecordsAfter(id, step);
        } catch (e) {
          warn(`Records after step ${step} could not be removed from storage: ${describe(e)}`);
        } finally {
          holding = false;
          push();
        }
      })();
      await discarding;
    },
    async resumable(id) {
      // A run whose worker crashed a moment ago may still be writing its last records.
      await finishing;
      if (!db) return null;
      const [meta, checkpoint] = await Promise.all([db.getExperiment(id), db.loadCheckpoint(id)]);
      if (!meta || !checkpoint) return null;
      await db.discardRecordsAfter(id, checkpoint.step);
      return { config: meta.config, checkpoint, records: await db.getRecords(id) };
    },
    async records(id) {
      if (saving?.id === id) await writer?.flush();
      return db ? db.getRecords(id) : [];
    },
  };

  const ready = (async () => {
    const opened = await (opts.open ?? openExperimentStore)();
    db = opened.store;
    get().setExperiments({ storage: db.persistent ? 'indexeddb' : 'memory', warning: opened.error?.message ?? null });
    await db.markInterrupted();
    await refresh();
    unsubscribe = app.subscribe(onStore);
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', onHide);
      window.addEventListener('pagehide', onHide);
    }
    const latest = get().experiments.list[0];
    if ((opts.showLatest ?? true) && latest && get().run.status === 'idle' && recordCount(get()) === 0) await commands.open(latest.id, typeof opts.restoreSettings === 'function' ? opts.restoreSettings(latest) : (opts.restoreSettings ?? true));
  })().catch((e: unknown) => warn(`Saved experiments could not be read: ${describe(e)}`));

  return {
    commands,
    ready,
    disconnect: () => {
      unsubscribe();
      if (typeof document !== 'undefined') {
        document.removeEventListener('visibilitychange', onHide);
        window.removeEventListener('pagehide', onHide);
      }
      void writer?.close();
    },
  };
}
