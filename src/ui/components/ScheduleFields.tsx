import type { LrScheduleConfig } from '../../engine/config';
import { NumberField } from './NumberField';

type ScheduleType = LrScheduleConfig['type'];

const TYPES: { type: ScheduleType; label: string }[] = [
  { type: 'constant', label: 'constant' },
  { type: 'step', label: 'step decay' },
  { type: 'poly', label: 'poly (segmentation)' },
  { type: 'cosine', label: 'cosine' },
  { type: 'cyclical', label: 'cyclical' },
];

/** A schedule of `type` with its defaults, keeping the warm-up. */
export function createSchedule(type: ScheduleType, warmupSteps: number): LrScheduleConfig {
  switch (type) {
    case 'constant':
      return { type, warmupSteps };
    case 'step':
      return { type, milestones: [100, 200], gamma: 0.1, warmupSteps };
    case 'poly':
      return { type, power: 0.9, warmupSteps };
    case 'cosine':
      return { type, minLr: 0, warmupSteps };
    case 'cyclical':
      return { type, min: 0.01, max: 0.1, period: 100, unit: 'step', warmupSteps };
  }
}

function parseMilestones(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean).map(Number);
  return parts.every((n) => Number.isInteger(n) && n >= 1) ? parts : null;
}

export interface ScheduleFieldsProps {
  schedule: LrScheduleConfig;
  onChange: (s: LrScheduleConfig) => void;
}

/** Learning-rate schedule select and its parameters (locked during a run). */
export function ScheduleFields({ schedule: s, onChange }: ScheduleFieldsProps) {
  const warmup = s.warmupSteps ?? 0;
  return (
    <div className="field-group">
      <div className="field-row">
        <label className="field">
          <span className="field-label">LR schedule</span>
          <select data-testid="lr-schedule-select" value={s.type} onChange={(e) => onChange(createSchedule(e.target.value as ScheduleType, warmup))}>
            {TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <NumberField label="warm-up steps" value={warmup} min={0} integer onCommit={(warmupSteps) => onChange({ ...s, warmupSteps })} />
      </div>
      {s.type === 'step' && (
        <div className="field-row">
          <label className="field">
            <span className="field-label">milestones (steps)</span>
            <input
              type="text"
              defaultValue={s.milestones.join(', ')}
              onChange={(e) => {
                const ms = parseMilestones(e.target.value);
                if (ms) onChange({ ...s, milestones: [...ms].sort((a, b) => a - b) });
              }}
            />
          </label>
          <NumberField label="gamma" value={s.gamma} min={0} max={1} onCommit={(gamma) => onChange({ ...s, gamma })} />
        </div>
      )}
      {s.type === 'poly' && <NumberField label="power" value={s.power} min={0} max={10} onCommit={(power) => onChange({ ...s, power })} title="The paper's segmentation runs use 0.9" />}
      {s.type === 'cosine' && <NumberField label="final lr" value={s.minLr ?? 0} min={0} onCommit={(minLr) => onChange({ ...s, minLr })} />}
      {s.type === 'cyclical' && (
        <>
          <div className="field-row">
            <NumberField label="min lr" value={s.min} min={0} onCommit={(min) => onChange({ ...s, min })} />
            <NumberField label="max lr" value={s.max} min={s.min} onCommit={(max) => onChange({ ...s, max })} />
          </div>
          <div className="field-row">
            <NumberField label="period" value={s.period} min={1} integer onCommit={(period) => onChange({ ...s, period })} />
            <label className="field">
              <span className="field-label">unit</span>
              <select value={s.unit} onChange={(e) => onChange({ ...s, unit: e.target.value === 'epoch' ? 'epoch' : 'step' })}>
                <option value="step">steps</option>
                <option value="epoch">epochs</option>
              </select>
            </label>
          </div>
        </>
      )}
    </div>
  );
}
