import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateScenes } from '../data/builtin/scenes';
import { parseExperimentConfig } from '../engine/config';
import { createTrainerHandler, type HandlerDeps } from './handler';
import type { FromWorker } from './protocol';

/** A segment run through the handler: each evaluation posts every arm's samples, buffers transferred. */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('samples', () => {
  it('posts each arm’s samples after its eval records, with the palette, moving fresh buffers', async () => {
    const dataset = generateScenes({ size: 16, trainCount: 8, testCount: 3, seed: 1 });
    const posted: { msg: FromWorker; transfer: Transferable[] }[] = [];
    const deps: HandlerDeps = {
      activateBackend: async () => {
        await tf.setBackend('cpu');
      },
      probeWebGpu: async () => 'no WebGPU in Node',
      loadDataset: () => dataset,
      loadArchive: () => Promise.reject(new Error('no archives in this test')),
      metricsIntervalMs: 1e9,
    };
    const handle = createTrainerHandler((msg, transfer) => posted.push({ msg, transfer: transfer ?? [] }), deps);
    await handle({ type: 'init', id: 1, backend: 'cpu', model: 'fcn' });
    expect(posted[0].msg).toMatchObject({ type: 'ready', report: { backend: 'cpu' } });
    const config = parseExperimentConfig({
      task: 'segment',
      model: 'fcn',
      dataset: 'builtin:scenes',
      inputSize: 16,
      batchSize: 4,
      steps: 2,
      evalEvery: 1,
      arms: [{ name: 'plain' }, { name: 'rg', rg: { mode: 'uniform' } }],
    });
    await handle({ type: 'start', runId: 'r1', config });

    const messages = posted.map((p) => p.msg);
    expect(messages.at(-1)).toMatchObject({ type: 'done', status: 'done' });
    const samples = posted.filter((p) => p.msg.type === 'samples');
    expect(samples.map((p) => (p.msg.type === 'samples' ? [p.msg.samples.arm, p.msg.samples.step] : null))).toEqual([
      ['plain', 1],
      ['rg', 1],
      ['plain', 2],
      ['rg', 2],
    ]);
    for (const { msg, transfer } of samples) {
      if (msg.type !== 'samples') continue;
      expect(msg.runId).toBe('r1');
      expect(msg.palette).toEqual(dataset.palette);
      const s = msg.samples.samples;
      expect(s).toMatchObject({ kind: 'segment', count: 3, size: 16, channels: 3 });
      expect(s.input).toHaveLength(3 * 16 * 16 * 3);
      expect(s.target).toHaveLength(3 * 16 * 16);
      expect(s.output).toHaveLength(3 * 16 * 16);
      expect(transfer).toEqual([s.input.buffer, s.target.buffer, s.output.buffer]);
      expect(s.input.buffer).not.toBe(dataset.test.images.buffer);
    }
    // The eval records of a step reach the page before that step's samples.
    const firstSamples = messages.findIndex((m) => m.type === 'samples');
    const evalBefore = messages.slice(0, firstSamples).some((m) => m.type === 'metrics' && m.records.some((r) => r.type === 'eval' && r.arm === 'plain'));
    expect(evalBefore).toBe(true);
  }, 60_000);
});
