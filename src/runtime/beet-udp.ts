// The upper-layer header inside an ESP payload in BEET mode (RFC 7402 §3.1, PROFILE §3): a UDP
// header (RFC 768), next header 17. The inner addresses are the HITs, so the UDP checksum uses
// an IPv6 pseudo-header (RFC 8200 §8.1) built from the HITs (RFC 7401 §4.5.1).
import { carveRoom } from "../core/slab.ts";
import { pseudoHeaderSum } from "../wire/icmpv6.ts";

export const IPPROTO_UDP = 17;
export const UDP_HEADER_LEN = 8;

/** Folded one's-complement sum of the pseudo-header and the segment as it is. */
function foldedSum(srcHit: Uint8Array, dstHit: Uint8Array, segment: Uint8Array): number {
  return pseudoHeaderSum(srcHit, dstHit, IPPROTO_UDP, segment);
}

/**
 * UDP header + data, checksummed with the HIT pseudo-header. The result is a view into a shared
 * slab chunk (src/core/slab.ts: never reused while held); `slice()` it for a buffer of its own.
 */
export function encodeBeetUdp(srcHit: Uint8Array, dstHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  // Carved from the shared slab: no backing store of its own per datagram.
  const seg = beetUdpSegment(srcPort, dstPort, data);
  const c = ~foldedSum(srcHit, dstHit, seg) & 0xffff;
  const cs = c === 0 ? 0xffff : c; // RFC 768: a computed 0 is sent as all ones
  seg[6] = cs >>> 8;
  seg[7] = cs & 0xff;
  return seg;
}

/**
 * UDP header + data with the checksum field 0, carved from the shared slab: for a data plane that
 * fills the checksum next to the seal (EspBatch.addSealUdp, the Worker path).
 */
export function beetUdpSegment(srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  const seg = carveRoom(UDP_HEADER_LEN + data.length);
  const n = seg.length;
  seg[0] = srcPort >>> 8;
  seg[1] = srcPort & 0xff;
  seg[2] = dstPort >>> 8;
  seg[3] = dstPort & 0xff;
  seg[4] = (n >>> 8) & 0xff;
  seg[5] = n & 0xff;
  seg.set(data, UDP_HEADER_LEN);
  return seg;
}

/**
 * Unfolded sum of the 16-bit words of both HITs: the part of the UDP pseudo-header (RFC 8200
 * §8.1) that is fixed per peer (addition commutes, so it serves both directions).
 */
export function hitPairSum(srcHit: Uint8Array, dstHit: Uint8Array): number {
  let acc = 0;
  for (let i = 0; i + 1 < srcHit.length; i += 2) acc += (srcHit[i] << 8) | srcHit[i + 1];
  for (let i = 0; i + 1 < dstHit.length; i += 2) acc += (dstHit[i] << 8) | dstHit[i + 1];
  return acc;
}

/**
 * Unfolded sum of the pseudo-header words for a UDP segment of `len` bytes between two HITs
 * (RFC 8200 §8.1): what DataPlane.sealUdp takes, and with a segment's sum, its checksum.
 * `hits`: hitPairSum of the two HITs, when the caller keeps it.
 */
export function pseudoSum(srcHit: Uint8Array, dstHit: Uint8Array, len: number, hits = hitPairSum(srcHit, dstHit)): number {
  return hits + (len >>> 16) + (len & 0xffff) + IPPROTO_UDP;
}

export type BeetUdpResult = { ok: true; srcPort: number; dstPort: number; data: Uint8Array } | { ok: false; reason: "truncated" | "length" | "checksum" };

/**
 * Parse and verify an inner UDP segment (checksum 0 is rejected: IPv6 requires one, RFC 8200 §8.1).
 * `segSum`: the segment's own folded sum when the data plane already computed it (DataPlane.open);
 * `hits`: hitPairSum(srcHit, dstHit) when the caller keeps it.
 */
export function decodeBeetUdp(srcHit: Uint8Array, dstHit: Uint8Array, seg: Uint8Array, segSum?: number, hits?: number): BeetUdpResult {
  const n = seg.length;
  if (n < UDP_HEADER_LEN) return { ok: false, reason: "truncated" };
  if (((seg[4] << 8) | seg[5]) !== n) return { ok: false, reason: "length" };
  let sum: number;
  if (segSum === undefined) sum = foldedSum(srcHit, dstHit, seg);
  else {
    sum = pseudoSum(srcHit, dstHit, n, hits) + segSum;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  // With the checksum included, a correct segment sums to all ones.
  if ((seg[6] === 0 && seg[7] === 0) || sum !== 0xffff) return { ok: false, reason: "checksum" };
  return { ok: true, srcPort: (seg[0] << 8) | seg[1], dstPort: (seg[2] << 8) | seg[3], data: seg.subarray(UDP_HEADER_LEN) };
}
