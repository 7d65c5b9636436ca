import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', 'bench-out'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['public/sw.js'], languageOptions: { globals: globals.serviceworker } },
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use a seeded stream from src/engine/rng.ts.' }],
    },
  },
  ...layerRules(),
);

/**
 * The layer rule (README, "Architecture"): imports go down only.
 *   ui -> store -> worker | cli | bench -> persist | stats | sweep | export | landscape -> data | platform -> engine
 * Each layer lists what it may not import. Tests may wire layers together (a model learning on
 * a built-in dataset), so *.test.ts files are exempt; fixtures (src/testing) are for tests and
 * the benchmark only. main.tsx, the composition root, wires everything.
 */
function layerRules() {
  const forbid = {
    engine: ['data', 'platform', 'landscape', 'export', 'sweep', 'stats', 'persist', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    data: ['platform', 'landscape', 'export', 'sweep', 'stats', 'persist', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    platform: ['data', 'landscape', 'export', 'sweep', 'stats', 'persist', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    stats: ['data', 'platform', 'landscape', 'export', 'sweep', 'persist', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    persist: ['data', 'platform', 'landscape', 'export', 'sweep', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    sweep: ['data', 'platform', 'landscape', 'export', 'persist', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    export: ['platform', 'landscape', 'sweep', 'persist', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    landscape: ['data', 'platform', 'export', 'sweep', 'stats', 'persist', 'worker', 'cli', 'bench', 'store', 'ui', 'testing'],
    worker: ['cli', 'bench', 'store', 'ui', 'testing', 'platform'],
    cli: ['bench', 'store', 'ui', 'testing'],
    testing: ['cli', 'bench', 'store', 'ui', 'worker'],
    bench: ['store', 'ui'],
    store: ['cli', 'bench', 'ui', 'testing', 'platform'],
    ui: ['worker', 'data', 'cli', 'bench', 'testing', 'platform'],
  };
  // '../sweep' and '../../sweep/queue', not a sibling file that happens to be called bench.ts.
  const importsOf = (dir) => [1, 2, 3].flatMap((up) => [`${'../'.repeat(up)}${dir}`, `${'../'.repeat(up)}${dir}/**`]);
  const external = { engine: ['react', 'zustand'], data: ['react', 'zustand'], worker: ['react', 'zustand'] };
  return Object.entries(forbid).map(([layer, below]) => ({
    files: [`src/${layer}/**/*.{ts,tsx}`],
    ignores: [`src/${layer}/**/*.test.{ts,tsx}`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: below.flatMap(importsOf), message: `src/${layer} may not import src/{${below.join(',')}}: imports go down the layers (eslint.config.js, layerRules).` },
        ...(external[layer] ? [{ group: external[layer], message: `src/${layer} runs without a UI.` }] : []),
      ] }],
    },
  }));
}
