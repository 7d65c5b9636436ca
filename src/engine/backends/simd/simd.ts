import * as tf from '@tensorflow/tfjs';
import { SIMD_KERNELS_PLAIN, SIMD_KERNELS_SHARED } from './kernelsBinary';

/**
 * The project's hand-written wasm SIMD kernels (kernels.wat), instantiated on tfjs-backend-wasm's
 * own memory so that they read and write tensors where they lie. One instance per memory; none
 * where the JavaScript engine lacks wasm SIMD or the backend's memory cannot be found, and then
 * callers keep their XNNPACK paths.
 */
export interface SimdKernels {
  /** See kernels.wat: pointers are byte offsets into the heap. */
  convFilterGrad(x: number, dy: number, out: number, n: number, hp: number, wp: number, ci: number, oh: number, ow: number, co: number, s: number, fh: number, fw: number): void;
  /** See kernels.wat: dx is added into. */
  maxPoolGrad(x: number, dy: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number, fh: number, fw: number, sh: number, sw: number, top: number, left: number): void;
  /** See kernels.wat: strides in bytes; $taps points at tapCount (aOff, bOff) i32 pairs. */
  convTaps(
    taps: number, tapCount: number, a: number, b: number, out: number, n: number, rows: number, cols4: number, k: number, nc: number,
    aImg: number, aRow: number, aPix: number, bRow: number, outImg: number, outRow: number, outPix: number,
  ): void;
}

/** The part of tfjs-backend-wasm's backend that the project's kernels use to work on its heap. */
export interface WasmHeapBackend extends tf.KernelBackend {
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory; HEAPF32: Float32Array; HEAP32: Int32Array };
  getMemoryOffset(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** A tensor's byte offset on the wasm heap. */
export function heapOffset(b: WasmHeapBackend, t: tf.TensorInfo): number {
  return b.getMemoryOffset(t.dataId);
}

/**
 * Zeroes a float32 tensor on the heap, for kernels that add into their output. Call it after the
 * last allocation: an allocation may grow the heap, and the view is read from the module each time.
 */
export function zeroOnHeap(b: WasmHeapBackend, t: tf.TensorInfo): void {
  const at = heapOffset(b, t) / 4;
  b.wasm.HEAPF32.fill(0, at, at + t.shape.reduce((p, d) => p * d, 1));
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();
let disabled = false;

/** Turns the kernels off (tests compare them with the XNNPACK paths they replace). */
export function setSimdKernelsEnabled(on: boolean): void {
  disabled = !on;
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(b64), (c: string) => c.charCodeAt(0));
}

/** Whether the kernels run on the active backend: it is wasm and they started on its heap. */
export function simdKernelsActive(): boolean {
  return tf.getBackend() === 'wasm' && simdKernels(tf.backend()) !== null;
}

export function simdKernels(backend: tf.KernelBackend): SimdKernels | null {
  if (disabled) return null;
  const wasm = (backend as Partial<WasmHeapBackend>).wasm;
  // The plain and SIMD builds export their memory; the threaded build creates it in JavaScript.
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  if (!memory) return null;
  const known = instances.get(memory);
  if (known !== undefined) return known;
  let made: SimdKernels | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    // A module of about a kilobyte compiles synchronously anywhere, main thread included.
    const module = new WebAssembly.Module(decode(shared ? SIMD_KERNELS_SHARED : SIMD_KERNELS_PLAIN));
    made = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch {
    made = null; // no wasm SIMD here: the callers' XNNPACK paths serve
  }
  instances.set(memory, made);
  return made;
}
