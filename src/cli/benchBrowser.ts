import type { BrowserBench } from './bench';

/**
 * The browser part of `npm run bench`: not written yet. It is to build the app into its own
 * folder, serve it with `vite preview` on port 4400, drive /usr/bin/chromium (playwright.config's
 * CHROMIUM_ARGS) and measure images/s per backend in the worker, the longest main-thread task
 * while training and a chart redraw of 100,000 points per series.
 */
export function benchBrowser(_opts: { quick: boolean; log: (s: string) => void }): Promise<BrowserBench> {
  return Promise.reject(new Error('the browser part (src/cli/benchBrowser.ts) is not written yet'));
}
