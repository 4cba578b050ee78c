// Rng implementations. `cryptoRng` is for real use; `SeededRng` (xoshiro128**) makes
// simulator runs and tests reproducible. Neither is used inside the protocol cores directly:
// they are handed in by whoever drives the core.
import type { Rng } from "./types.ts";

/** Small requests are served from a pool refilled by one getRandomValues call (each call costs
 * a few µs in Node: a base exchange draws a dozen small values). Served bytes are zeroed in the
 * pool at once, so it never holds a value handed out. */
const POOL = new Uint8Array(4096);
let poolPos = POOL.length;

/** Randomness from `crypto.getRandomValues` (for real use). */
export const cryptoRng: Rng = {
  fill(buf) {
    const n = buf.length;
    if (n <= 256) {
      if (poolPos + n > POOL.length) {
        crypto.getRandomValues(POOL);
        poolPos = 0;
      }
      buf.set(POOL.subarray(poolPos, poolPos + n));
      POOL.fill(0, poolPos, poolPos + n);
      poolPos += n;
      return buf;
    }
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(buf.subarray(i, Math.min(n, i + 65536)));
    return buf;
  },
};

/** Deterministic PRNG (xoshiro128**), seeded with a 32-bit integer via splitmix32. */
export class SeededRng implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  fill(buf: Uint8Array): Uint8Array {
    for (let i = 0; i < buf.length; i += 4) {
      const v = this.nextU32();
      for (let j = 0; j < 4 && i + j < buf.length; j++) buf[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return buf;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
