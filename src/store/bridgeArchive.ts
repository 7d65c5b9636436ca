import { type BridgeContext, datasetKey, describe, isCrash } from './bridgeContext';
import { sha256 } from './runControl';
import { isRunActive } from './runSlice';

/**
 * Archive loading: a dropped or picked archive is read by the worker (cancellable), replaces the
 * dataset once it loads (and the task, when its layout needs another), and is kept to be read
 * again when an option its layout reads changes or a new worker starts.
 */

export interface ArchiveLoader {
  load(file: File): void;
  /** Cancels the load in flight; the earlier dataset stays. */
  cancel(): void;
  /** Gives a new worker the archive in use; null when the dataset in use is not an archive. */
  reloadInNewWorker(): Promise<void> | null;
  dispose(): void;
}

export function createArchiveLoader({ client, store, get }: BridgeContext): ArchiveLoader {
  let archiveLoad: { id: number; file: File; cancelled: boolean } | null = null;
  /** The archive in use, re-read when its options change or a new worker starts. */
  let archiveFile: File | null = null;

  function load(file: File): void {
    const s = get();
    if (isRunActive(s.run.status)) return;
    if (archiveLoad) client.cancelLoad(archiveLoad.id);
    const { id, summary } = client.loadArchive(file, file.name, s.config.inputSize, s.config.seeds[0], s.archive.options);
    const pending = { id, file, cancelled: false };
    archiveLoad = pending;
    s.beginArchiveLoad(id, file.name, file.size, performance.now());
    summary.then(
      (summary) => {
        if (archiveLoad !== pending) return;
        archiveLoad = null;
        archiveFile = file;
        const { config } = get();
        const task = summary.archive?.task ?? config.task;
        const patch = { dataset: summary.id, inputSize: summary.inputSize };
        // The dataset's key first, so that the config changes below do not ask for it again.
        const key = datasetKey({ ...config, ...patch });
        get().setDatasetLoading(key);
        get().setDatasetReady(key, summary);
        void sha256(file).then((hash) => {
          const d = get().dataset;
          if (d.key === key && d.state === 'ready' && d.summary) get().setDatasetReady(key, d.summary, hash);
        });
        // The layout decides the task; switching it brings that task's model and arm defaults.
        get().setTask(task);
        get().setConfig(patch);
        get().endArchiveLoad(id, null);
      },
      (e) => {
        if (archiveLoad !== pending) return;
        archiveLoad = null;
        get().endArchiveLoad(id, pending.cancelled ? null : describe(e));
      },
    );
  }

  const unsubscribeOptions = store.subscribe((s, prev) => {
    const now = s.archive.options;
    const was = prev.archive.options;
    if (now === was || !archiveFile || !s.config.dataset.startsWith('archive:')) return;
    // Only the layout that reads an option is read again when it changes.
    const layout = s.dataset.summary?.archive?.layout;
    if ((layout === 'cifar100' && now.cifarLabels !== was.cifarLabels) || (layout === 'pix2pix' && now.pairDirection !== was.pairDirection)) {
      load(archiveFile);
    }
  });

  return {
    load,
    cancel() {
      if (!archiveLoad) return;
      archiveLoad.cancelled = true;
      client.cancelLoad(archiveLoad.id);
    },
    reloadInNewWorker() {
      const c = get().config;
      const file = archiveFile;
      if (!file || !c.dataset.startsWith('archive:')) return null;
      const key = datasetKey(c);
      const hash = get().dataset.key === key ? get().dataset.contentHash : null;
      get().setDatasetLoading(key);
      return client.loadArchive(file, file.name, c.inputSize, c.seeds[0], get().archive.options).summary.then(
        (summary) => get().setDatasetReady(key, summary, hash),
        (e) => {
          if (!isCrash(e)) get().setDatasetError(key, describe(e));
        },
      );
    },
    dispose: unsubscribeOptions,
  };
}
