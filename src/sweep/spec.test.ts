import { expect, it, suite } from 'vitest';
import { parseExperimentConfig } from '../engine/config';
import {
  ARM_VARIANTS,
  createCustomSpec,
  defaultEvalEvery,
  estimateSweepCost,
  expandSweep,
  findBaseline,
  formatNumberList,
  parseNumberList,
  pickVariants,
  SweepError,
  type SweepSpec,
} from './spec';

function spec(patch: Partial<SweepSpec> = {}): SweepSpec {
  return { ...createCustomSpec('classify'), lrs: [0.1, 0.01, 0.001], momenta: [0.5, 0.9], steps: 120, evalEvery: 40, ...patch };
}

function sweepError(fn: () => unknown): SweepError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SweepError);
    return e as SweepError;
  }
  throw new Error('expected a SweepError');
}

suite('expandSweep', () => {
  it('gives one cell per lr x momentum, lr-major, each a complete valid config with the variants as arms', () => {
    const cells = expandSweep(spec());
    expect(cells).toHaveLength(6);
    expect(cells.map((c) => [c.lr, c.momentum])).toEqual([
      [0.1, 0.5],
      [0.1, 0.9],
      [0.01, 0.5],
      [0.01, 0.9],
      [0.001, 0.5],
      [0.001, 0.9],
    ]);
    cells.forEach((c, i) => {
      expect(c.index).toBe(i);
      expect(c.id).toBe(`lr=${c.lr} momentum=${c.momentum}`);
      expect(c.baseline).toBe('plain');
      // Already in parsed form: parsing it again changes nothing.
      expect(parseExperimentConfig(structuredClone(c.config))).toEqual(c.config);
      expect(c.config.steps).toBe(120);
      expect(c.config.evalEvery).toBe(40);
      expect(c.config.epochs).toBeUndefined();
      expect(c.config.arms.map((a) => a.name)).toEqual(['plain', 'rg']);
      for (const a of c.config.arms) expect(a.optimizer).toEqual({ type: 'sgd', lr: c.lr, momentum: c.momentum, nesterov: false, weightDecay: 5e-4 });
      expect(c.config.arms[0].rg).toEqual({ mode: 'off', probability: 1, scale: 1 });
      expect(c.config.arms[1].rg).toEqual({ mode: 'uniform', low: 0, high: 1, probability: 1, scale: 1 });
    });
  });

  it('keeps the base config (task, model, dataset, batch, seeds) and its template schedule in every cell', () => {
    const s = createCustomSpec('segment');
    const cells = expandSweep({ ...s, base: { ...s.base, model: 'fcn', seeds: [3, 4], batchSize: 4 } });
    expect(cells).toHaveLength(4);
    for (const c of cells) {
      expect(c.config).toMatchObject({ task: 'segment', dataset: 'builtin:scenes', model: 'fcn', batchSize: 4, seeds: [3, 4], inputSize: 32 });
      for (const a of c.config.arms) expect(a.lrSchedule).toEqual({ type: 'poly', power: 0.9, warmupSteps: 0 });
    }
  });

  it('scales the learning rate of an lr-scaled variant and finds the baseline', () => {
    const cells = expandSweep(spec({ lrs: [0.2], momenta: [0.5], variants: pickVariants(['plain', 'rg', 'plain lr x0.5']) }));
    expect(cells[0].config.arms.map((a) => [a.name, a.optimizer.lr])).toEqual([
      ['plain', 0.2],
      ['rg', 0.2],
      ['plain lr x0.5', 0.1],
    ]);
    expect(findBaseline({ variants: pickVariants(['rg', 'w0.5', 'w1', 'w2']) })).toBe('w1');
    expect(findBaseline({ variants: pickVariants(['rg', 'cyclical']) })).toBe('rg');
    expect(findBaseline({ variants: pickVariants(['plain', 'rg']), baseline: 'rg' })).toBe('rg');
    expect(findBaseline({ variants: pickVariants(['plain', 'rg']), baseline: 'gone' })).toBe('plain');
  });

  it('every catalogue variant parses, and all eight fit in one cell', () => {
    const cells = expandSweep(spec({ lrs: [0.1], momenta: [0.5], variants: ARM_VARIANTS }));
    expect(cells[0].config.arms).toHaveLength(8);
    expect(cells[0].config.arms.find((a) => a.name === 'w2')?.rg).toEqual({ mode: 'constant', weight: 2, probability: 1, scale: 1 });
    expect(cells[0].config.arms.find((a) => a.name === 'rg p0.5')?.rg.probability).toBe(0.5);
  });

  it('defaults evalEvery to about five evaluations per run', () => {
    expect(defaultEvalEvery(300)).toBe(60);
    expect(defaultEvalEvery(12)).toBe(3);
    expect(expandSweep({ ...spec(), evalEvery: undefined })[0].config.evalEvery).toBe(24);
  });

  it('names the field of a bad axis, budget, metric, variant set or template', () => {
    expect(sweepError(() => expandSweep(spec({ lrs: [] }))).field).toBe('lrs');
    expect(sweepError(() => expandSweep(spec({ lrs: [0.1, 0] }))).message).toBe('lrs[1]: is 0; allowed > 0 and <= 10');
    expect(sweepError(() => expandSweep(spec({ lrs: [0.1, 0.1] }))).field).toBe('lrs[1]');
    expect(sweepError(() => expandSweep(spec({ momenta: [1] }))).field).toBe('momenta[0]');
    expect(sweepError(() => expandSweep(spec({ momenta: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] }))).field).toBe('momenta');
    expect(sweepError(() => expandSweep(spec({ steps: 5 }))).field).toBe('steps');
    expect(sweepError(() => expandSweep(spec({ steps: 100.5 }))).field).toBe('steps');
    expect(sweepError(() => expandSweep(spec({ metric: 'mIoU' }))).field).toBe('metric');
    expect(sweepError(() => expandSweep(spec({ variants: [] }))).field).toBe('variants');
    expect(sweepError(() => expandSweep(spec({ variants: [...pickVariants(['plain']), ...pickVariants(['plain'])] }))).field).toBe('variants[1].name');
    expect(sweepError(() => pickVariants(['plain', 'nope'])).field).toBe('variants');
    const s = spec();
    const adam = { ...s, base: { ...s.base, arms: [{ ...s.base.arms[0], optimizer: { type: 'adam' as const, lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 } }] } };
    expect(sweepError(() => expandSweep(adam)).field).toBe('base.arms[0].optimizer.type');
    const cyc = { ...s, base: { ...s.base, arms: [{ ...s.base.arms[0], lrSchedule: { type: 'cyclical' as const, min: 0.01, max: 0.1, period: 10, unit: 'step' as const } }] } };
    expect(sweepError(() => expandSweep(cyc)).field).toBe('base.arms[0].lrSchedule.type');
  });

  it("reports a config problem with the cell and the config's field", () => {
    const e = sweepError(() => expandSweep(spec({ lrs: [8], momenta: [0.5], variants: [{ name: 'big', label: 'x', rg: { mode: 'off' }, lrScale: 2 }] })));
    expect(e.field).toBe('cell lr=8 momentum=0.5: arms[0].optimizer.lr');
    expect(e.message).toBe('cell lr=8 momentum=0.5: arms[0].optimizer.lr: is 16; allowed > 0 and <= 10');
  });
});

suite('estimateSweepCost', () => {
  it('counts cells, arm-steps and images', () => {
    const s = spec({ base: { ...spec().base, seeds: [1, 2], batchSize: 16 } });
    expect(estimateSweepCost(s)).toEqual({ cells: 6, arms: 2, seeds: 2, armSteps: 6 * 2 * 2 * 120, images: 6 * 2 * 2 * 120 * 16 });
  });
});

suite('parseNumberList', () => {
  const range = { min: 0, max: 10, minExclusive: true };
  it('reads commas, semicolons, spaces and exponents', () => {
    expect(parseNumberList('0.01, 1e-3;0.0001  0.1', 'lrs', range)).toEqual([0.01, 0.001, 0.0001, 0.1]);
    expect(formatNumberList([0.01, 0.001, 0.0001])).toBe('0.01, 0.001, 0.0001');
    expect(parseNumberList(formatNumberList([0.95, 0.9]), 'momenta', { min: 0, max: 1, maxExclusive: true })).toEqual([0.95, 0.9]);
  });
  it('names the bad entry', () => {
    expect(sweepError(() => parseNumberList(' , ', 'lrs', range)).message).toBe('lrs: needs at least one number');
    expect(sweepError(() => parseNumberList('0.1, abc', 'lrs', range)).message).toBe('lrs[1]: "abc" is not a number');
    expect(sweepError(() => parseNumberList('0.1, 0', 'lrs', range)).message).toBe('lrs[1]: is 0; allowed > 0 and <= 10');
    expect(sweepError(() => parseNumberList('1', 'momenta', { min: 0, max: 1, maxExclusive: true })).message).toBe('momenta[0]: is 1; allowed >= 0 and < 1');
  });
});
