import { describe, expect, it } from 'vitest';
import { gzip, makeTar, makeZip, textBytes, type FixtureFiles } from '../testing/archives';
import {
  makeNotAnArchive,
  makeOversizedEntryZip,
  makeTruncatedTarGz,
  makeTruncatedZip,
  makeZipBomb,
  setDeclaredSize,
} from '../testing/brokenArchives';
import { DEFAULT_ARCHIVE_LIMITS, detectArchiveFormat, readArchive, type ArchiveInput } from './archive';
import { crc32 } from './crc32';
import { DatasetError } from './errors';
import type { LoadProgress } from './pace';

const files: FixtureFiles = [
  ['data/', new Uint8Array(0)],
  ['data/a.txt', textBytes('alpha')],
  ['data/deep/b.bin', Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255)],
  [`data/${'long-folder-name/'.repeat(8)}c.txt`, textBytes('a path longer than 100 bytes')],
];
const expected = files.filter(([p]) => !p.endsWith('/'));

async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

/** Rewrites a zip's end record the ZIP64 way: 0xFFFF.. markers, a ZIP64 end record and its locator. */
function toZip64(zip: Uint8Array): Uint8Array {
  const at = zip.length - 22;
  const v = new DataView(zip.buffer, zip.byteOffset);
  const count = v.getUint16(at + 10, true);
  const cdSize = v.getUint32(at + 12, true);
  const cdOffset = v.getUint32(at + 16, true);
  const out = new Uint8Array(zip.length + 56 + 20);
  out.set(zip.subarray(0, at));
  const o = new DataView(out.buffer);
  const put64 = (p: number, x: number): void => {
    o.setUint32(p, x, true);
    o.setUint32(p + 4, 0, true);
  };
  o.setUint32(at, 0x06064b50, true);
  put64(at + 4, 44);
  o.setUint16(at + 12, 45, true);
  o.setUint16(at + 14, 45, true);
  put64(at + 24, count);
  put64(at + 32, count);
  put64(at + 40, cdSize);
  put64(at + 48, cdOffset);
  o.setUint32(at + 56, 0x07064b50, true);
  put64(at + 64, at);
  o.setUint32(at + 72, 1, true);
  const end = at + 76;
  out.set(zip.subarray(at, at + 22), end);
  o.setUint16(end + 8, 0xffff, true);
  o.setUint16(end + 10, 0xffff, true);
  o.setUint32(end + 12, 0xffffffff, true);
  o.setUint32(end + 16, 0xffffffff, true);
  return out;
}

async function failure(input: ArchiveInput, opts: Partial<Parameters<typeof readArchive>[1]> = {}): Promise<DatasetError> {
  try {
    await readArchive(input, { fileName: 'x.zip', ...opts });
  } catch (e) {
    if (e instanceof DatasetError) return e;
    throw e;
  }
  throw new Error('expected a DatasetError');
}

describe('readArchive', () => {
  const archives: [string, Uint8Array][] = [
    ['zip', makeZip(files)],
    ['tar', makeTar(files)],
    ['tar.gz', gzip(makeTar(files))],
  ];
  for (const [format, bytes] of archives) {
    it(`reads a ${format} by its magic bytes, whole or streamed in small chunks`, async () => {
      expect(detectArchiveFormat(bytes.subarray(0, 512))).toBe(format);
      for (const input of [bytes, inPieces(bytes, 333), new Blob([bytes as Uint8Array<ArrayBuffer>])] as ArchiveInput[]) {
        const a = await readArchive(input, { fileName: 'misnamed.dat' });
        expect(a.format).toBe(format);
        expect(a.entries.map((e) => e.path)).toEqual(expected.map(([p]) => p));
        a.entries.forEach((e, i) => expect(crc32(e.data)).toBe(crc32(expected[i][1])));
        expect(a.names).toContain('data/');
        expect(a.keptBytes).toBe(expected.reduce((n, [, d]) => n + d.length, 0));
      }
    });
  }

  it('reads GNU tar long names and ZIP64 end records', async () => {
    const gnu = await readArchive(makeTar(files, { gnu: true }), { fileName: 'gnu.tar' });
    expect(gnu.entries.map((e) => e.path)).toEqual(expected.map(([p]) => p));
    const z64 = await readArchive(toZip64(makeZip(files)), { fileName: 'big.zip' });
    expect(z64.entries.map((e) => e.path)).toEqual(expected.map(([p]) => p));
  });

  it('holds only the entries `keep` selects, but lists every name', async () => {
    const a = await readArchive(gzip(makeTar(files)), { fileName: 'x.tgz', keep: (p) => p.endsWith('.txt') });
    expect(a.entries.map((e) => e.path)).toEqual([expected[0][0], expected[2][0]]);
    expect(a.names).toHaveLength(files.length);
  });

  it('reports progress in files and bytes, ending at the full size', async () => {
    const bytes = gzip(makeTar(files));
    const seen: LoadProgress[] = [];
    await readArchive(bytes, { fileName: 'x.tgz', onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(0);
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ phase: 'reading', bytes: bytes.length, totalBytes: bytes.length, files: 3 });
  });

  it('stops when cancelled', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(readArchive(makeZip(files), { fileName: 'x.zip', signal: ctrl.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('says what a file that is not an archive is', async () => {
    expect((await failure(makeNotAnArchive(), { fileName: 'data.zip' })).message).toBe(
      'data.zip: not an archive: its first bytes match no zip, tar or gzip signature; choose a .zip, .tar, .tar.gz or .tgz file',
    );
    expect((await failure(new Uint8Array(0), { fileName: 'e.zip' })).message).toMatch(/^e\.zip: not an archive: it is empty/);
    expect((await failure(Uint8Array.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), { fileName: 'a.7z' })).message).toMatch(/it is a 7-Zip archive/);
    expect((await failure(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), { fileName: 'cat.png' })).message).toMatch(/it is a single PNG image/);
  });

  it('names a truncated zip, tar.gz and tar', async () => {
    expect((await failure(makeTruncatedZip(), { fileName: 'cut.zip' })).message).toMatch(/^cut\.zip: corrupt or truncated zip: its end-of-archive record is missing/);
    expect((await failure(makeTruncatedTarGz(), { fileName: 'cut.tgz' })).message).toMatch(/^cut\.tgz: corrupt or truncated (gzip|tar inside the gzip): /);
    const tar = makeTar(files);
    expect((await failure(tar.slice(0, 2500), { fileName: 'cut.tar' })).message).toBe('cut.tar: corrupt or truncated tar: data/deep/b.bin is cut short (452 of 5000 bytes)');
    expect((await failure(tar.slice(0, tar.length - 1024), { fileName: 'cut.tar' })).message).toMatch(/^cut\.tar: corrupt or truncated tar: it ends without the end-of-archive blocks/);
  });

  it('finds a damaged zip entry by its CRC', async () => {
    const zip = makeZip([['a.bin', new Uint8Array(4000).fill(7)]], { level: 0 });
    zip[100] ^= 0xff;
    expect((await failure(zip, { fileName: 'bad.zip' })).message).toBe('bad.zip: corrupt or truncated zip: a.bin fails its CRC check');
  });

  it('stops a zip bomb with a lying header at its declared size', async () => {
    const e = await failure(makeZipBomb(), { fileName: 'bomb.zip' });
    expect(e.message).toBe(
      'train/cat/0000.png in bomb.zip: inflates to more than its declared 1000 bytes; stopped there (a corrupt archive or a zip bomb)',
    );
    expect(e.file).toBe('train/cat/0000.png');
  });

  it('inflates large zip entries (the platform inflater) to the same bytes, stops them at a lying size and names damage', async () => {
    // Bytes that barely compress, so the entry is well past the one-shot size.
    let x = 12345;
    const noise = Uint8Array.from({ length: 300_000 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
    const big = new Uint8Array(600_000);
    big.set(noise);
    const zip = makeZip([['big.bin', big], ['small.txt', textBytes('small')]], { level: 6 });
    const read = await readArchive(zip, { fileName: 'ok.zip' });
    expect(read.entries.map((e) => e.path)).toEqual(['big.bin', 'small.txt']);
    expect(crc32(read.entries[0].data)).toBe(crc32(big));
    const lying = await failure(setDeclaredSize(zip, 'big.bin', 409_600), { fileName: 'lie.zip' });
    expect(lying.message).toBe('big.bin in lie.zip: inflates to more than its declared 400 KB; stopped there (a corrupt archive or a zip bomb)');
    const short = await failure(setDeclaredSize(zip, 'big.bin', 700_000), { fileName: 'short.zip' });
    expect(short.message).toBe('short.zip: corrupt or truncated zip: big.bin: inflates to 600000 bytes, not the declared 700000');
    const damaged = zip.slice();
    for (let i = 1000; i < 1100; i++) damaged[i] ^= 0x5a;
    expect((await failure(damaged, { fileName: 'bad.zip' })).message).toMatch(/^bad\.zip: corrupt or truncated zip: big\.bin/);
  });

  it('refuses entries whose declared size breaks the budget, before inflating', async () => {
    const big = await failure(makeOversizedEntryZip(), { fileName: 'big.zip' });
    expect(big.message).toBe('train/class0/0000.png in big.zip: is 3.5 GB uncompressed, over the 512 MB limit for one file');
    const total = await failure(gzip(makeTar(files)), { fileName: 'x.tgz', limits: { maxTotalBytes: 1000 } });
    expect(total.message).toBe('data/deep/b.bin in x.tgz: would take the archive past 1000 bytes uncompressed (the limit); use a smaller archive');
    expect(DEFAULT_ARCHIVE_LIMITS.maxTotalBytes).toBeGreaterThan(190e6);
  });

  it('caps what a gzip stream may expand to', async () => {
    const bomb = gzip(makeTar([['zeros.bin', new Uint8Array(4 << 20)]]));
    const e = await failure(bomb, { fileName: 'z.tgz', keep: () => false, limits: { maxScanBytes: 1 << 20 } });
    expect(e.message).toMatch(/^z\.tgz: the gzip stream expands past 1\.0 MB; stopped there/);
  });
});
