import type { MetricRecord } from '../engine/records';
import { areaUnderCurve, stepsToTarget, type Direction, type Point } from './curves';
import { describe, type Description } from './describe';
import { metricDirection } from './format';
import { pairedComparison, type PairedComparison } from './paired';
import { verdicts, type SeedOutcome, type VerdictInput, type VerdictTest } from './verdict';

/**
 * The whole experiment's statistics on one eval metric, from metric records (docs/contracts.md,
 * section 3), for the summary table and verdicts: one call per redraw, no state.
 */

export interface SummarizeOptions {
  /** The arm every other arm is compared with. */
  baseline: string;
  /** An eval metric: accuracy, loss, mIoU, psnr, ... */
  metric: string;
  /** Level for steps-to-target; null or absent leaves it out. */
  target?: number | null;
  /** Default {@link metricDirection}(metric). */
  direction?: Direction;
  /** Significance level of the verdicts (default 0.05). */
  alpha?: number;
  /** The run has not finished (or was stopped or cut short): the verdicts say they are interim. */
  interim?: boolean;
}

/** One run (arm x seed) as measured; a diverged run keeps its values but aggregates leave it out. */
export interface SeedStats extends SeedOutcome {
  seed: number;
  /** Best value over the run's evaluations, by the metric's direction; null before the first. */
  best: number | null;
  /** {@link areaUnderCurve} of `curve`: the mean metric over the evaluated steps. */
  auc: number | null;
  /** Why the run diverged (the diverged record's reason); null if it did not. */
  divergedReason: string | null;
  /** The metric at each evaluated step, by step: feed `bandSeries` and `pairedDifferenceSeries`. */
  curve: Point[];
}

/** An arm against the baseline over the seeds where neither diverged and both were evaluated. */
export interface ArmComparison {
  /** The seeds compared. */
  seeds: number[];
  /** Null when no seed is compared. */
  final: PairedComparison | null;
  best: PairedComparison | null;
  auc: PairedComparison | null;
  /** Steps to target, over the compared seeds where both arms reached it; null when none. */
  stepsToTarget: PairedComparison | null;
  /** Mean steps to target of the baseline over the arm's, on those seeds (2: twice as fast). */
  speedup: number | null;
  verdict: string;
  /** The tests behind the verdict, with the seeds each compared and its Holm-corrected p. */
  tests: ComparedTest[];
  /** How many tests the experiment's Holm correction covered (every arm's, on this metric). */
  family: number;
  interim: boolean;
}

/** A verdict's test with the seeds it compared (in `indices` order). */
export interface ComparedTest extends VerdictTest {
  seeds: number[];
}

export interface ArmStats {
  arm: string;
  /** One entry per experiment seed, in `ExperimentSummary.seeds` order. */
  seeds: SeedStats[];
  /** Over seeds that did not diverge and were evaluated; null when there is none. */
  final: Description | null;
  best: Description | null;
  auc: Description | null;
  /** Over the seeds that reached the target (and did not diverge); null when none did. */
  stepsToTarget: Description | null;
  /** Seeds that reached the target and did not diverge. */
  reached: number;
  /** Seeds whose run diverged, ascending. */
  diverged: number[];
  /** Null for the baseline itself, or while the baseline has no records. */
  comparison: ArmComparison | null;
}

export interface ExperimentSummary {
  metric: string;
  direction: Direction;
  target: number | null;
  baseline: string;
  /** Every seed in the records, ascending. */
  seeds: number[];
  /** Arms in the order they first appear in the records. */
  arms: ArmStats[];
}

interface RunRecords {
  curve: Point[];
  diverged: string | null;
}

function collectRuns(records: readonly MetricRecord[], metric: string): { arms: string[]; seeds: number[]; runs: Map<string, RunRecords> } {
  const arms: string[] = [];
  const seeds = new Set<number>();
  const runs = new Map<string, RunRecords>();
  const run = (arm: string, seed: number): RunRecords => {
    const key = `${seed}|${arm}`;
    let r = runs.get(key);
    if (!r) {
      r = { curve: [], diverged: null };
      runs.set(key, r);
    }
    return r;
  };
  for (const r of records) {
    if (!arms.includes(r.arm)) arms.push(r.arm);
    seeds.add(r.seed);
    if (r.type === 'eval') {
      const v = r.metrics[metric];
      if (typeof v === 'number' && Number.isFinite(v)) run(r.arm, r.seed).curve.push({ x: r.step, y: v });
    } else if (r.type === 'diverged') {
      run(r.arm, r.seed).diverged ??= r.reason;
    } else if (r.type === 'summary' && r.diverged) {
      run(r.arm, r.seed).diverged ??= r.diverged;
    }
  }
  for (const r of runs.values()) r.curve.sort((a, b) => a.x - b.x);
  return { arms, seeds: [...seeds].sort((a, b) => a - b), runs };
}

function seedStats(seed: number, rec: RunRecords | undefined, direction: Direction, target: number | null): SeedStats {
  const curve = rec?.curve ?? [];
  const ys = curve.map((p) => p.y);
  const best = ys.length ? (direction === 'higher' ? Math.max(...ys) : Math.min(...ys)) : null;
  return {
    seed,
    final: ys.length ? ys[ys.length - 1] : null,
    best,
    stepsToTarget: target === null ? null : stepsToTarget(curve, target, direction),
    auc: areaUnderCurve(curve),
    diverged: (rec?.diverged ?? null) !== null,
    divergedReason: rec?.diverged ?? null,
    curve,
  };
}

function describeOrNull(values: readonly (number | null)[]): Description | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return finite.length ? describe(finite) : null;
}

function compareOrNull(pairs: readonly [number | null, number | null][]): PairedComparison | null {
  const kept = pairs.filter((p): p is [number, number] => p[0] !== null && p[1] !== null);
  return kept.length ? pairedComparison(kept.map((p) => p[0]), kept.map((p) => p[1])) : null;
}

function compare(arm: ArmStats, base: ArmStats): Omit<ArmComparison, 'verdict' | 'tests' | 'family' | 'interim'> {
  const idx = arm.seeds.map((_, i) => i).filter((i) => {
    const a = arm.seeds[i];
    const b = base.seeds[i];
    return !a.diverged && !b.diverged && a.final !== null && b.final !== null;
  });
  const pairsOf = (key: 'final' | 'best' | 'auc' | 'stepsToTarget'): [number | null, number | null][] =>
    idx.map((i) => [arm.seeds[i][key], base.seeds[i][key]]);
  const reachedBoth = pairsOf('stepsToTarget').filter((p): p is [number, number] => p[0] !== null && p[1] !== null);
  const armSum = reachedBoth.reduce((s, p) => s + p[0], 0);
  const baseSum = reachedBoth.reduce((s, p) => s + p[1], 0);
  return {
    seeds: idx.map((i) => arm.seeds[i].seed),
    final: compareOrNull(pairsOf('final')),
    best: compareOrNull(pairsOf('best')),
    auc: compareOrNull(pairsOf('auc')),
    stepsToTarget: compareOrNull(pairsOf('stepsToTarget')),
    speedup: reachedBoth.length && armSum > 0 ? baseSum / armSum : null,
  };
}

/**
 * Per arm: describe() of the final, best and AUC values and of the steps to target over its
 * non-diverged seeds, and the comparison with `opts.baseline` (paired by seed, with a verdict;
 * every arm's tests Holm-corrected together, see {@link verdicts}).
 * Diverged runs (a diverged record, or a summary that names a reason) are counted and left out
 * of every aggregate and comparison. Works on a run in progress: finals are the latest evaluations.
 */
export function summarizeExperiment(records: readonly MetricRecord[], opts: SummarizeOptions): ExperimentSummary {
  const direction = opts.direction ?? metricDirection(opts.metric);
  const target = opts.target ?? null;
  const { arms: names, seeds, runs } = collectRuns(records, opts.metric);
  const arms = names.map((arm): ArmStats => {
    const perSeed = seeds.map((seed) => seedStats(seed, runs.get(`${seed}|${arm}`), direction, target));
    const kept = perSeed.filter((s) => !s.diverged);
    return {
      arm,
      seeds: perSeed,
      final: describeOrNull(kept.map((s) => s.final)),
      best: describeOrNull(kept.map((s) => s.best)),
      auc: describeOrNull(kept.map((s) => s.auc)),
      stepsToTarget: describeOrNull(kept.map((s) => s.stepsToTarget)),
      reached: kept.filter((s) => s.stepsToTarget !== null).length,
      diverged: perSeed.filter((s) => s.diverged).map((s) => s.seed),
      comparison: null,
    };
  });
  const base = arms.find((a) => a.arm === opts.baseline);
  if (base) {
    const others = arms.filter((a) => a !== base);
    const inputs = others.map((a): VerdictInput => ({ arm: a.arm, baseline: base.arm, metric: opts.metric, target, armSeeds: a.seeds, baseSeeds: base.seeds }));
    const interim = opts.interim ?? false;
    verdicts(inputs, { alpha: opts.alpha, interim }).forEach((v, i) => {
      const a = others[i];
      const tests = v.tests.map((t): ComparedTest => ({ ...t, seeds: t.indices.map((k) => a.seeds[k].seed) }));
      a.comparison = { ...compare(a, base), verdict: v.sentence, tests, family: v.family, interim };
    });
  }
  return { metric: opts.metric, direction, target, baseline: opts.baseline, seeds, arms };
}
