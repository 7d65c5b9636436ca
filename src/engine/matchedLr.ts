import type { ArmConfig } from './config';
import { expectedRgWeight } from './rg';

/**
 * The matched-learning-rate control of an RG arm: the same arm with RG off and its learning rate
 * multiplied by the RG weight's mean (0.5 for U[0, 1)), so its mean step equals the RG arm's.
 * If it beats the RG arm as well as plain does, RG's effect was its smaller step. The default
 * config's third arm and the UI's "+ matched-LR plain arm" button both come from here.
 */
export function matchedLrArm(arm: ArmConfig, arms: readonly ArmConfig[]): ArmConfig {
  const factor = expectedRgWeight(arm.rg);
  const names = new Set(arms.map((a) => a.name));
  let name = `${arm.name} matched lr`;
  for (let i = 2; names.has(name); i++) name = `${arm.name} matched lr ${i}`;
  // An arm is plain JSON data (no dates or typed arrays), so a JSON round trip copies it deeply.
  const copy = JSON.parse(JSON.stringify(arm)) as ArmConfig;
  return {
    ...copy,
    name,
    optimizer: { ...copy.optimizer, lr: Number((arm.optimizer.lr * factor).toPrecision(6)) },
    rg: { mode: 'off', probability: 1, scale: 1, ...(arm.rg.applyTo ? { applyTo: arm.rg.applyTo } : {}) } as ArmConfig['rg'],
  };
}
