import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ExperimentConfig, Task } from '../../engine/config';
import { pairedDifferenceSeries, type Point } from '../../stats';
import { baselineArm } from '../../store/summary';
import type { EvalRecord, StepRecord } from '../../engine/records';
import { useAppStore, type AppStore } from '../../store';
import { seedsOf, type BySeed } from '../../store/metricsSlice';
import type { XAxisMode } from '../../store/uiSlice';
import { armColor } from '../charts/colors';
import type { ChartArm } from '../charts/LineChartView';
import { aggregateSeeds, buildChartRows, evalSizeNote, cumulativeSeconds, divergedMarkers, evalSeries, eventMarkers, stepSeries, type ArmSeries, type BandMode, type Marker, type StepMetric } from '../charts/series';
import { useThrottledValue } from '../hooks/useThrottledValue';
import { ChartCard } from './ChartCard';
import { ChartToolbar } from './ChartToolbar';

/** Least time between two redraws of one chart (4 per second: under the limit of 10). */
const REDRAW_MS = 250;
/** Offset between the charts' redraw slots, so each redraws in its own task (up to 12 charts per REDRAW_MS). */
const PHASE_MS = 20;

const X_LABELS: Record<XAxisMode, string> = { step: 'step', epoch: 'epoch', time: 'training time (s)' };

const selectLive = (s: AppStore) => ({
  config: s.run.config,
  experiment: s.run.id ?? 'rg-lab',
  stepsPerEpoch: s.run.stepsPerEpoch,
  totalSteps: s.run.totalSteps,
  stepsByArm: s.stepsByArm,
  evalsByArm: s.evalsByArm,
  events: s.events,
  diverged: s.diverged,
  xAxis: s.ui.xAxis,
  band: s.ui.band,
  showSeeds: s.ui.showSeeds,
});

/**
 * One arm's curve over all its seeds (the mean with a band when there are several). On the time
 * axis seeds are aligned by step and placed at the first seed's times.
 */
function armCurve(
  steps: BySeed<StepRecord>,
  arm: string,
  xAxis: XAxisMode,
  series: (mode: XAxisMode, seed: number) => ArmSeries,
  band: BandMode,
  smoothing: number,
  showSeeds: boolean,
): ArmSeries {
  const seeds = seedsOf(steps, arm).map((s) => s.seed);
  if (seeds.length === 0) return { xs: [], ys: [] };
  if (seeds.length === 1) return series(xAxis, seeds[0]);
  const byStep = aggregateSeeds(
    seeds.map((seed) => series(xAxis === 'time' ? 'step' : xAxis, seed)),
    band,
    smoothing,
    showSeeds,
  );
  if (xAxis !== 'time') return byStep;
  const seconds = cumulativeSeconds(steps[arm][seeds[0]]);
  return { ...byStep, xs: byStep.xs.map((x) => seconds.get(x) ?? NaN) };
}

/** The most seeds any arm has (how many thin seed lines a chart may draw). */
function seedCount(steps: BySeed<StepRecord>): number {
  return Math.max(0, ...Object.values(steps).map((bySeed) => Object.keys(bySeed).length));
}

/**
 * Everything a chart draws, passed on at most once per REDRAW_MS in the chart's own time slot:
 * one render per chart per slot, and never all charts in one task (a run starting included).
 */
function useChartSnapshot(slot: number) {
  return useThrottledValue(useAppStore(useShallow(selectLive)), REDRAW_MS, slot * PHASE_MS);
}

/** The run's planned length on the step and epoch axes (unknown on the time axis). */
function plannedExtent(xAxis: XAxisMode, totalSteps: number, stepsPerEpoch: number): [number, number] | undefined {
  if (totalSteps <= 0 || xAxis === 'time') return undefined;
  return [0, xAxis === 'epoch' && stepsPerEpoch > 0 ? totalSteps / stepsPerEpoch : totalSteps];
}

/** Metrics that live in [0, 1], drawn on a fixed 0..1 axis. */
const UNIT_METRICS = new Set(['accuracy', 'mIoU', 'ssim', 'pixelAccuracy', 'meanAccuracy', 'fwIoU']);

function armsOf(config: ExperimentConfig | null): ChartArm[] {
  return (config?.arms ?? []).map((a, i) => ({ name: a.name, color: armColor(i) }));
}

interface StepChartProps {
  testId: string;
  title: string;
  metric: StepMetric;
  /** This chart's redraw slot (0, 1, 2, ...). */
  slot: number;
  smoothing: number;
  logY: boolean;
  curve?: 'linear' | 'stepBefore';
}

function StepChart({ testId, title, metric, slot, smoothing, logY, curve }: StepChartProps) {
  const snap = useChartSnapshot(slot);
  const arms = useMemo(() => armsOf(snap.config), [snap.config]);
  const { stepsByArm, events, xAxis, stepsPerEpoch, totalSteps, band, showSeeds } = snap;
  const xExtent = useMemo(() => plannedExtent(xAxis, totalSteps, stepsPerEpoch), [xAxis, totalSteps, stepsPerEpoch]);
  const rows = useMemo(
    () =>
      buildChartRows(
        arms.map((a) =>
          armCurve(stepsByArm, a.name, xAxis, (mode, seed) => stepSeries(stepsByArm[a.name][seed], metric, mode, stepsPerEpoch), band, smoothing, showSeeds),
        ),
        { smoothing, logY },
      ),
    [arms, stepsByArm, metric, xAxis, stepsPerEpoch, smoothing, logY, band, showSeeds],
  );
  const markers = useMemo(
    () => [...eventMarkers(events, stepsByArm, xAxis, stepsPerEpoch), ...divergedMarkers(snap.diverged, xAxis, stepsPerEpoch, stepsByArm)],
    [events, snap.diverged, stepsByArm, xAxis, stepsPerEpoch],
  );
  return (
    <ChartCard
      testId={testId}
      title={title}
      experiment={snap.experiment}
      rows={rows}
      arms={arms}
      markers={markers}
      xLabel={X_LABELS[xAxis]}
      logY={logY}
      showRaw={smoothing > 0}
      seedLines={showSeeds ? seedCount(stepsByArm) : 0}
      curve={curve}
      xExtent={xExtent}
      empty="Press Start to train; curves appear here."
    />
  );
}

interface EvalChartProps {
  testId: string;
  title: string;
  /** An eval-record metric: accuracy, mIoU, psnr, ssim. */
  metric: string;
  slot: number;
  empty: string;
}

function EvalChart({ testId, title, metric, slot, empty }: EvalChartProps) {
  const snap = useChartSnapshot(slot);
  const note = useMemo(() => evalSizeNote(snap.evalsByArm), [snap.evalsByArm]);
  const arms = useMemo(() => armsOf(snap.config), [snap.config]);
  const { stepsByArm, evalsByArm, events, xAxis, stepsPerEpoch, totalSteps, band, showSeeds } = snap;
  const xExtent = useMemo(() => plannedExtent(xAxis, totalSteps, stepsPerEpoch), [xAxis, totalSteps, stepsPerEpoch]);
  const yExtent = useMemo<[number, number] | undefined>(() => (UNIT_METRICS.has(metric) ? [0, 1] : undefined), [metric]);
  const rows = useMemo(
    () =>
      buildChartRows(
        arms.map((a) =>
          armCurve(
            stepsByArm,
            a.name,
            xAxis,
            (mode, seed) => evalSeries(evalsByArm[a.name]?.[seed] ?? ([] as EvalRecord[]), stepsByArm[a.name][seed], metric, mode, stepsPerEpoch),
            band,
            0,
            showSeeds,
          ),
        ),
        { smoothing: 0, logY: false },
      ),
    [arms, evalsByArm, stepsByArm, metric, xAxis, stepsPerEpoch, band, showSeeds],
  );
  const markers = useMemo(
    () => [...eventMarkers(events, stepsByArm, xAxis, stepsPerEpoch), ...divergedMarkers(snap.diverged, xAxis, stepsPerEpoch, stepsByArm)],
    [events, snap.diverged, stepsByArm, xAxis, stepsPerEpoch],
  );
  return (
    <ChartCard
      testId={testId}
      title={title}
      experiment={snap.experiment}
      rows={rows}
      arms={arms}
      markers={markers}
      xLabel={X_LABELS[xAxis]}
      logY={false}
      showRaw={false}
      seedLines={showSeeds ? seedCount(stepsByArm) : 0}
      xExtent={xExtent}
      yExtent={yExtent}
      dots
      empty={empty}
      note={note}
    />
  );
}

interface PairedDiffChartProps {
  metric: string;
  title: string;
  slot: number;
}

/**
 * Each arm minus the baseline on an eval metric, seed by seed, per evaluated step: the mean
 * difference with its 95% CI. Above zero the arm is ahead; a band that clears zero is a
 * difference the seeds agree on.
 */
function PairedDiffChart({ metric, title, slot }: PairedDiffChartProps) {
  const snap = useChartSnapshot(slot);
  const chosen = useAppStore((s) => s.ui.baseline);
  const { config, evalsByArm, xAxis, stepsPerEpoch, totalSteps } = snap;
  const baseline = config ? baselineArm(config, chosen) : null;
  const arms = useMemo(() => armsOf(config).filter((a) => a.name !== baseline), [config, baseline]);
  const colors = useMemo(() => arms.map((a) => ({ ...a, name: `${a.name} − ${baseline}` })), [arms, baseline]);
  const stepAxis: XAxisMode = xAxis === 'epoch' ? 'epoch' : 'step';
  const xExtent = useMemo(() => plannedExtent(stepAxis, totalSteps, stepsPerEpoch), [stepAxis, totalSteps, stepsPerEpoch]);
  const rows = useMemo(() => {
    if (!config || !baseline) return [];
    const curve = (arm: string, seed: number): Point[] =>
      (evalsByArm[arm]?.[seed] ?? []).flatMap((r) => {
        const y = r.metrics[metric];
        return typeof y === 'number' ? [{ x: stepAxis === 'epoch' && stepsPerEpoch > 0 ? r.step / stepsPerEpoch : r.step, y }] : [];
      });
    const series = arms.map((a): ArmSeries => {
      const diff = pairedDifferenceSeries(
        config.seeds.map((seed) => curve(a.name, seed)),
        config.seeds.map((seed) => curve(baseline, seed)),
      );
      return { xs: diff.map((p) => p.x), ys: diff.map((p) => p.mean), lo: diff.map((p) => p.lo), hi: diff.map((p) => p.hi) };
    });
    return buildChartRows(series, { smoothing: 0, logY: false });
  }, [config, baseline, arms, evalsByArm, metric, stepAxis, stepsPerEpoch]);
  return (
    <ChartCard
      testId="chart-paired-diff"
      title={title}
      experiment={snap.experiment}
      rows={rows}
      arms={colors}
      markers={NO_MARKERS}
      xLabel={X_LABELS[stepAxis]}
      logY={false}
      showRaw={false}
      xExtent={xExtent}
      dots
      empty="With 2 or more seeds: each arm minus the baseline, seed by seed, at every evaluation."
    />
  );
}

const NO_MARKERS: Marker[] = [];

const HEADLINE: Record<Task, string> = { classify: 'accuracy', segment: 'mIoU', translate: 'psnr' };
const HEADLINE_LABEL: Record<Task, string> = { classify: 'Test accuracy', segment: 'Val mIoU', translate: 'Val PSNR' };

const EVAL_EMPTY = 'Scores on the val split appear at each evaluation.';

/**
 * The live charts. Every task: loss, learning rate, RG weight and gradient norm; classify adds
 * test accuracy, segment mIoU, translate PSNR, SSIM and the generator's and discriminator's
 * loss parts (pix2pix step records).
 */
export function ChartsPanel() {
  const { smoothing, logY, weightedLoss } = useAppStore(useShallow((s) => ({ smoothing: s.ui.smoothing, logY: s.ui.logY, weightedLoss: s.ui.weightedLoss })));
  const config = useAppStore((s) => s.run.config);
  const task = useAppStore((s) => s.run.config?.task ?? s.config.task);
  const arms = useMemo(() => armsOf(config), [config]);
  const lossName = task === 'translate' ? 'G loss (adv + 100·L1)' : 'loss';
  return (
    <section className="charts-panel" aria-label="charts">
      <ChartToolbar arms={arms} />
      <div className="charts-grid">
        <StepChart
          testId="chart-loss"
          title={weightedLoss ? `Weighted training ${lossName} (r × loss)` : `Training ${lossName} (true, unweighted)`}
          metric={weightedLoss ? 'weightedLoss' : 'loss'}
          slot={0}
          smoothing={smoothing}
          logY={logY}
        />
        {task === 'classify' && <EvalChart testId="chart-accuracy" title="Test accuracy" metric="accuracy" slot={1} empty="Accuracy on the test split appears at each evaluation." />}
        {task === 'segment' && <EvalChart testId="chart-miou" title="Val mIoU" metric="mIoU" slot={1} empty={EVAL_EMPTY} />}
        {task === 'translate' && (
          <>
            <EvalChart testId="chart-psnr" title="Val PSNR (dB)" metric="psnr" slot={1} empty={EVAL_EMPTY} />
            <EvalChart testId="chart-ssim" title="Val SSIM" metric="ssim" slot={2} empty={EVAL_EMPTY} />
            <StepChart testId="chart-g-adv" title="G adversarial loss (LSGAN)" metric="gAdv" slot={3} smoothing={smoothing} logY={logY} />
            <StepChart testId="chart-g-l1" title="G L1 loss" metric="gL1" slot={4} smoothing={smoothing} logY={logY} />
            <StepChart testId="chart-d-real" title="D loss on real pairs" metric="dReal" slot={5} smoothing={smoothing} logY={logY} />
            <StepChart testId="chart-d-fake" title="D loss on generated pairs" metric="dFake" slot={6} smoothing={smoothing} logY={logY} />
          </>
        )}
        {(config?.seeds.length ?? 0) > 1 && (
          <PairedDiffChart metric={HEADLINE[task]} title={`${HEADLINE_LABEL[task]}: arm − baseline (mean, 95% CI over seeds)`} slot={10} />
        )}
        <StepChart testId="chart-lr" title="Learning rate" metric="lr" slot={7} smoothing={0} logY={logY} curve="stepBefore" />
        <StepChart testId="chart-rg-weight" title="RG weight per step" metric="rgWeight" slot={8} smoothing={smoothing} logY={false} />
        <StepChart testId="chart-grad-norm" title="Gradient norm (after the RG weight)" metric="gradNorm" slot={9} smoothing={smoothing} logY={logY} />
      </div>
    </section>
  );
}
