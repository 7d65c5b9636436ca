import type { MetricRecord } from '../engine/records';
import type { ExperimentStore } from '../persist';
import { combineJsonl, type JsonlImport, type ParsedJsonl } from '../persist/jsonl';
import { nextTask, readJsonlFile } from '../persist/jsonlStream';
import { storedSummaryOf } from './summary';

/**
 * Imports the runner's or train.py's JSONL output (one file, or several of one run) as one saved
 * experiment: every file is read as a stream and validated line by line first, so a bad line
 * stores nothing; then the records are stored in batches with the summary the lab computes from
 * them (its verdicts come from the seeds, never from a record that claims one).
 */

export interface ImportProgress {
  phase: 'reading' | 'saving';
  file: string;
  /** Bytes read of the file (reading) or records stored (saving). */
  done: number;
  total: number;
}

export interface ImportOptions {
  baseline: string | null;
  target: number | null;
  onProgress?: (p: ImportProgress) => void;
  /** Records a batch (default 5000); the page gets a turn between batches. */
  batch?: number;
}

export interface ImportedRun {
  id: string;
  run: JsonlImport;
}

export async function importJsonlFiles(db: ExperimentStore, files: readonly File[], opts: ImportOptions): Promise<ImportedRun> {
  const parts: ParsedJsonl[] = [];
  for (const f of files) {
    parts.push(await readJsonlFile(f, f.name, { onProgress: (p) => opts.onProgress?.({ phase: 'reading', file: p.file, done: p.bytes, total: p.total }) }));
  }
  const run = combineJsonl(parts);
  // The summary needs the eval, diverged and summary records only: a short list beside the steps.
  let steps = 0;
  const results: MetricRecord[] = [];
  for (const r of run.records) {
    if (r.type === 'step') steps = Math.max(steps, r.step);
    else results.push(r);
  }
  const summary = storedSummaryOf(run.config, results, opts.baseline, opts.target, steps);
  const id = await db.createExperiment(run.config, run.manifest, run.name);
  try {
    const batch = opts.batch ?? 5000;
    for (let i = 0; i < run.records.length; i += batch) {
      await db.appendRecords(id, run.records.slice(i, i + batch));
      opts.onProgress?.({ phase: 'saving', file: run.name, done: Math.min(run.records.length, i + batch), total: run.records.length });
      await nextTask();
    }
    await db.setSummary(id, summary);
    // Without every summary record the run did not finish; it has no checkpoint to resume from.
    await db.setStatus(id, run.complete ? 'done' : 'interrupted');
  } catch (e) {
    await db.delete(id).catch(() => undefined);
    throw e;
  }
  return { id, run };
}
