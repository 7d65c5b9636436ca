import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EvalRecord } from '../../engine/records';
import { useAppStore } from '../../store';
import type { XAxisMode } from '../../store/uiSlice';
import { armColor } from '../charts/colors';
import type { ChartArm } from '../charts/LineChartView';
import { buildChartRows, evalSeries, eventMarkers, stepSeries, type Marker, type StepMetric } from '../charts/series';
import { useThrottledValue } from '../hooks/useThrottledValue';
import { ChartCard } from './ChartCard';
import { ChartToolbar } from './ChartToolbar';

/** Least time between two redraws of one chart (5 per second: under the limit of 10). */
const REDRAW_MS = 200;
/** Offset between the charts' redraw slots, so each redraws in its own task. */
const PHASE_MS = 40;

const X_LABELS: Record<XAxisMode, string> = { step: 'step', epoch: 'epoch', time: 'training time (s)' };

interface StepChartProps {
  testId: string;
  title: string;
  metric: StepMetric;
  arms: ChartArm[];
  /** This chart's redraw slot (0, 1, 2, ...). */
  slot: number;
  smoothing: number;
  logY: boolean;
  experiment: string;
}

/** The live change markers, in the chart's x units, throttled like the chart. */
function useMarkers(slot: number): Marker[] {
  const xAxis = useAppStore((s) => s.ui.xAxis);
  const spe = useAppStore((s) => s.run.stepsPerEpoch);
  const live = useAppStore(useShallow((s) => ({ events: s.events, stepsByArm: s.stepsByArm })));
  const { events, stepsByArm } = useThrottledValue(live, REDRAW_MS, slot * PHASE_MS);
  return useMemo(() => eventMarkers(events, stepsByArm, xAxis, spe), [events, stepsByArm, xAxis, spe]);
}

function StepChart({ testId, title, metric, arms, slot, smoothing, logY, experiment }: StepChartProps) {
  const xAxis = useAppStore((s) => s.ui.xAxis);
  const spe = useAppStore((s) => s.run.stepsPerEpoch);
  const stepsByArm = useThrottledValue(useAppStore((s) => s.stepsByArm), REDRAW_MS, slot * PHASE_MS);
  const markers = useMarkers(slot);
  const rows = useMemo(
    () => buildChartRows(arms.map((a) => stepSeries(stepsByArm[a.name] ?? [], metric, xAxis, spe)), { smoothing, logY }),
    [arms, stepsByArm, metric, xAxis, spe, smoothing, logY],
  );
  return (
    <ChartCard
      testId={testId}
      title={title}
      experiment={experiment}
      rows={rows}
      arms={arms}
      markers={markers}
      xLabel={X_LABELS[xAxis]}
      logY={logY}
      showRaw={smoothing > 0}
      empty="Press Start to train; curves appear here."
    />
  );
}

function AccuracyChart({ arms, slot, experiment }: { arms: ChartArm[]; slot: number; experiment: string }) {
  const xAxis = useAppStore((s) => s.ui.xAxis);
  const spe = useAppStore((s) => s.run.stepsPerEpoch);
  const live = useAppStore(useShallow((s) => ({ evalsByArm: s.evalsByArm, stepsByArm: s.stepsByArm })));
  const data = useThrottledValue(live, REDRAW_MS, slot * PHASE_MS);
  const markers = useMarkers(slot);
  const rows = useMemo(
    () =>
      buildChartRows(
        arms.map((a) => evalSeries(data.evalsByArm[a.name] ?? ([] as EvalRecord[]), data.stepsByArm[a.name] ?? [], 'accuracy', xAxis, spe)),
        { smoothing: 0, logY: false },
      ),
    [arms, data, xAxis, spe],
  );
  return (
    <ChartCard
      testId="chart-accuracy"
      title="Test accuracy"
      experiment={experiment}
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
  const runConfig = useAppStore((s) => s.run.config);
  const experiment = useAppStore((s) => s.run.id ?? 'rg-lab');
  const ui = useAppStore((s) => s.ui);
  const arms = useMemo<ChartArm[]>(() => (runConfig?.arms ?? []).map((a, i) => ({ name: a.name, color: armColor(i) })), [runConfig]);
  const common = { arms, experiment };

  return (
    <section className="charts-panel" aria-label="charts">
      <ChartToolbar arms={arms} />
      <div className="charts-grid">
        <StepChart
          {...common}
          testId="chart-loss"
          title={ui.weightedLoss ? 'Weighted training loss (r × loss)' : 'Training loss (true, unweighted)'}
          metric={ui.weightedLoss ? 'weightedLoss' : 'loss'}
          slot={0}
          smoothing={ui.smoothing}
          logY={ui.logY}
        />
        <AccuracyChart {...common} slot={1} />
        <StepChart {...common} testId="chart-lr" title="Learning rate" metric="lr" slot={2} smoothing={0} logY={ui.logY} />
        <StepChart {...common} testId="chart-rg-weight" title="RG weight per step" metric="rgWeight" slot={3} smoothing={ui.smoothing} logY={false} />
        <StepChart {...common} testId="chart-grad-norm" title="Gradient norm (after the RG weight)" metric="gradNorm" slot={4} smoothing={ui.smoothing} logY={ui.logY} />
      </div>
    </section>
  );
}
