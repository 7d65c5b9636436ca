import { useMemo } from 'react';
import { CartesianGrid, LineChart, XAxis, YAxis } from 'recharts';
import { HoverLayer, MarkerLayer, SeriesLayer } from './SeriesLayer';
import { bandHiKey, bandLoKey, formatValue, logTicks, niceTicks, rawKey, smoothKey, valueRange, type ChartRow, type Marker } from './series';

/** An arm as a chart draws it. */
export interface ChartArm {
  name: string;
  color: string;
}

export interface LineChartViewProps {
  rows: ChartRow[];
  arms: ChartArm[];
  markers: Marker[];
  xLabel: string;
  logY: boolean;
  /** Draw the raw values faded beneath the smoothed line. */
  showRaw: boolean;
  /** How many thin per-seed lines each arm may have (rows carry them under seedKey); 0 = none. */
  seedLines?: number;
  /** Draw dots (sparse series such as test accuracy). */
  dots?: boolean;
  /** 'stepBefore' for values that hold over a step (a learning rate changed live). */
  curve?: 'linear' | 'stepBefore';
  /** A fixed x range (the run's planned length on the step and epoch axes), else round ends around the data. */
  xExtent?: [number, number];
  /** A fixed y range (e.g. 0..1 for accuracy), else round ends around the data. */
  yExtent?: [number, number];
  /** Size in CSS pixels; the caller measures its box once instead of every redraw. */
  width: number;
  /**
   * Mount the tooltip (while the pointer is over the chart). Left out, redraws skip its work,
   * which keeps live updates cheap.
   */
  tooltip?: boolean;
  height?: number;
}

/** The same tick formatter every render: recharts compares axis props by identity. */
const formatTick = (v: number): string => formatValue(v);
const MARGIN = { top: 8, right: 16, bottom: 18, left: 4 };

/**
 * The same array while its numbers are the same. recharts' axes re-register in its store (and
 * recompute its selectors) whenever a prop changes identity, so ticks and domains are new
 * arrays only when their numbers change.
 */
function useStableNumbers(values: readonly number[]): number[] {
  const key = values.join(',');
  return useMemo(() => (key === '' ? [] : key.split(',').map(Number)), [key]);
}

/** The x axis label object, the same object while its text is the same. */
function useStableLabel(value: string) {
  return useMemo(() => ({ value, position: 'insideBottom' as const, offset: -10, fill: '#52606d', fontSize: 11 }), [value]);
}

/** Axis ranges and ticks of a chart's rows (markers widen the x range). */
function chartAxes(rows: ChartRow[], arms: ChartArm[], markers: Marker[], logY: boolean, showRaw: boolean, xExtent?: [number, number], yExtent?: [number, number]) {
  const keys = arms.flatMap((_, i) => (showRaw ? [smoothKey(i), rawKey(i), bandLoKey(i), bandHiKey(i)] : [smoothKey(i), bandLoKey(i), bandHiKey(i)]));
  const markerRows = markers.map((m) => ({ x: m.x }) as ChartRow);
  const dataX = valueRange([...rows, ...markerRows], ['x']);
  const dataY = valueRange(rows, keys);
  // A fixed extent holds while the data fits in it (a run extended past its plan widens it).
  const xRange: [number, number] = xExtent && (!dataX || (dataX[0] >= xExtent[0] && dataX[1] <= xExtent[1])) ? xExtent : (dataX ?? [0, 1]);
  const yRange: [number, number] = yExtent && !logY && (!dataY || (dataY[0] >= yExtent[0] && dataY[1] <= yExtent[1])) ? yExtent : (dataY ?? [0, 1]);
  // Round ends, like the y axis: the axes change (and recharts recomputes its layout) only when
  // the curves cross a tick, not on every redraw.
  const xTicks = rows.length || xExtent ? niceTicks(xRange[0], xRange[1], 6) : [];
  const xDomain: [number, number] = xTicks.length ? [xTicks[0], xTicks[xTicks.length - 1]] : xRange;
  const yTicks = logY ? logTicks(yRange[0], yRange[1]) : niceTicks(yRange[0], yRange[1], 5);
  const yDomain: [number, number] = yTicks.length ? [yTicks[0], yTicks[yTicks.length - 1]] : yRange;
  return { xDomain, xTicks, yDomain, yTicks };
}

/**
 * A stateless recharts line chart: one line per arm (raw faded beneath the smoothed one),
 * live-change markers as vertical reference lines, and one tooltip listing every arm.
 */
export function LineChartView({ rows, arms, markers, xLabel, logY, showRaw, seedLines = 0, dots = false, curve = 'linear', xExtent, yExtent, width, tooltip = true, height = 220 }: LineChartViewProps) {
  const axes = chartAxes(rows, arms, markers, logY, showRaw, xExtent, yExtent);
  const xDomain = useStableNumbers(axes.xDomain) as [number, number];
  const xTicks = useStableNumbers(axes.xTicks);
  const yDomain = useStableNumbers(axes.yDomain) as [number, number];
  const yTicks = useStableNumbers(axes.yTicks);
  const xAxisLabel = useStableLabel(xLabel);
  // recharts gets two corner rows, not the data: everything it computes from data then stays
  // cached between redraws, and SeriesLayer draws the rows itself.
  const corners = useMemo(() => [{ x: xDomain[0], y: yDomain[0] }, { x: xDomain[1], y: yDomain[1] }], [xDomain, yDomain]);
  if (width <= 0) return <div style={{ height }} />;
  return (
    <LineChart width={width} height={height} data={corners} margin={MARGIN}>
      <CartesianGrid stroke="#e4e7eb" strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="x" type="number" niceTicks="none" domain={xDomain} ticks={xTicks} interval={0} tickFormatter={formatTick} label={xAxisLabel} stroke="#7b8794" fontSize={11} />
      <YAxis dataKey="y" scale={logY ? 'log' : 'linear'} niceTicks="none" domain={yDomain} ticks={yTicks} interval={0} tickFormatter={formatTick} width={52} stroke="#7b8794" fontSize={11} />
      <SeriesLayer rows={rows} arms={arms} showRaw={showRaw} seedLines={seedLines} dots={dots} curve={curve} />
      {tooltip && <HoverLayer rows={rows} arms={arms} showRaw={showRaw} xLabel={xLabel} />}
      <MarkerLayer markers={markers} />
    </LineChart>
  );
}
