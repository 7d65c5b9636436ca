import { CONFIG_LIMITS, MODELS_BY_TASK } from '../../engine/config';
import { ARM_VARIANTS, MAX_BUDGET, MAX_VARIANTS, MIN_BUDGET, pickVariants, SWEEP_METRICS, type SweepSpec } from '../../sweep';
import { NumberField } from '../components/NumberField';
import { NumberListField } from './NumberListField';
import { SWEEP_CHOICES, type SweepChoice } from './choices';

export interface SweepControlsProps {
  choice: SweepChoice;
  spec: SweepSpec;
  /** While a sweep holds the trainer: everything but the metric is locked. */
  locked: boolean;
  onChoose: (choice: SweepChoice) => void;
  onChange: (spec: SweepSpec) => void;
}

/** The sweep's settings: preset, model, axes, arm variants, budget, seeds and the reported metric. */
export function SweepControls({ choice, spec, locked, onChoose, onChange }: SweepControlsProps) {
  const set = (patch: Partial<SweepSpec>) => onChange({ ...spec, ...patch });
  const names = spec.variants.map((v) => v.name);
  const toggle = (name: string, on: boolean) => set({ variants: pickVariants(on ? [...names, name] : names.filter((n) => n !== name)) });
  const seedCount = spec.base.seeds.length;

  return (
    <div className="sweep-controls">
      <fieldset disabled={locked} className="sweep-fields">
        <label className="field sweep-preset-field">
          <span className="field-label">preset</span>
          <select data-testid="sweep-preset" value={choice} onChange={(e) => onChoose(e.target.value as SweepChoice)}>
            {SWEEP_CHOICES.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <div className="field-row">
          <label className="field">
            <span className="field-label">model ({spec.base.task}, {spec.base.dataset})</span>
            <select data-testid="sweep-model" value={spec.base.model} onChange={(e) => set({ base: { ...spec.base, model: e.target.value } })}>
              {MODELS_BY_TASK[spec.base.task].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <NumberField
            label="input size (px)"
            value={spec.base.inputSize}
            min={CONFIG_LIMITS.inputSize.min}
            max={CONFIG_LIMITS.inputSize.max}
            integer
            testId="sweep-input-size"
            title="Images are resized to this; smaller runs faster"
            onCommit={(inputSize) => set({ base: { ...spec.base, inputSize } })}
          />
          <NumberField
            label="batch size"
            value={spec.base.batchSize}
            min={CONFIG_LIMITS.batchSize.min}
            max={CONFIG_LIMITS.batchSize.max}
            integer
            testId="sweep-batch-size"
            onCommit={(batchSize) => set({ base: { ...spec.base, batchSize } })}
          />
          <NumberField
            label="steps per run"
            value={spec.steps}
            min={MIN_BUDGET}
            max={MAX_BUDGET}
            step={10}
            integer
            testId="sweep-budget"
            title="The budget of every run; evaluations about every fifth of it"
            onCommit={(steps) => set({ steps, evalEvery: undefined })}
          />
          <NumberField
            label="seeds"
            value={seedCount}
            min={CONFIG_LIMITS.seeds.min}
            max={CONFIG_LIMITS.seeds.max}
            step={1}
            integer
            testId="sweep-seeds"
            title="Every cell runs once per seed (seeds 1, 2, ...); the table shows means over seeds"
            onCommit={(n) => set({ base: { ...spec.base, seeds: Array.from({ length: n }, (_, i) => i + 1) } })}
          />
        </div>
        <div className="field-row">
          <NumberListField label="learning rates" values={spec.lrs} range={{ min: 0, max: 10, minExclusive: true }} testId="sweep-lrs" onCommit={(lrs) => set({ lrs })} />
          <NumberListField label="momenta" values={spec.momenta} range={{ min: 0, max: 1, maxExclusive: true }} testId="sweep-momenta" onCommit={(momenta) => set({ momenta })} />
        </div>
        <div className="field" role="group" aria-label="arm variants">
          <span className="field-label">arms in every cell (up to {MAX_VARIANTS}; they share initial weights, batches and RG draws)</span>
          <div className="sweep-variants">
            {ARM_VARIANTS.map((v) => (
              <label key={v.name} className="field checkbox" title={v.label}>
                <input type="checkbox" data-testid="sweep-variant" data-variant={v.name} checked={names.includes(v.name)} onChange={(e) => toggle(v.name, e.target.checked)} />
                <b>{v.name}</b> <span className="muted">{v.label}</span>
              </label>
            ))}
          </div>
        </div>
      </fieldset>
      <label className="field sweep-metric-field">
        <span className="field-label">reported metric</span>
        <select data-testid="sweep-metric" value={spec.metric} onChange={(e) => set({ metric: e.target.value })}>
          {SWEEP_METRICS[spec.base.task].map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
