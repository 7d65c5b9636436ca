import { JsonlError, JsonlParser, type ParsedJsonl } from './jsonl';

/**
 * Reads a JSONL file as a stream (File.stream() through a TextDecoderStream), parsing each chunk
 * as it arrives, and gives the event loop a turn whenever a slice of work has run for `sliceMs`:
 * a 100 MB file never holds the page for more than about one slice.
 */

export interface ReadProgress {
  file: string;
  bytes: number;
  total: number;
}

export interface ReadJsonlOptions {
  onProgress?: (p: ReadProgress) => void;
  /** Longest run of parsing before the page gets a turn, ms (default 12). */
  sliceMs?: number;
  /** True stops the read (it then rejects with an AbortError). */
  signal?: AbortSignal;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
/** A turn for the event loop: a message (not clamped to 4 ms as nested timers are), else a timer. */
export function nextTask(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** Parses chunks in slices of at most this many characters, so one big chunk is not one long task. */
const MAX_SLICE_CHARS = 64 * 1024;

export async function readJsonlFile(file: Blob, name: string, opts: ReadJsonlOptions = {}): Promise<ParsedJsonl> {
  const sliceMs = opts.sliceMs ?? 12;
  const parser = new JsonlParser(name);
  let bytes = 0;
  const counted = file.stream().pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
      transform(chunk, c) {
        bytes += chunk.byteLength;
        c.enqueue(chunk);
      },
    }),
  );
  const reader = counted.pipeThrough(new TextDecoderStream('utf-8', { fatal: true })).getReader();
  let started = now();
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<string>;
      try {
        next = await reader.read();
      } catch (e) {
        throw new JsonlError(name, null, `cannot be read as UTF-8 text (${e instanceof Error ? e.message : String(e)})`);
      }
      if (next.done) {
        finished = true;
        break;
      }
      for (let i = 0; i < next.value.length; i += MAX_SLICE_CHARS) {
        parser.push(next.value.slice(i, i + MAX_SLICE_CHARS));
        if (now() - started >= sliceMs) {
          opts.onProgress?.({ file: name, bytes, total: file.size });
          await nextTask();
          if (opts.signal?.aborted) throw new DOMException('The import was cancelled', 'AbortError');
          started = now();
        }
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  opts.onProgress?.({ file: name, bytes, total: file.size });
  return parser.end();
}

/** True for a file that holds JSON lines of records (its first line a record with a "type"), not a .rglab.json bundle. */
export async function isJsonlFile(file: Blob): Promise<boolean> {
  const head = await file.slice(0, 512).text();
  return /^\uFEFF?\s*\{\s*"type"\s*:/.test(head);
}
