import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ContourPaths } from '../../landscape/contours';
import { ARM_KEYS, armLabel, type ArmKey, buildSimSpec, createLandscapeSettings, describeRg, type LandscapeSettings, SEEDS_PER_RUN } from '../../landscape/settings';
import { getSurface, type Point, type SurfaceId } from '../../landscape/surfaces';
import { ARM_COLORS } from '../charts/colors';
import { useElementWidth } from '../hooks/useElementWidth';
import { describeExportError, exportSvgFigure } from '../export/figure';
import { type PathsAnswer, sharedLandscapeClient } from '../../store/landscapeClient';
import { LandscapeControls } from './LandscapeControls';
import { LandscapeSummary } from './LandscapeSummary';
import type { PlotArm } from './ContourPlot';
import { PlotCard } from './PlotCard';
import { fitPlotFrame } from './plotGeometry';
import { type SeedsRun, SeedsPanel } from './SeedsPanel';
import './landscape.css';
import { errorMessage } from '../../engine/errors';

/** Arm colours by key, so an arm keeps its colour whichever others are on (plain blue, RG red as in the lab). */
const colorOf = (key: ArmKey) => ARM_COLORS[ARM_KEYS.indexOf(key)];

const MAX_PLOT_HEIGHT = 560;
const NO_ARMS: PlotArm[] = [];

/** The paths on screen and the settings they were computed with. */
interface Drawn {
  settings: LandscapeSettings;
  arms: ArmKey[];
  answer: PathsAnswer;
}

const armsOf = (s: LandscapeSettings): ArmKey[] => ARM_KEYS.filter((k) => s.arms.includes(k));

/**
 * The landscape view: optimizer paths on a two-parameter surface, computed by the engine's own
 * optimizers and RG weights in a worker, drawn step by step over the contours; readouts of the
 * drawn seed, and a histogram of steps to epsilon over 100 paired seeds.
 */
export default function LandscapeView() {
  const [settings, setSettings] = useState<LandscapeSettings>(() => createLandscapeSettings('quadratic'));
  const [drawn, setDrawn] = useState<Drawn | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [replay, setReplay] = useState(0);
  const [seeds, setSeeds] = useState<SeedsRun | null>(null);
  // One worker for the page: the view stays mounted while hidden, so it is never torn down.
  const [client] = useState(sharedLandscapeClient);
  const plotBox = useRef<HTMLDivElement>(null);
  const plotSvg = useRef<SVGSVGElement>(null);
  const width = useElementWidth(plotBox);

  // Contours are asked for as soon as a surface is picked (the worker answers them before the paths).
  const [contours, setContours] = useState<Partial<Record<SurfaceId, ContourPaths>>>({});
  useEffect(() => {
    let live = true;
    const id = settings.surface;
    client.contours(id).then(
      (c) => live && setContours((m) => ({ ...m, [id]: c })),
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [client, settings.surface]);

  // Every change of settings recomputes the paths; the client drops requests overtaken by newer ones.
  useEffect(() => {
    if (settings.arms.length === 0) return;
    let live = true;
    client.paths(buildSimSpec(settings, 1), settings.epsilon).then(
      (answer) => {
        if (!live || !answer) return;
        setError(null);
        setDrawn({ settings, arms: armsOf(settings), answer });
        setReplay((r) => r + 1);
      },
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [client, settings]);

  const surface = getSurface(drawn?.settings.surface ?? settings.surface);
  const frame = useMemo(() => fitPlotFrame(surface.domain, width || 600, MAX_PLOT_HEIGHT), [surface, width]);
  const plotArms = useMemo(() => drawn?.arms.map((k, i) => ({ key: k, label: armLabel(k), color: colorOf(k), xy: drawn.answer.paths[i] })) ?? [], [drawn]);
  const summaryArms = useMemo(() => drawn?.arms.map((k, i) => ({ key: k, label: armLabel(k), color: colorOf(k), metrics: drawn.answer.metrics[i] })) ?? [], [drawn]);
  const pending = !drawn || drawn.settings !== settings;

  const pickStart = useCallback((start: Point) => setSettings((s) => ({ ...s, start })), []);
  const replayPaths = useCallback(() => setReplay((r) => r + 1), []);

  const exportPlot = useCallback(
    (kind: 'png' | 'svg') => {
      if (!plotSvg.current || !drawn) return;
      const s = drawn.settings;
      const title = `${getSurface(s.surface).name}: lr ${s.lr}, momentum ${s.momentum}, ${describeRg(s.rg)}, seed ${s.seed}`;
      setExportError(null);
      exportSvgFigure(plotSvg.current, title, drawn.arms.map((k) => ({ name: armLabel(k), color: colorOf(k) })), `landscape-${s.surface}-plot`, kind).catch((e: unknown) => setExportError(describeExportError(e)));
    },
    [drawn],
  );

  const runSeeds = useCallback(() => {
    if (settings.arms.length === 0) return;
    const ran = settings;
    const update = (patch: (r: SeedsRun) => SeedsRun) => setSeeds((r) => (r?.settings === ran ? patch(r) : r));
    setSeeds({ settings: ran, arms: armsOf(ran), state: 'running', progress: 0, outcome: null, error: null });
    client
      .seeds(buildSimSpec(ran, SEEDS_PER_RUN), ran.epsilon, (done, total) => update((r) => (r.state === 'running' ? { ...r, progress: done / total } : r)))
      .then(
        (outcome) => outcome && update((r) => ({ ...r, state: 'done', progress: 1, outcome })),
        (e: unknown) => update((r) => ({ ...r, state: 'error', error: errorMessage(e) })),
      );
  }, [client, settings]);

  return (
    <div className="layout landscape">
      <aside className="sidebar">
        <LandscapeControls settings={settings} onChange={setSettings} colorOf={colorOf} />
      </aside>
      <main className="content">
        <PlotCard
          surface={surface}
          contours={contours[surface.id] ?? null}
          frame={frame}
          arms={settings.arms.length === 0 ? NO_ARMS : plotArms}
          steps={drawn?.answer.steps ?? 0}
          run={replay}
          status={error ? 'error' : settings.arms.length === 0 ? 'empty' : pending ? 'computing' : 'ready'}
          start={settings.start}
          epsilon={settings.epsilon}
          onPickStart={pickStart}
          onReplay={replayPaths}
          onExport={exportPlot}
          bodyRef={plotBox}
          svgRef={plotSvg}
        />
        {settings.arms.length === 0 && <p className="hint">Switch on at least one arm.</p>}
        {error && <p className="error-text">{error}</p>}
        {exportError && <p className="error-text">{exportError}</p>}
        <LandscapeSummary arms={summaryArms} steps={drawn?.answer.steps ?? 0} epsilon={drawn?.settings.epsilon ?? settings.epsilon} pending={pending && settings.arms.length > 0} />
        <SeedsPanel run={seeds} settings={settings} colorOf={colorOf} onRun={runSeeds} />
      </main>
    </div>
  );
}
