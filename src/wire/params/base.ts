// Fixed-layout base-exchange parameters: ESP_INFO (RFC 7402 §5.1.1), R1_COUNTER, PUZZLE,
// SOLUTION, SEQ, ACK (RFC 7401 §5.2.3-§5.2.5, §5.2.16-§5.2.17).
import { ok, type Result } from "../error.ts";
import { badLength, put16, put32, u16, u32 } from "./codec.ts";
import { carve } from "../../core/slab.ts";

/** ESP_INFO: Reserved(2) KEYMAT Index(2) OLD SPI(4) NEW SPI(4). */
export interface EspInfoParam {
  /** Parameter name (discriminant). */
  kind: "ESP_INFO";
  /** KEYMAT Index: byte offset into KEYMAT where the new SA's keys start. */
  keymatIndex: number;
  /** OLD SPI (0 for a new SA). */
  oldSpi: number;
  /** NEW SPI. */
  newSpi: number;
}
/** Parse an ESP_INFO value: `n` bytes of `b` at offset `o` (the value, no TLV header; every
 * parser of this folder takes its value this way, and errors carry `o`-based offsets). */
export function parseEspInfo(b: Uint8Array, o: number, n: number): Result<EspInfoParam> {
  if (n !== 12) return badLength("ESP_INFO", o, n, "12");
  return ok({ kind: "ESP_INFO", keymatIndex: u16(b, o + 2), oldSpi: u32(b, o + 4), newSpi: u32(b, o + 8) });
}
/** The ESP_INFO value bytes (no TLV header). */
export function emitEspInfo(p: EspInfoParam): Uint8Array {
  const b = new Uint8Array(12);
  put16(b, 2, p.keymatIndex);
  put32(b, 4, p.oldSpi);
  put32(b, 8, p.newSpi);
  return b;
}

/** R1_COUNTER: Reserved(4) R1 generation counter(8). */
export interface R1CounterParam {
  /** Parameter name (discriminant). */
  kind: "R1_COUNTER";
  /** R1 generation counter (64 bits). */
  counter: bigint;
}
/** Parse an R1_COUNTER value (`n` bytes of `b` at `o`). */
export function parseR1Counter(b: Uint8Array, o: number, n: number): Result<R1CounterParam> {
  if (n !== 12) return badLength("R1_COUNTER", o, n, "12");
  const hi = u32(b, o + 4);
  const lo = u32(b, o + 8);
  // Counters below 2^53 (every counter a host reaches) skip the BigInt shift and or.
  return ok({ kind: "R1_COUNTER", counter: hi < 0x200000 ? BigInt(hi * 0x100000000 + lo) : (BigInt(hi) << 32n) | BigInt(lo) });
}
/** The R1_COUNTER value bytes. */
export function emitR1Counter(p: R1CounterParam): Uint8Array {
  const b = new Uint8Array(12);
  const c = BigInt.asUintN(64, p.counter);
  put32(b, 4, Number(c >> 32n));
  put32(b, 8, Number(c & 0xffffffffn));
  return b;
}

/** PUZZLE: #K(1) Lifetime(1) Opaque(2) Random #I(RHASH_len / 8). */
export interface PuzzleParam {
  /** Parameter name (discriminant). */
  kind: "PUZZLE";
  /** #K: difficulty (leading zero bits of the hash). */
  k: number;
  /** Lifetime: 2^(value-32) seconds. */
  lifetime: number;
  /** Opaque: echoed in the SOLUTION. */
  opaque: number;
  /** Random #I (RHASH length). */
  randomI: Uint8Array;
}
/** Parse a PUZZLE value (`n` bytes of `b` at `o`). */
export function parsePuzzle(b: Uint8Array, o: number, n: number): Result<PuzzleParam> {
  if (n < 5) return badLength("PUZZLE", o, n, "at least 5");
  return ok({ kind: "PUZZLE", k: b[o], lifetime: b[o + 1], opaque: u16(b, o + 2), randomI: carve(b, o + 4, o + n) });
}
/** The PUZZLE value bytes. */
export function emitPuzzle(p: PuzzleParam): Uint8Array {
  const b = new Uint8Array(4 + p.randomI.length);
  b[0] = p.k;
  b[1] = p.lifetime;
  put16(b, 2, p.opaque);
  b.set(p.randomI, 4);
  return b;
}

/** SOLUTION: #K(1) Reserved(1) Opaque(2) Random #I(n) Puzzle solution #J(n). */
export interface SolutionParam {
  /** Parameter name (discriminant). */
  kind: "SOLUTION";
  /** #K of the puzzle solved. */
  k: number;
  /** Opaque echoed from the PUZZLE. */
  opaque: number;
  /** Random #I echoed from the PUZZLE. */
  randomI: Uint8Array;
  /** Solution #J. */
  solutionJ: Uint8Array;
}
/** Parse a SOLUTION value (`n` bytes of `b` at `o`). */
export function parseSolution(b: Uint8Array, o: number, n: number): Result<SolutionParam> {
  if (n < 6 || (n - 4) % 2 !== 0) return badLength("SOLUTION", o, n, "4 + 2n, n >= 1");
  const h = (n - 4) / 2;
  return ok({ kind: "SOLUTION", k: b[o], opaque: u16(b, o + 2), randomI: carve(b, o + 4, o + 4 + h), solutionJ: carve(b, o + 4 + h, o + n) });
}
/** The SOLUTION value bytes. */
export function emitSolution(p: SolutionParam): Uint8Array {
  if (p.randomI.length !== p.solutionJ.length) throw new RangeError("SOLUTION: #I and #J differ in length");
  const b = new Uint8Array(4 + 2 * p.randomI.length);
  b[0] = p.k;
  put16(b, 2, p.opaque);
  b.set(p.randomI, 4);
  b.set(p.solutionJ, 4 + p.randomI.length);
  return b;
}

/** SEQ: Update ID(4). */
export interface SeqParam {
  /** Parameter name (discriminant). */
  kind: "SEQ";
  /** Update ID (32 bits). */
  updateId: number;
}
/** Parse a SEQ value (`n` bytes of `b` at `o`). */
export function parseSeq(b: Uint8Array, o: number, n: number): Result<SeqParam> {
  if (n !== 4) return badLength("SEQ", o, n, "4");
  return ok({ kind: "SEQ", updateId: u32(b, o) });
}
/** The SEQ value bytes. */
export function emitSeq(p: SeqParam): Uint8Array {
  const b = new Uint8Array(4);
  put32(b, 0, p.updateId);
  return b;
}

/** ACK: peer Update ID(4) × n, n >= 1. */
export interface AckParam {
  /** Parameter name (discriminant). */
  kind: "ACK";
  /** Acknowledged peer Update IDs. */
  updateIds: number[];
}
/** Parse an ACK value (`n` bytes of `b` at `o`). */
export function parseAck(b: Uint8Array, o: number, n: number): Result<AckParam> {
  if (n === 0 || n % 4 !== 0) return badLength("ACK", o, n, "a non-empty multiple of 4");
  const ids: number[] = [];
  for (let i = 0; i < n; i += 4) ids.push(u32(b, o + i));
  return ok({ kind: "ACK", updateIds: ids });
}
/** The ACK value bytes. */
export function emitAck(p: AckParam): Uint8Array {
  const b = new Uint8Array(4 * p.updateIds.length);
  for (let i = 0; i < p.updateIds.length; i++) put32(b, 4 * i, p.updateIds[i]);
  return b;
}
