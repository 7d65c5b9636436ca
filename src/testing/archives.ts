/**
 * Archive writers for fixtures: zip (fflate), ustar tar with pax records for long names, and
 * gzip. Each takes files in order as [path, bytes] pairs; a path ending in '/' is a folder.
 */

import { gzipSync, zipSync, type Zippable } from 'fflate';

export type FixtureFiles = [path: string, data: Uint8Array][];

const enc = new TextEncoder();

/** Text as bytes. */
export function textBytes(s: string): Uint8Array {
  return enc.encode(s);
}

/** A zip of the files, deflated (level 6), in the given order. */
export function makeZip(files: FixtureFiles, opts: { level?: 0 | 6 | 9 } = {}): Uint8Array {
  const z: Zippable = {};
  for (const [path, data] of files) z[path] = [data, { level: path.endsWith('/') ? 0 : (opts.level ?? 6), mtime: new Date(2024, 0, 1) }];
  return zipSync(z);
}

function writeOctal(h: Uint8Array, at: number, len: number, value: number): void {
  const s = value.toString(8).padStart(len - 1, '0');
  for (let i = 0; i < len - 1; i++) h[at + i] = s.charCodeAt(i);
  h[at + len - 1] = 0;
}

function writeString(h: Uint8Array, at: number, len: number, s: string): void {
  h.set(enc.encode(s).subarray(0, len), at);
}

function tarHeader(name: string, size: number, type: string, gnu = false): Uint8Array {
  const h = new Uint8Array(512);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, type === '5' ? 0o755 : 0o644);
  writeOctal(h, 108, 8, 1000);
  writeOctal(h, 116, 8, 1000);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, 1704067200);
  h.fill(0x20, 148, 156);
  h[156] = type.charCodeAt(0);
  if (gnu) writeString(h, 257, 8, 'ustar  ');
  else {
    writeString(h, 257, 6, 'ustar');
    writeString(h, 263, 2, '00');
  }
  writeString(h, 265, 32, 'user');
  writeString(h, 297, 32, 'user');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  writeOctal(h, 148, 7, sum);
  h[155] = 0x20;
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

const pad = (n: number): number => (512 - (n % 512)) % 512;

/**
 * A ustar archive (or GNU tar with `gnu`); names over 100 bytes get a pax `path` record (GNU: a
 * `././@LongLink` entry, as GNU tar writes them). Ends with two zero blocks.
 */
export function makeTar(files: FixtureFiles, opts: { gnu?: boolean } = {}): Uint8Array {
  const gnu = opts.gnu ?? false;
  const blocks: Uint8Array[] = [];
  for (const [path, data] of files) {
    const isDir = path.endsWith('/');
    if (enc.encode(path).length > 100) {
      const meta = gnu ? enc.encode(`${path}\0`) : enc.encode(paxRecord('path', path));
      blocks.push(tarHeader(gnu ? '././@LongLink' : 'PaxHeaders/long', meta.length, gnu ? 'L' : 'x', gnu), meta, new Uint8Array(pad(meta.length)));
    }
    const size = isDir ? 0 : data.length;
    blocks.push(tarHeader(path.slice(0, 100), size, isDir ? '5' : '0', gnu));
    if (size > 0) blocks.push(data, new Uint8Array(pad(size)));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** gzip of the bytes. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 6, mtime: 0 });
}
