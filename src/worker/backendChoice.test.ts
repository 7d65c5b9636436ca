import { describe, expect, it } from 'vitest';
import { adapterKey, choiceKey, findRemembered, measureOrder, rankByMeasuredSpeed } from './backendChoice';
import { type AdapterInfo, BACKEND_ORDER, type BackendMeasurement, type MeasuredChoice } from './protocol';

const ORDER = [...BACKEND_ORDER];

const SWIFTSHADER: AdapterInfo = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device', isFallbackAdapter: true };
const WORKLOAD = { model: 'cnn', batchSize: 32, inputSize: 32 };

const m = (backend: BackendMeasurement['backend'], imagesPerSec: number | null): BackendMeasurement => ({ backend, imagesPerSec, ...(imagesPerSec === null ? { reason: 'not warmed up within 6 s' } : {}) });

describe('the measured backend choice', () => {
  it('ranks the timed backends fastest first, whatever the preferred order', () => {
    expect(rankByMeasuredSpeed(ORDER, [m('webgpu', 7), m('webgl', 120), m('wasm', 281), m('cpu', 30)])).toEqual(['wasm', 'webgl', 'cpu', 'webgpu']);
    expect(rankByMeasuredSpeed(ORDER, [m('webgpu', 2400), m('webgl', 900), m('wasm', 281), m('cpu', 30)])).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(rankByMeasuredSpeed(ORDER, [m('webgpu', null), m('webgl', null), m('wasm', 12), m('cpu', 40)])[0]).toBe('cpu');
  });

  it('puts the backends passed over after every timed one, in the preferred order', () => {
    expect(rankByMeasuredSpeed(ORDER, [m('webgpu', null), m('webgl', null), m('wasm', 5), m('cpu', null)])).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(rankByMeasuredSpeed(ORDER, [])).toEqual(ORDER);
  });

  it('breaks a tie by the preferred order', () => {
    expect(rankByMeasuredSpeed(ORDER, [m('cpu', 100), m('wasm', 100)]).slice(0, 2)).toEqual(['wasm', 'cpu']);
    expect(rankByMeasuredSpeed(ORDER, [m('wasm', 100), m('webgl', 100)]).slice(0, 2)).toEqual(['webgl', 'wasm']);
  });

  it('times the backends that compute on the CPU before the GPU ones', () => {
    expect(measureOrder(['webgpu', 'webgl', 'wasm', 'cpu'])).toEqual(['wasm', 'cpu', 'webgl', 'webgpu']);
    expect(measureOrder(['webgpu', 'cpu'])).toEqual(['cpu', 'webgpu']);
  });

  it('keys a choice on the adapter, the model, the batch size and the input size', () => {
    const key = choiceKey(SWIFTSHADER, WORKLOAD);
    expect(key).toContain(adapterKey(SWIFTSHADER));
    const others = [
      choiceKey(null, WORKLOAD),
      choiceKey({ ...SWIFTSHADER, isFallbackAdapter: false, vendor: 'nvidia' }, WORKLOAD),
      choiceKey(SWIFTSHADER, { ...WORKLOAD, model: 'resnet20' }),
      choiceKey(SWIFTSHADER, { ...WORKLOAD, batchSize: 64 }),
      choiceKey(SWIFTSHADER, { ...WORKLOAD, inputSize: 64 }),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
    expect(choiceKey({ ...SWIFTSHADER }, { ...WORKLOAD })).toBe(key);
  });

  it('finds the remembered choice of the same key only', () => {
    const remembered: MeasuredChoice[] = [
      { key: choiceKey(SWIFTSHADER, { ...WORKLOAD, batchSize: 64 }), backend: 'webgl', measurements: [], measuredAt: '2026-01-01T00:00:00Z' },
      { key: choiceKey(SWIFTSHADER, WORKLOAD), backend: 'wasm', measurements: [], measuredAt: '2026-01-01T00:00:00Z' },
    ];
    expect(findRemembered(remembered, choiceKey(SWIFTSHADER, WORKLOAD))?.backend).toBe('wasm');
    expect(findRemembered(remembered, choiceKey(null, WORKLOAD))).toBeNull();
    expect(findRemembered(undefined, choiceKey(SWIFTSHADER, WORKLOAD))).toBeNull();
  });
});
