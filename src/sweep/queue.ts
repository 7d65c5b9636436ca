import type { ExperimentConfig } from '../engine/config';
import type { MetricRecord } from '../engine/records';
import type { SweepCell } from './spec';
import { errorMessage } from '../engine/errors';

/**
 * The sweep queue: runs cells one after another through an injected `runOne` (the lab connects
 * it to the training worker), reports progress after every change, pauses after the current
 * cell or cancels. A cell that fails is marked and the queue goes on with the next one.
 */

/** Trains one cell's config to the end and resolves with its records; should stop soon after `signal` aborts. */
export type RunOne = (config: ExperimentConfig, signal: AbortSignal) => Promise<MetricRecord[]>;

export type CellStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled';

/**
 * The queue's state. `pausing` and `cancelling` wait for the running cell to finish (or to stop,
 * once aborted); `done` means every cell ran (some may have failed).
 */
export type QueueStatus = 'idle' | 'running' | 'pausing' | 'paused' | 'cancelling' | 'cancelled' | 'done';

export interface CellState {
  cell: SweepCell;
  status: CellStatus;
  /** Why the cell failed (the error's message); null otherwise. */
  error: string | null;
  /** What runOne resolved with, step records left out (they are many and the summaries do not read them). */
  records: readonly MetricRecord[];
  /** Wall time of the cell's run in ms; null until it ends. */
  ms: number | null;
}

/** A snapshot: a new object after every change, its cells replaced only where they changed. */
export interface SweepProgress {
  status: QueueStatus;
  total: number;
  /** Cells that ran to their end, failed or not (`done` + `error`). */
  finished: number;
  /** Index of the running cell; null when none runs. */
  current: number | null;
  cells: readonly CellState[];
}

export interface SweepQueueOptions {
  /** A clock in ms (default performance.now). */
  now?: () => number;
  /** Keep step records in `CellState.records` (default false). */
  keepSteps?: boolean;
}

/** True while the queue holds the trainer: running, or waiting to pause or cancel, or paused. */
export function isQueueActive(status: QueueStatus): boolean {
  return status === 'running' || status === 'pausing' || status === 'paused' || status === 'cancelling';
}

/** Milliseconds left at the mean time of the cells finished so far; null before the first. */
export function estimateRemainingMs(p: SweepProgress): number | null {
  const times = p.cells.filter((c) => c.ms !== null && (c.status === 'done' || c.status === 'error')).map((c) => c.ms as number);
  if (times.length === 0) return null;
  const mean = times.reduce((s, t) => s + t, 0) / times.length;
  const left = p.cells.filter((c) => c.status === 'queued' || c.status === 'running').length;
  return mean * left;
}

export class SweepQueue {
  private cells: CellState[];
  private status: QueueStatus = 'idle';
  private current: number | null = null;
  private controller: AbortController | null = null;
  private loop: Promise<SweepProgress> | null = null;
  private readonly listeners = new Set<(p: SweepProgress) => void>();
  private readonly now: () => number;
  private readonly keepSteps: boolean;
  private snapshot: SweepProgress;

  constructor(
    cells: readonly SweepCell[],
    private readonly runOne: RunOne,
    opts: SweepQueueOptions = {},
  ) {
    this.cells = cells.map((cell) => ({ cell, status: 'queued', error: null, records: [], ms: null }));
    this.now = opts.now ?? (() => performance.now());
    this.keepSteps = opts.keepSteps ?? false;
    this.snapshot = this.makeSnapshot();
  }

  /** The latest snapshot. */
  get progress(): SweepProgress {
    return this.snapshot;
  }

  /** Calls `fn` with every new snapshot; returns the unsubscribe function. */
  subscribe(fn: (p: SweepProgress) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Runs the queued cells in order; resolves with the snapshot once the queue stops (done,
   * paused or cancelled). From `paused` it resumes; while running it returns the same promise.
   */
  start(): Promise<SweepProgress> {
    if (this.loop) return this.loop;
    if (this.status === 'done' || this.status === 'cancelled') return Promise.resolve(this.snapshot);
    this.setStatus('running');
    this.loop = this.runLoop().finally(() => {
      this.loop = null;
    });
    return this.loop;
  }

  /** Stops after the running cell ends; `start` resumes. */
  pauseAfterCurrent(): void {
    if (this.status === 'running') this.setStatus('pausing');
  }

  /** Aborts the running cell (it is marked cancelled when runOne settles) and marks every queued cell cancelled. */
  cancel(): void {
    if (this.status === 'done' || this.status === 'cancelled' || this.status === 'cancelling') return;
    this.cells = this.cells.map((c) => (c.status === 'queued' ? { ...c, status: 'cancelled' } : c));
    if (this.loop) {
      this.status = 'cancelling';
      this.controller?.abort();
    } else {
      this.status = 'cancelled';
    }
    this.emit();
  }

  private async runLoop(): Promise<SweepProgress> {
    for (;;) {
      if (this.status === 'cancelling') {
        this.setStatus('cancelled');
        return this.snapshot;
      }
      if (this.status === 'pausing') {
        this.setStatus('paused');
        return this.snapshot;
      }
      const i = this.cells.findIndex((c) => c.status === 'queued');
      if (i < 0) {
        this.setStatus('done');
        return this.snapshot;
      }
      await this.runCell(i);
    }
  }

  private async runCell(i: number): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    this.current = i;
    this.patchCell(i, { status: 'running' });
    const t0 = this.now();
    try {
      // A runOne that throws before returning its promise is a failed cell too.
      const records = await Promise.resolve().then(() => this.runOne(this.cells[i].cell.config, controller.signal));
      const kept = this.keepSteps ? records : records.filter((r) => r.type !== 'step');
      this.finishCell(i, { status: controller.signal.aborted ? 'cancelled' : 'done', records: kept, ms: this.now() - t0 });
    } catch (e) {
      const aborted = controller.signal.aborted;
      this.finishCell(i, { status: aborted ? 'cancelled' : 'error', error: aborted ? null : errorMessage(e), ms: this.now() - t0 });
    }
  }

  private finishCell(i: number, patch: Partial<CellState>): void {
    this.controller = null;
    this.current = null;
    this.patchCell(i, patch);
  }

  private patchCell(i: number, patch: Partial<CellState>): void {
    this.cells = this.cells.map((c, j) => (j === i ? { ...c, ...patch } : c));
    this.emit();
  }

  private setStatus(status: QueueStatus): void {
    this.status = status;
    this.emit();
  }

  private makeSnapshot(): SweepProgress {
    return {
      status: this.status,
      total: this.cells.length,
      finished: this.cells.filter((c) => c.status === 'done' || c.status === 'error').length,
      current: this.current,
      cells: this.cells,
    };
  }

  private emit(): void {
    this.snapshot = this.makeSnapshot();
    for (const fn of this.listeners) fn(this.snapshot);
  }
}

/** A duration as the progress line writes it: "under a minute", "about 4 min", "about 2.5 h". */
export function formatRemaining(ms: number): string {
  const min = ms / 60_000;
  if (min < 1) return 'under a minute';
  if (min < 90) return `about ${Math.round(min)} min`;
  return `about ${Number((min / 60).toFixed(1))} h`;
}

/** The progress line: "Cell 3 of 6: lr 0.001, momentum 0.95 · 2 done · 1 failed · about 4 min left". */
export function describeProgress(p: SweepProgress): string {
  const failed = p.cells.filter((c) => c.status === 'error').length;
  const failedText = failed ? `, ${failed} failed` : '';
  switch (p.status) {
    case 'idle':
      return `${p.total} cell${p.total === 1 ? '' : 's'} queued`;
    case 'paused':
      return `Paused: ${p.finished} of ${p.total} cells run${failedText}`;
    case 'done':
      return `Done: ${p.total} of ${p.total} cells run${failedText}`;
    case 'cancelled':
      return `Cancelled after ${p.finished} of ${p.total} cells${failedText}`;
    case 'running':
    case 'pausing':
    case 'cancelling': {
      const parts: string[] = [];
      const cur = p.current === null ? null : p.cells[p.current].cell;
      parts.push(cur ? `Cell ${cur.index + 1} of ${p.total}: lr ${cur.lr}, momentum ${cur.momentum}` : `${p.finished} of ${p.total} cells`);
      parts.push(`${p.finished} done${failedText}`);
      const left = estimateRemainingMs(p);
      if (left !== null && p.status === 'running') parts.push(`${formatRemaining(left)} left`);
      if (p.status === 'pausing') parts.push('pausing after this cell');
      if (p.status === 'cancelling') parts.push('cancelling');
      return parts.join(' · ');
    }
  }
}
