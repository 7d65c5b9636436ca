import { expect, test } from '@playwright/test';
import { ExperimentsPanel } from './experimentsPage';
import { LabPage } from './labPage';
import { SweepsPage } from './sweepsPage';

/**
 * The sweeps view: a small custom grid runs cell after cell through the lab's worker and fills
 * the table and the heatmap; a paper preset shows what the paper reported beside the lab.
 */

test.use({ viewport: { width: 1440, height: 1000 } });

test('a 2 x 1 learning-rate sweep of plain vs RG runs to a table and a heatmap; Table 1 shows the paper', async ({ page }) => {
  const lab = new LabPage(page);
  const sweeps = new SweepsPage(page);
  await lab.open('?dataset=builtin:shapes10&backend=wasm');
  expect(await lab.waitForBackend()).toBe('wasm');
  await sweeps.open();

  await sweeps.choosePreset('table1');
  await expect(sweeps.presetText).toContainText('Table 1');

  await sweeps.setCustomGrid({ model: 'cnn', inputSize: 16, batchSize: 8, budget: 10, lrs: [0.1, 0.05], momenta: [0.5] });
  await sweeps.start();
  await sweeps.waitForCells(2);
  await expect(sweeps.labStart).toBeEnabled();

  await expect(sweeps.rows()).toHaveCount(4);
  await expect(sweeps.rows('done')).toHaveCount(4);
  await expect(sweeps.heatmapCells()).toHaveCount(2);
  for (const v of await sweeps.heatmapValues()) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  // Every cell was a lab run: it is saved as an experiment.
  await sweeps.backToLab();
  await expect(new ExperimentsPanel(page).rows).toHaveCount(2);
});
