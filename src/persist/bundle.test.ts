import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../engine/records';
import { createBundle, parseBundle } from './bundle';
import { BundleError } from './errors';
import { createMeta } from './meta';
import { MemoryExperimentStore } from './memoryStore';
import { makeConfig, makeRecords } from './testing';

function goodBundle(records: MetricRecord[] = makeRecords(12, { diverge: true })): Record<string, unknown> {
  const meta = { ...createMeta(makeConfig(), { backend: 'cpu' }, 1_700_000_000_000, 'shared run', 'exp-1'), status: 'done' as const };
  // Through JSON text, as a file would carry it.
  return JSON.parse(JSON.stringify(createBundle(meta, records)));
}

/** The bundle with `path` (dot-separated; numbers index arrays) set to `value`, or removed when value is undefined. */
function withField(path: string, value: unknown): Record<string, unknown> {
  const b = goodBundle();
  const keys = path.split('.');
  let obj: Record<string, unknown> = b;
  for (const k of keys.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === undefined) delete obj[last];
  else obj[last] = value;
  return b;
}

function errorOf(raw: unknown): BundleError {
  try {
    parseBundle(raw);
  } catch (e) {
    if (e instanceof BundleError) return e;
    throw e;
  }
  throw new Error('parseBundle accepted it');
}

describe('experiment bundles', () => {
  it('survive JSON text with NaN and Infinity intact', () => {
    const records = makeRecords(12, { diverge: true });
    const broken = records.find((r) => r.type === 'step' && Number.isNaN(r.loss));
    expect(broken).toBeDefined();
    const parsed = parseBundle(goodBundle(records));
    expect(parsed.records).toEqual(records);
    expect(parsed).toMatchObject({ name: 'shared run', status: 'done', config: makeConfig(), manifest: { backend: 'cpu' }, createdAt: 1_700_000_000_000 });
    // A diverged reason that mentions NaN stays text.
    expect(parsed.records.find((r) => r.type === 'diverged')).toMatchObject({ reason: 'loss is NaN' });
  });

  it('name what is wrong', () => {
    const cases: [unknown, string][] = [
      [null, 'bundle: must be a JSON object (an exported RG Lab experiment)'],
      [[1, 2], 'bundle: must be a JSON object (an exported RG Lab experiment)'],
      [withField('format', 'rg-lab-run'), 'format: is "rg-lab-run"; expected "rg-lab-experiment" (an experiment exported from RG Lab)'],
      [withField('format', undefined), 'format: is missing; expected "rg-lab-experiment" (an experiment exported from RG Lab)'],
      [withField('version', 2), 'version: is 2; this version of RG Lab reads version 1'],
      [withField('experiment', undefined), 'experiment: is missing or not an object'],
      [withField('experiment.config', undefined), 'experiment.config: is missing'],
      [withField('experiment.config', 'cnn'), 'experiment.config: must be a JSON object'],
      [withField('experiment.config.batchSize', 0), 'experiment.config.batchSize: is 0; allowed >= 1 and <= 1024'],
      [withField('experiment.config.arms.1.optimizer.lr', -1), 'experiment.config.arms[1].optimizer.lr: is -1; allowed > 0 and <= 10'],
      [withField('experiment.name', 7), 'experiment.name: must be a string of 1 to 120 characters'],
      [withField('experiment.status', 'finished'), 'experiment.status: is "finished"; allowed: running | done | stopped | interrupted | error'],
      [withField('experiment.manifest', [1]), 'experiment.manifest: must be an object'],
      [withField('records', undefined), 'records: must be an array of metric records, is missing'],
      [withField('records', { 0: {} }), 'records: must be an array of metric records, is object'],
      [withField('records.3', 'step'), 'records[3]: must be an object'],
      [withField('records.3.type', 'metric'), 'records[3].type: is "metric"; allowed: step | eval | diverged | summary | event'],
      [withField('records.3.loss', '0.5'), 'records[3].loss: must be a number, is "0.5"'],
      [withField('records.0.arm', undefined), 'records[0].arm: must be a string, is missing'],
    ];
    for (const [raw, message] of cases) expect(errorOf(raw).message, message).toBe(message);
    expect(errorOf(withField('records.3.seed', null)).field).toBe('records[3].seed');
  });

  it('checks every kind of record', () => {
    // The records goodBundle carries.
    const records = makeRecords(12, { diverge: true });
    const at = (type: MetricRecord['type']) => records.findIndex((r) => r.type === type);
    expect(errorOf(withField(`records.${at('eval')}.metrics.perClassIoU`, [0.5, 'x'])).message).toMatch(/^records\[\d+\]\.metrics\.perClassIoU: must be a number or a list of numbers$/);
    expect(errorOf(withField(`records.${at('summary')}.best`, 3)).message).toMatch(/^records\[\d+\]\.best: must be an object of metric values$/);
    expect(errorOf(withField(`records.${at('event')}.name`, 'batchSize')).message).toMatch(/^records\[\d+\]\.name: is "batchSize"; allowed: lr \| momentum \| lossWeight$/);
    expect(errorOf(withField(`records.${at('diverged')}.reason`, undefined)).message).toMatch(/^records\[\d+\]\.reason: must be a string, is missing$/);
  });

  it('fills what may be left out, and a run exported mid-way comes back interrupted', () => {
    const minimal = { format: 'rg-lab-experiment', version: 1, experiment: { config: { arms: [{ name: 'a' }] } }, records: [] };
    const parsed = parseBundle(minimal, 42);
    expect(parsed).toMatchObject({ name: 'cnn: a', createdAt: 42, status: 'done', manifest: {}, summary: null, records: [] });
    expect(parseBundle(withField('experiment.status', 'running')).status).toBe('interrupted');
  });

  it('also read the records export (format rg-lab-records), its nulls as NaN', () => {
    const records = makeRecords(12, { diverge: true });
    const exported = JSON.parse(
      JSON.stringify({ format: 'rg-lab-records', version: 1, experiment: 'run-20240101-120000-1', config: makeConfig(), backend: { backend: 'wasm' }, exportedAt: '2024-01-01T12:00:00.000Z', records }),
    );
    const parsed = parseBundle(exported);
    expect(parsed).toMatchObject({ name: 'run-20240101-120000-1', config: makeConfig(), manifest: { backend: { backend: 'wasm' } } });
    // Infinity was written as null too: it comes back as NaN.
    expect(parsed.records).toEqual(records.map((r) => (r.type === 'step' && r.gradNorm === Number.POSITIVE_INFINITY ? { ...r, gradNorm: Number.NaN } : r)));
    expect(errorOf({ ...exported, config: null }).message).toBe('experiment.config: is missing');
  });

  it('import of a broken bundle stores nothing', async () => {
    const store = new MemoryExperimentStore();
    await expect(store.importBundle(withField('records.5.step', 'late'))).rejects.toThrow(BundleError);
    expect(await store.list()).toEqual([]);
  });
});
