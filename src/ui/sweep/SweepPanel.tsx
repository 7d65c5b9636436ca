import { useMemo, useState } from 'react';
import {
  describeProgress,
  estimateSweepCost,
  expandSweep,
  findBaseline,
  findPreset,
  heatmapGrid,
  isQueueActive,
  SWEEP_METRICS,
  SweepError,
  type HeatmapStat,
  type RunOne,
  type SweepCell,
  type SweepSpec,
} from '../../sweep';
import { useAppStore } from '../../store';
import { specForChoice, type SweepChoice } from './choices';
import { SweepControls } from './SweepControls';
import { SweepHeatmap } from './SweepHeatmap';
import { PaperComparison, SweepTable } from './SweepResults';
import './sweep.css';

export interface SweepPanelProps {
  /** Trains one cell's config to its end and resolves with its records; should stop soon after the signal aborts. */
  runOne: RunOne;
  /** Set while something else holds the trainer (the lab's own run): Start is disabled, with this reason. */
  busyReason?: string | null;
  /** The preset picked first (default Table 1). */
  initialChoice?: SweepChoice;
}

const STAT_LABELS: Record<HeatmapStat, string> = { final: 'final value', best: 'best value', delta: 'final minus the baseline' };

function expand(spec: SweepSpec): { cells: SweepCell[]; error: string | null } {
  try {
    return { cells: expandSweep(spec), error: null };
  } catch (e) {
    if (!(e instanceof SweepError)) throw e;
    return { cells: [], error: e.message };
  }
}

/**
 * Sweeps over learning rate x momentum x arm variants, and the paper's experiments as presets:
 * settings, a queue with progress, a heatmap and a table of the results, and for a preset what
 * the paper reported beside what the lab measured. Cells run one after another through `runOne`;
 * the queue itself lives in the store's sweep slice, so a sweep outlives the panel.
 */
export function SweepPanel({ runOne, busyReason = null, initialChoice = 'table1' }: SweepPanelProps) {
  const [choice, setChoice] = useState<SweepChoice>(initialChoice);
  const [spec, setSpec] = useState<SweepSpec>(() => specForChoice(initialChoice));
  const progress = useAppStore((s) => s.sweep.progress);
  const runInfo = useAppStore((s) => s.sweep.info);
  const { startSweep, resumeSweep, pauseSweep, cancelSweep } = useAppStore.getState();
  const [arm, setArm] = useState<string | null>(null);
  const [stat, setStat] = useState<HeatmapStat>('final');

  const { cells, error } = useMemo(() => expand(spec), [spec]);
  const cost = estimateSweepCost(spec);
  const active = progress !== null && isQueueActive(progress.status);

  const choose = (c: SweepChoice) => {
    setChoice(c);
    setSpec(specForChoice(c));
  };

  const start = () => {
    if (progress?.status === 'paused') {
      resumeSweep();
      return;
    }
    if (error || cells.length === 0) return;
    const baseline = findBaseline(spec);
    setArm(spec.variants.find((v) => v.name !== baseline)?.name ?? baseline);
    startSweep(cells, { choice, baseline, task: spec.base.task, metric: spec.metric }, runOne);
  };

  // The results are read on the chosen metric when it belongs to their task, else on the metric they ran with.
  const metric = runInfo && SWEEP_METRICS[runInfo.task].includes(spec.metric) ? spec.metric : (runInfo?.metric ?? spec.metric);
  const { resultArms, shownArm, grid } = useMemo(() => {
    const names = progress?.cells[0]?.cell.config.arms.map((a) => a.name) ?? [];
    const shown = arm !== null && names.includes(arm) ? arm : (names[0] ?? '');
    return { resultArms: names, shownArm: shown, grid: progress && shown ? heatmapGrid(progress.cells, metric, shown, stat) : null };
  }, [progress, metric, arm, stat]);
  const preset = runInfo && !runInfo.choice.startsWith('custom') ? findPreset(runInfo.choice) : undefined;
  const selectedPreset = choice.startsWith('custom') ? undefined : findPreset(choice);
  const state = progress?.status ?? 'idle';

  return (
    <section className="sweep-panel" aria-label="sweeps">
      <div className="sweep-top">
        <div className="panel sweep-settings">
          <header className="panel-head">
            <h2>Sweep</h2>
          </header>
          <SweepControls choice={choice} spec={spec} locked={active} onChoose={choose} onChange={setSpec} />
          {selectedPreset && (
            <div className="sweep-preset-text hint" data-testid="sweep-preset-text">
              <p>
                <b>The paper</b> ({selectedPreset.source}): {selectedPreset.paperSetting}
              </p>
              <p>
                <b>The lab</b>: {selectedPreset.labSetting}
              </p>
              <p>
                <b>Reported</b>: {selectedPreset.reported}
              </p>
            </div>
          )}
          <p className="hint" data-testid="sweep-cost">
            {cost.cells} cell{cost.cells === 1 ? '' : 's'} × {cost.arms} arm{cost.arms === 1 ? '' : 's'} × {cost.seeds} seed{cost.seeds === 1 ? '' : 's'} × {spec.steps} steps ={' '}
            {cost.armSteps.toLocaleString('en')} arm-steps, {cost.images.toLocaleString('en')} training images; compared with {findBaseline(spec)}.
          </p>
          {error && (
            <p className="error-text" role="alert" data-testid="sweep-error">
              {error}
            </p>
          )}
          <div className="run-controls">
            <button
              type="button"
              className="primary"
              data-testid="sweep-start"
              disabled={(state !== 'paused' && (active || error !== null)) || busyReason !== null}
              title={busyReason ?? undefined}
              onClick={start}
            >
              {state === 'paused' ? 'Resume sweep' : 'Start sweep'}
            </button>
            <button type="button" data-testid="sweep-pause" disabled={state !== 'running'} onClick={pauseSweep}>
              Pause after this cell
            </button>
            <button type="button" data-testid="sweep-cancel" disabled={!active} onClick={cancelSweep}>
              Cancel
            </button>
          </div>
          {busyReason && <p className="hint">{busyReason}</p>}
          <div className="sweep-progress" data-testid="sweep-progress" data-state={state} data-done={progress?.finished ?? 0} data-total={progress?.total ?? cells.length}>
            <progress max={progress?.total ?? (cells.length || 1)} value={progress?.finished ?? 0} />
            <span>{progress ? describeProgress(progress) : `${cells.length} cells to run`}</span>
          </div>
        </div>
      </div>
      {progress && grid && runInfo && (
        <div className="sweep-results">
          <div className="panel">
            <div className="summary-head">
              <h2>Heatmap</h2>
              <label className="field">
                <span className="field-label">arm</span>
                <select data-testid="sweep-heatmap-arm" value={shownArm} onChange={(e) => setArm(e.target.value)}>
                  {resultArms.map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span className="field-label">shows</span>
                <select data-testid="sweep-heatmap-stat" value={stat} onChange={(e) => setStat(e.target.value as HeatmapStat)}>
                  {(Object.keys(STAT_LABELS) as HeatmapStat[]).map((s) => (
                    <option key={s} value={s}>
                      {STAT_LABELS[s]}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <div className="sweep-heatmap-body">
              <SweepHeatmap grid={grid} baseline={runInfo.baseline} />
            </div>
            <p className="hint">
              One cell per learning rate (rows, largest on top) and momentum (columns), the {metric} of {shownArm} (mean over seeds). Brighter is better
              {stat === 'delta' ? `; green: better than ${runInfo.baseline}, purple: worse` : ''}.
            </p>
            <p className="hint" data-testid="sweep-multiplicity-note">
              Cells are not corrected for each other: each cell is its own experiment, its verdict (hover a difference in the results table) Holm-corrected
              only over that cell&apos;s own tests. Across {progress.cells.length} cells some will differ by chance; a cell that stands out is a lead to
              rerun with more seeds, not a finding.
            </p>
          </div>
          <div className="panel">
            <SweepTable progress={progress} metric={metric} name={runInfo.choice} />
          </div>
          {preset && (
            <div className="panel">
              <PaperComparison preset={preset} progress={progress} />
            </div>
          )}
        </div>
      )}
    </section>
  );
}
