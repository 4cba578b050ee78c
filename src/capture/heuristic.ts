// HIP over UDP on a port nobody configured (issue 13 item 6): after the RFC 5770 §5.1 zero
// marker, a HIP fixed header (RFC 7401 §5.1) whose fields leave little to chance: Next Header
// 59 (IPPROTO_NONE), fixed bits 0 and 1, version 1 or 2, Header Length equal to the datagram,
// an ORCHID sender HIT (2001:10::/28 ORCHIDv1 or 2001:20::/28 ORCHIDv2, RFC 7343). Once a
// datagram of a conversation matches, the rest of it (ESP, keepalives) is demultiplexed as on
// UDP/10500, as Wireshark's "Decode As" would.
import { HIP_HEADER_LEN, NEXT_HEADER_NONE } from "../wire/constants.ts";

/** True when `payload` (a UDP payload) is the zero marker plus a plausible HIP packet. */
export function looksLikeHipOverUdp(payload: Uint8Array): boolean {
  const p = payload;
  if (p.length < 4 + HIP_HEADER_LEN || p[0] !== 0 || p[1] !== 0 || p[2] !== 0 || p[3] !== 0) return false;
  const h = 4;
  if (p[h] !== NEXT_HEADER_NONE || (p[h + 1] + 1) * 8 !== p.length - 4) return false;
  if (p[h + 2] >> 7 !== 0 || (p[h + 3] & 1) !== 1) return false;
  const version = p[h + 3] >> 4;
  if (version !== 1 && version !== 2) return false;
  const s = h + 8; // sender HIT
  return p[s] === 0x20 && p[s + 1] === 0x01 && p[s + 2] === 0x00 && (p[s + 3] & 0xf0) >= 0x10 && (p[s + 3] & 0xf0) <= 0x20;
}

/** Conversations (both directions) seen carrying HIP over UDP on unconfigured ports. */
export class DetectedPorts {
  private readonly conv = new Set<string>();
  /** Ports of the detected conversations, for the hint / the tshark recipe. */
  readonly ports = new Set<number>();

  private static key(a: string, ap: number, b: string, bp: number): string {
    return a < b || (a === b && ap <= bp) ? `${a}|${ap}|${b}|${bp}` : `${b}|${bp}|${a}|${ap}`;
  }
  add(src: string, sport: number, dst: string, dport: number): void {
    this.conv.add(DetectedPorts.key(src, sport, dst, dport));
    this.ports.add(sport);
    this.ports.add(dport);
  }
  has(src: string, sport: number, dst: string, dport: number): boolean {
    return this.conv.has(DetectedPorts.key(src, sport, dst, dport));
  }
}
