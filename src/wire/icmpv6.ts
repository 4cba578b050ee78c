// ICMPv6 (RFC 4443) as it travels inside BEET ESP (RFC 7402 §3.1, next header 58): the inner
// IPv6 header is not carried, its addresses are the HITs (RFC 7401 §4.5.1), so the checksum
// (RFC 4443 §2.3) is taken over an IPv6 pseudo-header (RFC 8200 §8.1) built from the two HITs.
// Echo Request / Echo Reply (RFC 4443 §4.1, §4.2) are parsed into fields; other types keep
// their body as bytes. Smoltcp-style: Icmpv6View (zero-copy, check()) and Icmpv6Repr (parse/emit).
import { err, ok, type Result, WireErrorCode as E } from "./error.ts";

/** IP protocol number of ICMPv6 (the BEET inner next header). */
export const IPPROTO_ICMPV6 = 58;
/** RFC 4443 §4.1 / §4.2. */
export const ICMPV6_ECHO_REQUEST = 128;
/** Echo Reply type (RFC 4443 §4.2). */
export const ICMPV6_ECHO_REPLY = 129;
/** Type, Code, Checksum. */
export const ICMPV6_HEADER_LEN = 4;
/** Type, Code, Checksum, Identifier, Sequence Number. */
export const ICMPV6_ECHO_HEADER_LEN = 8;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `acc` plus the big-endian 16-bit words of `b` (an odd last byte is padded with zero), unfolded.
 * Four-byte-aligned bytes are summed as native 32-bit words, two 16-bit halves each (RFC 1071
 * §2(B): the one's-complement sum does not depend on byte order, so the folded little-endian sum
 * is byte-swapped once at the end): 2-3x the byte loop on a 1400 B segment.
 */
function sum16(b: Uint8Array, acc: number): number {
  const n = b.length;
  let i = 0;
  if (n >= 64 && (b.byteOffset & 3) === 0 && LITTLE_ENDIAN) {
    const words = new Uint32Array(b.buffer, b.byteOffset, n >>> 2);
    let lo = 0;
    let hi = 0;
    // At most 2^14 words per pass keeps both sums below 2^31 (Smi arithmetic).
    for (let k = 0; k < words.length; ) {
      const end = Math.min(words.length, k + 16384);
      for (; k < end; k++) {
        const w = words[k];
        lo += w & 0xffff;
        hi += w >>> 16;
      }
      lo = (lo & 0xffff) + (lo >>> 16) + (hi & 0xffff) + (hi >>> 16);
      hi = 0;
    }
    while (lo > 0xffff) lo = (lo & 0xffff) + (lo >>> 16);
    acc += ((lo & 0xff) << 8) | (lo >>> 8);
    i = words.length << 2;
  }
  for (; i + 1 < n; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < n) acc += b[i] << 8;
  return acc;
}

/**
 * Folded one's-complement sum (RFC 1071) of the IPv6 pseudo-header (RFC 8200 §8.1: source,
 * destination, upper-layer length (32 bits), 3 zero bytes, next header) and `segment` as it is.
 * A segment whose checksum field is right sums to 0xffff.
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, nextHeader: number, segment: Uint8Array): number {
  let acc = sum16(src, 0) + sum16(dst, 0) + (segment.length >>> 16) + (segment.length & 0xffff) + nextHeader;
  acc = sum16(segment, acc);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}

/**
 * The Internet checksum of an upper-layer segment between two HITs (or any IPv6 addresses)
 * whose checksum field (at `checksumOffset`) is taken as zero: what TCP (6), UDP (17) and
 * ICMPv6 (58) carry inside BEET ESP. Useful for applications that build their own segments.
 */
export function beetChecksum(src: Uint8Array, dst: Uint8Array, nextHeader: number, segment: Uint8Array, checksumOffset: number): number {
  let acc = pseudoHeaderSum(src, dst, nextHeader, segment);
  if (checksumOffset + 1 < segment.length) {
    // Remove the stored field from the sum (one's-complement subtraction).
    acc += ~((segment[checksumOffset] << 8) | segment[checksumOffset + 1]) & 0xffff;
    while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  }
  return ~acc & 0xffff;
}

/** Echo Request / Echo Reply (RFC 4443 §4.1, §4.2); Code is 0 when we send. */
export interface Icmpv6EchoRepr {
  /** Echo Request (128) or Echo Reply (129). */
  type: typeof ICMPV6_ECHO_REQUEST | typeof ICMPV6_ECHO_REPLY;
  /** Code (0). */
  code: number;
  /** Identifier. */
  identifier: number;
  /** Sequence Number. */
  sequence: number;
  /** Data echoed. */
  data: Uint8Array;
}

/** Any other ICMPv6 message: the bytes after Type, Code and Checksum. */
export interface Icmpv6OtherRepr {
  /** Type. */
  type: number;
  /** Code. */
  code: number;
  /** Message body (after the checksum). */
  body: Uint8Array;
}

/** An ICMPv6 message as plain values: an echo, or any other type. */
export type Icmpv6Repr = Icmpv6EchoRepr | Icmpv6OtherRepr;

/** True for Echo Request / Echo Reply. */
export function isEcho(r: Icmpv6Repr): r is Icmpv6EchoRepr {
  return r.type === ICMPV6_ECHO_REQUEST || r.type === ICMPV6_ECHO_REPLY;
}

/** Zero-copy view over one ICMPv6 message. Call check() before trusting the fields. */
export class Icmpv6View {
  /** @param bytes The ICMPv6 message (Type first). */
  constructor(readonly bytes: Uint8Array) {}

  /** Type. */
  get type(): number {
    return this.bytes[0];
  }
  /** Code. */
  get code(): number {
    return this.bytes[1];
  }
  /** Checksum field. */
  get checksum(): number {
    return (this.bytes[2] << 8) | this.bytes[3];
  }
  /** True for Echo Request / Echo Reply. */
  get isEcho(): boolean {
    return this.type === ICMPV6_ECHO_REQUEST || this.type === ICMPV6_ECHO_REPLY;
  }
  /** Echo only. */
  get identifier(): number {
    return (this.bytes[4] << 8) | this.bytes[5];
  }
  /** Echo only. */
  get sequence(): number {
    return (this.bytes[6] << 8) | this.bytes[7];
  }
  /** Echo: the data after the sequence number; other types: the body after the checksum. */
  get data(): Uint8Array {
    return this.bytes.subarray(this.isEcho ? ICMPV6_ECHO_HEADER_LEN : ICMPV6_HEADER_LEN);
  }

  /** Length and (RFC 4443 §2.3) checksum over the pseudo-header of `src` → `dst`. */
  check(src: Uint8Array, dst: Uint8Array): Result<Icmpv6View> {
    const b = this.bytes;
    if (b.length < ICMPV6_HEADER_LEN) return err(E.TRUNCATED, b.length, `ICMPv6 message is ${b.length} bytes, header needs 4`);
    if (this.isEcho && b.length < ICMPV6_ECHO_HEADER_LEN) return err(E.TRUNCATED, b.length, `ICMPv6 echo is ${b.length} bytes, needs 8`);
    if (pseudoHeaderSum(src, dst, IPPROTO_ICMPV6, b) !== 0xffff) return err(E.BAD_CHECKSUM, 2, "ICMPv6 checksum does not verify over the pseudo-header", "checksum");
    return ok(this);
  }

  /** The message as plain values (data copied). */
  toRepr(): Icmpv6Repr {
    if (this.isEcho) return { type: this.type as Icmpv6EchoRepr["type"], code: this.code, identifier: this.identifier, sequence: this.sequence, data: this.data.slice() };
    return { type: this.type, code: this.code, body: this.data.slice() };
  }
}

/** Check and read one ICMPv6 message sent from `src` to `dst` (errors as values). */
export function parseIcmpv6(src: Uint8Array, dst: Uint8Array, bytes: Uint8Array): Result<Icmpv6Repr> {
  const v = new Icmpv6View(bytes).check(src, dst);
  return v.ok ? ok(v.value.toRepr()) : v;
}

/** The message bytes, checksummed over the pseudo-header of `src` → `dst`. */
export function emitIcmpv6(src: Uint8Array, dst: Uint8Array, r: Icmpv6Repr): Uint8Array {
  if (src.length !== 16 || dst.length !== 16) throw new RangeError("ICMPv6 pseudo-header addresses must be 16 bytes");
  const echo = isEcho(r);
  const tail = echo ? r.data : r.body;
  const hdr = echo ? ICMPV6_ECHO_HEADER_LEN : ICMPV6_HEADER_LEN;
  const out = new Uint8Array(hdr + tail.length);
  out[0] = r.type;
  out[1] = r.code;
  if (echo) {
    out[4] = (r.identifier >> 8) & 0xff;
    out[5] = r.identifier & 0xff;
    out[6] = (r.sequence >> 8) & 0xff;
    out[7] = r.sequence & 0xff;
  }
  out.set(tail, hdr);
  const c = beetChecksum(src, dst, IPPROTO_ICMPV6, out, 2);
  out[2] = c >> 8;
  out[3] = c & 0xff;
  return out;
}

/**
 * The Echo Reply to a (checked) Echo Request: same Identifier, Sequence Number and data
 * (RFC 4443 §4.2), addressed back (`src` is the replier). Never larger than the request.
 */
export function echoReplyFor(src: Uint8Array, dst: Uint8Array, request: Icmpv6EchoRepr): Uint8Array {
  return emitIcmpv6(src, dst, { type: ICMPV6_ECHO_REPLY, code: 0, identifier: request.identifier, sequence: request.sequence, data: request.data });
}
