import type { BuiltinLoadOptions } from '../data/builtin';
import type { LoadArchiveOptions, LoadedDataset } from '../data/load';
import type { Dataset } from '../engine/dataset';
import { ProtocolError, toErrorInfo } from './errors';
import type { SpeedOptions, SpeedResult } from './backendSpeed';
import type { AdapterInfo, BackendName, FromWorker, SpeedWorkload } from './protocol';

/** Posts a message; `transfer` lists buffers to move rather than copy (sample images). */
export type Post = (msg: FromWorker, transfer?: Transferable[]) => void;

/** What the handler needs from its host; the worker entry passes the browser's versions. */
export interface HandlerDeps {
  /**
   * Registers and activates a backend; throws when it cannot start. `threads` (wasm only) restarts
   * wasm with that many XNNPACK threads when it runs with another count; left out, wasm keeps the
   * count it runs with (one thread when it starts).
   */
  activateBackend(name: BackendName, threads?: number): Promise<void>;
  /** wasm's XNNPACK threads now (null before wasm started). Left out: the count is not reported. */
  wasmThreads?(): number | null;
  /** Whether the project's SIMD gradient kernels run on the active wasm backend (false: XNNPACK paths only). Left out: not reported. */
  wasmSimdKernels?(): boolean;
  /** The wasm thread counts the measured choice times (backendChoice's wasmThreadChoices); none or left out: wasm as it starts. */
  wasmThreadChoices?: readonly number[];
  /** The renderer of the active WebGL backend (for a software one's budget), or null. */
  webglRenderer?(): string | null;
  /** A WebGPU adapter's description, or why there is none. */
  probeWebGpu(): Promise<AdapterInfo | string>;
  /** Builds a built-in dataset. */
  loadDataset(id: string, opts: Required<BuiltinLoadOptions>): Dataset | Promise<Dataset>;
  /** Reads a dataset archive with this host's image decoder (loadArchiveDataset). */
  loadArchive(file: Blob, opts: Omit<LoadArchiveOptions, 'decoder'>): Promise<LoadedDataset>;
  /**
   * Calls `onLost` when the device under `backend` (just activated) is lost; returns the function
   * that stops watching. Left out, only exceptions from steps reveal a lost device.
   */
  watchDeviceLoss?(backend: BackendName, onLost: (reason: string) => void): () => void;
  /** Times training steps of a workload on the active backend (default measureTrainingSpeed; tests pass fake timings). */
  measureSpeed?(workload: SpeedWorkload, opts: SpeedOptions): Promise<SpeedResult>;
  /** Debug (`crashWorker`): makes the worker die for real. Left out, the message is ignored. */
  crashWorker?(): void;
  /** The backends to try, best first (default BACKEND_ORDER); after a loss, those after the lost one. */
  backendOrder?: readonly BackendName[];
  /** Least time between two `metrics` messages, in ms (default 100). */
  metricsIntervalMs?: number;
  now?: () => number;
}

/** What the handler's parts share: the host, the clock, and the one queue of setup requests. */
export interface HandlerContext {
  post: Post;
  deps: HandlerDeps;
  now: () => number;
  /** Least time between two `metrics` (or `loadProgress`) messages, in ms. */
  interval: number;
  /** Runs a request's work; anything it throws is posted as an `error` naming the request. */
  runTask(ref: { id?: number; runId?: string }, task: () => Promise<void> | void): Promise<void>;
  /** Queues setup work behind the requests before it (init, loadDataset, start run one after another). */
  enqueue(task: () => Promise<void>): Promise<void>;
}

/** A device that went away, and why. */
export interface DeviceLoss {
  backend: BackendName;
  reason: string;
}

export const yieldOnce = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export function createHandlerContext(post: Post, deps: HandlerDeps): HandlerContext {
  let queue: Promise<void> = Promise.resolve();
  return {
    post,
    deps,
    now: deps.now ?? (() => performance.now()),
    interval: deps.metricsIntervalMs ?? 100,
    async runTask(ref, task) {
      try {
        await task();
      } catch (e) {
        post({ type: 'error', ...ref, error: toErrorInfo(e) });
      }
    },
    enqueue(task) {
      const next = queue.then(task);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

/** A message of a type this worker does not know: the page and the worker are of different builds. */
export function rejectUnknown(msg: never): never {
  const type = (msg as { type?: unknown } | null)?.type;
  throw new ProtocolError(`unknown message type ${JSON.stringify(type)}; the page and the worker are out of date: reload the page`);
}
