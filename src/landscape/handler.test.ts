import { beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '../testing/nodeBackends';
import { createLandscapeHandler } from './handler';
import type { FromLandscapeWorker } from './protocol';
import { buildSimSpec, createLandscapeSettings } from './settings';
import { seedPath, simulatePaths } from './simulate';

beforeAll(useCpu);

function harness(sliceMs = 30) {
  const sent: FromLandscapeWorker[] = [];
  let prepared = 0;
  const handle = createLandscapeHandler((m) => sent.push(m), {
    prepare: async () => {
      prepared++;
    },
    sliceMs,
  });
  return { sent, handle, prepared: () => prepared };
}

describe('landscape worker handler', () => {
  const settings = createLandscapeSettings('quadratic');

  it('answers paths with each arm’s path of the first seed and its readouts', async () => {
    const { sent, handle, prepared } = harness();
    const spec = buildSimSpec(settings, 1);
    await handle({ type: 'paths', id: 3, spec, epsilon: settings.epsilon });
    await handle({ type: 'paths', id: 4, spec, epsilon: settings.epsilon });
    expect(prepared()).toBe(1);
    expect(sent.map((m) => [m.type, m.id])).toEqual([['paths', 3], ['paths', 4]]);
    const m = sent[0];
    if (m.type !== 'paths') throw new Error('expected paths');
    expect(m.steps).toBe(settings.steps);
    expect(m.paths).toHaveLength(2);
    const direct = simulatePaths(spec);
    m.paths.forEach((p, a) => expect(Array.from(p)).toEqual(Array.from(seedPath(direct, a, 0))));
    expect(m.metrics.map((x) => typeof x.stepsToEpsilon)).toEqual(['number', 'number']);
  });

  it('runs many seeds in pieces with progress, ending in every seed’s steps to epsilon', async () => {
    const { sent, handle } = harness(1);
    const spec = buildSimSpec(settings, 20);
    await handle({ type: 'seeds', id: 7, spec, epsilon: settings.epsilon });
    const progress = sent.filter((m) => m.type === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ type: 'progress', id: 7, done: settings.steps, total: settings.steps });
    const last = sent.at(-1);
    if (last?.type !== 'seeds') throw new Error('expected seeds');
    expect(last.stepsToEpsilon.map((a) => a.length)).toEqual([20, 20]);
    // Plain SGD without noise is deterministic: every seed takes the same number of steps; RG varies by seed.
    expect(new Set(last.stepsToEpsilon[0]).size).toBe(1);
    expect(new Set(last.stepsToEpsilon[1]).size).toBeGreaterThan(1);
    expect(last.diverged).toEqual([0, 0]);
  });

  it('a newer many-seed request ends the running one, and cancel ends it too', async () => {
    const { sent, handle } = harness(1);
    const spec = buildSimSpec({ ...settings, steps: 400 }, 50);
    const first = handle({ type: 'seeds', id: 1, spec, epsilon: settings.epsilon });
    const second = handle({ type: 'seeds', id: 2, spec: buildSimSpec(settings, 5), epsilon: settings.epsilon });
    await Promise.all([first, second]);
    expect(sent.filter((m) => m.type === 'seeds').map((m) => m.id)).toEqual([2]);

    const third = handle({ type: 'seeds', id: 3, spec, epsilon: settings.epsilon });
    await handle({ type: 'cancel', id: 3 });
    await third;
    expect(sent.filter((m) => m.type === 'seeds').map((m) => m.id)).toEqual([2]);
  });

  it('answers contours with the surface’s bands as path data', async () => {
    const { sent, handle } = harness();
    await handle({ type: 'contours', id: 5, surface: 'beale' });
    const m = sent[0];
    if (m.type !== 'contours') throw new Error('expected contours');
    expect(m.id).toBe(5);
    expect(m.contours.surface).toBe('beale');
    expect(m.contours.bands.length).toBeGreaterThan(8);
    expect(m.contours.bands.every((b) => b.d.startsWith('M'))).toBe(true);
  });

  it('posts a bad request back as an error with its id', async () => {
    const { sent, handle } = harness();
    await handle({ type: 'paths', id: 9, spec: { ...buildSimSpec(settings), steps: 0 }, epsilon: 0.1 });
    expect(sent).toEqual([{ type: 'error', id: 9, message: expect.stringMatching(/steps is 0/) }]);
  });
});
