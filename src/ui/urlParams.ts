import { ConfigError, parseExperimentConfig, type ExperimentConfig } from '../engine/config';
import { BACKEND_ORDER, type BackendName } from '../store/types';

/**
 * The URL parameters of docs/contracts.md, section 6: `?backend=` forces a backend (`?threads=`,
 * with `?backend=wasm`, its thread count), `?dataset=` preselects one, `?config=` carries a whole
 * experiment config (JSON, URI-encoded).
 */
export interface UrlParams {
  backend: BackendName | null;
  /** wasm's XNNPACK threads from `?threads=` (only with `?backend=wasm`); null otherwise. */
  threads: number | null;
  dataset: string | null;
  /** A validated config from `?config=`; null when absent or rejected (a warning says why). */
  config: ExperimentConfig | null;
  /** Problems to show the user (an unknown backend name, say). */
  warnings: string[];
}

/** The most wasm threads `?threads=` may ask for: tfjs-backend-wasm starts a pool of 8 workers. */
export const MAX_WASM_THREADS = 8;

/** Reads the parameters from a query string such as `location.search`. */
export function parseUrlParams(search: string, knownDatasets: readonly string[]): UrlParams {
  const q = new URLSearchParams(search);
  const warnings: string[] = [];
  let backend: BackendName | null = null;
  const b = q.get('backend');
  if (b !== null) {
    const found = BACKEND_ORDER.find((name) => name === b);
    if (found) backend = found;
    else warnings.push(`?backend=${b} is not a backend; use one of ${BACKEND_ORDER.join(', ')}. Choosing automatically.`);
  }
  let threads: number | null = null;
  const t = q.get('threads');
  if (t !== null) {
    const n = Number(t);
    if (backend !== 'wasm') warnings.push(`?threads=${t} was ignored: it sets wasm's thread count, so it needs ?backend=wasm.`);
    else if (!(/^\d+$/.test(t) && n >= 1 && n <= MAX_WASM_THREADS)) warnings.push(`?threads=${t} is not a thread count from 1 to ${MAX_WASM_THREADS}; wasm keeps one thread.`);
    else threads = n;
  }
  let dataset: string | null = null;
  const d = q.get('dataset');
  if (d !== null) {
    if (knownDatasets.includes(d)) dataset = d;
    else warnings.push(`?dataset=${d} is not a built-in dataset; use one of ${knownDatasets.join(', ')}.`);
  }
  let config: ExperimentConfig | null = null;
  const c = q.get('config');
  if (c !== null) {
    try {
      const parsed = parseExperimentConfig(JSON.parse(c));
      if (parsed.dataset.startsWith('builtin:') && !knownDatasets.includes(parsed.dataset)) throw new ConfigError('dataset', `${parsed.dataset} is not a built-in dataset`);
      if (!parsed.dataset.startsWith('builtin:')) {
        warnings.push(`?config= names the dataset ${parsed.dataset}, which this page cannot open from a link; drop the archive on the page to use it.`);
      }
      config = parsed;
    } catch (e) {
      const why = e instanceof ConfigError ? e.message : e instanceof SyntaxError ? `not JSON (${e.message})` : String(e);
      warnings.push(`?config= was ignored, the defaults are in place: ${why}.`);
    }
  }
  return { backend, threads, dataset, config, warnings };
}

/** A link to this page that opens with `config` (and the backend, when one is forced). */
export function configUrl(config: ExperimentConfig, href: string): string {
  const url = new URL(href);
  url.searchParams.delete('dataset');
  url.searchParams.set('config', JSON.stringify(config));
  return url.toString();
}
