import type { Locator, Page } from '@playwright/test';

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

/** The lab's settings beyond LabPage.configure(): seeds, batch size, arms and the config link, by their test ids. */
export class SettingsPanel {
  readonly builtinDataset: Locator;
  readonly seeds: Locator;
  readonly batchSize: Locator;

  constructor(readonly page: Page) {
    this.builtinDataset = page.getByTestId('dataset-builtin');
    this.seeds = page.getByTestId('seeds-input');
    this.batchSize = page.getByTestId('batch-size-input');
  }

  arm(name: string): ArmCard {
    return new ArmCard(this.page, name);
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
