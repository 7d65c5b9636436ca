import { lazy, Suspense, useState } from 'react';
import { useAppStore } from '../store';
import { ArmsPanel } from './components/ArmsPanel';
import { ChartsPanel } from './components/ChartsPanel';
import { DatasetPanel } from './components/DatasetPanel';
import { DropZone } from './components/DropZone';
import { ExperimentsPanel } from './components/ExperimentsPanel';
import { ExportPanel } from './components/ExportPanel';
import { StoredRunBanner } from './components/StoredRunBanner';
import { ModelPanel } from './components/ModelPanel';
import { RunControls } from './components/RunControls';
import { RunSettingsPanel } from './components/RunSettingsPanel';
import { SamplesPanel } from './components/SamplesPanel';
import { StatusBar } from './components/StatusBar';
import { SummaryTable } from './components/SummaryTable';
import { SweepView } from './sweep/SweepView';

/** The landscape view and its TF.js worker load on first use, outside the lab's main bundle. */
const loadLandscape = () => import('./landscape/LandscapeView');
const LandscapeView = lazy(loadLandscape);

type View = 'lab' | 'landscape' | 'sweeps';

const VIEWS: { id: View; label: string; title?: string }[] = [
  { id: 'lab', label: 'Lab' },
  { id: 'landscape', label: 'Landscape', title: 'Optimizer paths on two-parameter loss surfaces: plain vs RG, step by step' },
  { id: 'sweeps', label: 'Sweeps', title: "Grids over learning rate and momentum, and the paper's experiments scaled to the browser" },
];

/** The lab: settings on the left, run control and status on top, charts and results on the right. */
export function App({ warnings }: { warnings: string[] }) {
  const runError = useAppStore((s) => s.run.error);
  const backendError = useAppStore((s) => s.backend.error);
  const [view, setView] = useState<View>('lab');
  // Both views stay mounted once opened and are hidden, not unmounted, so switching keeps a run and its charts.
  const [landscapeOpened, setLandscapeOpened] = useState(false);
  const [sweepsOpened, setSweepsOpened] = useState(false);
  const show = (v: View) => {
    if (v === 'landscape') setLandscapeOpened(true);
    if (v === 'sweeps') setSweepsOpened(true);
    setView(v);
  };
  return (
    <div className="app">
      <DropZone />
      <header className="topbar">
        <h1>
          RG Lab <span className="subtitle">plain vs random-gradient training, side by side</span>
        </h1>
        <nav className="run-controls" aria-label="views">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              data-testid={`nav-${v.id}`}
              aria-pressed={view === v.id}
              className={view === v.id ? 'primary' : undefined}
              title={v.title}
              // The landscape's code starts loading as soon as the pointer or focus gets near.
              onPointerEnter={v.id === 'landscape' ? () => void loadLandscape() : undefined}
              onFocus={v.id === 'landscape' ? () => void loadLandscape() : undefined}
              onClick={() => show(v.id)}
            >
              {v.label}
            </button>
          ))}
        </nav>
        <RunControls />
        <StatusBar />
      </header>
      {[...warnings, ...(backendError ? [backendError] : []), ...(runError ? [runError] : [])].map((w) => (
        <p key={w} className="banner error-text" role="alert">
          {w}
        </p>
      ))}
      <div className="layout" style={view === 'lab' ? undefined : { display: 'none' }}>
        <aside className="sidebar">
          <DatasetPanel />
          <ModelPanel />
          <RunSettingsPanel />
          <ArmsPanel />
          <ExperimentsPanel />
        </aside>
        <main className="content">
          <StoredRunBanner />
          <ChartsPanel />
          <SamplesPanel />
          <SummaryTable />
          <ExportPanel />
        </main>
      </div>
      {sweepsOpened && (
        <div className="sweeps-view" style={view === 'sweeps' ? undefined : { display: 'none' }}>
          <SweepView />
        </div>
      )}
      {landscapeOpened && (
        <div style={view === 'landscape' ? undefined : { display: 'none' }}>
          <Suspense fallback={<p className="banner">Loading the landscape…</p>}>
            <LandscapeView />
          </Suspense>
        </div>
      )}
    </div>
  );
}
