import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { simulateVerdicts, wilson95 } from '../stats/calibration';

/**
 * Measures the verdicts' false-positive rate (A/A) and power by simulation (src/stats/calibration.ts)
 * and writes the numbers as JSON and the tables of docs/statistics.md as Markdown:
 *   npx tsx src/bench/calibrate.ts --out docs/calibration.json
 */

const SEEDS = [3, 5, 10];
const EFFECTS = [0.5, 1, 1.5, 2, 3];

const { values } = parseArgs({ options: { out: { type: 'string' }, aa: { type: 'string', default: '10000' }, power: { type: 'string', default: '2000' } } });
const aaRuns = Number(values.aa);
const powerRuns = Number(values.power);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const aa = SEEDS.flatMap((seeds) =>
  [false, true].map((heavyTails) => {
    const r = simulateVerdicts({ seeds, experiments: aaRuns, heavyTails });
    return { seeds, noise: heavyTails ? 't3' : 'normal', ...r, rate: r.anyFinding / aaRuns, ci95: wilson95(r.anyFinding, aaRuns), uncorrectedRate: r.anyUncorrected / aaRuns };
  }),
);
const power = EFFECTS.flatMap((effect) =>
  SEEDS.map((seeds) => {
    const r = simulateVerdicts({ seeds, experiments: powerRuns, effect });
    return { seeds, effect, ...r, power: r.finalHigher / powerRuns, ci95: wilson95(r.finalHigher, powerRuns) };
  }),
);

const lines = [
  `A/A, ${aaRuns} experiments each (3 arms, a target: 4 tests per experiment):`,
  '',
  '| seeds | noise | claimed a difference (95% CI) | without Holm |',
  '|---|---|---|---|',
  ...aa.map((r) => `| ${r.seeds} | ${r.noise} | ${pct(r.rate)} (${pct(r.ci95[0])} to ${pct(r.ci95[1])}) | ${pct(r.uncorrectedRate)} |`),
  '',
  `Power on the final metric, ${powerRuns} experiments each (share found significantly higher):`,
  '',
  `| effect d_z | ${SEEDS.map((s) => `${s} seeds`).join(' | ')} |`,
  `|---|${SEEDS.map(() => '---').join('|')}|`,
  ...EFFECTS.map((e) => `| ${e} | ${SEEDS.map((s) => pct(power.find((p) => p.effect === e && p.seeds === s)?.power ?? NaN)).join(' | ')} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.out) writeFileSync(values.out, `${JSON.stringify({ format: 'rg-lab-calibration', version: 1, aa, power }, null, 1)}\n`);
