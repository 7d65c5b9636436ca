/**
 * A streaming tar reader: ustar, POSIX pax (path and size records) and GNU long names.
 * Chunks go in as they arrive (from a file or from gunzip); a kept entry's bytes are held
 * only after the sink accepted its size, so a tar can never make us allocate past the budget.
 */

import { DatasetError } from './errors';
import type { EntrySink } from './zip';

const BLOCK = 512;
/** pax and GNU long-name records larger than this are not plausible. */
const MAX_META_BYTES = 1 << 20;
const utf8 = new TextDecoder('utf-8');

interface Header {
  path: string;
  size: number;
  type: string;
}

function cString(b: Uint8Array, at: number, len: number): string {
  let end = at;
  while (end < at + len && b[end] !== 0) end++;
  return utf8.decode(b.subarray(at, end));
}

/** Octal, or GNU base-256 when the top bit of the first byte is set. NaN when malformed. */
function readNumber(b: Uint8Array, at: number, len: number): number {
  if (b[at] & 0x80) {
    let v = b[at] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[at + i];
    return v;
  }
  const s = cString(b, at, len).trim();
  return s === '' ? 0 : /^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN;
}

/** True if this 512-byte block is a tar header with a valid checksum. */
export function isTarHeader(b: Uint8Array): boolean {
  if (b.length < BLOCK) return false;
  const stored = readNumber(b, 148, 8);
  if (!Number.isFinite(stored)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i];
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** Parses pax records ("<len> key=value\n") into a map. */
function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < data.length) {
    let sp = p;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = parseInt(utf8.decode(data.subarray(p, sp)), 10);
    if (!(len > 0) || p + len > data.length) break;
    const rec = utf8.decode(data.subarray(sp + 1, p + len - 1));
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    p += len;
  }
  return out;
}

/** Pushes chunks through a tar parser; entries go to the sink. Call `end` after the last chunk. */
export class TarReader {
  private readonly header = new Uint8Array(BLOCK);
  private headerFill = 0;
  /** Bytes of entry data (plus padding) still to come for the current entry. */
  private remaining = 0;
  private padding = 0;
  private current: { header: Header; keep: boolean; data: Uint8Array | null; at: number } | null = null;
  private paxPath: string | null = null;
  private paxSize: number | null = null;
  private longName: string | null = null;
  private offset = 0;
  private headers = 0;
  private done = false;

  constructor(
    private readonly sink: EntrySink,
    private readonly fileName: string,
    /** Names the container in messages: "tar", or "tar inside the gzip". */
    private readonly what = 'tar',
  ) {}

  /** Total bytes parsed so far. */
  get bytesRead(): number {
    return this.offset;
  }

  push(chunk: Uint8Array): void {
    let p = 0;
    while (p < chunk.length && !this.done) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - p);
        this.takeData(chunk.subarray(p, p + n));
        p += n;
        this.offset += n;
        this.remaining -= n;
        if (this.remaining === 0) this.finishEntry();
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - p);
        p += n;
        this.offset += n;
        this.padding -= n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerFill, chunk.length - p);
      this.header.set(chunk.subarray(p, p + n), this.headerFill);
      this.headerFill += n;
      p += n;
      this.offset += n;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.readHeader();
      }
    }
  }

  /** Checks that the stream did not stop part-way through an entry. */
  end(): void {
    if (this.done) return;
    if (this.current && this.remaining > 0) {
      const h = this.current.header;
      throw this.corrupt(`${h.path} is cut short (${h.size - this.remaining} of ${h.size} bytes)`);
    }
    if (this.headerFill > 0 || this.padding > 0) throw this.corrupt(`it ends inside a header or padding at byte ${this.offset}`);
    if (this.headers === 0) throw new DatasetError(this.fileName, `the ${this.what} is empty`);
    throw this.corrupt('it ends without the end-of-archive blocks (was the download cut short?)');
  }

  private corrupt(detail: string): DatasetError {
    return new DatasetError(this.fileName, `corrupt or truncated ${this.what}: ${detail}`);
  }

  private readHeader(): void {
    const b = this.header;
    if (isZeroBlock(b)) {
      // Two zero blocks end the archive; one alone is tolerated (some writers stop there).
      if (this.headers > 0) this.done = true;
      return;
    }
    if (!isTarHeader(b)) {
      if (this.headers === 0) throw new DatasetError(this.fileName, `not a tar archive inside (the ${this.what} has no valid first header)`);
      throw this.corrupt(`the header at byte ${this.offset - BLOCK} has a bad checksum`);
    }
    this.headers++;
    const type = String.fromCharCode(b[156] || 0x30);
    let size = readNumber(b, 124, 12);
    if (!Number.isFinite(size)) throw this.corrupt(`the header at byte ${this.offset - BLOCK} has a malformed size`);
    let path = cString(b, 0, 100);
    const magic = cString(b, 257, 6);
    if (magic === 'ustar' && b[262] === 0) {
      const prefix = cString(b, 345, 155);
      if (prefix) path = `${prefix}/${path}`;
    }
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_META_BYTES) throw this.corrupt(`a ${size}-byte metadata record at byte ${this.offset - BLOCK}`);
    } else {
      if (this.longName !== null) path = this.longName;
      if (this.paxPath !== null) path = this.paxPath;
      if (this.paxSize !== null) size = this.paxSize;
      this.longName = this.paxPath = this.paxSize = null;
    }
    const header: Header = { path, size, type };
    const isFile = type === '0' || type === '7';
    const isMeta = type === 'x' || type === 'L';
    let keep = false;
    if (isFile) keep = this.sink.want(path, size, false);
    else if (type === '5') this.sink.want(path.endsWith('/') ? path : `${path}/`, 0, true);
    const data = keep || isMeta ? new Uint8Array(size) : null;
    this.current = { header, keep, data, at: 0 };
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.finishEntry();
  }

  private takeData(bytes: Uint8Array): void {
    const c = this.current!;
    if (c.data) c.data.set(bytes, c.at);
    c.at += bytes.length;
  }

  private finishEntry(): void {
    const c = this.current!;
    this.current = null;
    const { type } = c.header;
    if (type === 'x' && c.data) {
      const pax = parsePax(c.data);
      const p = pax.get('path');
      const s = pax.get('size');
      if (p !== undefined) this.paxPath = p;
      if (s !== undefined && /^\d+$/.test(s)) this.paxSize = Number(s);
    } else if (type === 'L' && c.data) {
      this.longName = cString(c.data, 0, c.data.length);
    } else if (c.keep && c.data) {
      this.sink.put(c.header.path, c.data);
    }
  }
}
