import { type BridgeContext, datasetKey, describe, isCrash } from './bridgeContext';
import type { ExperimentConfig } from '../engine/config';
import { browserChoiceStorage, loadChoices, rememberChoice } from './backendChoiceCache';
import { isRunActive } from './runSlice';

/** What a measured backend choice is for, besides the adapter. */
const workloadKey = (c: ExperimentConfig): string => `${c.model}|${c.batchSize}|${c.inputSize}`;

/**
 * Dataset and backend sync: the worker gets the dataset of the config (reloaded, after a quiet
 * time, when a dataset setting changes and no run is going) and runs the backend preflight; a
 * crashed worker is replaced by a new one that gets both again.
 */

export interface DatasetBackendSync {
  loadDataset(): Promise<void>;
  /** Runs the backend preflight, with the backend forced by `?backend=` if any. */
  initBackend(): Promise<void>;
  /** The worker crashed and is gone (see the function's comment). */
  onWorkerCrashed(text: string): void;
  dispose(): void;
}

/**
 * `reloadArchive` gives a new worker the archive in use (null when the dataset is not one);
 * `cancelLive` drops the live setting changes not sent yet (a crashed worker's run is over).
 */
export function createDatasetBackendSync(ctx: BridgeContext, reloadArchive: () => Promise<void> | null, cancelLive: () => void): DatasetBackendSync {
  const { client, store, opts, get } = ctx;
  let datasetTimer: ReturnType<typeof setTimeout> | null = null;
  let backendTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set while a new worker replaces a crashed one; another crash then ends the recovery (no loop). */
  let recovering = false;
  const storage = opts.choiceStorage === undefined ? browserChoiceStorage() : opts.choiceStorage;
  /** Counts backend choices; an answer to any but the newest is dropped. */
  let initGen = 0;
  /** The workload (model, batch size, input size) the backend was last chosen for. */
  let chosenFor = '';

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

  /**
   * Chooses the backend: the one forced by `?backend=`, else the fastest measured on the config's
   * model, batch size and input size (remembered per adapter and workload, so instant next time).
   * Only the newest choice's answer counts.
   */
  function initBackend(): Promise<void> {
    get().setBackendPending();
    const gen = ++initGen;
    const { model, batchSize, inputSize } = get().config;
    chosenFor = workloadKey(get().config);
    const forced = opts.forcedBackend;
    const threads = opts.forcedThreads ?? undefined;
    const request = forced ? client.init(forced, model, undefined, undefined, threads) : client.init(null, model, { model, batchSize, inputSize }, loadChoices(storage));
    return request.then(
      (report) => {
        if (gen !== initGen) return;
        if (report.choice?.how === 'measured') rememberChoice(storage, report.choice);
        get().setBackendReady(report);
      },
      (e) => {
        if (gen === initGen && !isCrash(e)) get().setBackendError(describe(e));
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
    // The new worker gets the dataset in use: a built-in by name, an archive from the File kept.
    void Promise.all([initBackend(), reloadArchive() ?? loadDataset()]).finally(() => {
      recovering = false;
    });
  }

  const unsubscribeStore = store.subscribe((s, prev) => {
    if (s.config === prev.config || isRunActive(s.run.status)) return;
    // A measured choice holds for one model, batch size and input size: another is chosen for others.
    if (!opts.forcedBackend && s.backend.state !== 'error') {
      if (backendTimer) clearTimeout(backendTimer);
      backendTimer = null;
      if (workloadKey(s.config) !== chosenFor) backendTimer = setTimeout(() => void initBackend(), opts.backendDelayMs ?? 600);
    }
    if (datasetTimer) clearTimeout(datasetTimer);
    datasetTimer = null;
    if (datasetKey(s.config) === s.dataset.key) return;
    datasetTimer = setTimeout(() => void loadDataset(), opts.datasetDelayMs ?? 300);
  });

  return {
    loadDataset,
    initBackend,
    onWorkerCrashed,
    dispose() {
      if (datasetTimer) clearTimeout(datasetTimer);
      if (backendTimer) clearTimeout(backendTimer);
      unsubscribeStore();
    },
  };
}
