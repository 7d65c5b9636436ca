import { memo } from 'react';
import type { PathMetrics } from '../../landscape/metrics';
import { formatLoss, formatStepsToEpsilon } from './format';

export interface SummaryArm {
  key: string;
  label: string;
  color: string;
  metrics: PathMetrics;
}

/** Which arm got within epsilon first on this seed, in one sentence. */
function verdict(arms: SummaryArm[], epsilon: number): string {
  const reached = arms.filter((a) => a.metrics.stepsToEpsilon !== null).sort((a, b) => a.metrics.stepsToEpsilon! - b.metrics.stepsToEpsilon!);
  if (reached.length === 0) return `No arm got within ε = ${epsilon} of a minimum on this seed.`;
  const best = reached[0];
  const ties = reached.filter((a) => a.metrics.stepsToEpsilon === best.metrics.stepsToEpsilon);
  if (ties.length > 1) return `${ties.map((a) => a.label).join(' and ')} got within ε = ${epsilon} together, in ${best.metrics.stepsToEpsilon} steps.`;
  return `${best.label} got within ε = ${epsilon} first, in ${best.metrics.stepsToEpsilon} steps (this seed; run 100 seeds to see how often).`;
}

/** Readouts of the drawn paths, one row per arm. */
export const LandscapeSummary = memo(function LandscapeSummary({ arms, steps, epsilon, pending }: { arms: SummaryArm[]; steps: number; epsilon: number; pending: boolean }) {
  return (
    <section className="summary landscape-summary" aria-label="landscape readouts">
      <div className="summary-head">
        <h2>Readouts</h2>
        {pending && <span className="muted">computing…</span>}
      </div>
      <table data-testid="landscape-summary" data-arms={arms.length}>
        <thead>
          <tr>
            <th>arm</th>
            <th title="First step at which the path is within epsilon of a minimum">steps to ε</th>
            <th title="Distance travelled in the plane">path length</th>
            <th title="Steps that turn by more than 90° from the step before: oscillation">reversals</th>
            <th title="The loss at the last step">final loss</th>
          </tr>
        </thead>
        <tbody>
          {arms.map((a) => (
            <tr key={a.key} data-arm={a.key} data-steps-to-eps={a.metrics.stepsToEpsilon ?? ''} data-path-length={a.metrics.pathLength} data-reversals={a.metrics.reversals} data-final-loss={a.metrics.finalLoss}>
              <td>
                <span className="swatch" style={{ background: a.color }} />
                {a.label}
              </td>
              <td>{formatStepsToEpsilon(a.metrics, steps)}</td>
              <td>{a.metrics.pathLength.toFixed(3)}</td>
              <td>{a.metrics.reversals}</td>
              <td>{formatLoss(a.metrics.finalLoss)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {arms.length > 0 && <p className="hint">{verdict(arms, epsilon)}</p>}
    </section>
  );
});
