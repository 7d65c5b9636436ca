import { assertNever } from '../engine/records';
import { computeContourPaths } from './contours';
import { measurePath } from './metrics';
import type { FromLandscapeWorker, SeedsOutcome, ToLandscapeWorker } from './protocol';
import { LandscapeSimulation, seedPath, simulatePaths, type SimResult } from './simulate';
import { getSurface, type SurfaceId } from './surfaces';
import { errorMessage } from '../engine/errors';

/**
 * The landscape worker's logic, free of worker globals so it runs in Node tests. Contours and
 * the paths of one seed are computed in one go; a many-seed run goes in pieces of about `sliceMs`, yielding in
 * between so a newer request or a cancel can end it, and reports progress after each piece.
 */

export type LandscapePost = (msg: FromLandscapeWorker, transfer?: Transferable[]) => void;

export interface LandscapeHandlerOptions {
  /** Called once before the first simulation: selects the TF.js backend. */
  prepare: () => Promise<void>;
  /** Milliseconds of work between yields in a many-seed run. */
  sliceMs?: number;
}

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Steps-to-epsilon and divergence of every seed of every arm. */
export function summarizeSeeds(result: SimResult, surfaceId: SurfaceId, epsilon: number): SeedsOutcome {
  const surface = getSurface(surfaceId);
  const metrics = result.paths.map((_, a) => result.seeds.map((_, s) => measurePath(surface, seedPath(result, a, s), epsilon)));
  return {
    stepsToEpsilon: metrics.map((arm) => arm.map((m) => m.stepsToEpsilon)),
    diverged: metrics.map((arm) => arm.filter((m) => m.divergedAt !== null).length),
  };
}

/** Returns the message handler; every failure is posted as `error` with the request's id. */
export function createLandscapeHandler(post: LandscapePost, opts: LandscapeHandlerOptions): (msg: ToLandscapeWorker) => Promise<void> {
  const sliceMs = opts.sliceMs ?? 30;
  let prepared: Promise<void> | null = null;
  /** The many-seed run that may go on; any other stops at its next yield. */
  let currentSeeds = -1;

  async function runSeeds(msg: Extract<ToLandscapeWorker, { type: 'seeds' }>): Promise<void> {
    currentSeeds = msg.id;
    const sim = new LandscapeSimulation(msg.spec);
    try {
      // Steps per piece, grown or shrunk so that a piece takes about sliceMs.
      let chunk = 5;
      while (!sim.done) {
        const t0 = performance.now();
        sim.advance(chunk);
        const ms = performance.now() - t0;
        chunk = Math.max(1, Math.round(chunk * Math.min(4, sliceMs / Math.max(ms, 0.1))));
        post({ type: 'progress', id: msg.id, done: sim.stepsDone, total: msg.spec.steps });
        await yieldToEvents();
        if (currentSeeds !== msg.id) return;
      }
      post({ type: 'seeds', id: msg.id, ...summarizeSeeds(sim.result(), msg.spec.surface, msg.epsilon) });
    } finally {
      sim.dispose();
    }
  }

  return async (msg) => {
    try {
      prepared ??= opts.prepare();
      await prepared;
      switch (msg.type) {
        case 'contours':
          post({ type: 'contours', id: msg.id, contours: computeContourPaths(getSurface(msg.surface)) });
          break;
        case 'paths': {
          const result = simulatePaths(msg.spec);
          const surface = getSurface(msg.spec.surface);
          const paths = result.paths.map((_, a) => seedPath(result, a, 0).slice());
          const metrics = paths.map((xy) => measurePath(surface, xy, msg.epsilon));
          post({ type: 'paths', id: msg.id, steps: result.steps, paths, metrics }, paths.map((p) => p.buffer));
          break;
        }
        case 'seeds':
          await runSeeds(msg);
          break;
        case 'cancel':
          if (currentSeeds === msg.id) currentSeeds = -1;
          break;
        default:
          assertNever(msg);
      }
    } catch (e) {
      post({ type: 'error', id: msg.id, message: errorMessage(e) });
    }
  };
}
