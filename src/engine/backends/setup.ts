import * as tf from '@tensorflow/tfjs';

/** A TF.js backend the lab can train on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The three binaries tfjs-backend-wasm may load, by the names `setWasmPaths` expects. */
export type WasmFileMap = Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>;

/** Options for `initBackend`; only the wasm backend reads them. */
export interface BackendOptions {
  /**
   * Where the .wasm binaries are: a folder prefix ending in '/' (a URL in a browser, a file path
   * in Node) or one URL per binary (what a bundler's `?url` imports give). Left out, the wasm
   * package looks beside its own script, which works in Node but rarely once bundled.
   */
  wasmPath?: string | WasmFileMap;
  /**
   * false forces the single-threaded build (no SharedArrayBuffer needed); true asks for the
   * threaded build even where TF.js would not pick it. Left out, TF.js decides: threaded only
   * in a cross-origin-isolated page. Two limits of tfjs-backend-wasm 4.22: its thread pool is
   * capped at navigator.hardwareConcurrency / 2 whatever setThreadsCount asks (so a 2-core
   * machine gets 1 thread), and in Node true makes start-up fail, because the pthread workers
   * are created from blob: URLs that Node's worker_threads refuses.
   */
  threads?: boolean;
}

/**
 * Loads, configures and activates a backend, then returns the name of the backend in use.
 * webgpu and wasm are imported on demand, so Node and bundles that never ask for them never
 * load them; wasm also gets the training kernels it lacks, webgpu a corrected AddN.
 */
export async function initBackend(name: BackendName, opts: BackendOptions = {}): Promise<string> {
  if (name === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
    const { registerWebGpuKernels } = await import('./webgpuKernels');
    registerWebGpuKernels();
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Our kernels replace some of the package's own, so they must be registered after its import.
    const { registerWasmTrainingKernels } = await import('./wasmKernels');
    if (opts.wasmPath !== undefined) wasm.setWasmPaths(opts.wasmPath);
    // Read once, when the backend first initialises: setting it later has no effect.
    if (opts.threads !== undefined) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', opts.threads);
    registerWasmTrainingKernels();
  } else if (name === 'cpu') {
    const { registerCpuTrainingKernels } = await import('./cpuKernels');
    registerCpuTrainingKernels();
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend "${name}" failed to initialise`);
  await tf.ready();
  return tf.getBackend();
}
