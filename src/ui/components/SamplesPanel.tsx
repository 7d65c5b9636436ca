import { useAppStore } from '../../store';
import { SegmentSamples } from './SegmentSamples';
import { TranslateSamples } from './TranslateSamples';

/** The task's picture panel: segmentation overlays and IoU bars, or the pix2pix grid; nothing for classify. */
export function SamplesPanel() {
  const task = useAppStore((s) => s.run.config?.task ?? s.config.task);
  if (task === 'segment') return <SegmentSamples />;
  if (task === 'translate') return <TranslateSamples />;
  return null;
}
