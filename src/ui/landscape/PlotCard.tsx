import { memo, useMemo, type Ref } from 'react';
import type { ContourPaths } from '../../landscape/contours';
import type { Point, Surface } from '../../landscape/surfaces';
import { ContourPlot, type PlotArm } from './ContourPlot';
import type { PlotFrame } from './plotGeometry';
import { useStepAnimation } from './useStepAnimation';

export interface PlotCardProps {
  surface: Surface;
  contours: ContourPaths | null;
  frame: PlotFrame;
  arms: PlotArm[];
  steps: number;
  /** Changes to start the drawing again from step 0. */
  run: number;
  /** 'computing', 'error' or 'empty' override the drawing state. */
  status: 'ready' | 'computing' | 'error' | 'empty';
  start: Point;
  epsilon: number;
  onPickStart: (p: Point) => void;
  onReplay: () => void;
  onExport: (kind: 'png' | 'svg') => void;
  bodyRef: Ref<HTMLDivElement>;
  svgRef: Ref<SVGSVGElement>;
}

/**
 * The plot with its title, buttons and legend. The step-by-step drawing lives here, so each
 * animation frame re-renders this card alone, not the settings or the readouts.
 */
export const PlotCard = memo(function PlotCard(p: PlotCardProps) {
  const { drawn, playing } = useStepAnimation(p.steps, p.run);
  const state = p.status !== 'ready' ? p.status : playing ? 'drawing' : 'done';
  const legend = useMemo(
    () =>
      p.arms.map((a) => (
        <li key={a.key}>
          <span className="swatch" style={{ background: a.color }} />
          {a.label}
        </li>
      )),
    [p.arms],
  );
  const hasPaths = p.arms.length > 0;
  return (
    <figure className="chart-card landscape-plot-card" data-testid="landscape-plot" data-state={state} data-surface={hasPaths ? p.surface.id : ''} data-paths={p.arms.length} data-step={drawn}>
      <figcaption className="chart-head">
        <span className="chart-title">
          {p.surface.name} <span className="muted">{p.surface.formula}</span>
        </span>
        <span className="chart-actions">
          <button type="button" className="small primary" data-testid="landscape-run" disabled={!hasPaths} onClick={p.onReplay}>
            Replay
          </button>
          <button type="button" className="small" data-testid="landscape-export-png" disabled={!hasPaths} onClick={() => p.onExport('png')}>
            PNG
          </button>
          <button type="button" className="small" data-testid="landscape-export-svg" disabled={!hasPaths} onClick={() => p.onExport('svg')}>
            SVG
          </button>
        </span>
      </figcaption>
      <ul className="legend landscape-legend" aria-label="arms">
        {legend}
        <li className="muted">
          step {Math.min(drawn, p.steps)} / {p.steps}
        </li>
      </ul>
      <div className="landscape-plot-body" ref={p.bodyRef}>
        <ContourPlot surface={p.surface} contours={p.contours} frame={p.frame} arms={p.arms} drawn={drawn} start={p.start} epsilon={p.epsilon} onPickStart={p.onPickStart} svgRef={p.svgRef} />
      </div>
    </figure>
  );
});
