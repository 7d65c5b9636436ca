/**
 * The worker's and the data layer's types and helpers that the UI shows, in one place: UI code
 * imports them from here (the store layer), never from the worker's protocol or data/ itself.
 */
export type { ArchiveSummary, BackendMeasurement, BackendName, BackendReport, BenchHook, BenchRequest, BenchResult, ChartRedrawTiming, DatasetPreview, DatasetSummary, PreviewSample } from '../worker/protocol';
export { BACKEND_ORDER, candidateName } from '../worker/protocol';
export type { TrainerClient } from '../worker/client';
export { formatBytes } from '../data/errors';
export { BUILTIN_DATASETS } from '../data/builtin';
