// HIP checksum (RFC 7401 §5.1.1): Internet checksum over an IPv4 (RFC 768 style) or IPv6
// (RFC 8200 §8.1) pseudo-header with protocol 139, then the HIP packet with its checksum
// field taken as zero. Over UDP (RFC 5770, PROFILE §3) the outer addresses are used.
import { ipToBytes, ipv4Bytes, isIPv6Text } from "../core/addr.ts";
import { IPPROTO_HIP } from "./constants.ts";

function sumWords(b: Uint8Array, from: number, to: number, acc: number): number {
  let i = from;
  for (; i + 1 < to; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < to) acc += b[i] << 8;
  return acc;
}

function pseudoSum(src: string, dst: string, length: number): number | undefined {
  if (!isIPv6Text(src) && !isIPv6Text(dst)) {
    const s = ipv4Bytes(src);
    const d = ipv4Bytes(dst);
    if (!s || !d) return undefined;
    // src(4) dst(4) zero(1) protocol(1) length(2)
    return sumWords(s, 0, 4, 0) + sumWords(d, 0, 4, 0) + IPPROTO_HIP + length;
  }
  const s = ipToBytes(src);
  const d = ipToBytes(dst);
  if (!s || !d) return undefined;
  // src(16) dst(16) upper-layer length(4) zero(3) next header(1)
  return sumWords(s, 0, 16, 0) + sumWords(d, 0, 16, 0) + (length >>> 16) + (length & 0xffff) + IPPROTO_HIP;
}

/** Checksum of `packet` (its bytes 4-5 are treated as zero). Undefined if an address is malformed. */
export function hipChecksum(packet: Uint8Array, src: string, dst: string): number | undefined {
  let acc = pseudoSum(src, dst, packet.length);
  if (acc === undefined) return undefined;
  acc = sumWords(packet, 0, Math.min(4, packet.length), acc);
  acc = sumWords(packet, 6, packet.length, acc);
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** Computes and stores the checksum in bytes 4-5; returns false if an address is malformed. */
export function fillChecksum(packet: Uint8Array, src: string, dst: string): boolean {
  const c = hipChecksum(packet, src, dst);
  if (c === undefined) return false;
  packet[4] = c >> 8;
  packet[5] = c & 0xff;
  return true;
}

/** True when the stored checksum matches. */
export function verifyChecksum(packet: Uint8Array, src: string, dst: string): boolean {
  if (packet.length < 6) return false;
  const c = hipChecksum(packet, src, dst);
  return c !== undefined && c === ((packet[4] << 8) | packet[5]);
}
