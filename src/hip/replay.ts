// Replay defences of the base exchange (issue 9 item 4):
// - Responder: each solved puzzle (R1 generation, #I, #J) is accepted once (RFC 7401 §4.1.2:
//   #I is the same for every I1 of one Initiator within a generation, so an I2 captured from an
//   earlier association would otherwise verify again). The memory is per R1 generation and
//   goes with the generation (R1Factory), so it is bounded by the generations still accepted
//   times `maxSolvedPerGeneration`.
// - Initiator: the highest R1_COUNTER seen per Responder HIT (RFC 7401 §5.2.3, §6.8): an R1
//   older than one already seen is a replay and is ignored.
import { sha256 } from "../core/crypto/sym.ts";
import { concat, hex } from "../core/bytes.ts";
import { hitKey } from "./hit.ts";

/** Fingerprint of a puzzle solution (#I, #J): 128 bits of SHA-256; the values are not kept. */
export function puzzleKey(i: Uint8Array, j: Uint8Array): string {
  return hex(sha256(concat(i, j)).subarray(0, 16));
}

/** Solved puzzles of one R1 generation. */
export class SolvedPuzzles {
  private readonly seen = new Set<string>();

  constructor(readonly limit: number) {}

  get size(): number {
    return this.seen.size;
  }

  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** Records `key`; false when it was there already or the memory is full. */
  add(key: string): boolean {
    if (this.seen.has(key) || this.seen.size >= this.limit) return false;
    this.seen.add(key);
    return true;
  }

  get full(): boolean {
    return this.seen.size >= this.limit;
  }

  clear(): void {
    this.seen.clear();
  }
}

/** Highest R1_COUNTER seen per Responder HIT (bounded: the oldest entry goes first). */
export class R1CounterMemory {
  private readonly seen = new Map<string, bigint>();

  constructor(readonly limit = 4096) {}

  /** The highest counter seen from `hit`, if any. */
  get(hit: Uint8Array): bigint | undefined {
    return this.seen.get(hitKey(hit));
  }

  /** True when `counter` is older than one already seen from `hit` (§5.2.3: a replayed R1). */
  isOlder(hit: Uint8Array, counter: bigint | undefined): boolean {
    const s = this.seen.get(hitKey(hit));
    return s !== undefined && counter !== undefined && counter < s;
  }

  note(hit: Uint8Array, counter: bigint | undefined): void {
    if (counter === undefined) return;
    const k = hitKey(hit);
    const s = this.seen.get(k);
    if (s !== undefined && s >= counter) return;
    this.seen.delete(k);
    this.seen.set(k, counter);
    if (this.seen.size > this.limit) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** Forget `hit` (its exchange failed: the Responder may have restarted with lower counters). */
  forget(hit: Uint8Array): void {
    this.seen.delete(hitKey(hit));
  }

  get size(): number {
    return this.seen.size;
  }
}
