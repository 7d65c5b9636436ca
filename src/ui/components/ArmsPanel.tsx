import { useAppStore } from '../../store';
import { PRESETS, type PresetId } from '../../store/settingsSlice';
import { ArmCard } from './ArmCard';
import { LockedFieldset } from './LockedFieldset';
import { Panel } from './Panel';

const MAX_ARMS = 8;

/** The arms, a preset picker and "Add arm". */
export function ArmsPanel() {
  const count = useAppStore((s) => s.config.arms.length);
  const applyPreset = useAppStore((s) => s.applyPreset);
  const addArm = useAppStore((s) => s.addArm);
  return (
    <Panel
      title="Arms"
      actions={
        <LockedFieldset>
          <select
            aria-label="preset"
            data-testid="preset-select"
            value=""
            onChange={(e) => {
              if (e.target.value) applyPreset(e.target.value as PresetId);
            }}
          >
            <option value="">preset…</option>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id} title={p.description}>
                {p.label}
              </option>
            ))}
          </select>
        </LockedFieldset>
      }
    >
      <div className="arm-list">
        {Array.from({ length: count }, (_, i) => (
          <ArmCard key={i} index={i} />
        ))}
      </div>
      <LockedFieldset>
        <button type="button" data-testid="add-arm" disabled={count >= MAX_ARMS} onClick={addArm}>
          + Add arm
        </button>
      </LockedFieldset>
    </Panel>
  );
}
