import type { ContourPaths } from './contours';
import type { PathMetrics } from './metrics';
import type { SimSpec } from './simulate';
import type { SurfaceId } from './surfaces';

/**
 * Messages between the landscape view and its worker. `contours` asks for a surface's contour
 * bands; `paths` for the drawn paths of one seed; `seeds` for steps-to-epsilon over many seeds, with progress; a newer `seeds` request, or
 * `cancel`, ends the one running. Only typed arrays and plain data cross.
 */

export type ToLandscapeWorker =
  | { type: 'contours'; id: number; surface: SurfaceId }
  | { type: 'paths'; id: number; spec: SimSpec; epsilon: number }
  | { type: 'seeds'; id: number; spec: SimSpec; epsilon: number }
  | { type: 'cancel'; id: number };

export interface SeedsOutcome {
  /** Per arm, per seed: steps to epsilon, null if never. */
  stepsToEpsilon: (number | null)[][];
  /** Per arm, the seeds whose path diverged. */
  diverged: number[];
}

export type FromLandscapeWorker =
  | { type: 'contours'; id: number; contours: ContourPaths }
  | { type: 'paths'; id: number; steps: number; paths: Float32Array[]; metrics: PathMetrics[] }
  | { type: 'progress'; id: number; done: number; total: number }
  | ({ type: 'seeds'; id: number } & SeedsOutcome)
  | { type: 'error'; id: number; message: string };
