import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../platform/node';

/** Switches tests to the trainable wasm backend (single-threaded, so runs repeat exactly). */
export async function useWasm(): Promise<void> {
  await initNodeBackend('wasm', { threads: false });
}

/** Switches tests back to the pure-JS reference backend. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}
