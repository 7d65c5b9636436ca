import { useState } from 'react';
import { usePlotArea, useXAxisInverseScale, useXAxisScale, useYAxisScale } from 'recharts';
import type { ChartArm } from './LineChartView';
import { bandLoKey, bandHiKey, bandPath, formatValue, linePath, nearestRow, rawKey, seedKey, smoothKey, type ChartRow, type Marker } from './series';

interface SeriesLayerProps {
  rows: ChartRow[];
  arms: ChartArm[];
  showRaw: boolean;
  seedLines: number;
  dots: boolean;
  curve: 'linear' | 'stepBefore';
}

/**
 * Every arm's lines (and bands, where rows carry them) as one plain SVG path each, placed with
 * the chart's own scales. recharts' <Line> registers each series in its store and measures its
 * path on every update; with a few thousand points per redraw that cost more than the 50 ms a
 * main-thread task may take, while building path strings is a tight loop.
 */
export function SeriesLayer({ rows, arms, showRaw, seedLines, dots, curve }: SeriesLayerProps) {
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!x || !y || rows.length === 0) return null;
  const px = (v: number) => x(v);
  const py = (v: number) => y(v);
  return (
    <g className="series-layer">
      {arms.map((a, i) => {
        const band = bandPath(rows, bandLoKey(i), bandHiKey(i), px, py);
        return band ? <path key={`band-${a.name}`} className="series-band" d={band} fill={a.color} fillOpacity={0.16} stroke="none" /> : null;
      })}
      {seedLines > 0 &&
        arms.flatMap((a, i) =>
          Array.from({ length: seedLines }, (_, k) => {
            const d = linePath(rows, seedKey(i, k), px, py, curve);
            return d ? <path key={`seed-${a.name}-${k}`} className="series-seed" d={d} fill="none" stroke={a.color} strokeOpacity={0.45} strokeWidth={0.8} /> : null;
          }),
        )}
      {showRaw &&
        arms.map((a, i) => (
          <path key={`raw-${a.name}`} className="series-raw" d={linePath(rows, rawKey(i), px, py, curve)} fill="none" stroke={a.color} strokeOpacity={0.22} strokeWidth={1} />
        ))}
      {arms.map((a, i) => (
        <path
          key={`line-${a.name}`}
          className="series-line"
          data-arm={a.name}
          d={linePath(rows, smoothKey(i), px, py, curve)}
          fill="none"
          stroke={a.color}
          strokeWidth={1.8}
          strokeLinejoin="round"
        />
      ))}
      {dots &&
        arms.map((a, i) => (
          <g key={`dots-${a.name}`} fill={a.color}>
            {rows.map((r) => {
              const v = r[smoothKey(i)];
              const cx = v === null || v === undefined ? undefined : x(r.x);
              const cy = v === null || v === undefined ? undefined : y(v);
              return cx === undefined || cy === undefined ? null : <circle key={r.x} cx={cx} cy={cy} r={2.5} />;
            })}
          </g>
        ))}
    </g>
  );
}

/** Live changes (learning rate, momentum, loss weight) as dashed vertical lines with a label. */
export function MarkerLayer({ markers }: { markers: Marker[] }) {
  const area = usePlotArea();
  const x = useXAxisScale();
  if (!area || !x || markers.length === 0) return null;
  return (
    <g className="marker-layer">
      {markers.map((m, i) => {
        const mx = x(m.x);
        if (mx === undefined || !Number.isFinite(mx)) return null;
        return (
          <g key={`${m.label}-${i}`} className="event-marker">
            <line x1={mx} x2={mx} y1={area.y} y2={area.y + area.height} stroke="#9aa5b1" strokeDasharray="4 3" />
            <text x={mx - 4} y={area.y + 12 + (i % 3) * 12} textAnchor="end" fontSize={10} fill="#52606d">
              {m.label}
            </text>
          </g>
        );
      })}
    </g>
  );
}

interface HoverLayerProps {
  rows: ChartRow[];
  arms: ChartArm[];
  showRaw: boolean;
  xLabel: string;
}

const LINE_H = 15;

/**
 * The tooltip: a cursor at the row nearest the pointer and one box listing every arm's value
 * there (raw beside smoothed when smoothing is on). Mounted only while the pointer is over the
 * chart, so live redraws skip it.
 */
export function HoverLayer({ rows, arms, showRaw, xLabel }: HoverLayerProps) {
  const area = usePlotArea();
  const x = useXAxisScale();
  const invert = useXAxisInverseScale();
  const [row, setRow] = useState<ChartRow | undefined>(undefined);
  if (!area || !x || !invert) return null;
  const cx = row ? x(row.x) : undefined;
  const lines = row
    ? [
        `${xLabel} ${formatValue(row.x)}`,
        ...arms.map((a, i) => `${a.name}: ${formatValue(row[smoothKey(i)])}${showRaw ? `  (raw ${formatValue(row[rawKey(i)])})` : ''}`),
      ]
    : [];
  const boxW = Math.max(...lines.map((l) => l.length), 8) * 6.2 + 16;
  const boxX = cx !== undefined && cx + 12 + boxW > area.x + area.width ? cx - 12 - boxW : (cx ?? 0) + 12;
  return (
    <g className="chart-hover">
      <rect
        x={area.x}
        y={area.y}
        width={area.width}
        height={area.height}
        fill="transparent"
        onPointerMove={(e) => {
          const svg = e.currentTarget.ownerSVGElement;
          if (!svg) return;
          const box = svg.getBoundingClientRect();
          const value = Number(invert(e.clientX - box.left));
          setRow(nearestRow(rows, value));
        }}
        onPointerLeave={() => setRow(undefined)}
      />
      {row && cx !== undefined && (
        <g className="chart-tooltip" pointerEvents="none">
          <line x1={cx} x2={cx} y1={area.y} y2={area.y + area.height} stroke="#9aa5b1" />
          <rect x={boxX} y={area.y + 4} width={boxW} height={lines.length * LINE_H + 8} rx={4} fill="#ffffff" fillOpacity={0.94} stroke="#cbd2d9" />
          {lines.map((l, k) => (
            <text key={k} x={boxX + 8} y={area.y + 4 + LINE_H * (k + 1)} fontSize={11} fill={k === 0 ? '#52606d' : (arms[k - 1]?.color ?? '#1f2933')}>
              {l}
            </text>
          ))}
        </g>
      )}
    </g>
  );
}
