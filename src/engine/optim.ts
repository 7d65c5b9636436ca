import * as tf from '@tensorflow/tfjs';
import { copyTensor, readTensors, type TensorData, tensorFromData } from './checkpoint';
import type { OptimizerConfig } from './config';

/**
 * Optimizers with torch.optim's exact update rules (PyTorch 1.13, foreach off, amsgrad off):
 * - SGD: d = g + wd*p; buf = d on its first step, else momentum*buf + d (dampening 0);
 *   d = nesterov ? d + momentum*buf : buf; p -= lr*d.
 * - Adam: g += wd*p; m, v moving averages; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
 * - AdamW: p *= 1 - lr*wd, then Adam without weight decay.
 * The gradient passed in is the data-loss gradient, already scaled by the RG weight; weight
 * decay is added here and so is never scaled by it. Hyperparameters may change between steps.
 */

/** The optimizer's state as plain data (a checkpoint's part). */
export interface OptimizerSnapshot {
  step: number;
  momentumReady: boolean;
  slots: TensorData[];
}

export class Optimizer {
  /** Live values; a change applies from the next step. */
  lr: number;
  momentum: number;
  private step = 0;
  private momentumReady = false;
  /** SGD: one momentum buffer per parameter. Adam: first then second moments. */
  private readonly slots: tf.Variable[];

  constructor(
    readonly config: OptimizerConfig,
    private readonly params: tf.Variable[],
  ) {
    this.lr = config.lr;
    this.momentum = config.type === 'sgd' ? config.momentum : 0;
    const perParam = config.type === 'sgd' ? 1 : 2;
    this.slots = [];
    for (let k = 0; k < perParam; k++) {
      for (const p of params) this.slots.push(tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /** Applies one update with learning rate `lr` (the schedule's value for this step). */
  applyGradients(grads: tf.Tensor[], lr: number): void {
    if (grads.length !== this.params.length) throw new Error(`expected ${this.params.length} gradients, got ${grads.length}`);
    const cfg = this.config;
    tf.tidy(() => {
      if (cfg.type === 'sgd') this.applySgd(grads, lr, cfg.weightDecay, cfg.nesterov);
      else this.applyAdam(grads, lr, cfg.beta1, cfg.beta2, cfg.epsilon, cfg.weightDecay, cfg.type === 'adamw');
    });
    this.step++;
  }

  private applySgd(grads: tf.Tensor[], lr: number, wd: number, nesterov: boolean): void {
    const mu = this.momentum;
    this.params.forEach((p, i) => {
      let d = grads[i];
      if (wd !== 0) d = tf.add(d, tf.mul(p, wd));
      if (mu !== 0) {
        const buf = this.slots[i];
        buf.assign(this.momentumReady ? tf.add(tf.mul(buf, mu), d) : d);
        d = nesterov ? tf.add(d, tf.mul(buf, mu)) : buf;
      }
      p.assign(tf.sub(p, tf.mul(d, lr)));
    });
    if (mu !== 0) this.momentumReady = true;
  }

  private applyAdam(grads: tf.Tensor[], lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean): void {
    const t = this.step + 1;
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    const n = this.params.length;
    this.params.forEach((p, i) => {
      let g = grads[i];
      let base: tf.Tensor = p;
      if (wd !== 0) {
        if (decoupled) base = tf.mul(p, 1 - lr * wd);
        else g = tf.add(g, tf.mul(p, wd));
      }
      const m = this.slots[i];
      const v = this.slots[n + i];
      m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
      const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
      p.assign(tf.sub(base, tf.mul(tf.div(m, denom), lr / bc1)));
    });
  }

  /** The optimizer's state with its slots copied on the device, synchronously; the caller disposes the copies. */
  copyState(): { step: number; momentumReady: boolean; slots: tf.Tensor[] } {
    return { step: this.step, momentumReady: this.momentumReady, slots: this.slots.map(copyTensor) };
  }

  /** The shapes of the state's slots, in snapshot order. */
  slotShapes(): number[][] {
    return this.slots.map((s) => s.shape);
  }

  /** The optimizer's state, read back for a checkpoint. */
  async snapshot(): Promise<OptimizerSnapshot> {
    const { step, momentumReady, slots } = this.copyState();
    return { step, momentumReady, slots: await readTensors(slots) };
  }

  restore(snap: OptimizerSnapshot): void {
    if (snap.slots.length !== this.slots.length) throw new Error('optimizer snapshot does not match');
    this.step = snap.step;
    this.momentumReady = snap.momentumReady;
    snap.slots.forEach((s, i) => tf.tidy(() => this.slots[i].assign(tensorFromData(s))));
  }

  dispose(): void {
    for (const s of this.slots) s.dispose();
  }
}
