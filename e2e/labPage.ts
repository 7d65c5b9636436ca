import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** Long tasks (PerformanceObserver 'longtask') the page has seen: [startTime, duration] in ms. */
declare global {
  interface Window {
    __longTasks: [number, number][];
  }
}

/** Registers the long-task observer before the app's own scripts run. */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
}

export interface SmallRun {
  /** The task and model to pick (default: classify, cnn). */
  task?: 'classify' | 'segment' | 'translate';
  model?: string;
  inputSize: number;
  batchSize: number;
  steps: number;
  evalEvery: number;
  /**
   * Seeds per arm (default 1) and the arms preset (default 'plain-vs-rg'): a small run trains two
   * arms on one seed, not the default config's 3 arms x 3 seeds.
   */
  seeds?: number;
  preset?: 'plain-vs-rg' | 'plain-vs-rg-matched';
}

/** The lab page: settings, run control, status, charts and exports, by their test ids. */
export class LabPage {
  readonly runStatus: Locator;
  readonly backendBadge: Locator;
  readonly datasetStatus: Locator;

  constructor(readonly page: Page) {
    this.runStatus = page.getByTestId('run-status');
    this.backendBadge = page.getByTestId('backend-badge');
    this.datasetStatus = page.getByTestId('dataset-status');
  }

  async open(query: string): Promise<void> {
    await this.page.goto(`/${query}`);
  }

  /** Waits for the backend preflight and returns the backend in use. */
  async waitForBackend(): Promise<string> {
    await expect(this.backendBadge).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    return (await this.backendBadge.getAttribute('data-backend')) ?? '';
  }

  async configure(run: SmallRun): Promise<void> {
    await this.page.getByTestId('task-select').selectOption(run.task ?? 'classify');
    await this.page.getByTestId('model-select').selectOption(run.model ?? 'cnn');
    await this.page.getByTestId('preset-select').selectOption(run.preset ?? 'plain-vs-rg');
    await this.page.getByTestId('seeds-input').fill(String(run.seeds ?? 1));
    await this.page.getByTestId('input-size-input').fill(String(run.inputSize));
    await this.page.getByTestId('batch-size-input').fill(String(run.batchSize));
    await this.page.getByTestId('length-input').fill(String(run.steps));
    await this.page.getByTestId('eval-every-input').fill(String(run.evalEvery));
    await this.page.getByTestId('input-size-input').blur();
    const size = `${run.inputSize}×${run.inputSize}`;
    await expect(this.datasetStatus).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(this.datasetStatus).toContainText(size, { timeout: 60_000 });
  }

  /** The run's manifest (Export manifest), as JSON. */
  async manifest(): Promise<{ backend: string | null; config: { task: string; model: string } }> {
    return JSON.parse(await readDownload(await this.download('export-manifest'))) as { backend: string | null; config: { task: string; model: string } };
  }

  /** Picks an archive built in the test through `dataset-input`. */
  async uploadArchive(name: string, bytes: Uint8Array): Promise<void> {
    await this.page.getByTestId('dataset-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  }

  /** Waits for the dataset status to reach `state` and returns its text. */
  async datasetState(state: 'empty' | 'loading' | 'ready' | 'error', timeout = 60_000): Promise<string> {
    await expect(this.datasetStatus).toHaveAttribute('data-state', state, { timeout });
    return this.datasetStatus.innerText();
  }

  arm(name: string): Locator {
    return this.page.locator(`[data-testid="arm-card"][data-arm="${name}"]`);
  }

  chart(testId: string): Locator {
    return this.page.getByTestId(testId);
  }

  async click(testId: 'start' | 'pause' | 'resume' | 'stop'): Promise<void> {
    await this.page.getByTestId(testId).click();
  }

  async expectState(state: 'idle' | 'running' | 'paused' | 'done' | 'error', timeout = 60_000): Promise<void> {
    await expect(this.runStatus).toHaveAttribute('data-state', state, { timeout });
  }

  async step(): Promise<number> {
    return Number(await this.runStatus.getAttribute('data-step'));
  }

  async waitForStep(atLeast: number, timeout = 120_000): Promise<void> {
    await expect.poll(() => this.step(), { timeout }).toBeGreaterThanOrEqual(atLeast);
  }

  /** Waits until `count` arms have points, then checks that each has a line drawn in the chart's SVG. */
  async waitForCurves(testId: string, count: number, timeout = 120_000): Promise<void> {
    await expect(this.chart(testId)).toHaveAttribute('data-arms', String(count), { timeout });
    await expect
      .poll(() => this.chart(testId).locator('svg path.series-line').evaluateAll((paths) => paths.filter((p) => /^M[\d.-]+,[\d.-]+/.test(p.getAttribute('d') ?? '')).length), { timeout })
      .toBeGreaterThanOrEqual(count);
  }

  async longTasks(since = 0): Promise<[number, number][]> {
    return this.page.evaluate((t) => window.__longTasks.filter(([start]) => start >= t), since);
  }

  async now(): Promise<number> {
    return this.page.evaluate(() => performance.now());
  }

  /**
   * Presses Resume from the last checkpoint and waits for the run to finish its `steps` under the
   * same experiment; then checks, from the CSV export, that each of `arms` logged every step once.
   */
  async resumeToEnd(steps: number, arms: readonly string[]): Promise<void> {
    await this.page.getByTestId('resume-checkpoint').click();
    await expect(this.page.getByTestId('stored-run')).toHaveCount(0);
    await this.waitForStep(steps);
    await this.expectState('done', 120_000);
    await expect(this.page.getByTestId('run-notice')).toContainText('Resumed at step');
    await expect(this.page.getByTestId('experiment-row')).toHaveCount(1);
    await expect(this.page.getByTestId('experiment-row')).toHaveAttribute('data-status', 'done');
    // Every step once: the steps after the checkpoint were trained again and their first copies dropped.
    const csv = (await readDownload(await this.download('export-csv'))).trimEnd().split('\n');
    for (const arm of arms) {
      const lossSteps = csv.filter((l) => l.split(',')[1] === arm && l.split(',')[5] === 'loss').map((l) => Number(l.split(',')[3]));
      expect(lossSteps).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    }
  }

  async download(testId: string, within?: Locator): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), (within ?? this.page).getByTestId(testId).click()]);
    return download;
  }
}

/** The text of a download. */
export async function readDownload(d: Download): Promise<string> {
  const stream = await d.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}
