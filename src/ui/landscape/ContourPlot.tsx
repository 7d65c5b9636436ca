import { memo, useId, useMemo, type MouseEvent, type Ref } from 'react';
import type { ContourPaths } from '../../landscape/contours';
import type { Point, Surface } from '../../landscape/surfaces';
import { bandColor, fromPixel, niceTicks, pathUpTo, type PlotFrame, toPixel, type TracedPath, tracePath } from './plotGeometry';

/** A trajectory to draw: positions at steps 0..T as [x0, y0, x1, y1, ...]. */
export interface PlotArm {
  key: string;
  label: string;
  color: string;
  xy: Float32Array;
}

export interface ContourPlotProps {
  surface: Surface;
  /** The surface's contour bands; the plot shows a plain background until they arrive. */
  contours: ContourPaths | null;
  frame: PlotFrame;
  arms: PlotArm[];
  /** Steps drawn so far (the animation's position). */
  drawn: number;
  start: Point;
  epsilon: number;
  onPickStart: (p: Point) => void;
  svgRef: Ref<SVGSVGElement>;
}

/** Filled contour bands and axes: redrawn only when the surface, its contours or the size change. */
const Backdrop = memo(function Backdrop({ surface, frame, contours, clipId }: { surface: Surface; frame: PlotFrame; contours: ContourPaths | null; clipId: string }) {
  // The worker's paths are in grid units; one transform puts them on the plot at any size.
  const bands = contours?.surface === surface.id ? contours : null;
  const levels = bands?.bands.length ?? 1;
  const px = (p: Point) => toPixel(frame, p);
  const xTicks = niceTicks(surface.domain.x[0], surface.domain.x[1], Math.max(3, Math.round(frame.innerWidth / 70)));
  const yTicks = niceTicks(surface.domain.y[0], surface.domain.y[1], Math.max(3, Math.round(frame.innerHeight / 50)));
  const bottom = frame.top + frame.innerHeight;
  return (
    <g>
      <g clipPath={`url(#${clipId})`}>
        <rect x={frame.left} y={frame.top} width={frame.innerWidth} height={frame.innerHeight} fill={bandColor(0, levels + 1)} />
        {bands && (
          <g transform={`translate(${frame.left} ${frame.top}) scale(${frame.innerWidth / bands.nx} ${frame.innerHeight / bands.ny})`}>
            {bands.bands.map((b) => (
              <path key={b.level} d={b.d} fill={bandColor(b.level + 1, levels + 1)} fillRule="evenodd" stroke="#7b8794" strokeOpacity={0.45} strokeWidth={0.6} vectorEffect="non-scaling-stroke">
                <title>{`f ≥ ${b.loss.toPrecision(3)}`}</title>
              </path>
            ))}
          </g>
        )}
      </g>
      <rect x={frame.left} y={frame.top} width={frame.innerWidth} height={frame.innerHeight} fill="none" stroke="#9aa5b1" />
      {xTicks.map((t) => {
        const [x] = px([t, 0]);
        return (
          <g key={`x${t}`}>
            <line x1={x} x2={x} y1={bottom} y2={bottom + 4} stroke="#616e7c" />
            <text x={x} y={bottom + 16} fontSize={11} textAnchor="middle" fill="#616e7c">
              {t}
            </text>
          </g>
        );
      })}
      {yTicks.map((t) => {
        const [, y] = px([0, t]);
        return (
          <g key={`y${t}`}>
            <line x1={frame.left - 4} x2={frame.left} y1={y} y2={y} stroke="#616e7c" />
            <text x={frame.left - 7} y={y + 4} fontSize={11} textAnchor="end" fill="#616e7c">
              {t}
            </text>
          </g>
        );
      })}
      <text x={frame.left + frame.innerWidth} y={bottom + 27} fontSize={11} textAnchor="end" fill="#616e7c">
        x
      </text>
      <text x={12} y={frame.top + 10} fontSize={11} fill="#616e7c">
        y
      </text>
    </g>
  );
});

/**
 * The contour plot (SVG): the surface's level sets, every arm's path up to the drawn step with a
 * dot at its head, the start (click anywhere to move it) and each minimum with its epsilon circle.
 */
export function ContourPlot({ surface, contours, frame, arms, drawn, start, epsilon, onPickStart, svgRef }: ContourPlotProps) {
  const clipId = `landscape-clip-${useId().replace(/[^\w-]/g, '')}`;
  const traced = useMemo<TracedPath[]>(() => arms.map((a) => tracePath(frame, a.xy)), [arms, frame]);
  const px = (p: Point) => toPixel(frame, p);
  const scale = frame.innerWidth / (surface.domain.x[1] - surface.domain.x[0]);

  const pick = (e: MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const p = fromPixel(frame, e.clientX - box.left, e.clientY - box.top);
    if (p) onPickStart([Number(p[0].toFixed(3)), Number(p[1].toFixed(3))]);
  };

  const [sx, sy] = px(start);
  return (
    <svg ref={svgRef} width={frame.width} height={frame.height} viewBox={`0 0 ${frame.width} ${frame.height}`} className="landscape-svg" onClick={pick} role="img" aria-label={`${surface.name}: contours and optimizer paths; click to set the start`}>
      <defs>
        <clipPath id={clipId}>
          <rect x={frame.left} y={frame.top} width={frame.innerWidth} height={frame.innerHeight} />
        </clipPath>
      </defs>
      <Backdrop surface={surface} frame={frame} contours={contours} clipId={clipId} />
      <g clipPath={`url(#${clipId})`}>
        {surface.minima.map((m) => {
          const [mx, my] = px(m);
          return (
            <g key={`${m[0]},${m[1]}`}>
              <circle cx={mx} cy={my} r={Math.max(2, epsilon * scale)} fill="none" stroke="#1b7f4b" strokeDasharray="3 2" />
              <path d={`M${mx - 5},${my - 5}L${mx + 5},${my + 5}M${mx - 5},${my + 5}L${mx + 5},${my - 5}`} stroke="#1b7f4b" strokeWidth={2} />
            </g>
          );
        })}
        {arms.map((a, i) => {
          const path = traced[i];
          const shown = Math.min(drawn, path.ends.length - 1);
          const head = shown >= 0 ? px([a.xy[2 * shown], a.xy[2 * shown + 1]]) : null;
          return (
            <g key={a.key}>
              <path data-testid="landscape-path" data-arm={a.key} data-points={shown + 1} d={pathUpTo(path, drawn)} fill="none" stroke={a.color} strokeWidth={1.8} strokeLinejoin="round" strokeOpacity={0.9} />
              {head && <circle cx={head[0]} cy={head[1]} r={3.5} fill={a.color} stroke="#fff" strokeWidth={1} />}
            </g>
          );
        })}
        <circle cx={sx} cy={sy} r={5} fill="#fff" stroke="#1f2933" strokeWidth={2} />
      </g>
    </svg>
  );
}
