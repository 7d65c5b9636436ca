import { describe, expect, it } from 'vitest';
import { parseUrlParams } from './urlParams';

describe('parseUrlParams', () => {
  it('reads a forced backend and a built-in dataset', () => {
    expect(parseUrlParams('?dataset=builtin:shapes10&backend=webgpu', ['builtin:shapes10'])).toEqual({
      backend: 'webgpu',
      dataset: 'builtin:shapes10',
      warnings: [],
    });
  });
  it('warns about unknown values and ignores them', () => {
    const p = parseUrlParams('?backend=cuda&dataset=builtin:mnist', ['builtin:shapes10']);
    expect(p.backend).toBeNull();
    expect(p.dataset).toBeNull();
    expect(p.warnings).toHaveLength(2);
    expect(p.warnings[0]).toContain('webgpu, webgl, wasm, cpu');
  });
});
