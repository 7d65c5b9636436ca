import type { BackendSelection } from './backendSelection';
import { runBench } from './benchRequest';
import type { DatasetCache } from './datasetCache';
import { RunStateError } from './errors';
import { type HandlerContext, rejectUnknown } from './handlerContext';
import type { DebugToWorker } from './protocol';
import type { RunSession } from './runSession';

/**
 * The worker's side of the debug hooks (only in builds with DEBUG_HOOKS): a simulated device
 * loss, a real crash, and the benchmark request.
 */
export function createDebugHandler(ctx: HandlerContext, backends: BackendSelection, runs: RunSession, datasets: DatasetCache): (msg: DebugToWorker) => Promise<void> {
  return async (msg) => {
    switch (msg.type) {
      case 'bench':
        return ctx.enqueue(() =>
          ctx.runTask({ id: msg.id }, () => {
            const going = runs.activeId();
            if (going !== null) throw new RunStateError(`run ${going} is still going: stop it before benchmarking`);
            return runBench(ctx, datasets, backends.report?.backend ?? null, msg.id, msg.request);
          }),
        );
      case 'simulateDeviceLoss': {
        const report = backends.report;
        if (report) backends.onDeviceLost(report.backend, msg.reason ?? 'simulated (a debug message)');
        return;
      }
      case 'crashWorker':
        ctx.deps.crashWorker?.();
        return;
      default:
        return rejectUnknown(msg);
    }
  };
}
