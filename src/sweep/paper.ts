import { metricDirection, type Direction } from '../stats';
import type { PaperClaim, PaperNumber, PaperPreset } from './presets';
import type { CellState } from './queue';
import { cellOutcomes, formatMetricDelta, formatMetricValue, type ArmOutcome } from './results';

/**
 * "What the paper reported" beside "what the lab measured", row by row: Table 1's numbers per
 * lr x momentum, then each claim with the lab's values in the cells it covers and whether
 * they order the arms as the paper does. One seed's ordering is weak evidence: run several.
 */

export interface PaperRow {
  kind: 'number' | 'claim';
  id: string;
  /** The cells the row is about: "lr 0.01, momentum 0.95". */
  setting: string;
  paper: string;
  lab: string;
  /** Cells that order the arms as the paper does, of those measured; null where the paper states no ordering or nothing ran yet. */
  agreement: { agree: number; of: number } | null;
}

/** The cell's arm for a claim's name: the name itself, else 'plain' is the baseline and 'rg' the first r ~ U[low, high) arm. */
export function resolveArm(cell: CellState, name: string): string | null {
  const arms = cell.cell.config.arms;
  if (arms.some((a) => a.name === name)) return name;
  if (name === 'plain') return cell.cell.baseline;
  if (name === 'rg') return arms.find((a) => a.rg.mode === 'uniform')?.name ?? null;
  return null;
}

/** 1: `a` is better than `b`, -1 worse, 0 equal, null when they cannot be compared. An arm whose every seed diverged loses to one that did not. */
export function compareOutcomes(a: ArmOutcome, b: ArmOutcome, stat: 'final' | 'auc', direction: Direction): 1 | -1 | 0 | null {
  const failedA = a.seeds > 0 && a.diverged === a.seeds;
  const failedB = b.seeds > 0 && b.diverged === b.seeds;
  if (failedA || failedB) return failedA && failedB ? null : failedA ? -1 : 1;
  const va = a[stat];
  const vb = b[stat];
  if (va === null || vb === null) return null;
  if (va === vb) return 0;
  return (va > vb) === (direction === 'higher') ? 1 : -1;
}

function setting(lr: number, momentum: number): string {
  return `lr ${lr}, momentum ${momentum}`;
}

function pct(v: number): string {
  return `${v.toFixed(3)}%`;
}

function outcomeText(o: ArmOutcome, metric: string, stat: 'final' | 'auc'): string {
  if (o.seeds > 0 && o.diverged === o.seeds) return `${o.arm} diverged`;
  const v = formatMetricValue(metric, o[stat]);
  return o.diverged > 0 ? `${o.arm} ${v} (${o.diverged} of ${o.seeds} seeds diverged)` : `${o.arm} ${v}`;
}

function numberRow(n: PaperNumber, cell: CellState | undefined, metric: string): PaperRow {
  const paperDiff = n.rg - n.plain;
  const paper = `plain ${pct(n.plain)}, RG ${pct(n.rg)}: RG ${paperDiff >= 0 ? '+' : '−'}${Math.abs(paperDiff).toFixed(3)} points`;
  const row: PaperRow = { kind: 'number', id: `table1 ${setting(n.lr, n.momentum)}`, setting: setting(n.lr, n.momentum), paper, lab: 'not in this sweep', agreement: null };
  if (!cell) return row;
  const outcomes = cellOutcomes(cell, metric);
  if (!outcomes) return { ...row, lab: cell.status === 'error' ? `failed: ${cell.error ?? 'error'}` : 'not run yet' };
  const plainName = resolveArm(cell, 'plain');
  const rgName = resolveArm(cell, 'rg');
  const plain = outcomes.find((o) => o.arm === plainName);
  const rg = outcomes.find((o) => o.arm === rgName);
  if (!plain || !rg) return { ...row, lab: 'needs a plain arm and an RG arm' };
  const cmp = compareOutcomes(rg, plain, 'final', metricDirection(metric));
  const diff = rg.final !== null && plain.final !== null ? rg.final - plain.final : null;
  const lab = `${outcomeText(plain, metric, 'final')}, ${outcomeText(rg, metric, 'final')}${diff === null ? '' : `: RG ${formatMetricDelta(metric, diff)}`}`;
  const paperSign = Math.sign(paperDiff);
  return { ...row, lab, agreement: cmp === null ? null : { agree: cmp === paperSign ? 1 : 0, of: 1 } };
}

function bestCoordinate(cells: readonly CellState[], metric: string, axis: 'lr' | 'momentum', stat: 'final' | 'auc'): string {
  const direction = metricDirection(metric);
  const byArm = new Map<string, { at: number; value: number }>();
  for (const c of cells) {
    for (const o of cellOutcomes(c, metric) ?? []) {
      const v = o[stat];
      if (v === null || (o.seeds > 0 && o.diverged === o.seeds)) continue;
      const prev = byArm.get(o.arm);
      if (!prev || (direction === 'higher' ? v > prev.value : v < prev.value)) byArm.set(o.arm, { at: c.cell[axis], value: v });
    }
  }
  const word = stat === 'final' ? 'best final' : 'best mean';
  const parts = [...byArm].map(([arm, b]) => `${arm}: ${axis} ${b.at} (${formatMetricValue(metric, b.value)})`);
  return parts.length ? `${word} ${metric}: ${parts.join('; ')}` : 'not run yet';
}

function claimRow(claim: PaperClaim, results: readonly CellState[], metric: string): PaperRow {
  const direction = metricDirection(metric);
  const covered = results.filter((c) => claim.applies(c.cell.lr, c.cell.momentum));
  const row: PaperRow = { kind: 'claim', id: claim.id, setting: claim.where, paper: `"${claim.quote}"`, lab: 'no cell of this sweep is covered', agreement: null };
  if (covered.length === 0) return row;
  const measured = covered.filter((c) => cellOutcomes(c, metric) !== null);
  if (measured.length === 0) return { ...row, lab: 'not run yet' };
  if (claim.observe === 'best-lr' || claim.observe === 'best-momentum') {
    return { ...row, lab: bestCoordinate(measured, metric, claim.observe === 'best-lr' ? 'lr' : 'momentum', claim.stat) };
  }
  const prefix = claim.stat === 'auc' ? `mean ${metric} over the run: ` : '';
  const parts: string[] = [];
  let agree = 0;
  let of = 0;
  for (const c of measured) {
    const outcomes = cellOutcomes(c, metric) ?? [];
    const find = (name: string) => outcomes.find((o) => o.arm === resolveArm(c, name));
    const where = setting(c.cell.lr, c.cell.momentum);
    if (!claim.expect) {
      parts.push(`${where}: ${outcomes.map((o) => outcomeText(o, metric, claim.stat)).join(', ')}`);
      continue;
    }
    const arm = find(claim.expect.arm);
    const others = claim.expect.beats.map(find).filter((o): o is ArmOutcome => o !== undefined);
    if (!arm || others.length === 0) {
      parts.push(`${where}: the arms of this claim are not in the sweep`);
      continue;
    }
    const cmps = others.map((o) => compareOutcomes(arm, o, claim.stat, direction));
    parts.push(`${where}: ${[arm, ...others].map((o) => outcomeText(o, metric, claim.stat)).join(' vs ')}`);
    if (cmps.some((x) => x === null)) continue;
    of++;
    if (cmps.every((x) => x === 1)) agree++;
  }
  return { ...row, lab: prefix + parts.join('; '), agreement: claim.expect && of > 0 ? { agree, of } : null };
}

/**
 * The paper-vs-lab rows of `preset` for a sweep's cells: one per Table 1 value (and one per
 * measured cell Table 1 leaves out), then one per claim, all on the preset's own metric.
 */
export function paperVsLab(preset: PaperPreset, results: readonly CellState[]): PaperRow[] {
  const metric = preset.spec.metric;
  const cellAt = (lr: number, momentum: number) => results.find((c) => c.cell.lr === lr && c.cell.momentum === momentum);
  const rows: PaperRow[] = [];
  if (preset.numbers.length > 0 && preset.numbersMetric !== null) {
    for (const n of preset.numbers) rows.push(numberRow(n, cellAt(n.lr, n.momentum), preset.numbersMetric));
    for (const c of results) {
      if (preset.numbers.some((n) => n.lr === c.cell.lr && n.momentum === c.cell.momentum)) continue;
      const outcomes = cellOutcomes(c, preset.numbersMetric);
      rows.push({
        kind: 'number',
        id: `table1 ${setting(c.cell.lr, c.cell.momentum)}`,
        setting: setting(c.cell.lr, c.cell.momentum),
        paper: 'not reported in Table 1',
        lab: outcomes ? outcomes.map((o) => outcomeText(o, preset.numbersMetric as string, 'final')).join(', ') : 'not run yet',
        agreement: null,
      });
    }
  }
  for (const claim of preset.claims) rows.push(claimRow(claim, results, metric));
  return rows;
}
