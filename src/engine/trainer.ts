import * as tf from '@tensorflow/tfjs';
import { type ArmLiveState, captureRun, type Checkpoint, CheckpointError, checkRestore, readRunCapture, restoreArm, type RunCapture } from './checkpoint';
import type { ArmConfig, ExperimentConfig } from './config';
import type { Model } from './models';
import { emitStepRecords, type PendingStep, pendingTensors, readPendingValues } from './readBack';
import { HIGHER_IS_BETTER, type EventRecord } from './records';
import { rgWeightAt } from './rg';
import { learningRateAt, type ScheduleClock } from './schedules';
import { type ArmModels, createTaskRunner, type TaskRunner } from './tasks';
import type { LiveParams, RunStatus, TrainerOptions } from './trainerTypes';
import { disposeArm } from './tasks/types';

/**
 * Runs N arms x S seeds in lock step. For each seed, every arm starts from the same initial
 * weights (drawn once, then copied) and is fed the same batch, prepared once per step; arms
 * differ only in their config. Records go out through `onRecord`; losses are read back
 * asynchronously in bunches, never synchronously inside a step. After each evaluation the run's
 * state is copied on the device and read back while training goes on (`onCheckpoint`); a fresh
 * trainer given that checkpoint (`restore`) continues with the same records as if never stopped.
 * The read-back and divergence checks live in readBack.ts; capturing and checking checkpoints in
 * checkpoint.ts.
 */

export type { ArmSamples, LiveParams, RunStatus, TrainerOptions, TrainerProgress } from './trainerTypes';

/** One arm x seed: its models and its live state (lr, momentum and lossWeight change with setParams). */
interface ArmRun extends ArmLiveState {
  config: ArmConfig;
  seed: number;
  arm: ArmModels;
  /** Test samples behind `lastEval` once it comes from the whole split. */
  finalEvalSamples?: number;
}

const defaultYield = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class Trainer {
  readonly config: ExperimentConfig;
  readonly totalSteps: number;
  readonly stepsPerEpoch: number;
  private readonly task: TaskRunner<unknown>;
  private readonly runs: ArmRun[] = [];
  private readonly opts: TrainerOptions;
  private pending: PendingStep<ArmRun>[] = [];
  private lastFlush = 0;
  /** The lock step whose losses were last read back, and when that read-back ended. */
  private readBack = { step: 0, at: 0 };
  private statusValue: RunStatus = 'idle';
  private resumeWaiter: (() => void) | null = null;
  private stopRequested = false;
  private abortError: Error | null = null;
  private stepsDone = 0;
  /** The checkpoint being read back, if any (one at a time). */
  private checkpointing: Promise<void> | null = null;
  private checkpointsClosed = false;
  /** The step of the last evaluation on the whole test split (-1: none yet). */
  private finalEvalAt = -1;

  constructor(opts: TrainerOptions) {
    this.opts = opts;
    this.config = opts.config;
    const cfg = opts.config;
    this.task = createTaskRunner(cfg, opts.dataset);
    this.stepsPerEpoch = this.task.stepsPerEpoch;
    this.totalSteps = cfg.steps ?? (cfg.epochs ?? 1) * this.stepsPerEpoch;
    for (const seed of cfg.seeds) {
      let first: ArmModels | null = null;
      for (const armCfg of cfg.arms) {
        const arm: ArmModels = this.task.createArm(armCfg, seed, first);
        first ??= arm;
        this.runs.push({
          config: armCfg,
          seed,
          arm,
          lr: armCfg.optimizer.lr,
          momentum: armCfg.optimizer.type === 'sgd' ? armCfg.optimizer.momentum : 0,
          lossWeight: armCfg.rg.scale,
          diverged: null,
          divergedAt: -1,
          stepsDone: 0,
          msTotal: 0,
          lastEval: {},
          best: {},
        });
      }
    }
  }

  get status(): RunStatus {
    return this.statusValue;
  }

  /** Lock steps completed (a restored trainer starts at its checkpoint's step). */
  get step(): number {
    return this.stepsDone;
  }

  /**
   * Trains to the end (or until stopped), from step 1 or from the restored checkpoint's next
   * step; resolves when every record and checkpoint has been emitted.
   */
  async run(): Promise<void> {
    if (this.statusValue !== 'idle') throw new Error(`run() called while ${this.statusValue}`);
    this.statusValue = 'running';
    const started = performance.now();
    const firstStep = this.stepsDone;
    this.lastFlush = started;
    const yieldToHost = this.opts.yieldToHost ?? defaultYield;
    const flushMs = this.opts.flushIntervalMs ?? 250;
    const maxPending = this.opts.maxPendingSteps ?? 64;
    this.readBack = { step: this.stepsDone, at: started };
    const imagesPerLockStep = this.task.batchSize * this.runs.length;
    const allDiverged = (): boolean => this.runs.every((r) => r.diverged);
    try {
      for (let t = this.stepsDone; t < this.totalSteps && !allDiverged(); t++) {
        this.throwIfAborted();
        for (const seed of this.config.seeds) this.lockStep(seed, t);
        this.stepsDone = t + 1;
        const atEval = this.stepsDone % this.config.evalEvery === 0 || this.stepsDone === this.totalSteps;
        if (atEval || t + 1 - this.readBack.step >= maxPending || performance.now() - this.lastFlush >= flushMs) await this.flush();
        if (atEval) {
          await this.evaluate(this.stepsDone, this.stepsDone === this.totalSteps);
          await this.saveCheckpoint();
        }
        const elapsedMs = performance.now() - started;
        this.opts.onProgress?.({
          step: this.stepsDone,
          totalSteps: this.totalSteps,
          epoch: this.stepsDone / this.stepsPerEpoch,
          imagesPerSec: this.readBack.step > firstStep ? (imagesPerLockStep * (this.readBack.step - firstStep)) / Math.max((this.readBack.at - started) / 1000, 1e-9) : 0,
          elapsedMs,
          deviceBytes: tf.memory().numBytes,
        });
        if (allDiverged()) break;
        await yieldToHost();
        if (this.status === 'paused') await new Promise<void>((r) => (this.resumeWaiter = r));
        this.throwIfAborted();
        if (this.stopRequested) break;
      }
      await this.flush();
      // A stopped run ends on the whole test split too (a second record at an eval step's live one).
      if (this.stopRequested && this.finalEvalAt !== this.stepsDone && !allDiverged()) {
        await this.evaluate(this.stepsDone, true);
        await this.saveCheckpoint();
      }
      await this.checkpointing;
      for (const r of this.runs) this.emitSummary(r);
      this.statusValue = this.stopRequested ? 'stopped' : 'done';
    } catch (e) {
      this.statusValue = 'error';
      this.checkpointsClosed = true;
      throw e;
    } finally {
      this.disposePending();
    }
  }

  /**
   * The run's state between two steps: every arm's weights (parameters and batch-norm
   * statistics), optimizer state, live settings, divergence and best metrics. The trainer's own
   * checkpoints (onCheckpoint) come right after an evaluation, when every step record up to
   * `step` has been emitted and divergence is up to date.
   */
  async checkpoint(): Promise<Checkpoint> {
    return readRunCapture(this.capture());
  }

  /**
   * Makes a fresh trainer (built from the same config and data, run() not yet called) continue
   * from a checkpoint: run() then starts at checkpoint.step + 1. Checks everything before
   * changing anything; throws a CheckpointError naming what does not fit.
   */
  restore(c: Checkpoint): void {
    if (this.statusValue !== 'idle' || this.stepsDone !== 0) throw new CheckpointError('restore() needs a fresh trainer, before run()');
    const states = checkRestore(c, {
      totalSteps: this.totalSteps,
      stepsPerEpoch: this.stepsPerEpoch,
      batchSize: this.task.batchSize,
      runs: this.runs.map((r) => ({ name: r.config.name, seed: r.seed, arm: r.arm })),
    });
    this.runs.forEach((r, i) => {
      restoreArm(r.arm, c.arms[i]);
      Object.assign(r, states[i]);
    });
    this.stepsDone = c.step;
  }

  /**
   * Ends the run at the next step boundary: run() rejects with `error`, without evaluating or
   * writing summaries (the device it trains on is gone).
   */
  abort(error: Error): void {
    this.abortError ??= error;
    if (this.statusValue === 'paused') this.resume();
  }

  pause(): void {
    if (this.statusValue === 'running') this.statusValue = 'paused';
  }

  resume(): void {
    if (this.statusValue !== 'paused') return;
    this.statusValue = 'running';
    const w = this.resumeWaiter;
    this.resumeWaiter = null;
    w?.();
  }

  /** Stops cooperatively after the current step; the run still emits its summaries. */
  stop(): void {
    this.stopRequested = true;
    if (this.statusValue === 'paused') this.resume();
  }

  /** Changes an arm's settings from the next step on, in every seed; records an event. */
  setParams(arm: string, p: LiveParams): void {
    const runs = this.runs.filter((r) => r.config.name === arm);
    if (runs.length === 0) throw new Error(`no arm named "${arm}"`);
    const step = this.stepsDone + 1;
    for (const r of runs) {
      const events: EventRecord[] = [];
      if (p.lr !== undefined) {
        r.lr = p.lr;
        events.push({ type: 'event', arm, seed: r.seed, step, name: 'lr', value: p.lr });
      }
      if (p.momentum !== undefined) {
        r.momentum = p.momentum;
        events.push({ type: 'event', arm, seed: r.seed, step, name: 'momentum', value: p.momentum });
      }
      if (p.lossWeight !== undefined) {
        r.lossWeight = p.lossWeight;
        events.push({ type: 'event', arm, seed: r.seed, step, name: 'lossWeight', value: p.lossWeight });
      }
      for (const e of events) this.opts.onRecord(e);
    }
  }

  /** Frees every tensor the trainer holds. */
  dispose(): void {
    this.disposePending();
    for (const r of this.runs) disposeArm(r.arm);
    this.runs.length = 0;
    this.task.dispose();
  }

  /** The models of one seed in arm order (each arm's first model), for inspection and tests. */
  modelsOf(seed: number): Model[] {
    return this.runs.filter((r) => r.seed === seed).map((r) => r.arm.models[0]);
  }

  private lockStep(seed: number, t: number): void {
    const batch = this.task.trainBatch(seed, t);
    const clock: ScheduleClock = { t, total: this.totalSteps, stepsPerEpoch: this.stepsPerEpoch };
    try {
      for (const run of this.runs) {
        if (run.seed !== seed || run.diverged) continue;
        this.stepArm(run, batch, clock);
      }
    } finally {
      this.task.disposeBatch(batch);
    }
  }

  private stepArm(run: ArmRun, batch: unknown, clock: ScheduleClock): void {
    const t0 = performance.now();
    const { weight } = rgWeightAt({ ...run.config.rg, scale: run.lossWeight }, run.seed, clock);
    const lr = learningRateAt(run.config.lrSchedule, run.lr, run.config.optimizer.lr, clock);
    for (const o of run.arm.optimizers) o.momentum = run.momentum;
    const out = this.task.step(run.arm, run.config, batch, { weight, lr });
    const ms = performance.now() - t0;
    run.stepsDone = clock.t + 1;
    run.msTotal += ms;
    this.pending.push({
      run,
      step: clock.t + 1,
      epoch: Math.floor(clock.t / this.stepsPerEpoch),
      loss: out.loss,
      gradNorm: out.gradNorm,
      extras: Object.entries(out.extras ?? {}),
      rgWeight: weight,
      lossWeight: out.lossWeight ?? weight,
      lr,
      ms,
    });
  }

  /** Reads back the pending losses in one bunch, emits step records and marks divergence. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.lastFlush = performance.now();
    const upTo = this.stepsDone;
    if (batch.length === 0) return;
    const values = await readPendingValues(batch);
    this.readBack = { step: upTo, at: performance.now() };
    emitStepRecords(batch, values, this.opts.maxGradNorm ?? 1e6, this.opts.onRecord);
  }

  /**
   * Evaluates every live arm: on the whole test split when `final` (the run's last evaluation),
   * else on the task's fixed live subset (the whole split too when the subset covers it).
   */
  private async evaluate(step: number, final: boolean): Promise<void> {
    const sizes = this.task.evalSizes;
    const scope = final || sizes.live >= sizes.final ? 'final' : 'live';
    if (scope === 'final') this.finalEvalAt = step;
    for (const run of this.runs) {
      if (run.diverged) continue;
      const metrics = await this.task.evaluate(run.arm, scope);
      this.opts.onRecord({
        type: 'eval',
        arm: run.config.name,
        seed: run.seed,
        step,
        epoch: Math.floor(step / this.stepsPerEpoch),
        metrics,
        evalSamples: sizes[scope],
        scope,
      });
      if (scope === 'final') run.finalEvalSamples = sizes.final;
      if (this.opts.onSamples && this.task.samples && run.seed === this.config.seeds[0]) {
        const samples = await this.task.samples(run.arm, this.opts.sampleCount ?? 6);
        this.opts.onSamples({ arm: run.config.name, seed: run.seed, step, samples });
      }
      run.lastEval = Object.fromEntries(Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === 'number'));
      for (const [k, v] of Object.entries(run.lastEval)) {
        const prev = run.best[k];
        const better = prev === undefined || (HIGHER_IS_BETTER.has(k) ? v > prev : v < prev);
        if (better) run.best[k] = v;
      }
    }
  }

  private throwIfAborted(): void {
    if (this.abortError) throw this.abortError;
  }

  /** Copies the run's state on the device and takes its plain state, synchronously. */
  private capture(): RunCapture {
    return captureRun(this.stepsDone, this.stepsPerEpoch, this.task.batchSize, this.runs);
  }

  /** Starts reading a checkpoint for onCheckpoint; waits for the previous one first, whose failure fails the run. */
  private async saveCheckpoint(): Promise<void> {
    const deliver = this.opts.onCheckpoint;
    if (!deliver) return;
    await this.checkpointing;
    const reading = readRunCapture(this.capture()).then((c) => {
      if (!this.checkpointsClosed) deliver(c);
    });
    // Awaited at the next checkpoint or at the end; this keeps a failure from going unhandled meanwhile.
    reading.catch(() => undefined);
    this.checkpointing = reading;
  }

  private emitSummary(run: ArmRun): void {
    this.opts.onRecord({
      type: 'summary',
      arm: run.config.name,
      seed: run.seed,
      steps: run.stepsDone,
      ms: run.msTotal,
      final: run.lastEval,
      best: run.best,
      ...(run.finalEvalSamples !== undefined ? { finalEvalSamples: run.finalEvalSamples } : {}),
      ...(run.diverged ? { diverged: run.diverged } : {}),
    });
  }

  private disposePending(): void {
    tf.dispose(this.pending.flatMap(pendingTensors));
    this.pending = [];
  }
}
