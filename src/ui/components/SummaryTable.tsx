import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Task } from '../../engine/config';
import { useAppStore } from '../../store';
import { defaultTargetAccuracy, SUMMARY_METRICS, summariseArms } from '../../store/summary';
import { armColor } from '../charts/colors';
import { useThrottledValue } from '../hooks/useThrottledValue';
import { NumberField } from './NumberField';

/** How each summary metric is named and written; ratios in %, PSNR in dB. */
const METRIC_FORMAT: Record<string, { label: string; unit: '%' | 'dB' | '' }> = {
  accuracy: { label: 'test acc.', unit: '%' },
  mIoU: { label: 'mIoU', unit: '%' },
  psnr: { label: 'PSNR', unit: 'dB' },
  ssim: { label: 'SSIM', unit: '' },
};

function formatMetric(metric: string, v: number | null): string {
  if (v === null) return '–';
  const unit = METRIC_FORMAT[metric]?.unit ?? '';
  if (unit === '%') return `${(v * 100).toFixed(1)}%`;
  if (unit === 'dB') return `${v.toFixed(2)} dB`;
  return v.toFixed(3);
}

/** The target field edits ratios in percent and PSNR in dB. */
const targetScale = (task: Task): number => (task === 'translate' ? 1 : 100);

/**
 * Per arm: best and final headline metric (test accuracy, mIoU, or PSNR and SSIM), steps to the
 * target, time per step, speed-up.
 */
export function SummaryTable() {
  const config = useAppStore((s) => s.run.config);
  const task = useAppStore((s) => s.run.config?.task ?? s.config.task);
  const userTarget = useAppStore((s) => s.ui.targetAccuracy);
  const setUi = useAppStore((s) => s.setUi);
  const live = useAppStore(useShallow((s) => ({ evalsByArm: s.evalsByArm, stepsByArm: s.stepsByArm })));
  const data = useThrottledValue(live, 500, 90);
  const autoTarget = config ? defaultTargetAccuracy(config, data.evalsByArm) : null;
  const target = userTarget ?? autoTarget;
  const rows = useMemo(() => (config ? summariseArms(config, data.evalsByArm, data.stepsByArm, target) : []), [config, data, target]);
  const first = rows[0]?.arm;
  const metrics = SUMMARY_METRICS[config?.task ?? task];
  const headline = metrics[0];
  const label = METRIC_FORMAT[headline]?.label ?? headline;
  const scale = targetScale(task);
  const columns = 4 + 2 * metrics.length;

  return (
    <section className="summary" aria-label="summary">
      <div className="summary-head">
        <h2>Summary</h2>
        <NumberField
          label={`target ${label} (${scale === 100 ? '%' : 'dB'})`}
          value={Number(((target ?? 0) * scale).toFixed(1))}
          min={0}
          max={100}
          step={scale === 100 ? 1 : 0.5}
          testId="target-accuracy-input"
          onCommit={(v) => setUi({ targetAccuracy: v / scale })}
        />
        <button type="button" className="small" disabled={userTarget === null} onClick={() => setUi({ targetAccuracy: null })} title={`80% of the plain arm's best ${label}`}>
          auto
        </button>
      </div>
      <table data-testid="summary-table" data-metric={headline}>
        <thead>
          <tr>
            <th>arm</th>
            {metrics.map((m) => (
              <th key={`best-${m}`}>best {METRIC_FORMAT[m]?.label ?? m}</th>
            ))}
            {metrics.map((m) => (
              <th key={`final-${m}`}>final {METRIC_FORMAT[m]?.label ?? m}</th>
            ))}
            <th>steps to {formatMetric(headline, target)}</th>
            <th>ms / step</th>
            <th>speed-up vs {first ?? 'first arm'}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns} className="muted">
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
              {metrics.map((m) => (
                <td key={`best-${m}`}>{formatMetric(m, r.best[m] ?? null)}</td>
              ))}
              {metrics.map((m) => (
                <td key={`final-${m}`}>{formatMetric(m, r.final[m] ?? null)}</td>
              ))}
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
