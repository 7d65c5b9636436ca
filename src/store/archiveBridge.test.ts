import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WORKER_CRASHED, type ArchiveSummary, type DatasetSummary } from '../worker/protocol';
import { resetAppStore, useAppStore } from './index';
import { FAKE_BUILTIN, FakeTrainerClient } from './fakeTrainerClient';
import { connectTrainer } from './trainerBridge';

const BUILTIN = FAKE_BUILTIN;
const ARCHIVE = { fileName: 'pets.zip', layout: 'imagefolder', task: 'classify', inputSize: 32 } as ArchiveSummary;
const PETS: DatasetSummary = { ...BUILTIN, id: 'archive:pets.zip', name: 'pets.zip', archive: ARCHIVE };

const tick = () => new Promise((r) => setTimeout(r, 5));
const s = () => useAppStore.getState();
const file = (name: string) => new File([new Uint8Array(4)], name);

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

describe('archives through the bridge', () => {
  it('shows progress, then makes the archive the dataset in use', async () => {
    const { client, commands } = await connect();
    commands.loadArchive(file('pets.zip'));
    expect(s().archive.loading).toMatchObject({ id: 10, fileName: 'pets.zip', bytes: 4 });
    client.listener!({ type: 'loadProgress', id: 10, progress: { phase: 'reading', files: 3, totalFiles: null, bytes: 2, totalBytes: 4 } });
    client.listener!({ type: 'loadProgress', id: 9, progress: { phase: 'reading', files: 1, totalFiles: null, bytes: 1, totalBytes: 4 } });
    expect(s().archive.loading?.progress).toMatchObject({ files: 3 });
    client.requests[0].resolve(PETS);
    await tick();
    expect(s().archive).toMatchObject({ loading: null, error: null });
    expect(s().config.dataset).toBe('archive:pets.zip');
    expect(s().dataset).toMatchObject({ state: 'ready', summary: PETS });
  });

  it("switches to the layout's task without asking for the dataset again", async () => {
    const { client, commands } = await connect();
    commands.loadArchive(file('voc.tar'));
    const voc = { ...PETS, id: 'archive:voc.tar', archive: { ...ARCHIVE, task: 'segment', inputSize: 64 } as ArchiveSummary, inputSize: 64 };
    client.requests[0].resolve(voc);
    await tick();
    expect(s().config).toMatchObject({ task: 'segment', model: 'fcn', dataset: 'archive:voc.tar', inputSize: 64 });
    expect(s().dataset).toMatchObject({ state: 'ready', summary: voc });
    await tick();
    expect(client.datasets.length).toBe(1);
  });

  it('keeps the earlier dataset and its summary when an archive fails, and says why', async () => {
    const { client, commands } = await connect();
    expect(s().dataset).toMatchObject({ state: 'ready', summary: BUILTIN });
    commands.loadArchive(file('broken.zip'));
    client.requests[0].reject(Object.assign(new Error('broken.zip: the archive is truncated'), { name: 'DatasetError' }));
    await tick();
    expect(s().archive.error).toBe('DatasetError: broken.zip: the archive is truncated');
    expect(s().config.dataset).toBe('builtin:shapes10');
    expect(s().dataset).toMatchObject({ state: 'ready', summary: BUILTIN });
  });

  it('cancels quietly, and a new drop replaces a load in flight', async () => {
    const { client, commands } = await connect();
    commands.loadArchive(file('a.zip'));
    commands.loadArchive(file('b.zip'));
    expect(client.cancelled).toEqual([10]);
    expect(s().archive.loading?.fileName).toBe('b.zip');
    commands.cancelArchive();
    await tick();
    expect(client.cancelled).toEqual([10, 11]);
    expect(s().archive).toMatchObject({ loading: null, error: null });
    expect(s().dataset.summary).toBe(BUILTIN);
  });

  it('gives a new worker, after a crash, the same archive file again', async () => {
    const { client, commands } = await connect();
    const pets = file('pets.zip');
    commands.loadArchive(pets);
    client.requests[0].resolve(PETS);
    await tick();
    expect(s().dataset).toMatchObject({ state: 'ready', key: 'archive:pets.zip|32|1', contentHash: expect.stringMatching(/^sha256:/) });
    const hash = s().dataset.contentHash;
    client.listener!({ type: 'error', error: { name: WORKER_CRASHED, message: 'the training worker crashed (Uncaught Error: boom) and was shut down' } });
    expect(client.restarts).toBe(1);
    expect(s().dataset).toMatchObject({ state: 'loading', key: 'archive:pets.zip|32|1' });
    expect(client.requests[1]).toMatchObject({ file: pets, fileName: 'pets.zip', inputSize: 32, seed: 1 });
    client.requests[1].resolve(PETS);
    await tick();
    expect(s().dataset).toMatchObject({ state: 'ready', summary: PETS, contentHash: hash });
    expect(s().config.dataset).toBe('archive:pets.zip');
    expect(client.datasets.length).toBe(1);
  });
});
