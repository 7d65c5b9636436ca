import { describe, expect, it } from 'vitest';
import { buildArms, buildSimSpec, createLandscapeSettings, matchedLr, toRgConfig, withSurface } from './settings';
import { getSurface } from './surfaces';

describe('landscape settings', () => {
  it('start at a surface’s defaults with plain and RG arms and r ~ U[0, 1)', () => {
    const s = createLandscapeSettings('rosenbrock');
    const d = getSurface('rosenbrock').defaults;
    expect(s).toMatchObject({ surface: 'rosenbrock', start: d.start, lr: d.lr, momentum: d.momentum, steps: d.steps, arms: ['plain', 'rg'] });
    expect(toRgConfig(s.rg)).toEqual({ mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 });
  });

  it('plain and RG differ only in RG; the matched arm runs at lr × E[r]', () => {
    const s = { ...createLandscapeSettings('quadratic'), arms: ['adam', 'rg', 'plain', 'matched', 'nesterov+rg'] as const };
    const arms = buildArms({ ...s, arms: [...s.arms] });
    expect(arms.map((a) => a.name)).toEqual(['plain', 'rg', 'matched', 'nesterov+rg', 'adam']);
    const [plain, rg, matched, nesterovRg, adam] = arms;
    expect(rg.optimizer).toEqual(plain.optimizer);
    expect(plain.rg.mode).toBe('off');
    expect(rg.rg).toEqual(toRgConfig(s.rg));
    expect(matched.optimizer).toEqual({ ...plain.optimizer, lr: s.lr * 0.5 });
    expect(matched.rg.mode).toBe('off');
    expect(nesterovRg.optimizer).toMatchObject({ type: 'sgd', nesterov: true, lr: s.lr, momentum: s.momentum });
    expect(nesterovRg.rg.mode).toBe('uniform');
    expect(adam.optimizer).toMatchObject({ type: 'adam', lr: s.adamLr });
  });

  it('maps each RG mode onto the engine’s config', () => {
    const s = createLandscapeSettings();
    expect(toRgConfig({ ...s.rg, mode: 'uniform', low: 0.8, high: 0.2 })).toMatchObject({ mode: 'uniform', low: 0.2, high: 0.8 });
    expect(toRgConfig({ ...s.rg, mode: 'constant', weight: 0.3 })).toMatchObject({ mode: 'constant', weight: 0.3 });
    expect(toRgConfig({ ...s.rg, mode: 'cyclical', low: 0, high: 2, period: 8 })).toMatchObject({ mode: 'cyclical', min: 0, max: 2, period: 8, unit: 'step' });
    expect(matchedLr({ ...s, lr: 0.2, rg: { ...s.rg, mode: 'constant', weight: 0.25 } })).toBeCloseTo(0.05, 12);
  });

  it('switching surface takes its defaults and keeps RG, arms and seed', () => {
    const s = { ...createLandscapeSettings('quadratic'), seed: 7, arms: ['plain' as const, 'adam' as const], rg: { mode: 'constant' as const, low: 0, high: 1, weight: 0.4, period: 10 } };
    const t = withSurface(s, 'beale');
    expect(t).toMatchObject({ surface: 'beale', start: getSurface('beale').defaults.start, seed: 7, arms: ['plain', 'adam'], rg: s.rg });
  });

  it('a run of n seeds counts up from the seed', () => {
    expect(buildSimSpec({ ...createLandscapeSettings(), seed: 5 }, 3).seeds).toEqual([5, 6, 7]);
  });
});
