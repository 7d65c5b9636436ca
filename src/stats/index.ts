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
export { quotedTest, SIGNIFICANCE, verdict, type QuotedTest, type SeedOutcome, type VerdictInput } from './verdict';
export {
  summarizeExperiment,
  type ArmComparison,
  type ArmStats,
  type ExperimentSummary,
  type SeedStats,
  type SummarizeOptions,
} from './experiment';
