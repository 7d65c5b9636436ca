import type { MetricRecord } from '../engine/records';
import type { useAppStore } from './index';
import { recordsInMemory } from './metricsSlice';
import { isRunActive } from './runSlice';

/** Run ids, content hashes, and promises over the store that the trainer bridge hands out. */

export type StoreApi = Pick<typeof useAppStore, 'getState' | 'subscribe'>;

/** SHA-256 of a file's bytes as hex, for the manifest; null where Web Crypto is missing (non-secure origins). */
export async function sha256(file: Blob): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return `sha256:${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

let runCounter = 0;

/** A readable, unique run id (it names the experiment in exports). */
export function createRunId(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `run-${stamp}-${++runCounter}`;
}

/**
 * Resolves with run `id`'s records (in memory: a long run's steps thinned) when it ends; rejects
 * if it fails or another run replaces it. An abort calls `stop` while the run is going.
 */
export function untilRunEnds(store: StoreApi, id: string, stop: () => void, signal?: AbortSignal): Promise<MetricRecord[]> {
  return new Promise<MetricRecord[]>((resolve, reject) => {
    const onAbort = () => {
      const s = store.getState();
      if (s.run.id === id && isRunActive(s.run.status)) stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const unsubscribe = store.subscribe((now) => {
      if (now.run.id !== id) {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        reject(new Error('Another run replaced this one.'));
      } else if (!isRunActive(now.run.status)) {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        if (now.run.status === 'error') reject(new Error(now.run.error ?? 'The run failed.'));
        else resolve(recordsInMemory(now));
      }
    });
    if (signal?.aborted) onAbort();
  });
}

/** Resolves once the backend is ready; rejects if its preflight fails, the signal aborts, or it takes over `waitMs`. */
export function whenBackendReady(store: StoreApi, signal?: AbortSignal, waitMs = 120_000): Promise<void> {
  const failed = (error: string | null) => new Error(`The backend is not ready: ${error ?? 'its preflight failed'}.`);
  const now = store.getState().backend;
  if (now.state === 'ready') return Promise.resolve();
  if (now.state === 'error') return Promise.reject(failed(now.error));
  return new Promise<void>((resolve, reject) => {
    const done = (e?: Error) => {
      unsubscribe();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (e) reject(e);
      else resolve();
    };
    const onAbort = () => done(new Error('Stopped while waiting for the backend.'));
    const timer = setTimeout(() => done(new Error('The backend is not ready yet.')), waitMs);
    const unsubscribe = store.subscribe((s) => {
      if (s.backend.state === 'ready') done();
      else if (s.backend.state === 'error') done(failed(s.backend.error));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
  });
}
