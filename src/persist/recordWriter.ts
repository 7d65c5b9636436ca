import type { MetricRecord } from '../engine/records';
import { describeError, isQuotaError } from './errors';
import type { ExperimentStore } from './types';

/**
 * Batches a run's records in memory and appends them to the store at most every `intervalMs`
 * (so a record is stored within about that long of its arrival) and whenever `flush` is called.
 * Writes go one at a time, in order. A failed write loses nothing: its records stay queued, the
 * failure is reported once through `onError`, and the write is retried (after `retryMs`, or at
 * the next `flush`) until it succeeds, which `onRecover` reports.
 */

/** Calls `fn` once after `ms` milliseconds; returns a function that cancels it. Injectable for tests. */
export type Schedule = (fn: () => void, ms: number) => () => void;

/** The real clock: setTimeout and clearTimeout. */
export const systemSchedule: Schedule = (fn, ms) => {
  const handle = setTimeout(fn, ms);
  return () => clearTimeout(handle);
};

/** Why records could not be stored; `quota` is true when the storage is full. */
export class RecordWriteError extends Error {
  override name = 'RecordWriteError';
  constructor(
    message: string,
    readonly quota: boolean,
    /** Records waiting in memory when the failure was reported. */
    readonly pendingCount: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RecordWriterOptions {
  /** Longest wait before queued records are written, in ms (default 500). */
  intervalMs?: number;
  /** Wait before a failed write is tried again when no flush comes sooner, in ms (default 5000). */
  retryMs?: number;
  /** Told once when writing starts to fail: show the person `error.message`. */
  onError?: (error: RecordWriteError) => void;
  /** Told when writing works again after a failure: the warning can go. */
  onRecover?: () => void;
  schedule?: Schedule;
}

/** What the writer needs of a store. */
export type RecordSink = Pick<ExperimentStore, 'appendRecords'>;

function createWriteError(e: unknown, pending: number): RecordWriteError {
  const count = `${pending.toLocaleString('en-US')} record${pending === 1 ? '' : 's'}`;
  if (isQuotaError(e)) {
    return new RecordWriteError(
      `Storage is full: ${count} of this run are kept in memory but not saved. Export the experiment as JSON to keep them, ` +
        'or delete old experiments to free space; saving is retried.',
      true,
      pending,
      { cause: e },
    );
  }
  return new RecordWriteError(
    `Could not save records (${describeError(e)}): ${count} of this run are kept in memory but not saved. ` +
      'Export the experiment as JSON to keep them; saving is retried.',
    false,
    pending,
    { cause: e },
  );
}

export class RecordWriter {
  private queue: MetricRecord[] = [];
  /** The write in progress and those waiting behind it. */
  private chain: Promise<boolean> = Promise.resolve(true);
  private cancelTimer: (() => void) | null = null;
  private writing = false;
  private failing = false;
  private closed = false;
  private written = 0;
  /** The records of the write under way. */
  private inFlight: MetricRecord[] = [];
  private readonly intervalMs: number;
  private readonly retryMs: number;
  private readonly schedule: Schedule;

  constructor(
    private readonly sink: RecordSink,
    readonly experimentId: string,
    private readonly options: RecordWriterOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.retryMs = options.retryMs ?? 5000;
    this.schedule = options.schedule ?? systemSchedule;
  }

  /** Records queued and not yet stored (in a write that is under way, or waiting). */
  get pendingCount(): number {
    return this.inFlight.length + this.queue.length;
  }

  /** Records stored by this writer so far. */
  get writtenCount(): number {
    return this.written;
  }

  /** True from a failed write until the next successful one. */
  get isFailing(): boolean {
    return this.failing;
  }

  /** A copy of the records not yet stored, in order (to export them when storage is full). */
  pendingRecords(): MetricRecord[] {
    return [...this.inFlight, ...this.queue];
  }

  /** Queues records; they are written within `intervalMs`. Throws once the writer is closed. */
  push(records: readonly MetricRecord[]): void {
    if (this.closed) throw new Error(`The record writer of experiment "${this.experimentId}" is closed`);
    if (records.length === 0) return;
    for (const r of records) this.queue.push(r);
    this.arm();
  }

  /** Writes everything queued now; resolves true when that write succeeded (or there was nothing to write). */
  flush(): Promise<boolean> {
    this.disarm();
    this.chain = this.chain.then(() => this.writeQueued());
    return this.chain;
  }

  /**
   * A last flush; afterwards `push` throws and no timer runs. Resolves like `flush`: on false the
   * records are still in `pendingRecords()`, and `flush()` may be tried again.
   */
  async close(): Promise<boolean> {
    const ok = await this.flush();
    this.closed = true;
    this.disarm();
    return ok;
  }

  private arm(): void {
    if (this.cancelTimer || this.writing || this.closed || this.queue.length === 0) return;
    this.cancelTimer = this.schedule(
      () => {
        this.cancelTimer = null;
        void this.flush();
      },
      this.failing ? this.retryMs : this.intervalMs,
    );
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private async writeQueued(): Promise<boolean> {
    if (this.queue.length === 0) return true;
    // This write takes everything queued: a timer armed for it has nothing left to do.
    this.disarm();
    const batch = this.queue;
    this.queue = [];
    this.inFlight = batch;
    this.writing = true;
    let ok: boolean;
    try {
      await this.sink.appendRecords(this.experimentId, batch);
      ok = true;
    } catch (e) {
      ok = false;
      // Back in front of anything pushed meanwhile, so the order never changes.
      this.queue = batch.concat(this.queue);
      if (!this.failing) {
        this.failing = true;
        this.report(() => this.options.onError?.(createWriteError(e, this.queue.length)));
      }
    } finally {
      this.writing = false;
      this.inFlight = [];
    }
    if (ok) {
      this.written += batch.length;
      if (this.failing) {
        this.failing = false;
        this.report(() => this.options.onRecover?.());
      }
    }
    this.arm();
    return ok;
  }

  /** A listener that throws must not stop the writer. */
  private report(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      console.error('RecordWriter listener failed', e);
    }
  }
}
