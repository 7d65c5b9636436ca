/**
 * A zip reader that trusts nothing: it reads the central directory first, hands every
 * entry's declared size to the sink (which enforces the budget) before inflating anything,
 * then inflates each kept entry with a hard stop at its declared size and checks its CRC.
 * fflate does the inflating (the platform's DecompressionStream for large entries, where it
 * has one); fflate's own unzip allocates from the declared size and keeps going past it, so a
 * lying header could not be stopped there.
 */

import { Inflate, inflateSync } from 'fflate';
import { updateCrc32 } from './crc32';
import { DatasetError, formatBytes } from './errors';
import type { Pacer } from './pace';
import { errorMessage } from '../engine/errors';

/** Where a reader sends entries: `want` sees every entry first and may throw (budget). */
export interface EntrySink {
  /** Returns true to have the entry's bytes passed to `put`. Directories come with size 0. */
  want(path: string, size: number, isDir: boolean): boolean;
  put(path: string, data: Uint8Array): void;
}

export interface ZipReadContext {
  fileName: string;
  pacer: Pacer;
  /** Reports compressed bytes consumed so far. */
  onBytes: (bytes: number) => void;
}

interface CentralEntry {
  path: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
/** Entries whose compressed data is at most this many bytes inflate in one call (at most ~1032x larger). */
const ONE_SHOT_MAX = 16 * 1024;
const PUSH_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8');

function corrupt(fileName: string, detail: string): DatasetError {
  return new DatasetError(fileName, `corrupt or truncated zip: ${detail}`);
}

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (view.getUint32(i, true) === SIG_EOCD && i + 22 + view.getUint16(i + 20, true) <= bytes.length) return i;
  }
  return -1;
}

function readCentralDirectory(bytes: Uint8Array, fileName: string): CentralEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(bytes, view);
  if (eocd < 0) throw corrupt(fileName, 'its end-of-archive record is missing (was the download cut short?)');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== SIG_EOCD64_LOCATOR) throw corrupt(fileName, 'the ZIP64 locator is missing');
    const at = u64(view, loc + 8);
    if (at + 56 > bytes.length || view.getUint32(at, true) !== SIG_EOCD64) throw corrupt(fileName, 'the ZIP64 end record is missing');
    count = u64(view, at + 32);
    cdSize = u64(view, at + 40);
    cdOffset = u64(view, at + 48);
  }
  if (cdOffset + cdSize > bytes.length) throw corrupt(fileName, 'the central directory lies past the end of the file');
  const entries: CentralEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== SIG_CENTRAL) throw corrupt(fileName, `central directory entry ${i + 1} of ${count} is damaged`);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen > bytes.length) throw corrupt(fileName, `central directory entry ${i + 1} runs past the end`);
    const e: CentralEntry = {
      path: utf8.decode(bytes.subarray(p + 46, p + 46 + nameLen)),
      flags: view.getUint16(p + 8, true),
      method: view.getUint16(p + 10, true),
      crc: view.getUint32(p + 16, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
    };
    readZip64Extra(view, p + 46 + nameLen, extraLen, e);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Replaces 0xFFFFFFFF fields with their ZIP64 values (extra field 0x0001, in this order). */
function readZip64Extra(view: DataView, start: number, length: number, e: CentralEntry): void {
  const end = start + length;
  for (let q = start; q + 4 <= end; ) {
    const id = view.getUint16(q, true);
    const len = view.getUint16(q + 2, true);
    if (id === 0x0001) {
      let r = q + 4;
      if (e.size === 0xffffffff && r + 8 <= end) {
        e.size = u64(view, r);
        r += 8;
      }
      if (e.compressedSize === 0xffffffff && r + 8 <= end) {
        e.compressedSize = u64(view, r);
        r += 8;
      }
      if (e.localOffset === 0xffffffff && r + 8 <= end) e.localOffset = u64(view, r);
    }
    q += 4 + len;
  }
}

class InflateOverflow extends Error {}

/**
 * Inflates with the platform's DecompressionStream ('deflate-raw': browsers, Node >= 20), several
 * times faster than fflate's JavaScript on large entries (a CIFAR batch file); null where the
 * platform has none. Stops at `size` bytes like the fflate path.
 */
async function inflateNative(comp: Uint8Array, size: number, pacer: Pacer): Promise<Uint8Array | null> {
  let stream: DecompressionStream;
  try {
    stream = new DecompressionStream('deflate-raw' as CompressionFormat);
  } catch {
    return null;
  }
  const input = new ReadableStream<Uint8Array>({
    start(ctrl) {
      for (let i = 0; i < comp.length; i += PUSH_BYTES * 16) ctrl.enqueue(comp.subarray(i, i + PUSH_BYTES * 16));
      ctrl.close();
    },
  });
  const reader = input.pipeThrough(stream as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  const out = new Uint8Array(size);
  let at = 0;
  let finished = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      if (at + next.value.length > size) throw new InflateOverflow();
      out.set(next.value, at);
      at += next.value.length;
      await pacer.tick();
    }
    finished = true;
  } finally {
    if (!finished) reader.cancel().catch(() => undefined);
  }
  if (at < size) throw new Error(`inflates to ${at} bytes, not the declared ${size}`);
  return out;
}

async function inflateCapped(comp: Uint8Array, size: number, pacer: Pacer): Promise<Uint8Array> {
  if (comp.length > ONE_SHOT_MAX) {
    const native = await inflateNative(comp, size, pacer);
    if (native) return native;
  }
  if (comp.length <= ONE_SHOT_MAX) {
    const out = inflateSync(comp);
    if (out.length > size) throw new InflateOverflow();
    if (out.length < size) throw new Error(`inflates to ${out.length} bytes, not the declared ${size}`);
    return out;
  }
  const out = new Uint8Array(size);
  let at = 0;
  const inflater = new Inflate((chunk) => {
    if (at + chunk.length > size) throw new InflateOverflow();
    out.set(chunk, at);
    at += chunk.length;
  });
  for (let i = 0; i < comp.length; i += PUSH_BYTES) {
    inflater.push(comp.subarray(i, i + PUSH_BYTES), i + PUSH_BYTES >= comp.length);
    await pacer.tick();
  }
  if (at < size) throw new Error(`inflates to ${at} bytes, not the declared ${size}`);
  return out;
}

/** Reads a whole zip held in memory, sending entries to `sink`. */
export async function readZip(bytes: Uint8Array, sink: EntrySink, ctx: ZipReadContext): Promise<void> {
  const { fileName, pacer } = ctx;
  const entries = readCentralDirectory(bytes, fileName);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kept = entries.filter((e) => sink.want(e.path, e.path.endsWith('/') ? 0 : e.size, e.path.endsWith('/')));
  let consumed = 0;
  for (const e of kept) {
    await pacer.tick();
    if (e.flags & 1) throw new DatasetError(e.path, 'is encrypted; re-pack the archive without a password', fileName);
    if (e.method !== 0 && e.method !== 8) {
      throw new DatasetError(e.path, `uses zip compression method ${e.method}; re-pack the archive with Deflate (the usual zip)`, fileName);
    }
    const p = e.localOffset;
    if (p + 30 > bytes.length || view.getUint32(p, true) !== SIG_LOCAL) throw corrupt(fileName, `the local header of ${e.path} is damaged`);
    const start = p + 30 + view.getUint16(p + 26, true) + view.getUint16(p + 28, true);
    if (start + e.compressedSize > bytes.length) throw corrupt(fileName, `${e.path} is cut short`);
    const comp = bytes.subarray(start, start + e.compressedSize);
    let data: Uint8Array;
    if (e.method === 0) {
      if (e.compressedSize !== e.size) throw corrupt(fileName, `${e.path} is stored with mismatched sizes`);
      data = comp;
    } else {
      try {
        data = await inflateCapped(comp, e.size, pacer);
      } catch (err) {
        if (err instanceof InflateOverflow) {
          throw new DatasetError(
            e.path,
            `inflates to more than its declared ${formatBytes(e.size)}; stopped there (a corrupt archive or a zip bomb)`,
            fileName,
          );
        }
        if (pacer.aborted) throw err;
        throw corrupt(fileName, `${e.path}: ${errorMessage(err)}`);
      }
    }
    if (updateCrc32(0, data) !== e.crc) throw corrupt(fileName, `${e.path} fails its CRC check`);
    sink.put(e.path, data);
    consumed += e.compressedSize;
    ctx.onBytes(consumed);
  }
  ctx.onBytes(bytes.length);
}
