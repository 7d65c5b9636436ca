import { createCustomSpec, findPreset, PAPER_PRESETS, type PaperPresetId, type SweepSpec } from '../../sweep';

/** What the preset picker offers: the paper's experiments, then a custom sweep per task. */
export type SweepChoice = PaperPresetId | 'custom-classify' | 'custom-segment';

export const SWEEP_CHOICES: readonly { id: SweepChoice; label: string }[] = [
  ...PAPER_PRESETS.map((p) => ({ id: p.id, label: p.title })),
  { id: 'custom-classify', label: 'Custom: classification' },
  { id: 'custom-segment', label: 'Custom: segmentation' },
];

/** A fresh, editable spec for `choice` (presets are copied, never edited in place). */
export function specForChoice(choice: SweepChoice): SweepSpec {
  if (choice === 'custom-classify') return createCustomSpec('classify');
  if (choice === 'custom-segment') return createCustomSpec('segment');
  const preset = findPreset(choice);
  if (!preset) throw new Error(`unknown sweep preset ${choice}`);
  return structuredClone(preset.spec);
}
