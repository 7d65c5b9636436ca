import { expect, it } from 'vitest';
import { verdictsAreInterim } from './summary';

it('verdicts are final only for a run that ran to its end', () => {
  const run = { status: 'done' as const, stopped: false, stored: null };
  expect(verdictsAreInterim(run)).toBe(false);
  expect(verdictsAreInterim({ ...run, stored: { interrupted: false, resumable: false } })).toBe(false);
  expect(verdictsAreInterim({ ...run, status: 'running' })).toBe(true);
  expect(verdictsAreInterim({ ...run, status: 'paused' })).toBe(true);
  expect(verdictsAreInterim({ ...run, status: 'error' })).toBe(true);
  expect(verdictsAreInterim({ ...run, stopped: true })).toBe(true);
  expect(verdictsAreInterim({ ...run, stored: { interrupted: true, resumable: true } })).toBe(true);
});
