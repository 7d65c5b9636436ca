import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './protocol';

/**
 * Noticing that the device under a backend is gone: WebGPU resolves its device's `lost` promise
 * (WebGPUBackend keeps the GPUDevice as `device`), WebGL fires `webglcontextlost` at the
 * backend's canvas (MathBackendWebGL's `canvas`, an OffscreenCanvas in a worker), and running
 * out of memory shows up as an exception thrown from a step.
 */

/** Error messages that mean the device failed, not the run: out of memory anywhere, a lost context or device. */
const OUT_OF_MEMORY = /out of memory|\bOOM\b|allocation failed|cannot enlarge memory|memory\.grow|OutOfMemory/i;
const LOST = /context (?:was |is )?lost|CONTEXT_LOST|device (?:was |is )?lost|device.*destroyed/i;

/** Why an exception thrown during training means the device failed, or null when it does not. */
export function describeDeviceFailure(e: unknown): string | null {
  const message = e instanceof Error ? e.message || e.name : String(e);
  const text = e instanceof Error ? `${e.name}: ${message}` : message;
  if (OUT_OF_MEMORY.test(text)) return `out of memory (${message})`;
  if (LOST.test(text)) return message;
  return null;
}

interface DeviceLostInfo {
  reason?: string;
  message?: string;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** The WebGPU backend's `device.lost` promise, if `backend` has one. */
function deviceLostOf(backend: unknown): Promise<DeviceLostInfo | undefined> | null {
  if (!isObject(backend) || !('device' in backend)) return null;
  const device = backend.device;
  if (!isObject(device) || !('lost' in device)) return null;
  const lost = device.lost;
  return lost instanceof Promise ? lost : null;
}

/** The WebGL backend's canvas, if `backend` has one. */
function canvasOf(backend: unknown): EventTarget | null {
  if (!isObject(backend) || !('canvas' in backend)) return null;
  return backend.canvas instanceof EventTarget ? backend.canvas : null;
}

/**
 * Calls `onLost` once, with a reason, when the device under backend `name` is lost; returns the
 * function that stops watching. `backend` defaults to TF.js's registered instance (tests pass fakes).
 */
export function watchDeviceLoss(name: BackendName, onLost: (reason: string) => void, backend: unknown = tf.findBackend(name)): () => void {
  let watching = true;
  const fire = (reason: string): void => {
    if (!watching) return;
    watching = false;
    onLost(reason);
  };
  const lost = name === 'webgpu' ? deviceLostOf(backend) : null;
  void lost?.then((info) => {
    const detail = [info?.reason, info?.message].filter((s) => s).join(': ');
    fire(`the WebGPU device was lost${detail ? ` (${detail})` : ''}`);
  });
  const canvas = name === 'webgl' ? canvasOf(backend) : null;
  const onContextLost = (): void => fire('the WebGL context was lost');
  canvas?.addEventListener('webglcontextlost', onContextLost);
  return () => {
    watching = false;
    canvas?.removeEventListener('webglcontextlost', onContextLost);
  };
}
