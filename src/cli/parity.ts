import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import type { SummaryRecord } from '../engine/records';
import { welchAgreement } from '../stats/agreement';
import { exportPytorch } from '../export/pytorch';
import { readTrainTemplate } from './exportPytorch';
import { EXIT_OK, runTrainCli } from './runTrain';

/**
 * Lab vs PyTorch at experiment level: the same config trained by the lab's runner
 * (src/cli/train.ts) and by its exported train.py, one process per seed, and the final test
 * metric of every arm compared by its seed mean and spread. The parity test runs it on a
 * generated fixture; `npx tsx src/cli/parity.ts --dataset data.zip --data-root data/` runs the
 * full comparison and writes a JSON result (docs/pytorch.md).
 */

export interface ParityOptions {
  /** The experiment; its dataset is what the lab's runner loads (an archive path). */
  config: ExperimentConfig;
  /** The same data as a folder, for train.py's --data-root. */
  dataRoot: string;
  /** A Python with torch. */
  python: string;
  /** The lab's backend (default wasm). */
  backend?: 'wasm' | 'cpu';
  /** Processes at once (default 1). */
  jobs?: number;
  /** The final metric compared (default accuracy). */
  metric?: string;
  /** Progress lines, if wanted. */
  log?: (line: string) => void;
}

export interface SeedStats {
  perSeed: number[];
  mean: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  sd: number;
}

export interface ParityResult {
  metric: string;
  /** Per arm name. */
  lab: Record<string, SeedStats>;
  pytorch: Record<string, SeedStats>;
}

export function seedStats(values: number[]): SeedStats {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { perSeed: values, mean, sd };
}

const TRAIN_CLI = fileURLToPath(new URL('./train.ts', import.meta.url));

function runProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(" ")} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** The lab's runner in this process (its exact code path), failing with its own message. */
async function runLabHere(argv: string[]): Promise<void> {
  let stderr = '';
  const code = await runTrainCli(argv, { stdout: () => undefined, stderr: (t) => (stderr = (stderr + t).slice(-4000)) });
  if (code !== EXIT_OK) throw new Error(`lab runner exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

/** Runs `tasks` with at most `jobs` at a time. */
async function pool(tasks: (() => Promise<void>)[], jobs: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
}

function summaries(file: string): SummaryRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string })
    .filter((r): r is SummaryRecord => r.type === 'summary');
}

/** Trains `config` seed by seed in the lab and in PyTorch and collects each arm's final metric. */
export async function runParity(opts: ParityOptions): Promise<ParityResult> {
  const config = parseExperimentConfig(opts.config);
  const metric = opts.metric ?? 'accuracy';
  const work = mkdtempSync(path.join(tmpdir(), 'rg-parity-'));
  // One thread per process: the seeds run side by side instead.
  const env = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const template = readTrainTemplate();
  const outputs: { side: 'lab' | 'pytorch'; file: string }[] = [];
  const tasks: (() => Promise<void>)[] = [];
  const jobs = opts.jobs ?? 1;
  // jobs > 1: one process per seed and side; else the lab in this process and one train.py, side by side.
  const chunks = jobs > 1 ? config.seeds.map((s) => [s]) : [config.seeds];
  try {
    for (const seeds of chunks) {
      const cfg = { ...config, seeds };
      const tag = seeds.join('-');
      const cfgFile = path.join(work, `config-s${tag}.json`);
      writeFileSync(cfgFile, JSON.stringify(cfg));
      const script = path.join(work, `train-s${tag}.py`);
      writeFileSync(script, exportPytorch(cfg, template));
      const labOut = path.join(work, `lab-s${tag}.jsonl`);
      const torchOut = path.join(work, `pytorch-s${tag}.jsonl`);
      outputs.push({ side: 'lab', file: labOut }, { side: 'pytorch', file: torchOut });
      const labArgs = ['--config', cfgFile, '--backend', opts.backend ?? 'wasm', '--out', labOut];
      tasks.push(async () => {
        await runProcess(opts.python, [script, '--data-root', opts.dataRoot, '--device', 'cpu', '--out', torchOut], env);
        opts.log?.(`pytorch seeds ${tag} done`);
      });
      tasks.push(async () => {
        if (jobs > 1) await runProcess(process.execPath, ['--import', 'tsx', TRAIN_CLI, ...labArgs], env);
        else await runLabHere(labArgs);
        opts.log?.(`lab seeds ${tag} done`);
      });
    }
    // In-process, the lab and train.py run side by side.
    if (jobs > 1) await pool(tasks, jobs);
    else await Promise.all(tasks.map((t) => t()));
    const result: ParityResult = { metric, lab: {}, pytorch: {} };
    for (const side of ['lab', 'pytorch'] as const) {
      const values: Record<string, number[]> = {};
      for (const o of outputs.filter((x) => x.side === side)) {
        for (const s of summaries(o.file)) {
          const v = s.final[metric];
          if (typeof v !== 'number') throw new Error(`${side} seed ${s.seed} arm ${s.arm}: no final ${metric}${s.diverged ? ` (diverged: ${s.diverged})` : ''}`);
          (values[s.arm] ??= []).push(v);
        }
      }
      for (const [arm, v] of Object.entries(values)) result[side][arm] = seedStats(v);
    }
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The full comparison as a command.

const USAGE =
  'usage: npx tsx src/cli/parity.ts --dataset data.zip --data-root data/ [--epochs 10] [--seeds 1,2,3,4,5] [--jobs 2] [--backend wasm] [--python /usr/bin/python3] --out result.json';

/** The issue's setting: cnn, SGD lr 0.1, momentum 0.5, weight decay 5e-4, batch 64, crop + flip. */
export function parityConfig(dataset: string, epochs: number, seeds: number[]): ExperimentConfig {
  return parseExperimentConfig({
    task: 'classify',
    model: 'cnn',
    dataset,
    inputSize: 32,
    batchSize: 64,
    epochs,
    evalEvery: 100000,
    seeds,
    augment: true,
    arms: [{ name: 'plain', optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, weightDecay: 5e-4 }, lrSchedule: { type: 'constant' }, rg: { mode: 'off' } }],
  });
}

async function main(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      'data-root': { type: 'string' },
      epochs: { type: 'string', default: '10' },
      seeds: { type: 'string', default: '1,2,3,4,5' },
      jobs: { type: 'string', default: '2' },
      backend: { type: 'string', default: 'wasm' },
      python: { type: 'string', default: '/usr/bin/python3' },
      out: { type: 'string' },
    },
  });
  if (!a.dataset || !a['data-root'] || !a.out) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const seeds = a.seeds!.split(',').map(Number);
  const config = parityConfig(a.dataset, Number(a.epochs), seeds);
  const started = new Date();
  const result = await runParity({
    config,
    dataRoot: a['data-root'],
    python: a.python!,
    backend: a.backend as 'wasm' | 'cpu',
    jobs: Number(a.jobs),
    log: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`),
  });
  const cpu = cpus();
  const record = {
    format: 'rg-lab-parity',
    date: started.toISOString(),
    minutes: (Date.now() - started.getTime()) / 60000,
    machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, os: `${platform()} ${release()}`, node: process.version, jobs: Number(a.jobs) },
    dataset: path.basename(a.dataset),
    backend: a.backend,
    config: { ...config, dataset: path.basename(a.dataset) },
    metric: result.metric,
    lab: result.lab,
    pytorch: result.pytorch,
    difference: Object.fromEntries(Object.keys(result.lab).map((arm) => [arm, result.lab[arm].mean - (result.pytorch[arm]?.mean ?? NaN)])),
    /** Welch's t test at 1% as the CI test applies it (docs/statistics.md), per arm with 2+ seeds a side. */
    agreement: Object.fromEntries(Object.keys(result.lab).filter((arm) => result.lab[arm].perSeed.length > 1 && (result.pytorch[arm]?.perSeed.length ?? 0) > 1).map((arm) => [arm, welchAgreement(result.lab[arm].perSeed, result.pytorch[arm].perSeed, { alpha: 0.01, floor: 0.01 })])),
  };
  mkdirSync(path.dirname(path.resolve(a.out)), { recursive: true });
  writeFileSync(a.out, `${JSON.stringify(record, null, 2)}\n`);
  for (const arm of Object.keys(result.lab)) {
    const l = result.lab[arm];
    const p = result.pytorch[arm];
    process.stderr.write(`${arm}: lab ${l.mean.toFixed(4)} (sd ${l.sd.toFixed(4)}) vs PyTorch ${p.mean.toFixed(4)} (sd ${p.sd.toFixed(4)}); difference ${(l.mean - p.mean).toFixed(4)}${record.agreement[arm] ? `, tolerance ${record.agreement[arm].tolerance.toFixed(4)} (Welch, 1%): ${record.agreement[arm].agree ? 'agree' : 'DIFFER'}` : ''}\n`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
