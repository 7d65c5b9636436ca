import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../../engine/config';
import type { ComparisonRecord, MetricRecord } from '../../engine/records';
import { CSV_HEADER, serializeRecordsCsv, serializeRecordsJson } from './records';

const RECORDS: MetricRecord[] = [
  { type: 'step', arm: 'rg', seed: 1, step: 12, epoch: 0, loss: 2.13, weightedLoss: 1.32, rgWeight: 0.62, lr: 0.1, gradNorm: 3.2, ms: 41 },
  { type: 'eval', arm: 'rg', seed: 1, step: 100, epoch: 1, metrics: { loss: 1.41, accuracy: 0.53, perClassAccuracy: [0.5, 0.6] } },
  { type: 'event', arm: 'plain, fast', seed: 1, step: 50, name: 'lr', value: 0.05 },
  { type: 'diverged', arm: 'rg', seed: 1, step: 57, reason: 'loss is NaN' },
  { type: 'summary', arm: 'rg', seed: 1, steps: 300, ms: 12000, final: { accuracy: 0.61 }, best: { accuracy: 0.63 } },
];

describe('CSV export', () => {
  it('writes the contract header and one row per recorded value', () => {
    const lines = serializeRecordsCsv('exp1', RECORDS).trimEnd().split('\n');
    expect(lines[0]).toBe('experiment,arm,seed,step,epoch,metric,value');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines.slice(1)).toEqual([
      'exp1,rg,1,12,0,loss,2.13',
      'exp1,rg,1,12,0,weightedLoss,1.32',
      'exp1,rg,1,12,0,rgWeight,0.62',
      'exp1,rg,1,12,0,lr,0.1',
      'exp1,rg,1,12,0,gradNorm,3.2',
      'exp1,rg,1,12,0,ms,41',
      'exp1,rg,1,100,1,eval.loss,1.41',
      'exp1,rg,1,100,1,eval.accuracy,0.53',
      'exp1,rg,1,100,1,eval.perClassAccuracy[0],0.5',
      'exp1,rg,1,100,1,eval.perClassAccuracy[1],0.6',
      'exp1,"plain, fast",1,50,,event.lr,0.05',
      'exp1,rg,1,57,,diverged,1',
      'exp1,rg,1,300,,summary.ms,12000',
      'exp1,rg,1,300,,final.accuracy,0.61',
      'exp1,rg,1,300,,best.accuracy,0.63',
    ]);
  });

  it('writes task extras of step records too', () => {
    const rec: MetricRecord = { type: 'step', arm: 'g', seed: 2, step: 1, epoch: 0, loss: 1, weightedLoss: 1, rgWeight: 1, lr: 2e-4, gradNorm: 1, ms: 5, gAdv: 0.7, gL1: 0.3 };
    const lines = serializeRecordsCsv('p2p', [rec]).trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual(['p2p,g,2,1,0,gAdv,0.7', 'p2p,g,2,1,0,gL1,0.3']);
    expect(lines).toHaveLength(9);
  });

  it('writes one row per present class of perClassIoU and leaves absent classes (-1) out', () => {
    const rec: MetricRecord = { type: 'eval', arm: 'rg', seed: 1, step: 4, epoch: 0, metrics: { mIoU: 0.4, perClassIoU: [0.7, -1, 0.1] } };
    expect(serializeRecordsCsv('seg', [rec]).trimEnd().split('\n').slice(1)).toEqual([
      'seg,rg,1,4,0,eval.mIoU,0.4',
      'seg,rg,1,4,0,eval.perClassIoU[0],0.7',
      'seg,rg,1,4,0,eval.perClassIoU[2],0.1',
    ]);
  });

  it("writes a runner's comparison record: a diff per seed, then its statistics without a seed", () => {
    const c: ComparisonRecord = {
      type: 'comparison',
      arm: 'rg',
      baseline: 'plain',
      metric: 'accuracy',
      measure: 'final',
      target: null,
      seeds: [1, 2],
      diffs: [0.02, 0.04],
      meanDiff: 0.03,
      ci95: [-0.097, 0.157],
      effectSize: 2.1,
      pT: 0.2,
      pWilcoxon: 0.5,
      pPermutation: 0.5,
      test: 't',
      p: 0.2,
      pHolm: 0.4,
      family: 2,
      significant: false,
      interim: false,
      verdict: 'no significant difference between rg and plain over 2 seeds (...)',
    };
    expect(serializeRecordsCsv('e', [c]).trimEnd().split('\n').slice(1)).toEqual([
      'e,rg,1,,,comparison.final.accuracy.diff,0.02',
      'e,rg,2,,,comparison.final.accuracy.diff,0.04',
      'e,rg,,,,comparison.final.accuracy.meanDiff,0.03',
      'e,rg,,,,comparison.final.accuracy.effectSize,2.1',
      'e,rg,,,,comparison.final.accuracy.pT,0.2',
      'e,rg,,,,comparison.final.accuracy.pWilcoxon,0.5',
      'e,rg,,,,comparison.final.accuracy.pPermutation,0.5',
      'e,rg,,,,comparison.final.accuracy.p,0.2',
      'e,rg,,,,comparison.final.accuracy.pHolm,0.4',
      'e,rg,,,,comparison.final.accuracy.ci95Low,-0.097',
      'e,rg,,,,comparison.final.accuracy.ci95High,0.157',
      'e,rg,,,,comparison.final.accuracy.significant,0',
    ]);
    expect(JSON.parse(serializeRecordsJson({ experiment: 'e', config: null, backend: null, exportedAt: 'now' }, [c])).records).toEqual([c]);
  });

  it('writes only the header when there are no records', () => {
    expect(serializeRecordsCsv('e', [])).toBe(`${CSV_HEADER}\n`);
  });
});

describe('JSON export', () => {
  it('round-trips the records with their config', () => {
    const config = createDefaultConfig();
    const text = serializeRecordsJson({ experiment: 'exp1', config, backend: null, exportedAt: '2026-11-27T00:00:00Z' }, RECORDS);
    const parsed = JSON.parse(text);
    expect(parsed).toEqual({ format: 'rg-lab-records', version: 1, experiment: 'exp1', config, backend: null, exportedAt: '2026-11-27T00:00:00Z', records: RECORDS });
  });
});
