import { useId } from 'react';
import { formatMetricDelta, formatMetricValue, heatmapColor, heatmapStops, textColorOn, type HeatmapCell, type HeatmapGrid } from '../../sweep';

const CELL_W = 88;
const CELL_H = 40;
const LEFT = 92;
const TOP = 40;
const LEGEND_H = 56;
const LEGEND_W = 220;

function cellText(grid: HeatmapGrid, c: HeatmapCell): string {
  if (c.value !== null) return grid.stat === 'delta' ? formatMetricDelta(grid.metric, c.value) : formatMetricValue(grid.metric, c.value);
  if (c.diverged) return 'diverged';
  if (c.status === 'missing') return '';
  if (c.status === 'done') return '–';
  return c.status;
}

function statLabel(grid: HeatmapGrid, baseline: string): string {
  if (grid.stat === 'delta') return `${grid.arm}'s final ${grid.metric} minus ${baseline}'s`;
  return `${grid.arm}: ${grid.stat} ${grid.metric}`;
}

/**
 * The lr x momentum grid of one arm as an SVG: one rect per cell (data-lr, data-momentum,
 * data-value) with its value written in it, rows by learning rate (largest on top), columns
 * by momentum, and a colour legend whose bright end is the better one.
 */
export function SweepHeatmap({ grid, baseline }: { grid: HeatmapGrid; baseline: string }) {
  const gradientId = useId();
  const rows = grid.lrs.length;
  const cols = grid.momenta.length;
  const width = Math.max(LEFT + cols * CELL_W + 8, LEFT + LEGEND_W + 60);
  const height = TOP + rows * CELL_H + LEGEND_H;
  const stops = heatmapStops(grid.stat);
  const legendY = TOP + rows * CELL_H + 22;
  const fmt = (v: number) => (grid.stat === 'delta' ? formatMetricDelta(grid.metric, v) : formatMetricValue(grid.metric, v));
  // The legend runs worst to best; for a lower-is-better metric the worst is the maximum.
  const worst = grid.direction === 'higher' ? grid.min : grid.max;
  const best = grid.direction === 'higher' ? grid.max : grid.min;

  return (
    <svg
      data-testid="sweep-heatmap"
      data-arm={grid.arm}
      data-stat={grid.stat}
      data-metric={grid.metric}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`heatmap of ${statLabel(grid, baseline)} over learning rate and momentum`}
      className="sweep-heatmap-svg"
    >
      <defs>
        <linearGradient id={gradientId}>
          {stops.map((s, i) => (
            <stop key={s} offset={`${(i / (stops.length - 1)) * 100}%`} stopColor={s} />
          ))}
        </linearGradient>
      </defs>
      <text x={LEFT + (cols * CELL_W) / 2} y={12} textAnchor="middle" className="sweep-axis-title">
        momentum
      </text>
      {grid.momenta.map((m, j) => (
        <text key={m} x={LEFT + j * CELL_W + CELL_W / 2} y={TOP - 8} textAnchor="middle" className="sweep-axis-label">
          {m}
        </text>
      ))}
      <text x={8} y={TOP - 8} className="sweep-axis-title">
        learning rate
      </text>
      {grid.lrs.map((lr, i) => {
        const y = TOP + (rows - 1 - i) * CELL_H;
        return (
          <g key={lr}>
            <text x={LEFT - 8} y={y + CELL_H / 2 + 4} textAnchor="end" className="sweep-axis-label">
              {lr}
            </text>
            {grid.cells[i].map((c, j) => {
              const fill = c.value === null ? '#eef1f4' : heatmapColor(grid, c.value);
              return (
                <g key={c.momentum}>
                  <rect
                    data-lr={c.lr}
                    data-momentum={c.momentum}
                    data-value={c.value === null ? '' : c.value}
                    data-status={c.diverged ? 'diverged' : c.status}
                    x={LEFT + j * CELL_W}
                    y={y}
                    width={CELL_W - 2}
                    height={CELL_H - 2}
                    rx={3}
                    fill={fill}
                  >
                    <title>{`lr ${c.lr}, momentum ${c.momentum}: ${cellText(grid, c) || 'not in this sweep'}`}</title>
                  </rect>
                  <text x={LEFT + j * CELL_W + (CELL_W - 2) / 2} y={y + CELL_H / 2 + 4} textAnchor="middle" fill={c.value === null ? '#616e7c' : textColorOn(fill)} className="sweep-cell-value">
                    {cellText(grid, c)}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
      <g data-testid="sweep-heatmap-legend">
        <rect x={LEFT} y={legendY} width={LEGEND_W} height={10} fill={`url(#${gradientId})`} />
        <text x={LEFT} y={legendY + 24} className="sweep-axis-label">
          {worst === null ? '' : fmt(worst)} (worse)
        </text>
        <text x={LEFT + LEGEND_W} y={legendY + 24} textAnchor="end" className="sweep-axis-label">
          {best === null ? '' : fmt(best)} (better)
        </text>
      </g>
    </svg>
  );
}
