import { expect, type Locator, type Page } from '@playwright/test';

/** The experiments panel and the stored-run banner: saved runs, their status and what is stored, by their test ids. */
export class ExperimentsPanel {
  readonly panel: Locator;
  readonly rows: Locator;
  readonly storedRun: Locator;
  readonly runNotice: Locator;
  /** The records the page has received for the run shown (`data-count`). */
  readonly recordCount: Locator;

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('experiments-panel');
    this.rows = page.getByTestId('experiment-row');
    this.storedRun = page.getByTestId('stored-run');
    this.runNotice = page.getByTestId('run-notice');
    this.recordCount = page.getByTestId('record-count');
  }

  /** Where experiments are kept: `indexeddb` or `memory` (`pending` until the panel knows). */
  async expectStorage(kind: 'pending' | 'indexeddb' | 'memory'): Promise<void> {
    await expect(this.panel).toHaveAttribute('data-storage', kind);
  }

  async received(): Promise<number> {
    return Number(await this.recordCount.getAttribute('data-count'));
  }

  /** How many records IndexedDB holds for the experiment of the only row (its `recordCount`). */
  async storedRecordCount(): Promise<number> {
    const id = await this.rows.getAttribute('data-id');
    return this.page.evaluate(
      (experimentId) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('rg-lab');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const get = db.transaction('experiments').objectStore('experiments').get(experimentId!);
            get.onsuccess = () => (db.close(), resolve((get.result as { recordCount?: number } | undefined)?.recordCount ?? -1));
            get.onerror = () => (db.close(), reject(get.error));
          };
        }),
      id,
    );
  }

  /** Waits until every record the page has received is in IndexedDB; returns how many that is. */
  async waitUntilStored(timeout = 30_000): Promise<number> {
    await expect.poll(async () => (await this.storedRecordCount()) - (await this.received()), { timeout }).toBe(0);
    return this.received();
  }
}
