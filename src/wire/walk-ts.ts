// Plain TypeScript parameter walk (RFC 7401 §5.2.1): TLV Type(16) Length(16) Value, padded to a
// multiple of 8; Length excludes the padding. Types must be non-decreasing (equal types may
// repeat, e.g. REA_INFO ×n; decreasing is PARAM_ORDER). Same contract as the WASM walk
// (assembly/wire/walk.ts), see docs/PROTOCOL.md §3.
import { HIP_HEADER_LEN } from "./constants.ts";
import { type Err, err, ok, type Result, WireErrorCode as E, type WireErrorCode } from "./error.ts";
import { carveInt32, commitInt32, reserveInt32 } from "../core/slab.ts";

/** Result codes shared by both walks (negative = error). */
export const WALK_ERR_TRUNCATED = -1;
/** A TLV runs past the end of the packet. */
export const WALK_ERR_OVERRUN = -2;
/** Parameter types decrease (RFC 7401 §5.2.1). */
export const WALK_ERR_ORDER = -3;
/** Bad input: start out of range, index array too small, or (WASM walk) input too long. */
export const WALK_ERR_INPUT = -4;

/** Index of the TLVs of one packet: entry i = (type, offset of the TLV's Type field, Length). */
export class ParamIndex {
  /** `entries` holds count triples [type, tlvOffset, length]. */
  constructor(
    /** The triples [type, tlvOffset, length], `count` of them. */
    readonly entries: Int32Array,
    /** Number of parameters. */
    readonly count: number,
  ) {}
  /** Type of entry `i`. */
  type(i: number): number {
    return this.entries[3 * i];
  }
  /** Offset of the TLV header (the value starts 4 bytes later). */
  offset(i: number): number {
    return this.entries[3 * i + 1];
  }
  /** The Length field (value bytes, no padding). */
  length(i: number): number {
    return this.entries[3 * i + 2];
  }
  /** Offset of entry `i`'s value. */
  valueOffset(i: number): number {
    return this.entries[3 * i + 1] + 4;
  }
  /** Offset just after the TLV's padding. */
  end(i: number): number {
    return this.entries[3 * i + 1] + tlvTotal(this.entries[3 * i + 2]);
  }
  /** First entry with this type, or -1. */
  find(type: number): number {
    for (let i = 0; i < this.count; i++) if (this.entries[3 * i] === type) return i;
    return -1;
  }
}

/** Bytes a TLV with this Length occupies: 4-byte header + value + padding to 8 (§5.2.1). */
export function tlvTotal(length: number): number {
  return (length + 11) & ~7;
}

let walkErrOffset = 0;

/** Offset of the last error returned by walkParamsTsInto. */
export function walkTsErrorOffset(): number {
  return walkErrOffset;
}

/**
 * Plain TypeScript walk over bytes[start, bytes.length) writing triples into `out` from `base`
 * (needs 3 * ceil((len - start) / 8) slots there). Returns the count or a WALK_ERR_* code.
 */
export function walkParamsTsInto(bytes: Uint8Array, start: number, out: Int32Array, base = 0): number {
  const len = bytes.length;
  if (start < 0 || start > len || out.length - base < 3 * Math.ceil((len - start) / 8)) {
    walkErrOffset = 0;
    return WALK_ERR_INPUT;
  }
  let pos = start;
  let k = base;
  let count = 0;
  let prev = -1;
  while (pos < len) {
    const left = len - pos;
    if (left < 4) {
      walkErrOffset = pos;
      return WALK_ERR_TRUNCATED;
    }
    const type = (bytes[pos] << 8) | bytes[pos + 1];
    const length = (bytes[pos + 2] << 8) | bytes[pos + 3];
    const total = tlvTotal(length);
    if (total > left) {
      walkErrOffset = pos;
      return WALK_ERR_OVERRUN;
    }
    if (type < prev) {
      walkErrOffset = pos;
      return WALK_ERR_ORDER;
    }
    out[k] = type;
    out[k + 1] = pos;
    out[k + 2] = length;
    k += 3;
    count++;
    prev = type;
    pos += total;
  }
  walkErrOffset = 0;
  return count;
}

export function toResult(n: number, bytes: Uint8Array, errOffset: number, entries: Int32Array): Result<ParamIndex> {
  if (n >= 0) return ok(new ParamIndex(carveInt32(entries, 3 * n), n));
  return walkError(n, errOffset, bytes.length);
}

/** The error value for a negative walk result `n` at `offset` (`len`: the packet length). */
export function walkError(n: number, offset: number, len: number): Err {
  const code: WireErrorCode = n === WALK_ERR_TRUNCATED ? E.PARAM_TRUNCATED : n === WALK_ERR_OVERRUN ? E.PARAM_OVERRUN : n === WALK_ERR_ORDER ? E.PARAM_ORDER : E.TRUNCATED;
  const msg =
    n === WALK_ERR_TRUNCATED
      ? `${len - offset} bytes left, TLV header needs 4`
      : n === WALK_ERR_OVERRUN
        ? "parameter Length runs past the end of the packet"
        : n === WALK_ERR_ORDER
          ? "parameter type smaller than the previous one"
          : "walk start outside the buffer";
  return err(code, offset, msg);
}

let scratch = new Int32Array(3 * 256);

/** TypeScript walk with a fresh index (walked straight into room carved for the worst case,
 * one TLV per 8 bytes, then kept at its size; a reused scratch and a copy for huge packets). */
export function walkParamsTs(bytes: Uint8Array, start = HIP_HEADER_LEN): Result<ParamIndex> {
  const need = 3 * Math.max(1, Math.ceil((bytes.length - start) / 8));
  const room = reserveInt32(need);
  if (room !== undefined) {
    const n = walkParamsTsInto(bytes, start, room);
    return n >= 0 ? ok(new ParamIndex(commitInt32(3 * n), n)) : walkError(n, walkErrOffset, bytes.length);
  }
  if (scratch.length < need) scratch = new Int32Array(need);
  const n = walkParamsTsInto(bytes, start, scratch);
  return toResult(n, bytes, walkErrOffset, scratch);
}
