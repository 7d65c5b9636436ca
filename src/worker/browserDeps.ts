import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import * as tf from '@tensorflow/tfjs';
import { loadBuiltinDataset } from '../data/builtin';
import { decodeImageBrowser } from '../data/decodeBrowser';
import { loadArchiveDataset } from '../data/load';
import { initBackend } from '../engine/backends/setup';
import { simdKernelsActive } from '../engine/backends/simd/simd';
import { wasmThreadsInUse } from '../engine/backends/wasmThreads';
import { wasmThreadChoices } from './backendChoice';
import { DEBUG_HOOKS } from './debugHooks';
import { watchDeviceLoss } from './deviceLoss';
import type { HandlerDeps } from './handlerContext';
import { probeWebGpu } from './preflight';
import { withCoresReported } from './wasmCores';

/** Makes the worker die for real: an uncaught error from a timer, then close(). */
function crashWorker(): void {
  setTimeout(() => {
    // Closed a task later, so the uncaught error reaches the page first.
    setTimeout(() => self.close(), 0);
    throw new Error('simulated crash (the crashWorker debug message)');
  }, 0);
}

/** The renderer string of the active WebGL backend's context, or null (docs/backends.md: a software one is not timed once wasm has a figure). */
function webglRenderer(): string | null {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  return typeof renderer === 'string' ? renderer : null;
}

/**
 * The handler's dependencies inside the browser worker. The wasm binaries are bundled as
 * same-origin assets (the page's CSP allows no other origin). wasm starts single-threaded; in a
 * cross-origin-isolated page the measured choice also times it with more threads
 * (wasmThreadChoices), and `?threads=` forces a count (docs/backends.md, "wasm threads").
 */
export function createBrowserDeps(): HandlerDeps {
  // Read before any start of wasm could report more.
  const cores = self.navigator.hardwareConcurrency || 1;
  const wasmPath = {
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  };
  return {
    activateBackend: async (name, threads) => {
      if (name !== 'wasm') return void (await initBackend(name));
      const n = threads ?? wasmThreadsInUse() ?? 1;
      await withCoresReported(2 * n, () => initBackend('wasm', { wasmPath, threads: n }));
    },
    wasmThreads: wasmThreadsInUse,
    wasmSimdKernels: simdKernelsActive,
    wasmThreadChoices: wasmThreadChoices(cores, self.crossOriginIsolated && typeof SharedArrayBuffer === 'function'),
    webglRenderer,
    probeWebGpu,
    watchDeviceLoss: (backend, onLost) => watchDeviceLoss(backend, onLost),
    loadDataset: (id, opts) => loadBuiltinDataset(id, opts),
    loadArchive: (file, opts) => loadArchiveDataset(file, { ...opts, decoder: decodeImageBrowser }),
    // Debug (development and test builds only): left out of a production bundle.
    ...(DEBUG_HOOKS ? { crashWorker } : {}),
  };
}
