import { copyFileSync } from 'node:fs';
import type { Page, TestInfo } from '@playwright/test';

/**
 * A test's screenshot: always written under the test's output folder (test-results/), never
 * into the repository. With DOCS_SCREENSHOTS=1 (`npm run docs:screenshots`) it is also copied
 * to docs/<name>, which is how the pictures in the docs are made.
 */
export async function saveScreenshot(page: Page, info: TestInfo, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const path = info.outputPath(name);
  await page.screenshot({ path, fullPage: opts.fullPage ?? false });
  if (process.env.DOCS_SCREENSHOTS === '1') copyFileSync(path, `docs/${name}`);
}
