import { useEffect, useState } from 'react';
import { useAppStore } from '../../store';
import { isRunActive } from '../../store/runSlice';
import { useTrainer } from '../hooks/useTrainer';

const carriesFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;

/**
 * Makes the whole page a drop target for dataset archives, with an overlay while a file is
 * dragged over it. Drops during a run are refused: the run's dataset cannot change under it.
 */
export function DropZone() {
  const trainer = useTrainer();
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
      if (e.dataTransfer) e.dataTransfer.dropEffect = isRunActive(useAppStore.getState().run.status) ? 'none' : 'copy';
    };
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const file = e.dataTransfer?.files[0];
      if (file) trainer.loadArchive(file);
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
  }, [trainer]);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <p>Drop a dataset archive (.zip, .tar, .tar.gz): ImageFolder, CIFAR-10/100 binary, VOC or images/masks, pix2pix pairs</p>
    </div>
  );
}
