import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { formatValue, logTicks, niceTicks, rawKey, smoothKey, valueRange, type ChartRow, type Marker } from './series';

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
  /** Draw dots (sparse series such as test accuracy). */
  dots?: boolean;
  /** 'stepBefore' for values that hold over a step (a learning rate changed live). */
  curve?: 'linear' | 'stepBefore';
  /** Size in CSS pixels; the caller measures its box once instead of every redraw. */
  width: number;
  /**
   * Mount the tooltip (while the pointer is over the chart). Left out, redraws skip its work,
   * which keeps live updates cheap.
   */
  tooltip?: boolean;
  height?: number;
}

interface ArmTooltipProps {
  active?: boolean;
  row?: ChartRow;
  label?: unknown;
  arms: ChartArm[];
  showRaw: boolean;
  xLabel: string;
}

function ArmTooltip({ active, row, label, arms, showRaw, xLabel }: ArmTooltipProps) {
  if (!active || !row) return null;
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-x">
        {xLabel} {formatValue(Number(label))}
      </div>
      {arms.map((a, i) => (
        <div key={a.name} className="chart-tooltip-row">
          <span className="swatch" style={{ background: a.color }} />
          <span className="chart-tooltip-arm">{a.name}</span>
          <span className="chart-tooltip-value">{formatValue(row[smoothKey(i)])}</span>
          {showRaw && <span className="chart-tooltip-raw">raw {formatValue(row[rawKey(i)])}</span>}
        </div>
      ))}
    </div>
  );
}

/**
 * A stateless recharts line chart: one line per arm (raw faded beneath the smoothed one),
 * live-change markers as vertical reference lines, and one tooltip listing every arm.
 */
export function LineChartView({ rows, arms, markers, xLabel, logY, showRaw, dots = false, curve = 'linear', width, tooltip = true, height = 220 }: LineChartViewProps) {
  if (width <= 0) return <div style={{ height }} />;
  const keys = arms.flatMap((_, i) => (showRaw ? [smoothKey(i), rawKey(i)] : [smoothKey(i)]));
  const markerRows = markers.map((m) => ({ x: m.x }) as ChartRow);
  const xRange = valueRange([...rows, ...markerRows], ['x']) ?? [0, 1];
  const yRange = valueRange(rows, keys) ?? [0, 1];
  const xTicks = rows.length ? niceTicks(xRange[0], xRange[1], 6).filter((t) => t >= xRange[0] && t <= xRange[1]) : [];
  const yTicks = logY ? logTicks(yRange[0], yRange[1]) : niceTicks(yRange[0], yRange[1], 5);
  const yDomain: [number, number] = yTicks.length ? [yTicks[0], yTicks[yTicks.length - 1]] : yRange;
  return (
    <LineChart width={width} height={height} data={rows} margin={{ top: 8, right: 16, bottom: 18, left: 4 }}>
      <CartesianGrid stroke="#e4e7eb" strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="x"
        type="number"
        domain={xRange}
        ticks={xTicks}
        interval={0}
        tickFormatter={(v: number) => formatValue(v)}
        label={{ value: xLabel, position: 'insideBottom', offset: -10, fill: '#52606d', fontSize: 11 }}
        stroke="#7b8794"
        fontSize={11}
      />
      <YAxis
        scale={logY ? 'log' : 'linear'}
        domain={yDomain}
        ticks={yTicks}
        interval={0}
        tickFormatter={(v: number) => formatValue(v)}
        width={52}
        stroke="#7b8794"
        fontSize={11}
      />
      {tooltip && (
        <Tooltip
          content={(p) => <ArmTooltip active={p.active} row={p.payload?.[0]?.payload as ChartRow | undefined} label={p.label} arms={arms} showRaw={showRaw} xLabel={xLabel} />}
          isAnimationActive={false}
        />
      )}
      {showRaw &&
        arms.map((a, i) => (
          <Line
            key={`raw-${a.name}`}
            dataKey={rawKey(i)}
            stroke={a.color}
            strokeOpacity={0.22}
            strokeWidth={1}
            dot={false}
            activeDot={false}
            isAnimationActive={false}
            connectNulls
            className="series-raw"
          />
        ))}
      {arms.map((a, i) => (
        <Line
          key={`smooth-${a.name}`}
          name={a.name}
          dataKey={smoothKey(i)}
          type={curve}
          stroke={a.color}
          strokeWidth={1.8}
          dot={dots ? { r: 2.5, fill: a.color, strokeWidth: 0 } : false}
          isAnimationActive={false}
          connectNulls
          className="series-line"
        />
      ))}
      {markers.map((m, i) => (
        <ReferenceLine
          key={`${m.label}-${i}`}
          x={m.x}
          stroke="#9aa5b1"
          strokeDasharray="4 3"
          className="event-marker"
          ifOverflow="extendDomain"
          label={{ value: m.label, position: 'insideTopRight', fontSize: 10, fill: '#52606d' }}
        />
      ))}
    </LineChart>
  );
}
