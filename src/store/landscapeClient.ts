import type { ContourPaths } from '../landscape/contours';
import type { PathMetrics } from '../landscape/metrics';
import type { FromLandscapeWorker, SeedsOutcome, ToLandscapeWorker } from '../landscape/protocol';
import type { SimSpec } from '../landscape/simulate';
import type { SurfaceId } from '../landscape/surfaces';

/**
 * The view's side of the landscape worker. Contours are asked for once per surface and kept. Path requests are coalesced: at most one runs, and
 * only the newest waiting one follows it (dragging a slider does not queue up work). A many-seed
 * run replaces the one before it. A superseded request resolves with null.
 */

/** The part of `Worker` the client uses (a fake in tests). */
export interface LandscapeWorkerLike {
  postMessage(msg: ToLandscapeWorker): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<FromLandscapeWorker>) => void): void;
  addEventListener(type: 'error', fn: (e: ErrorEvent) => void): void;
}

export interface PathsAnswer {
  steps: number;
  /** Per arm: [steps + 1, 2] positions, flattened. */
  paths: Float32Array[];
  metrics: PathMetrics[];
}

interface Waiting<T> {
  resolve: (v: T | null) => void;
  reject: (e: Error) => void;
}

export class LandscapeClient {
  private nextId = 1;
  private pathsRunning: (Waiting<PathsAnswer> & { id: number }) | null = null;
  private pathsQueued: (Waiting<PathsAnswer> & { spec: SimSpec; epsilon: number }) | null = null;
  private readonly contourRequests = new Map<SurfaceId, Promise<ContourPaths>>();
  private readonly contoursWaiting = new Map<number, { resolve: (c: ContourPaths) => void; reject: (e: Error) => void }>();
  private seedsRunning: (Waiting<SeedsOutcome> & { id: number; onProgress: (done: number, total: number) => void }) | null = null;

  constructor(private readonly worker: LandscapeWorkerLike) {
    worker.addEventListener('message', (e) => this.receive(e.data));
    worker.addEventListener('error', (e) => this.failAll(new Error(`the landscape worker stopped: ${e.message || 'the script did not load'}. Reload the page.`)));
  }

  /** Starts the real worker (bundled by Vite as a module worker). */
  static create(): LandscapeClient {
    return new LandscapeClient(new Worker(new URL('../landscape/landscape.worker.ts', import.meta.url), { type: 'module', name: 'rg-lab-landscape' }));
  }

  /** The contour bands of `surface`, computed once. */
  contours(surface: SurfaceId): Promise<ContourPaths> {
    let p = this.contourRequests.get(surface);
    if (!p) {
      const id = this.nextId++;
      p = new Promise<ContourPaths>((resolve, reject) => this.contoursWaiting.set(id, { resolve, reject }));
      // A failed request is not kept, so a later call asks again.
      p.catch(() => this.contourRequests.delete(surface));
      this.contourRequests.set(surface, p);
      this.worker.postMessage({ type: 'contours', id, surface });
    }
    return p;
  }

  /** Each arm's path for the spec's first seed; null if a newer request took its place. */
  paths(spec: SimSpec, epsilon: number): Promise<PathsAnswer | null> {
    return new Promise((resolve, reject) => {
      this.pathsQueued?.resolve(null);
      this.pathsQueued = { spec, epsilon, resolve, reject };
      this.pumpPaths();
    });
  }

  /** Steps to epsilon over every seed of `spec`; null if cancelled or replaced. */
  seeds(spec: SimSpec, epsilon: number, onProgress: (done: number, total: number) => void): Promise<SeedsOutcome | null> {
    this.seedsRunning?.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.seedsRunning = { id, resolve, reject, onProgress };
      this.worker.postMessage({ type: 'seeds', id, spec, epsilon });
    });
  }

  cancelSeeds(): void {
    if (!this.seedsRunning) return;
    this.worker.postMessage({ type: 'cancel', id: this.seedsRunning.id });
    this.seedsRunning.resolve(null);
    this.seedsRunning = null;
  }

  private pumpPaths(): void {
    if (this.pathsRunning || !this.pathsQueued) return;
    const { spec, epsilon, resolve, reject } = this.pathsQueued;
    this.pathsQueued = null;
    const id = this.nextId++;
    this.pathsRunning = { id, resolve, reject };
    this.worker.postMessage({ type: 'paths', id, spec, epsilon });
  }

  private receive(m: FromLandscapeWorker): void {
    const paths = this.pathsRunning?.id === m.id ? this.pathsRunning : null;
    const seeds = this.seedsRunning?.id === m.id ? this.seedsRunning : null;
    switch (m.type) {
      case 'contours':
        this.contoursWaiting.get(m.id)?.resolve(m.contours);
        this.contoursWaiting.delete(m.id);
        return;
      case 'paths':
        if (!paths) return;
        this.pathsRunning = null;
        paths.resolve({ steps: m.steps, paths: m.paths, metrics: m.metrics });
        this.pumpPaths();
        return;
      case 'progress':
        seeds?.onProgress(m.done, m.total);
        return;
      case 'seeds':
        if (!seeds) return;
        this.seedsRunning = null;
        seeds.resolve({ stepsToEpsilon: m.stepsToEpsilon, diverged: m.diverged });
        return;
      case 'error':
        this.contoursWaiting.get(m.id)?.reject(new Error(m.message));
        this.contoursWaiting.delete(m.id);
        if (paths) {
          this.pathsRunning = null;
          paths.reject(new Error(m.message));
          this.pumpPaths();
        } else if (seeds) {
          this.seedsRunning = null;
          seeds.reject(new Error(m.message));
        }
        return;
    }
  }

  private failAll(e: Error): void {
    this.contoursWaiting.forEach((w) => w.reject(e));
    this.contoursWaiting.clear();
    this.pathsQueued?.reject(e);
    this.pathsRunning?.reject(e);
    this.seedsRunning?.reject(e);
    this.pathsQueued = this.pathsRunning = this.seedsRunning = null;
  }
}

let shared: LandscapeClient | null = null;

/** The page's one landscape worker, started on first use; it lives as long as the page. */
export function sharedLandscapeClient(): LandscapeClient {
  shared ??= LandscapeClient.create();
  return shared;
}
