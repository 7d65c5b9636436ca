/**
 * Keeps long loads responsive: work runs in slices of a few milliseconds, then yields to the
 * event loop so a worker can receive a cancel message and post progress; cancellation is
 * checked at every tick.
 */

/** What a load reports as it goes. `bytes` and `totalBytes` are archive (input) bytes. */
export interface LoadProgress {
  phase: 'reading' | 'decoding';
  /** Files read from the archive (reading) or images decoded (decoding). */
  files: number;
  /** Files to decode, when known (decoding only). */
  totalFiles: number | null;
  bytes: number;
  totalBytes: number | null;
}

export type ProgressCallback = (p: LoadProgress) => void;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Yields to the event loop every `sliceMs` of work and throws the abort reason once aborted. */
export class Pacer {
  private last = now();

  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = 25,
  ) {}

  /** Throws if cancelled; yields if this slice has run long enough. Returns true if it yielded. */
  async tick(): Promise<boolean> {
    this.signal?.throwIfAborted();
    if (now() - this.last < this.sliceMs) return false;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.last = now();
    this.signal?.throwIfAborted();
    return true;
  }

  /** True once the load was cancelled. */
  get aborted(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Throws the abort reason if cancelled. */
  check(): void {
    this.signal?.throwIfAborted();
  }
}
