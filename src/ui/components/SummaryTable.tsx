import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store';
import { defaultTargetAccuracy, summariseArms } from '../../store/summary';
import { armColor } from '../charts/colors';
import { useThrottledValue } from '../hooks/useThrottledValue';
import { NumberField } from './NumberField';

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

/** Per arm: best and final test accuracy, steps to the target, time per step, speed-up. */
export function SummaryTable() {
  const config = useAppStore((s) => s.run.config);
  const userTarget = useAppStore((s) => s.ui.targetAccuracy);
  const setUi = useAppStore((s) => s.setUi);
  const live = useAppStore(useShallow((s) => ({ evalsByArm: s.evalsByArm, stepsByArm: s.stepsByArm })));
  const data = useThrottledValue(live, 500, 90);
  const autoTarget = config ? defaultTargetAccuracy(config, data.evalsByArm) : null;
  const target = userTarget ?? autoTarget;
  const rows = useMemo(() => (config ? summariseArms(config, data.evalsByArm, data.stepsByArm, target) : []), [config, data, target]);
  const first = rows[0]?.arm;

  return (
    <section className="summary" aria-label="summary">
      <div className="summary-head">
        <h2>Summary</h2>
        <NumberField
          label="target accuracy (%)"
          value={Number(((target ?? 0) * 100).toFixed(1))}
          min={0}
          max={100}
          step={1}
          testId="target-accuracy-input"
          onCommit={(v) => setUi({ targetAccuracy: v / 100 })}
        />
        <button type="button" className="small" disabled={userTarget === null} onClick={() => setUi({ targetAccuracy: null })} title="80% of the plain arm's best test accuracy">
          auto
        </button>
      </div>
      <table data-testid="summary-table">
        <thead>
          <tr>
            <th>arm</th>
            <th>best test acc.</th>
            <th>final test acc.</th>
            <th>steps to {pct(target)}</th>
            <th>ms / step</th>
            <th>speed-up vs {first ?? 'first arm'}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No run yet.
              </td>
            </tr>
          )}
          {rows.map((r, i) => (
            <tr key={r.arm} data-arm={r.arm}>
              <td>
                <span className="swatch" style={{ background: armColor(i) }} />
                {r.arm}
              </td>
              <td>{pct(r.bestAccuracy)}</td>
              <td>{pct(r.finalAccuracy)}</td>
              <td>{r.stepsToTarget ?? 'not yet'}</td>
              <td>{r.msPerStep === null ? '–' : r.msPerStep.toFixed(1)}</td>
              <td>{r.speedup === null ? '–' : `${r.speedup.toFixed(2)}×`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
