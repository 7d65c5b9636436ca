import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Task } from '../../engine/config';
import { useAppStore } from '../../store';
import type { MetricRecord } from '../../engine/records';
import { formatP, type ArmStats, type Description } from '../../stats';
import { baselineArm, msPerStep, SUMMARY_METRICS, summariseRun, verdictsAreInterim } from '../../store/summary';
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

/** "61.2% ± 1.3" with the mean's 95% CI in the title; one seed shows the value alone. */
function MeanCell({ metric, d }: { metric: string; d: Description | null }) {
  if (!d) return <td>–</td>;
  const unit = METRIC_FORMAT[metric]?.unit ?? '';
  const spread = d.std === null ? '' : ` ± ${unit === '%' ? (d.std * 100).toFixed(1) : d.std.toFixed(unit === 'dB' ? 2 : 3)}`;
  const title = d.ci95 ? `mean over ${d.n} seeds; 95% CI ${formatMetric(metric, d.ci95[0])} to ${formatMetric(metric, d.ci95[1])}; min ${formatMetric(metric, d.min)}, max ${formatMetric(metric, d.max)}` : undefined;
  return (
    <td title={title}>
      {formatMetric(metric, d.mean)}
      {spread && <span className="muted">{spread}</span>}
    </td>
  );
}

function StepsCell({ arm, seeds }: { arm: ArmStats; seeds: number }) {
  const d = arm.stepsToTarget;
  if (!d) return <td>not yet</td>;
  const mean = Math.round(d.mean);
  return <td title={d.std === null ? undefined : `± ${d.std.toFixed(0)} steps over ${d.n} seeds`}>{arm.reached < seeds ? `${mean} (${arm.reached} of ${seeds} seeds)` : mean}</td>;
}

/**
 * Per arm, over its seeds: best and final headline metric (mean ± std, CI on hover), steps to
 * the target, time per step, speed-up and the final metric's Holm-corrected p-value against the
 * baseline arm; then one plain-language verdict per arm (interim until the run has ended).
 */
export function SummaryTable() {
  const config = useAppStore((s) => s.run.config);
  const interim = useAppStore((s) => verdictsAreInterim(s.run));
  const task = useAppStore((s) => s.run.config?.task ?? s.config.task);
  const userTarget = useAppStore((s) => s.ui.targetAccuracy);
  const chosenBaseline = useAppStore((s) => s.ui.baseline);
  const setUi = useAppStore((s) => s.setUi);
  const live = useAppStore(useShallow((s) => ({ evalsByArm: s.evalsByArm, stepsByArm: s.stepsByArm, diverged: s.diverged, summaries: s.summaries })));
  const data = useThrottledValue(live, 500, 90);
  const baseline = config ? baselineArm(config, chosenBaseline) : null;
  const summary = useMemo(() => {
    if (!config || !baseline) return null;
    const records: MetricRecord[] = [...Object.values(data.evalsByArm).flatMap((bySeed) => Object.values(bySeed).flat()), ...data.diverged, ...data.summaries];
    return summariseRun(config, records, baseline, userTarget, { interim });
  }, [config, baseline, data, userTarget, interim]);
  const metrics = SUMMARY_METRICS[config?.task ?? task];
  const headline = metrics[0];
  const label = METRIC_FORMAT[headline]?.label ?? headline;
  const scale = targetScale(task);
  const target = summary?.target ?? null;
  const seeds = config?.seeds.length ?? 1;
  const byArm = (m: number, arm: string) => summary?.byMetric[m]?.arms.find((a) => a.arm === arm) ?? null;
  const columns = 6 + 2 * metrics.length;

  return (
    <section className="summary" aria-label="summary">
      <div className="summary-head">
        <h2>Summary{seeds > 1 ? ` over ${seeds} seeds` : ''}</h2>
        <NumberField
          label={`target ${label} (${scale === 100 ? '%' : 'dB'})`}
          value={Number(((target ?? 0) * scale).toFixed(1))}
          min={0}
          max={100}
          step={scale === 100 ? 1 : 0.5}
          testId="target-accuracy-input"
          onCommit={(v) => setUi({ targetAccuracy: v / scale })}
        />
        <button type="button" className="small" disabled={userTarget === null} onClick={() => setUi({ targetAccuracy: null })} title={`80% of the baseline arm's best ${label}`}>
          auto
        </button>
        <label className="inline-field">
          baseline
          <select data-testid="baseline-select" value={baseline ?? ''} disabled={!config} onChange={(e) => setUi({ baseline: e.target.value })}>
            {(config?.arms ?? []).map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table data-testid="summary-table" data-metric={headline} data-seeds={seeds}>
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
            <th title="Area under the evaluation curve: the mean metric over the run">mean over run</th>
            <th>ms / step</th>
            <th>speed-up vs {baseline ?? 'baseline'}</th>
            <th title="The final value against the baseline over seeds (the test its verdict quotes), Holm-corrected over every test of the verdicts below">p (final, corrected)</th>
          </tr>
        </thead>
        <tbody>
          {!config && (
            <tr>
              <td colSpan={columns} className="muted">
                No run yet.
              </td>
            </tr>
          )}
          {config?.arms.map((a, i) => {
            const head = byArm(0, a.name);
            const cmp = head?.comparison ?? null;
            const finalTest = cmp?.tests.find((t) => t.measure === 'final') ?? null;
            const p = finalTest?.quoted ? finalTest.pHolm : null;
            return (
              <tr key={a.name} data-arm={a.name} data-diverged={head?.diverged.length ? 'true' : undefined}>
                <td>
                  <span className="swatch" style={{ background: armColor(i) }} />
                  {a.name}
                  {head?.diverged.length ? <span className="error-text" title={head.seeds.map((s) => s.divergedReason).filter(Boolean).join('; ')}> diverged</span> : null}
                </td>
                {metrics.map((m, k) => (
                  <MeanCell key={`best-${m}`} metric={m} d={byArm(k, a.name)?.best ?? null} />
                ))}
                {metrics.map((m, k) => (
                  <MeanCell key={`final-${m}`} metric={m} d={byArm(k, a.name)?.final ?? null} />
                ))}
                {head ? <StepsCell arm={head} seeds={seeds} /> : <td>not yet</td>}
                <MeanCell metric={headline} d={head?.auc ?? null} />
                <td>{formatMs(msPerStep(data.stepsByArm, a.name))}</td>
                <td>{a.name === baseline ? '1×' : cmp?.speedup ? `${cmp.speedup.toFixed(2)}×` : '–'}</td>
                <td>{a.name === baseline || p === null ? '–' : formatP(p)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {summary && (
        <ul className="verdicts" data-testid="summary-verdict" data-interim={interim ? 'true' : 'false'}>
          {summary.byMetric[0].arms
            .filter((a) => a.comparison)
            .map((a) => (
              <li key={a.arm} data-arm={a.arm}>
                {a.comparison?.verdict}.
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

const formatMs = (ms: number | null): string => (ms === null ? '–' : ms.toFixed(1));
