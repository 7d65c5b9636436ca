import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { errorMessage } from '../errors';

/**
 * The backend conformance suite's machinery: record every kernel call a run makes on the cpu
 * backend (kernel name, input shapes and dtypes, attributes), then replay each distinct call on
 * another backend with seeded random inputs of those shapes, and compare its output and its
 * gradient (through the kernel's registered gradient, on that backend's own kernels) with cpu's.
 */

/** Relative error up to which a kernel's result counts as agreeing with cpu (the preflight's bar). */
export const CONFORMANCE_TOLERANCE = 1e-3;
/** At most this many distinct calls (input shapes and attributes) are kept per kernel. */
export const MAX_CASES_PER_KERNEL = 8;
/**
 * Kernels that are not compared: their output is random by design, or depends only on an
 * input's shape, or is an in-place assignment without a result of its own.
 */
const SKIPPED_KERNELS = new Set(['RandomUniform', 'RandomNormal', 'RandomStandardNormal', 'Multinomial', 'Bincount']);

export interface CaseInput {
  name: string;
  shape: number[];
  dtype: tf.DataType;
  /** Recorded values of int32 and bool inputs (indices, labels, masks): random ones would be out of range. */
  values?: number[];
  /** The recorded float input had no negative value (a variance, a probability): replay keeps it positive. */
  positive?: boolean;
}

/** One distinct call of a kernel. */
export interface KernelCase {
  kernel: string;
  inputs: CaseInput[];
  attrs: Record<string, unknown>;
  /** The kernel takes its inputs as a list (Concat, AddN, Pack), not by name. */
  list?: boolean;
  /** The run called it under a gradient tape (tf.grads, variableGrads), so its gradient is compared too. */
  differentiated?: boolean;
}

/** One kernel on one backend: the worst relative error of its forward results and its gradients over its cases. */
export interface KernelResult {
  kernel: string;
  backend: string;
  cases: number;
  forward: number;
  /** null when no model differentiates through the kernel (or it has no float input). */
  gradient: number | null;
  /** Why a result is Infinity: the kernel is missing or threw on that backend. */
  note?: string;
}

type KernelCall = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }) => ReturnType<tf.KernelFunc>;

/** TF.js's engine state: gradientDepth > 0 while a gradient tape records, kernelDepth counts nested kernel calls (not public API). */
function engineState(): { gradientDepth: number; kernelDepth: number } {
  return (tf.engine() as unknown as { state: { gradientDepth: number; kernelDepth: number } }).state;
}

function signature(c: KernelCase): string {
  return JSON.stringify([c.kernel, c.inputs.map((i) => [i.name, i.shape, i.dtype]), c.attrs]);
}

/** A JSON-safe copy of a kernel's attributes (typed arrays become arrays). */
function copyAttrs(attrs: tf.NamedAttrMap | undefined): Record<string, unknown> {
  return JSON.parse(JSON.stringify(attrs ?? {}, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v))) as Record<string, unknown>;
}

/**
 * Runs `run` with the cpu backend active and returns each distinct kernel call it made (at most
 * MAX_CASES_PER_KERNEL per kernel, spread over its sizes), by kernel name. Every cpu kernel is
 * wrapped for the run's duration and restored afterwards, even when `run` throws.
 */
export async function recordKernelCases(run: () => Promise<unknown>): Promise<KernelCase[]> {
  const backend = tf.backend() as tf.KernelBackend & { data: { get(id: tf.DataId): { values: tf.backend_util.BackendValues } } };
  const seen = new Map<string, KernelCase>();
  const originals = tf.getKernelsForBackend('cpu');
  for (const config of originals) {
    const inner = config.kernelFunc as KernelCall;
    const wrapped: KernelCall = (args) => {
      const inputs: CaseInput[] = (Object.entries(args.inputs) as [string, tf.TensorInfo][]).map(([name, info]) => {
        const input: CaseInput = { name, shape: [...info.shape], dtype: info.dtype };
        const values = backend.data.get(info.dataId).values as ArrayLike<number>;
        if (info.dtype === 'int32' || info.dtype === 'bool') input.values = Array.from(values);
        else if (info.dtype === 'float32') input.positive = Array.prototype.every.call(values, (v: number) => v >= 0) as boolean;
        return input;
      });
      const c: KernelCase = { kernel: config.kernelName, inputs, attrs: copyAttrs(args.attrs) };
      if (Array.isArray(args.inputs)) c.list = true;
      // On the tape: under tf.grads and not called from inside another kernel.
      if (engineState().gradientDepth > 0 && engineState().kernelDepth === 1) c.differentiated = true;
      const key = signature(c);
      const known = seen.get(key);
      if (known) known.differentiated ||= c.differentiated;
      else if (!SKIPPED_KERNELS.has(c.kernel)) seen.set(key, c);
      return inner(args as never);
    };
    tf.unregisterKernel(config.kernelName, 'cpu');
    tf.registerKernel({ ...config, kernelFunc: wrapped as tf.KernelFunc });
  }
  try {
    await run();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, 'cpu');
      tf.registerKernel(config);
    }
  }
  return thinCases([...seen.values()]);
}

function elements(c: KernelCase): number {
  return c.inputs.reduce((s, i) => s + i.shape.reduce((a, b) => a * b, 1), 0);
}

/** Up to `n` of `list` (sorted by size): the smallest, the largest and evenly between. */
function spread(list: KernelCase[], n: number): KernelCase[] {
  if (list.length <= n) return list;
  if (n <= 1) return list.slice(-n);
  const picks = new Set(Array.from({ length: n }, (_, i) => Math.round((i * (list.length - 1)) / (n - 1))));
  return [...picks].map((i) => list[i]);
}

/**
 * Keeps up to MAX_CASES_PER_KERNEL calls per kernel, spread over their sizes: first the calls
 * made under a gradient tape (whose gradients are compared too), then at least two others.
 */
function thinCases(cases: KernelCase[]): KernelCase[] {
  const byKernel = new Map<string, KernelCase[]>();
  for (const c of cases) byKernel.set(c.kernel, [...(byKernel.get(c.kernel) ?? []), c]);
  const kept: KernelCase[] = [];
  for (const kernel of [...byKernel.keys()].sort()) {
    const list = byKernel.get(kernel)!.sort((a, b) => elements(a) - elements(b));
    const taped = spread(list.filter((c) => c.differentiated), MAX_CASES_PER_KERNEL);
    kept.push(...taped, ...spread(list.filter((c) => !c.differentiated), Math.max(2, MAX_CASES_PER_KERNEL / 2 - taped.length)));
  }
  return kept;
}

/** Merges the cases of several runs, dropping repeats and thinning again. */
export function mergeCases(...lists: KernelCase[][]): KernelCase[] {
  const seen = new Map<string, KernelCase>();
  for (const c of lists.flat()) {
    const known = seen.get(signature(c));
    if (known) known.differentiated ||= c.differentiated;
    else seen.set(signature(c), { ...c });
  }
  return thinCases([...seen.values()]);
}

/** The seeded input values of a case: recorded ones for int32 and bool, random normals (kept positive where the run's were) for float32. */
export function caseValues(c: KernelCase, seed: number): (Float32Array | Int32Array | Uint8Array)[] {
  const rng = new Rng(seed);
  return c.inputs.map((input) => {
    if (input.values) return input.dtype === 'bool' ? Uint8Array.from(input.values) : Int32Array.from(input.values);
    const n = input.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = input.positive ? 0.5 + Math.abs(rng.normal()) : rng.normal();
    return v;
  });
}

/** What one case gives on one backend: its outputs, and its gradients with respect to its float inputs. */
export interface CaseOutcome {
  outputs: { values: Float32Array | Int32Array | Uint8Array; shape: number[] }[];
  gradients: Float32Array[] | null;
  error?: string;
}

async function read(ts: tf.Tensor[]): Promise<{ values: Float32Array | Int32Array | Uint8Array; shape: number[] }[]> {
  return Promise.all(ts.map(async (t) => ({ values: (await t.data()) as Float32Array | Int32Array | Uint8Array, shape: t.shape })));
}

/** Runs `c` on the active backend with the inputs of `caseValues(c, seed)`; a thrown error is returned, not raised. */
export async function runCase(c: KernelCase, seed: number): Promise<CaseOutcome> {
  const values = caseValues(c, seed);
  const made: tf.Tensor[] = [];
  try {
    const tensors = c.inputs.map((input, i) => tf.tensor(values[i], input.shape, input.dtype));
    made.push(...tensors);
    const call = (ts: tf.Tensor[]): tf.Tensor[] => {
      const named: tf.NamedTensorMap = {};
      c.inputs.forEach((input, i) => (named[input.name] = ts[i]));
      const inputs = c.list ? (ts as unknown as tf.NamedTensorMap) : named;
      const out = tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
      return Array.isArray(out) ? out : [out];
    };
    const outs = tf.tidy(() => call(tensors));
    made.push(...outs);
    const outputs = await read(outs);
    const floatIdx = c.inputs.map((input, i) => (input.dtype === 'float32' ? i : -1)).filter((i) => i >= 0);
    let gradients: Float32Array[] | null = null;
    if (c.differentiated && tf.getGradient(c.kernel) && floatIdx.length > 0 && outs[0].dtype === 'float32') {
      const rng = new Rng(seed + 1);
      const dy = tf.tensor(Float32Array.from({ length: outs[0].size }, () => rng.normal()), outs[0].shape);
      made.push(dy);
      const gs = tf.tidy(() =>
        tf.grads((...args: tf.Tensor[]) => {
          const all = [...tensors];
          floatIdx.forEach((k, j) => (all[k] = args[j]));
          return call(all)[0];
        })(floatIdx.map((k) => tensors[k]), dy),
      );
      made.push(...gs);
      gradients = (await read(gs)).map((g) => Float32Array.from(g.values));
    }
    return { outputs, gradients };
  } catch (e) {
    return { outputs: [], gradients: null, error: errorMessage(e) };
  } finally {
    tf.dispose(made);
  }
}

/** Largest |a - b| over the largest |a| (scale 1 for an all-zero reference); NaN where `a` has none, or a size mismatch, is Infinity. */
export function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (reference.length !== actual.length) return Infinity;
  let scale = 0;
  let err = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i];
    const a = actual[i];
    if (Number.isNaN(r) && Number.isNaN(a)) continue;
    if (Number.isFinite(r)) scale = Math.max(scale, Math.abs(r));
    if (r === a) continue;
    const d = Math.abs(r - a);
    err = Number.isNaN(d) ? Infinity : Math.max(err, d);
  }
  return err / (scale || 1);
}

/** How far `got` is from the cpu `reference`: [forward, gradient (null if none)]. */
export function compareOutcomes(reference: CaseOutcome, got: CaseOutcome): [number, number | null] {
  if (got.error) return [Infinity, reference.gradients ? Infinity : null];
  let forward = reference.outputs.length === got.outputs.length ? 0 : Infinity;
  reference.outputs.forEach((r, i) => {
    const g = got.outputs[i];
    forward = Math.max(forward, !g || JSON.stringify(g.shape) !== JSON.stringify(r.shape) ? Infinity : relativeError(r.values, g.values));
  });
  if (!reference.gradients) return [forward, null];
  let gradient = got.gradients?.length === reference.gradients.length ? 0 : Infinity;
  reference.gradients.forEach((r, i) => (gradient = Math.max(gradient, got.gradients?.[i] ? relativeError(r, got.gradients[i]) : Infinity)));
  return [forward, gradient];
}

/** A case's seed: fixed by its position, so every backend sees the same inputs. */
const seedOf = (i: number): number => 1000 + 7919 * i;

/**
 * Runs every case on cpu and on each of `backends` (already initialised) and returns, per kernel
 * and backend, the worst relative errors. Leaves cpu active. `onProgress` hears each backend's start.
 */
export async function runConformance(cases: readonly KernelCase[], backends: readonly string[], onProgress?: (msg: string) => void): Promise<KernelResult[]> {
  await tf.setBackend('cpu');
  const reference: CaseOutcome[] = [];
  for (let i = 0; i < cases.length; i++) reference.push(await runCase(cases[i], seedOf(i)));
  const results: KernelResult[] = [];
  for (const backend of backends) {
    onProgress?.(`conformance: ${backend}, ${cases.length} cases`);
    await tf.setBackend(backend);
    const byKernel = new Map<string, KernelResult>();
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const r = byKernel.get(c.kernel) ?? { kernel: c.kernel, backend, cases: 0, forward: 0, gradient: null };
      byKernel.set(c.kernel, r);
      r.cases++;
      if (reference[i].error) {
        r.forward = Infinity;
        r.note = `cpu: ${reference[i].error}`;
        continue;
      }
      const got = tf.getKernel(c.kernel, backend) ? await runCase(c, seedOf(i)) : { outputs: [], gradients: null, error: 'not registered' };
      const [fwd, grad] = compareOutcomes(reference[i], got);
      r.forward = Math.max(r.forward, fwd);
      if (grad !== null) r.gradient = Math.max(r.gradient ?? 0, grad);
      if (got.error && !r.note) r.note = got.error.slice(0, 120);
    }
    results.push(...byKernel.values());
  }
  await tf.setBackend('cpu');
  return results;
}

/** Whether a result passes: forward and gradient within CONFORMANCE_TOLERANCE. */
export function passes(r: KernelResult): boolean {
  return r.forward <= CONFORMANCE_TOLERANCE && (r.gradient === null || r.gradient <= CONFORMANCE_TOLERANCE);
}

/** Which kernels pass per backend: the shape of the committed baseline. */
export type ConformanceBaseline = Record<string, Record<string, 'pass' | 'fail'>>;

/** The baseline that `results` would give. */
export function toBaseline(results: readonly KernelResult[]): ConformanceBaseline {
  const out: ConformanceBaseline = {};
  for (const r of results) (out[r.backend] ??= {})[r.kernel] = passes(r) ? 'pass' : 'fail';
  return out;
}

/**
 * What is wrong with `results` against `baseline` for `backend`: a kernel the baseline says passes
 * that now fails, and a kernel that was recorded but is not in the baseline (or the reverse).
 */
export function regressions(results: readonly KernelResult[], baseline: ConformanceBaseline, backend: string): string[] {
  const base = baseline[backend] ?? {};
  const mine = results.filter((r) => r.backend === backend);
  const problems: string[] = [];
  for (const r of mine) {
    if (!(r.kernel in base)) problems.push(`${r.kernel} on ${backend}: new kernel, not in the baseline (regenerate it)`);
    else if (base[r.kernel] === 'pass' && !passes(r)) problems.push(`${r.kernel} on ${backend}: regressed (forward ${r.forward.toExponential(1)}, gradient ${r.gradient?.toExponential(1) ?? '-'}${r.note ? `; ${r.note}` : ''})`);
  }
  for (const k of Object.keys(base)) if (!mine.some((r) => r.kernel === k)) problems.push(`${k} on ${backend}: in the baseline but no model uses it now (regenerate it)`);
  return problems;
}
