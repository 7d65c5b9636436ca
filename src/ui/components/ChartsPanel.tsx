import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ExperimentConfig } from '../../engine/config';
import type { EvalRecord } from '../../engine/records';
import { useAppStore, type AppStore } from '../../store';
import type { XAxisMode } from '../../store/uiSlice';
import { armColor } from '../charts/colors';
import type { ChartArm } from '../charts/LineChartView';
import { buildChartRows, evalSeries, eventMarkers, stepSeries, type StepMetric } from '../charts/series';
import { useThrottledValue } from '../hooks/useThrottledValue';
import { ChartCard } from './ChartCard';
import { ChartToolbar } from './ChartToolbar';

/** Least time between two redraws of one chart (4 per second: under the limit of 10). */
const REDRAW_MS = 250;
/** Offset between the charts' redraw slots, so each redraws in its own task. */
const PHASE_MS = 50;

const X_LABELS: Record<XAxisMode, string> = { step: 'step', epoch: 'epoch', time: 'training time (s)' };

const selectLive = (s: AppStore) => ({
  config: s.run.config,
  experiment: s.run.id ?? 'rg-lab',
  stepsPerEpoch: s.run.stepsPerEpoch,
  stepsByArm: s.stepsByArm,
  evalsByArm: s.evalsByArm,
  events: s.events,
  xAxis: s.ui.xAxis,
});

/**
 * Everything a chart draws, passed on at most once per REDRAW_MS in the chart's own time slot:
 * one render per chart per slot, and never all charts in one task (a run starting included).
 */
function useChartSnapshot(slot: number) {
  return useThrottledValue(useAppStore(useShallow(selectLive)), REDRAW_MS, slot * PHASE_MS);
}

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
  const { stepsByArm, events, xAxis, stepsPerEpoch } = snap;
  const rows = useMemo(
    () => buildChartRows(arms.map((a) => stepSeries(stepsByArm[a.name] ?? [], metric, xAxis, stepsPerEpoch)), { smoothing, logY }),
    [arms, stepsByArm, metric, xAxis, stepsPerEpoch, smoothing, logY],
  );
  const markers = useMemo(() => eventMarkers(events, stepsByArm, xAxis, stepsPerEpoch), [events, stepsByArm, xAxis, stepsPerEpoch]);
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
      curve={curve}
      empty="Press Start to train; curves appear here."
    />
  );
}

function AccuracyChart({ slot }: { slot: number }) {
  const snap = useChartSnapshot(slot);
  const arms = useMemo(() => armsOf(snap.config), [snap.config]);
  const { stepsByArm, evalsByArm, events, xAxis, stepsPerEpoch } = snap;
  const rows = useMemo(
    () =>
      buildChartRows(
        arms.map((a) => evalSeries(evalsByArm[a.name] ?? ([] as EvalRecord[]), stepsByArm[a.name] ?? [], 'accuracy', xAxis, stepsPerEpoch)),
        { smoothing: 0, logY: false },
      ),
    [arms, evalsByArm, stepsByArm, xAxis, stepsPerEpoch],
  );
  const markers = useMemo(() => eventMarkers(events, stepsByArm, xAxis, stepsPerEpoch), [events, stepsByArm, xAxis, stepsPerEpoch]);
  return (
    <ChartCard
      testId="chart-accuracy"
      title="Test accuracy"
      experiment={snap.experiment}
      rows={rows}
      arms={arms}
      markers={markers}
      xLabel={X_LABELS[xAxis]}
      logY={false}
      showRaw={false}
      dots
      empty="Accuracy on the test split appears at each evaluation."
    />
  );
}

/** The live charts: loss, test accuracy, learning rate, RG weight and gradient norm. */
export function ChartsPanel() {
  const { smoothing, logY, weightedLoss } = useAppStore(useShallow((s) => ({ smoothing: s.ui.smoothing, logY: s.ui.logY, weightedLoss: s.ui.weightedLoss })));
  const config = useAppStore((s) => s.run.config);
  const arms = useMemo(() => armsOf(config), [config]);
  return (
    <section className="charts-panel" aria-label="charts">
      <ChartToolbar arms={arms} />
      <div className="charts-grid">
        <StepChart
          testId="chart-loss"
          title={weightedLoss ? 'Weighted training loss (r × loss)' : 'Training loss (true, unweighted)'}
          metric={weightedLoss ? 'weightedLoss' : 'loss'}
          slot={0}
          smoothing={smoothing}
          logY={logY}
        />
        <AccuracyChart slot={1} />
        <StepChart testId="chart-lr" title="Learning rate" metric="lr" slot={2} smoothing={0} logY={logY} curve="stepBefore" />
        <StepChart testId="chart-rg-weight" title="RG weight per step" metric="rgWeight" slot={3} smoothing={smoothing} logY={false} />
        <StepChart testId="chart-grad-norm" title="Gradient norm (after the RG weight)" metric="gradNorm" slot={4} smoothing={smoothing} logY={logY} />
      </div>
    </section>
  );
}
