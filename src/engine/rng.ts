/**
 * Seeded random streams. Each purpose (initial weights, data order, augmentation, RG draws)
 * gets its own stream derived from (seed, purpose), so drawing from one never moves another.
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, PractRand-clean),
 * seeded through splitmix32; its 128-bit state can be saved and restored for checkpoints.
 */

export type StreamPurpose = 'init' | 'data' | 'augment' | 'rg' | 'split' | 'dataset';

const PURPOSE_IDS: Record<StreamPurpose, number> = { init: 1, data: 2, augment: 3, rg: 4, split: 5, dataset: 6 };

/** splitmix32 finaliser: a bijective 32-bit mix used to derive independent seeds. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Hashes a list of 32-bit integers into one (order-sensitive). */
export function hashInts(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) h = mix32(h ^ mix32(p >>> 0));
  return h;
}

/** FNV-1a of a string, for keying streams by names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export type RngState = [number, number, number, number];

/** A seeded stream of uniform numbers. Not cryptographic. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x1234567);
    this.c = mix32(this.b ^ 0x89abcdef);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The stream for one purpose of one seed, with optional extra keys (an arm, a step). */
  static stream(seed: number, purpose: StreamPurpose, ...keys: number[]): Rng {
    return new Rng(hashInts(seed, PURPOSE_IDS[purpose], ...keys));
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** Standard normal (Box-Muller; one draw per call, the pair's second value discarded). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  getState(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  setState(s: RngState): void {
    [this.a, this.b, this.c, this.d] = s;
  }
}
