// The upper-layer header inside an ESP payload in BEET mode (RFC 7402 §3.1, PROFILE §3): a UDP
// header (RFC 768), next header 17. The inner addresses are the HITs, so the UDP checksum uses
// an IPv6 pseudo-header (RFC 8200 §8.1) built from the HITs (RFC 7401 §4.5.1).
import { pseudoHeaderSum } from "../wire/icmpv6.ts";

export const IPPROTO_UDP = 17;
export const UDP_HEADER_LEN = 8;

/** Folded one's-complement sum of the pseudo-header and the segment as it is. */
function foldedSum(srcHit: Uint8Array, dstHit: Uint8Array, segment: Uint8Array): number {
  return pseudoHeaderSum(srcHit, dstHit, IPPROTO_UDP, segment);
}

/** UDP header + data, checksummed with the HIT pseudo-header. */
export function encodeBeetUdp(srcHit: Uint8Array, dstHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  const seg = new Uint8Array(UDP_HEADER_LEN + data.length);
  const dv = new DataView(seg.buffer);
  dv.setUint16(0, srcPort);
  dv.setUint16(2, dstPort);
  dv.setUint16(4, seg.length);
  seg.set(data, UDP_HEADER_LEN);
  const c = ~foldedSum(srcHit, dstHit, seg) & 0xffff;
  dv.setUint16(6, c === 0 ? 0xffff : c); // RFC 768: a computed 0 is sent as all ones
  return seg;
}

export type BeetUdpResult = { ok: true; srcPort: number; dstPort: number; data: Uint8Array } | { ok: false; reason: "truncated" | "length" | "checksum" };

/** Parse and verify an inner UDP segment (checksum 0 is rejected: IPv6 requires one, RFC 8200 §8.1). */
export function decodeBeetUdp(srcHit: Uint8Array, dstHit: Uint8Array, seg: Uint8Array): BeetUdpResult {
  if (seg.length < UDP_HEADER_LEN) return { ok: false, reason: "truncated" };
  const dv = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
  const len = dv.getUint16(4);
  if (len !== seg.length) return { ok: false, reason: "length" };
  // With the checksum included, a correct segment sums to all ones.
  if (dv.getUint16(6) === 0 || foldedSum(srcHit, dstHit, seg) !== 0xffff) return { ok: false, reason: "checksum" };
  return { ok: true, srcPort: dv.getUint16(0), dstPort: dv.getUint16(2), data: seg.subarray(UDP_HEADER_LEN) };
}
