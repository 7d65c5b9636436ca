/**
 * Sweeps over learning rate x momentum x arm variants, the paper's experiments as presets, a
 * queue that runs the cells through an injected trainer, and the tables and heatmap of their
 * results. Pure TypeScript: no DOM, no React.
 */
export {
  ARM_VARIANTS,
  cellId,
  createCustomSpec,
  defaultEvalEvery,
  estimateSweepCost,
  expandSweep,
  findBaseline,
  formatNumberList,
  MAX_AXIS_VALUES,
  MAX_BUDGET,
  MAX_VARIANTS,
  MIN_BUDGET,
  parseNumberList,
  pickVariants,
  SWEEP_METRICS,
  SweepError,
  validateSweep,
  type ArmVariant,
  type RgVariant,
  type SweepCell,
  type SweepCost,
  type SweepSpec,
} from './spec';
export { describeProgress, estimateRemainingMs, formatRemaining, isQueueActive, SweepQueue, type CellState, type CellStatus, type QueueStatus, type RunOne, type SweepProgress, type SweepQueueOptions } from './queue';
export {
  cellOutcomes,
  formatMetricDelta,
  formatMetricValue,
  heatmapColor,
  heatmapGrid,
  heatmapPosition,
  heatmapStops,
  isFractionMetric,
  summarizeCell,
  sweepCsvHeader,
  sweepTable,
  sweepTableCsv,
  textColorOn,
  type ArmOutcome,
  type HeatmapCell,
  type HeatmapGrid,
  type HeatmapStat,
  type SweepTableRow,
} from './results';
export { findPreset, PAPER_PRESETS, TABLE1, type PaperClaim, type PaperNumber, type PaperPreset, type PaperPresetId } from './presets';
export { compareOutcomes, paperVsLab, resolveArm, type PaperRow } from './paper';
