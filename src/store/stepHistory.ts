import type { StepRecord } from '../engine/records';

/**
 * Step records held in page memory for the charts and the summary: at most `cap` per arm and
 * seed. A long run keeps every step until its series reaches the cap; then every 2nd step, then
 * every 4th, ... (the stride doubles each time the cap is reached again), so the series always
 * spans the whole run with between cap/2 and cap points - more than the 2,000 a chart draws.
 * The latest record is always there (the charts stay live), and each kept record's `ms` is the
 * time of every step since the previous kept one, so time axes and time per step stay exact.
 * The full records are in IndexedDB, where exports read them.
 */

/** Records per arm and seed before a series is thinned (the charts draw at most 2,000 points). */
export const STEP_HISTORY_CAP = 4096;

/** One arm-and-seed series and the stride of its kept steps (1 until it is first thinned). */
export interface StepSeries {
  records: StepRecord[];
  stride: number;
}

export const EMPTY_SERIES: StepSeries = { records: [], stride: 1 };

/** The series with `added` appended (in step order) and thinned to `cap`; `series` is not changed. */
export function appendSteps(series: StepSeries, added: readonly StepRecord[], cap = STEP_HISTORY_CAP): StepSeries {
  if (added.length === 0) return series;
  let stride = series.stride;
  let list = series.records.slice();
  for (const r of added) {
    const last = list.at(-1);
    // The live tail (a step off the stride) gives way to the next record, which takes its time.
    if (last && last.step % stride !== 0) {
      list.pop();
      list.push({ ...r, ms: r.ms + last.ms });
    } else {
      list.push(r);
    }
  }
  while (list.length > cap) {
    stride *= 2;
    list = thin(list, stride);
  }
  return { records: list, stride };
}

/** Keeps the records on `stride` and the last one; each kept record takes the time of those dropped before it. */
function thin(list: readonly StepRecord[], stride: number): StepRecord[] {
  const out: StepRecord[] = [];
  let carry = 0;
  list.forEach((r, i) => {
    if (r.step % stride === 0 || i === list.length - 1) {
      out.push(carry ? { ...r, ms: r.ms + carry } : r);
      carry = 0;
    } else {
      carry += r.ms;
    }
  });
  return out;
}
