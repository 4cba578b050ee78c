// IPv4 / IPv6 / UDP encapsulation for captures: wrap a HIP packet (protocol 139) or a
// UDP/10500 datagram (RFC 5770 framing, PROFILE §3) in an IP header so tshark and other
// tools can read it. Checksums: IPv4 header (RFC 791), UDP over the pseudo-header
// (RFC 768 / RFC 8200 §8.1). The HIP checksum inside is the wire codec's business.
import { bytesToIp, ipToBytes, ipv4Bytes, isIPv6Text } from "../core/addr.ts";
import type { Locator } from "../core/types.ts";

export const IPPROTO_UDP = 17;
export const IPPROTO_ESP = 50;
export const IPPROTO_HIP = 139;
/** IPv6 "no next header" (RFC 8200 §4.7). */
export const IPPROTO_NONE = 59;

/** RFC 1071 one's-complement sum of 16-bit words over consecutive parts, folded, not inverted. */
export function onesSum(parts: readonly Uint8Array[], initial = 0): number {
  let sum = initial;
  let odd = -1; // pending high byte when a part ends on an odd offset
  for (const p of parts) {
    let i = 0;
    if (odd >= 0 && p.length > 0) {
      sum += (odd << 8) | p[0];
      odd = -1;
      i = 1;
    }
    for (; i + 1 < p.length; i += 2) sum += (p[i] << 8) | p[i + 1];
    if (i < p.length) odd = p[i];
    if (sum > 0x3fffffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (odd >= 0) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Internet checksum (RFC 1071): inverted one's-complement sum. */
export function inetChecksum(...parts: Uint8Array[]): number {
  return ~onesSum(parts) & 0xffff;
}

/** Pseudo-header for upper-layer checksums (RFC 768 for IPv4, RFC 8200 §8.1 for IPv6).
 * IPv4 form when both addresses are IPv4 text, unless `ipv6` forces the IPv6 form. */
export function pseudoHeader(src: string, dst: string, proto: number, length: number, ipv6 = false): Uint8Array {
  const s4 = ipv4Bytes(src);
  const d4 = ipv4Bytes(dst);
  if (s4 && d4 && !ipv6) {
    const ph = new Uint8Array(12);
    ph.set(s4, 0);
    ph.set(d4, 4);
    ph[9] = proto;
    ph[10] = length >> 8;
    ph[11] = length & 0xff;
    return ph;
  }
  const ph = new Uint8Array(40);
  ph.set(addr16(src), 0);
  ph.set(addr16(dst), 16);
  new DataView(ph.buffer).setUint32(32, length);
  ph[39] = proto;
  return ph;
}

export interface IpOptions {
  /** IPv4 TTL / IPv6 hop limit (default 64). */
  ttl?: number;
  /** IPv4 identification (default 0). */
  id?: number;
}

/** IPv4 packet (20-byte header, DF set) around `payload`, with a correct header checksum. */
export function buildIpv4(src: string, dst: string, proto: number, payload: Uint8Array, o: IpOptions = {}): Uint8Array {
  const s = ipv4Bytes(src);
  const d = ipv4Bytes(dst);
  if (!s || !d) throw new RangeError(`not IPv4 addresses: ${src} → ${dst}`);
  const total = 20 + payload.length;
  if (total > 0xffff) throw new RangeError(`IPv4 packet too long: ${total}`);
  const pkt = new Uint8Array(total);
  const v = new DataView(pkt.buffer);
  pkt[0] = 0x45; // version 4, IHL 5
  v.setUint16(2, total);
  v.setUint16(4, (o.id ?? 0) & 0xffff);
  v.setUint16(6, 0x4000); // DF
  pkt[8] = o.ttl ?? 64;
  pkt[9] = proto;
  pkt.set(s, 12);
  pkt.set(d, 16);
  v.setUint16(10, inetChecksum(pkt.subarray(0, 20)));
  pkt.set(payload, 20);
  return pkt;
}

/** IPv6 packet (40-byte header, no extension headers) around `payload`. */
export function buildIpv6(src: string, dst: string, nextHeader: number, payload: Uint8Array, o: IpOptions = {}): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError(`IPv6 payload too long: ${payload.length}`);
  const pkt = new Uint8Array(40 + payload.length);
  const v = new DataView(pkt.buffer);
  pkt[0] = 0x60;
  v.setUint16(4, payload.length);
  pkt[6] = nextHeader;
  pkt[7] = o.ttl ?? 64;
  pkt.set(addr16(src), 8);
  pkt.set(addr16(dst), 24);
  pkt.set(payload, 40);
  return pkt;
}

/** "::ffff:a.b.c.d" (as dual-stack sockets report IPv4 peers) → "a.b.c.d"; zone ids dropped. */
export function normalizeIp(ip: string): string {
  if (!isIPv6Text(ip)) return ip;
  const b = ipToBytes(ip);
  return b ? bytesToIp(b) : ip;
}

/** The address pair as one family: both IPv4, or both IPv6 (an IPv4 one then IPv4-mapped). */
export function ipPair(src: string, dst: string): [string, string] {
  const s = normalizeIp(src);
  const d = normalizeIp(dst);
  if (isIPv6Text(s) === isIPv6Text(d)) return [s, d];
  return [isIPv6Text(s) ? s : `::ffff:${s}`, isIPv6Text(d) ? d : `::ffff:${d}`];
}

/** IPv4 when both addresses are IPv4 (after normalizeIp), IPv6 otherwise. */
export function buildIp(src: string, dst: string, proto: number, payload: Uint8Array, o: IpOptions = {}): Uint8Array {
  const [s, d] = ipPair(src, dst);
  return isIPv6Text(s) ? buildIpv6(s, d, proto, payload, o) : buildIpv4(s, d, proto, payload, o);
}

/** UDP header + payload with the checksum over the pseudo-header (RFC 768; 0 → 0xffff). */
export function buildUdpSegment(from: Locator, to: Locator, payload: Uint8Array): Uint8Array {
  const [src, dst] = ipPair(from.ip, to.ip);
  const len = 8 + payload.length;
  if (len > 0xffff) throw new RangeError(`UDP datagram too long: ${len}`);
  const seg = new Uint8Array(len);
  const v = new DataView(seg.buffer);
  v.setUint16(0, from.port);
  v.setUint16(2, to.port);
  v.setUint16(4, len);
  seg.set(payload, 8);
  const c = inetChecksum(pseudoHeader(src, dst, IPPROTO_UDP, len), seg);
  v.setUint16(6, c === 0 ? 0xffff : c);
  return seg;
}

/** Whole IP packet carrying one UDP datagram `from` → `to`. */
export function buildUdp(from: Locator, to: Locator, payload: Uint8Array, o: IpOptions = {}): Uint8Array {
  return buildIp(from.ip, to.ip, IPPROTO_UDP, buildUdpSegment(from, to, payload), o);
}

function addr16(ip: string): Uint8Array {
  const b = ipToBytes(ip);
  if (!b) throw new RangeError(`bad IP address: ${ip}`);
  return b;
}
