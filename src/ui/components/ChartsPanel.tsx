import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EvalRecord, StepRecord } from '../../engine/records';
import { useAppStore } from '../../store';
import type { XAxisMode } from '../../store/uiSlice';
import { armColor } from '../charts/colors';
import type { ChartArm } from '../charts/LineChartView';
import { buildChartRows, evalSeries, eventMarkers, stepSeries, type Marker, type StepMetric } from '../charts/series';
import { useThrottledValue } from '../hooks/useThrottledValue';
import { ChartCard } from './ChartCard';
import { ChartToolbar } from './ChartToolbar';

/** Chart redraws per second, at most. */
const REDRAW_MS = 100;

const X_LABELS: Record<XAxisMode, string> = { step: 'step', epoch: 'epoch', time: 'training time (s)' };

interface StepChartProps {
  testId: string;
  title: string;
  metric: StepMetric;
  arms: ChartArm[];
  stepsByArm: Record<string, StepRecord[]>;
  markers: Marker[];
  smoothing: number;
  logY: boolean;
  experiment: string;
}

function StepChart({ testId, title, metric, arms, stepsByArm, markers, smoothing, logY, experiment }: StepChartProps) {
  const xAxis = useAppStore((s) => s.ui.xAxis);
  const spe = useAppStore((s) => s.run.stepsPerEpoch);
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

/** The live charts: loss, test accuracy, learning rate, RG weight and gradient norm. */
export function ChartsPanel() {
  const runConfig = useAppStore((s) => s.run.config);
  const experiment = useAppStore((s) => s.run.id ?? 'rg-lab');
  const ui = useAppStore((s) => s.ui);
  const spe = useAppStore((s) => s.run.stepsPerEpoch);
  const live = useAppStore(useShallow((s) => ({ stepsByArm: s.stepsByArm, evalsByArm: s.evalsByArm, events: s.events })));
  const data = useThrottledValue(live, REDRAW_MS);

  const arms = useMemo<ChartArm[]>(() => (runConfig?.arms ?? []).map((a, i) => ({ name: a.name, color: armColor(i) })), [runConfig]);
  const markers = useMemo(() => eventMarkers(data.events, data.stepsByArm, ui.xAxis, spe), [data.events, data.stepsByArm, ui.xAxis, spe]);
  const accuracyRows = useMemo(
    () =>
      buildChartRows(
        arms.map((a) => evalSeries(data.evalsByArm[a.name] ?? ([] as EvalRecord[]), data.stepsByArm[a.name] ?? [], 'accuracy', ui.xAxis, spe)),
        { smoothing: 0, logY: false },
      ),
    [arms, data.evalsByArm, data.stepsByArm, ui.xAxis, spe],
  );
  const common = { arms, stepsByArm: data.stepsByArm, markers, experiment };

  return (
    <section className="charts-panel" aria-label="charts">
      <ChartToolbar arms={arms} />
      <div className="charts-grid">
        <StepChart
          {...common}
          testId="chart-loss"
          title={ui.weightedLoss ? 'Weighted training loss (r × loss)' : 'Training loss (true, unweighted)'}
          metric={ui.weightedLoss ? 'weightedLoss' : 'loss'}
          smoothing={ui.smoothing}
          logY={ui.logY}
        />
        <ChartCard
          testId="chart-accuracy"
          title="Test accuracy"
          experiment={experiment}
          rows={accuracyRows}
          arms={arms}
          markers={markers}
          xLabel={X_LABELS[ui.xAxis]}
          logY={false}
          showRaw={false}
          dots
          empty="Accuracy on the test split appears at each evaluation."
        />
        <StepChart {...common} testId="chart-lr" title="Learning rate" metric="lr" smoothing={0} logY={ui.logY} />
        <StepChart {...common} testId="chart-rg-weight" title="RG weight per step" metric="rgWeight" smoothing={ui.smoothing} logY={false} />
        <StepChart {...common} testId="chart-grad-norm" title="Gradient norm (after the RG weight)" metric="gradNorm" smoothing={ui.smoothing} logY={ui.logY} />
      </div>
    </section>
  );
}
