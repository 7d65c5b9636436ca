import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** PyTorch reference computations for tests (torch_reference.py beside this file). */

const TORCH_SCRIPT = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
/** Debian's python3-torch lives under /usr/bin; a pyenv `python3` on PATH usually lacks torch. */
const PYTHONS = ['/usr/bin/python3', 'python3'];
/** torch_reference.py's exit code when `import torch` fails. */
const NO_TORCH = 3;

/**
 * Runs every case through torch in one Python process and returns its answers in order.
 * Throws (never skips) when no Python with torch is found: CI installs python3-torch.
 */
export function runTorchReference<T>(cases: unknown[]): T[] {
  const tried: string[] = [];
  for (const python of PYTHONS) {
    const res = spawnSync(python, [TORCH_SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (res.error) {
      tried.push(`${python}: ${res.error.message}`);
      continue;
    }
    if (res.status === NO_TORCH) {
      tried.push(`${python}: ${res.stderr.trim()}`);
      continue;
    }
    if (res.status !== 0) throw new Error(`torch_reference.py failed under ${python} (exit ${res.status}): ${res.stderr}`);
    return JSON.parse(res.stdout) as T[];
  }
  throw new Error(
    'No Python with PyTorch found; these tests compare against PyTorch and do not skip. ' +
      `Install python3-torch (apt-get install python3-torch) or torch for python3. Tried: ${tried.join(' | ')}`,
  );
}
