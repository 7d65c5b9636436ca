/**
 * The data layer's public face: archive loading (any of the four layouts), the built-in
 * datasets, and what the UI and runner need (errors, summaries, progress, the decoder
 * interface). Decoders come from their own modules, decodeBrowser and decodeNode, so a bundle
 * never pulls in the other platform's ("decode.node" would read as a native addon to Node).
 */

export { loadArchiveDataset, DEFAULT_INPUT_SIZE, DEFAULT_MEMORY_BUDGET, type LoadArchiveOptions, type LoadedDataset } from './load';
export { readArchive, detectArchiveFormat, DEFAULT_ARCHIVE_LIMITS, type ArchiveFormat, type ArchiveInput, type ArchiveLimits, type ArchiveContents } from './archive';
export { DatasetError, formatBytes } from './errors';
export { describeSummary, type DatasetSummary, type SkippedFile } from './summary';
export { LAYOUT_NAMES, LAYOUT_TASKS, LAYOUT_EXAMPLES, type LayoutKind } from './layouts';
export type { LoadProgress, ProgressCallback } from './pace';
export type { DecodedImage, DecodeOptions, ImageDecoder } from './image';
export { VOC_CLASSES, vocColormap } from './parsers/segmentation';
export { CIFAR10_CLASSES } from './parsers/cifar';
export { BUILTIN_DATASETS, loadBuiltinDataset, type BuiltinDatasetInfo, type BuiltinLoadOptions } from './builtin';
