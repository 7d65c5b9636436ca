/**
 * Metric records (docs/contracts.md, section 3): plain serialisable objects, the same in the
 * runner's JSONL, worker messages, IndexedDB and the CSV export.
 */

export interface StepRecord {
  type: 'step';
  arm: string;
  seed: number;
  step: number;
  epoch: number;
  /** The true, unweighted data loss. */
  loss: number;
  /** rgWeight x loss: what backpropagation saw. */
  weightedLoss: number;
  rgWeight: number;
  lr: number;
  /** L2 norm of the data-loss gradient that reached the optimizer (after the RG weight, before weight decay). */
  gradNorm: number;
  /** Wall time of this arm's step call in milliseconds. */
  ms: number;
  /** translate only: the generator's adversarial and L1 parts, the discriminator's real and fake losses. */
  gAdv?: number;
  gL1?: number;
  dReal?: number;
  dFake?: number;
  /** segment with an auxiliary head (psp): the two parts of loss = main + 0.4 x aux. */
  mainLoss?: number;
  auxLoss?: number;
}

export interface EvalRecord {
  type: 'eval';
  arm: string;
  seed: number;
  step: number;
  epoch: number;
  metrics: Record<string, number | number[]>;
  /** How many test samples this evaluation used (absent in records written before it was kept). */
  evalSamples?: number;
  /** 'live': the run's fixed evaluation subset (config.evalSubset); 'final': the whole test split. */
  scope?: 'live' | 'final';
}

export interface DivergedRecord {
  type: 'diverged';
  arm: string;
  seed: number;
  step: number;
  reason: string;
}

export interface SummaryRecord {
  type: 'summary';
  arm: string;
  seed: number;
  steps: number;
  ms: number;
  final: Record<string, number>;
  best: Record<string, number>;
  /** Test samples behind `final` when it comes from the whole test split (the run's last evaluation). */
  finalEvalSamples?: number;
  diverged?: string;
}

/** A live change of an arm's setting during a run; applies from `step` on. */
export interface EventRecord {
  type: 'event';
  arm: string;
  seed: number;
  step: number;
  name: 'lr' | 'momentum' | 'lossWeight';
  value: number;
}

export type MetricRecord = StepRecord | EvalRecord | DivergedRecord | SummaryRecord | EventRecord;

/** Who wrote a run's records: the headless runner, the exported train.py, or the lab page. */
export type RecordSource = 'runner' | 'pytorch' | 'lab';
export const RECORD_SOURCES: readonly RecordSource[] = ['runner', 'pytorch', 'lab'];

/**
 * The first line of a runner's or train.py's JSONL output: where the records come from, so an
 * imported run says so. Not a metric record (the store and charts never see it); the lab's own
 * runs keep the same facts in their saved manifest.
 */
export interface ManifestRecord {
  type: 'manifest';
  source: RecordSource;
  /** The experiment config (docs/contracts.md, section 2), defaults filled in. */
  config: unknown;
  seeds: number[];
  /** The software that wrote the records and its version ("rg-lab" and package.json's version for the runner). */
  software: { name: string; version: string };
  /** The runner's TF.js backend (wasm, cpu); train.py's device (cuda, cpu). */
  backend?: string;
  device?: string;
  /** train.py: torch.__version__; the runner: the TF.js version. */
  torch?: string;
  tfjs?: string;
  /** The dataset as the config names it, and a content hash of what was loaded (null when unknown). */
  dataset: { name: string; contentHash: string | null };
  /** ISO 8601 time the run started. */
  createdAt?: string;
}


/**
 * The runner's verdict on one arm against the baseline arm on one measure of the headline
 * metric (docs/contracts.md): written after every run's records, one per arm and measure
 * ('final' always; 'stepsToTarget' when at least 2 seeds reached the target in both arms), from
 * the same code as the page's summary (src/stats). JSON has no NaN: every number is finite or null.
 */
export interface ComparisonRecord {
  type: 'comparison';
  arm: string;
  baseline: string;
  /** The headline eval metric: accuracy, mIoU or psnr. */
  metric: string;
  measure: 'final' | 'stepsToTarget';
  /** The level steps-to-target counts to (80% of the baseline's best, mean over seeds); null for 'final'. */
  target: number | null;
  /** The seeds compared (neither arm diverged; both evaluated; for steps, both reached the target), ascending. */
  seeds: number[];
  /** arm - baseline per seed, in `seeds` order. */
  diffs: number[];
  /** Mean of `diffs`; null when no seed is compared. */
  meanDiff: number | null;
  /** 95% t interval of the mean difference; null under 2 seeds. */
  ci95: [number, number] | null;
  /** Cohen's d_z, meanDiff / sd of diffs; null under 2 seeds or without spread. */
  effectSize: number | null;
  /** Two-sided paired t-test; null under 2 seeds or when every difference is equal. */
  pT: number | null;
  /** Two-sided exact Wilcoxon signed-rank test (zeros dropped, mid-ranks); null under 2 seeds or all zero. */
  pWilcoxon: number | null;
  /** Two-sided exact sign-flip permutation test of the mean (all 2^n patterns); null under 2 seeds, over 20, or all zero. */
  pPermutation: number | null;
  /** The test the verdict used: 't', else 'signFlip' when pT is null; null when nothing was tested. */
  test: 't' | 'signFlip' | 'wilcoxon' | null;
  /** That test's p; null when nothing was tested. */
  p: number | null;
  /** p Holm-corrected over the `family` tests of every arm (a test of all-zero differences counts as p = 1); null when nothing was tested. */
  pHolm: number | null;
  /** How many tests the correction covered. */
  family: number;
  /** pHolm < 0.05. */
  significant: boolean;
  /** The run did not finish: the verdict is a look before the end. */
  interim: boolean;
  /** The arm's verdict sentence, as the page shows it (the same for each of its measures). */
  verdict: string;
}

/** One line of the runner's JSONL: a run's record, or (at the end) a comparison. */
export type RunnerRecord = MetricRecord | ComparisonRecord;

/** Metrics where larger is better; every other metric is better when smaller. */
export const HIGHER_IS_BETTER = new Set(['accuracy', 'pixelAccuracy', 'meanAccuracy', 'mIoU', 'fwIoU', 'psnr', 'ssim']);

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
