import * as tf from '@tensorflow/tfjs';
import { createLandscapeHandler } from './handler';
import type { FromLandscapeWorker, ToLandscapeWorker } from './protocol';

/** The landscape worker's entry: the pure-JS cpu backend (S x 2 tensors need no GPU) and the handler. */
interface WorkerScope {
  postMessage(msg: FromLandscapeWorker, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToLandscapeWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const handle = createLandscapeHandler((msg, transfer) => scope.postMessage(msg, transfer ?? []), {
  prepare: async () => {
    // Set before any op, so TF.js never initialises (and never probes) a GPU backend here.
    await tf.setBackend('cpu');
    if (tf.getBackend() !== 'cpu') throw new Error(`the landscape needs TF.js's cpu backend; got ${tf.getBackend()}`);
  },
});
scope.onmessage = (e) => void handle(e.data);
