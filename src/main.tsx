import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BUILTIN_DATASETS } from './data/builtin';
import { useAppStore } from './store';
import { connectTrainer } from './store/trainerBridge';
import { App } from './ui/App';
import { TrainerContext } from './ui/hooks/useTrainer';
import { parseUrlParams } from './ui/urlParams';
import { TrainerClient } from './worker/client';
import './ui/styles.css';

const params = parseUrlParams(location.search, BUILTIN_DATASETS.map((d) => d.id));
if (params.dataset) useAppStore.getState().setConfig({ dataset: params.dataset });
const { commands } = connectTrainer(TrainerClient.create(), { forcedBackend: params.backend });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TrainerContext.Provider value={commands}>
      <App warnings={params.warnings} />
    </TrainerContext.Provider>
  </StrictMode>,
);
