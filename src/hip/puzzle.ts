// Puzzles (RFC 7401 §4.1.2, §5.2.4, §6.3):
//   a valid #J makes Ltrunc(RHASH(#I | HIT-I | HIT-R | #J), #K) == 0,
// i.e. the #K lowest-order bits of the digest (the end of the byte string) are zero.
// #I is derived statelessly as in Appendix A: #I = RHASH(S | HIT-I | HIT-R) for the R1
// generation's secret S (we leave the IP addresses out so that relayed I2s still verify).
import { concat } from "../core/bytes.ts";
import type { Rng } from "../core/types.ts";

type Hash = (m: Uint8Array) => Uint8Array;

/** True if the `k` low-order bits of `digest` are zero. */
export function lowBitsZero(digest: Uint8Array, k: number): boolean {
  let i = digest.length - 1;
  while (k >= 8) {
    if (digest[i] !== 0) return false;
    i--;
    k -= 8;
  }
  return k === 0 || (digest[i] & ((1 << k) - 1)) === 0;
}

/** Check a solution (RFC 7401 §6.3, Responder side). */
export function verifySolution(rhash: Hash, i: Uint8Array, hitI: Uint8Array, hitR: Uint8Array, j: Uint8Array, k: number): boolean {
  if (k < 0 || k > 8 * i.length || j.length !== i.length) return false;
  return lowBitsZero(rhash(concat(i, hitI, hitR, j)), k);
}

/** Hashes a puzzle search tries at most (2^24: the default `maxPuzzleK` 24 on average). */
export const MAX_PUZZLE_TRIES = 1 << 24;

/**
 * A search for #J from `start` (a big-endian counter), taken `hashes` at a time (`step`), so a
 * runtime can spread a hard puzzle over event-loop turns (driver.ts): #K is the peer's choice,
 * and 2^24 hashes take about a minute in JavaScript.
 */
export class PuzzleSearch {
  private readonly buf: Uint8Array;
  private readonly jOff: number;
  /** Hashes computed so far. */
  tried = 0;

  constructor(
    private readonly rhash: Hash,
    i: Uint8Array,
    hitI: Uint8Array,
    hitR: Uint8Array,
    private readonly k: number,
    start: Uint8Array,
  ) {
    const n = i.length;
    this.buf = new Uint8Array(n + 32 + n);
    this.buf.set(i, 0);
    this.buf.set(hitI, n);
    this.buf.set(hitR, n + 16);
    this.jOff = n + 32;
    this.buf.set(start.subarray(0, n), this.jOff);
  }

  /** Up to `hashes` more tries: #J when found, else undefined (call again). */
  step(hashes: number): Uint8Array | undefined {
    const buf = this.buf;
    for (let t = 0; t < hashes; t++) {
      this.tried++;
      if (lowBitsZero(this.rhash(buf), this.k)) return buf.slice(this.jOff);
      for (let p = buf.length - 1; p >= this.jOff; p--) {
        buf[p] = (buf[p] + 1) & 0xff;
        if (buf[p] !== 0) break;
      }
    }
    return undefined;
  }
}

/** Search for #J starting from a random value, at most `maxTries` hashes. */
export function solvePuzzle(
  rhash: Hash,
  rng: Rng,
  i: Uint8Array,
  hitI: Uint8Array,
  hitR: Uint8Array,
  k: number,
  maxTries = MAX_PUZZLE_TRIES,
): Uint8Array | undefined {
  return new PuzzleSearch(rhash, i, hitI, hitR, k, rng.fill(new Uint8Array(i.length))).step(maxTries);
}

/** Appendix A style #I: RHASH(S | HIT-I | HIT-R), n = RHASH_len bits. */
export function puzzleI(rhash: Hash, secret: Uint8Array, hitI: Uint8Array, hitR: Uint8Array): Uint8Array {
  return rhash(concat(secret, hitI, hitR));
}

/** PUZZLE Lifetime field → milliseconds: 2^(value - 32) seconds (§5.2.4). */
export function puzzleLifetimeMs(value: number): number {
  return 2 ** (value - 32) * 1000;
}
