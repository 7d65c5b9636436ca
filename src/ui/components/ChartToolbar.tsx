import { useAppStore } from '../../store';
import type { XAxisMode } from '../../store/uiSlice';
import type { ChartArm } from '../charts/LineChartView';

/** Chart options shared by every chart, and the legend of arm colours. */
export function ChartToolbar({ arms }: { arms: ChartArm[] }) {
  const ui = useAppStore((s) => s.ui);
  const setUi = useAppStore((s) => s.setUi);
  return (
    <div className="chart-toolbar">
      <ul className="legend" aria-label="arms">
        {arms.map((a) => (
          <li key={a.name}>
            <span className="swatch" style={{ background: a.color }} />
            {a.name}
          </li>
        ))}
      </ul>
      <label className="inline-field">
        x axis
        <select data-testid="x-axis-select" value={ui.xAxis} onChange={(e) => setUi({ xAxis: e.target.value as XAxisMode })}>
          <option value="step">step</option>
          <option value="epoch">epoch</option>
          <option value="time">training time</option>
        </select>
      </label>
      <label className="inline-field" title="Debiased exponential moving average, the same for every arm; the raw curve stays faded beneath">
        smoothing
        <input
          type="range"
          data-testid="smoothing-input"
          min={0}
          max={0.99}
          step={0.01}
          value={ui.smoothing}
          onChange={(e) => setUi({ smoothing: Number(e.target.value) })}
        />
        <output>{ui.smoothing.toFixed(2)}</output>
      </label>
      <label className="inline-field">
        <input type="checkbox" data-testid="log-y-toggle" checked={ui.logY} onChange={(e) => setUi({ logY: e.target.checked })} />
        log y
      </label>
      <label className="inline-field" title="With several seeds: each arm's mean with a band over its seeds">
        band
        <select data-testid="band-select" value={ui.band} onChange={(e) => setUi({ band: e.target.value as typeof ui.band })}>
          <option value="std">±1 std</option>
          <option value="minmax">min–max</option>
          <option value="ci95">95% CI</option>
          <option value="none">none</option>
        </select>
      </label>
      <label className="inline-field" title="With several seeds: draw every seed's curve thin beneath the mean">
        <input type="checkbox" data-testid="show-seeds-toggle" checked={ui.showSeeds} onChange={(e) => setUi({ showSeeds: e.target.checked })} />
        single seeds
      </label>
      <label className="inline-field" title="Show r × loss, what backpropagation saw, instead of the true loss">
        <input type="checkbox" data-testid="weighted-loss-toggle" checked={ui.weightedLoss} onChange={(e) => setUi({ weightedLoss: e.target.checked })} />
        weighted loss
      </label>
    </div>
  );
}
