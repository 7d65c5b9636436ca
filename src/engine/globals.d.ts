// Timers and the clock exist in Node, in workers and on the main thread alike; the engine
// compiles without DOM types, so it declares the little it uses.
declare function setTimeout(fn: () => void, ms?: number): unknown;
declare const performance: { now(): number };
