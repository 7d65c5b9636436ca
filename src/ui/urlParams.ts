import { BACKEND_ORDER, type BackendName } from '../worker/protocol';

/** The URL parameters of CONTRACTS.md: `?backend=` forces a backend, `?dataset=` preselects one. */
export interface UrlParams {
  backend: BackendName | null;
  dataset: string | null;
  /** Problems to show the user (an unknown backend name, say). */
  warnings: string[];
}

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
  let dataset: string | null = null;
  const d = q.get('dataset');
  if (d !== null) {
    if (knownDatasets.includes(d)) dataset = d;
    else warnings.push(`?dataset=${d} is not a built-in dataset; use one of ${knownDatasets.join(', ')}.`);
  }
  return { backend, dataset, warnings };
}
