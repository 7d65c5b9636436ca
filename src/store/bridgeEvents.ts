import { assertNever } from '../engine/records';
import { REINIT_ID, WORKER_CRASHED, type FromWorker } from '../worker/protocol';
import type { BridgeContext } from './bridgeContext';
import { isRunActive } from './runSlice';

/**
 * Worker events become store actions here. Events of any run but the current one are dropped;
 * replies to requests (init, loadDataset, loadArchive, bench) go through the requests' promises.
 */
export function createWorkerEventHandler(
  { get, opts }: BridgeContext,
  on: { cancelLive(): void; workerCrashed(text: string): void },
): (m: FromWorker) => void {
  return function onMessage(m: FromWorker): void {
    const s = get();
    // A bench reply (debug builds only), answered through the request's promise.
    if ('result' in m) return;
    switch (m.type) {
      case 'loadProgress':
        s.setArchiveProgress(m.id, m.progress, performance.now());
        return;
      case 'ready':
        // The worker chose a backend by itself after losing one; replies to init go through its promise.
        if (m.id === REINIT_ID) s.setBackendReady(m.report);
        return;
      case 'backendProgress':
        s.setBackendProgress(m.text);
        return;
      case 'datasetReady':
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
        on.cancelLive();
        s.finishRun(m.status === 'stopped', m.progress);
        return;
      case 'error': {
        const text = `${m.error.name}: ${m.error.message}`;
        if (m.id !== undefined) return;
        if (m.error.name === WORKER_CRASHED) {
          on.workerCrashed(text);
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
  };
}
