import type { ArmConfig, ExperimentConfig } from '../../engine/config';

/** The config in a few lines, for the caption under an exported chart. */

function optimizerText(a: ArmConfig): string {
  const o = a.optimizer;
  const base = o.type === 'sgd' ? `SGD lr ${o.lr}, momentum ${o.momentum}${o.nesterov ? ' (Nesterov)' : ''}` : `${o.type === 'adam' ? 'Adam' : 'AdamW'} lr ${o.lr}, betas ${o.beta1}/${o.beta2}`;
  return o.weightDecay ? `${base}, wd ${o.weightDecay}` : base;
}

function rgText(a: ArmConfig): string {
  const r = a.rg;
  const scale = r.scale !== 1 ? ` x ${r.scale}` : '';
  const p = r.mode !== 'off' && r.probability !== 1 ? ` on ${r.probability * 100}% of steps` : '';
  switch (r.mode) {
    case 'off':
      return r.scale !== 1 ? `loss x ${r.scale}` : 'RG off';
    case 'constant':
      return `RG weight ${r.weight}${scale}${p}`;
    case 'uniform':
      return `RG r ~ U[${r.low}, ${r.high})${scale}${p}`;
    case 'cyclical':
      return `RG cyclical ${r.min}..${r.max} every ${r.period} ${r.unit}s${scale}${p}`;
  }
}

/** One line for the run, one per arm. */
export function configCaption(c: ExperimentConfig): string[] {
  const length = c.steps !== undefined ? `${c.steps} steps` : `${c.epochs} epochs`;
  const run = [c.model, c.dataset, `${c.inputSize} px`, `batch ${c.batchSize}`, length, `eval every ${c.evalEvery}`, `seeds ${c.seeds.join(', ')}`];
  if (c.augment) run.push('augment');
  return [run.join(' · '), ...c.arms.map((a) => `${a.name}: ${optimizerText(a)}, ${a.lrSchedule.type} schedule; ${rgText(a)}`)];
}
