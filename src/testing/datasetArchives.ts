/**
 * Dataset archives for tests, built at test time from seeded generated images: every layout
 * the loader reads, valid and broken. Shared by the unit tests and (later) the browser tests.
 */

import jpeg from 'jpeg-js';
import { Rng } from '../engine/rng';
import { gzip, makeTar, makeZip, textBytes, type FixtureFiles } from './archives';
import { encodePngImage } from './png';

export type ImageFormat = 'png' | 'jpg';

/** A class-coloured RGB image: class k gets its own base colour and a bright square, plus noise. */
export function makeClassImage(rng: Rng, k: number, width: number, height: number): Uint8Array {
  const base = [(k * 97) % 256, (k * 57 + 80) % 256, (k * 151 + 160) % 256];
  const out = new Uint8Array(width * height * 3);
  const sq = Math.max(1, Math.floor(Math.min(width, height) / 3));
  const x0 = rng.int(width - sq + 1);
  const y0 = rng.int(height - sq + 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inSq = x >= x0 && x < x0 + sq && y >= y0 && y < y0 + sq;
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = Math.min(255, (inSq ? 255 - base[c] : base[c]) + rng.int(24));
    }
  }
  return out;
}

/** Encodes RGB bytes as PNG or JPEG (quality 90). */
export function encodeImage(rgb: Uint8Array, width: number, height: number, format: ImageFormat): Uint8Array {
  if (format === 'png') return encodePngImage({ width, height, data: rgb, color: 'rgb' });
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, 90).data);
}

/** macOS and Windows leftovers that every loader must ignore. */
export function junkFiles(): FixtureFiles {
  return [
    ['__MACOSX/._train', textBytes('resource fork')],
    ['.DS_Store', textBytes('finder')],
    ['Thumbs.db', textBytes('thumbs')],
  ];
}

export interface ImageFolderOptions {
  classes?: string[] | number;
  perClass?: number;
  /** Test images per class, when `split` (default perClass / 2, at least 1). */
  testPerClass?: number;
  size?: number;
  seed?: number;
  /** train/ and test/ folders (default true); false gives `<class>/<image>` only. */
  split?: boolean;
  format?: ImageFormat;
  /** A folder wrapped around everything, e.g. "mydata". */
  root?: string;
  /** Add __MACOSX/, .DS_Store and Thumbs.db (default true). */
  junk?: boolean;
}

function classList(c: string[] | number | undefined): string[] {
  if (Array.isArray(c)) return c;
  return Array.from({ length: c ?? 3 }, (_, i) => `class${i}`);
}

/** ImageFolder entries: `[root/]<split>/<class>/<n>.<ext>` or `[root/]<class>/<n>.<ext>`. */
export function imageFolderFiles(opts: ImageFolderOptions = {}): FixtureFiles {
  const classes = classList(opts.classes);
  const perClass = opts.perClass ?? 4;
  const size = opts.size ?? 8;
  const format = opts.format ?? 'png';
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 101);
  const root = opts.root ? `${opts.root}/` : '';
  const files: FixtureFiles = opts.junk === false ? [] : junkFiles();
  const splits: [string, number][] = opts.split === false ? [['', perClass]] : [['train/', perClass], ['test/', opts.testPerClass ?? Math.max(1, perClass >> 1)]];
  for (const [split, n] of splits) {
    classes.forEach((name, k) => {
      for (let i = 0; i < n; i++) {
        files.push([`${root}${split}${name}/${String(i).padStart(4, '0')}.${format}`, encodeImage(makeClassImage(rng, k, size, size), size, size, format)]);
      }
    });
  }
  return files;
}

/** A zip in the ImageFolder layout. */
export function makeImageFolderZip(opts: ImageFolderOptions = {}): Uint8Array {
  return makeZip(imageFolderFiles(opts));
}

/** CIFAR records: per record the label byte(s) then the R, G and B 32x32 planes. */
export function cifarRecords(n: number, labelBytes: 1 | 2, labelsOf: (i: number) => number[], rng: Rng): Uint8Array {
  const rec = labelBytes + 3072;
  const out = new Uint8Array(n * rec);
  for (let i = 0; i < n; i++) {
    const labels = labelsOf(i);
    out.set(labels, i * rec);
    const rgb = makeClassImage(rng, labels[labels.length - 1], 32, 32);
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) out[i * rec + labelBytes + c * 1024 + p] = rgb[p * 3 + c];
    }
  }
  return out;
}

export const CIFAR10_META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

/** The files of cifar-10-binary.tar.gz, as in the official archive, with fewer records. */
export function cifar10Files(opts: { perBatch?: number; batches?: number; test?: number; seed?: number } = {}): FixtureFiles {
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 102);
  const per = opts.perBatch ?? 20;
  const dir = 'cifar-10-batches-bin/';
  const files: FixtureFiles = [[dir, new Uint8Array(0)]];
  let k = 0;
  for (let b = 1; b <= (opts.batches ?? 5); b++) files.push([`${dir}data_batch_${b}.bin`, cifarRecords(per, 1, () => [k++ % 10], rng)]);
  files.push([`${dir}test_batch.bin`, cifarRecords(opts.test ?? per, 1, (i) => [i % 10], rng)]);
  files.push([`${dir}batches.meta.txt`, textBytes(CIFAR10_META)], [`${dir}readme.html`, textBytes('<html>CIFAR-10</html>')]);
  return files;
}

/** cifar-10-binary.tar.gz in miniature. */
export function makeCifar10TarGz(opts: { perBatch?: number; batches?: number; test?: number; seed?: number } = {}): Uint8Array {
  return gzip(makeTar(cifar10Files(opts)));
}

/** The files of cifar-100-binary.tar(.gz): fine label = i % 100, coarse = fine % 20. */
export function cifar100Files(opts: { train?: number; test?: number; seed?: number } = {}): FixtureFiles {
  const rng = Rng.stream(opts.seed ?? 1, 'dataset', 103);
  const dir = 'cifar-100-binary/';
  const labels = (i: number): number[] => [(i % 100) % 20, i % 100];
  return [
    [`${dir}coarse_label_names.txt`, textBytes(Array.from({ length: 20 }, (_, i) => `super${i}`).join('\n'))],
    [`${dir}fine_label_names.txt`, textBytes(Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'))],
    [`${dir}train.bin`, cifarRecords(opts.train ?? 200, 2, labels, rng)],
    [`${dir}test.bin`, cifarRecords(opts.test ?? 100, 2, labels, rng)],
  ];
}

/** cifar-100-binary as an uncompressed tar. */
export function makeCifar100Tar(opts: { train?: number; test?: number; seed?: number } = {}): Uint8Array {
  return makeTar(cifar100Files(opts));
}
