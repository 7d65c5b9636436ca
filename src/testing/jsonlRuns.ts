import { createClassifyArms, createDefaultConfig, parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import type { ManifestRecord, MetricRecord, RecordSource } from '../engine/records';

/**
 * JSONL runs as the runner and train.py write them, for the import tests: a manifest, then per
 * seed the lock steps of every arm, an eval every `evalEvery` steps and a summary per arm. The
 * accuracies follow a fixed formula (arm `rg` a little above `plain` when `rgAhead` is set), so
 * tests can predict them.
 */

export interface JsonlRunOptions {
  source?: RecordSource;
  seeds?: number[];
  steps?: number;
  evalEvery?: number;
  /** How much higher `rg`'s accuracy is than `plain`'s (times 1 + seed / 20, so the differences vary over seeds); default 0. */
  rgAhead?: number;
  /** Extra lines appended at the end (e.g. a `comparison` record). */
  extra?: unknown[];
  config?: Partial<ExperimentConfig>;
  /** Left out: no manifest line (a file of a run whose manifest is in another file). */
  manifest?: boolean;
}

export function jsonlRunConfig(opts: JsonlRunOptions = {}): ExperimentConfig {
  return parseExperimentConfig({ ...createDefaultConfig(), inputSize: 8, batchSize: 4, steps: opts.steps ?? 20, evalEvery: opts.evalEvery ?? 10, seeds: opts.seeds ?? [1, 2, 3], arms: createClassifyArms(), ...opts.config });
}

export function jsonlRunManifest(opts: JsonlRunOptions = {}): ManifestRecord {
  const config = jsonlRunConfig(opts);
  const source = opts.source ?? 'runner';
  return {
    type: 'manifest',
    source,
    config,
    seeds: config.seeds,
    software: source === 'pytorch' ? { name: 'train.py', version: '0.1.0' } : { name: 'rg-lab', version: '0.1.0' },
    ...(source === 'pytorch' ? { torch: '1.13.0', device: 'cpu' } : { backend: 'cpu', tfjs: '4.22.0' }),
    dataset: { name: config.dataset, contentHash: `${config.dataset}@8px/seed1` },
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/** The records of such a run (no manifest). */
export function jsonlRunRecords(opts: JsonlRunOptions = {}): MetricRecord[] {
  const config = jsonlRunConfig(opts);
  const out: MetricRecord[] = [];
  const steps = config.steps ?? 20;
  const acc = (arm: string, seed: number, step: number) => Math.min(0.99, 0.1 + step / (steps * 2) + seed * 0.01 + (arm === 'rg' ? (opts.rgAhead ?? 0) * (1 + seed / 20) : 0));
  for (const seed of config.seeds) {
    for (let step = 1; step <= steps; step++) {
      for (const a of config.arms) {
        out.push({ type: 'step', arm: a.name, seed, step, epoch: step / 10, loss: 2 / step, weightedLoss: 1 / step, rgWeight: 1, lr: 0.05, gradNorm: 1, ms: 3 });
      }
      if (step % config.evalEvery === 0) {
        for (const a of config.arms) out.push({ type: 'eval', arm: a.name, seed, step, epoch: step / 10, metrics: { loss: 1 / step, accuracy: acc(a.name, seed, step) } });
      }
    }
    for (const a of config.arms) {
      const final = acc(a.name, seed, steps);
      out.push({ type: 'summary', arm: a.name, seed, steps, ms: 3 * steps, final: { accuracy: final, loss: 1 / steps }, best: { accuracy: final, loss: 1 / steps } });
    }
  }
  return out;
}

/** The run as JSONL text: one JSON object a line, NaN written as null (as JSON.stringify does). */
export function makeJsonlRun(opts: JsonlRunOptions = {}): string {
  const source = opts.source ?? 'runner';
  const lines: unknown[] = [
    ...(opts.manifest === false ? [] : [jsonlRunManifest(opts)]),
    ...jsonlRunRecords(opts).map((r) => (source === 'pytorch' ? { ...r, source } : r)),
    ...(opts.extra ?? []),
  ];
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}
