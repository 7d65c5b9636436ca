import { type Checkpoint, checkpointBuffers, copyCheckpointTensors } from '../engine/checkpoint';
import { type ExperimentConfig, parseExperimentConfig } from '../engine/config';
import type { Dataset } from '../engine/dataset';
import type { MetricRecord } from '../engine/records';
import { Trainer, type ArmSamples, type LiveParams, type TrainerProgress } from '../engine/trainer';
import type { BackendSelection } from './backendSelection';
import type { DatasetCache } from './datasetCache';
import { describeDeviceFailure } from './deviceLoss';
import { DeviceLostError, RunStateError, toErrorInfo } from './errors';
import { type DeviceLoss, type HandlerContext, rejectUnknown, yieldOnce } from './handlerContext';
import type { ToWorker } from './protocol';

/**
 * The run session: one run at a time, its records batched into `metrics` messages, its controls
 * (pause, resume, stop, setParams) applied at once between training steps, and its recovery
 * from a device loss: the run stops, the handler moves to the next backend that passes the
 * preflight, and the run continues from the last checkpoint it kept (`resumed`); records after
 * that checkpoint's step are made again.
 */

/** A live setting change, applied from `step` on. */
interface ParamChange {
  step: number;
  arm: string;
  params: LiveParams;
}

interface ActiveRun {
  id: string;
  trainer: Trainer | null;
  paused: boolean;
  pauseAnnounced: boolean;
  stopRequested: boolean;
  pendingParams: { arm: string; params: LiveParams }[];
  buffer: MetricRecord[];
  progress: TrainerProgress | null;
  progressSent: TrainerProgress | null;
  lastFlush: number;
  /** Whether `started` has been posted (once per run, whatever the retries). */
  started: boolean;
  /** The latest checkpoint, to continue from after a device loss. */
  checkpoint: Checkpoint | null;
  /** Live changes made after `checkpoint`, applied again when the run continues from it. */
  changes: ParamChange[];
  /** Set when the device under the run's backend is lost. */
  lost: DeviceLoss | null;
}

export interface RunSession {
  /** The id of the run going, or null. */
  activeId(): string | null;
  /** Starts a run, or posts a RunStateError when one is going. */
  start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void>;
  /** Pause, resume, stop or setParams; a message for a run that has ended or been replaced is dropped. */
  control(msg: Extract<ToWorker, { type: 'pause' | 'resume' | 'stop' | 'setParams' }>): Promise<void>;
  /** Hands a device loss to the run going, which stops at its next step; false when no run is going. */
  lostDuringRun(loss: DeviceLoss): boolean;
}

export function createRunSession(ctx: HandlerContext, backends: BackendSelection, datasets: DatasetCache): RunSession {
  const { post, now } = ctx;
  let run: ActiveRun | null = null;

  /** Posts buffered records and the latest progress, at most once per interval unless forced. */
  function flush(r: ActiveRun, force: boolean): void {
    const t = now();
    if (!force && t - r.lastFlush < ctx.interval) return;
    r.lastFlush = t;
    if (r.buffer.length) {
      post({ type: 'metrics', runId: r.id, records: r.buffer });
      r.buffer = [];
    }
    if (r.progress && r.progress !== r.progressSent) {
      post({ type: 'progress', runId: r.id, progress: r.progress });
      r.progressSent = r.progress;
    }
  }

  /**
   * Posts an arm's sample images after the records before them. The bytes are copied into
   * buffers of their own (a few KB) and those are moved, so no engine buffer is ever detached.
   */
  function postSamples(r: ActiveRun, samples: ArmSamples, palette: [number, number, number][] | null): void {
    flush(r, true);
    const s = samples.samples;
    const [input, target, output] = [s.input.slice(), s.target.slice(), s.output.slice()];
    post({ type: 'samples', runId: r.id, samples: { ...samples, samples: { ...s, input, target, output } }, palette }, [input.buffer, target.buffer, output.buffer]);
  }

  /** Keeps the checkpoint and posts a copy of it (its buffers moved) after the records before it. */
  function postCheckpoint(r: ActiveRun, c: Checkpoint): void {
    r.checkpoint = c;
    r.changes = r.changes.filter((p) => p.step > c.step);
    flush(r, true);
    const copy = copyCheckpointTensors(c);
    post({ type: 'checkpoint', runId: r.id, checkpoint: copy }, checkpointBuffers(copy));
  }

  async function startRun(msg: Extract<ToWorker, { type: 'start' }>, r: ActiveRun): Promise<void> {
    try {
      const config = parseExperimentConfig(msg.config);
      await backends.ensureModelSupported(config.model);
      const { data } = await datasets.ensure(config.dataset, config.inputSize, config.seeds[0]);
      if (r.stopRequested) {
        post({ type: 'done', runId: r.id, status: 'stopped', progress: null });
        return;
      }
      r.checkpoint = msg.resumeFrom ?? null;
      for (let retry = false; ; retry = true) {
        const lost = await trainOnce(config, data, r, retry);
        if (!lost) return;
        const at = r.progress?.step ?? 0;
        const from = r.checkpoint ? `its last checkpoint (step ${r.checkpoint.step}); records after step ${r.checkpoint.step} are made again` : 'the start';
        const message = `${lost.backend} stopped working at step ${at}: ${lost.reason}. The run goes on from ${from}, on the next backend that passes the check.`;
        post({ type: 'error', runId: r.id, error: toErrorInfo(new DeviceLostError(message)) });
        post({ type: 'backendLost', runId: r.id, backend: lost.backend, reason: lost.reason });
        r.lost = null;
        await backends.reinitAfterLoss(lost, config.model);
        if (r.stopRequested) {
          post({ type: 'done', runId: r.id, status: 'stopped', progress: r.progress });
          return;
        }
      }
    } finally {
      if (run === r) run = null;
      // A loss the run finished before noticing: replace the backend now.
      if (r.lost) backends.onDeviceLost(r.lost.backend, r.lost.reason);
    }
  }

  /**
   * Trains once on the backend in use, from `r.checkpoint` when there is one (always when
   * `retry`, after a device loss). Resolves with the device loss that ended it, or null when
   * the run finished; any other failure is thrown.
   */
  async function trainOnce(config: ExperimentConfig, data: Dataset, r: ActiveRun, retry: boolean): Promise<DeviceLoss | null> {
    if (r.lost) return r.lost;
    const backend = backends.report?.backend;
    if (!backend) throw new RunStateError('the backend is not ready: reload the page');
    let trainer: Trainer | null = null;
    try {
      const t = new Trainer({
        config,
        dataset: data,
        onRecord: (rec) => r.buffer.push(rec),
        onSamples: (s) => postSamples(r, s, config.task === 'segment' && data.kind === 'segment' ? data.palette : null),
        onCheckpoint: (c) => postCheckpoint(r, c),
        onProgress: (p) => {
          r.progress = p;
          flush(r, false);
        },
        yieldToHost: async () => {
          await yieldOnce();
          if (r.paused && !r.pauseAnnounced) {
            r.pauseAnnounced = true;
            flush(r, true);
            post({ type: 'status', runId: r.id, status: 'paused' });
          }
        },
      });
      trainer = t;
      const from = r.checkpoint;
      if (from) t.restore(from);
      r.trainer = t;
      if (!r.started) {
        r.started = true;
        post({ type: 'started', runId: r.id, totalSteps: t.totalSteps, stepsPerEpoch: t.stepsPerEpoch });
      }
      if (from || retry) post({ type: 'resumed', runId: r.id, step: from?.step ?? 0, backend });
      // Changes made after the checkpoint apply again from its next step: the page still shows them.
      const changes = [...r.changes, ...r.pendingParams].map((c) => ({ step: t.step + 1, arm: c.arm, params: c.params }));
      for (const c of changes) t.setParams(c.arm, c.params);
      r.changes = changes;
      r.pendingParams = [];
      r.pauseAnnounced = false;
      post({ type: 'status', runId: r.id, status: 'running' });
      const done = t.run();
      if (r.paused) t.pause();
      await done;
      flush(r, true);
      post({ type: 'done', runId: r.id, status: t.status === 'stopped' ? 'stopped' : 'done', progress: r.progress });
      return null;
    } catch (e) {
      // A lost context or device may first show as a failing kernel: let its event arrive.
      await yieldOnce();
      if (!r.lost) {
        const reason = describeDeviceFailure(e);
        if (reason === null) throw e;
        r.lost = { backend, reason };
      }
      return r.lost;
    } finally {
      r.trainer = null;
      flush(r, true);
      try {
        trainer?.dispose();
      } catch {
        // The device is gone, and its memory with it.
      }
    }
  }

  function control(msg: Extract<ToWorker, { type: 'pause' | 'resume' | 'stop' | 'setParams' }>): Promise<void> {
    const r = run;
    // A message for a run that has ended or been replaced is stale: nothing to do.
    if (!r || r.id !== msg.runId) return Promise.resolve();
    return ctx.runTask({ runId: r.id }, () => {
      switch (msg.type) {
        case 'pause':
          if (r.paused) return;
          r.paused = true;
          r.pauseAnnounced = false;
          r.trainer?.pause();
          if (!r.trainer) {
            r.pauseAnnounced = true;
            post({ type: 'status', runId: r.id, status: 'paused' });
          }
          return;
        case 'resume':
          if (!r.paused) return;
          r.paused = false;
          r.trainer?.resume();
          post({ type: 'status', runId: r.id, status: 'running' });
          return;
        case 'stop':
          r.stopRequested = true;
          r.trainer?.stop();
          return;
        case 'setParams':
          if (!r.trainer) {
            r.pendingParams.push({ arm: msg.arm, params: msg.params });
            return;
          }
          r.trainer.setParams(msg.arm, msg.params);
          r.changes.push({ step: r.trainer.step + 1, arm: msg.arm, params: msg.params });
          flush(r, true);
          return;
        default:
          return rejectUnknown(msg);
      }
    });
  }

  function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
    if (run) {
      post({ type: 'error', runId: msg.runId, error: toErrorInfo(new RunStateError(`run ${run.id} is still going: stop it before starting another`)) });
      return Promise.resolve();
    }
    const r: ActiveRun = {
      id: msg.runId,
      trainer: null,
      paused: false,
      pauseAnnounced: false,
      stopRequested: false,
      pendingParams: [],
      buffer: [],
      progress: null,
      progressSent: null,
      lastFlush: now(),
      started: false,
      checkpoint: null,
      changes: [],
      lost: null,
    };
    run = r;
    return ctx.enqueue(() => ctx.runTask({ runId: msg.runId }, () => startRun(msg, r)));
  }

  return {
    activeId: () => run?.id ?? null,
    start,
    control,
    lostDuringRun(loss) {
      const r = run;
      if (!r) return false;
      if (!r.lost) {
        r.lost = loss;
        r.trainer?.abort(new DeviceLostError(loss.reason));
      }
      return true;
    },
  };
}
