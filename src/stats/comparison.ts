import type { ComparisonRecord } from '../engine/records';
import type { ComparedTest, ExperimentSummary } from './experiment';
import type { PairedComparison } from './paired';
import type { QuotedTest } from './verdict';

/**
 * The runner's comparison records (engine/records.ts) from an experiment summary: the numbers
 * the page's summary shows, so a script reads the same verdict as a person.
 */

const TEST_KEYS: Record<QuotedTest['test'], ComparisonRecord['test']> = {
  'paired t-test': 't',
  'exact sign-flip test': 'signFlip',
  'exact Wilcoxon signed-rank test': 'wilcoxon',
};

function fromComparison(c: PairedComparison | null): Pick<ComparisonRecord, 'diffs' | 'meanDiff' | 'ci95' | 'effectSize' | 'pT' | 'pWilcoxon' | 'pPermutation'> {
  return {
    diffs: c?.diffs ?? [],
    meanDiff: c?.meanDiff ?? null,
    ci95: c?.ci95 ?? null,
    effectSize: c?.effectSize ?? null,
    pT: c?.tTestP ?? null,
    pWilcoxon: c?.wilcoxonP ?? null,
    pPermutation: c?.permutationP ?? null,
  };
}

/**
 * One record per arm other than the baseline and measure: the final metric always (untested
 * under 2 seeds: p-values null), steps to the target when the verdict tested them.
 */
export function comparisonRecords(summary: ExperimentSummary): ComparisonRecord[] {
  const out: ComparisonRecord[] = [];
  for (const a of summary.arms) {
    const c = a.comparison;
    if (!c) continue;
    // Fields in the documented order (docs/contracts.md), so every line reads alike.
    const record = (measure: ComparisonRecord['measure'], seeds: number[], cmp: PairedComparison | null, test: ComparedTest | null): ComparisonRecord => ({
      type: 'comparison',
      arm: a.arm,
      baseline: summary.baseline,
      metric: summary.metric,
      measure,
      target: measure === 'stepsToTarget' ? summary.target : null,
      seeds,
      ...fromComparison(cmp),
      test: test?.quoted ? TEST_KEYS[test.quoted.test] : null,
      p: test?.quoted?.p ?? null,
      pHolm: test?.quoted ? test.pHolm : null,
      family: c.family,
      significant: test?.significant ?? false,
      interim: c.interim,
      verdict: c.verdict,
    });
    if (!c.tests.some((t) => t.measure === 'final')) out.push(record('final', c.final ? c.seeds : [], c.final, null));
    // Steps first, as the verdict reads.
    for (const t of c.tests) out.push(record(t.measure, t.seeds, t.comparison, t));
  }
  return out;
}

function num(v: number | null, digits = 4): string {
  if (v === null) return '-';
  return Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(digits)).toString();
}

/** The records as a fixed-width text table (one line per record), then each arm's verdict: for the runner's stderr. */
export function comparisonTable(records: readonly ComparisonRecord[]): string {
  if (records.length === 0) return '';
  const head = ['arm', 'vs', 'measure', 'n', 'mean diff', '95% CI', 'pT', 'pWilcoxon', 'pPerm', `pHolm (${records[0].family})`, 'significant'];
  const rows = records.map((r) => [
    r.arm,
    r.baseline,
    r.measure === 'final' ? `final ${r.metric}` : `steps to ${num(r.target, 3)}`,
    String(r.seeds.length),
    num(r.meanDiff),
    r.ci95 ? `[${num(r.ci95[0])}, ${num(r.ci95[1])}]` : '-',
    num(r.pT, 3),
    num(r.pWilcoxon, 3),
    num(r.pPermutation, 3),
    num(r.pHolm, 3),
    r.significant ? 'yes' : 'no',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const verdicts = [...new Map(records.map((r) => [r.arm, r.verdict])).entries()].map(([arm, v]) => `${arm}: ${v}.`);
  return `${[line(head), ...rows.map(line)].join('\n')}\n${verdicts.join('\n')}\n`;
}
