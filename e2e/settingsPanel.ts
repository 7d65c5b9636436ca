import { expect, type Locator, type Page } from '@playwright/test';
import type { SmallRun } from './labPage';

/** One arm's card and its fields, by their test ids inside the card. */
export class ArmCard {
  readonly root: Locator;
  readonly lr: Locator;
  readonly momentum: Locator;
  readonly optimizer: Locator;

  constructor(page: Page, name: string) {
    this.root = page.locator(`[data-testid="arm-card"][data-arm="${name}"]`);
    this.lr = this.root.getByTestId('lr-input');
    this.momentum = this.root.getByTestId('momentum-input');
    this.optimizer = this.root.getByTestId('optimizer-select');
  }

  /** Presses "+ matched-LR plain arm" (RG arms only). */
  async addMatchedLr(): Promise<void> {
    await this.root.getByTestId('matched-lr').click();
  }
}

/** The lab's settings: task and model, run settings, seeds, arms and the config link, by their test ids. */
export class SettingsPanel {
  readonly datasetStatus: Locator;
  readonly builtinDataset: Locator;
  readonly seeds: Locator;
  readonly batchSize: Locator;

  constructor(readonly page: Page) {
    this.datasetStatus = page.getByTestId('dataset-status');
    this.builtinDataset = page.getByTestId('dataset-builtin');
    this.seeds = page.getByTestId('seeds-input');
    this.batchSize = page.getByTestId('batch-size-input');
  }

  arm(name: string): ArmCard {
    return new ArmCard(this.page, name);
  }

  /** Switches task and model and sets a small run; waits for the task's dataset at the new size. */
  async configureTask(task: 'classify' | 'segment' | 'translate', model: string, run: SmallRun): Promise<void> {
    const field = (id: string) => this.page.getByTestId(id);
    await field('task-select').selectOption(task);
    await field('model-select').selectOption(model);
    await field('input-size-input').fill(String(run.inputSize));
    await this.batchSize.fill(String(run.batchSize));
    await field('length-input').fill(String(run.steps));
    await field('eval-every-input').fill(String(run.evalEvery));
    await field('input-size-input').blur();
    await expect(this.datasetStatus).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(this.datasetStatus).toContainText(`${run.inputSize}×${run.inputSize}`, { timeout: 60_000 });
  }

  /** Sets how many seeds every arm runs (1 to 10). */
  async setSeeds(n: number): Promise<void> {
    await this.seeds.fill(String(n));
    await this.seeds.blur();
  }

  async setBatchSize(n: number): Promise<void> {
    await this.batchSize.fill(String(n));
    await this.batchSize.blur();
  }

  /** Presses Copy link and returns the link it shows. */
  async copyConfigLink(): Promise<string> {
    await this.page.getByTestId('copy-config-link').click();
    return this.page.getByTestId('config-link').inputValue();
  }
}
