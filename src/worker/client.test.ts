import { describe, expect, it } from 'vitest';
import { createDefaultConfig } from '../engine/config';
import { TrainerClient, WorkerRequestError, type WorkerLike } from './client';
import { crashWorker } from './debugClient';
import { WORKER_CRASHED, type BackendReport, type FromWorker, type ToWorker } from './protocol';

const REPORT: BackendReport = { backend: 'wasm', adapter: null, forced: 'wasm', attempts: [{ backend: 'wasm', ok: true }], maxRelativeError: 1e-6 };

/** A worker that records what it is sent and lets a test make it reply or crash. */
class FakeWorker implements WorkerLike {
  posted: ToWorker[] = [];
  terminated = false;
  private readonly messageListeners: ((e: MessageEvent<FromWorker>) => void)[] = [];
  private readonly errorListeners: ((e: ErrorEvent) => void)[] = [];
  postMessage(msg: ToWorker): void {
    this.posted.push(msg);
  }
  addEventListener(type: 'message', fn: (e: MessageEvent<FromWorker>) => void): void;
  addEventListener(type: 'error', fn: (e: ErrorEvent) => void): void;
  addEventListener(type: 'message' | 'error', fn: ((e: MessageEvent<FromWorker>) => void) | ((e: ErrorEvent) => void)): void {
    if (type === 'message') this.messageListeners.push(fn as (e: MessageEvent<FromWorker>) => void);
    else this.errorListeners.push(fn as (e: ErrorEvent) => void);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(m: FromWorker): void {
    for (const fn of this.messageListeners) fn(new MessageEvent('message', { data: m }));
  }
  /** What a worker does on an uncaught exception, or when its script does not load (no message). */
  crash(message: string): void {
    for (const fn of this.errorListeners) fn({ message } as ErrorEvent);
  }
}

function createClient() {
  const workers: FakeWorker[] = [];
  const client = new TrainerClient(() => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  const received: FromWorker[] = [];
  client.subscribe((m) => received.push(m));
  return { client, workers, received };
}

describe('TrainerClient', () => {
  it('answers requests through their replies and passes every message on', async () => {
    const { client, workers, received } = createClient();
    const ready = client.init('wasm', 'cnn');
    expect(workers[0].posted).toEqual([{ type: 'init', id: 1, backend: 'wasm', model: 'cnn' }]);
    workers[0].reply({ type: 'ready', id: 1, report: REPORT });
    expect(await ready).toEqual(REPORT);
    crashWorker(client);
    expect(workers[0].posted.at(-1)).toEqual({ type: 'crashWorker' });
    expect(received.map((m) => m.type)).toEqual(['ready']);
  });

  it('treats a worker that crashed as gone: it is ended, requests fail, the crash is reported once, naming what happened', async () => {
    const { client, workers, received } = createClient();
    const pending = client.loadDataset('builtin:shapes10', 16, 1);
    workers[0].crash('Uncaught Error: boom');
    workers[0].crash('Uncaught Error: boom');
    expect(workers[0].terminated).toBe(true);
    expect(received).toEqual([{ type: 'error', error: { name: WORKER_CRASHED, message: 'the training worker crashed (Uncaught Error: boom) and was shut down' } }]);
    await expect(pending).rejects.toMatchObject({ name: WORKER_CRASHED, message: expect.stringContaining('Uncaught Error: boom') });
    await expect(client.init(null, 'cnn')).rejects.toBeInstanceOf(WorkerRequestError);
    // Anything the dead worker still had queued is dropped.
    workers[0].reply({ type: 'metrics', runId: 'r', records: [] });
    expect(received).toHaveLength(1);
  });

  it('says when the worker script did not load', () => {
    const { workers, received } = createClient();
    workers[0].crash('');
    expect(received[0]).toMatchObject({ error: { message: 'the training worker crashed (its script did not load) and was shut down' } });
  });

  it('restarts with a fresh worker from its factory, listened to once; the old one is ignored', async () => {
    const { client, workers, received } = createClient();
    workers[0].crash('Uncaught Error: boom');
    client.restart();
    expect(workers).toHaveLength(2);
    const ready = client.init('wasm', 'cnn');
    expect(workers[1].posted).toEqual([{ type: 'init', id: 1, backend: 'wasm', model: 'cnn' }]);
    workers[1].reply({ type: 'ready', id: 1, report: REPORT });
    expect(await ready).toEqual(REPORT);
    workers[0].reply({ type: 'progress', runId: 'old', progress: { step: 1, totalSteps: 2, epoch: 0, imagesPerSec: 1, elapsedMs: 1 } });
    workers[0].crash('Uncaught Error: late');
    expect(received.map((m) => m.type)).toEqual(['error', 'ready']);
    client.start('run-1', createDefaultConfig());
    expect(workers[1].posted.at(-1)).toMatchObject({ type: 'start', runId: 'run-1' });
    // The new worker can crash too, and is reported like the first.
    workers[1].crash('Uncaught RangeError: out of memory');
    expect(received.at(-1)).toMatchObject({ type: 'error', error: { name: WORKER_CRASHED, message: expect.stringContaining('RangeError') } });
    expect(workers[1].terminated).toBe(true);
  });
});
