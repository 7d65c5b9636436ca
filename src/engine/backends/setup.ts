import * as tf from '@tensorflow/tfjs';
import { setUpWasmThreads, wasmThreadsStarted } from './wasmThreads';

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
   * wasm threads. false or 1: the single-threaded build (no SharedArrayBuffer needed). A number
   * n > 1: the threaded build with n XNNPACK threads; it needs SharedArrayBuffer (a
   * cross-origin-isolated page) and, since tfjs-backend-wasm 4.22 caps the pool at
   * navigator.hardwareConcurrency / 2 whatever setThreadsCount asks, a hardwareConcurrency of at
   * least 2n while the backend starts (the caller arranges that: src/worker/wasmThreads.ts).
   * true: the threaded build with TF.js's own count. Left out: the count in use, or TF.js's choice
   * (threaded only in a cross-origin-isolated page) when wasm has not started. A count other than
   * the one in use re-creates the wasm backend (it must hold no tensors then). In Node, threads
   * make start-up fail: the pthread workers start from blob: URLs, which worker_threads refuses.
   */
  threads?: boolean | number;
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
    await setUpWasmThreads(wasm, opts.threads);
    registerWasmTrainingKernels();
  } else if (name === 'cpu') {
    const { registerCpuTrainingKernels } = await import('./cpuKernels');
    registerCpuTrainingKernels();
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend "${name}" failed to initialise`);
  await tf.ready();
  if (name === 'wasm') wasmThreadsStarted((await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount());
  return tf.getBackend();
}
