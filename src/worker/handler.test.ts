import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClassifyArms, createDefaultConfig, type ExperimentConfig } from '../engine/config';
import { Optimizer } from '../engine/optim';
import type { MetricRecord } from '../engine/records';
import { makeTinyClassification } from '../testing/tinyDatasets';
import { createTrainerHandler, type HandlerDeps } from './handler';
import type { BackendName, FromWorker, ToWorker } from './protocol';

/** A fake worker: collects every posted message and lets a test wait for one. */
function createHarness(overrides: Partial<HandlerDeps> = {}) {
  const messages: FromWorker[] = [];
  const transfers: (Transferable[] | undefined)[] = [];
  const waiters: { pred: (m: FromWorker) => boolean; resolve: (m: FromWorker) => void }[] = [];
  const post = (m: FromWorker, transfer?: Transferable[]) => {
    messages.push(m);
    transfers.push(transfer);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const deps: HandlerDeps = {
    activateBackend: async (name: BackendName) => {
      if (name !== 'cpu') throw new Error(`${name} is not available in Node`);
      await tf.setBackend('cpu');
    },
    probeWebGpu: async () => 'this browser has no WebGPU (navigator.gpu is missing)',
    loadDataset: () => makeTinyClassification({ n: 32, nTest: 16, size: 8, classes: 4 }),
    loadArchive: () => Promise.reject(new Error('no archives in these tests')),
    metricsIntervalMs: 1e9,
    ...overrides,
  };
  const handle = createTrainerHandler(post, deps);
  const waitFor = <T extends FromWorker['type']>(type: T, pred: (m: Extract<FromWorker, { type: T }>) => boolean = () => true) => {
    const found = messages.find((m): m is Extract<FromWorker, { type: T }> => m.type === type && pred(m as Extract<FromWorker, { type: T }>));
    if (found) return Promise.resolve(found);
    return new Promise<Extract<FromWorker, { type: T }>>((resolve) => {
      waiters.push({ pred: (m) => m.type === type && pred(m as Extract<FromWorker, { type: T }>), resolve: (m) => resolve(m as Extract<FromWorker, { type: T }>) });
    });
  };
  const records = (runId: string): MetricRecord[] =>
    messages.flatMap((m) => (m.type === 'metrics' && m.runId === runId ? m.records : []));
  return { messages, transfers, handle, waitFor, records };
}

function tinyConfig(steps: number): ExperimentConfig {
  const cfg = { ...createDefaultConfig(), seeds: [1], augment: true, arms: createClassifyArms() };
  return { ...cfg, dataset: 'builtin:tiny', model: 'cnn', inputSize: 8, batchSize: 4, steps, evalEvery: 2, augment: false };
}

const init = (backend: BackendName | null = 'cpu'): ToWorker => ({ type: 'init', id: 1, backend, model: 'cnn' });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('init', () => {
  it('reports the forced backend once its preflight passes', async () => {
    const h = createHarness();
    await h.handle(init('cpu'));
    expect(h.messages).toEqual([
      {
        type: 'ready',
        id: 1,
        report: { backend: 'cpu', adapter: null, forced: 'cpu', attempts: [{ backend: 'cpu', ok: true }], maxRelativeError: 0 },
      },
    ]);
  });

  it('falls back webgpu > webgl > wasm > cpu and says why each was passed over', async () => {
    const h = createHarness();
    await h.handle(init(null));
    expect(h.messages).toHaveLength(1);
    const ready = h.messages[0];
    if (ready.type !== 'ready') throw new Error(`expected ready, got ${ready.type}`);
    expect(ready.report.backend).toBe('cpu');
    expect(ready.report.attempts).toEqual([
      { backend: 'webgpu', ok: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' },
      { backend: 'webgl', ok: false, reason: 'webgl is not available in Node' },
      { backend: 'wasm', ok: false, reason: 'wasm is not available in Node' },
      { backend: 'cpu', ok: true },
    ]);
  });

  it('rejects a backend that lacks a kernel the model trains with', async () => {
    const h = createHarness({
      probeWebGpu: async () => ({ vendor: 'test', architecture: 'fake', device: '', description: '', isFallbackAdapter: true }),
      // "webgpu" is the cpu backend under another name: activation works, kernel lookup fails.
      activateBackend: async () => {
        await tf.setBackend('cpu');
      },
    });
    await h.handle(init('webgpu'));
    const ready = await h.waitFor('ready');
    expect(ready.report.backend).toBe('webgl');
    expect(ready.report.adapter).toMatchObject({ vendor: 'test', isFallbackAdapter: true });
    expect(ready.report.attempts[0]).toMatchObject({ backend: 'webgpu', ok: false });
    expect(ready.report.attempts[0].reason).toMatch(/^webgpu lacks kernels that cnn needs for training: .*Conv2D/);
  });

  it('posts a BackendError when no backend works', async () => {
    const h = createHarness({ activateBackend: async (n) => Promise.reject(new Error(`${n} broken`)) });
    await h.handle(init(null));
    expect(h.messages).toHaveLength(1);
    expect(h.messages[0]).toMatchObject({ type: 'error', id: 1, error: { name: 'BackendError' } });
    const msg = h.messages[0].type === 'error' ? h.messages[0].error.message : '';
    expect(msg).toContain('did not start (cpu broken)');
  });
});

describe('datasets', () => {
  it('loads a dataset and summarises it', async () => {
    const h = createHarness();
    await h.handle({ type: 'loadDataset', id: 7, dataset: 'builtin:tiny', inputSize: 8, seed: 1 });
    expect(h.messages).toEqual([
      {
        type: 'datasetReady',
        id: 7,
        summary: expect.objectContaining({ id: 'builtin:tiny', numTrain: 32, numTest: 16, classNames: ['class0', 'class1', 'class2', 'class3'] }),
      },
    ]);
  });

  it('names the problem when a dataset is not built in', async () => {
    const h = createHarness();
    await h.handle({ type: 'loadDataset', id: 8, dataset: 'cifar.zip', inputSize: 8, seed: 1 });
    expect(h.messages).toEqual([
      { type: 'error', id: 8, error: { name: 'DatasetError', message: expect.stringContaining('cifar.zip: is neither a built-in dataset nor a loaded archive') } },
    ]);
  });
});

describe('runs', () => {
  it('trains both arms and batches the records into few metrics messages', async () => {
    const h = createHarness();
    await h.handle(init());
    await h.handle({ type: 'start', runId: 'r1', config: tinyConfig(4) });
    const types = h.messages.map((m) => m.type);
    expect(types[0]).toBe('ready');
    expect(types.slice(1, 3)).toEqual(['started', 'status']);
    expect(h.messages[1]).toEqual({ type: 'started', runId: 'r1', totalSteps: 4, stepsPerEpoch: 8 });
    expect(h.messages[2]).toEqual({ type: 'status', runId: 'r1', status: 'running' });
    expect(h.messages.at(-1)).toMatchObject({ type: 'done', runId: 'r1', status: 'done', progress: { step: 4, totalSteps: 4 } });
    const recs = h.records('r1');
    const metricsMessages = h.messages.filter((m) => m.type === 'metrics');
    expect(metricsMessages.length).toBeLessThan(recs.length);
    const steps = recs.filter((r) => r.type === 'step');
    expect(steps.map((r) => `${r.arm}:${r.step}`).sort()).toEqual(['plain:1', 'plain:2', 'plain:3', 'plain:4', 'rg:1', 'rg:2', 'rg:3', 'rg:4']);
    expect(recs.filter((r) => r.type === 'eval')).toHaveLength(4);
    expect(recs.filter((r) => r.type === 'summary').map((r) => r.arm)).toEqual(['plain', 'rg']);
  });

  it('pauses, resumes and stops between steps', async () => {
    const h = createHarness({ metricsIntervalMs: 0 });
    await h.handle(init());
    const finished = h.handle({ type: 'start', runId: 'r2', config: tinyConfig(10_000) });
    await h.waitFor('progress', (m) => m.runId === 'r2');
    await h.handle({ type: 'pause', runId: 'r2' });
    await h.waitFor('status', (m) => m.status === 'paused');
    const progressWhilePaused = h.messages.filter((m) => m.type === 'progress').length;
    await new Promise((r) => setTimeout(r, 50));
    expect(h.messages.filter((m) => m.type === 'progress').length).toBe(progressWhilePaused);
    await h.handle({ type: 'resume', runId: 'r2' });
    expect(h.messages.at(-1)).toEqual({ type: 'status', runId: 'r2', status: 'running' });
    await h.handle({ type: 'stop', runId: 'r2' });
    await finished;
    const done = await h.waitFor('done');
    expect(done.status).toBe('stopped');
    expect(done.progress!.step).toBeLessThan(10_000);
    expect(h.records('r2').filter((r) => r.type === 'summary')).toHaveLength(2);
  });

  it('applies setParams from the next step, records it as an event, and ignores stale run ids', async () => {
    const h = createHarness({ metricsIntervalMs: 0 });
    await h.handle(init());
    const finished = h.handle({ type: 'start', runId: 'r3', config: tinyConfig(10_000) });
    await h.waitFor('progress', (m) => m.runId === 'r3');
    const before = h.messages.length;
    await h.handle({ type: 'setParams', runId: 'old-run', arm: 'rg', params: { lr: 0.5 } });
    await h.handle({ type: 'pause', runId: 'old-run' });
    expect(h.messages.length).toBe(before);
    await h.handle({ type: 'setParams', runId: 'r3', arm: 'rg', params: { lr: 0.05, lossWeight: 2 } });
    const events = h.records('r3').filter((r) => r.type === 'event');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'event', arm: 'rg', name: 'lr', value: 0.05 });
    expect(events[1]).toMatchObject({ type: 'event', arm: 'rg', name: 'lossWeight', value: 2 });
    const from = events[0].step;
    await h.waitFor('progress', (m) => m.progress.step > from + 1);
    await h.handle({ type: 'stop', runId: 'r3' });
    await finished;
    const rgSteps = h.records('r3').filter((r) => r.type === 'step' && r.arm === 'rg');
    for (const s of rgSteps) {
      if (s.type !== 'step') continue;
      expect(s.lr).toBe(s.step >= from ? 0.05 : 0.1);
      if (s.step >= from) expect(s.rgWeight).toBeGreaterThanOrEqual(0);
    }
    expect(rgSteps.some((s) => s.type === 'step' && s.step >= from)).toBe(true);
  });

  it('posts named, actionable errors tagged with the request', async () => {
    const h = createHarness();
    await h.handle({ type: 'start', runId: 'early', config: tinyConfig(2) });
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', runId: 'early', error: { name: 'RunStateError' } });

    await h.handle(init());
    const bad = tinyConfig(2);
    bad.arms[0].optimizer.lr = -1;
    await h.handle({ type: 'start', runId: 'bad', config: bad });
    expect(h.messages.at(-1)).toEqual({
      type: 'error',
      runId: 'bad',
      error: { name: 'ConfigError', message: 'arms[0].optimizer.lr: is -1; allowed > 0 and <= 10 Fix that setting and start again.' },
    });

    const unknownArm = h.handle({ type: 'start', runId: 'r4', config: tinyConfig(10_000) });
    await h.waitFor('started', (m) => m.runId === 'r4');
    await h.handle({ type: 'setParams', runId: 'r4', arm: 'nope', params: { lr: 1 } });
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', runId: 'r4', error: { name: 'TrainingError', message: expect.stringContaining('no arm named "nope"') } });
    await h.handle({ type: 'start', runId: 'r5', config: tinyConfig(2) });
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', runId: 'r5', error: { name: 'RunStateError' } });
    await h.handle({ type: 'stop', runId: 'r4' });
    await unknownArm;

    await h.handle({ type: 'bogus' } as unknown as ToWorker);
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', error: { name: 'ProtocolError' } });
  });
});

/** Every message about run `runId`, in order, with the `ready` messages between them. */
const runMessages = (messages: FromWorker[], runId: string) => messages.filter((m) => m.type === 'ready' || ('runId' in m && m.runId === runId));

/** What the page keeps: a `resumed` at step k drops the records after k received before it, and summaries. */
function keptRecords(messages: FromWorker[], runId: string): MetricRecord[] {
  let kept: MetricRecord[] = [];
  for (const m of messages) {
    if (m.type === 'metrics' && m.runId === runId) kept.push(...m.records);
    if (m.type === 'resumed' && m.runId === runId) kept = kept.filter((r) => r.type !== 'summary' && r.step <= m.step);
  }
  return kept;
}

const withoutTimes = (rs: MetricRecord[]) => rs.map((r) => (r.type === 'step' || r.type === 'summary' ? { ...r, ms: 0 } : r));

/** A harness where "webgl" is the cpu backend under another name and webgpu and wasm fail: a chain webgl > cpu. */
function createChainHarness(overrides: Partial<HandlerDeps> = {}) {
  return createHarness({
    activateBackend: async (name: BackendName) => {
      if (name === 'webgpu' || name === 'wasm') throw new Error(`${name} is not available in Node`);
      await tf.setBackend('cpu');
    },
    ...overrides,
  });
}

/** Makes Optimizer.applyGradients throw `error` on its `n`-th call from now (two arms: call 2s - 1 is step s's first). */
function failOptimizerCall(n: number, error: Error): void {
  const original = Optimizer.prototype.applyGradients;
  let calls = 0;
  vi.spyOn(Optimizer.prototype, 'applyGradients').mockImplementation(function (this: Optimizer, grads, lr) {
    if (++calls === n) throw error;
    return original.call(this, grads, lr);
  });
}

describe('checkpoints and recovery', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('posts a checkpoint after each evaluation, after its records, with its buffers transferred', async () => {
    const h = createHarness();
    await h.handle(init());
    await h.handle({ type: 'start', runId: 'c1', config: tinyConfig(4) });
    const at = h.messages.flatMap((m, i) => (m.type === 'checkpoint' ? [i] : []));
    expect(at.map((i) => (h.messages[i].type === 'checkpoint' ? h.messages[i].checkpoint.step : -1))).toEqual([2, 4]);
    for (const i of at) {
      const m = h.messages[i];
      if (m.type !== 'checkpoint') continue;
      const c = m.checkpoint;
      expect(c.arms.map((a) => a.arm)).toEqual(['plain', 'rg']);
      const before = h.messages.slice(0, i).flatMap((x) => (x.type === 'metrics' ? x.records : []));
      expect(before.filter((r) => r.type === 'step' && r.step <= c.step)).toHaveLength(2 * c.step);
      const buffers = c.arms.flatMap((a) => [...a.weights, ...a.optimizers.flatMap((o) => o.slots)].map((t) => t.values.buffer));
      expect(new Set(h.transfers[i])).toEqual(new Set(buffers));
    }
    expect(h.messages.at(-1)).toMatchObject({ type: 'done', runId: 'c1', status: 'done' });
  });

  it('a device loss mid-run: DeviceLostError, the next backend, resumed from the checkpoint, the same records as without the loss', async () => {
    const h = createChainHarness();
    await h.handle(init('webgl'));
    expect(h.messages.at(-1)).toMatchObject({ type: 'ready', report: { backend: 'webgl' } });
    const config = tinyConfig(8);
    // The same live change in both runs, after the checkpoint at step 4: it must survive the loss.
    const startWithChange = async (runId: string, lose: boolean) => {
      const finished = h.handle({ type: 'start', runId, config });
      await h.waitFor('checkpoint', (m) => m.runId === runId && m.checkpoint.step === 4);
      await h.handle({ type: 'setParams', runId, arm: 'rg', params: { lr: 0.05 } });
      if (lose) await h.handle({ type: 'simulateDeviceLoss', reason: 'GPU hung' });
      await finished;
    };
    await startWithChange('ref', false);
    await startWithChange('lost', true);

    const msgs = runMessages(h.messages.slice(h.messages.findIndex((m) => m.type === 'started' && m.runId === 'lost')), 'lost');
    const types = msgs.map((m) => m.type).filter((t) => t !== 'metrics' && t !== 'progress');
    expect(types).toEqual(['started', 'status', 'checkpoint', 'checkpoint', 'error', 'backendLost', 'ready', 'resumed', 'status', 'checkpoint', 'checkpoint', 'done']);
    const error = msgs.find((m) => m.type === 'error');
    expect(error).toMatchObject({ error: { name: 'DeviceLostError', message: expect.stringContaining('webgl stopped working at step 4: GPU hung') } });
    expect(error).toMatchObject({ error: { message: expect.stringContaining('from its last checkpoint (step 4)') } });
    expect(msgs.find((m) => m.type === 'backendLost')).toEqual({ type: 'backendLost', runId: 'lost', backend: 'webgl', reason: 'GPU hung' });
    expect(msgs.find((m) => m.type === 'ready')).toEqual({
      type: 'ready',
      id: 0,
      report: {
        backend: 'cpu',
        adapter: null,
        forced: null,
        attempts: [
          { backend: 'webgl', ok: false, reason: 'lost during training: GPU hung' },
          { backend: 'wasm', ok: false, reason: 'wasm is not available in Node' },
          { backend: 'cpu', ok: true },
        ],
        maxRelativeError: 0,
      },
    });
    expect(msgs.find((m) => m.type === 'resumed')).toEqual({ type: 'resumed', runId: 'lost', step: 4, backend: 'cpu' });
    expect(msgs.filter((m) => m.type === 'checkpoint').map((m) => (m.type === 'checkpoint' ? m.checkpoint.step : -1))).toEqual([2, 4, 6, 8]);

    const kept = keptRecords(h.messages, 'lost');
    expect(withoutTimes(kept)).toEqual(withoutTimes(keptRecords(h.messages, 'ref')));
    for (const armName of ['plain', 'rg']) {
      expect(kept.flatMap((r) => (r.type === 'step' && r.arm === armName ? [r.step] : []))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    expect(kept.filter((r) => r.type === 'event')).toEqual([{ type: 'event', arm: 'rg', seed: 1, step: 5, name: 'lr', value: 0.05 }]);
  });

  it('an out-of-memory error in a step counts as a device loss; the steps after the checkpoint are made again', async () => {
    const h = createChainHarness();
    await h.handle(init('webgl'));
    const config = { ...tinyConfig(8), evalEvery: 4 };
    await h.handle({ type: 'start', runId: 'ref', config });
    failOptimizerCall(13, new RangeError('Array buffer allocation failed'));
    await h.handle({ type: 'start', runId: 'oom', config });
    const msgs = runMessages(h.messages, 'oom');
    expect(msgs.find((m) => m.type === 'error')).toMatchObject({
      error: { name: 'DeviceLostError', message: expect.stringMatching(/^webgl stopped working at step 6: out of memory \(Array buffer allocation failed\)/) },
    });
    expect(msgs.find((m) => m.type === 'resumed')).toEqual({ type: 'resumed', runId: 'oom', step: 4, backend: 'cpu' });
    expect(msgs.at(-1)).toMatchObject({ type: 'done', status: 'done', progress: { step: 8 } });
    expect(withoutTimes(keptRecords(h.messages, 'oom'))).toEqual(withoutTimes(keptRecords(h.messages, 'ref')));
  });

  it('an exception in a step posts a TrainingError, and the handler stays usable', async () => {
    const h = createHarness();
    await h.handle(init());
    failOptimizerCall(5, new Error('kernel exploded'));
    await h.handle({ type: 'start', runId: 'boom', config: tinyConfig(4) });
    const msgs = runMessages(h.messages, 'boom');
    expect(msgs.at(-1)).toEqual({
      type: 'error',
      runId: 'boom',
      error: { name: 'TrainingError', message: expect.stringContaining('kernel exploded') },
    });
    expect(msgs.some((m) => m.type === 'backendLost' || m.type === 'resumed' || m.type === 'done')).toBe(false);
    expect(h.records('boom').filter((r) => r.type === 'step' && r.step > 2)).toHaveLength(0);
    vi.restoreAllMocks();
    await h.handle({ type: 'start', runId: 'after', config: tinyConfig(2) });
    expect(h.messages.at(-1)).toMatchObject({ type: 'done', runId: 'after', status: 'done' });
  });

  it('watches the backend in use; a loss with no run going moves to the next backend at once', async () => {
    const watched: { backend: BackendName; onLost: (reason: string) => void; stopped: boolean }[] = [];
    const h = createChainHarness({
      watchDeviceLoss: (backend, onLost) => {
        const w = { backend, onLost, stopped: false };
        watched.push(w);
        return () => (w.stopped = true);
      },
    });
    await h.handle(init('webgl'));
    expect(watched.map((w) => w.backend)).toEqual(['webgl']);
    watched[0].onLost('the WebGL context was lost');
    await h.waitFor('ready', (m) => m.id === 0);
    expect(h.messages.slice(1)).toEqual([
      { type: 'backendLost', backend: 'webgl', reason: 'the WebGL context was lost' },
      { type: 'ready', id: 0, report: expect.objectContaining({ backend: 'cpu', attempts: expect.arrayContaining([{ backend: 'cpu', ok: true }]) }) },
    ]);
    expect(watched.map((w) => [w.backend, w.stopped])).toEqual([
      ['webgl', true],
      ['cpu', false],
    ]);
    // A late report from the backend left behind changes nothing.
    watched[0].onLost('again');
    await h.handle({ type: 'loadDataset', id: 9, dataset: 'builtin:tiny', inputSize: 8, seed: 1 });
    expect(h.messages.filter((m) => m.type === 'backendLost')).toHaveLength(1);
  });

  it('with no backend after the lost one, the run ends with a BackendError', async () => {
    const h = createHarness();
    await h.handle(init('cpu'));
    const finished = h.handle({ type: 'start', runId: 'last', config: tinyConfig(8) });
    await h.waitFor('checkpoint', (m) => m.runId === 'last');
    await h.handle({ type: 'simulateDeviceLoss' });
    await finished;
    const errors = runMessages(h.messages, 'last').filter((m) => m.type === 'error');
    expect(errors.map((m) => (m.type === 'error' ? m.error.name : ''))).toEqual(['DeviceLostError', 'BackendError']);
    expect(errors[1]).toMatchObject({ error: { message: expect.stringContaining('no backend is left to train cnn on (cpu: lost during training: simulated') } });
    expect(h.messages.some((m) => m.type === 'resumed' || m.type === 'done')).toBe(false);
  });

  it('resumes from a checkpoint the page sends with start', async () => {
    const h = createHarness();
    await h.handle(init());
    await h.handle({ type: 'start', runId: 'first', config: tinyConfig(4) });
    const c = h.messages.find((m) => m.type === 'checkpoint' && m.checkpoint.step === 2);
    if (c?.type !== 'checkpoint') throw new Error('no checkpoint at step 2');
    await h.handle({ type: 'start', runId: 'again', config: tinyConfig(4), resumeFrom: c.checkpoint });
    const msgs = h.messages.filter((m) => 'runId' in m && m.runId === 'again');
    expect(msgs.slice(0, 3)).toEqual([
      { type: 'started', runId: 'again', totalSteps: 4, stepsPerEpoch: 8 },
      { type: 'resumed', runId: 'again', step: 2, backend: 'cpu' },
      { type: 'status', runId: 'again', status: 'running' },
    ]);
    const after = (rs: MetricRecord[]) => withoutTimes(rs.filter((r) => r.type === 'summary' || r.step > 2));
    expect(after(h.records('again'))).toEqual(after(h.records('first')));
    expect(h.records('again').filter((r) => r.type === 'step' && r.step <= 2)).toHaveLength(0);

    const other = { ...tinyConfig(4), batchSize: 2 };
    await h.handle({ type: 'start', runId: 'misfit', config: other, resumeFrom: c.checkpoint });
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', runId: 'misfit', error: { name: 'CheckpointError', message: expect.stringContaining('the dataset or the batch size changed') } });
  });

  it('crashWorker hands over to the host, which makes the worker die for real; the handler posts nothing', async () => {
    const crashWorker = vi.fn();
    const h = createHarness({ crashWorker });
    await h.handle({ type: 'crashWorker' });
    expect(crashWorker).toHaveBeenCalledTimes(1);
    expect(h.messages).toEqual([]);
    // A host that cannot crash (Node) ignores it.
    const quiet = createHarness();
    await quiet.handle({ type: 'crashWorker' });
    expect(quiet.messages).toEqual([]);
  });
});

describe('bench', () => {
  const request = { backend: 'cpu', model: 'convnetjs', inputSize: 8, batchSize: 4, steps: 5 } as const;

  it('trains the benchmark-only convnetjs model with the Trainer and replies with images/s, leaving no tensors', async () => {
    const h = createHarness();
    await h.handle(init());
    const tensors = tf.memory().numTensors;
    await h.handle({ type: 'bench', id: 7, request });
    const reply = h.messages.at(-1);
    if (reply?.type !== 'benchResult') throw new Error(`expected benchResult, got ${JSON.stringify(reply)}`);
    expect(reply).toMatchObject({ id: 7, result: { ...request, timedSteps: 2 } });
    expect(reply.result.imagesPerSec).toBeGreaterThan(0);
    expect(reply.result.imagesPerSec).toBeCloseTo((request.batchSize * 1000) / reply.result.msPerStep, 6);
    expect(reply.result.warmupMs).toBeGreaterThanOrEqual(0);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('answers a request it cannot run with an error naming it', async () => {
    const h = createHarness();
    await h.handle(init());
    await h.handle({ type: 'bench', id: 8, request: { ...request, steps: 3 } });
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', id: 8, error: { name: 'ProtocolError', message: expect.stringContaining('at least 4 steps') } });
    await h.handle({ type: 'bench', id: 9, request: { ...request, model: 'nonet' } });
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', id: 9, error: { message: expect.stringContaining('unknown model "nonet"') } });
    await h.handle({ type: 'bench', id: 10, request: { ...request, backend: 'webgl' } });
    expect(h.messages.at(-1)).toMatchObject({ type: 'error', id: 10, error: { message: expect.stringContaining('webgl is not available') } });
  });
});
