import { BackendError, RunStateError } from './errors';
import type { DeviceLoss, HandlerContext } from './handlerContext';
import { compareProbes, computeProbeGradients, findMissingKernels, MAX_RELATIVE_ERROR, recordTrainingKernels } from './preflight';
import { BACKEND_ORDER, type AdapterInfo, type BackendAttempt, type BackendName, type BackendReport, REINIT_ID } from './protocol';

/**
 * Backend selection and device loss: the preflight (every kernel a model needs is registered,
 * and a tiny training step lands within MAX_RELATIVE_ERROR of the cpu backend), the choice of
 * the first backend of the order that passes it, and the replacement of a backend whose device
 * was lost (the next one of the order that passes, posted as `ready` with id REINIT_ID).
 */

interface ModelCheck {
  kernels: string[];
  reference: Float32Array[];
}

export interface BackendSelection {
  /** The backend in use, with the preflight's trail; null before the first `ready`. */
  readonly report: BackendReport | null;
  /** Chooses a backend for `model` (the forced one first) and posts `ready` as reply `id`. */
  init(id: number, forced: BackendName | null, model: string): Promise<void>;
  /** Moves to the backends after the lost one (posting `ready` with id REINIT_ID); throws a BackendError when none passes. */
  reinitAfterLoss(lost: DeviceLoss, model: string): Promise<void>;
  /** Reacts to a lost device under `backend`: a run going is told (and carries on itself); with none, the backend is replaced now. */
  onDeviceLost(backend: BackendName, reason: string): void;
  /** Checks the active backend against a model other than the one init verified, of any task. */
  ensureModelSupported(model: string): Promise<void>;
}

/**
 * `lostDuringRun` hands a loss to the run going, if any (returning true); otherwise the
 * selection replaces the backend by itself.
 */
export function createBackendSelection(ctx: HandlerContext, lostDuringRun: (loss: DeviceLoss) => boolean): BackendSelection {
  const { deps, post } = ctx;
  const order = deps.backendOrder ?? BACKEND_ORDER;
  const modelChecks = new Map<string, ModelCheck>();
  let report: BackendReport | null = null;
  /** The model the backend was last checked with, for a re-check after a device loss. */
  let readyModel: string | null = null;
  let stopWatching: (() => void) | null = null;

  /** Kernel list and cpu reference for `model`, computed once on the cpu backend. */
  async function checkOnCpu(model: string): Promise<ModelCheck> {
    let check = modelChecks.get(model);
    if (!check) {
      try {
        await deps.activateBackend('cpu');
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        throw new BackendError(`the cpu backend, which every other backend is checked against, did not start (${reason}). Reload the page.`);
      }
      check = { kernels: await recordTrainingKernels(model), reference: await computeProbeGradients(model) };
      modelChecks.set(model, check);
    }
    return check;
  }

  /** Throws a BackendError saying why `backend` cannot train `model`; returns the relative error. */
  async function verifyBackend(backend: BackendName, model: string, check: ModelCheck): Promise<number> {
    const missing = findMissingKernels(check.kernels, backend);
    if (missing.length) throw new BackendError(`${backend} lacks kernels that ${model} needs for training: ${missing.join(', ')}`);
    if (backend === 'cpu') return 0;
    const err = compareProbes(check.reference, await computeProbeGradients(model));
    if (!(err < MAX_RELATIVE_ERROR)) {
      throw new BackendError(`${backend} computes ${model}'s gradients ${err.toExponential(1)} away from the cpu backend (allowed ${MAX_RELATIVE_ERROR})`);
    }
    return err;
  }

  /** Watches the device under the backend in use, and only that one. */
  function watchActiveBackend(): void {
    stopWatching?.();
    stopWatching = null;
    const backend = report?.backend;
    if (backend && deps.watchDeviceLoss) stopWatching = deps.watchDeviceLoss(backend, (reason) => onDeviceLost(backend, reason));
  }

  /**
   * Activates the first of `candidates` that can train `model` and posts `ready` as reply `id`;
   * `attempts` holds the trail so far. Throws a BackendError listing why each failed.
   */
  async function chooseBackend(candidates: readonly BackendName[], model: string, id: number, forced: BackendName | null, attempts: BackendAttempt[], adapterSeen: AdapterInfo | null): Promise<void> {
    const check = await checkOnCpu(model);
    let adapter = adapterSeen;
    report = null;
    for (const backend of candidates) {
      try {
        if (backend === 'webgpu') {
          const probe = await deps.probeWebGpu();
          if (typeof probe === 'string') throw new BackendError(probe);
          adapter = probe;
        }
        await deps.activateBackend(backend);
        const maxRelativeError = await verifyBackend(backend, model, check);
        attempts.push({ backend, ok: true });
        report = { backend, adapter, forced, attempts, maxRelativeError };
        readyModel = model;
        watchActiveBackend();
        post({ type: 'ready', id, report });
        return;
      } catch (e) {
        attempts.push({ backend, ok: false, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    watchActiveBackend();
    const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
    throw new BackendError(`no backend can train ${model} here (${why}). Try another model or another browser.`);
  }

  async function reinitAfterLoss(lost: DeviceLoss, model: string): Promise<void> {
    const next = order.slice(order.indexOf(lost.backend) + 1);
    const attempts: BackendAttempt[] = [{ backend: lost.backend, ok: false, reason: `lost during training: ${lost.reason}` }];
    try {
      await chooseBackend(next, model, REINIT_ID, null, attempts, report?.adapter ?? null);
    } catch (e) {
      const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
      if (e instanceof BackendError) throw new BackendError(`no backend is left to train ${model} on (${why}). Reload the page; the run can resume from its last checkpoint.`);
      throw e;
    }
  }

  function onDeviceLost(backend: BackendName, reason: string): void {
    if (report?.backend !== backend) return;
    if (lostDuringRun({ backend, reason })) return;
    const model = readyModel;
    void ctx.enqueue(() =>
      ctx.runTask({}, async () => {
        if (report?.backend !== backend || !model) return;
        post({ type: 'backendLost', backend, reason });
        await reinitAfterLoss({ backend, reason }, model);
      }),
    );
  }

  return {
    get report() {
      return report;
    },
    async init(id, forced, model) {
      const candidates = forced ? [forced, ...order.filter((b) => b !== forced)] : order;
      await chooseBackend(candidates, model, id, forced, [], null);
    },
    reinitAfterLoss,
    onDeviceLost,
    async ensureModelSupported(model) {
      if (!report) throw new RunStateError('the backend is not ready yet: wait for the backend badge, or reload the page');
      if (modelChecks.has(model)) return;
      const check = await checkOnCpu(model);
      await deps.activateBackend(report.backend);
      try {
        await verifyBackend(report.backend, model, check);
      } catch (e) {
        modelChecks.delete(model);
        const reason = e instanceof Error ? e.message : String(e);
        throw new BackendError(`${reason}. Choose another model, or reload with another ?backend= (webgl, wasm, cpu).`);
      }
    },
  };
}
