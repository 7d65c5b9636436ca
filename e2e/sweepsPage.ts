import { expect, type Locator, type Page } from '@playwright/test';

/** A custom sweep grid as the Sweeps view's controls take it. */
export interface SweepGrid {
  model: string;
  inputSize: number;
  batchSize: number;
  /** Steps per run. */
  budget: number;
  lrs: readonly number[];
  momenta: readonly number[];
}

/** The Sweeps view: presets, the grid's controls, progress, the results table and the heatmap, by their test ids. */
export class SweepsPage {
  readonly progress: Locator;
  readonly presetText: Locator;
  readonly table: Locator;
  readonly heatmap: Locator;
  /** The lab's Start button, disabled while a sweep runs. */
  readonly labStart: Locator;

  constructor(readonly page: Page) {
    this.labStart = page.getByTestId('start');
    this.progress = page.getByTestId('sweep-progress');
    this.presetText = page.getByTestId('sweep-preset-text');
    this.table = page.getByTestId('sweep-table');
    this.heatmap = page.getByTestId('sweep-heatmap');
  }

  /** Opens the view from the top bar. */
  async open(): Promise<void> {
    await this.page.getByTestId('nav-sweeps').click();
  }

  /** Goes back to the lab view. */
  async backToLab(): Promise<void> {
    await this.page.getByTestId('nav-lab').click();
  }

  async choosePreset(id: string): Promise<void> {
    await this.page.getByTestId('sweep-preset').selectOption(id);
  }

  /** Sets a custom classification grid and waits until the view counts its cells. */
  async setCustomGrid(grid: SweepGrid): Promise<void> {
    const field = (id: string) => this.page.getByTestId(id);
    await this.choosePreset('custom-classify');
    await field('sweep-model').selectOption(grid.model);
    await field('sweep-input-size').fill(String(grid.inputSize));
    await field('sweep-batch-size').fill(String(grid.batchSize));
    await field('sweep-budget').fill(String(grid.budget));
    await field('sweep-budget').blur();
    await field('sweep-lrs').fill(grid.lrs.join(', '));
    await field('sweep-momenta').fill(grid.momenta.join(', '));
    await field('sweep-momenta').blur();
    await expect(this.progress).toHaveAttribute('data-total', String(grid.lrs.length * grid.momenta.length));
  }

  async start(): Promise<void> {
    await this.page.getByTestId('sweep-start').click();
  }

  /** Waits until `cells` cells have finished. */
  async waitForCells(cells: number, timeout = 180_000): Promise<void> {
    await expect(this.progress).toHaveAttribute('data-done', String(cells), { timeout });
  }

  /** The results table's rows (one per cell and arm); `status` keeps those with that `data-status`. */
  rows(status?: 'queued' | 'running' | 'done' | 'error' | 'cancelled'): Locator {
    return this.table.locator(status ? `tbody tr[data-arm][data-status="${status}"]` : 'tbody tr[data-arm]');
  }

  /** The heatmap's cells that carry a value. */
  heatmapCells(): Locator {
    return this.heatmap.locator('[data-lr][data-value]');
  }

  /** The heatmap's cell values, in the plot's order. */
  async heatmapValues(): Promise<number[]> {
    return this.heatmapCells().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  }
}
