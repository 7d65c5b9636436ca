import { statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createDefaultConfig, DEFAULT_EVAL_SUBSET } from '../engine/config';
import { median } from '../engine/median';

/**
 * Real-size data in the lab page, driven through its real UI as a user would (part of the
 * browser bench, benchBrowser.ts): the CIFAR-10 and CIFAR-100 binary tar.gz (generated at the
 * official sizes) chosen in the dataset file input, timed from the input's change event to the
 * dataset status turning "ready"; then the default config (its arms, seeds, batch, input size,
 * live evaluation on the fixed subset) trained in the same page on builtin:shapes10 and on the
 * loaded CIFAR-10 in alternating rounds, images/s from the status bar's step counter and the
 * training backend's peak memory from its MiB figure.
 */

/** Where the generated archives are (benchArchives.ts writes them). */
export interface BenchArchives {
  cifar10: string;
  cifar100: string;
}

export interface BrowserLoad {
  dataset: 'cifar10' | 'cifar100';
  /** The archive's file name. */
  file: string;
  archiveMB: number;
  images: number;
  /** The lab's input size when the archive was chosen (images are resized to it while loading). */
  inputSize: number;
  /** Milliseconds from the file input's change event to the dataset status "ready", per round. */
  ms: number[];
  medianMs: number;
}

export interface BrowserTrainRound {
  builtinImagesPerSec: number;
  cifarImagesPerSec: number;
  ratio: number;
  /** Peak of the status bar's backend memory figure while training on CIFAR-10 (and on the built-in), MiB. */
  cifarPeakMiB: number;
  builtinPeakMiB: number;
  /** The accuracy chart's note at the end of each run: how many test images its points used. */
  cifarEvalNote: string;
  builtinEvalNote: string;
}

export interface BrowserDataBench {
  backend: string;
  loads: BrowserLoad[];
  training: {
    config: { model: string; inputSize: number; batchSize: number; steps: number; evalEvery: number; evalSubset: number; arms: number; seeds: number };
    /** Steps timed: from the first progress at or after `fromStep` to the last before the final, whole-split evaluation. */
    fromStep: number;
    rounds: BrowserTrainRound[];
    /** Medians over rounds; ratio is the median of the per-round ratios. */
    builtinImagesPerSec: number;
    cifarImagesPerSec: number;
    ratio: number;
    /** Largest backend figure over all CIFAR-10 rounds, MiB. */
    peakMiB: number;
  };
}

declare global {
  interface Window {
    __dataBench?: { steps: [number, number, string][]; peakBytes: number; chosen: number; loading: number; ready: number; error: number };
  }
}

/**
 * Watches the run status (step, state), the backend memory figure, the dataset input and the
 * dataset status, wherever React renders them: one observer of those attributes on the body.
 */
async function installProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const probe = { steps: [] as [number, number, string][], peakBytes: 0, chosen: 0, loading: 0, ready: 0, error: 0 };
    window.__dataBench = probe;
    // No named helper functions in here: tsx would wrap them in a __name() the page lacks.
    new MutationObserver(() => {
      const now = performance.now();
      const status = document.querySelector('[data-testid="run-status"]');
      if (status) {
        const step = Number(status.getAttribute('data-step'));
        const state = status.getAttribute('data-state') ?? '';
        const last = probe.steps[probe.steps.length - 1];
        if (!last || last[1] !== step || last[2] !== state) probe.steps.push([now, step, state]);
      }
      probe.peakBytes = Math.max(probe.peakBytes, Number(document.querySelector('[data-testid="device-bytes"]')?.getAttribute('data-bytes') ?? 0));
      const ds = document.querySelector('[data-testid="dataset-status"]')?.getAttribute('data-state');
      // "ready" counts once the status has left the state it was in when the file was chosen.
      if (ds === 'loading' && probe.chosen) probe.loading = now;
      if (ds === 'ready' && probe.loading && !probe.ready) probe.ready = now;
      if (ds === 'error' && probe.chosen && !probe.error) probe.error = now;
    }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-state', 'data-step', 'data-bytes'] });
    document.addEventListener(
      'change',
      (e) => {
        if ((e.target as Element).getAttribute('data-testid') === 'dataset-input') probe.chosen = performance.now();
      },
      { capture: true },
    );
  });
}

async function resetProbe(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window.__dataBench!, { steps: [], peakBytes: 0, chosen: 0, loading: 0, ready: 0, error: 0 }));
}

/** Chooses `file` in the dataset input at the lab's present input size; ms from the change event to "ready". */
async function timeLoad(page: Page, file: string): Promise<number> {
  await resetProbe(page);
  await page.getByTestId('dataset-input').setInputFiles(file);
  await page.waitForFunction(() => window.__dataBench!.ready > 0 || window.__dataBench!.error > 0, undefined, { timeout: 120_000, polling: 100 });
  const p = await page.evaluate(() => window.__dataBench!);
  if (p.error) throw new Error(`${path.basename(file)} did not load: ${(await page.getByTestId('dataset-status').innerText()).slice(0, 300)}`);
  return p.ready - p.chosen;
}

/** Trains the dataset in use with the page's config; images/s over steps fromStep .. steps-1 and the peak backend bytes. */
async function timeTraining(page: Page, imagesPerStep: number, steps: number, fromStep: number): Promise<{ imagesPerSec: number; peakMiB: number; evalNote: string }> {
  await page.waitForSelector('[data-testid="dataset-status"][data-state="ready"]', { timeout: 120_000 });
  await resetProbe(page);
  await page.getByTestId('start').click();
  await page.waitForSelector('[data-testid="run-status"][data-state="done"]', { timeout: 600_000 });
  const p = await page.evaluate(() => window.__dataBench!);
  const timed = p.steps.filter(([, step]) => step >= fromStep && step < steps);
  if (timed.length < 2) throw new Error(`too few progress reports between steps ${fromStep} and ${steps} to time training`);
  const [t0, s0] = timed[0];
  const [t1, s1] = timed[timed.length - 1];
  const evalNote = (await page.getByTestId('chart-note').first().textContent({ timeout: 10_000 }))?.trim() ?? '';
  return { imagesPerSec: ((s1 - s0) * imagesPerStep * 1000) / (t1 - t0), peakMiB: p.peakBytes / 2 ** 20, evalNote };
}

/** See the file comment. `origin` serves the built app; the page is the lab on `backend`. */
export async function benchBrowserData(browser: Browser, origin: string, archives: BenchArchives, opts: { quick: boolean; backend: string; log: (s: string) => void; steps?: number; rounds?: number }): Promise<BrowserDataBench> {
  const { quick, log } = opts;
  const def = createDefaultConfig();
  // Steps per run: quick 60 (one live evaluation, at step 50, in the timed steps), full 200
  // (three); the default run's 300 would add minutes to the bench and nothing to a rate.
  const steps = opts.steps ?? (quick ? 60 : 200);
  const rounds = opts.rounds ?? (quick ? 1 : 2);
  const loadRounds = quick ? 1 : 3;
  const fromStep = 2;
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/?backend=${opts.backend}`);
    await page.waitForSelector('[data-testid="backend-badge"][data-state="ready"]', { timeout: 120_000 });
    const backend = (await page.getByTestId('backend-badge').getAttribute('data-backend')) ?? '';
    await page.waitForSelector('[data-testid="dataset-status"][data-state="ready"]', { timeout: 120_000 });
    await page.getByTestId('length-input').fill(String(steps));
    await page.getByTestId('length-input').blur();
    await installProbe(page);

    const loads: BrowserLoad[] = [];
    const sets = [
      { dataset: 'cifar100' as const, file: archives.cifar100, images: 60_000 },
      { dataset: 'cifar10' as const, file: archives.cifar10, images: 60_000 },
    ];
    // The JSON names the archive, not the temporary folder it was generated in.
    for (const s of sets) loads.push({ ...s, file: path.basename(s.file), archiveMB: statSync(s.file).size / 2 ** 20, inputSize: def.inputSize, ms: [], medianMs: 0 });
    for (let r = 0; r < loadRounds; r++) {
      // CIFAR-10 last: it is the dataset in use when training starts.
      for (const [k, l] of loads.entries()) {
        const ms = await timeLoad(page, sets[k].file);
        l.ms.push(ms);
        log(`browser data: ${l.dataset} (${l.archiveMB.toFixed(0)} MB) ready in ${(ms / 1000).toFixed(2)} s at ${l.inputSize} px (round ${r + 1}/${loadRounds})`);
      }
    }
    for (const l of loads) l.medianMs = median(l.ms);

    const cifarId = `archive:${path.basename(archives.cifar10)}`;
    const imagesPerStep = def.batchSize * def.arms.length * def.seeds.length;
    const results: BrowserTrainRound[] = [];
    for (let r = 0; r < rounds; r++) {
      // CIFAR-10 first in odd rounds, the built-in first in even ones: drift hits both alike.
      const order = r % 2 === 0 ? ['cifar', 'builtin'] : ['builtin', 'cifar'];
      const got: Record<string, { imagesPerSec: number; peakMiB: number; evalNote: string }> = {};
      for (const which of order) {
        const select = page.getByTestId('dataset-builtin');
        // Choosing a built-in drops the archive from the list: the file is chosen again, as a user would.
        if (which === 'builtin') await select.selectOption(def.dataset);
        else if ((await select.inputValue()) !== cifarId) await timeLoad(page, archives.cifar10);
        got[which] = await timeTraining(page, imagesPerStep, steps, fromStep);
        log(`browser data: ${which === 'cifar' ? 'CIFAR-10' : def.dataset} trained at ${got[which].imagesPerSec.toFixed(0)} img/s, backend peak ${got[which].peakMiB.toFixed(1)} MiB, eval: ${got[which].evalNote} (round ${r + 1}/${rounds})`);
      }
      results.push({
        builtinImagesPerSec: got.builtin.imagesPerSec,
        cifarImagesPerSec: got.cifar.imagesPerSec,
        ratio: got.cifar.imagesPerSec / got.builtin.imagesPerSec,
        cifarPeakMiB: got.cifar.peakMiB,
        builtinPeakMiB: got.builtin.peakMiB,
        cifarEvalNote: got.cifar.evalNote,
        builtinEvalNote: got.builtin.evalNote,
      });
    }
    return {
      backend,
      loads,
      training: {
        config: {
          model: def.model,
          inputSize: def.inputSize,
          batchSize: def.batchSize,
          steps,
          evalEvery: def.evalEvery,
          evalSubset: def.evalSubset ?? DEFAULT_EVAL_SUBSET,
          arms: def.arms.length,
          seeds: def.seeds.length,
        },
        fromStep,
        rounds: results,
        builtinImagesPerSec: median(results.map((x) => x.builtinImagesPerSec)),
        cifarImagesPerSec: median(results.map((x) => x.cifarImagesPerSec)),
        ratio: median(results.map((x) => x.ratio)),
        peakMiB: Math.max(...results.map((x) => x.cifarPeakMiB)),
      },
    };
  } finally {
    await page.close();
  }
}
