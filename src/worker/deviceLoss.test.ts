import { describe, expect, it, vi } from 'vitest';
import { describeDeviceFailure, watchDeviceLoss } from './deviceLoss';

/** Fakes of the two backends' parts that the watcher reads: WebGPUBackend.device and MathBackendWebGL.canvas. */
function fakeWebGpu() {
  let lose: (info: { reason: string; message: string }) => void = () => {};
  const lost = new Promise<{ reason: string; message: string }>((resolve) => (lose = resolve));
  return { backend: { device: { lost } }, lose };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('watchDeviceLoss', () => {
  it("reports a WebGPU device's loss once, with its reason", async () => {
    const { backend, lose } = fakeWebGpu();
    const onLost = vi.fn();
    watchDeviceLoss('webgpu', onLost, backend);
    lose({ reason: 'unknown', message: 'GPU process crashed' });
    await flush();
    expect(onLost.mock.calls).toEqual([['the WebGPU device was lost (unknown: GPU process crashed)']]);
  });

  it('reports a lost WebGL context, and nothing once it stops watching', async () => {
    const canvas = new EventTarget();
    const onLost = vi.fn();
    const stop = watchDeviceLoss('webgl', onLost, { canvas });
    canvas.dispatchEvent(new Event('webglcontextlost'));
    canvas.dispatchEvent(new Event('webglcontextlost'));
    expect(onLost.mock.calls).toEqual([['the WebGL context was lost']]);

    const again = vi.fn();
    const { backend, lose } = fakeWebGpu();
    watchDeviceLoss('webgpu', again, backend)();
    lose({ reason: 'destroyed', message: '' });
    await flush();
    expect(again).not.toHaveBeenCalled();
    stop();
  });

  it('ignores backends without a device or a canvas', () => {
    expect(() => watchDeviceLoss('wasm', () => {}, {})()).not.toThrow();
    expect(() => watchDeviceLoss('webgpu', () => {}, null)()).not.toThrow();
  });
});

describe('describeDeviceFailure', () => {
  it('recognises out-of-memory and lost-device errors, and nothing else', () => {
    expect(describeDeviceFailure(new RangeError('Array buffer allocation failed'))).toBe('out of memory (Array buffer allocation failed)');
    expect(describeDeviceFailure(new Error('Aborted(OOM)'))).toMatch(/^out of memory/);
    expect(describeDeviceFailure(new Error('Cannot enlarge memory arrays to size 123'))).toMatch(/^out of memory/);
    expect(describeDeviceFailure(new Error('WebGL context lost.'))).toBe('WebGL context lost.');
    expect(describeDeviceFailure(new Error('Device is lost'))).toBe('Device is lost');
    expect(describeDeviceFailure(new Error('Size(6) must match the product of shape 2,2'))).toBeNull();
    expect(describeDeviceFailure('kernel exploded')).toBeNull();
  });
});
