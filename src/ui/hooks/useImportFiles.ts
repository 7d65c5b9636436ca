import { useCallback } from 'react';
import { useAppStore } from '../../store';
import { isRunActive } from '../../store/runSlice';
import { useExperiments } from './useExperiments';
import { errorMessage } from '../../engine/errors';

/**
 * Imports files into the saved experiments (.rglab.json bundles; the runner's and train.py's
 * JSONL records, several files of one run together), showing progress and any error in the
 * experiments panel, then opens the last one imported (unless a run is going).
 */
export function useImportFiles(): (files: readonly File[]) => Promise<void> {
  const commands = useExperiments();
  return useCallback(
    async (files: readonly File[]) => {
      const { setExperiments } = useAppStore.getState();
      if (files.length === 0 || useAppStore.getState().experiments.importing) return;
      setExperiments({ importing: { phase: 'reading', file: files[0].name, done: 0, total: files[0].size }, importError: null });
      try {
        // Progress at most ten times a second: each is a redraw of the panel.
        let shown = 0;
        const ids = await commands.importFiles(files, (p) => {
          const now = performance.now();
          if (now - shown < 100) return;
          shown = now;
          setExperiments({ importing: p });
        });
        const last = ids.at(-1);
        if (last && !isRunActive(useAppStore.getState().run.status)) await commands.open(last);
        setExperiments({ importing: null });
      } catch (e) {
        setExperiments({ importing: null, importError: errorMessage(e) });
      }
    },
    [commands],
  );
}

/** True for a file the experiments import takes rather than the dataset loader: JSON or JSON lines. */
export function isExperimentFile(file: File): boolean {
  return /\.(json|jsonl|ndjson)$/i.test(file.name);
}
