import { describe, expect, it } from 'vitest';
import type { MeasuredChoice } from '../worker/protocol';
import { CHOICES_KEY, type ChoiceStorage, loadChoices, MAX_CHOICES, rememberChoice } from './backendChoiceCache';

function memoryStorage(): ChoiceStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

const choice = (key: string, backend: MeasuredChoice['backend'] = 'wasm'): MeasuredChoice => ({
  key,
  backend,
  measuredAt: '2026-12-06T15:00:00.000Z',
  measurements: [
    { backend: 'webgpu', imagesPerSec: null, reason: 'not warmed up within 6 s' },
    { backend: 'wasm', imagesPerSec: 281.5, warmupMs: 420 },
  ],
});

describe('remembered backend choices', () => {
  it('reads back what it remembered', () => {
    const storage = memoryStorage();
    rememberChoice(storage, choice('a|cnn|batch 32|32px'));
    expect(loadChoices(storage)).toEqual([choice('a|cnn|batch 32|32px')]);
  });

  it('reads back a wasm thread count, and drops one that is not a count', () => {
    const storage = memoryStorage();
    const threaded: MeasuredChoice = { ...choice('t'), threads: 2, measurements: [{ backend: 'wasm', threads: 1, imagesPerSec: 281.5 }, { backend: 'wasm', threads: 2, imagesPerSec: 402 }] };
    rememberChoice(storage, threaded);
    expect(loadChoices(storage)).toEqual([threaded]);
    storage.items.set(CHOICES_KEY, JSON.stringify([{ ...threaded, threads: 0 }, { ...threaded, key: 'u', measurements: [{ backend: 'wasm', threads: 1.5, imagesPerSec: 3 }] }, choice('good')]));
    expect(loadChoices(storage).map((c) => c.key)).toEqual(['good']);
  });

  it('keeps one choice per key, the newest first', () => {
    const storage = memoryStorage();
    rememberChoice(storage, choice('k1', 'wasm'));
    rememberChoice(storage, choice('k2', 'webgl'));
    rememberChoice(storage, choice('k1', 'cpu'));
    expect(loadChoices(storage).map((c) => [c.key, c.backend])).toEqual([
      ['k1', 'cpu'],
      ['k2', 'webgl'],
    ]);
  });

  it(`keeps at most ${MAX_CHOICES}, dropping the oldest`, () => {
    const storage = memoryStorage();
    for (let i = 0; i < MAX_CHOICES + 3; i++) rememberChoice(storage, choice(`k${i}`));
    const keys = loadChoices(storage).map((c) => c.key);
    expect(keys).toHaveLength(MAX_CHOICES);
    expect(keys[0]).toBe(`k${MAX_CHOICES + 2}`);
    expect(keys).not.toContain('k0');
  });

  it('drops what it cannot read instead of trusting it', () => {
    const storage = memoryStorage();
    storage.items.set(CHOICES_KEY, 'not json');
    expect(loadChoices(storage)).toEqual([]);
    storage.items.set(CHOICES_KEY, JSON.stringify({ key: 'k' }));
    expect(loadChoices(storage)).toEqual([]);
    storage.items.set(CHOICES_KEY, JSON.stringify([{ ...choice('bad'), backend: 'tpu' }, { ...choice('neg'), measurements: [{ backend: 'wasm', imagesPerSec: -3 }] }, choice('good')]));
    expect(loadChoices(storage).map((c) => c.key)).toEqual(['good']);
  });

  it('works without storage, and with storage that refuses to be written or read', () => {
    expect(loadChoices(null)).toEqual([]);
    expect(() => rememberChoice(null, choice('k'))).not.toThrow();
    const refusing: ChoiceStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadChoices(refusing)).toEqual([]);
    expect(() => rememberChoice(refusing, choice('k'))).not.toThrow();
  });
});
