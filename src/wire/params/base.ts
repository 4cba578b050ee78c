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
/** Parse an ESP_INFO value (`v`: the value bytes; `offset`: its position in the packet, for errors). */
export function parseEspInfo(v: Uint8Array, offset: number): Result<EspInfoParam> {
  if (v.length !== 12) return badLength("ESP_INFO", offset, v.length, "12");
  return ok({ kind: "ESP_INFO", keymatIndex: u16(v, 2), oldSpi: u32(v, 4), newSpi: u32(v, 8) });
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
/** Parse an R1_COUNTER value (`offset`: its position, for errors). */
export function parseR1Counter(v: Uint8Array, offset: number): Result<R1CounterParam> {
  if (v.length !== 12) return badLength("R1_COUNTER", offset, v.length, "12");
  return ok({ kind: "R1_COUNTER", counter: (BigInt(u32(v, 4)) << 32n) | BigInt(u32(v, 8)) });
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
/** Parse a PUZZLE value (`offset`: its position, for errors). */
export function parsePuzzle(v: Uint8Array, offset: number): Result<PuzzleParam> {
  if (v.length < 5) return badLength("PUZZLE", offset, v.length, "at least 5");
  return ok({ kind: "PUZZLE", k: v[0], lifetime: v[1], opaque: u16(v, 2), randomI: carve(v, 4) });
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
/** Parse a SOLUTION value (`offset`: its position, for errors). */
export function parseSolution(v: Uint8Array, offset: number): Result<SolutionParam> {
  if (v.length < 6 || (v.length - 4) % 2 !== 0) return badLength("SOLUTION", offset, v.length, "4 + 2n, n >= 1");
  const n = (v.length - 4) / 2;
  return ok({ kind: "SOLUTION", k: v[0], opaque: u16(v, 2), randomI: carve(v, 4, 4 + n), solutionJ: carve(v, 4 + n) });
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
/** Parse a SEQ value (`offset`: its position, for errors). */
export function parseSeq(v: Uint8Array, offset: number): Result<SeqParam> {
  if (v.length !== 4) return badLength("SEQ", offset, v.length, "4");
  return ok({ kind: "SEQ", updateId: u32(v, 0) });
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
/** Parse an ACK value (`offset`: its position, for errors). */
export function parseAck(v: Uint8Array, offset: number): Result<AckParam> {
  if (v.length === 0 || v.length % 4 !== 0) return badLength("ACK", offset, v.length, "a non-empty multiple of 4");
  const ids: number[] = [];
  for (let i = 0; i < v.length; i += 4) ids.push(u32(v, i));
  return ok({ kind: "ACK", updateIds: ids });
}
/** The ACK value bytes. */
export function emitAck(p: AckParam): Uint8Array {
  const b = new Uint8Array(4 * p.updateIds.length);
  for (let i = 0; i < p.updateIds.length; i++) put32(b, 4 * i, p.updateIds[i]);
  return b;
}
