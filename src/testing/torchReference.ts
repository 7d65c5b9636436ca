import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** PyTorch reference computations for tests (torch_reference.py beside this file). */

const TORCH_SCRIPT = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
/** Debian's python3-torch lives under /usr/bin; a pyenv `python3` on PATH usually lacks torch. */
const PYTHONS = ['/usr/bin/python3', 'python3'];
let found: string | null = null;

/**
 * The first Python that can import torch (Debian's /usr/bin/python3 first). Throws (never
 * skips) when there is none: CI installs python3-torch. `purpose` says which tests need it.
 */
export function findTorchPython(purpose = 'these tests compare against PyTorch'): string {
  if (found) return found;
  const tried: string[] = [];
  for (const python of PYTHONS) {
    const res = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (!res.error && res.status === 0) return (found = python);
    tried.push(`${python}: ${res.error?.message ?? res.stderr.trim().split('\n').pop()}`);
  }
  throw new Error(`No Python with PyTorch found; ${purpose} and do not skip. Install python3-torch (apt-get install python3-torch) or torch for python3. Tried: ${tried.join(' | ')}`);
}

/** Runs every case through torch in one Python process and returns its answers in order. */
export function runTorchReference<T>(cases: unknown[]): T[] {
  const python = findTorchPython();
  const res = spawnSync(python, [TORCH_SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error || res.status !== 0) throw new Error(`torch_reference.py failed under ${python} (exit ${res.status}): ${res.error?.message ?? res.stderr}`);
  return JSON.parse(res.stdout) as T[];
}
