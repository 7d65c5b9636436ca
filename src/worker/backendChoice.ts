import { type AdapterInfo, type BackendMeasurement, type BackendName, type MeasuredChoice, type SpeedWorkload } from './protocol';

/**
 * The measured backend choice's rules, free of timing so that they can be tested with made-up
 * figures: what a remembered choice is keyed on, the order candidates are timed in, and the order
 * they are then checked in (fastest first: the first that passes the preflight wins).
 */

/**
 * The order candidates are timed in: the ones that compute on the CPU first, so that a GPU
 * backend passed over with work still queued (a software adapter compiling shaders) cannot slow
 * their measurement down.
 */
export const MEASURE_ORDER: readonly BackendName[] = ['wasm', 'cpu', 'webgl', 'webgpu'];

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
export function rankByMeasuredSpeed(candidates: readonly BackendName[], measurements: readonly BackendMeasurement[]): BackendName[] {
  const speed = (b: BackendName): number => {
    const ips = measurements.find((m) => m.backend === b)?.imagesPerSec;
    return ips !== null && ips !== undefined && ips > 0 ? ips : -1;
  };
  return [...candidates].sort((a, b) => speed(b) - speed(a) || candidates.indexOf(a) - candidates.indexOf(b));
}

/** The candidates in the order they are timed. */
export function measureOrder(candidates: readonly BackendName[]): BackendName[] {
  return [...candidates].sort((a, b) => MEASURE_ORDER.indexOf(a) - MEASURE_ORDER.indexOf(b));
}
