import type { StateCreator } from 'zustand';
import type { ArchiveOptions, LoadProgress } from '../worker/protocol';
import type { AppStore } from './index';

/**
 * Dataset archives: how they are read, the load in flight with its progress, and the last
 * failure. A failed or cancelled load leaves `dataset` (runSlice) as it was: still in use.
 */

export interface ArchiveLoad {
  /** The worker request's id; progress for any other id is stale. */
  id: number;
  fileName: string;
  /** The archive's size. */
  bytes: number;
  startedAt: number;
  progress: LoadProgress | null;
  /** When the current phase (reading, decoding) began and when progress last came, in ms. */
  phaseStartedAt: number;
  updatedAt: number;
}

export interface ArchiveState {
  options: ArchiveOptions;
  loading: ArchiveLoad | null;
  /** Why the last archive failed to load, naming the file; the earlier dataset stays in use. */
  error: string | null;
}

export interface ArchiveSlice {
  archive: ArchiveState;
  setArchiveOptions: (patch: Partial<ArchiveOptions>) => void;
  beginArchiveLoad: (id: number, fileName: string, bytes: number, at: number) => void;
  setArchiveProgress: (id: number, progress: LoadProgress, at: number) => void;
  /** Ends load `id`: `error` null for success or a cancel. */
  endArchiveLoad: (id: number, error: string | null) => void;
  clearArchiveError: () => void;
  resetArchive: () => void;
}

export const INITIAL_ARCHIVE: ArchiveState = { options: { cifarLabels: 'fine', pairDirection: 'AtoB' }, loading: null, error: null };

/** Fraction done of the current phase: archive bytes while reading, images while decoding; null if unknown. */
export function loadFraction(p: LoadProgress): number | null {
  if (p.phase === 'reading') return p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : null;
  return p.totalFiles ? Math.min(1, p.files / p.totalFiles) : null;
}

/** Time left in the current phase at the pace so far, in ms; null until there is a pace to go by. */
export function estimateRemainingMs(load: ArchiveLoad): number | null {
  const f = load.progress ? loadFraction(load.progress) : null;
  const spent = load.updatedAt - load.phaseStartedAt;
  if (f === null || f <= 0.02 || spent <= 0) return null;
  return (spent * (1 - f)) / f;
}

export const createArchiveSlice: StateCreator<AppStore, [], [], ArchiveSlice> = (set) => ({
  archive: INITIAL_ARCHIVE,
  setArchiveOptions: (patch) => set((s) => ({ archive: { ...s.archive, options: { ...s.archive.options, ...patch } } })),
  beginArchiveLoad: (id, fileName, bytes, at) =>
    set((s) => ({ archive: { ...s.archive, error: null, loading: { id, fileName, bytes, startedAt: at, progress: null, phaseStartedAt: at, updatedAt: at } } })),
  setArchiveProgress: (id, progress, at) =>
    set((s) => {
      const l = s.archive.loading;
      if (!l || l.id !== id) return s;
      const phaseStartedAt = l.progress && l.progress.phase !== progress.phase ? at : l.phaseStartedAt;
      return { archive: { ...s.archive, loading: { ...l, progress, phaseStartedAt, updatedAt: at } } };
    }),
  endArchiveLoad: (id, error) => set((s) => (s.archive.loading?.id === id ? { archive: { ...s.archive, loading: null, error } } : s)),
  clearArchiveError: () => set((s) => (s.archive.error ? { archive: { ...s.archive, error: null } } : s)),
  resetArchive: () => set({ archive: INITIAL_ARCHIVE }),
});
