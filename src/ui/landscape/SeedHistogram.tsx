import { useMemo, type Ref } from 'react';
import { binStepsToEpsilon, compareSeeds, summarizeSteps } from '../../landscape/metrics';
import type { SeedsOutcome } from '../../landscape/protocol';
import { formatSteps } from './format';

export interface HistogramArm {
  key: string;
  label: string;
  color: string;
}

export interface SeedHistogramProps {
  arms: HistogramArm[];
  outcome: SeedsOutcome;
  steps: number;
  epsilon: number;
  width: number;
  svgRef: Ref<SVGSVGElement>;
}

const HEIGHT = 210;
const M = { left: 36, right: 10, top: 10, bottom: 34 };

/** One sentence per arm against the first: how often it got there sooner, seed by seed. */
function pairedLines(arms: HistogramArm[], outcome: SeedsOutcome): string[] {
  const ref = arms[0];
  const refSteps = outcome.stepsToEpsilon[0];
  const refMedian = summarizeSteps(refSteps).median;
  return arms.slice(1).map((a, i) => {
    const c = compareSeeds(refSteps, outcome.stepsToEpsilon[i + 1]);
    const median = summarizeSteps(outcome.stepsToEpsilon[i + 1]).median;
    return `${a.label} got there sooner than ${ref.label} in ${c.sooner} of ${refSteps.length} seeds, later in ${c.later}, tied in ${c.ties}; median ${formatSteps(median)} vs ${formatSteps(refMedian)} steps.`;
  });
}

/**
 * Steps to epsilon over many seeds, one bar colour per arm on shared bins, with a last bin for
 * seeds that never got there; a table of the per-arm statistics and the paired comparison.
 */
export function SeedHistogram({ arms, outcome, steps, epsilon, width, svgRef }: SeedHistogramProps) {
  const hist = useMemo(() => binStepsToEpsilon(outcome.stepsToEpsilon, 20), [outcome]);
  const stats = useMemo(() => outcome.stepsToEpsilon.map(summarizeSteps), [outcome]);
  const bins = hist.edges.length > 0 ? hist.edges.length - 1 : 0;
  const anyMissed = hist.notReached.some((n) => n > 0);
  const slots = bins + (anyMissed ? 1.5 : 0);
  const innerW = Math.max(100, width - M.left - M.right);
  const innerH = HEIGHT - M.top - M.bottom;
  const slot = innerW / Math.max(1, slots);
  const maxCount = Math.max(1, ...hist.counts.flat(), ...hist.notReached);
  const barW = (slot * 0.86) / arms.length;
  const y = (n: number) => M.top + innerH - (n / maxCount) * innerH;
  const labelEvery = Math.max(1, Math.ceil(bins / Math.max(1, Math.floor(innerW / 48))));
  /** Left edge of the "never" slot, half a slot after the last bin. */
  const neverLeft = M.left + (bins + 0.5) * slot;
  const bar = (key: string, left: number, i: number, count: number, color: string) =>
    count > 0 ? <rect key={key} x={left + slot * 0.07 + i * barW} y={y(count)} width={Math.max(1, barW - 1)} height={M.top + innerH - y(count)} fill={color} fillOpacity={0.85} /> : null;
  const binBars = arms.flatMap((a, i) => hist.counts[i].map((c, k) => bar(`${a.key}-${k}`, M.left + k * slot, i, c, a.color)));
  const neverBars = anyMissed ? arms.map((a, i) => bar(`${a.key}-never`, neverLeft, i, hist.notReached[i], a.color)) : [];

  return (
    <div className="landscape-histogram">
      <svg ref={svgRef} width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label="histogram of steps to epsilon per arm">
        <line x1={M.left} x2={M.left + innerW} y1={M.top + innerH} y2={M.top + innerH} stroke="#9aa5b1" />
        {[0, Math.round(maxCount / 2), maxCount].map((n) => (
          <text key={n} x={M.left - 6} y={y(n) + 4} fontSize={11} textAnchor="end" fill="#616e7c">
            {n}
          </text>
        ))}
        {binBars}
        {neverBars}
        {hist.edges.map((e, k) =>
          k % labelEvery === 0 || (k === bins && k % labelEvery > labelEvery / 2) ? (
            <text key={e} x={M.left + k * slot} y={M.top + innerH + 14} fontSize={11} textAnchor="middle" fill="#616e7c">
              {e}
            </text>
          ) : null,
        )}
        {anyMissed && (
          <text x={neverLeft + slot * 0.5} y={M.top + innerH + 14} fontSize={11} textAnchor="middle" fill="#616e7c">
            never
          </text>
        )}
        <text x={M.left + innerW / 2} y={HEIGHT - 4} fontSize={11} textAnchor="middle" fill="#616e7c">
          {`steps to within ε = ${epsilon} (of ${steps}); seeds per bar`}
        </text>
      </svg>
      <table className="landscape-seed-table">
        <thead>
          <tr>
            <th>arm</th>
            <th>got there</th>
            <th title="Over all seeds; a seed that never got there counts as slowest">median steps</th>
            <th title="Over the seeds that got there">mean steps</th>
            <th>diverged</th>
          </tr>
        </thead>
        <tbody>
          {arms.map((a, i) => (
            <tr key={a.key} data-arm={a.key} data-reached={stats[i].reached} data-median={stats[i].median}>
              <td>
                <span className="swatch" style={{ background: a.color }} />
                {a.label}
              </td>
              <td>
                {stats[i].reached} / {stats[i].seeds}
              </td>
              <td>{formatSteps(stats[i].median)}</td>
              <td>{formatSteps(stats[i].meanReached)}</td>
              <td>{outcome.diverged[i]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pairedLines(arms, outcome).map((line) => (
        <p key={line} className="hint landscape-verdict">
          {line}
        </p>
      ))}
    </div>
  );
}
