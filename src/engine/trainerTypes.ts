import type { Checkpoint } from './checkpoint';
import type { ExperimentConfig } from './config';
import type { Dataset } from './dataset';
import type { MetricRecord } from './records';
import type { TaskSamples } from './tasks/types';

/** The Trainer's options, progress, live settings and samples (trainer.ts re-exports them). */

export type RunStatus = 'idle' | 'running' | 'paused' | 'done' | 'stopped' | 'error';

export interface TrainerProgress {
  /** Lock steps completed. */
  step: number;
  totalSteps: number;
  epoch: number;
  /**
   * Training images per second over all arms and seeds, counting the steps whose losses have
   * been read back (a GPU backend queues steps ahead of the device, so `step` can run ahead of
   * what the device has done); 0 before the first read-back.
   */
  imagesPerSec: number;
  elapsedMs: number;
  /** Bytes the backend holds in tensors now (tf.memory(): the dataset, models, optimizer state, batches in flight). */
  deviceBytes?: number;
}

export interface LiveParams {
  lr?: number;
  momentum?: number;
  /** The RG scale ("loss weight"). */
  lossWeight?: number;
}

/** One arm's outputs on fixed val samples after an evaluation (segment and translate). */
export interface ArmSamples {
  arm: string;
  seed: number;
  step: number;
  samples: TaskSamples;
}

export interface TrainerOptions {
  config: ExperimentConfig;
  dataset: Dataset;
  onRecord: (r: MetricRecord) => void;
  onProgress?: (p: TrainerProgress) => void;
  /** Longest time between loss read-backs, in ms (a bunch is also read at every eval). */
  flushIntervalMs?: number;
  /**
   * Most lock steps whose losses wait on the device for a read-back (default 64): bounds the
   * tensors in flight however fast the backend steps.
   */
  maxPendingSteps?: number;
  /** A gradient norm above this marks the arm diverged. */
  maxGradNorm?: number;
  /** Receives each arm's outputs on fixed val samples after every evaluation (first seed only). */
  onSamples?: (s: ArmSamples) => void;
  /** How many val samples onSamples shows (default 6). */
  sampleCount?: number;
  /** Lets the host handle messages between steps (pause, stop, slider moves). */
  yieldToHost?: () => Promise<void>;
  /**
   * Receives a checkpoint after every evaluation (the stop's included), once it has been read
   * back; the step loop goes on meanwhile. Never called after run() has failed.
   */
  onCheckpoint?: (c: Checkpoint) => void;
}
