import { describe, expect, it } from 'vitest';
import { adapterKey, choiceKey, expandCandidates, findRemembered, measureOrder, notTimed, rankByMeasuredSpeed, softwareGpu, wasmThreadChoices } from './backendChoice';
import { type AdapterInfo, BACKEND_ORDER, type BackendCandidate, type BackendMeasurement, candidateName, type MeasuredChoice } from './protocol';

const ORDER = BACKEND_ORDER.map((backend) => ({ backend }));
const names = (cs: readonly BackendCandidate[]): string[] => cs.map(candidateName);

const SWIFTSHADER: AdapterInfo = { vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device', isFallbackAdapter: true };
const GPU: AdapterInfo = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060', isFallbackAdapter: false };
const WORKLOAD = { model: 'cnn', batchSize: 32, inputSize: 32 };

const m = (backend: BackendMeasurement['backend'], imagesPerSec: number | null, threads?: number): BackendMeasurement => ({
  backend,
  ...(threads !== undefined ? { threads } : {}),
  imagesPerSec,
  ...(imagesPerSec === null ? { reason: 'not warmed up within 6 s' } : {}),
});

describe('the measured backend choice', () => {
  it('ranks the timed backends fastest first, whatever the preferred order', () => {
    expect(names(rankByMeasuredSpeed(ORDER, [m('webgpu', 7), m('webgl', 120), m('wasm', 281), m('cpu', 30)]))).toEqual(['wasm', 'webgl', 'cpu', 'webgpu']);
    expect(names(rankByMeasuredSpeed(ORDER, [m('webgpu', 2400), m('webgl', 900), m('wasm', 281), m('cpu', 30)]))).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(names(rankByMeasuredSpeed(ORDER, [m('webgpu', null), m('webgl', null), m('wasm', 12), m('cpu', 40)]))[0]).toBe('cpu');
  });

  it('puts the backends passed over after every timed one, in the preferred order', () => {
    expect(names(rankByMeasuredSpeed(ORDER, [m('webgpu', null), m('webgl', null), m('wasm', 5), m('cpu', null)]))).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(names(rankByMeasuredSpeed(ORDER, []))).toEqual([...BACKEND_ORDER]);
  });

  it('breaks a tie by the preferred order', () => {
    expect(names(rankByMeasuredSpeed(ORDER, [m('cpu', 100), m('wasm', 100)]).slice(0, 2))).toEqual(['wasm', 'cpu']);
    expect(names(rankByMeasuredSpeed(ORDER, [m('wasm', 100), m('webgl', 100)]).slice(0, 2))).toEqual(['webgl', 'wasm']);
  });

  it('times the backends that compute on the CPU before the GPU ones', () => {
    expect(names(measureOrder(ORDER))).toEqual(['wasm', 'cpu', 'webgl', 'webgpu']);
    expect(names(measureOrder([{ backend: 'webgpu' }, { backend: 'cpu' }]))).toEqual(['cpu', 'webgpu']);
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

describe('wasm threads as candidates', () => {
  it('tries one thread and TF.js own count, but at least two, where the page can run threads', () => {
    expect(wasmThreadChoices(2, true)).toEqual([1, 2]);
    expect(wasmThreadChoices(4, true)).toEqual([1, 2]);
    expect(wasmThreadChoices(8, true)).toEqual([1, 4]);
    expect(wasmThreadChoices(32, true)).toEqual([1, 8]);
    // A single core, or a page without SharedArrayBuffer: no choice to make.
    expect(wasmThreadChoices(1, true)).toEqual([]);
    expect(wasmThreadChoices(8, false)).toEqual([]);
  });

  it('makes wasm one candidate per thread count, fewest first, in the preferred order', () => {
    expect(names(expandCandidates(BACKEND_ORDER, [2, 1]))).toEqual(['webgpu', 'webgl', 'wasm (1 thread)', 'wasm (2 threads)', 'cpu']);
    expect(names(expandCandidates(BACKEND_ORDER, []))).toEqual([...BACKEND_ORDER]);
    expect(names(measureOrder(expandCandidates(BACKEND_ORDER, [1, 2])))).toEqual(['wasm (1 thread)', 'wasm (2 threads)', 'cpu', 'webgl', 'webgpu']);
  });

  it('ranks wasm thread counts by their own figures, a tie going to fewer threads', () => {
    const candidates = expandCandidates(BACKEND_ORDER, [1, 2]);
    const two = rankByMeasuredSpeed(candidates, [m('wasm', 281, 1), m('wasm', 420, 2), m('webgl', null), m('webgpu', 7)]);
    expect(names(two).slice(0, 3)).toEqual(['wasm (2 threads)', 'wasm (1 thread)', 'webgpu']);
    const one = rankByMeasuredSpeed(candidates, [m('wasm', 281, 1), m('wasm', 150, 2)]);
    expect(candidateName(one[0])).toBe('wasm (1 thread)');
    expect(candidateName(rankByMeasuredSpeed(candidates, [m('wasm', 300, 2), m('wasm', 300, 1)])[0])).toBe('wasm (1 thread)');
  });
});

describe('what is not timed', () => {
  it('recognises a GPU backend that renders in software', () => {
    expect(softwareGpu('webgpu', SWIFTSHADER, null)).toMatch(/fallback \(software\)/);
    expect(softwareGpu('webgpu', GPU, null)).toBeNull();
    expect(softwareGpu('webgl', null, 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toMatch(/software/);
    expect(softwareGpu('webgl', null, 'llvmpipe (LLVM 15.0.6, 256 bits)')).toMatch(/llvmpipe/);
    expect(softwareGpu('webgl', null, 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBeNull();
    expect(softwareGpu('webgl', null, null)).toBeNull();
    expect(softwareGpu('wasm', SWIFTSHADER, 'SwiftShader')).toBeNull();
  });

  it('skips cpu and software GPUs once wasm has a figure, and times them when it has none', () => {
    const soft = softwareGpu('webgpu', SWIFTSHADER, null);
    const wasmTimed = [m('wasm', 281, 1), m('wasm', null, 2)];
    expect(notTimed({ backend: 'cpu' }, null, wasmTimed)).toMatch(/^not timed: wasm runs the same kernels/);
    expect(notTimed({ backend: 'webgpu' }, soft, wasmTimed)).toMatch(/^not timed: its adapter is a fallback \(software\) one.*where wasm was timed$/);
    // A hardware GPU is always timed; so is everything when wasm has no figure.
    expect(notTimed({ backend: 'webgpu' }, null, wasmTimed)).toBeNull();
    expect(notTimed({ backend: 'cpu' }, null, [m('wasm', null, 1)])).toBeNull();
    expect(notTimed({ backend: 'webgpu' }, soft, [m('wasm', null)])).toBeNull();
    // cpu timed (wasm could not be): a software GPU is still not worth timing.
    expect(notTimed({ backend: 'webgl' }, 'its renderer is a software one (llvmpipe)', [m('wasm', null), m('cpu', 30)])).toMatch(/where cpu was timed$/);
  });
});
