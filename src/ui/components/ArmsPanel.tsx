import { useAppStore } from '../../store';
import { isRunActive } from '../../store/runSlice';
import { PRESETS, type PresetId } from '../../store/settingsSlice';
import { ArmCard } from './ArmCard';
import { Panel } from './Panel';

const MAX_ARMS = 8;

/** The arms, a preset picker and "Add arm". */
export function ArmsPanel() {
  const count = useAppStore((s) => s.config.arms.length);
  const locked = useAppStore((s) => isRunActive(s.run.status));
  const applyPreset = useAppStore((s) => s.applyPreset);
  const addArm = useAppStore((s) => s.addArm);
  return (
    <Panel
      title="Arms"
      actions={
        <select
          aria-label="preset"
          data-testid="preset-select"
          disabled={locked}
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
      }
    >
      <div className="arm-list">
        {Array.from({ length: count }, (_, i) => (
          <ArmCard key={i} index={i} />
        ))}
      </div>
      <button type="button" data-testid="add-arm" disabled={locked || count >= MAX_ARMS} onClick={addArm}>
        + Add arm
      </button>
    </Panel>
  );
}
