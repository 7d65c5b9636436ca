import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { DatasetError, describeSummary, loadArchiveDataset, loadBuiltinDataset } from '../data';
import { decodeImageNode } from '../data/decodeNode';
import { ConfigError, parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import type { Dataset } from '../engine/dataset';
import type { ManifestRecord, MetricRecord } from '../engine/records';
import { comparisonRecords, comparisonTable, findPlainArm, summariseRun } from '../stats';
import { Trainer } from '../engine/trainer';
import { initNodeBackend } from '../platform/node';

/** Backends the runner offers: Node has no GPU backends. */
export const NODE_BACKENDS = ['wasm', 'cpu'] as const;
type NodeBackend = (typeof NODE_BACKENDS)[number];

/**
 * The headless runner (docs/contracts.md, section 1): the browser's engine in Node. Exit code 0 on
 * success, 1 when training fails, 2 for a bad config or dataset, with a one-line reason.
 */

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const EXIT_OK = 0;
export const EXIT_TRAINING_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

const USAGE = 'usage: npm run train -- --config experiment.json [--out metrics.jsonl] [--backend wasm|cpu]';

class UsageError extends Error {}

function readConfig(path: string): ExperimentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseExperimentConfig(json);
}

/** The software version the manifest names: package.json's. */
export function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The first record the runner writes: where the records come from (docs/contracts.md, section 3). */
export function runnerManifest(cfg: ExperimentConfig, backend: string, contentHash: string | null): ManifestRecord {
  return {
    type: 'manifest',
    source: 'runner',
    config: cfg,
    seeds: cfg.seeds,
    software: { name: 'rg-lab', version: appVersion() },
    backend,
    tfjs: tf.version.tfjs,
    dataset: { name: cfg.dataset, contentHash },
    createdAt: new Date().toISOString(),
  };
}

interface LoadedDataset {
  dataset: Dataset;
  /** The lab's content hash: `sha256:<hex>` of an archive's bytes, `<builtin>@<size>px/seed<seed>` of a built-in one. */
  contentHash: string;
}

/** A built-in dataset, or an archive (.zip, .tar, .tar.gz, .tgz) read through the browser's parsers. */
async function loadDataset(cfg: ExperimentConfig, seed: number, io: CliIo): Promise<LoadedDataset> {
  if (cfg.dataset.startsWith('builtin:')) {
    try {
      return { dataset: loadBuiltinDataset(cfg.dataset, { inputSize: cfg.inputSize, seed }), contentHash: `${cfg.dataset}@${cfg.inputSize}px/seed${seed}` };
    } catch (e) {
      throw new UsageError(`dataset: ${(e as Error).message}`);
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(cfg.dataset);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`dataset: cannot read ${cfg.dataset}: ${code ?? String(e)}; use builtin:<name> or a path to a .zip, .tar, .tar.gz or .tgz`);
  }
  try {
    const { dataset, summary } = await loadArchiveDataset(bytes, {
      fileName: cfg.dataset,
      task: cfg.task,
      inputSize: cfg.inputSize,
      seed,
      decoder: decodeImageNode,
    });
    io.stderr(`dataset: ${describeSummary(summary)}\n`);
    return { dataset, contentHash: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
  } catch (e) {
    if (e instanceof DatasetError) throw new UsageError(`dataset: ${e.message}`);
    throw e;
  }
}

function describeEval(r: MetricRecord): string {
  if (r.type !== 'eval') return '';
  const m = r.metrics;
  const parts = Object.entries(m)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([k, v]) => `${k} ${v.toFixed(4)}`);
  return `${r.arm}/s${r.seed}: ${parts.join(' ')}`;
}

/**
 * Each arm against the baseline (the first arm with RG off) on the headline metric, as the
 * page's summary computes it: comparison records on the output, a table on stderr.
 */
function writeComparisons(cfg: ExperimentConfig, records: readonly MetricRecord[], write: (s: string) => void, io: CliIo): void {
  const baseline = findPlainArm(cfg);
  if (baseline === null || cfg.arms.length < 2) return;
  const comparisons = comparisonRecords(summariseRun(cfg, records, baseline, null).byMetric[0]);
  for (const c of comparisons) write(`${JSON.stringify(c)}\n`);
  io.stderr(`\ncompared with ${baseline} over ${cfg.seeds.length} seed${cfg.seeds.length === 1 ? '' : 's'}:\n${comparisonTable(comparisons)}`);
}

/** Runs the runner with `argv` (without node and script); returns the exit code. */
export async function runTrainCli(argv: string[], io: CliIo): Promise<number> {
  let out: WriteStream | null = null;
  let trainer: Trainer | null = null;
  try {
    let args;
    try {
      args = parseArgs({
        args: argv,
        options: { config: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string', default: 'wasm' } },
      }).values;
    } catch (e) {
      throw new UsageError(`${(e as Error).message}; ${USAGE}`);
    }
    if (!args.config) throw new UsageError(`--config is required; ${USAGE}`);
    const backend = args.backend as NodeBackend;
    if (!NODE_BACKENDS.includes(backend)) throw new UsageError(`--backend: "${args.backend}"; allowed: ${NODE_BACKENDS.join(' | ')}`);
    const cfg = readConfig(args.config);
    const { dataset, contentHash } = await loadDataset(cfg, cfg.seeds[0], io);
    await initNodeBackend(backend);
    const write = args.out ? ((out = createWriteStream(args.out)), (s: string) => out!.write(s)) : io.stdout;
    write(`${JSON.stringify(runnerManifest(cfg, tf.getBackend(), contentHash))}\n`);
    const pendingEvals: string[] = [];
    // What the comparisons need (evaluations, divergences, summaries), not the step records.
    const kept: MetricRecord[] = [];
    let divergedRuns = 0;
    trainer = new Trainer({
      config: cfg,
      dataset,
      onRecord: (r) => {
        write(`${JSON.stringify(r)}\n`);
        if (r.type === 'eval' || r.type === 'diverged' || r.type === 'summary') kept.push(r);
        if (r.type === 'eval') pendingEvals.push(describeEval(r));
        if (r.type === 'diverged') divergedRuns++;
        if (r.type === 'diverged') io.stderr(`diverged: ${r.arm}/s${r.seed} at step ${r.step}: ${r.reason}\n`);
      },
      onProgress: (p) => {
        if (pendingEvals.length === 0) return;
        io.stderr(`step ${p.step}/${p.totalSteps} epoch ${p.epoch.toFixed(2)} ${p.imagesPerSec.toFixed(0)} img/s | ${pendingEvals.join(' | ')}\n`);
        pendingEvals.length = 0;
      },
    });
    io.stderr(`training ${cfg.model} on ${dataset.name} with ${tf.getBackend()}: ${cfg.arms.length} arms x ${cfg.seeds.length} seeds, ${trainer.totalSteps} steps\n`);
    await trainer.run();
    writeComparisons(cfg, kept, write, io);
    const runs = cfg.arms.length * cfg.seeds.length;
    if (divergedRuns === runs) {
      io.stderr(`training failed: every arm diverged (${runs} of ${runs} runs)\n`);
      return EXIT_TRAINING_FAILED;
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    io.stderr(`training failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_TRAINING_FAILED;
  } finally {
    trainer?.dispose();
    if (out) await new Promise<void>((r) => out!.end(r));
  }
}
