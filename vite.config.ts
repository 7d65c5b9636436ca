/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';

const versionOf = (path: string): string => (JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { version: string }).version;

// COOP/COEP make the page cross-origin isolated, which SharedArrayBuffer (wasm threads) needs.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The built page may reach only its own origin. Dev mode leaves it out because Vite's dev
 * server injects inline scripts (React refresh) that the policy would block.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' data: blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'rg-lab-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}

/**
 * tfjs-backend-wasm's threaded build starts its pthread workers from its factory's source text
 * (`factory.toString()` in a Blob). The factory reads `_scriptDir` from the closure around it,
 * which a minifier renames and assumes declared, so every pthread worker of a built app died with
 * "ReferenceError: e is not defined". Made a global property, it survives minifying and is merely
 * undefined in a pthread worker, as the factory expects (docs/backends.md, "wasm threads").
 */
function wasmThreadsSurviveMinifying(): Plugin {
  return {
    name: 'rg-lab-wasm-threads',
    transform(code, id) {
      if (!id.includes('tfjs-backend-wasm-threaded-simd.js') || !code.includes('_scriptDir')) return null;
      return { code: code.replace(/\bvar _scriptDir\b/g, '_scriptDir').replace(/\b_scriptDir\b/g, 'globalThis.__tfjsWasmScriptDir'), map: null };
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy(), wasmThreadsSurviveMinifying()],
  // Versions for the reproducibility manifest.
  define: {
    __APP_VERSION__: JSON.stringify(versionOf('./package.json')),
    __TFJS_VERSION__: JSON.stringify(versionOf('./node_modules/@tensorflow/tfjs/package.json')),
  },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // Workers are bundled with their own plugins: the trainer worker loads tfjs-backend-wasm.
  worker: { format: 'es', plugins: () => [wasmThreadsSurviveMinifying()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
