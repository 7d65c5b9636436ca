import { createBackendSelection } from './backendSelection';
import { createDatasetCache } from './datasetCache';
import { DEBUG_HOOKS } from './debugHooks';
import { createDebugHandler } from './debugMessages';
import { RunStateError, toErrorInfo } from './errors';
import { createHandlerContext, type HandlerDeps, type Post, rejectUnknown } from './handlerContext';
import type { ToWorker } from './protocol';
import { createRunSession, type RunSession } from './runSession';

export type { HandlerDeps, Post } from './handlerContext';

/**
 * The worker's logic, free of worker globals so that Node tests can drive it with a fake
 * `post`. Its parts: backend selection and device loss (backendSelection.ts), the dataset and
 * archive cache (datasetCache.ts), the run session and its controls (runSession.ts), and, in
 * development and test builds only, the debug messages and the benchmark request
 * (debugMessages.ts, benchRequest.ts). Setup requests (init, loadDataset, loadArchive, start,
 * bench) run one after another; run control (pause, resume, stop, setParams) acts at once,
 * between training steps.
 *
 * Device loss: when the device under the backend is lost (deps.watchDeviceLoss, or an
 * out-of-memory / lost-device exception from a step), the run stops and the handler posts a
 * DeviceLostError `error` and `backendLost`, moves to the next backend of the order that passes
 * the preflight (`ready` with id REINIT_ID), and continues the run from the last checkpoint it
 * kept (`resumed`). Records after that checkpoint's step are made again.
 */

/** Creates the message handler; feed it every message the worker receives. */
export function createTrainerHandler(post: Post, deps: HandlerDeps): (msg: ToWorker) => Promise<void> {
  const ctx = createHandlerContext(post, deps);
  // The run session is made after the selection it uses; a loss can only be reported once both exist.
  let session: RunSession | null = null;
  const backends = createBackendSelection(ctx, (loss) => session?.lostDuringRun(loss) ?? false);
  const datasets = createDatasetCache(ctx);
  const runs = createRunSession(ctx, backends, datasets);
  session = runs;
  const debug = DEBUG_HOOKS ? createDebugHandler(ctx, backends, runs, datasets) : null;

  return async function handle(msg: ToWorker): Promise<void> {
    try {
      switch (msg.type) {
        case 'init':
          return await ctx.enqueue(() =>
            ctx.runTask({ id: msg.id }, () => {
              if (runs.activeId() !== null) throw new RunStateError('a run is in progress: stop it before changing the backend');
              return backends.init(msg.id, msg.backend, msg.model, { workload: msg.workload, remembered: msg.remembered, threads: msg.threads });
            }),
          );
        case 'loadDataset':
          return await ctx.enqueue(() =>
            ctx.runTask({ id: msg.id }, async () => {
              const { summary } = await datasets.ensure(msg.dataset, msg.inputSize, msg.seed);
              post({ type: 'datasetReady', id: msg.id, summary });
            }),
          );
        case 'loadArchive':
          // Registered now, not when the queue reaches it, so a cancel can overtake the load.
          datasets.registerArchiveLoad(msg.id);
          return await ctx.enqueue(() => ctx.runTask({ id: msg.id }, () => datasets.loadArchive(msg)));
        case 'cancelLoad':
          datasets.cancelArchiveLoad(msg.id);
          return;
        case 'start':
          return await runs.start(msg);
        case 'pause':
        case 'resume':
        case 'stop':
        case 'setParams':
          return await runs.control(msg);
        default:
          // Debug messages exist only in development and test builds; elsewhere they are unknown.
          return DEBUG_HOOKS ? await debug!(msg) : rejectUnknown(msg as never);
      }
    } catch (e) {
      post({ type: 'error', error: toErrorInfo(e) });
    }
  };
}
