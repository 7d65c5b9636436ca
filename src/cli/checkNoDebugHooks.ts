import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Checks that a production build (`npm run build`) carries none of the debug hooks, which only
 * development and test builds have (src/worker/debugHooks.ts): exits 1 naming every file that
 * mentions one. Usage: tsx src/cli/checkNoDebugHooks.ts [folder, default dist]
 */

/** Names that only the debug hooks use: the page's globals, the worker's debug messages, the bench reply. */
export const DEBUG_HOOK_NAMES = ['__rgLab', '__rgBench', 'simulateDeviceLoss', 'crashWorker', 'benchResult', 'installBenchHook', 'timeChartRedraw'] as const;

/** Every (file, name) where a hook name occurs. */
export function findDebugHookNames(files: readonly { name: string; text: string }[]): { file: string; name: string }[] {
  return files.flatMap((f) => DEBUG_HOOK_NAMES.filter((n) => f.text.includes(n)).map((name) => ({ file: f.name, name })));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function main(): void {
  const dir = process.argv[2] ?? 'dist';
  const files = listFiles(dir)
    .filter((p) => /\.(js|mjs|html)$/.test(p))
    .map((p) => ({ name: relative(dir, p), text: readFileSync(p, 'utf8') }));
  if (files.length === 0) {
    console.error(`${dir} holds no built scripts: run vite build first`);
    process.exit(1);
  }
  const found = findDebugHookNames(files);
  if (found.length) {
    console.error(`the build in ${dir} carries debug hooks (build it without --mode test):\n${found.map((f) => `  ${f.file}: ${f.name}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`${dir}: ${files.length} scripts, no debug hooks`);
}

if (process.argv[1]?.endsWith('checkNoDebugHooks.ts')) main();
