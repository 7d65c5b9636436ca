import { RG_MODES, type RgConfig, type RgMode } from '../../engine/config';
import { NumberField } from './NumberField';

const MODE_LABELS: Record<RgMode, string> = {
  off: 'off (plain)',
  constant: 'constant weight w',
  uniform: 'random r ~ U[low, high)',
  cyclical: 'cyclical (triangular)',
};

/** The RG mode's own settings, with the same probability and scale carried across modes. */
export function createRgForMode(mode: RgMode, prev: RgConfig): RgConfig {
  const common = { probability: prev.probability, scale: prev.scale, ...(prev.applyTo ? { applyTo: prev.applyTo } : {}) };
  switch (mode) {
    case 'off':
      return { ...common, mode };
    case 'constant':
      return { ...common, mode, weight: 1 };
    case 'uniform':
      return { ...common, mode, low: 0, high: 1 };
    case 'cyclical':
      return { ...common, mode, min: 0, max: 2, period: 10, unit: 'epoch' };
  }
}

export interface RgFieldsProps {
  rg: RgConfig;
  onChange: (rg: RgConfig) => void;
}

/** RG mode select and the parameters of the chosen mode (locked during a run). */
export function RgFields({ rg, onChange }: RgFieldsProps) {
  return (
    <div className="field-group">
      <label className="field">
        <span className="field-label">RG mode</span>
        <select data-testid="rg-mode-select" value={rg.mode} onChange={(e) => onChange(createRgForMode(e.target.value as RgMode, rg))}>
          {RG_MODES.map((m) => (
            <option key={m} value={m}>
              {MODE_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      {rg.mode === 'constant' && (
        <NumberField label="weight w" value={rg.weight} min={0} max={100} onCommit={(weight) => onChange({ ...rg, weight })} title="Fig. 1 (right) of the paper compares weights above and below 1" />
      )}
      {rg.mode === 'uniform' && (
        <div className="field-row">
          <NumberField label="low" value={rg.low} min={0} max={rg.high} onCommit={(low) => onChange({ ...rg, low })} />
          <NumberField label="high" value={rg.high} min={rg.low} max={100} onCommit={(high) => onChange({ ...rg, high })} />
        </div>
      )}
      {rg.mode === 'cyclical' && (
        <>
          <div className="field-row">
            <NumberField label="min" value={rg.min} min={0} max={rg.max} onCommit={(min) => onChange({ ...rg, min })} />
            <NumberField label="max" value={rg.max} min={rg.min} max={100} onCommit={(max) => onChange({ ...rg, max })} />
          </div>
          <div className="field-row">
            <NumberField label="period" value={rg.period} min={1} integer onCommit={(period) => onChange({ ...rg, period })} />
            <label className="field">
              <span className="field-label">unit</span>
              <select value={rg.unit} onChange={(e) => onChange({ ...rg, unit: e.target.value === 'step' ? 'step' : 'epoch' })}>
                <option value="epoch">epochs</option>
                <option value="step">steps</option>
              </select>
            </label>
          </div>
        </>
      )}
      {rg.mode !== 'off' && (
        <NumberField
          label="probability p"
          value={rg.probability}
          min={0}
          max={1}
          step={0.05}
          onCommit={(probability) => onChange({ ...rg, probability })}
          title="Fraction of steps on which the RG weight applies (weight 1 on the others); the segmentation code used 0.5"
        />
      )}
    </div>
  );
}
