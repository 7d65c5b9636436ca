import * as tf from '@tensorflow/tfjs';

/**
 * The wasm backend's thread count (docs/backends.md, "wasm threads"). tfjs-backend-wasm fixes
 * XNNPACK's thread pool when the backend starts, so another count means a new backend: the
 * package's factory is registered again and the next `setBackend('wasm')` builds a fresh module.
 */

/** tfjs-backend-wasm's own priority, kept when its factory is registered again. */
const WASM_PRIORITY = 2;

/** XNNPACK threads of the wasm backend now running; null before it starts (or after a restart). */
let live: number | null = null;
/** Whether this runtime can run the threaded build, read before the lab ever overrides TF.js's flag. */
let supported: boolean | null = null;

/** What setUpWasmThreads needs of the package. */
export interface WasmThreadApi {
  setThreadsCount(n: number): void;
}

/** The wasm backend's XNNPACK threads, or null when it has not started. */
export function wasmThreadsInUse(): number | null {
  return live;
}

/** Records the count the backend started with (its getThreadsCount()). */
export function wasmThreadsStarted(n: number): void {
  live = n;
}

/**
 * Prepares the next start of the wasm backend for `threads` (BackendOptions.threads), restarting
 * it when it runs with another count. Throws when the count is not a whole number of at least 1,
 * or needs the threaded build where this runtime has none.
 */
export async function setUpWasmThreads(wasm: WasmThreadApi, threads: boolean | number | undefined): Promise<void> {
  if (threads === undefined) return;
  if (typeof threads === 'number' && !(Number.isInteger(threads) && threads >= 1)) throw new Error(`wasm threads must be a whole number of at least 1 (got ${threads})`);
  const want = threads === false ? 1 : threads === true ? null : threads;
  supported ??= Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  if (want !== null && want > 1 && !supported) {
    throw new Error(`${want} wasm threads need SharedArrayBuffer and wasm threads, which this page does not have (it must be cross-origin isolated)`);
  }
  if (live !== null) {
    if (want === null || want === live) return;
    restartWasmBackend();
  }
  // Both are read when the backend starts: the build to load, then the pool's size.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', want === null || want > 1);
  wasm.setThreadsCount(want ?? -1);
}

/**
 * Drops the running wasm backend (its module and threads) and registers the package's factory
 * again. Refuses while the backend holds tensors: they would be lost.
 */
export function restartWasmBackend(): void {
  const running = tf.engine().registry.wasm as tf.KernelBackend | undefined;
  const held = running?.numDataIds() ?? 0;
  if (held > 0) throw new Error(`the wasm backend holds ${held} tensors, so its thread count cannot change now`);
  const factory = tf.findBackendFactory('wasm');
  if (!factory) throw new Error('the wasm backend is not registered');
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
  live = null;
}
