// Internet checksum (RFC 1071) with the pseudo-headers HIP uses.
// RFC 7401 §5.1.1: the HIP checksum covers an IP pseudo-header (IPv4: RFC 768 style with
// protocol 139; IPv6: RFC 8200 §8.1 with next header 139) and the HIP packet with checksum 0.
// Over UDP (RFC 5770, hipmm PROFILE §3) the outer UDP addresses are the pseudo-header addresses.
import { concat, u16, u32 } from "./bytes.ts";

export const IPPROTO_HIP = 139;

function sum(b: Uint8Array, acc: number): number {
  let i = 0;
  for (; i + 1 < b.length; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < b.length) acc += b[i] << 8;
  return acc;
}

export function inetChecksum(data: Uint8Array): number {
  let acc = sum(data, 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return ~acc & 0xffff;
}

/** IPv4 dotted quad or IPv6 text → 4 or 16 bytes. */
export function ipBytes(ip: string): Uint8Array {
  if (!ip.includes(":")) return new Uint8Array(ip.split(".").map(Number));
  const [head, tail] = ip.split("::");
  const words = (s: string | undefined) => (s ? s.split(":").map((w) => Number.parseInt(w, 16)) : []);
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return concat(...all.map(u16));
}

/** Pseudo-header for `proto` over src/dst (both IPv4 → RFC 768 form, else RFC 8200 form). */
export function pseudoHeader(src: string, dst: string, proto: number, len: number): Uint8Array {
  const s = ipBytes(src);
  const d = ipBytes(dst);
  if (s.length === 4 && d.length === 4) return concat(s, d, new Uint8Array([0, proto]), u16(len));
  const map = (b: Uint8Array) => (b.length === 16 ? b : concat(new Uint8Array(10), new Uint8Array([0xff, 0xff]), b));
  return concat(map(s), map(d), u32(len), new Uint8Array([0, 0, 0, proto]));
}

/** HIP checksum of `pkt` (its checksum field is treated as zero). */
export function hipChecksum(pkt: Uint8Array, src: string, dst: string): number {
  const copy = pkt.slice();
  copy[4] = 0;
  copy[5] = 0;
  return inetChecksum(concat(pseudoHeader(src, dst, IPPROTO_HIP, pkt.length), copy));
}
