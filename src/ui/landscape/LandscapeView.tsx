import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SeedsOutcome } from '../../landscape/protocol';
import { ARM_KEYS, armLabel, type ArmKey, buildSimSpec, createLandscapeSettings, describeRg, type LandscapeSettings, SEEDS_PER_RUN } from '../../landscape/settings';
import { getSurface, type Point } from '../../landscape/surfaces';
import { ARM_COLORS } from '../charts/colors';
import { renderSvgToPng, serializeChartSvg } from '../export/chartImage';
import { downloadBlob, toFileName } from '../export/download';
import { useElementWidth } from '../hooks/useElementWidth';
import { ContourPlot } from './ContourPlot';
import { type PathsAnswer, sharedLandscapeClient } from './landscapeClient';
import { LandscapeControls } from './LandscapeControls';
import { LandscapeSummary } from './LandscapeSummary';
import { fitPlotFrame } from './plotGeometry';
import { SeedHistogram } from './SeedHistogram';
import { useStepAnimation } from './useStepAnimation';
import './landscape.css';

/** Arm colours by key, so an arm keeps its colour whichever others are on (plain blue, RG red as in the lab). */
const colorOf = (key: ArmKey) => ARM_COLORS[ARM_KEYS.indexOf(key)];

const MAX_PLOT_HEIGHT = 560;

interface Drawn {
  settings: LandscapeSettings;
  arms: ArmKey[];
  answer: PathsAnswer;
}

interface SeedsRun {
  settings: LandscapeSettings;
  arms: ArmKey[];
  state: 'running' | 'done' | 'error';
  progress: number;
  outcome: SeedsOutcome | null;
  error: string | null;
}

type Figure = 'plot' | 'histogram';

/**
 * The landscape view: optimizer paths on a two-parameter surface, computed by the engine's own
 * optimizers and RG weights in a worker, drawn step by step over the contours; readouts of the
 * drawn seed, and a histogram of steps to epsilon over 100 paired seeds.
 */
export default function LandscapeView() {
  const [settings, setSettings] = useState<LandscapeSettings>(() => createLandscapeSettings('quadratic'));
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [replay, setReplay] = useState(0);
  const [seeds, setSeeds] = useState<SeedsRun | null>(null);
  // One worker for the page: the view stays mounted while hidden, so it is never torn down.
  const [client] = useState(sharedLandscapeClient);
  const plotBox = useRef<HTMLDivElement>(null);
  const plotSvg = useRef<SVGSVGElement>(null);
  const histSvg = useRef<SVGSVGElement>(null);
  const width = useElementWidth(plotBox);

  // Every change of settings recomputes the paths; the client drops requests overtaken by newer ones.
  useEffect(() => {
    if (settings.arms.length === 0) return;
    let live = true;
    client.paths(buildSimSpec(settings, 1), settings.epsilon).then(
      (answer) => {
        if (!live || !answer) return;
        setError(null);
        setDrawn({ settings, arms: ARM_KEYS.filter((k) => settings.arms.includes(k)), answer });
        setReplay((r) => r + 1);
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [client, settings]);

  const steps = drawn?.answer.steps ?? 0;
  const { drawn: step, playing } = useStepAnimation(steps, replay);
  const surface = getSurface(drawn?.settings.surface ?? settings.surface);
  const frame = useMemo(() => fitPlotFrame(surface.domain, width || 600, MAX_PLOT_HEIGHT), [surface, width]);
  const plotArms = useMemo(
    () => (drawn ? drawn.arms.map((k, i) => ({ key: k, label: armLabel(k), color: colorOf(k), xy: drawn.answer.paths[i] })) : []),
    [drawn],
  );
  const pending = !drawn || drawn.settings !== settings;
  const plotState = error ? 'error' : settings.arms.length === 0 ? 'empty' : pending ? 'computing' : playing ? 'drawing' : 'done';

  const pickStart = useCallback((start: Point) => setSettings((s) => ({ ...s, start })), []);

  const runSeeds = () => {
    if (settings.arms.length === 0) return;
    const run: SeedsRun = { settings, arms: ARM_KEYS.filter((k) => settings.arms.includes(k)), state: 'running', progress: 0, outcome: null, error: null };
    setSeeds(run);
    client
      .seeds(buildSimSpec(settings, SEEDS_PER_RUN), settings.epsilon, (done, total) => setSeeds((s) => (s?.settings === run.settings && s.state === 'running' ? { ...s, progress: done / total } : s)))
      .then(
        (outcome) => outcome && setSeeds((s) => (s?.settings === run.settings ? { ...s, state: 'done', progress: 1, outcome } : s)),
        (e: unknown) => setSeeds((s) => (s?.settings === run.settings ? { ...s, state: 'error', error: e instanceof Error ? e.message : String(e) } : s)),
      );
  };

  const [exportError, setExportError] = useState<string | null>(null);
  const exportFigure = async (which: Figure, kind: 'png' | 'svg') => {
    setExportError(null);
    const svg = which === 'plot' ? plotSvg.current : histSvg.current;
    const source = which === 'plot' ? drawn : seeds;
    if (!svg || !source) return;
    const s = source.settings;
    const title =
      which === 'plot'
        ? `${getSurface(s.surface).name}: lr ${s.lr}, momentum ${s.momentum}, ${describeRg(s.rg)}, seed ${s.seed}`
        : `${getSurface(s.surface).name}: steps to ε = ${s.epsilon} over ${SEEDS_PER_RUN} seeds`;
    try {
      const out = serializeChartSvg(svg, title, source.arms.map((k) => ({ name: armLabel(k), color: colorOf(k) })));
      const name = toFileName(`landscape-${s.surface}-${which}`);
      if (kind === 'svg') downloadBlob(new Blob([out.text], { type: 'image/svg+xml' }), `${name}.svg`);
      else downloadBlob(await renderSvgToPng(out), `${name}.png`);
    } catch (e) {
      setExportError(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const seedsStale = seeds !== null && seeds.settings !== settings;
  const seedsState = seeds === null ? 'idle' : seeds.state;

  return (
    <div className="layout landscape">
      <aside className="sidebar">
        <LandscapeControls settings={settings} onChange={setSettings} colorOf={colorOf} />
      </aside>
      <main className="content">
        <figure className="chart-card landscape-plot-card" data-testid="landscape-plot" data-state={plotState} data-surface={drawn?.settings.surface ?? ''} data-paths={plotArms.length} data-step={step}>
          <figcaption className="chart-head">
            <span className="chart-title">
              {surface.name} <span className="muted">{surface.formula}</span>
            </span>
            <span className="chart-actions">
              <button type="button" className="small primary" data-testid="landscape-run" disabled={!drawn} onClick={() => setReplay((r) => r + 1)}>
                Replay
              </button>
              <button type="button" className="small" data-testid="landscape-export-png" disabled={!drawn} onClick={() => void exportFigure('plot', 'png')}>
                PNG
              </button>
              <button type="button" className="small" data-testid="landscape-export-svg" disabled={!drawn} onClick={() => void exportFigure('plot', 'svg')}>
                SVG
              </button>
            </span>
          </figcaption>
          <ul className="legend landscape-legend" aria-label="arms">
            {plotArms.map((a) => (
              <li key={a.key}>
                <span className="swatch" style={{ background: a.color }} />
                {a.label}
              </li>
            ))}
            <li className="muted">
              step {Math.min(step, steps)} / {steps}
            </li>
          </ul>
          <div className="landscape-plot-body" ref={plotBox}>
            <ContourPlot surface={surface} frame={frame} arms={plotArms} drawn={step} start={settings.start} epsilon={settings.epsilon} onPickStart={pickStart} svgRef={plotSvg} />
          </div>
          {settings.arms.length === 0 && <p className="hint">Switch on at least one arm.</p>}
          {error && <p className="error-text">{error}</p>}
          {exportError && <p className="error-text">{exportError}</p>}
        </figure>
        <LandscapeSummary
          arms={drawn ? drawn.arms.map((k, i) => ({ key: k, label: armLabel(k), color: colorOf(k), metrics: drawn.answer.metrics[i] })) : []}
          steps={steps}
          epsilon={drawn?.settings.epsilon ?? settings.epsilon}
          pending={pending && settings.arms.length > 0}
        />
        <section className="summary" data-testid="landscape-histogram" data-state={seedsState} data-stale={seedsStale} data-seeds={seeds?.outcome ? SEEDS_PER_RUN : 0}>
          <div className="summary-head">
            <h2>Which one gets there sooner here?</h2>
            <button type="button" className="small primary" data-testid="landscape-seeds" disabled={settings.arms.length === 0 || seedsState === 'running'} onClick={runSeeds}>
              Run {SEEDS_PER_RUN} seeds
            </button>
            {seeds?.outcome && (
              <>
                <button type="button" className="small" data-testid="landscape-histogram-png" onClick={() => void exportFigure('histogram', 'png')}>
                  PNG
                </button>
                <button type="button" className="small" data-testid="landscape-histogram-svg" onClick={() => void exportFigure('histogram', 'svg')}>
                  SVG
                </button>
              </>
            )}
          </div>
          {seeds === null && <p className="hint">Runs seeds {settings.seed} to {settings.seed + SEEDS_PER_RUN - 1} from this start with these settings (each seed: its own RG draws and gradient noise, shared by every arm) and shows how many steps each arm needs to get within ε.</p>}
          {seeds?.state === 'running' && <progress data-testid="landscape-seeds-progress" max={1} value={seeds.progress} />}
          {seeds?.state === 'error' && <p className="error-text">{seeds.error}</p>}
          {seedsStale && seeds?.outcome && <p className="hint">The settings changed since this run: run the seeds again to update it.</p>}
          {seeds?.outcome && (
            <SeedHistogram arms={seeds.arms.map((k) => ({ key: k, label: armLabel(k), color: colorOf(k) }))} outcome={seeds.outcome} steps={seeds.settings.steps} epsilon={seeds.settings.epsilon} width={width || 600} svgRef={histSvg} />
          )}
        </section>
      </main>
    </div>
  );
}
