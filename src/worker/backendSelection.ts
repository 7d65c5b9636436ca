import { BackendError, RunStateError } from './errors';
import type { DeviceLoss, HandlerContext } from './handlerContext';
import { compareProbes, computeProbeGradients, findMissingKernels, MAX_RELATIVE_ERROR, recordTrainingKernels } from './preflight';
import { choiceKey, expandCandidates, findRemembered, measureOrder, notTimed, rankByMeasuredSpeed, sameCandidate, softwareGpu } from './backendChoice';
import { measureTrainingSpeed } from './backendSpeed';
import { errorMessage } from '../engine/errors';
import {
  BACKEND_ORDER,
  type AdapterInfo,
  type BackendAttempt,
  type BackendCandidate,
  type BackendMeasurement,
  type BackendName,
  type BackendReport,
  type MeasuredChoice,
  candidateName,
  REINIT_ID,
  type SpeedWorkload,
} from './protocol';

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
  /**
   * Chooses a backend for `model` and posts `ready` as reply `id`: the forced one first (wasm with
   * `opts.threads` threads, if given); else, with `opts.workload`, the fastest measured (or
   * remembered) candidate; else the first of the order.
   */
  init(id: number, forced: BackendName | null, model: string, opts?: InitOptions): Promise<void>;
  /** Moves to the backends after the lost one (posting `ready` with id REINIT_ID); throws a BackendError when none passes. */
  reinitAfterLoss(lost: DeviceLoss, model: string): Promise<void>;
  /** Reacts to a lost device under `backend`: a run going is told (and carries on itself); with none, the backend is replaced now. */
  onDeviceLost(backend: BackendName, reason: string): void;
  /** Checks the active backend against a model other than the one init verified, of any task. */
  ensureModelSupported(model: string): Promise<void>;
}

export interface InitOptions {
  workload?: SpeedWorkload;
  remembered?: MeasuredChoice[];
  threads?: number;
}

/**
 * `lostDuringRun` hands a loss to the run going, if any (returning true); otherwise the
 * selection replaces the backend by itself.
 */
export function createBackendSelection(ctx: HandlerContext, lostDuringRun: (loss: DeviceLoss) => boolean): BackendSelection {
  const { deps, post } = ctx;
  const order = deps.backendOrder ?? BACKEND_ORDER;
  const modelChecks = new Map<string, ModelCheck>();
  const measure = deps.measureSpeed ?? measureTrainingSpeed;
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
        const reason = errorMessage(e);
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

  /** wasm's thread count and whether its SIMD gradient kernels run, for the report, where the host reports them. */
  const wasmDetailsOf = (backend: BackendName): { threads?: number; simdKernels?: boolean } => {
    if (backend !== 'wasm') return {};
    const n = deps.wasmThreads?.();
    const simd = deps.wasmSimdKernels?.();
    return { ...(typeof n === 'number' ? { threads: n } : {}), ...(simd !== undefined ? { simdKernels: simd } : {}) };
  };

  /**
   * Activates the first of `candidates` that can train `model` and posts `ready` as reply `id`;
   * `attempts` holds the trail so far. Throws a BackendError listing why each failed.
   */
  async function chooseBackend(candidates: readonly BackendName[], model: string, id: number, forced: BackendName | null, attempts: BackendAttempt[], adapterSeen: AdapterInfo | null, forcedThreads?: number): Promise<void> {
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
        await deps.activateBackend(backend, backend === 'wasm' ? forcedThreads : undefined);
        const maxRelativeError = await verifyBackend(backend, model, check);
        attempts.push({ backend, ok: true });
        const asked = forcedThreads !== undefined && backend === 'wasm' ? { forcedThreads } : {};
        return settle(id, model, { backend, adapter, forced, attempts, maxRelativeError, ...wasmDetailsOf(backend), ...asked });
      } catch (e) {
        attempts.push({ backend, ok: false, reason: errorMessage(e) });
      }
    }
    watchActiveBackend();
    const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
    throw new BackendError(`no backend can train ${model} here (${why}). Try another model or another browser.`);
  }

  /** Makes `backend` the one in use and posts `ready` as reply `id`. */
  function settle(id: number, model: string, r: BackendReport): void {
    report = r;
    readyModel = model;
    watchActiveBackend();
    post({ type: 'ready', id, report: r });
  }

  /**
   * The measured choice: unless a remembered choice for this adapter and workload still passes the
   * preflight, every candidate (each backend; wasm once per thread count worth trying) is timed on
   * `workload` (MEASURE_ORDER, each within its budget), and the fastest that passes the preflight
   * is made active. Checking after timing means only the winner (usually) pays for the check; the
   * outcome is the fastest of those that pass it.
   */
  async function chooseMeasured(id: number, model: string, workload: SpeedWorkload, remembered: MeasuredChoice[] | undefined): Promise<void> {
    const progress = (text: string): void => post({ type: 'backendProgress', id, text });
    report = null;
    let adapter: AdapterInfo | null = null;
    let noAdapter: string | null = null;
    if (order.includes('webgpu')) {
      const probe = await deps.probeWebGpu();
      if (typeof probe === 'string') noAdapter = probe;
      else adapter = probe;
    }
    const key = choiceKey(adapter, workload);
    const candidates = expandCandidates(order, deps.wasmThreadChoices ?? []);
    const attempts: BackendAttempt[] = [];
    /** Runs the preflight of `c`; its relative error, or null (the attempt says why). */
    const passes = async (c: BackendCandidate, failedPrefix = ''): Promise<number | null> => {
      try {
        if (c.backend === 'webgpu' && noAdapter !== null) throw new BackendError(noAdapter);
        const check = await checkOnCpu(model);
        progress(`choosing backend: checking ${candidateName(c)}…`);
        await deps.activateBackend(c.backend, c.threads);
        const err = await verifyBackend(c.backend, model, check);
        attempts.push({ ...c, ok: true });
        return err;
      } catch (e) {
        attempts.push({ ...c, ok: false, reason: `${failedPrefix}${errorMessage(e)}` });
        return null;
      }
    };
    const known = findRemembered(remembered, key);
    const was = known && { backend: known.backend, ...(known.threads !== undefined ? { threads: known.threads } : {}) };
    // A choice among other candidates (another wasm thread count, a backend left out) is measured again.
    if (known && was && candidates.some((k) => sameCandidate(k, was))) {
      const err = await passes(was, 'remembered as the fastest, but ');
      if (err !== null) return settle(id, model, { backend: known.backend, adapter, forced: null, attempts, maxRelativeError: err, choice: { ...known, how: 'remembered' }, ...wasmDetailsOf(known.backend) });
    }
    // The cpu reference first, while no passed-over GPU backend may still be busy.
    await checkOnCpu(model);
    const measured = await measureAll(candidates, workload, adapter, noAdapter, progress);
    // Fastest first, then those not timed, in the preferred order.
    for (const c of rankByMeasuredSpeed(candidates, measured)) {
      if (attempts.some((a) => sameCandidate(a, c))) continue;
      const err = await passes(c);
      const at = measured.findIndex((m) => sameCandidate(m, c));
      if (err === null) {
        const timed = measured[at]?.imagesPerSec;
        const entry = { ...c, imagesPerSec: null, reason: `failed the check${timed ? ` (timed at ${timed.toFixed(0)} img/s)` : ''}: ${attempts[attempts.length - 1].reason}` };
        if (at >= 0) measured[at] = entry;
        else measured.push(entry);
        continue;
      }
      const measurements = candidates.map((k) => measured.find((m) => sameCandidate(m, k)) ?? { ...k, imagesPerSec: null, reason: 'not timed' });
      const choice = { key, backend: c.backend, ...(c.threads !== undefined ? { threads: c.threads } : {}), measurements, measuredAt: new Date().toISOString(), how: 'measured' as const };
      return settle(id, model, { backend: c.backend, adapter, forced: null, attempts, maxRelativeError: err, choice, ...wasmDetailsOf(c.backend) });
    }
    watchActiveBackend();
    const why = attempts.map((a) => `${candidateName(a)}: ${a.reason}`).join('; ');
    throw new BackendError(`no backend can train ${model} here (${why}). Try another model or another browser.`);
  }

  /**
   * Times `workload` on every candidate, within each one's budget; a step slower than the best so
   * far ends a candidate's timing. cpu, and a GPU backend that renders in software, are timed only
   * when wasm was not (backendChoice's notTimed): wasm runs the same work compiled for the CPU, and
   * their first step alone takes seconds.
   */
  async function measureAll(candidates: readonly BackendCandidate[], workload: SpeedWorkload, adapter: AdapterInfo | null, noAdapter: string | null, progress: (text: string) => void): Promise<BackendMeasurement[]> {
    const measured: BackendMeasurement[] = [];
    let best: { name: string; msPerStep: number } | null = null;
    for (const c of measureOrder(candidates)) {
      const name = candidateName(c);
      const passOver = (reason: string): void => void measured.push({ ...c, imagesPerSec: null, reason });
      if (c.backend === 'webgpu' && noAdapter !== null) {
        passOver(noAdapter);
        continue;
      }
      const skip = notTimed(c, softwareGpu(c.backend, adapter, null), measured);
      if (skip) {
        passOver(skip);
        continue;
      }
      progress(`choosing backend: measuring ${name}…`);
      try {
        await deps.activateBackend(c.backend, c.threads);
      } catch (e) {
        passOver(`did not start: ${errorMessage(e)}`);
        continue;
      }
      // WebGL's renderer is known once its context exists.
      const skipGl = c.backend === 'webgl' ? notTimed(c, softwareGpu('webgl', null, deps.webglRenderer?.() ?? null), measured) : null;
      if (skipGl) {
        passOver(skipGl);
        continue;
      }
      const r = await measure(workload, {
        ...(best ? { slowerThanMsPerStep: best.msPerStep, slowerThanName: best.name } : {}),
        // wasm may be restarted with another thread count next: its trainer must be gone by then.
        waitForEnd: c.backend === 'wasm' || c.backend === 'cpu',
      });
      if (!r.ok) {
        measured.push({ ...c, imagesPerSec: null, reason: r.reason, ...(r.warmupMs !== undefined ? { warmupMs: r.warmupMs } : {}) });
        continue;
      }
      measured.push({ ...c, imagesPerSec: r.imagesPerSec, warmupMs: r.warmupMs });
      if (!best || r.msPerStep < best.msPerStep) best = { name, msPerStep: r.msPerStep };
    }
    return measured;
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
    async init(id, forced, model, opts = {}) {
      if (opts.workload && !forced) return chooseMeasured(id, model, opts.workload, opts.remembered);
      const candidates = forced ? [forced, ...order.filter((b) => b !== forced)] : order;
      await chooseBackend(candidates, model, id, forced, [], null, forced === 'wasm' ? opts.threads : undefined);
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
        const reason = errorMessage(e);
        throw new BackendError(`${reason}. Choose another model, or reload with another ?backend= (webgl, wasm, cpu).`);
      }
    },
  };
}
