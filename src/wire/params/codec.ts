// Small helpers shared by the typed parameter codecs (RFC 7401 §5.2 layouts).
import { ipToBytes } from "../../core/addr.ts";
import { type Err, err, type Result, WireErrorCode as E } from "../error.ts";

export function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** PARAM_LENGTH error for `name` whose value is `len` bytes at `offset`. */
export function badLength(name: string, offset: number, len: number, expected: string): Err {
  return err(E.PARAM_LENGTH, offset, `${name}: value is ${len} bytes, expected ${expected}`, name);
}

export function badValue(name: string, offset: number, message: string): Err {
  return err(E.PARAM_VALUE, offset, `${name}: ${message}`, name);
}

/** Text → 16 bytes, throwing on malformed text (emit-side programmer error). */
export function addrBytes(ip: string): Uint8Array {
  const b = ipToBytes(ip);
  if (!b) throw new RangeError(`not an IP address: ${ip}`);
  return b;
}

/** A list of fixed-size unsigned integers (1 or 2 bytes each), the `n` bytes of `b` at `o`, each
 * shifted right by `shift` bits. */
export function parseList(name: string, b: Uint8Array, o: number, n: number, size: 1 | 2, min = 1, shift = 0): Result<number[]> {
  if (n % size !== 0 || n < min * size) return badLength(name, o, n, `a non-empty multiple of ${size}`);
  const out: number[] = [];
  for (let i = 0; i < n; i += size) out.push((size === 1 ? b[o + i] : u16(b, o + i)) >> shift);
  return { ok: true, value: out };
}

export function emitList(values: readonly number[], size: 1 | 2, prefix = 0): Uint8Array {
  const out = new Uint8Array(prefix + values.length * size);
  for (let i = 0; i < values.length; i++) {
    if (size === 1) out[prefix + i] = values[i];
    else put16(out, prefix + 2 * i, values[i]);
  }
  return out;
}
