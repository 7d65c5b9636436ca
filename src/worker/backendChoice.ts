import { type AdapterInfo, type BackendCandidate, type BackendMeasurement, type BackendName, type MeasuredChoice, type SpeedWorkload } from './protocol';

/**
 * The measured backend choice's rules, free of timing so that they can be tested with made-up
 * figures: what a remembered choice is keyed on, the candidates (wasm once per thread count
 * worth trying), the order they are timed in, each one's time budget, and the order they are
 * then checked in (fastest first: the first that passes the preflight wins).
 */

/**
 * The order candidates are timed in: the ones that compute on the CPU first, so that a GPU
 * backend passed over with work still queued (a software adapter compiling shaders) cannot slow
 * their measurement down.
 */
export const MEASURE_ORDER: readonly BackendName[] = ['wasm', 'cpu', 'webgl', 'webgpu'];

/** A WebGL renderer string (WEBGL_debug_renderer_info) of a software rasterizer. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/**
 * Why `backend` renders in software here, or null: WebGPU on a fallback adapter, WebGL on a
 * software renderer. Such a backend computes on the CPU through a GPU emulation: it is timed
 * only when no backend computing on the CPU directly (wasm, cpu) was (see `notTimed`).
 */
export function softwareGpu(backend: BackendName, adapter: AdapterInfo | null, webglRenderer: string | null): string | null {
  if (backend === 'webgpu' && adapter?.isFallbackAdapter) return `its adapter is a fallback (software) one${adapter.architecture ? ` (${adapter.architecture})` : ''}`;
  if (backend === 'webgl' && webglRenderer && SOFTWARE_RENDERER.test(webglRenderer)) return `its renderer is a software one (${webglRenderer})`;
  return null;
}

/**
 * The wasm thread counts worth timing on a machine with `cores` logical cores (navigator's
 * hardwareConcurrency): one thread, and TF.js's own count (half the cores, at most 8) but at least
 * two, so that a 2-core machine tries two. None where the page cannot run wasm threads.
 */
export function wasmThreadChoices(cores: number, threadsSupported: boolean): number[] {
  if (!threadsSupported || !(cores >= 2)) return [];
  return [1, Math.max(2, Math.min(8, Math.floor(cores / 2)))];
}

/**
 * Why candidate `c` is not timed, given the figures so far, or null: cpu when wasm was timed
 * (wasm runs the same kernels compiled); a GPU backend that renders in software (`software`,
 * from softwareGpu) when wasm or cpu was timed (it emulates a GPU on that same CPU: tens of times
 * slower than wasm for `cnn` here, after seconds of shader compilation; docs/bench-full.json).
 */
export function notTimed(c: BackendCandidate, software: string | null, measured: readonly BackendMeasurement[]): string | null {
  const timed = (b: BackendName): BackendMeasurement | undefined => measured.find((m) => m.backend === b && m.imagesPerSec !== null);
  if (c.backend === 'cpu' && timed('wasm')) return 'not timed: wasm runs the same kernels compiled, and was timed';
  const onCpu = timed('wasm') ?? timed('cpu');
  if (software && onCpu) return `not timed: ${software}, a GPU emulated on the CPU, where ${onCpu.backend} was timed`;
  return null;
}

/** The candidates, in the preferred order of `order`, wasm once per count of `wasmThreads` (fewest first; none: wasm as it starts). */
export function expandCandidates(order: readonly BackendName[], wasmThreads: readonly number[]): BackendCandidate[] {
  return order.flatMap((backend) => (backend === 'wasm' && wasmThreads.length ? [...wasmThreads].sort((a, b) => a - b).map((threads) => ({ backend, threads })) : [{ backend }]));
}

export function sameCandidate(a: BackendCandidate, b: BackendCandidate): boolean {
  return a.backend === b.backend && a.threads === b.threads;
}

/** What a choice depends on of the WebGPU adapter: its identity, or that there was none. */
export function adapterKey(adapter: AdapterInfo | null): string {
  if (!adapter) return 'no-webgpu';
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter;
  return `webgpu:${[vendor, architecture, device, description].join('/')}${isFallbackAdapter ? ' (fallback)' : ''}`;
}

/** The key a measured choice is remembered under: adapter, model, batch size and input size. */
export function choiceKey(adapter: AdapterInfo | null, w: SpeedWorkload): string {
  return `${adapterKey(adapter)}|${w.model}|batch ${w.batchSize}|${w.inputSize}px`;
}

/** The remembered choice for `key`, if any. */
export function findRemembered(remembered: readonly MeasuredChoice[] | undefined, key: string): MeasuredChoice | null {
  return remembered?.find((c) => c.key === key) ?? null;
}

/**
 * The order to try `candidates` in: the timed ones fastest first (a tie goes to the earlier of
 * `candidates`), then those passed over, in the order of `candidates`.
 */
export function rankByMeasuredSpeed<C extends BackendCandidate>(candidates: readonly C[], measurements: readonly BackendMeasurement[]): C[] {
  const speed = (c: C): number => {
    const ips = measurements.find((m) => sameCandidate(m, c))?.imagesPerSec;
    return ips !== null && ips !== undefined && ips > 0 ? ips : -1;
  };
  return [...candidates].sort((a, b) => speed(b) - speed(a) || candidates.indexOf(a) - candidates.indexOf(b));
}

/** The candidates in the order they are timed (a stable sort: wasm's thread counts keep their order). */
export function measureOrder<C extends BackendCandidate>(candidates: readonly C[]): C[] {
  return [...candidates].sort((a, b) => MEASURE_ORDER.indexOf(a.backend) - MEASURE_ORDER.indexOf(b.backend));
}
