import { describe, expect, it } from 'vitest';
import { createDefaultConfig, parseExperimentConfig } from '../engine/config';
import { configUrl, parseUrlParams } from './urlParams';

describe('parseUrlParams', () => {
  it('reads a forced backend and a built-in dataset', () => {
    expect(parseUrlParams('?dataset=builtin:shapes10&backend=webgpu', ['builtin:shapes10'])).toEqual({
      backend: 'webgpu',
      threads: null,
      dataset: 'builtin:shapes10',
      config: null,
      warnings: [],
    });
  });
  it('reads a wasm thread count with ?backend=wasm only', () => {
    expect(parseUrlParams('?backend=wasm&threads=2', [])).toMatchObject({ backend: 'wasm', threads: 2, warnings: [] });
    const alone = parseUrlParams('?threads=2', []);
    expect(alone.threads).toBeNull();
    expect(alone.warnings).toEqual(['?threads=2 was ignored: it sets wasm\'s thread count, so it needs ?backend=wasm.']);
    for (const bad of ['0', '9', '1.5', 'two', '']) {
      const p = parseUrlParams(`?backend=wasm&threads=${bad}`, []);
      expect(p.threads).toBeNull();
      expect(p.warnings[0]).toContain('is not a thread count from 1 to 8');
    }
  });
  it('warns about unknown values and ignores them', () => {
    const p = parseUrlParams('?backend=cuda&dataset=builtin:mnist', ['builtin:shapes10']);
    expect(p.backend).toBeNull();
    expect(p.dataset).toBeNull();
    expect(p.warnings).toHaveLength(2);
    expect(p.warnings[0]).toContain('webgpu, webgl, wasm, cpu');
  });
});

describe('?config= round trip', () => {
  const known = ['builtin:shapes10', 'builtin:scenes'];

  it('gives back the same config it was made from', () => {
    const config = parseExperimentConfig({ ...createDefaultConfig(), seeds: [3, 4, 5], batchSize: 16, steps: 120 });
    config.arms[1].optimizer.lr = 0.037;
    const url = configUrl(config, 'http://127.0.0.1:5173/?backend=webgl&dataset=builtin:scenes');
    const p = parseUrlParams(new URL(url).search, known);
    expect(p.config).toEqual(config);
    expect(p.backend).toBe('webgl');
    expect(p.dataset).toBeNull();
    expect(p.warnings).toEqual([]);
  });

  it('leaves the defaults in place with a message naming the field on a bad config', () => {
    const bad = { ...createDefaultConfig(), batchSize: -4 };
    const p = parseUrlParams(`?config=${encodeURIComponent(JSON.stringify(bad))}`, known);
    expect(p.config).toBeNull();
    expect(p.warnings).toEqual([expect.stringMatching(/^\?config= was ignored, the defaults are in place: batchSize/)]);
    expect(parseUrlParams('?config=%7Bnot-json', known).warnings[0]).toMatch(/not JSON/);
    const unknownSet = { ...createDefaultConfig(), dataset: 'builtin:mnist' };
    expect(parseUrlParams(`?config=${encodeURIComponent(JSON.stringify(unknownSet))}`, known).warnings[0]).toMatch(/builtin:mnist is not a built-in dataset/);
  });
});
