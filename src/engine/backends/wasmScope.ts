import * as tf from '@tensorflow/tfjs';

/** What the project's wasm training kernels share: a scope that frees intermediates, and shape helpers. */

export type Info = tf.TensorInfo;
export type Pad4 = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Runs wasm kernels on TensorInfos and remembers each result, so that one `disposeExcept` frees
 * every intermediate. Reshape on wasm shares the data and bumps its reference count, so each
 * result, view or not, is released exactly once.
 */
export class KernelScope {
  private readonly owned: Info[] = [];

  constructor(readonly backend: tf.KernelBackend) {}

  /** An uninitialised tensor on the wasm heap, freed with the other results unless returned. */
  output(shape: number[], dtype: 'float32' | 'int32' = 'float32'): Info {
    const out = (this.backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): Info }).makeOutput(shape, dtype);
    this.owned.push(out);
    return out;
  }

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): Info {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm kernel ${kernelName} is not registered`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several tensors`);
    this.owned.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return sameShape(x.shape, shape) ? x : this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  /** A float32 constant built on the spot, freed with the other results. */
  constant(values: Float32Array, shape: number[]): Info {
    const out: Info = { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    this.owned.push(out);
    return out;
  }

  /** Crops the leading [0, size) window, or returns x when it already has that shape. */
  crop(x: Info, size: number[]): Info {
    return sameShape(x.shape, size) ? x : this.run('Slice', { x }, { begin: size.map(() => 0), size });
  }

  /** Frees every result except those in `keep`, which the caller hands to the engine. */
  disposeExcept(keep: readonly Info[]): void {
    // Results are matched by object, not dataId: a Reshape result shares its input's buffer
    // and holds its own reference to it, so only the returned objects' references survive.
    const kept = new Set(keep);
    for (const t of this.owned) if (!kept.has(t)) this.backend.disposeData(t.dataId);
    // A result that is an untouched input needs a reference of its own, as Reshape takes one.
    for (const t of keep) if (!this.owned.includes(t)) this.backend.incRef(t.dataId);
    this.owned.length = 0;
  }
}

export function inputOf(inputs: tf.NamedTensorInfoMap, name: string): Info {
  const t = inputs[name];
  if (!t) throw new Error(`kernel input "${name}" is missing`);
  return t;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Runs `body` in a scope, freeing all intermediates whether it returns or throws. */
export function withScope(backend: tf.KernelBackend, body: (s: KernelScope) => Info): Info {
  const scope = new KernelScope(backend);
  let out: Info | null = null;
  try {
    out = body(scope);
    return out;
  } finally {
    scope.disposeExcept(out ? [out] : []);
  }
}

/**
 * [n, h, w, c] -> [c, h, w, n]. Done as one 2-D transpose plus one that keeps n-float runs
 * together: XNNPACK's 4-D transpose with a new innermost axis moves single floats and is 2-4x
 * slower on activation-sized tensors.
 */
export function toChannelsFirst(s: KernelScope, x: Info): Info {
  const [n, h, w, c] = x.shape;
  const flipped = s.transpose(s.reshape(x, [n, h * w * c]), [1, 0]);
  return s.reshape(s.transpose(s.reshape(flipped, [h * w, c, n]), [1, 0, 2]), [c, h, w, n]);
}

export function explicitPad(top: number, bottom: number, left: number, right: number): Pad4 {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

export function checkDilation(kernelName: string, dilations: number | [number, number] | undefined): void {
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
  if (dh !== 1 || dw !== 1) throw new Error(`${kernelName} on wasm: dilation ${dh}x${dw} is not supported (only 1)`);
}

export function checkNhwc(kernelName: string, dataFormat: string): void {
  if (dataFormat !== 'NHWC') throw new Error(`${kernelName} on wasm: data format ${dataFormat} is not supported (only NHWC)`);
}
