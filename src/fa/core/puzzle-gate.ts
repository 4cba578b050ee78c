// Stateless puzzles for FAQs (draft §5.1, §8.1; RFC 7401 §4.1.2 and Appendix A). The FA keeps
// no state before a solution arrives: #I = RHASH(S_epoch | #K | HIT-I | HIT-R), the epoch goes
// out in PUZZLE's Opaque field and comes back in SOLUTION, so the FA recomputes #I and checks
// #J. #K is inside the hash, so a host cannot lower it. Secrets rotate every epoch; a solution
// is good for the current and the previous epoch. #K rises with the FAQ rate (load).
import { sha384 } from "@noble/hashes/sha2.js";
import { concat, ctEqual } from "../../core/bytes.ts";
import type { Millis } from "../../core/types.ts";
import { puzzleI, verifySolution } from "../../hip/puzzle.ts";
import type { FaConfig } from "./config.ts";

/** Epoch length: 64 s = PUZZLE Lifetime 38 (2^(38-32) s, RFC 7401 §5.2.4). */
export const PUZZLE_EPOCH_MS = 64_000;
export const PUZZLE_LIFETIME = 38;

const rhash = (m: Uint8Array) => sha384(m);

export interface PuzzleChallenge {
  k: number;
  lifetime: number;
  opaque: number;
  randomI: Uint8Array;
}

export class PuzzleGate {
  private readonly secrets = new Map<number, Uint8Array>();
  // FAQ rate: counts in the current and previous 1-second windows.
  private window = 0;
  private cur = 0;
  private prev = 0;

  constructor(
    private readonly config: FaConfig,
    /** Long-term secret (from the Rng at start-up); epoch secrets are derived from it. */
    private readonly master: Uint8Array,
  ) {}

  /** Count one FAQ arrival (before any expensive work). */
  noteFaq(now: Millis): void {
    const w = Math.floor(now / 1000);
    if (w !== this.window) {
      this.prev = w === this.window + 1 ? this.cur : 0;
      this.cur = 0;
      this.window = w;
    }
    this.cur++;
  }

  /** FAQs per second, smoothed over the last two windows. */
  rate(now: Millis): number {
    const frac = (now % 1000) / 1000;
    if (Math.floor(now / 1000) !== this.window) return 0;
    return this.cur + this.prev * (1 - frac);
  }

  underLoad(now: Millis): boolean {
    return this.rate(now) > this.config.loadThreshold;
  }

  /** Must this FAQ carry a solution? (§5.1: "if the FA does not trust the HIP host"). */
  required(now: Millis, trusted: boolean): boolean {
    switch (this.config.puzzle) {
      case "off":
        return false;
      case "on":
        return !trusted;
      default:
        return !trusted && this.underLoad(now);
    }
  }

  /** Current difficulty: base #K, +2 for every doubling of the rate over the threshold. */
  difficulty(now: Millis): number {
    const r = this.rate(now);
    const t = this.config.loadThreshold;
    if (r <= t) return this.config.puzzleK;
    return Math.min(this.config.puzzleKMax, this.config.puzzleK + 2 * Math.ceil(Math.log2(r / t) + 1e-9));
  }

  challenge(now: Millis, hitI: Uint8Array, hitR: Uint8Array): PuzzleChallenge {
    const epoch = Math.floor(now / PUZZLE_EPOCH_MS) & 0xffff;
    const k = this.difficulty(now);
    return { k, lifetime: PUZZLE_LIFETIME, opaque: epoch, randomI: this.randomI(epoch, k, hitI, hitR) };
  }

  /** Check a SOLUTION's #I (ours, this or the previous epoch) and #J. */
  verify(now: Millis, hitI: Uint8Array, hitR: Uint8Array, s: { k: number; opaque: number; randomI: Uint8Array; solutionJ: Uint8Array }): boolean {
    const epoch = Math.floor(now / PUZZLE_EPOCH_MS) & 0xffff;
    if (s.opaque !== epoch && s.opaque !== ((epoch - 1) & 0xffff)) return false;
    if (s.k < this.config.puzzleK || s.k > 64) return false;
    if (!ctEqual(this.randomI(s.opaque, s.k, hitI, hitR), s.randomI)) return false;
    return verifySolution(rhash, s.randomI, hitI, hitR, s.solutionJ, s.k);
  }

  private randomI(epoch: number, k: number, hitI: Uint8Array, hitR: Uint8Array): Uint8Array {
    let sec = this.secrets.get(epoch);
    if (!sec) {
      if (this.secrets.size > 4) this.secrets.clear();
      sec = rhash(concat(this.master, new Uint8Array([epoch >> 8, epoch & 0xff])));
      this.secrets.set(epoch, sec);
    }
    return puzzleI(rhash, concat(sec, new Uint8Array([k])), hitI, hitR);
  }
}
