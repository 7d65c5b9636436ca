import { recordsInMemory } from './metricsSlice';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../engine/checkpoint';
import { REINIT_ID, WORKER_CRASHED, type BackendName, type BackendReport } from '../worker/protocol';
import { openExperimentStore } from '../persist';
import { resetAppStore, useAppStore } from './index';
import { connectPersistence } from './persistBridge';
import { FAKE_BUILTIN, FAKE_REPORT, FakeTrainerClient } from './fakeTrainerClient';
import { connectTrainer } from './trainerBridge';

const REPORT = FAKE_REPORT;
const SUMMARY = FAKE_BUILTIN;

const tick = () => new Promise((r) => setTimeout(r, 5));
const s = () => useAppStore.getState();

let disconnect: () => void = () => {};
beforeEach(() => resetAppStore());
afterEach(() => disconnect());

async function connect() {
  const client = new FakeTrainerClient();
  const bridge = connectTrainer(client, { forcedBackend: null, liveDelayMs: 0, datasetDelayMs: 0 });
  disconnect = bridge.disconnect;
  await tick();
  return { client, commands: bridge.commands };
}

describe('trainer bridge', () => {
  it('reports the backend and the dataset once the worker answers', async () => {
    await connect();
    expect(s().backend).toEqual({ state: 'ready', report: REPORT, error: null, progress: null });
    expect(s().dataset).toMatchObject({ state: 'ready', summary: SUMMARY, key: 'builtin:shapes10|16|1' });
  });

  it('turns run events into store actions and drops events of other runs', async () => {
    const { client, commands } = await connect();
    commands.start();
    const runId = s().run.id!;
    expect(client.sent).toEqual([{ type: 'start', runId, arms: 3 }]);
    client.emit({ type: 'started', runId, totalSteps: 20, stepsPerEpoch: 10 });
    client.emit({ type: 'metrics', runId: 'old', records: [{ type: 'diverged', arm: 'rg', seed: 1, step: 1, reason: 'x' }] });
    client.emit({ type: 'metrics', runId, records: [{ type: 'event', arm: 'rg', seed: 1, step: 3, name: 'lr', value: 0.2 }] });
    client.emit({ type: 'progress', runId, progress: { step: 2, totalSteps: 20, epoch: 0.2, imagesPerSec: 10, elapsedMs: 100 } });
    expect(s().run).toMatchObject({ status: 'running', step: 2, totalSteps: 20, stepsPerEpoch: 10 });
    expect(recordsInMemory(s())).toHaveLength(1);
    commands.pause();
    client.emit({ type: 'status', runId, status: 'paused' });
    expect(s().run.status).toBe('paused');
    commands.resume();
    client.emit({ type: 'status', runId, status: 'running' });
    commands.stop();
    client.emit({ type: 'done', runId, status: 'stopped', progress: null });
    expect(s().run).toMatchObject({ status: 'done', stopped: true, step: 2 });
    expect(client.sent.slice(1)).toEqual([
      { type: 'pause', runId },
      { type: 'resume', runId },
      { type: 'stop', runId },
    ]);
  });

  it('sends live parameters merged per arm, only during a run', async () => {
    const { client, commands } = await connect();
    commands.setLiveParams('rg', { lr: 0.2 });
    await tick();
    expect(client.sent).toEqual([]);
    commands.start();
    const runId = s().run.id!;
    commands.setLiveParams('rg', { lr: 0.2 });
    commands.setLiveParams('rg', { lossWeight: 2 });
    await tick();
    expect(client.sent.slice(1)).toEqual([{ type: 'setParams', runId, arm: 'rg', params: { lr: 0.2, lossWeight: 2 } }]);
  });

  it('shows a config problem without starting, and a run error from the worker', async () => {
    const { client, commands } = await connect();
    s().updateArm(0, { ...s().config.arms[0], name: 'rg' });
    commands.start();
    expect(client.sent).toEqual([]);
    expect(s().run).toMatchObject({ status: 'error', error: 'ConfigError: arms[1].name: "rg" is used by another arm' });
    s().applyPreset('plain-vs-rg');
    commands.start();
    const runId = s().run.id!;
    client.emit({ type: 'error', runId, error: { name: 'TrainingError', message: 'out of memory' } });
    expect(s().run).toMatchObject({ status: 'error', error: 'TrainingError: out of memory' });
  });

  it('reloads the dataset when its settings change while idle', async () => {
    await connect();
    s().setConfig({ inputSize: 16 });
    await tick();
    expect(s().dataset).toMatchObject({ state: 'ready', key: 'builtin:shapes10|16|1' });
  });
});

describe('trainer bridge samples', () => {
  it('keeps the current run’s samples per arm and drops another run’s', async () => {
    const { client, commands } = await connect();
    commands.start();
    const runId = s().run.id!;
    const samples = (arm: string, step: number) => ({
      arm,
      seed: 1,
      step,
      samples: { kind: 'translate' as const, count: 1, size: 2, channels: 3, input: new Uint8Array(12), target: new Uint8Array(12), output: new Uint8Array(12).fill(step) },
    });
    client.emit({ type: 'samples', runId, samples: samples('plain', 1), palette: null });
    client.emit({ type: 'samples', runId: 'old-run', samples: samples('rg', 1), palette: null });
    client.emit({ type: 'samples', runId, samples: samples('plain', 2), palette: null });
    expect(Object.keys(s().samplesByArm)).toEqual(['plain']);
    expect(s().samplesByArm.plain.step).toBe(2);
    expect(s().samplesByArm.plain.samples.output[0]).toBe(2);
    client.emit({ type: 'done', runId, status: 'done', progress: null });
    commands.start();
    expect(s().samplesByArm).toEqual({});
  });

  it('runs a given config to its end for the sweep queue, and stops it on abort', async () => {
    const { client, commands } = await connect();
    const config = { ...s().config, steps: 5 };
    const done = commands.runConfig(config);
    const runId = s().run.id!;
    expect(s().run.config).toBe(config);
    client.emit({ type: 'metrics', runId, records: [{ type: 'diverged', arm: 'rg', seed: 1, step: 1, reason: 'x' }] });
    client.emit({ type: 'done', runId, status: 'done', progress: null });
    expect(await done).toEqual([{ type: 'diverged', arm: 'rg', seed: 1, step: 1, reason: 'x' }]);

    const abort = new AbortController();
    const stopped = commands.runConfig(config, abort.signal);
    const second = s().run.id!;
    await expect(commands.runConfig(config)).rejects.toThrow(/A run is going/);
    abort.abort();
    expect(client.sent.at(-1)).toEqual({ type: 'stop', runId: second });
    client.emit({ type: 'done', runId: second, status: 'stopped', progress: null });
    expect(await stopped).toEqual([]);

    const failing = commands.runConfig(config);
    client.emit({ type: 'error', runId: s().run.id!, error: { name: 'TrainingError', message: 'boom' } });
    await expect(failing).rejects.toThrow(/boom/);
  });

  it('has a sweep cell wait for a backend still being chosen (a new worker after a crash), and fail on a failed one', async () => {
    const { client, commands } = await connect();
    const config = { ...s().config, steps: 5 };
    s().setBackendPending();
    const cell = commands.runConfig(config);
    await tick();
    expect(client.sent.filter((m) => (m as { type: string }).type === 'start')).toHaveLength(0);
    s().setBackendReady(REPORT);
    await tick();
    expect(client.sent.at(-1)).toMatchObject({ type: 'start' });
    client.emit({ type: 'done', runId: s().run.id!, status: 'done', progress: null });
    expect(await cell).toEqual([]);

    s().setBackendPending();
    const failing = commands.runConfig(config);
    s().setBackendError('no backend passed its preflight');
    await expect(failing).rejects.toThrow(/backend is not ready: no backend passed its preflight/);
    await expect(commands.runConfig(config)).rejects.toThrow(/no backend passed its preflight/);

    s().setBackendPending();
    const abort = new AbortController();
    const aborted = commands.runConfig(config, abort.signal);
    abort.abort();
    await expect(aborted).rejects.toThrow(/Stopped while waiting for the backend/);
  });

  it('survives a lost device: the run goes on, records after the checkpoint are dropped, the new backend shows', async () => {
    const checkpoints: [string, number][] = [];
    const resumed: [string, number][] = [];
    const client = new FakeTrainerClient();
    const bridge = connectTrainer(client, {
      forcedBackend: null,
      liveDelayMs: 0,
      datasetDelayMs: 0,
      onCheckpoint: (id, c) => checkpoints.push([id, c.step]),
      onResumed: (id, step) => resumed.push([id, step]),
    });
    disconnect = bridge.disconnect;
    await tick();
    bridge.commands.start();
    const runId = s().run.id!;
    const stepAt = (t: number) => ({ type: 'step' as const, arm: 'plain', seed: 1, step: t, epoch: 0, loss: 1, weightedLoss: 1, rgWeight: 1, lr: 0.1, gradNorm: 1, ms: 1 });
    client.emit({ type: 'metrics', runId, records: [1, 2, 3, 4, 5, 6].map(stepAt) });
    client.emit({ type: 'checkpoint', runId, checkpoint: { step: 4, epoch: 0, savedAt: 0, positions: {}, arms: [] } });
    client.emit({ type: 'error', runId, error: { name: 'DeviceLostError', message: 'the GPU device was lost' } });
    client.emit({ type: 'backendLost', runId, backend: 'webgpu', reason: 'device lost' });
    expect(s().run.status).toBe('running');
    expect(s().run.notice).toMatch(/webgpu backend was lost .*step 4/);
    client.emit({ type: 'ready', id: REINIT_ID, report: { ...REPORT, backend: 'webgl' } });
    expect(s().backend.report?.backend).toBe('webgl');
    client.emit({ type: 'resumed', runId, step: 4, backend: 'webgl' });
    expect(s().stepsByArm.plain[1].map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(s().run).toMatchObject({ status: 'running', step: 4, error: null });
    expect(checkpoints).toEqual([[runId, 4]]);
    expect(resumed).toEqual([[runId, 4]]);

    // A saved run resumes under its own id from its checkpoint, with its records up to it.
    client.emit({ type: 'done', runId, status: 'done', progress: null });
    bridge.commands.resumeRun('saved-run', s().config, { step: 2, epoch: 0, savedAt: 0, positions: {}, arms: [] }, [1, 2, 3].map(stepAt));
    expect(s().run).toMatchObject({ id: 'saved-run', status: 'running', step: 2 });
    expect(recordsInMemory(s()).map((r) => (r.type === 'step' ? r.step : -1))).toEqual([1, 2]);
    expect(client.sent.at(-1)).toMatchObject({ type: 'start', runId: 'saved-run', resumeAt: 2 });
  });
});

describe('trainer bridge after a worker crash', () => {
  const stepAt = (t: number) => ({ type: 'step' as const, arm: 'plain', seed: 1, step: t, epoch: 0, loss: 1, weightedLoss: 1, rgWeight: 1, lr: 0.1, gradNorm: 1, ms: 1 });
  const crash = (client: FakeTrainerClient, detail = 'Uncaught Error: boom') =>
    client.emit({ type: 'error', error: { name: WORKER_CRASHED, message: `the training worker crashed (${detail}) and was shut down` } });
  const checkpointAt = (step: number): Checkpoint => ({ step, epoch: 0, savedAt: 0, positions: {}, arms: [] });

  async function connectForced(backend: BackendName | null = 'webgl') {
    const client = new FakeTrainerClient();
    const bridge = connectTrainer(client, { forcedBackend: backend, liveDelayMs: 0, datasetDelayMs: 0 });
    disconnect = bridge.disconnect;
    await tick();
    return { client, commands: bridge.commands };
  }

  it('fails the run naming the crash, keeps every record, starts a new worker with the same backend and dataset, and offers a resume', async () => {
    const { client, commands } = await connectForced('webgl');
    commands.start();
    const runId = s().run.id!;
    client.emit({ type: 'metrics', runId, records: [1, 2, 3, 4, 5, 6].map(stepAt) });
    client.emit({ type: 'checkpoint', runId, checkpoint: checkpointAt(4) });
    client.emit({ type: 'progress', runId, progress: { step: 6, totalSteps: 20, epoch: 0, imagesPerSec: 10, elapsedMs: 100 } });
    crash(client);
    expect(s().run).toMatchObject({ id: runId, status: 'error', step: 6, stored: { interrupted: true, resumable: true, crashed: true } });
    expect(s().run.error).toMatch(/^WorkerCrashedError: the training worker crashed \(Uncaught Error: boom\).*kept and saved.*from step 4/);
    expect(recordsInMemory(s()).map((r) => (r.type === 'step' ? r.step : -1))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.restarts).toBe(1);
    expect(s().backend.state).toBe('pending');
    await tick();
    expect(client.inits).toEqual([
      ['webgl', s().config.model],
      ['webgl', s().config.model],
    ]);
    expect(client.datasets).toEqual(['builtin:shapes10', 'builtin:shapes10']);
    expect(s().backend).toMatchObject({ state: 'ready', error: null });
    expect(s().dataset).toMatchObject({ state: 'ready', key: 'builtin:shapes10|16|1' });
    // Still the crashed run, with its records, until it is resumed or another starts.
    expect(s().run).toMatchObject({ id: runId, status: 'error' });
    expect(recordsInMemory(s())).toHaveLength(6);
  });

  it('resumes the crashed run under its id from the checkpoint step; every step appears once', async () => {
    const { client, commands } = await connectForced(null);
    commands.start();
    const runId = s().run.id!;
    const config = s().run.config!;
    client.emit({ type: 'metrics', runId, records: [1, 2, 3, 4, 5, 6].map(stepAt) });
    client.emit({ type: 'checkpoint', runId, checkpoint: checkpointAt(4) });
    crash(client);
    await tick();
    // What the banner's resume does: the saved run's config, checkpoint and records up to it.
    commands.resumeRun(runId, config, checkpointAt(4), [1, 2, 3, 4].map(stepAt));
    expect(s().run).toMatchObject({ id: runId, status: 'running', step: 4, error: null, stored: null, checkpointStep: 4 });
    expect(client.sent.at(-1)).toMatchObject({ type: 'start', runId, resumeAt: 4 });
    client.emit({ type: 'resumed', runId, step: 4, backend: 'webgl' });
    client.emit({ type: 'metrics', runId, records: [5, 6, 7, 8].map(stepAt) });
    client.emit({ type: 'done', runId, status: 'done', progress: { step: 8, totalSteps: 8, epoch: 0, imagesPerSec: 10, elapsedMs: 100 } });
    expect(s().run).toMatchObject({ id: runId, status: 'done', step: 8 });
    expect(s().stepsByArm.plain[1].map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('without a checkpoint yet, the run is not offered for resume and the message says so', async () => {
    const { client, commands } = await connectForced();
    commands.start();
    client.emit({ type: 'metrics', runId: s().run.id!, records: [1, 2].map(stepAt) });
    crash(client);
    expect(s().run.stored).toEqual({ interrupted: true, resumable: false, crashed: true });
    expect(s().run.error).toMatch(/no checkpoint yet .*Start trains it again/);
    expect(recordsInMemory(s())).toHaveLength(2);
    expect(client.restarts).toBe(1);
  });

  it('with no run going, the worker is replaced and a notice says so', async () => {
    const { client } = await connectForced();
    crash(client);
    expect(s().run).toMatchObject({ status: 'idle', error: null, stored: null });
    expect(s().run.notice).toMatch(/WorkerCrashedError: .*Nothing was training; a new worker is starting/);
    await tick();
    expect(client.restarts).toBe(1);
    expect(client.inits).toHaveLength(2);
    expect(s().backend.state).toBe('ready');
  });

  it('does not replace a worker that crashed before it was ready, or while it replaced another', async () => {
    const early = new FakeTrainerClient();
    early.init = () => new Promise<BackendReport>(() => {});
    const bridge = connectTrainer(early, { forcedBackend: null, liveDelayMs: 0, datasetDelayMs: 0 });
    disconnect = bridge.disconnect;
    crash(early, 'its script did not load');
    expect(early.restarts).toBe(0);
    expect(s().backend).toMatchObject({ state: 'error', error: expect.stringMatching(/its script did not load.*Reload the page/) });
    bridge.disconnect();

    resetAppStore();
    const { client, commands } = await connectForced();
    commands.start();
    client.init = () => new Promise<BackendReport>(() => {});
    crash(client);
    crash(client, 'Uncaught Error: again');
    expect(client.restarts).toBe(1);
    expect(s().backend).toMatchObject({ state: 'error', error: expect.stringMatching(/again.*while replacing a worker that had crashed.*Reload the page/) });
  });

  it('with storage: the crashed run is saved with its error, and resuming it keeps one experiment with every step once', async () => {
    const persist = connectPersistence({ facts: { appVersion: 't', tfjsVersion: 't' }, flushMs: 10, showLatest: false, open: () => openExperimentStore({ factory: new IDBFactory() }) });
    await persist.ready;
    const client = new FakeTrainerClient();
    const bridge = connectTrainer(client, {
      forcedBackend: null,
      liveDelayMs: 0,
      datasetDelayMs: 0,
      onCheckpoint: (id, c) => persist.commands.saveCheckpoint(id, c),
      onResumed: (id, step) => void persist.commands.discardAfter(id, step),
    });
    disconnect = () => {
      bridge.disconnect();
      persist.disconnect();
    };
    await tick();
    bridge.commands.start();
    const runId = s().run.id!;
    client.emit({ type: 'metrics', runId, records: [1, 2, 3, 4, 5, 6].map(stepAt) });
    client.emit({ type: 'checkpoint', runId, checkpoint: checkpointAt(4) });
    crash(client);
    // At once, as a quick click would: the records still being written must not come back after the cut.
    const saved = await persist.commands.resumable(runId);
    expect(saved?.checkpoint.step).toBe(4);
    expect(saved?.records.map((r) => (r.type === 'step' ? r.step : -1))).toEqual([1, 2, 3, 4]);
    expect(s().experiments.list).toMatchObject([{ id: runId, status: 'error' }]);
    await tick();
    bridge.commands.resumeRun(runId, saved!.config, saved!.checkpoint, saved!.records);
    client.emit({ type: 'resumed', runId, step: 4, backend: 'webgl' });
    client.emit({ type: 'metrics', runId, records: [5, 6, 7, 8].map(stepAt) });
    client.emit({ type: 'done', runId, status: 'done', progress: null });
    await new Promise((r) => setTimeout(r, 100));
    const stored = await persist.commands.records(runId);
    expect(stored.map((r) => (r.type === 'step' ? r.step : -1))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s().experiments.list).toMatchObject([{ id: runId, status: 'done' }]);
  });
});
