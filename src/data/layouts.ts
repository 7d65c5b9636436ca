/**
 * Layout detection from the archive's paths alone (after junk is dropped and a wrapping
 * folder looked through). Content checks come later, in each layout's parser.
 */

import type { Task } from '../engine/config';
import { DatasetError } from './errors';
import { IMAGE_EXTENSIONS, baseName, isImagePath, splitOf } from './paths';

export type LayoutKind = 'imagefolder' | 'cifar10' | 'cifar100' | 'voc' | 'images-masks' | 'pix2pix';

/** How the summary and messages name each layout. */
export const LAYOUT_NAMES: Record<LayoutKind, string> = {
  imagefolder: 'ImageFolder',
  cifar10: 'CIFAR-10 binary',
  cifar100: 'CIFAR-100 binary',
  voc: 'Pascal VOC 2012 segmentation',
  'images-masks': 'images/ + masks/ segmentation',
  pix2pix: 'pix2pix pairs',
};

/** The task each layout's data trains. */
export const LAYOUT_TASKS: Record<LayoutKind, Task> = {
  imagefolder: 'classify',
  cifar10: 'classify',
  cifar100: 'classify',
  voc: 'segment',
  'images-masks': 'segment',
  pix2pix: 'translate',
};

/** The four layouts with an example path each, for the "no known layout" message. */
export const LAYOUT_EXAMPLES =
  '(a) ImageFolder, e.g. train/cat/0001.png and test/cat/0002.png, or cat/0001.png without split folders; ' +
  '(b) CIFAR-10/100 binary, e.g. cifar-10-batches-bin/data_batch_1.bin or cifar-100-binary/train.bin; ' +
  '(c) segmentation, e.g. VOC2012/JPEGImages/2007_000032.jpg with VOC2012/SegmentationClass/2007_000032.png, ' +
  'or images/0001.jpg with masks/0001.png; ' +
  '(d) pix2pix pairs, e.g. train/0001.jpg holding A and B side by side, with val/ or test/';

const hasSegment = (p: string, name: string): boolean => p.split('/').some((s) => s.toLowerCase() === name);

/**
 * Names the layout of these file paths (relative to the dataset root, junk removed).
 * Throws a DatasetError naming the archive when there are no images or no known layout.
 */
export function detectLayout(files: string[], fileName: string): LayoutKind {
  const bases = files.map((f) => baseName(f).toLowerCase());
  if (bases.some((b) => /^data_batch_\d+\.bin$/.test(b) || b === 'test_batch.bin')) return 'cifar10';
  if (bases.some((b) => b === 'train.bin' || b === 'test.bin')) return 'cifar100';
  const images = files.filter(isImagePath);
  if (images.length === 0) {
    const seen = files.length === 0 ? 'the archive holds no files' : `the archive holds ${files.length} files, e.g. ${files.slice(0, 3).join(', ')}`;
    throw new DatasetError(fileName, `no images: found no ${IMAGE_EXTENSIONS.join(', ')} files and no CIFAR .bin files (${seen})`);
  }
  if (files.some((f) => hasSegment(f, 'segmentationclass')) && images.some((f) => hasSegment(f, 'jpegimages'))) return 'voc';
  if (images.some((f) => hasSegment(f, 'images')) && files.some((f) => hasSegment(f, 'masks'))) return 'images-masks';
  const inSplit = images.filter((f) => splitOf(f.split('/')[0]) !== null);
  if (inSplit.length > 0 && inSplit.every((f) => f.split('/').length === 2)) return 'pix2pix';
  if (images.some((f) => f.split('/').length >= 2)) return 'imagefolder';
  throw new DatasetError(
    fileName,
    `no known dataset layout (found ${images.length} images such as ${images.slice(0, 3).join(', ')}); expected one of: ${LAYOUT_EXAMPLES}`,
  );
}
