import { createArchiveLoader, type ArchiveLoader } from './bridgeArchive';
import type { BridgeContext, BridgeOptions, TrainerClientLike } from './bridgeContext';
import { createRunCommands, type TrainerCommands } from './bridgeCommands';
import { createWorkerEventHandler } from './bridgeEvents';
import { createDatasetBackendSync } from './bridgeSync';
import { useAppStore } from './index';

export type { BridgeOptions, TrainerClientLike } from './bridgeContext';
export type { TrainerCommands } from './bridgeCommands';

/**
 * The one place where worker events become store actions (bridgeEvents.ts), and where the UI's
 * commands become worker requests (bridgeCommands.ts: run commands with their debounce). The
 * dataset and the backend are kept in step with the config (bridgeSync.ts), and archives are
 * read and re-read there too (bridgeArchive.ts).
 */

/** Connects the client to the store: starts the preflight and the dataset, and routes events. */
export function connectTrainer(client: TrainerClientLike, opts: BridgeOptions): { commands: TrainerCommands; disconnect: () => void } {
  const store = opts.store ?? useAppStore;
  const ctx: BridgeContext = { client, store, opts, get: () => store.getState() };
  // The parts refer to each other only through these late-bound calls, made after all exist.
  let archive: ArchiveLoader | null = null;
  let cancelLive = (): void => {};
  const sync = createDatasetBackendSync(ctx, () => archive?.reloadInNewWorker() ?? null, () => cancelLive());
  const unsubscribeClient = client.subscribe(createWorkerEventHandler(ctx, { cancelLive: () => cancelLive(), workerCrashed: sync.onWorkerCrashed }));
  archive = createArchiveLoader(ctx);
  const run = createRunCommands(ctx, archive);
  cancelLive = run.cancelLive;

  void sync.loadDataset();
  void sync.initBackend();

  return {
    commands: run.commands,
    disconnect: () => {
      cancelLive();
      sync.dispose();
      unsubscribeClient();
      archive?.dispose();
    },
  };
}
