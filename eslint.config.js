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
  {
    files: ['src/engine/**/*.ts'],
    // Tests may wire the layers together (a model learning on a built-in dataset).
    ignores: ['src/engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/data/*', '**/worker/*', '**/store/*', '**/ui/*', '**/cli/*', '**/persist/*', 'react', 'zustand'], message: 'The engine imports nothing above it.' },
      ] }],
    },
  },
);
