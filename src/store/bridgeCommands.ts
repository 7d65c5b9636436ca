import { ConfigError, parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import type { Checkpoint } from '../engine/checkpoint';
import type { MetricRecord } from '../engine/records';
import type { LiveParams } from '../worker/protocol';
import type { ArchiveLoader } from './bridgeArchive';
import type { BridgeContext } from './bridgeContext';
import { createRunId, untilRunEnds, whenBackendReady } from './runControl';
import { isRunActive } from './runSlice';

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

/**
 * The run commands: start, pause, resume, stop, a run of a given config (the sweep's), resuming
 * a saved run, and live setting changes, debounced per arm (`cancelLive` drops those not sent yet).
 */
export function createRunCommands({ client, store, opts, get }: BridgeContext, archive: ArchiveLoader): { commands: TrainerCommands; cancelLive: () => void } {
  const liveDelay = opts.liveDelayMs ?? 150;
  const pendingLive = new Map<string, { params: LiveParams; timer: ReturnType<typeof setTimeout> }>();

  function cancelLive(): void {
    for (const p of pendingLive.values()) clearTimeout(p.timer);
    pendingLive.clear();
  }

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
    loadArchive: (file) => archive.load(file),
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
    cancelArchive: () => archive.cancel(),
  };
  return { commands, cancelLive };
}
