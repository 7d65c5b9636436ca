import { useAppStore } from '../store';
import { ArmsPanel } from './components/ArmsPanel';
import { ChartsPanel } from './components/ChartsPanel';
import { DatasetPanel } from './components/DatasetPanel';
import { DropZone } from './components/DropZone';
import { ExportPanel } from './components/ExportPanel';
import { ModelPanel } from './components/ModelPanel';
import { RunControls } from './components/RunControls';
import { RunSettingsPanel } from './components/RunSettingsPanel';
import { SamplesPanel } from './components/SamplesPanel';
import { StatusBar } from './components/StatusBar';
import { SummaryTable } from './components/SummaryTable';

/** The lab: settings on the left, run control and status on top, charts and results on the right. */
export function App({ warnings }: { warnings: string[] }) {
  const runError = useAppStore((s) => s.run.error);
  const backendError = useAppStore((s) => s.backend.error);
  return (
    <div className="app">
      <DropZone />
      <header className="topbar">
        <h1>
          RG Lab <span className="subtitle">plain vs random-gradient training, side by side</span>
        </h1>
        <RunControls />
        <StatusBar />
      </header>
      {[...warnings, ...(backendError ? [backendError] : []), ...(runError ? [runError] : [])].map((w) => (
        <p key={w} className="banner error-text" role="alert">
          {w}
        </p>
      ))}
      <div className="layout">
        <aside className="sidebar">
          <DatasetPanel />
          <ModelPanel />
          <RunSettingsPanel />
          <ArmsPanel />
        </aside>
        <main className="content">
          <ChartsPanel />
          <SamplesPanel />
          <SummaryTable />
          <ExportPanel />
        </main>
      </div>
    </div>
  );
}
