// One TLV at a time (RFC 7401 §5.2.1): Type(16) Length(16) Value, padded to a multiple of 8;
// Length excludes the padding. The same arithmetic as the parameter walk (walk-ts.ts); used
// wherever a single TLV is read outside a whole-packet walk (ENCRYPTED contents, raw TLV bytes).
import type { Result } from "./error.ts";
import { walkParams } from "./walk.ts";
import { type ParamIndex, tlvTotal } from "./walk-ts.ts";

export { tlvTotal } from "./walk-ts.ts";

/** One TLV header as read by `readTlv`. */
export interface TlvHeader {
  /** The Type field. */
  type: number;
  /** The Length field (value bytes, no padding). */
  length: number;
  /** Offset of the value (TLV offset + 4). */
  valueOffset: number;
  /** Offset just after the padding (may exceed `bytes.length` for an unpadded last TLV). */
  end: number;
}

/** The TLV header at `offset`, or undefined when the header or its value runs past `bytes`. */
export function readTlv(bytes: Uint8Array, offset: number): TlvHeader | undefined {
  if (offset < 0 || offset + 4 > bytes.length) return undefined;
  const type = (bytes[offset] << 8) | bytes[offset + 1];
  const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
  if (offset + 4 + length > bytes.length) return undefined;
  return { type, length, valueOffset: offset + 4, end: offset + tlvTotal(length) };
}

/** Copy of the whole TLV at `offset` including its padding, or undefined if it overruns. */
export function tlvBytes(bytes: Uint8Array, offset: number): Uint8Array | undefined {
  const t = readTlv(bytes, offset);
  if (t === undefined || t.end > bytes.length) return undefined;
  return bytes.slice(offset, t.end);
}

/** Walk `bytes` from `start` (the parameter walk, WASM when bound) and return the index, or
 * undefined when the walk fails. */
export function tlvIndex(bytes: Uint8Array, start: number): ParamIndex | undefined {
  const r: Result<ParamIndex> = walkParams(bytes, start);
  return r.ok ? r.value : undefined;
}
