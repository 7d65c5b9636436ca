import { BACKEND_ORDER, type BackendMeasurement, type MeasuredChoice } from '../worker/protocol';

/**
 * The measured backend choices the page remembers (the worker has no localStorage): one per key
 * (adapter, model, batch size, input size), newest first, at most MAX_CHOICES. What cannot be
 * read back (another version's format, a hand edit) is dropped, never trusted.
 */

/** What the cache needs of localStorage (a Map-backed fake in tests). */
export type ChoiceStorage = Pick<Storage, 'getItem' | 'setItem'>;

export const CHOICES_KEY = 'rg-lab.backendChoices.v1';
export const MAX_CHOICES = 16;

const isBackend = (v: unknown): v is MeasuredChoice['backend'] => BACKEND_ORDER.some((b) => b === v);
/** A wasm thread count as a choice may name one: absent, or a whole number from 1 to 64. */
const isThreads = (v: unknown): v is number | undefined => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 64);

function readMeasurement(v: unknown): BackendMeasurement | null {
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  if (!isBackend(m.backend) || !isThreads(m.threads)) return null;
  const ips = m.imagesPerSec;
  if (!(ips === null || (typeof ips === 'number' && Number.isFinite(ips) && ips > 0))) return null;
  return {
    backend: m.backend,
    ...(m.threads !== undefined ? { threads: m.threads } : {}),
    imagesPerSec: ips,
    ...(typeof m.warmupMs === 'number' && Number.isFinite(m.warmupMs) ? { warmupMs: m.warmupMs } : {}),
    ...(typeof m.reason === 'string' ? { reason: m.reason } : {}),
  };
}

function readChoice(v: unknown): MeasuredChoice | null {
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  if (typeof c.key !== 'string' || !isBackend(c.backend) || !isThreads(c.threads) || typeof c.measuredAt !== 'string' || !Array.isArray(c.measurements)) return null;
  const measurements = c.measurements.map(readMeasurement);
  if (measurements.some((m) => m === null)) return null;
  return { key: c.key, backend: c.backend, ...(c.threads !== undefined ? { threads: c.threads } : {}), measuredAt: c.measuredAt, measurements: measurements as BackendMeasurement[] };
}

/** The remembered choices; none when storage is missing, unreadable or holds something else. */
export function loadChoices(storage: ChoiceStorage | null): MeasuredChoice[] {
  let text: string | null = null;
  try {
    text = storage?.getItem(CHOICES_KEY) ?? null;
  } catch {
    return [];
  }
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.map(readChoice).filter((c): c is MeasuredChoice => c !== null);
}

/** Remembers `choice` in place of any other of its key, newest first. Storage that refuses (full, private mode) is left as it is. */
export function rememberChoice(storage: ChoiceStorage | null, choice: MeasuredChoice): void {
  if (!storage) return;
  const { key, backend, threads, measurements, measuredAt } = choice;
  const kept = [{ key, backend, ...(threads !== undefined ? { threads } : {}), measurements, measuredAt }, ...loadChoices(storage).filter((c) => c.key !== key)].slice(0, MAX_CHOICES);
  try {
    storage.setItem(CHOICES_KEY, JSON.stringify(kept));
  } catch {
    // Not remembered: the next visit measures again.
  }
}

/** The page's localStorage, or null where there is none (or it may not be touched). */
export function browserChoiceStorage(): ChoiceStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
