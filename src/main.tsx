import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BUILTIN_DATASETS } from './data/builtin';
import { useAppStore } from './store';
import { connectPersistence } from './store/persistBridge';
import { connectTrainer } from './store/trainerBridge';
import { APP_FACTS } from './ui/appInfo';
import { ExperimentsContext } from './ui/hooks/useExperiments';
import { App } from './ui/App';
import { TrainerContext } from './ui/hooks/useTrainer';
import { parseUrlParams } from './ui/urlParams';
import { TrainerClient } from './worker/client';
import './ui/styles.css';

const params = parseUrlParams(location.search, BUILTIN_DATASETS.map((d) => d.id));
if (params.config) useAppStore.setState({ config: params.config });
else if (params.dataset) useAppStore.getState().setConfig({ dataset: params.dataset });
// A reload shows the newest saved experiment with its settings; a link with ?config=, or with
// ?dataset= naming another dataset, asks for its own settings, which are kept.
const experiments = connectPersistence({
  facts: APP_FACTS,
  showLatest: !params.config,
  restoreSettings: (latest) => !params.dataset || latest.config.dataset === params.dataset,
});
const client = TrainerClient.create();
const { commands } = connectTrainer(client, {
  forcedBackend: params.backend,
  forcedThreads: params.threads,
  onCheckpoint: (runId, checkpoint) => experiments.commands.saveCheckpoint(runId, checkpoint),
  onResumed: (runId, step) => void experiments.commands.discardAfter(runId, step),
});

// Debug hooks, in development and test builds only (see src/worker/debugHooks.ts; the condition is
// spelled out here so that `npm run build` leaves their chunks out, not just their calls):
// `?debug` exposes fault injection for the browser tests (e2e/reliability.spec.ts), `?bench`
// exposes `window.__rgBench` for `npm run bench` (src/bench/benchBrowser.ts).
if (import.meta.env.MODE !== 'production') {
  const q = new URLSearchParams(location.search);
  if (q.has('debug')) void import('./worker/debugClient').then((m) => m.installDebugHooks(client));
  if (q.has('bench')) {
    void Promise.all([import('./ui/benchHook'), import('./worker/debugClient')]).then(([hook, debug]) => hook.installBenchHook((request) => debug.bench(client, request)));
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TrainerContext.Provider value={commands}>
      <ExperimentsContext.Provider value={experiments.commands}>
        <App warnings={params.warnings} />
      </ExperimentsContext.Provider>
    </TrainerContext.Provider>
  </StrictMode>,
);

// The production build works offline after its first load (public/sw.js); dev mode leaves it out.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((e: unknown) => console.warn('offline support unavailable:', e));
  });
}
