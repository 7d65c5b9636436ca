import { describe, expect, it } from 'vitest';
import { MemoryExperimentStore } from '../persist';
import { JsonlError } from '../persist/jsonl';
import { jsonlRunRecords, makeJsonlRun } from '../testing/jsonlRuns';
import { importJsonlFiles } from './importRecords';

const file = (name: string, text: string) => new File([text], name);

describe('importing JSONL records as an experiment', () => {
  it('stores a runner run of 2 arms x 3 seeds with its source, summary and verdict computed from the seeds', async () => {
    const db = new MemoryExperimentStore();
    // The stats helper's comparison record claims a verdict: it is skipped, the lab computes its own.
    const comparison = { type: 'comparison', metric: 'accuracy', arm: 'rg', verdict: 'RG helps', p: 0.0001 };
    const { id } = await importJsonlFiles(db, [file('metrics.jsonl', makeJsonlRun({ extra: [comparison] }))], { baseline: null, target: null, batch: 50 });
    const meta = await db.getExperiment(id);
    expect(meta).toMatchObject({ status: 'done', name: 'metrics (runner)', manifest: { source: 'runner', files: ['metrics.jsonl'], seeds: [1, 2, 3] } });
    expect(meta?.config.seeds).toEqual([1, 2, 3]);
    expect(await db.getRecords(id)).toEqual(jsonlRunRecords());
    const summary = meta?.summary as { seeds: number; metric: string; arms: { arm: string; verdict: string | null }[] };
    expect(summary).toMatchObject({ metric: 'accuracy', seeds: 3, baseline: 'plain', steps: 20 });
    expect(summary.arms.map((a) => a.arm)).toEqual(['plain', 'rg']);
    // Both arms have the same accuracies here: no verdict may say RG helps.
    expect(summary.arms[1].verdict).toMatch(/^no significant difference between rg and plain over 3 seeds/);
  });

  it('finds a difference that is there: rg ahead on every seed', async () => {
    const db = new MemoryExperimentStore();
    const { id } = await importJsonlFiles(db, [file('ahead.jsonl', makeJsonlRun({ rgAhead: 0.05 }))], { baseline: null, target: null });
    const summary = (await db.getExperiment(id))?.summary as { arms: { verdict: string | null }[] };
    expect(summary.arms[1].verdict).toMatch(/rg ended 5\.\d+ (points|pp|%).* higher than plain in final test accuracy/);
  });

  it('stores nothing when a line is bad, naming the file and line', async () => {
    const db = new MemoryExperimentStore();
    const good = makeJsonlRun({ seeds: [1] });
    const bad = makeJsonlRun({ seeds: [2] }).split('\n');
    bad[7] = '{"type":"step","arm":"plain","seed":2';
    const err = await importJsonlFiles(db, [file('s1.jsonl', good), file('s2.jsonl', bad.join('\n'))], { baseline: null, target: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JsonlError);
    expect((err as Error).message).toMatch(/^s2\.jsonl, line 8: not JSON/);
    expect(await db.list()).toEqual([]);
  });
});
