import { renderToStaticMarkup } from 'react-dom/server';
import { expect, it, suite } from 'vitest';
import { expandSweep, findPreset, heatmapGrid, type CellState, type SweepProgress } from '../../sweep';
import { cellState, fakeRecords } from '../../sweep/testing';
import { SweepHeatmap } from './SweepHeatmap';
import { SweepPanel } from './SweepPanel';
import { PaperComparison, SweepTable } from './SweepResults';

/** Server-side renders (no DOM needed): the test ids and data attributes the browser tests and the lead rely on. */

const table1 = findPreset('table1')!;

function progress(): SweepProgress {
  const cells: CellState[] = expandSweep(table1.spec).map((c, i) => {
    if (i === 5) return { cell: c, status: 'queued', error: null, records: [], ms: null };
    if (i === 4) return { cell: c, status: 'error', error: 'device lost', records: [], ms: 3 };
    return cellState(c, fakeRecords(c.config, 'mIoU', (arm) => (arm === 'plain' ? 0.5 : 0.75) * (c.lr === 0.01 ? 1 : 0.5)));
  });
  return { status: 'running', total: 6, finished: 5, current: 5, cells };
}

suite('sweep UI (server-rendered)', () => {
  it('the panel renders its controls, the Table 1 preset text and an idle progress line', () => {
    const html = renderToStaticMarkup(<SweepPanel runOne={async () => []} />);
    for (const id of ['sweep-preset', 'sweep-lrs', 'sweep-momenta', 'sweep-variant', 'sweep-budget', 'sweep-metric', 'sweep-start', 'sweep-cancel', 'sweep-progress']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain('data-done="0" data-total="6"');
    expect(html).toContain('value="0.01, 0.001, 0.0001"');
    expect(html).toContain('31.940%');
  });

  it('the heatmap has one rect per cell with its coordinates and value, and a legend', () => {
    const grid = heatmapGrid(progress().cells, 'mIoU', 'plain');
    const html = renderToStaticMarkup(<SweepHeatmap grid={grid} baseline="plain" />);
    expect(html.match(/<rect data-lr=/g)).toHaveLength(6);
    expect(html).toContain('data-lr="0.01" data-momentum="0.95" data-value="0.5"');
    expect(html).toContain('data-lr="0.0001" data-momentum="0.9" data-value="" data-status="queued"');
    expect(html).toContain('data-status="error"');
    expect(html).toContain('>50.0%<');
    expect(html).toContain('data-testid="sweep-heatmap-legend"');
  });

  it('the results and paper tables have their rows', () => {
    const p = progress();
    const table = renderToStaticMarkup(<SweepTable progress={p} metric="mIoU" name="table1" />);
    expect(table.match(/<tr data-lr=/g)).toHaveLength(12);
    expect(table).toContain('data-testid="sweep-export-csv"');
    expect(table).toContain('error: device lost');
    const paper = renderToStaticMarkup(<PaperComparison preset={table1} progress={p} />);
    expect(paper).toContain('data-testid="sweep-paper"');
    expect(paper.match(/data-kind="number"/g)).toHaveLength(6);
    expect(paper.match(/data-kind="claim"/g)).toHaveLength(3);
    expect(paper).toContain('plain 31.940%, RG 28.357%');
  });
});
