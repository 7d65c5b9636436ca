import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleSimdKernels, SIMD_BINARY_PATH, SIMD_WAT_PATH, simdBinarySource } from './simdAssemble';

describe('the committed SIMD kernels', () => {
  it('are the bytes wabt assembles from kernels.wat (run `npm run build:simd` after editing it)', async () => {
    const source = simdBinarySource(await assembleSimdKernels(readFileSync(SIMD_WAT_PATH, 'utf8')));
    expect(readFileSync(SIMD_BINARY_PATH, 'utf8')).toBe(source);
  });

  it('refuses a kernels file without the memory import the two variants are made from', async () => {
    await expect(assembleSimdKernels('(module)')).rejects.toThrow(/expected the line/);
  });
});
