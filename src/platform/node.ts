import { createRequire } from 'node:module';
import path from 'node:path';
import { type BackendName, type BackendOptions, initBackend } from '../engine/backends/setup';

/** The folder (with a trailing separator) that holds tfjs-backend-wasm's .wasm binaries in node_modules. */
export function resolveWasmDir(): string {
  const require = createRequire(import.meta.url);
  // The package's main script lives in dist/, beside the binaries.
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/** `initBackend` for Node: points wasm at its binaries in node_modules. */
export function initNodeBackend(name: BackendName, opts: BackendOptions = {}): Promise<string> {
  return initBackend(name, name === 'wasm' ? { wasmPath: resolveWasmDir(), ...opts } : opts);
}
