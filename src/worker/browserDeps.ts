import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { loadBuiltinDataset } from '../data/builtin';
import { decodeImageBrowser } from '../data/decodeBrowser';
import { loadArchiveDataset } from '../data/load';
import { initBackend } from '../engine/backends/setup';
import { DEBUG_HOOKS } from './debugHooks';
import { watchDeviceLoss } from './deviceLoss';
import type { HandlerDeps } from './handlerContext';
import { probeWebGpu } from './preflight';

/** Makes the worker die for real: an uncaught error from a timer, then close(). */
function crashWorker(): void {
  setTimeout(() => {
    // Closed a task later, so the uncaught error reaches the page first.
    setTimeout(() => self.close(), 0);
    throw new Error('simulated crash (the crashWorker debug message)');
  }, 0);
}

/**
 * The handler's dependencies inside the browser worker. The wasm binaries are bundled as
 * same-origin assets (the page's CSP allows no other origin), and wasm runs single-threaded:
 * its threaded build does not start threads in TF.js 4.22 anyway.
 */
export function createBrowserDeps(): HandlerDeps {
  const wasmPath = {
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  };
  return {
    activateBackend: async (name) => {
      await initBackend(name, name === 'wasm' ? { wasmPath, threads: false } : {});
    },
    probeWebGpu,
    watchDeviceLoss: (backend, onLost) => watchDeviceLoss(backend, onLost),
    loadDataset: (id, opts) => loadBuiltinDataset(id, opts),
    loadArchive: (file, opts) => loadArchiveDataset(file, { ...opts, decoder: decodeImageBrowser }),
    // Debug (development and test builds only): left out of a production bundle.
    ...(DEBUG_HOOKS ? { crashWorker } : {}),
  };
}
