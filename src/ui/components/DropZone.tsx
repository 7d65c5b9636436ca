import { useEffect, useState } from 'react';
import { isExperimentFile, useImportFiles } from '../hooks/useImportFiles';
import { useTrainer } from '../hooks/useTrainer';

const carriesFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;

/**
 * Makes the whole page a drop target for dataset archives, and for experiments (.rglab.json
 * bundles, the runner's and train.py's JSONL records), with an overlay while a file is dragged
 * over it. Archives dropped during a run are refused: the run's dataset cannot change under it;
 * experiments are imported (and shown once the run ends).
 */
export function DropZone() {
  const trainer = useTrainer();
  const importFiles = useImportFiles();
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    // dragenter and dragleave fire for every child element crossed; count them to know when the page is left.
    let depth = 0;
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      // Which files are dragged is not known before the drop; an experiment may be dropped during a run.
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = [...(e.dataTransfer?.files ?? [])];
      const experiments = files.filter(isExperimentFile);
      if (experiments.length > 0) void importFiles(experiments);
      const archive = files.find((f) => !isExperimentFile(f));
      // Refused while a run is going (loadArchive returns then).
      if (archive) trainer.loadArchive(archive);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [trainer, importFiles]);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <p>Drop a dataset archive (.zip, .tar, .tar.gz): ImageFolder, CIFAR-10/100 binary, VOC or images/masks, pix2pix pairs; or experiments: .rglab.json bundles, the runner&apos;s or train.py&apos;s records (.jsonl)</p>
    </div>
  );
}
