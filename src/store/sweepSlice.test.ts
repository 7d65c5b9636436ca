import { beforeEach, expect, it, suite } from 'vitest';
import { expandSweep, findBaseline, findPreset, type RunOne } from '../sweep';
import { fakeRecords } from '../sweep/testing';
import { resetAppStore, useAppStore } from '.';
import { isSweepActive } from './sweepSlice';

const spec = findPreset('table1')!.spec;
const info = { choice: 'table1', baseline: findBaseline(spec), task: spec.base.task, metric: spec.metric };

/** A runOne whose cells finish only when the test says so. */
function gatedRunOne() {
  const gates: (() => void)[] = [];
  const runOne: RunOne = (config, signal) =>
    new Promise((resolve, reject) => {
      gates.push(() => resolve(fakeRecords(config, 'mIoU', () => 0.5)));
      signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
  return { runOne, release: () => gates.shift()?.() };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

suite('sweep slice: the queue lives in the store', () => {
  beforeEach(() => resetAppStore());

  it('runs the cells in order and reports each snapshot with the run info', async () => {
    const cells = expandSweep(spec);
    const { runOne, release } = gatedRunOne();
    useAppStore.getState().startSweep(cells, info, runOne);
    await settle();
    expect(useAppStore.getState().sweep.status).toBe('running');
    expect(useAppStore.getState().sweep.info).toEqual(info);
    expect(useAppStore.getState().sweep.presetId).toBe('table1');
    release();
    await settle();
    expect(useAppStore.getState().sweep.done).toBe(1);
    expect(useAppStore.getState().sweep.total).toBe(cells.length);
    expect(useAppStore.getState().sweep.progress?.cells[0].status).toBe('done');
  });

  it('pause waits for the current cell, resume goes on, cancel ends it and frees the trainer', async () => {
    const cells = expandSweep(spec);
    const { runOne, release } = gatedRunOne();
    const s = useAppStore.getState();
    s.startSweep(cells, info, runOne);
    await settle();
    s.pauseSweep();
    expect(useAppStore.getState().sweep.status).toBe('pausing');
    release();
    await settle();
    expect(useAppStore.getState().sweep.status).toBe('paused');
    expect(isSweepActive(useAppStore.getState().sweep)).toBe(true);
    s.resumeSweep();
    await settle();
    expect(useAppStore.getState().sweep.status).toBe('running');
    s.cancelSweep();
    await settle();
    expect(useAppStore.getState().sweep.status).toBe('cancelled');
    expect(isSweepActive(useAppStore.getState().sweep)).toBe(false);
  });

  it('a custom sweep has no preset id; reset cancels and clears', async () => {
    const { runOne } = gatedRunOne();
    useAppStore.getState().startSweep(expandSweep(spec), { ...info, choice: 'custom-segment' }, runOne);
    await settle();
    expect(useAppStore.getState().sweep.presetId).toBeNull();
    useAppStore.getState().resetSweep();
    expect(useAppStore.getState().sweep.status).toBe('idle');
    expect(useAppStore.getState().sweep.progress).toBeNull();
  });
});
