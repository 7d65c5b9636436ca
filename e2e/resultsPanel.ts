import type { Locator, Page } from '@playwright/test';

/** What a run shows besides its curves: the summary and verdicts, chart options, segmentation and pix2pix views. */
export class ResultsPanel {
  readonly summaryTable: Locator;
  /** One row per arm. */
  readonly summaryRows: Locator;
  /** One verdict per arm compared with the baseline. */
  readonly verdicts: Locator;
  readonly verdictText: Locator;
  readonly segmentOverlays: Locator;
  readonly classLegend: Locator;
  readonly translateGrid: Locator;

  constructor(readonly page: Page) {
    this.summaryTable = page.getByTestId('summary-table');
    this.summaryRows = this.summaryTable.locator('tbody tr[data-arm]');
    this.verdictText = page.getByTestId('summary-verdict');
    this.verdicts = this.verdictText.locator('li');
    this.segmentOverlays = page.getByTestId('segment-overlays');
    this.classLegend = page.getByTestId('class-legend');
    this.translateGrid = page.getByTestId('translate-grid');
  }

  /** Draws (or hides) every seed's curve beneath the mean. */
  async showSeeds(on: boolean): Promise<void> {
    const toggle = this.page.getByTestId('show-seeds-toggle');
    await (on ? toggle.check() : toggle.uncheck());
  }

  /** The segmentation view's canvases of one kind (`image`, `truth`, `prediction`), for one arm when given. */
  segmentCanvas(kind: 'image' | 'truth' | 'prediction', arm?: string): Locator {
    return this.segmentOverlays.locator(`canvas[data-kind="${kind}"]${arm ? `[data-arm="${arm}"]` : ''}`);
  }

  /** The per-class IoU bars of one arm. */
  perClassIou(arm: string): Locator {
    return this.page.getByTestId('per-class-iou').locator(`[data-arm="${arm}"]`);
  }

  /** The pix2pix grid's canvases of one kind (`input`, `output`, `target`), for one arm when given. */
  translateCanvas(kind: 'input' | 'output' | 'target', arm?: string): Locator {
    return this.translateGrid.locator(`canvas[data-kind="${kind}"]${arm ? `[data-arm="${arm}"]` : ''}`);
  }
}
