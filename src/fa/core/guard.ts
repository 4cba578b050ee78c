// The FA is a relay, not an open proxy (issue 9 item 6; docs/PROTOCOL.md §9 "Relay rule").
// As TURN requires a permission before relaying to a peer (RFC 8656 §9), a lease may send only
// - HIP control packets (valid HIPv2 header) and ESP (SPI ≥ 256, RFC 4303 §2.1): nothing else;
// - packets that start an exchange or announce locators (I1, I2, REA, UPDATE) to any allowed
//   destination: relaying one opens a "hip" permission for that IP (an FA failover: the host's
//   REA/UPDATE reaches its peers from the new lease, draft §4.4.2);
// - other HIP packets to an IP with a permission, or whose Receiver's HIT sent HIP packets to
//   this lease (mobility: UPDATEs that verify a peer's new address, RFC 8046 §5);
// - ESP only to an IP the FA has seen traffic for this lease from ("full" permission: a peer
//   that sent HIP or ESP to the leased locator/SPIs from that address).
// Destinations never allowed: unspecified, multicast, broadcast, the FA's own addresses; link-
// local unless configured; loopback only when the FA is itself on loopback (or configured).
// A relay to one of the FA's own locators is handled inside (hairpin), never sent to itself.
// Every lease also has packet and byte budgets (token buckets, both directions).
import { ipToBytes as ipBytes } from "../../core/addr.ts";
import type { Millis } from "../../core/types.ts";
import { NEXT_HEADER_NONE, PacketType } from "../../wire/constants.ts";
import { hitKeyBytes, type Lease } from "./lease.ts";
import type { FaConfig } from "./config.ts";
import type { FaLocal } from "./locals.ts";

/** Why a destination is refused, or undefined when it may be relayed to. */
export type DestClass = undefined | "dest_unspecified" | "dest_multicast" | "dest_loopback" | "dest_link_local" | "dest_own";

const HIP = 1;
const FULL = 2;

interface LeaseRelay {
  ips: Map<string, number>;
  /** Peer HITs by the 48-bit key of their hash part (compact; a collision needs a 2^48 search). */
  hits: Set<number>;
  pkts: number;
  bytes: number;
  at: Millis;
}

export class RelayGuard {
  private readonly state = new WeakMap<Lease, LeaseRelay>();
  private readonly own = new Set<string>();
  private readonly allowLoopback: boolean;

  constructor(
    private readonly config: FaConfig,
    locals: readonly FaLocal[],
  ) {
    for (const l of locals) this.own.add(hex16(l.addr, 0));
    for (const ip of config.ownAddresses) {
      const b = ipBytes(ip);
      if (b) this.own.add(hex16(b, 0));
    }
    this.allowLoopback = config.allowLoopback ?? locals.some((l) => isLoopback(l.addr, 0));
  }

  /** Classify the 16-byte destination address at `off` (cached by the caller). */
  classify(b: Uint8Array, off: number): DestClass {
    const v4 = isMapped(b, off);
    if (isZero(b, off, v4)) return "dest_unspecified";
    if (v4 ? b[off + 12] >= 224 : b[off] === 0xff) return "dest_multicast"; // and 255.255.255.255
    if (isLoopback(b, off)) {
      if (!this.allowLoopback) return "dest_loopback";
    } else if (this.own.has(hex16(b, off))) return "dest_own";
    if (!this.config.allowLinkLocal && (v4 ? b[off + 12] === 169 && b[off + 13] === 254 : b[off] === 0xfe && (b[off + 1] & 0xc0) === 0x80)) return "dest_link_local";
    return undefined;
  }

  private of(lease: Lease, now: Millis): LeaseRelay {
    let s = this.state.get(lease);
    if (!s) {
      s = { ips: new Map(), hits: new Set(), pkts: this.config.leasePacketsPerSecond, bytes: this.config.leaseBytesPerSecond, at: now };
      this.state.set(lease, s);
    }
    return s;
  }

  /** Spend one packet of `len` bytes from the lease's budget; false when it is used up. */
  budget(lease: Lease, now: Millis, len: number): boolean {
    const s = this.of(lease, now);
    const c = this.config;
    if (now > s.at) {
      const dt = (now - s.at) / 1000;
      s.pkts = Math.min(c.leasePacketsPerSecond, s.pkts + dt * c.leasePacketsPerSecond);
      s.bytes = Math.min(c.leaseBytesPerSecond, s.bytes + dt * c.leaseBytesPerSecond);
      s.at = now;
    }
    if (s.pkts < 1 || s.bytes < len) return false;
    s.pkts -= 1;
    s.bytes -= len;
    return true;
  }

  /** Peer → lease holder: the peer at `ip` talks to this lease (HIP or ESP); a HIP packet's
   *  sender HIT may then be reached at other addresses with HIP. */
  learnFromPeer(lease: Lease, now: Millis, ip: string, data: Uint8Array): void {
    if (!this.config.relayPermissions) return;
    const s = this.of(lease, now);
    if ((s.ips.get(ip) ?? 0) < FULL) this.remember(s.ips, ip, FULL);
    if (data.length >= 44 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 0) {
      const h = hitKeyBytes(data, 4 + 8);
      if (!s.hits.has(h)) {
        if (s.hits.size >= this.config.permissionsPerLease) s.hits.delete(s.hits.values().next().value as number);
        s.hits.add(h);
      }
    }
  }

  /** Lease holder → peer at `ip`: undefined when `payload` (a UDP/10500 datagram) may go,
   *  else the drop reason. Learns the "hip" permission of an opening packet. */
  check(lease: Lease, now: Millis, ip: string, payload: Uint8Array): string | undefined {
    const n = payload.length;
    if (n < 4) return "not_hip_or_esp";
    const zero = payload[0] === 0 && payload[1] === 0 && payload[2] === 0;
    if (zero && payload[3] === 0) {
      // HIP (RFC 7401 §5.1): Next Header 59, exact Header Length, fixed bits, version 2.
      if (n < 44 || payload[4] !== NEXT_HEADER_NONE || (payload[5] + 1) * 8 !== n - 4 || (payload[6] & 0x80) !== 0 || payload[7] !== 0x21 || (payload[6] & 0x7f) === 0) return "not_hip_or_esp";
      if (!this.config.relayPermissions) return undefined;
      const s = this.of(lease, now);
      const type = payload[6] & 0x7f;
      if (type === PacketType.I1 || type === PacketType.I2 || type === PacketType.REA || type === PacketType.UPDATE) {
        if (!s.ips.has(ip)) this.remember(s.ips, ip, HIP);
        return undefined;
      }
      if (s.ips.has(ip) || s.hits.has(hitKeyBytes(payload, 4 + 24))) return undefined;
      return "no_permission";
    }
    // ESP: SPI 0 is the HIP marker and 1-255 are reserved (RFC 4303 §2.1); header + 1 byte.
    if (zero || n < 9) return "not_hip_or_esp";
    if (!this.config.relayPermissions) return undefined;
    return (this.state.get(lease)?.ips.get(ip) ?? 0) >= FULL ? undefined : "no_permission";
  }

  private remember(m: Map<string, number>, ip: string, level: number): void {
    if (!m.has(ip) && m.size >= this.config.permissionsPerLease) m.delete(m.keys().next().value as string);
    m.set(ip, level);
  }
}

function isMapped(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}

function isZero(b: Uint8Array, off: number, v4: boolean): boolean {
  for (let i = v4 ? 12 : 0; i < 16; i++) if (b[off + i] !== 0) return false;
  return true;
}

export function isLoopback(b: Uint8Array, off: number): boolean {
  if (isMapped(b, off)) return b[off + 12] === 127;
  for (let i = 0; i < 15; i++) if (b[off + i] !== 0) return false;
  return b[off + 15] === 1;
}

function hex16(b: Uint8Array, off: number): string {
  let s = "";
  for (let i = off; i < off + 16; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}
