import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import type { MetricRecord } from '../engine/records';
import { ExperimentDb } from './experimentDb';
import { RecordWriteError, RecordWriter, type RecordSink } from './recordWriter';
import { createFakeClock, makeConfig, makeRecords } from './testing';

/** A sink that logs each write with the fake time, and fails while `failWith` is set. */
function createSink(clock: { now: () => number }) {
  const writes: { at: number; records: MetricRecord[] }[] = [];
  const sink = {
    failWith: null as unknown,
    /** When set, a write waits for this promise before it finishes. */
    gate: null as Promise<void> | null,
    writes,
    stored: () => writes.flatMap((w) => w.records),
    async appendRecords(_id: string, records: readonly MetricRecord[]): Promise<void> {
      if (sink.gate) await sink.gate;
      if (sink.failWith) throw sink.failWith;
      writes.push({ at: clock.now(), records: [...records] });
    },
  } satisfies RecordSink & Record<string, unknown>;
  return sink;
}

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('RecordWriter', () => {
  it('writes queued records at most every interval, and within one interval of their arrival', async () => {
    const clock = createFakeClock();
    const sink = createSink(clock);
    const writer = new RecordWriter(sink, 'exp', { schedule: clock.schedule, intervalMs: 500 });
    const records = makeRecords(40);
    // A record every 50 ms for 2 s, as the worker's metrics messages bring them.
    const arrivals: number[] = [];
    for (let i = 0; i < 40; i++) {
      writer.push([records[i]]);
      arrivals.push(clock.now());
      await clock.advance(50);
    }
    expect(sink.writes.map((w) => w.at)).toEqual([500, 1000, 1500, 2000]);
    await clock.advance(1000);
    expect(sink.writes.map((w) => w.at)).toEqual([500, 1000, 1500, 2000]);
    expect(sink.stored()).toEqual(records.slice(0, 40));
    // Every record was stored within 500 ms of its arrival.
    let w = 0;
    sink.writes.forEach((write) => {
      for (const _ of write.records) expect(write.at - arrivals[w++]).toBeLessThanOrEqual(500);
    });
    // Nothing queued: no timer left running.
    expect(clock.pending()).toBe(0);
    expect(writer.pendingCount).toBe(0);
    expect(writer.writtenCount).toBe(40);
  });

  it('writes at once on flush, and waits a whole interval after a write', async () => {
    const clock = createFakeClock();
    const sink = createSink(clock);
    const writer = new RecordWriter(sink, 'exp', { schedule: clock.schedule });
    writer.push(makeRecords(1));
    await clock.advance(100);
    expect(await writer.flush()).toBe(true);
    expect(sink.writes.map((w) => w.at)).toEqual([100]);
    expect(clock.pending()).toBe(0);
    writer.push(makeRecords(2));
    await clock.advance(499);
    expect(sink.writes.length).toBe(1);
    await clock.advance(1);
    expect(sink.writes.map((w) => w.at)).toEqual([100, 600]);
    expect(await writer.flush()).toBe(true);
    expect(sink.writes.length).toBe(2);
  });

  it('keeps order when records arrive during a write', async () => {
    const clock = createFakeClock();
    const sink = createSink(clock);
    const writer = new RecordWriter(sink, 'exp', { schedule: clock.schedule });
    const records = makeRecords(30);
    let open: () => void = () => undefined;
    sink.gate = new Promise((resolve) => (open = resolve));
    writer.push(records.slice(0, 10));
    const first = writer.flush();
    // The first write has started and waits on the gate.
    await clock.settle();
    expect(writer.pendingCount).toBe(10);
    writer.push(records.slice(10, 20));
    const second = writer.flush();
    // Queued before the second flush's turn comes: it goes in that write.
    writer.push(records.slice(20));
    expect(writer.pendingCount).toBe(records.length);
    expect(writer.pendingRecords()).toEqual(records);
    sink.gate = null;
    open();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(sink.writes.map((w) => w.records.length)).toEqual([10, records.length - 10]);
    expect(sink.stored()).toEqual(records);
    await clock.advance(500);
    expect(sink.writes.length).toBe(2);
    expect(clock.pending()).toBe(0);
  });

  it('puts a failed write’s records back in front of those that came during it', async () => {
    const clock = createFakeClock();
    const sink = createSink(clock);
    const writer = new RecordWriter(sink, 'exp', { schedule: clock.schedule });
    const records = makeRecords(10);
    let open: () => void = () => undefined;
    sink.gate = new Promise((resolve) => (open = resolve));
    sink.failWith = quotaError();
    writer.push(records.slice(0, 5));
    const first = writer.flush();
    await clock.settle();
    writer.push(records.slice(5));
    sink.gate = null;
    open();
    expect(await first).toBe(false);
    expect(writer.pendingRecords()).toEqual(records);
    sink.failWith = null;
    expect(await writer.flush()).toBe(true);
    expect(sink.stored()).toEqual(records);
  });

  it('survives a quota error: keeps the records, says so once, and stores them on a later try', async () => {
    const clock = createFakeClock();
    const sink = createSink(clock);
    const onError = vi.fn<(e: RecordWriteError) => void>();
    const onRecover = vi.fn();
    const writer = new RecordWriter(sink, 'exp', { schedule: clock.schedule, retryMs: 5000, onError, onRecover });
    const records = makeRecords(600);
    writer.push(records.slice(0, 1000));
    sink.failWith = quotaError();
    await clock.advance(500);
    expect(onError).toHaveBeenCalledTimes(1);
    const error = onError.mock.calls[0][0];
    expect(error).toBeInstanceOf(RecordWriteError);
    expect(error.quota).toBe(true);
    expect(error.pendingCount).toBe(1000);
    expect(error.message).toBe(
      'Storage is full: 1,000 records of this run are kept in memory but not saved. Export the experiment as JSON to keep them, or delete old experiments to free space; saving is retried.',
    );
    expect(writer.isFailing).toBe(true);

    // More records, more failures (a flush, then the retry timer): still one report, nothing lost.
    writer.push(records.slice(1000));
    expect(await writer.flush()).toBe(false);
    await clock.advance(5000);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(writer.pendingRecords()).toEqual(records);
    expect(sink.writes.length).toBe(0);

    // Space freed: the retry timer stores everything, in order, and says the trouble is over.
    sink.failWith = null;
    await clock.advance(5000);
    expect(sink.stored()).toEqual(records);
    expect(writer.pendingCount).toBe(0);
    expect(writer.isFailing).toBe(false);
    expect(onRecover).toHaveBeenCalledTimes(1);

    // A later failure is a new episode: reported again.
    sink.failWith = quotaError();
    writer.push(makeRecords(1));
    expect(await writer.flush()).toBe(false);
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('reports other failures with their cause, and a throwing listener does not stop it', async () => {
    const clock = createFakeClock();
    const sink = createSink(clock);
    const errors: RecordWriteError[] = [];
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const writer = new RecordWriter(sink, 'exp', {
      schedule: clock.schedule,
      onError: (e) => {
        errors.push(e);
        throw new Error('listener bug');
      },
    });
    sink.failWith = new DOMException('The database connection is closing.', 'InvalidStateError');
    writer.push(makeRecords(1));
    expect(await writer.flush()).toBe(false);
    expect(errors[0].quota).toBe(false);
    expect(errors[0].message).toMatch(/^Could not save records \(InvalidStateError: The database connection is closing\.\): 3 records of this run are kept in memory/);
    sink.failWith = null;
    expect(await writer.flush()).toBe(true);
    expect(sink.stored()).toEqual(makeRecords(1));
    quiet.mockRestore();
  });

  it('flushes on close and refuses records after it', async () => {
    const clock = createFakeClock();
    const sink = createSink(clock);
    const writer = new RecordWriter(sink, 'exp', { schedule: clock.schedule });
    writer.push(makeRecords(2));
    expect(await writer.close()).toBe(true);
    expect(sink.stored()).toEqual(makeRecords(2));
    expect(clock.pending()).toBe(0);
    expect(() => writer.push(makeRecords(1))).toThrow('The record writer of experiment "exp" is closed');
  });

  it('writes into IndexedDB and survives an injected quota error there', async () => {
    const clock = createFakeClock();
    const db = await ExperimentDb.open('rg-lab', new IDBFactory());
    const id = await db.createExperiment(makeConfig(), {});
    const onError = vi.fn<(e: RecordWriteError) => void>();
    const writer = new RecordWriter(db, id, { schedule: clock.schedule, onError });
    const records = makeRecords(50);
    writer.push(records.slice(0, 40));
    await clock.advance(500);
    // fake-indexeddb finishes a transaction over several macrotasks.
    await vi.waitFor(async () => expect(await db.getRecords(id)).toEqual(records.slice(0, 40)));
    const add = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw quotaError();
    });
    writer.push(records.slice(40));
    await clock.advance(500);
    await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    expect(onError.mock.calls[0][0].message).toMatch(/^Storage is full: 67 records/);
    expect(writer.pendingRecords()).toEqual(records.slice(40));
    expect(await db.getRecords(id)).toEqual(records.slice(0, 40));
    add.mockRestore();
    expect(await writer.flush()).toBe(true);
    expect(await db.getRecords(id)).toEqual(records);
    db.close();
  });
});
