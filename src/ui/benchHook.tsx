import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type { BenchHook, BenchRequest, BenchResult, ChartRedrawTiming } from '../store/types';
import { LineChartView, type ChartArm } from './charts/LineChartView';
import { buildChartRows, type ArmSeries } from './charts/series';

/**
 * `?bench` (for `npm run bench` only, src/bench/benchBrowser.ts): `window.__rgBench` trains in the
 * worker on a chosen backend and times a chart redraw. Loaded only with that flag.
 */

const ARMS: ChartArm[] = [
  { name: 'plain', color: '#1f77b4' },
  { name: 'rg', color: '#d62728' },
];

/** A loss-like curve of `n` points per arm, shifted by `round` so each redraw gets new numbers. */
function createLossSeries(n: number, round: number): ArmSeries[] {
  return ARMS.map((_, a) => {
    const xs = new Array<number>(n);
    const ys = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      xs[i] = i + 1;
      ys[i] = 2.3 * Math.exp(-i / (n / 4)) + 0.1 * (1 + a) + 0.05 * Math.sin(i * 0.37 + round + a) + 0.02 * Math.sin(i * 12.9898 + round);
    }
    return { xs, ys };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/**
 * Times the lab's chart with `pointsPerSeries` points in each of two arms: buildChartRows
 * (downsampling to the default 500 rows) and a synchronous React render of LineChartView,
 * then a forced layout. The series are made before each timing starts.
 */
function timeChartRedraw(pointsPerSeries: number, rounds: number): ChartRedrawTiming {
  const box = document.createElement('div');
  box.style.cssText = 'position:absolute;left:0;top:0;width:720px;opacity:0;pointer-events:none';
  document.body.appendChild(box);
  const root = createRoot(box);
  const times: number[] = [];
  let rows = 0;
  try {
    for (let r = 0; r <= rounds; r++) {
      const series = createLossSeries(pointsPerSeries, r);
      const t0 = performance.now();
      const chartRows = buildChartRows(series, { smoothing: 0.6, logY: false });
      flushSync(() =>
        root.render(<LineChartView rows={chartRows} arms={ARMS} markers={[]} xLabel="step" logY={false} showRaw width={720} tooltip={false} />),
      );
      void box.getBoundingClientRect().height;
      times.push(performance.now() - t0);
      rows = chartRows.length;
    }
  } finally {
    root.unmount();
    box.remove();
  }
  return { pointsPerSeries, arms: ARMS.length, rows, mountMs: times[0], redrawMs: median(times.slice(1)), redraws: times.slice(1) };
}

/** Installs `window.__rgBench`; `bench` trains a request in the page's worker (src/worker/debugClient.ts). */
export function installBenchHook(bench: (request: BenchRequest) => Promise<BenchResult>): void {
  const hook: BenchHook = { bench, timeChartRedraw };
  (window as unknown as { __rgBench: BenchHook }).__rgBench = hook;
}
