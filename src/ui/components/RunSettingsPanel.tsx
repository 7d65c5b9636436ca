import { CONFIG_LIMITS } from '../../engine/config';
import { useAppStore } from '../../store';
import { seedList } from '../../store/settingsSlice';
import { LockedFieldset } from './LockedFieldset';
import { NumberField } from './NumberField';
import { Panel } from './Panel';

/** What "augment" does per task (docs/contracts.md, section 2). */
const AUGMENT_LABELS = {
  classify: { label: 'augment (crop + flip)', title: "Random crop with padding 4 and horizontal flip (the paper's CIFAR augmentation)" },
  segment: { label: 'augment (random mirror)', title: 'Random horizontal mirror of image and mask (the paper’s segmentation setting)' },
  translate: { label: 'augment (jitter + mirror)', title: 'pix2pix random jitter: scale up by 286/256, crop back, and mirror' },
} as const;

/** Run length, batch size, evaluation interval, seed, input size and augmentation. */
export function RunSettingsPanel() {
  const c = useAppStore((s) => s.config);
  const setConfig = useAppStore((s) => s.setConfig);
  const setRunLength = useAppStore((s) => s.setRunLength);
  const setSeedCount = useAppStore((s) => s.setSeedCount);
  const unit = c.steps !== undefined ? 'steps' : 'epochs';
  return (
    <Panel title="Run settings">
      <LockedFieldset className="field-grid">
        <div className="field-row">
          <NumberField
            label={`length (${unit})`}
            value={c.steps ?? c.epochs ?? 1}
            min={CONFIG_LIMITS[unit].min}
            max={CONFIG_LIMITS[unit].max}
            integer
            testId="length-input"
            onCommit={(n) => setRunLength(unit, n)}
          />
          <label className="field">
            <span className="field-label">unit</span>
            <select data-testid="length-unit-select" value={unit} onChange={(e) => setRunLength(e.target.value === 'epochs' ? 'epochs' : 'steps', unit === 'steps' && e.target.value === 'epochs' ? 1 : 300)}>
              <option value="steps">steps</option>
              <option value="epochs">epochs</option>
            </select>
          </label>
        </div>
        <div className="field-row">
          <NumberField label="batch size" value={c.batchSize} min={CONFIG_LIMITS.batchSize.min} max={CONFIG_LIMITS.batchSize.max} integer testId="batch-size-input" onCommit={(batchSize) => setConfig({ batchSize })} />
          <NumberField label="eval every (steps)" value={c.evalEvery} min={CONFIG_LIMITS.evalEvery.min} integer testId="eval-every-input" onCommit={(evalEvery) => setConfig({ evalEvery })} />
        </div>
        <div className="field-row">
          <NumberField label="input size (px)" value={c.inputSize} min={CONFIG_LIMITS.inputSize.min} max={CONFIG_LIMITS.inputSize.max} integer testId="input-size-input" onCommit={(inputSize) => setConfig({ inputSize })} />
          <NumberField label="seed" value={c.seeds[0]} min={CONFIG_LIMITS.seed.min} max={CONFIG_LIMITS.seed.max} integer testId="seed-input" onCommit={(seed) => setConfig({ seeds: seedList(seed, c.seeds.length) })} />
        </div>
        <div className="field-row">
          <NumberField
            label={`seeds per arm (${CONFIG_LIMITS.seeds.min}-${CONFIG_LIMITS.seeds.max})`}
            value={c.seeds.length}
            min={CONFIG_LIMITS.seeds.min}
            max={CONFIG_LIMITS.seeds.max}
            integer
            testId="seeds-input"
            title="Every arm runs once per seed (seed, seed + 1, ...); charts show the mean with a band, the summary tests the difference"
            onCommit={setSeedCount}
          />
        </div>
        <label className="field checkbox" title={AUGMENT_LABELS[c.task].title}>
          <input type="checkbox" data-testid="augment-toggle" checked={c.augment} onChange={(e) => setConfig({ augment: e.target.checked })} />
          <span>{AUGMENT_LABELS[c.task].label}</span>
        </label>
      </LockedFieldset>
    </Panel>
  );
}
