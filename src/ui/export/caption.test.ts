import { describe, expect, it } from 'vitest';
import { createDefaultConfig, parseExperimentConfig } from '../../engine/config';
import { configCaption } from './caption';

describe('configCaption', () => {
  it('names the run and every arm with its optimizer, schedule and RG mode', () => {
    const c = parseExperimentConfig({ ...createDefaultConfig(), seeds: [1, 2, 3], steps: 12, batchSize: 8 });
    const lines = configCaption(c);
    expect(lines).toHaveLength(1 + c.arms.length);
    expect(lines[0]).toContain('batch 8 · 12 steps');
    expect(lines[0]).toContain('seeds 1, 2, 3');
    expect(lines[1]).toMatch(/^plain: SGD lr 0\.1, momentum 0\.9, wd 0\.0005, constant schedule; RG off$/);
    expect(lines[2]).toMatch(/^rg: .*RG r ~ U\[0, 1\)$/);
  });
});
