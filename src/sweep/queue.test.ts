import { expect, it, suite } from 'vitest';
import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import { describeProgress, estimateRemainingMs, formatRemaining, isQueueActive, SweepQueue, type RunOne, type SweepProgress } from './queue';
import { createCustomSpec, expandSweep } from './spec';
import { fakeRecords } from './testing';

const cells = expandSweep({ ...createCustomSpec('classify'), lrs: [0.1, 0.01], momenta: [0.5, 0.9], steps: 100, evalEvery: 50 });

/** A runOne whose calls the test settles by hand, in any order. */
function manualRunner() {
  const calls: { config: ExperimentConfig; signal: AbortSignal; resolve: (r: MetricRecord[]) => void; reject: (e: unknown) => void }[] = [];
  const runOne: RunOne = (config, signal) =>
    new Promise((resolve, reject) => {
      calls.push({ config, signal, resolve, reject });
    });
  return { calls, runOne };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));
const lrOf = (c: ExperimentConfig) => c.arms[0].optimizer.lr;
const momentumOf = (c: ExperimentConfig) => (c.arms[0].optimizer.type === 'sgd' ? c.arms[0].optimizer.momentum : null);

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

suite('SweepQueue', () => {
  it('runs cells one at a time in order, keeping non-step records, with a progress event at every change', async () => {
    const seen: string[] = [];
    const runOne: RunOne = async (config) => {
      seen.push(`${lrOf(config)}/${momentumOf(config)}`);
      return fakeRecords(config, 'accuracy', () => 0.5);
    };
    const q = new SweepQueue(cells, runOne);
    const events: SweepProgress[] = [];
    q.subscribe((p) => events.push(p));
    expect(q.progress).toMatchObject({ status: 'idle', total: 4, finished: 0, current: null });
    const end = await q.start();
    expect(seen).toEqual(['0.1/0.5', '0.1/0.9', '0.01/0.5', '0.01/0.9']);
    expect(end.status).toBe('done');
    expect(end.finished).toBe(4);
    expect(end.cells.map((c) => c.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(end.cells[0].records.some((r) => r.type === 'step')).toBe(false);
    expect(end.cells[0].records.filter((r) => r.type === 'eval')).toHaveLength(4);
    // running, then per cell running and done, then done.
    expect(events.map((e) => `${e.status}:${e.current}:${e.finished}`)).toEqual([
      'running:null:0',
      'running:0:0',
      'running:null:1',
      'running:1:1',
      'running:null:2',
      'running:2:2',
      'running:null:3',
      'running:3:3',
      'running:null:4',
      'done:null:4',
    ]);
    // Snapshots are new objects; an unchanged cell keeps its object.
    expect(events[2].cells[0]).not.toBe(events[1].cells[0]);
    expect(events[2].cells[1]).toBe(events[1].cells[1]);
  });

  it('marks a failing cell as error with its message and goes on', async () => {
    let n = 0;
    const runOne: RunOne = async (config) => {
      n++;
      if (n === 2) throw new Error('WebGPU device lost');
      if (n === 3) return Promise.reject('plain string');
      return fakeRecords(config, 'accuracy', () => 0.4);
    };
    const end = await new SweepQueue(cells, runOne).start();
    expect(end.cells.map((c) => c.status)).toEqual(['done', 'error', 'error', 'done']);
    expect(end.cells[1].error).toBe('WebGPU device lost');
    expect(end.cells[2].error).toBe('plain string');
    expect(end.finished).toBe(4);
    expect(end.status).toBe('done');
  });

  it('treats a runOne that throws synchronously as a failed cell', async () => {
    const runOne: RunOne = () => {
      throw new Error('no worker');
    };
    const end = await new SweepQueue(cells.slice(0, 2), runOne).start();
    expect(end.cells.map((c) => [c.status, c.error])).toEqual([
      ['error', 'no worker'],
      ['error', 'no worker'],
    ]);
  });

  it('cancel aborts the running cell, marks it and the queued ones cancelled, and runs nothing more', async () => {
    const { calls, runOne } = manualRunner();
    const q = new SweepQueue(cells, runOne, { keepSteps: true });
    const done = q.start();
    await flush();
    calls[0].resolve(fakeRecords(calls[0].config, 'accuracy', () => 0.5));
    await flush();
    expect(calls).toHaveLength(2);
    q.cancel();
    expect(calls[1].signal.aborted).toBe(true);
    expect(q.progress.status).toBe('cancelling');
    expect(q.progress.cells.map((c) => c.status)).toEqual(['done', 'running', 'cancelled', 'cancelled']);
    calls[1].reject(new DOMException('stopped', 'AbortError'));
    const end = await done;
    expect(end.status).toBe('cancelled');
    expect(end.cells.map((c) => c.status)).toEqual(['done', 'cancelled', 'cancelled', 'cancelled']);
    expect(end.cells[1].error).toBeNull();
    expect(end.cells[0].records.some((r) => r.type === 'step')).toBe(true);
    expect(calls).toHaveLength(2);
    expect(isQueueActive(end.status)).toBe(false);
    // A cancelled queue does not start again.
    await q.start();
    expect(calls).toHaveLength(2);
  });

  it('keeps the records of a cell that resolves after cancel (a stopped run writes its summaries) but marks it cancelled', async () => {
    const { calls, runOne } = manualRunner();
    const q = new SweepQueue(cells.slice(0, 2), runOne);
    const done = q.start();
    await flush();
    q.cancel();
    calls[0].resolve(fakeRecords(calls[0].config, 'accuracy', () => 0.3));
    const end = await done;
    expect(end.cells[0].status).toBe('cancelled');
    expect(end.cells[0].records.length).toBeGreaterThan(0);
  });

  it('pauses after the current cell and resumes from the next one', async () => {
    const { calls, runOne } = manualRunner();
    const c = clock();
    const q = new SweepQueue(cells, runOne, { now: c.now });
    const first = q.start();
    await flush();
    q.pauseAfterCurrent();
    expect(q.progress.status).toBe('pausing');
    expect(isQueueActive('pausing')).toBe(true);
    c.advance(4000);
    calls[0].resolve(fakeRecords(calls[0].config, 'accuracy', () => 0.5));
    const paused = await first;
    expect(paused.status).toBe('paused');
    expect(paused.cells.map((x) => x.status)).toEqual(['done', 'queued', 'queued', 'queued']);
    expect(paused.cells[0].ms).toBe(4000);
    expect(estimateRemainingMs(paused)).toBe(12000);
    expect(calls).toHaveLength(1);
    const rest = q.start();
    await flush();
    expect(calls).toHaveLength(2);
    for (let i = 1; i < 4; i++) {
      await flush();
      calls[i].resolve([]);
    }
    const end = await rest;
    expect(end.status).toBe('done');
    expect(end.finished).toBe(4);
  });

  it('cancel while paused ends the queue at once', async () => {
    const { calls, runOne } = manualRunner();
    const q = new SweepQueue(cells.slice(0, 2), runOne);
    const p = q.start();
    await flush();
    q.pauseAfterCurrent();
    calls[0].resolve([]);
    await p;
    q.cancel();
    expect(q.progress.status).toBe('cancelled');
    expect(q.progress.cells.map((x) => x.status)).toEqual(['done', 'cancelled']);
  });

  it('start while running returns the same promise; unsubscribe stops events', async () => {
    const { calls, runOne } = manualRunner();
    const q = new SweepQueue(cells.slice(0, 1), runOne);
    let count = 0;
    const off = q.subscribe(() => count++);
    const a = q.start();
    expect(q.start()).toBe(a);
    await flush();
    off();
    const before = count;
    calls[0].resolve([]);
    await a;
    expect(count).toBe(before);
    expect(calls).toHaveLength(1);
  });
});

suite('describeProgress', () => {
  it('writes the progress line for every queue state', async () => {
    const { calls, runOne } = manualRunner();
    const c = clock();
    const q = new SweepQueue(cells, runOne, { now: c.now });
    expect(describeProgress(q.progress)).toBe('4 cells queued');
    const p = q.start();
    await flush();
    expect(describeProgress(q.progress)).toBe('Cell 1 of 4: lr 0.1, momentum 0.5 · 0 done');
    c.advance(90_000);
    calls[0].resolve([]);
    await flush();
    calls[1].reject(new Error('x'));
    await flush();
    expect(describeProgress(q.progress)).toBe('Cell 3 of 4: lr 0.01, momentum 0.5 · 2 done, 1 failed · about 2 min left');
    q.pauseAfterCurrent();
    expect(describeProgress(q.progress)).toBe('Cell 3 of 4: lr 0.01, momentum 0.5 · 2 done, 1 failed · pausing after this cell');
    calls[2].resolve([]);
    await p;
    expect(describeProgress(q.progress)).toBe('Paused: 3 of 4 cells run, 1 failed');
    q.cancel();
    expect(describeProgress(q.progress)).toBe('Cancelled after 3 of 4 cells, 1 failed');
    expect(formatRemaining(20_000)).toBe('under a minute');
    expect(formatRemaining(150 * 60_000)).toBe('about 2.5 h');
  });
});
