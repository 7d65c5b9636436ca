import type { ArmConfig, OptimizerConfig } from '../../engine/config';
import { expectedRgWeight } from '../../engine/rg';
import { useAppStore } from '../../store';
import { armColor } from '../charts/colors';
import { useTrainer } from '../hooks/useTrainer';
import { LockedFieldset } from './LockedFieldset';
import { LogSlider } from './LogSlider';
import { NumberField } from './NumberField';
import { RgFields } from './RgFields';
import { ScheduleFields } from './ScheduleFields';

/** An optimizer of `type` that keeps the learning rate and weight decay. */
function createOptimizer(type: OptimizerConfig['type'], prev: OptimizerConfig): OptimizerConfig {
  if (type === 'sgd') return { type, lr: prev.lr, momentum: 0.5, nesterov: false, weightDecay: prev.weightDecay };
  return { type, lr: prev.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: prev.weightDecay };
}

const formatFactor = (f: number): string => Number(f.toPrecision(3)).toString();

export interface ArmCardProps {
  index: number;
}

/**
 * One arm's settings. Learning rate, momentum and loss weight stay live during a run (sent from
 * the next step and marked on the charts); everything else is locked until the run ends.
 */
export function ArmCard({ index }: ArmCardProps) {
  const arm = useAppStore((s) => s.config.arms[index]);
  const armCount = useAppStore((s) => s.config.arms.length);
  const updateArm = useAppStore((s) => s.updateArm);
  const removeArm = useAppStore((s) => s.removeArm);
  const addMatchedLrArm = useAppStore((s) => s.addMatchedLrArm);
  const trainer = useTrainer();
  if (!arm) return null;
  const opt = arm.optimizer;
  const update = (next: ArmConfig) => updateArm(index, next);

  return (
    <article className="arm-card" data-testid="arm-card" data-arm={arm.name} style={{ borderLeftColor: armColor(index) }}>
      <LockedFieldset className="arm-head">
        <input
          className="arm-name"
          aria-label="arm name"
          data-testid="arm-name-input"
          value={arm.name}
          maxLength={40}
          onChange={(e) => update({ ...arm, name: e.target.value })}
        />
        <select aria-label="optimizer" data-testid="optimizer-select" value={opt.type} onChange={(e) => update({ ...arm, optimizer: createOptimizer(e.target.value as OptimizerConfig['type'], opt) })}>
          <option value="sgd">SGD</option>
          <option value="adam">Adam</option>
          <option value="adamw">AdamW</option>
        </select>
        <button type="button" className="icon-button" title="Remove this arm" disabled={armCount <= 1} onClick={() => removeArm(index)}>
          ×
        </button>
      </LockedFieldset>

      <div className="live-fields">
        <LogSlider
          label="learning rate"
          value={opt.lr}
          min={1e-5}
          max={10}
          testId="lr-input"
          title="Paper: classification lr 0.1; segmentation 1e-2 to 1e-4. Live during a run."
          onCommit={(lr) => {
            update({ ...arm, optimizer: { ...opt, lr } });
            trainer.setLiveParams(arm.name, { lr });
          }}
        />
        {opt.type === 'sgd' && (
          <div className="slider-field" title="Paper: about 0.5 for classification, 0.9-0.95 for segmentation. Live during a run.">
            <NumberField
              label="momentum"
              value={opt.momentum}
              min={0}
              max={0.999}
              step={0.05}
              testId="momentum-input"
              onCommit={(momentum) => {
                update({ ...arm, optimizer: { ...opt, momentum } });
                trainer.setLiveParams(arm.name, { momentum });
              }}
            />
            <input
              type="range"
              aria-label="momentum slider"
              min={0}
              max={0.99}
              step={0.01}
              value={opt.momentum}
              onChange={(e) => {
                const momentum = Number(e.target.value);
                update({ ...arm, optimizer: { ...opt, momentum } });
                trainer.setLiveParams(arm.name, { momentum });
              }}
            />
          </div>
        )}
        <div className="slider-field" title="Multiplies the RG weight of every mode (with RG off: trains on w x loss). Live during a run.">
          <NumberField
            label="loss weight (RG scale)"
            value={arm.rg.scale}
            min={0}
            max={100}
            step={0.1}
            testId="loss-weight-input"
            onCommit={(scale) => {
              update({ ...arm, rg: { ...arm.rg, scale } });
              trainer.setLiveParams(arm.name, { lossWeight: scale });
            }}
          />
          <input
            type="range"
            aria-label="loss weight slider"
            min={0}
            max={4}
            step={0.05}
            value={Math.min(arm.rg.scale, 4)}
            onChange={(e) => {
              const scale = Number(e.target.value);
              update({ ...arm, rg: { ...arm.rg, scale } });
              trainer.setLiveParams(arm.name, { lossWeight: scale });
            }}
          />
        </div>
      </div>

      <LockedFieldset className="locked-fields">
        <div className="field-row">
          <NumberField
            label="weight decay"
            value={opt.weightDecay}
            min={0}
            max={1}
            step={1e-4}
            title="Coupled L2 in the optimizer, never scaled by the RG weight (paper: 5e-4)"
            onCommit={(weightDecay) => update({ ...arm, optimizer: { ...opt, weightDecay } })}
          />
          {opt.type === 'sgd' ? (
            <label className="field checkbox">
              <input type="checkbox" checked={opt.nesterov} onChange={(e) => update({ ...arm, optimizer: { ...opt, nesterov: e.target.checked } })} />
              <span>Nesterov</span>
            </label>
          ) : (
            <>
              <NumberField label="beta1" value={opt.beta1} min={0} max={0.9999} onCommit={(beta1) => update({ ...arm, optimizer: { ...opt, beta1 } })} />
              <NumberField label="beta2" value={opt.beta2} min={0} max={0.99999} onCommit={(beta2) => update({ ...arm, optimizer: { ...opt, beta2 } })} />
            </>
          )}
        </div>
        <RgFields rg={arm.rg} onChange={(rg) => update({ ...arm, rg })} />
        <ScheduleFields schedule={arm.lrSchedule} onChange={(lrSchedule) => update({ ...arm, lrSchedule })} />
        {arm.rg.mode !== 'off' && (
          <button
            type="button"
            className="small"
            data-testid="matched-lr"
            title={`Adds a plain arm at this arm's learning rate × E[RG weight] (${formatFactor(expectedRgWeight(arm.rg))}): the control for RG's smaller mean step`}
            onClick={() => addMatchedLrArm(index)}
          >
            + matched-LR plain arm
          </button>
        )}
      </LockedFieldset>
    </article>
  );
}
