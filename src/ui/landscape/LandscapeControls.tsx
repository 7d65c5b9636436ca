import { memo } from 'react';
import { ARM_KEYS, armLabel, type ArmKey, describeRg, LANDSCAPE_RG_MODES, type LandscapeRgMode, type LandscapeSettings, matchedLr, MAX_STEPS, withSurface } from '../../landscape/settings';
import { getSurface, SURFACES, type SurfaceId } from '../../landscape/surfaces';
import { LogSlider } from '../components/LogSlider';
import { NumberField } from '../components/NumberField';
import { Panel } from '../components/Panel';
import { SliderField } from './SliderField';

export interface LandscapeControlsProps {
  settings: LandscapeSettings;
  onChange: (s: LandscapeSettings) => void;
  colorOf: (key: ArmKey) => string;
}

/** The landscape's settings column: surface, arms, step sizes, RG, run length and noise. */
export const LandscapeControls = memo(function LandscapeControls({ settings: s, onChange, colorOf }: LandscapeControlsProps) {
  const set = (patch: Partial<LandscapeSettings>) => onChange({ ...s, ...patch });
  const setRg = (patch: Partial<LandscapeSettings['rg']>) => set({ rg: { ...s.rg, ...patch } });
  const surface = getSurface(s.surface);
  const toggleArm = (key: ArmKey, on: boolean) => set({ arms: on ? [...s.arms, key] : s.arms.filter((k) => k !== key) });
  const usesSgd = s.arms.some((k) => !k.startsWith('adam'));

  return (
    <>
      <Panel title="Surface">
        <label className="field">
          <span className="field-label">loss surface</span>
          <select data-testid="landscape-surface" value={s.surface} onChange={(e) => onChange(withSurface(s, e.target.value as SurfaceId))}>
            {SURFACES.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <p className="hint">
          <b>{surface.formula}</b>. {surface.note}
        </p>
        <p className="hint" data-testid="landscape-start">
          Start ({s.start[0]}, {s.start[1]}): click the plot to move it.{' '}
          <button type="button" className="small" data-testid="landscape-reset" onClick={() => onChange(withSurface(s, s.surface))}>
            Surface defaults
          </button>
        </p>
      </Panel>
      <Panel title="Arms">
        <div className="landscape-arms">
          {ARM_KEYS.map((k) => (
            <label key={k} className="field checkbox" title={k === 'matched' ? `Plain SGD at lr × E[r] = ${Number(matchedLr(s).toPrecision(3))}: RG's mean step without its noise` : undefined}>
              <input type="checkbox" data-testid={`landscape-arm-${k}`} checked={s.arms.includes(k)} onChange={(e) => toggleArm(k, e.target.checked)} />
              <span className="swatch" style={{ background: colorOf(k) }} />
              {armLabel(k)}
            </label>
          ))}
        </div>
        <p className="hint">Paired: every arm starts at the same point and sees the same gradient noise and the same seed.</p>
      </Panel>
      <Panel title="Optimizer">
        <LogSlider label="learning rate (SGD)" value={s.lr} min={1e-4} max={1} testId="landscape-lr-input" disabled={!usesSgd} onCommit={(lr) => set({ lr })} />
        <SliderField label="momentum" value={s.momentum} min={0} max={0.99} step={0.01} testId="landscape-momentum-input" onCommit={(momentum) => set({ momentum })} />
        <LogSlider label="learning rate (Adam)" value={s.adamLr} min={1e-4} max={1} testId="landscape-adam-lr-input" onCommit={(adamLr) => set({ adamLr })} title="Adam's step barely depends on the gradient's size, so it has its own rate" />
      </Panel>
      <Panel title="Random gradient">
        <label className="field">
          <span className="field-label">RG mode</span>
          <select data-testid="landscape-rg-mode" value={s.rg.mode} onChange={(e) => setRg({ mode: e.target.value as LandscapeRgMode })}>
            {LANDSCAPE_RG_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        {s.rg.mode === 'constant' ? (
          <SliderField label="r" value={s.rg.weight} min={0.05} max={2} step={0.05} testId="landscape-rg-weight-input" onCommit={(weight) => setRg({ weight })} />
        ) : (
          <>
            <SliderField label={s.rg.mode === 'uniform' ? 'r from' : 'r min'} value={s.rg.low} min={0} max={2} step={0.05} testId="landscape-rg-low-input" onCommit={(low) => setRg({ low })} />
            <SliderField label={s.rg.mode === 'uniform' ? 'r to' : 'r max'} value={s.rg.high} min={0} max={2} step={0.05} testId="landscape-rg-high-input" onCommit={(high) => setRg({ high })} />
          </>
        )}
        {s.rg.mode === 'cyclical' && <SliderField label="period (steps)" value={s.rg.period} min={2} max={500} step={1} integer testId="landscape-rg-period-input" onCommit={(period) => setRg({ period })} />}
        <p className="hint">{describeRg(s.rg)}: the gradient of every RG arm is multiplied by r each step.</p>
      </Panel>
      <Panel title="Run">
        <SliderField label="steps" value={s.steps} min={10} max={MAX_STEPS} step={10} integer testId="landscape-steps-input" onCommit={(steps) => set({ steps })} />
        <LogSlider label="ε (distance to a minimum)" value={s.epsilon} min={1e-4} max={1} testId="landscape-epsilon-input" onCommit={(epsilon) => set({ epsilon })} />
        <SliderField label="gradient noise σ" value={s.noise} min={0} max={5} step={0.05} testId="landscape-noise-input" onCommit={(noise) => set({ noise })} title="Gaussian noise added to each gradient coordinate, standing in for minibatch noise" />
        <NumberField label="seed" value={s.seed} min={0} max={1_000_000} step={1} integer testId="landscape-seed-input" onCommit={(seed) => set({ seed })} />
      </Panel>
    </>
  );
});
