import { Rng } from '../engine/rng';

/**
 * Step-by-step interleaving for the benchmark's ratios. Variants that are compared (a bare loop,
 * a plain arm, an RG arm, two arms in lock step) run side by side as coroutines: one step of each
 * per round, in an order shuffled every round, each step timed from the moment its variant is
 * resumed to its next pause. Whatever else the machine does in a given second hits every variant
 * alike, so the ratio of two variants' steps in the same round carries little of that noise.
 */

/** Wall-clock and process CPU milliseconds of one step. */
export interface StepTime {
  wall: number;
  cpu: number;
}

/** Trains step by step and awaits `pause()` after each step (a Trainer's yieldToHost). */
export type Variant = (pause: () => Promise<void>) => Promise<void>;

export interface Clock {
  wall(): number;
  cpu(): number;
}

const processClock: Clock = {
  wall: () => performance.now(),
  cpu: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};

interface Coroutine {
  resume: (() => void) | null;
  paused: (() => void) | null;
  done: boolean;
  error: unknown;
  started: StepTime;
  timing: boolean;
  times: StepTime[];
}

export interface InterleaveOptions {
  /** Timed rounds: one step of each variant per round. */
  rounds: number;
  /** Untimed rounds first (model build, upload, first steps), default 2. */
  warmup?: number;
  /** Seeds the order of the variants in each round (default 0). */
  seed?: number;
  clock?: Clock;
}

/**
 * Runs every variant for `warmup + rounds` steps after its first pause and returns each one's
 * timed steps (index r = round r), then lets each run to its end. A variant must pause at least
 * `warmup + rounds + 1` times (its first pause ends construction and its first step).
 */
export async function interleave(variants: Record<string, Variant>, opts: InterleaveOptions): Promise<Record<string, StepTime[]>> {
  const clock = opts.clock ?? processClock;
  const warmup = opts.warmup ?? 2;
  const now = (): StepTime => ({ wall: clock.wall(), cpu: clock.cpu() });
  const names = Object.keys(variants);
  const cos = new Map<string, Coroutine>();

  const untilPause = (co: Coroutine): Promise<void> =>
    new Promise<void>((resolve) => {
      co.paused = resolve;
      if (co.done) resolve();
    });

  for (const name of names) {
    const co: Coroutine = { resume: null, paused: null, done: false, error: null, started: now(), timing: false, times: [] };
    cos.set(name, co);
    const pause = (): Promise<void> => {
      if (co.timing) {
        const end = now();
        co.times.push({ wall: end.wall - co.started.wall, cpu: end.cpu - co.started.cpu });
      }
      const resumed = new Promise<void>((r) => (co.resume = r));
      const p = co.paused;
      co.paused = null;
      p?.();
      return resumed;
    };
    const first = untilPause(co);
    variants[name](pause)
      .catch((e: unknown) => (co.error = e))
      .finally(() => {
        co.done = true;
        const p = co.paused;
        co.paused = null;
        p?.();
      });
    await first;
    throwIfFailed(name, co);
  }

  const step = async (name: string, timing: boolean): Promise<void> => {
    const co = cos.get(name)!;
    if (co.done) throw new Error(`benchmark variant "${name}" ended before its last timed step`);
    co.timing = timing;
    const paused = untilPause(co);
    const resume = co.resume!;
    co.resume = null;
    co.started = now();
    resume();
    await paused;
    throwIfFailed(name, co);
  };

  const rng = new Rng(opts.seed ?? 0);
  for (let r = 0; r < warmup + opts.rounds; r++) {
    // A shuffled order: no variant always runs first, or always right after the same other one.
    const order = rng.permutation(names.length);
    for (const k of order) await step(names[k], r >= warmup);
  }
  // Each variant finishes (its last step, final read-back and evaluation) untimed.
  for (const name of names) {
    const co = cos.get(name)!;
    co.timing = false;
    while (!co.done) await step(name, false);
  }
  return Object.fromEntries(names.map((n) => [n, cos.get(n)!.times]));
}

function throwIfFailed(name: string, co: Coroutine): void {
  if (co.error) throw new Error(`benchmark variant "${name}" failed: ${co.error instanceof Error ? co.error.message : String(co.error)}`);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/** The median over rounds of f(round): a ratio taken within each round, then its median. */
export function medianPerRound(rounds: number, f: (r: number) => number): number {
  return median(Array.from({ length: rounds }, (_, r) => f(r)));
}

/**
 * A distribution-free 95% confidence interval for the median of `xs`: the order statistics of
 * ranks n/2 - 1.96 sqrt(n)/2 and 1 + n/2 + 1.96 sqrt(n)/2, rounded outwards (the binomial's
 * normal approximation; for n = 100 the 40th and 61st), clamped to the sample.
 */
export function medianCi95(xs: readonly number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const half = 0.98 * Math.sqrt(n);
  const lo = Math.max(0, Math.floor(n / 2 - half) - 1);
  const hi = Math.min(n - 1, Math.ceil(1 + n / 2 + half) - 1);
  return [s[lo], s[hi]];
}
