import { readFileSync, writeFileSync } from 'node:fs';
import { assembleSimdKernels, SIMD_BINARY_PATH, SIMD_WAT_PATH, simdBinarySource } from './simdAssemble';

/**
 * `npm run build:simd`: assembles the hand-written wasm SIMD kernels with wabt and writes their
 * bytes, base64, to kernelsBinary.ts. simdAssemble.test.ts fails when the committed bytes are
 * not those of the committed kernels.wat.
 */
const source = simdBinarySource(await assembleSimdKernels(readFileSync(SIMD_WAT_PATH, 'utf8')));
writeFileSync(SIMD_BINARY_PATH, source);
console.log(`wrote ${SIMD_BINARY_PATH} (${source.length} characters)`);
