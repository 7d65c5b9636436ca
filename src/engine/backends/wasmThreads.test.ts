import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { useCpu, useWasm } from '../../testing/nodeBackends';
import { restartWasmBackend, wasmThreadsInUse } from './wasmThreads';
import { initNodeBackend } from '../../platform/node';

/** The wasm thread count's bookkeeping in Node, where the package has no threads (docs/backends.md, "wasm threads"). */

afterAll(() => useCpu());

describe('the wasm backend thread count', () => {
  it('reports the single-threaded start, and refuses threads where the runtime has none', async () => {
    await useWasm();
    expect(wasmThreadsInUse()).toBe(1);
    await expect(initNodeBackend('wasm', { threads: 2 })).rejects.toThrow(/2 wasm threads need SharedArrayBuffer/);
    await expect(initNodeBackend('wasm', { threads: 0 })).rejects.toThrow(/whole number of at least 1/);
    // Still the backend it was.
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmThreadsInUse()).toBe(1);
  });

  it('restarts wasm as a fresh module that computes the same, but never while it holds tensors', async () => {
    await useWasm();
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const product = tf.matMul(x, x);
    const before = await product.data();
    expect(() => restartWasmBackend()).toThrow(/holds 2 tensors/);
    const kept = await x.data();
    tf.dispose([x, product]);
    expect((tf.engine().registry.wasm as tf.KernelBackend).numDataIds()).toBe(0);
    restartWasmBackend();
    expect(wasmThreadsInUse()).toBeNull();
    await useWasm();
    expect(wasmThreadsInUse()).toBe(1);
    const y = tf.tensor2d(Array.from(kept), [2, 2]);
    expect(Array.from(await tf.matMul(y, y).data())).toEqual(Array.from(before));
    y.dispose();
  });
});
