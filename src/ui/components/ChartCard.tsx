import { memo, useRef, useState } from 'react';
import { useAppStore } from '../../store';
import { configCaption } from '../export/caption';
import { describeExportError, exportSvgFigure } from '../export/figure';
import { LineChartView, type LineChartViewProps } from '../charts/LineChartView';
import { smoothKey } from '../charts/series';
import { useElementWidth } from '../hooks/useElementWidth';

export interface ChartCardProps extends Omit<LineChartViewProps, 'width'> {
  testId: string;
  title: string;
  /** Experiment name, used in exported file names. */
  experiment: string;
  empty: string;
}

/** A titled chart with PNG and SVG export buttons. */
export const ChartCard = memo(function ChartCard({ testId, title, experiment, empty, ...chart }: ChartCardProps) {
  const box = useRef<HTMLDivElement>(null);
  const width = useElementWidth(box);
  const [error, setError] = useState<string | null>(null);
  const [hovered, setHovered] = useState(false);
  const hasData = chart.rows.length > 0;
  // For tests and screen readers: how many arms have at least one point drawn.
  const armsWithData = chart.arms.filter((_, i) => chart.rows.some((r) => r[smoothKey(i)] !== null)).length;

  const exportAs = async (kind: 'svg' | 'png') => {
    setError(null);
    const svg = box.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
    if (!svg) {
      setError('Nothing to export yet: the chart has not been drawn.');
      return;
    }
    try {
      const config = useAppStore.getState().run.config;
      await exportSvgFigure(svg, title, chart.arms, `${experiment}-${testId.replace(/^chart-/, '')}`, kind, config ? configCaption(config) : []);
    } catch (e) {
      setError(describeExportError(e));
    }
  };

  return (
    <figure className="chart-card" data-testid={testId} data-points={chart.rows.length} data-arms={armsWithData} data-markers={chart.markers.length}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="chart-actions">
          <button type="button" className="small" data-testid="export-png" disabled={!hasData} onClick={() => void exportAs('png')}>
            PNG
          </button>
          <button type="button" className="small" data-testid="export-svg" disabled={!hasData} onClick={() => void exportAs('svg')}>
            SVG
          </button>
        </span>
      </figcaption>
      <div className="chart-body" ref={box} onPointerEnter={() => setHovered(true)} onPointerLeave={() => setHovered(false)}>
        <LineChartView {...chart} width={width} tooltip={hovered} />
        {!hasData && <div className="chart-empty">{empty}</div>}
      </div>
      {error && <p className="error-text">{error}</p>}
    </figure>
  );
});
