import { memo, useRef, useState } from 'react';
import type { SeedsOutcome } from '../../landscape/protocol';
import { armLabel, type ArmKey, type LandscapeSettings, SEEDS_PER_RUN } from '../../landscape/settings';
import { getSurface } from '../../landscape/surfaces';
import { useElementWidth } from '../hooks/useElementWidth';
import { describeExportError, exportSvgFigure } from '../export/figure';
import { SeedHistogram } from './SeedHistogram';

/** A many-seed run: the settings it ran with, its arms, and where it is. */
export interface SeedsRun {
  settings: LandscapeSettings;
  arms: ArmKey[];
  state: 'running' | 'done' | 'error';
  progress: number;
  outcome: SeedsOutcome | null;
  error: string | null;
}

export interface SeedsPanelProps {
  run: SeedsRun | null;
  /** The view's current settings: the run is marked stale once they differ from its own. */
  settings: LandscapeSettings;
  colorOf: (key: ArmKey) => string;
  onRun: () => void;
}

/** "Which one gets there sooner here?": the 100-seed button, its progress, and the histogram. */
export const SeedsPanel = memo(function SeedsPanel({ run, settings, colorOf, onRun }: SeedsPanelProps) {
  const box = useRef<HTMLElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const width = useElementWidth(box);
  const [exportError, setExportError] = useState<string | null>(null);
  const stale = run !== null && run.settings !== settings;
  const state = run === null ? 'idle' : run.state;
  const arms = run?.arms.map((k) => ({ key: k, label: armLabel(k), color: colorOf(k) })) ?? [];

  const exportAs = async (kind: 'png' | 'svg') => {
    if (!svg.current || !run) return;
    setExportError(null);
    const s = run.settings;
    const title = `${getSurface(s.surface).name}: steps to ε = ${s.epsilon} over ${SEEDS_PER_RUN} seeds`;
    try {
      await exportSvgFigure(svg.current, title, arms.map((a) => ({ name: a.label, color: a.color })), `landscape-${s.surface}-histogram`, kind);
    } catch (e) {
      setExportError(describeExportError(e));
    }
  };

  return (
    <section className="summary" ref={box} data-testid="landscape-histogram" data-state={state} data-stale={stale} data-seeds={run?.outcome ? SEEDS_PER_RUN : 0}>
      <div className="summary-head">
        <h2>Which one gets there sooner here?</h2>
        <button type="button" className="small primary" data-testid="landscape-seeds" disabled={settings.arms.length === 0 || state === 'running'} onClick={onRun}>
          Run {SEEDS_PER_RUN} seeds
        </button>
        {run?.outcome && (
          <>
            <button type="button" className="small" data-testid="landscape-histogram-png" onClick={() => void exportAs('png')}>
              PNG
            </button>
            <button type="button" className="small" data-testid="landscape-histogram-svg" onClick={() => void exportAs('svg')}>
              SVG
            </button>
          </>
        )}
      </div>
      {run === null && (
        <p className="hint">
          Runs seeds {settings.seed} to {settings.seed + SEEDS_PER_RUN - 1} from this start with these settings (each seed has its own RG draws and gradient noise, shared by every arm) and
          counts the steps each arm needs to get within ε.
        </p>
      )}
      {run?.state === 'running' && <progress data-testid="landscape-seeds-progress" max={1} value={run.progress} />}
      {run?.state === 'error' && <p className="error-text">{run.error}</p>}
      {stale && run?.outcome && <p className="hint">The settings changed since this run: run the seeds again to update it.</p>}
      {run?.outcome && <SeedHistogram arms={arms} outcome={run.outcome} steps={run.settings.steps} epsilon={run.settings.epsilon} width={width || 600} svgRef={svg} />}
      {exportError && <p className="error-text">{exportError}</p>}
    </section>
  );
});
