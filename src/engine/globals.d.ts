// Timers and the clock exist in Node, in workers and on the main thread alike; the engine
// compiles without DOM types, so it declares the little it uses.
declare function setTimeout(fn: () => void, ms?: number): unknown;
declare const performance: { now(): number };
// WebAssembly and atob exist in all three too; the SIMD kernels (backends/simd) compile and
// instantiate a module on tfjs-backend-wasm's memory.
declare function atob(data: string): string;
declare namespace WebAssembly {
  class Memory {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array<ArrayBuffer>);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
