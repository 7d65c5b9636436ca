/**
 * Broken dataset archives, one per failure the loader must name: not an archive, truncated,
 * zip bombs, an empty class folder, corrupt images, bad masks, bad CIFAR lengths.
 */

import { gzip, makeTar, makeZip, textBytes, type FixtureFiles } from './archives';
import { cifar10Files, imageFolderFiles } from './datasetArchives';
import { encodeMask, imagesMasksFiles } from './segmentationArchives';

/** Plain text with an archive's name: not an archive. */
export function makeNotAnArchive(): Uint8Array {
  return textBytes('This is a README, not an archive.\n'.repeat(40));
}

/** A valid ImageFolder zip cut to `fraction` of its length (the end-of-archive record is lost). */
export function makeTruncatedZip(fraction = 0.6): Uint8Array {
  const zip = makeZip(imageFolderFiles({ perClass: 3 }));
  return zip.slice(0, Math.floor(zip.length * fraction));
}

/** A CIFAR-10 tar.gz cut to `fraction` of its length. */
export function makeTruncatedTarGz(fraction = 0.5): Uint8Array {
  const tgz = gzip(makeTar(cifar10Files({ perBatch: 10 })));
  return tgz.slice(0, Math.floor(tgz.length * fraction));
}

/** Rewrites the uncompressed size of entry `name` in its local and central headers. */
export function setDeclaredSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const nameBytes = textBytes(name);
  const matches = (at: number): boolean => nameBytes.every((b, i) => out[at + i] === b);
  for (let p = 0; p + 46 < out.length; p++) {
    const sig = view.getUint32(p, true);
    if (sig === 0x04034b50 && view.getUint16(p + 26, true) === nameBytes.length && matches(p + 30)) view.setUint32(p + 22, size, true);
    if (sig === 0x02014b50 && view.getUint16(p + 28, true) === nameBytes.length && matches(p + 46)) view.setUint32(p + 24, size, true);
  }
  return out;
}

/**
 * A zip bomb with a lying header: `train/cat/0000.png` says 1,000 bytes but inflates to
 * `realBytes` (zeros; default 8 MB from about 8 KB).
 */
export function makeZipBomb(realBytes = 8 * 1024 * 1024): Uint8Array {
  const files: FixtureFiles = [
    ['train/cat/0000.png', new Uint8Array(realBytes)],
    ['train/dog/0000.png', new Uint8Array(100)],
  ];
  return setDeclaredSize(makeZip(files, { level: 9 }), 'train/cat/0000.png', 1000);
}

/** A zip whose entry declares 3.5 GB uncompressed (over any budget); its data is small. */
export function makeOversizedEntryZip(): Uint8Array {
  return setDeclaredSize(makeZip(imageFolderFiles({ perClass: 2 })), 'train/class0/0000.png', 0xe0000000);
}

/** ImageFolder with a class folder `train/empty/` that holds no image (only a text file). */
export function makeEmptyClassFolderZip(): Uint8Array {
  return makeZip([...imageFolderFiles({ perClass: 2 }), ['train/empty/', new Uint8Array(0)], ['train/empty/notes.txt', textBytes('nothing here')]]);
}

/** ImageFolder where `train/class1/broken.png` is not a readable image. */
export function makeCorruptImageZip(): Uint8Array {
  const bad = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  return makeZip([...imageFolderFiles({ perClass: 3 }), ['train/class1/broken.png', bad], ['train/class2/fake.jpg', textBytes('not a jpeg')]]);
}

/** ImageFolder where no image is readable. */
export function makeAllCorruptImagesZip(): Uint8Array {
  return makeZip(imageFolderFiles({ perClass: 2 }).map(([p, d]) => [p, p.endsWith('.png') ? d.slice(0, 30) : d]));
}

/** images/ + masks/ where masks/img001.png is 1 pixel narrower than its image. */
export function makeWrongMaskSizeZip(): Uint8Array {
  const files = imagesMasksFiles({ n: 4, width: 12, height: 10 }).map(([p, d]): [string, Uint8Array] =>
    p.endsWith('masks/img001.png') ? [p, encodeMask(new Uint8Array(11 * 10), 11, 10, 'gray')] : [p, d],
  );
  return makeZip(files);
}

/** images/ + masks/ with 4 classes in classes.txt, where masks/img002.png holds the value 7 at x=3, y=2. */
export function makeBadMaskValueZip(): Uint8Array {
  const files = imagesMasksFiles({ n: 4, width: 12, height: 10, classes: 4 }).map(([p, d]): [string, Uint8Array] => {
    if (!p.endsWith('masks/img002.png')) return [p, d];
    const mask = new Uint8Array(12 * 10);
    mask[2 * 12 + 3] = 7;
    return [p, encodeMask(mask, 12, 10, 'gray')];
  });
  return makeZip(files);
}

/** CIFAR-10 tar.gz whose data_batch_2.bin has 5 bytes more than a whole number of records. */
export function makeBadCifarLengthTarGz(): Uint8Array {
  const files = cifar10Files({ perBatch: 4 }).map(([p, d]): [string, Uint8Array] => {
    if (!p.endsWith('data_batch_2.bin')) return [p, d];
    const longer = new Uint8Array(d.length + 5);
    longer.set(d);
    return [p, longer];
  });
  return gzip(makeTar(files));
}

/** A zip of images that fit no layout: all at the top level. */
export function makeNoLayoutZip(): Uint8Array {
  return makeZip(imageFolderFiles({ perClass: 1, junk: false }).map(([p, d]) => [p.replace(/\//g, '_'), d]));
}

/** A zip with no images at all. */
export function makeNoImagesZip(): Uint8Array {
  return makeZip([['docs/readme.txt', textBytes('hello')], ['docs/data.csv', textBytes('a,b\n1,2\n')]]);
}
