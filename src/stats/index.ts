/**
 * Statistics over seeds for comparing arms: descriptive statistics, paired tests against a
 * baseline arm, learning-curve bands and a plain-language verdict. Pure functions, no DOM.
 */
export { CONFIDENCE, describe, type Description } from './describe';
export { pairedComparison, type PairedComparison } from './paired';
export {
  areaUnderCurve,
  bandSeries,
  pairedDifferenceSeries,
  stepsToTarget,
  type AlignOptions,
  type BandKind,
  type BandPoint,
  type Direction,
  type Point,
} from './curves';
export { formatP, formatTarget, metricDirection, metricLabel } from './format';
export {
  quotedTest,
  SIGNIFICANCE,
  verdict,
  verdicts,
  type ArmVerdict,
  type Measure,
  type QuotedTest,
  type SeedOutcome,
  type VerdictInput,
  type VerdictOptions,
  type VerdictTest,
} from './verdict';
export { holm } from './holm';
export { signFlipP, wilcoxonExactP } from './exact';
export {
  summarizeExperiment,
  type ArmComparison,
  type ComparedTest,
  type ArmStats,
  type ExperimentSummary,
  type SeedStats,
  type SummarizeOptions,
} from './experiment';
export {
  baselineArm,
  defaultTarget,
  findPlainArm,
  SUMMARY_METRICS,
  summariseRun,
  type RunSummary,
  type RunSummaryOptions,
} from './run';
