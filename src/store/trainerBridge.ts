import { ConfigError, parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import { assertNever, type MetricRecord } from '../engine/records';
import type { Checkpoint } from '../engine/checkpoint';
import { REINIT_ID, WORKER_CRASHED, type ArchiveOptions, type BackendName, type BackendReport, type DatasetSummary, type FromWorker, type LiveParams } from '../worker/protocol';
import { useAppStore, type AppStore } from './index';
import { createRunId, sha256, untilRunEnds, whenBackendReady, type StoreApi } from './runControl';
import { isRunActive } from './runSlice';

/**
 * The one place where worker events become store actions, and where the UI's commands become
 * worker requests. Events of any run but the current one are dropped.
 */

/** What the bridge needs of TrainerClient (a fake in tests). */
export interface TrainerClientLike {
  subscribe(fn: (m: FromWorker) => void): () => void;
  init(backend: BackendName | null, model: string): Promise<BackendReport>;
  loadDataset(dataset: string, inputSize: number, seed: number): Promise<DatasetSummary>;
  loadArchive(file: Blob, fileName: string, inputSize: number, seed: number, options: ArchiveOptions): { id: number; summary: Promise<DatasetSummary> };
  cancelLoad(id: number): void;
  start(runId: string, config: ExperimentConfig, resumeFrom?: Checkpoint): void;
  pause(runId: string): void;
  resume(runId: string): void;
  stop(runId: string): void;
  setParams(runId: string, arm: string, params: LiveParams): void;
  /** Starts a fresh worker after a WORKER_CRASHED error; it needs `init` and its dataset again. */
  restart(): void;
}


/** The commands components may give; none of them talks to the worker directly. */
export interface TrainerCommands {
  start(): void;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Sends changed live settings to the current run, applied from its next step (debounced). */
  setLiveParams(arm: string, params: LiveParams): void;
  /** Reads a dropped or picked archive; once it loads it replaces the dataset (and the task, if its layout needs another). */
  loadArchive(file: File): void;
  /** Cancels the archive load in flight; the earlier dataset stays. */
  cancelArchive(): void;
  /**
   * Trains `config` as the lab's run (charts, summary and saving as for Start) and resolves with
   * its records when it ends; an abort stops it. A backend still being chosen (at start-up, or for
   * a new worker after a crash) is waited for. Rejects when a run is going, the backend failed,
   * or the run fails. The sweep queue runs its cells through this.
   */
  runConfig(config: ExperimentConfig, signal?: AbortSignal): Promise<MetricRecord[]>;
  /**
   * Continues a saved run from its checkpoint (after a reload or a crashed worker): `records` are
   * those stored up to the checkpoint's step; the run keeps its id, so it is saved on.
   */
  resumeRun(id: string, config: ExperimentConfig, checkpoint: Checkpoint, records: readonly MetricRecord[]): void;
}

export interface BridgeOptions {
  forcedBackend: BackendName | null;
  store?: StoreApi;
  /** Quiet time before a slider's value is sent, in ms (default 150). */
  liveDelayMs?: number;
  /** Quiet time before a changed dataset setting reloads the dataset, in ms (default 300). */
  datasetDelayMs?: number;
  /** Receives every checkpoint of the current run (saved at each evaluation). */
  onCheckpoint?: (runId: string, checkpoint: Checkpoint) => void;
  /** Longest wait in runConfig for a backend still being chosen, in ms (default 120,000). */
  backendWaitMs?: number;
  /** The run resumed from its checkpoint at `step`: stored records after it must go. */
  onResumed?: (runId: string, step: number) => void;
}

function datasetKey(c: ExperimentConfig): string {
  return `${c.dataset}|${c.inputSize}|${c.seeds[0]}`;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** A request that failed because the worker crashed: the crash is reported once, by its own `error`. */
function isCrash(e: unknown): boolean {
  return e instanceof Error && e.name === WORKER_CRASHED;
}

/** Connects the client to the store: starts the preflight and the dataset, and routes events. */
export function connectTrainer(client: TrainerClientLike, opts: BridgeOptions): { commands: TrainerCommands; disconnect: () => void } {
  const store = opts.store ?? useAppStore;
  const liveDelay = opts.liveDelayMs ?? 150;
  const pendingLive = new Map<string, { params: LiveParams; timer: ReturnType<typeof setTimeout> }>();
  let datasetTimer: ReturnType<typeof setTimeout> | null = null;
  let archiveLoad: { id: number; file: File; cancelled: boolean } | null = null;
  /** The archive in use, re-read when its options change or a new worker starts. */
  let archiveFile: File | null = null;
  /** Set while a new worker replaces a crashed one; another crash then ends the recovery (no loop). */
  let recovering = false;
  const get = (): AppStore => store.getState();

  function onMessage(m: FromWorker): void {
    const s = get();
    switch (m.type) {
      case 'loadProgress':
        s.setArchiveProgress(m.id, m.progress, performance.now());
        return;
      case 'ready':
        // The worker chose a backend by itself after losing one; replies to init go through its promise.
        if (m.id === REINIT_ID) s.setBackendReady(m.report);
        return;
      case 'datasetReady':
      case 'benchResult':
        // Answered through the request's promise.
        return;
      case 'checkpoint':
        if (m.runId !== s.run.id) return;
        s.setCheckpointStep(m.checkpoint.step);
        opts.onCheckpoint?.(m.runId, m.checkpoint);
        return;
      case 'backendLost':
        s.setRunNotice(
          `The ${m.backend} backend was lost (${m.reason}).` +
            (m.runId && m.runId === s.run.id ? ` Resuming on the next backend from the last checkpoint (step ${s.run.checkpointStep ?? 0}); every metric so far is kept.` : ''),
        );
        return;
      case 'resumed':
        if (m.runId !== s.run.id) return;
        // The steps after the checkpoint are made again: drop the copies held (and stored).
        s.discardRecordsAfter(m.step);
        s.resumeRunAt(m.step);
        s.setRunNotice(`${s.run.notice ? `${s.run.notice} ` : ''}Resumed at step ${m.step} on ${m.backend}.`);
        opts.onResumed?.(m.runId, m.step);
        return;
      case 'started':
        if (m.runId === s.run.id) s.setRunPlan(m.totalSteps, m.stepsPerEpoch);
        return;
      case 'status':
        if (m.runId !== s.run.id) return;
        if (m.status === 'running' || m.status === 'paused') s.setRunStatus(m.status);
        return;
      case 'progress':
        if (m.runId === s.run.id) s.setProgress(m.progress);
        return;
      case 'metrics':
        if (m.runId === s.run.id) s.appendRecords(m.records);
        return;
      case 'samples':
        if (m.runId === s.run.id) s.setSamples(m.samples, m.palette);
        return;
      case 'done':
        if (m.runId !== s.run.id) return;
        cancelLive();
        s.finishRun(m.status === 'stopped', m.progress);
        return;
      case 'error': {
        const text = `${m.error.name}: ${m.error.message}`;
        if (m.id !== undefined) return;
        if (m.error.name === WORKER_CRASHED) {
          onWorkerCrashed(text);
          return;
        }
        if (m.runId !== undefined) {
          // A lost device is not the end of the run: the worker resumes it on the next backend.
          if (m.error.name === 'DeviceLostError') s.setRunNotice(text);
          else if (m.runId === s.run.id) s.failRun(text);
          return;
        }
        if (isRunActive(s.run.status)) s.failRun(text);
        else if (s.backend.state === 'pending') s.setBackendError(text);
        else s.failRun(text);
        return;
      }
      default:
        assertNever(m);
    }
  }

  function loadDataset(): Promise<void> {
    const c = get().config;
    const key = datasetKey(c);
    get().setDatasetLoading(key);
    get().clearArchiveError();
    return client.loadDataset(c.dataset, c.inputSize, c.seeds[0]).then(
      // A built-in is generated from its name, size and seed: they identify its content.
      (summary) => get().setDatasetReady(key, summary, `${c.dataset}@${c.inputSize}px/seed${c.seeds[0]}`),
      (e) => {
        if (!isCrash(e)) get().setDatasetError(key, describe(e));
      },
    );
  }

  /** Runs the backend preflight, with the backend forced by `?backend=` if any. */
  function initBackend(): Promise<void> {
    get().setBackendPending();
    return client.init(opts.forcedBackend, get().config.model).then(
      (report) => get().setBackendReady(report),
      (e) => {
        if (!isCrash(e)) get().setBackendError(describe(e));
      },
    );
  }

  /** Gives a new worker the dataset in use: a built-in by name, an archive from the File kept. */
  function reloadDataset(): Promise<void> {
    const c = get().config;
    const file = archiveFile;
    if (!file || !c.dataset.startsWith('archive:')) return loadDataset();
    const key = datasetKey(c);
    const hash = get().dataset.key === key ? get().dataset.contentHash : null;
    get().setDatasetLoading(key);
    return client.loadArchive(file, file.name, c.inputSize, c.seeds[0], get().archive.options).summary.then(
      (summary) => get().setDatasetReady(key, summary, hash),
      (e) => {
        if (!isCrash(e)) get().setDatasetError(key, describe(e));
      },
    );
  }

  /**
   * The worker crashed and is gone. A live run fails with the error, keeps every record and is
   * offered for resume from its checkpoint (StoredRunBanner, then `resumeRun`); a new worker
   * starts with the same backend choice and dataset. A worker that crashes before its backend
   * was ready, or while replacing another, is not replaced (that could loop): reload the page.
   */
  function onWorkerCrashed(text: string): void {
    cancelLive();
    const s = get();
    const active = isRunActive(s.run.status);
    if (s.backend.state !== 'ready' || recovering) {
      if (active) s.failRun(`${text}. Every metric received is kept and saved.`);
      s.setBackendError(
        `${text}${recovering ? ' while replacing a worker that had crashed' : ''}. Reload the page (a run resumes from its last checkpoint: Resume in the banner); if it happens again, try ?backend=cpu.`,
      );
      return;
    }
    if (active) {
      const at = s.run.checkpointStep;
      s.markRunCrashed(
        `${text}. Every metric received is kept and saved, and a new worker is starting. ` +
          (at === null ? 'The run had no checkpoint yet (one is saved at every evaluation): Start trains it again.' : `“Resume from the last checkpoint” continues the run from step ${at}.`),
        at !== null,
      );
    } else {
      s.setRunNotice(`${text}. Nothing was training; a new worker is starting.`);
    }
    recovering = true;
    client.restart();
    void Promise.all([initBackend(), reloadDataset()]).finally(() => {
      recovering = false;
    });
  }

  function loadArchive(file: File): void {
    const s = get();
    if (isRunActive(s.run.status)) return;
    if (archiveLoad) client.cancelLoad(archiveLoad.id);
    const { id, summary } = client.loadArchive(file, file.name, s.config.inputSize, s.config.seeds[0], s.archive.options);
    const load = { id, file, cancelled: false };
    archiveLoad = load;
    s.beginArchiveLoad(id, file.name, file.size, performance.now());
    summary.then(
      (summary) => {
        if (archiveLoad !== load) return;
        archiveLoad = null;
        archiveFile = file;
        const { config } = get();
        const task = summary.archive?.task ?? config.task;
        const patch = { dataset: summary.id, inputSize: summary.inputSize };
        // The dataset's key first, so that the config changes below do not ask for it again.
        const key = datasetKey({ ...config, ...patch });
        get().setDatasetLoading(key);
        get().setDatasetReady(key, summary);
        void sha256(file).then((hash) => {
          const d = get().dataset;
          if (d.key === key && d.state === 'ready' && d.summary) get().setDatasetReady(key, d.summary, hash);
        });
        // The layout decides the task; switching it brings that task's model and arm defaults.
        get().setTask(task);
        get().setConfig(patch);
        get().endArchiveLoad(id, null);
      },
      (e) => {
        if (archiveLoad !== load) return;
        archiveLoad = null;
        get().endArchiveLoad(id, load.cancelled ? null : describe(e));
      },
    );
  }

  function cancelLive(): void {
    for (const p of pendingLive.values()) clearTimeout(p.timer);
    pendingLive.clear();
  }

  const unsubscribeClient = client.subscribe(onMessage);
  const unsubscribeStore = store.subscribe((s, prev) => {
    if (s.config === prev.config || isRunActive(s.run.status)) return;
    if (datasetTimer) clearTimeout(datasetTimer);
    datasetTimer = null;
    if (datasetKey(s.config) === s.dataset.key) return;
    datasetTimer = setTimeout(() => void loadDataset(), opts.datasetDelayMs ?? 300);
  });
  const unsubscribeOptions = store.subscribe((s, prev) => {
    const now = s.archive.options;
    const was = prev.archive.options;
    if (now === was || !archiveFile || !s.config.dataset.startsWith('archive:')) return;
    // Only the layout that reads an option is read again when it changes.
    const layout = s.dataset.summary?.archive?.layout;
    if ((layout === 'cifar100' && now.cifarLabels !== was.cifarLabels) || (layout === 'pix2pix' && now.pairDirection !== was.pairDirection)) {
      loadArchive(archiveFile);
    }
  });

  void loadDataset();
  void initBackend();

  /**
   * Starts run `id` in the store and the worker: a new one from scratch, or a saved one from
   * its checkpoint with the records it had up to it.
   */
  function launch(id: string, config: ExperimentConfig, from?: { checkpoint: Checkpoint; records: readonly MetricRecord[] }): void {
    const s = get();
    s.resetMetrics();
    if (from) s.appendRecords(from.records);
    s.beginRun(id, config);
    if (from) {
      s.resumeRunAt(from.checkpoint.step);
      s.setCheckpointStep(from.checkpoint.step);
    }
    client.start(id, config, from?.checkpoint);
  }

  const commands: TrainerCommands = {
    start() {
      const s = get();
      if (isRunActive(s.run.status) || s.backend.state !== 'ready') return;
      let config: ExperimentConfig;
      try {
        config = parseExperimentConfig(s.config);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        s.resetMetrics();
        s.resetRun();
        s.failRun(`ConfigError: ${e.message}`);
        return;
      }
      launch(createRunId(), config);
    },
    pause() {
      const { run } = get();
      if (run.id && run.status === 'running') client.pause(run.id);
    },
    resume() {
      const { run } = get();
      if (run.id && run.status === 'paused') client.resume(run.id);
    },
    stop() {
      const { run } = get();
      if (run.id && isRunActive(run.status)) client.stop(run.id);
    },
    setLiveParams(arm, params) {
      const { run } = get();
      if (!run.id || !isRunActive(run.status)) return;
      const runId = run.id;
      const prev = pendingLive.get(arm);
      if (prev) clearTimeout(prev.timer);
      const merged = { ...prev?.params, ...params };
      const timer = setTimeout(() => {
        pendingLive.delete(arm);
        if (get().run.id === runId && isRunActive(get().run.status)) client.setParams(runId, arm, merged);
      }, liveDelay);
      pendingLive.set(arm, { params: merged, timer });
    },
    loadArchive,
    runConfig(config, signal) {
      const going = () => (isRunActive(get().run.status) ? new Error('A run is going: stop it first.') : null);
      const busy = going();
      if (busy) return Promise.reject(busy);
      const runToEnd = (): Promise<MetricRecord[]> => {
        const id = createRunId();
        launch(id, config);
        return untilRunEnds(store, id, () => client.stop(id), signal);
      };
      if (get().backend.state === 'ready') return runToEnd();
      // A backend still being chosen (at start-up, or for the new worker after a crash) is waited for.
      return whenBackendReady(store, signal, opts.backendWaitMs).then(() => {
        const nowBusy = going();
        if (nowBusy) throw nowBusy;
        return runToEnd();
      });
    },
    resumeRun(id, config, checkpoint, records) {
      const s = get();
      if (isRunActive(s.run.status) || s.backend.state !== 'ready') return;
      launch(id, config, { checkpoint, records: records.filter((r) => r.type !== 'summary' && r.step <= checkpoint.step) });
    },
    cancelArchive() {
      if (!archiveLoad) return;
      archiveLoad.cancelled = true;
      client.cancelLoad(archiveLoad.id);
    },
  };

  return {
    commands,
    disconnect: () => {
      cancelLive();
      if (datasetTimer) clearTimeout(datasetTimer);
      unsubscribeClient();
      unsubscribeStore();
      unsubscribeOptions();
    },
  };
}
