import { describe, expect, it } from 'vitest';
import type { FromLandscapeWorker, ToLandscapeWorker } from '../landscape/protocol';
import { buildSimSpec, createLandscapeSettings } from '../landscape/settings';
import { LandscapeClient, type LandscapeWorkerLike } from './landscapeClient';

/** A worker that records what it is sent and answers only when told. */
class FakeWorker implements LandscapeWorkerLike {
  sent: ToLandscapeWorker[] = [];
  private onMessage: ((e: MessageEvent<FromLandscapeWorker>) => void) | null = null;
  private onError: ((e: ErrorEvent) => void) | null = null;
  postMessage(msg: ToLandscapeWorker): void {
    this.sent.push(msg);
  }
  addEventListener(type: 'message' | 'error', fn: ((e: MessageEvent<FromLandscapeWorker>) => void) | ((e: ErrorEvent) => void)): void {
    if (type === 'message') this.onMessage = fn as (e: MessageEvent<FromLandscapeWorker>) => void;
    else this.onError = fn as (e: ErrorEvent) => void;
  }
  reply(msg: FromLandscapeWorker): void {
    this.onMessage?.({ data: msg } as MessageEvent<FromLandscapeWorker>);
  }
  fail(message: string): void {
    this.onError?.({ message } as ErrorEvent);
  }
}

const spec = buildSimSpec(createLandscapeSettings(), 1);
const answer = (id: number): FromLandscapeWorker => ({ type: 'paths', id, steps: 1, paths: [new Float32Array(4)], metrics: [] });

describe('LandscapeClient', () => {
  it('runs one paths request at a time and only the newest of those waiting', async () => {
    const w = new FakeWorker();
    const c = new LandscapeClient(w);
    const a = c.paths(spec, 0.1);
    const b = c.paths(spec, 0.2);
    const d = c.paths(spec, 0.3);
    expect(w.sent.map((m) => m.type === 'paths' && m.epsilon)).toEqual([0.1]);
    await expect(b).resolves.toBeNull();
    w.reply(answer(w.sent[0].id));
    await expect(a).resolves.toMatchObject({ steps: 1 });
    expect(w.sent.map((m) => m.type === 'paths' && m.epsilon)).toEqual([0.1, 0.3]);
    w.reply(answer(w.sent[1].id));
    await expect(d).resolves.toMatchObject({ steps: 1 });
  });

  it('reports seed progress, replaces a running seed run, and cancels', async () => {
    const w = new FakeWorker();
    const c = new LandscapeClient(w);
    const progress: number[] = [];
    const first = c.seeds(spec, 0.1, (done) => progress.push(done));
    const firstId = w.sent[0].id;
    w.reply({ type: 'progress', id: firstId, done: 3, total: 10 });
    const second = c.seeds(spec, 0.1, () => {});
    await expect(first).resolves.toBeNull();
    w.reply({ type: 'seeds', id: firstId, stepsToEpsilon: [[1]], diverged: [0] });
    w.reply({ type: 'seeds', id: w.sent[1].id, stepsToEpsilon: [[2]], diverged: [0] });
    await expect(second).resolves.toEqual({ stepsToEpsilon: [[2]], diverged: [0] });
    expect(progress).toEqual([3]);

    const third = c.seeds(spec, 0.1, () => {});
    c.cancelSeeds();
    await expect(third).resolves.toBeNull();
    expect(w.sent.at(-1)).toEqual({ type: 'cancel', id: w.sent[2].id });
  });

  it('asks for a surface’s contours once and shares the answer', async () => {
    const w = new FakeWorker();
    const c = new LandscapeClient(w);
    const a = c.contours('beale');
    const b = c.contours('beale');
    expect(w.sent).toEqual([{ type: 'contours', id: 1, surface: 'beale' }]);
    const contours = { surface: 'beale' as const, nx: 2, ny: 2, bands: [] };
    w.reply({ type: 'contours', id: 1, contours });
    await expect(a).resolves.toBe(contours);
    await expect(b).resolves.toBe(contours);
    c.contours('saddle');
    w.reply({ type: 'error', id: 2, message: 'no' });
    await expect(c.contours('saddle')).rejects.toThrow('no');
    c.contours('saddle');
    expect(w.sent.filter((m) => m.type === 'contours')).toHaveLength(3);
  });

  it('passes worker errors on to the request, and a dead worker fails everything', async () => {
    const w = new FakeWorker();
    const c = new LandscapeClient(w);
    const a = c.paths(spec, 0.1);
    w.reply({ type: 'error', id: w.sent[0].id, message: 'landscape: steps is 0' });
    await expect(a).rejects.toThrow('steps is 0');
    const b = c.paths(spec, 0.1);
    const s = c.seeds(spec, 0.1, () => {});
    w.fail('boom');
    await expect(b).rejects.toThrow(/landscape worker stopped: boom/);
    await expect(s).rejects.toThrow(/landscape worker stopped/);
  });
});
