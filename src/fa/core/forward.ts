// Forwarding decisions (draft §4.4): packets arriving at a leased locator go to the leasing
// host (its current locator or its tunnel); relay frames from a host leave from its leased
// locator towards the peer it names. ESP is matched by SPI, HIP by receiver HIT (shared IPv4
// locators, PROFILE §2), anything at a dedicated locator by the locator. An I1 for a leased
// HIT is forwarded like any HIP packet: the FA is a lightweight rendezvous server (§1).
// Hot path: Map lookups; the only allocation is the outgoing datagram to a host (a relay
// header in front of the packet); frames to peers are subarrays of the input.
import { bytesToIp } from "../../core/addr.ts";
import type { Locator, Millis } from "../../core/types.ts";
import type { Lease } from "./lease.ts";
import type { LeaseIndex } from "./lease-index.ts";
import type { DestClass, RelayGuard } from "./guard.ts";
import type { HostIndex } from "./host-index.ts";
import type { HolderLiveness } from "./holder.ts";
import { addrPortHash, type FaLocal } from "./locals.ts";
import { AddrCache, RELAY_HEADER, RELAY_MARKER_LEN, writeRelayHeader } from "./relay.ts";

export const DropReason = {
  SHORT: "short",
  NO_LEASE_SPI: "no_lease_spi",
  NO_LEASE_HIT: "no_lease_hit",
  NO_LEASE_LOCATOR: "no_lease_locator",
  EXPIRED: "expired",
  TUNNEL_DOWN: "tunnel_down",
  NOT_A_LEASE_HOLDER: "not_a_lease_holder",
  BAD_RELAY: "bad_relay",
  NO_ROUTE: "no_route",
  NOT_FORWARDED: "not_forwarded",
  CONTROL: "control",
  FAD_RATE: "fad_rate",
  /** Issue 9: relay rule (guard.ts), budgets, limits, failures caught at the boundary. */
  NOT_HIP_OR_ESP: "not_hip_or_esp",
  NO_PERMISSION: "no_permission",
  LEASE_BUDGET: "lease_budget",
  PING_RATE: "ping_rate",
  FAD_TOO_LARGE: "fad_too_large",
  INTERNAL_ERROR: "internal_error",
  /** A datagram from, or a reply to, one of the FA's own locators (spoofed source): never a loop. */
  SOURCE_OWN: "source_own",
  /** A FAQ replayed (older Request ID, or the same one from another source): no answer. */
  FAQ_REPLAYED: "faq_replayed",
  /** Fleet (docs/PROTOCOL.md §13): a packet another node passed on for a host this node does
   *  not hold (the holder changed meanwhile): never passed on again (no loops). */
  FLEET_NOT_HOLDER: "fleet_not_holder",
  /** A FAQ for a lease whose store write is still in flight: the write's completion answers. */
  FAQ_PENDING: "faq_pending",
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** One datagram to send. Reused between calls: copy what you keep. */
export interface FaSend {
  to: Locator;
  /** Index of the FA local locator to send from (-1 when `tunnel` is set). */
  local: number;
  /** Tunnel id (WebSocket) to send into, or -1 for UDP. */
  tunnel: number;
  data: Uint8Array;
  /** Fleet: send `data`, as received at local `local` from `to`, to this FA node (the lease's
   *  holder) instead; the driver authenticates it (src/fa/server/fleet.ts). */
  node?: string;
}

export interface FaCounters {
  forwardedPackets: number;
  forwardedBytes: number;
  toHost: number;
  toPeer: number;
  faq: number;
  faa: number;
  fad: number;
  r1: number;
  /** Store writes that failed (FAQ answered FAD STORE_FAILED) and deletes of expired rows that
   *  failed; errors caught at the agent's boundary (a bug, never a peer's doing). */
  storeErrors: number;
  errors: number;
  /** Tunnel PING frames received (answered or dropped `ping_rate`). */
  pings: number;
  /** Fleet: packets passed to the holding node, and taken from other nodes. */
  toNode: number;
  fromNode: number;
  /** Fleet: packets delivered here for a host whose holder node is down (§13.1). */
  takeovers: number;
  drops: Record<string, number>;
}

export function newCounters(): FaCounters {
  return { forwardedPackets: 0, forwardedBytes: 0, toHost: 0, toPeer: 0, faq: 0, faa: 0, fad: 0, r1: 0, storeErrors: 0, errors: 0, pings: 0, toNode: 0, fromNode: 0, takeovers: 0, drops: {} };
}

export class Forwarder {
  readonly out: FaSend = { to: { ip: "", port: 0 }, local: -1, tunnel: -1, data: new Uint8Array(0) };
  /** Lease of each dedicated local (by local index). */
  readonly dedicated: (Lease | undefined)[];
  readonly tunnelOfHit = new Map<string, number>();
  private readonly localByAddr = new Map<number, FaLocal>();
  private readonly control4: FaLocal | undefined;
  private readonly control6: FaLocal | undefined;
  private readonly addrs = new AddrCache();
  private readonly peers = new Map<number, { loc: Locator; addr: Uint8Array; cls: DestClass }>();
  /** Fleet: this node's name (undefined outside a fleet); set while handling a packet another
   *  node passed on; called when a host sends through this node (it becomes the holder). */
  self: string | undefined;
  fromFleet = false;
  /** Fleet nodes that are down (§13.1): packets for their hosts are delivered here. */
  readonly downNodes = new Set<string>();
  onClaim: ((l: Lease) => void) | undefined;
  private readonly fleetFrom: { ip: string; port: number } = { ip: "", port: 0 };

  constructor(
    readonly locals: readonly FaLocal[],
    private readonly store: LeaseIndex,
    private readonly hosts: HostIndex,
    readonly counters: FaCounters,
    private readonly guard: RelayGuard,
    private readonly holders?: HolderLiveness,
  ) {
    this.dedicated = locals.map((l) => (l.dedicated ? store.byLocator(l.locator) : undefined));
    for (const l of locals) this.localByAddr.set(addrPortHash(l.addr, 0, l.locator.port), l);
    this.control4 = locals.find((l) => l.control && !l.v6) ?? locals.find((l) => !l.v6);
    this.control6 = locals.find((l) => l.control && l.v6) ?? locals.find((l) => l.v6);
  }

  drop(reason: DropReason | string): undefined {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
    return undefined;
  }

  /** The FA local to reach `ip` from (same address family). */
  controlFor(ip: string): FaLocal | undefined {
    return ip.includes(":") ? this.control6 : this.control4;
  }

  localOf(lease: Lease): FaLocal | undefined {
    const a = this.addrs.get(lease.locator.ip);
    return a ? this.localByAddr.get(addrPortHash(a, 0, lease.locator.port)) : undefined;
  }

  /** ESP (not a zero marker) arriving at `l`. */
  esp(now: Millis, l: FaLocal, fromIp: string, fromPort: number, data: Uint8Array): FaSend | undefined {
    if (data.length < 8) return this.drop(DropReason.SHORT);
    let lease: Lease | undefined;
    if (l.dedicated) lease = this.dedicated[l.index];
    else if (l.shared) lease = this.store.bySpi(((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0);
    else return this.drop(DropReason.NOT_FORWARDED);
    if (!lease) return this.drop(l.dedicated ? DropReason.NO_LEASE_LOCATOR : DropReason.NO_LEASE_SPI);
    return this.toHost(now, lease, l, fromIp, fromPort, data);
  }

  /** A HIP packet (zero marker at 0) arriving at `l`, not addressed to the FA itself. */
  hip(now: Millis, l: FaLocal, fromIp: string, fromPort: number, data: Uint8Array): FaSend | undefined {
    let lease: Lease | undefined;
    if (l.dedicated) lease = this.dedicated[l.index];
    else if (l.shared) lease = this.store.byHitBytes(data, 4 + 24);
    else return this.drop(DropReason.NOT_FORWARDED);
    if (!lease) return this.drop(l.dedicated ? DropReason.NO_LEASE_LOCATOR : DropReason.NO_LEASE_HIT);
    if (l.shared) lease = this.liveLease(lease);
    return this.toHost(now, lease, l, fromIp, fromPort, data);
  }

  /**
   * A HIT with several leases (a host that restarted and leased again while its old lease runs
   * on): HIP by HIT goes to the newest whose holder is not dead, where the host is now (its peers'
   * UPDATEs then reach it and it rejoins them, docs/PROTOCOL.md §7.11).
   */
  private liveLease(first: Lease): Lease {
    const all = this.store.byHit(first.hit);
    if (all.length < 2) return first;
    let best: Lease | undefined;
    for (const x of all) if (!this.holders?.isDead(x) && (!best || x.created > best.created)) best = x;
    return best ?? first;
  }

  /** Peer → host: relay header (src = peer, dst = leased locator) + the datagram. */
  toHost(now: Millis, lease: Lease, l: FaLocal, fromIp: string, fromPort: number, data: Uint8Array): FaSend | undefined {
    if (lease.expires <= now) return this.drop(DropReason.EXPIRED);
    const o = this.out;
    if (this.self !== undefined && lease.node !== undefined && lease.node !== this.self) {
      if (this.downNodes.has(lease.node) && !lease.tunnel) {
        // §13.1: the holder node is down: take the host over (deliver from here; the host
        // follows the first relay frame from another node of its fleet). A tunnel cannot move:
        // its packets still go to the holder (should it be down only in our view).
        this.counters.takeovers++;
        this.onClaim?.(lease);
        return this.deliver(now, lease, l, fromIp, fromPort, data);
      }
      // Another node holds the host (its tunnel, or its NAT binding): pass the packet there.
      if (this.fromFleet) return this.drop(DropReason.FLEET_NOT_HOLDER);
      this.fleetFrom.ip = fromIp;
      this.fleetFrom.port = fromPort;
      o.to = this.fleetFrom;
      o.local = l.index;
      o.tunnel = -1;
      o.data = data;
      o.node = lease.node;
      this.counters.toNode++;
      return o;
    }
    return this.deliver(now, lease, l, fromIp, fromPort, data);
  }

  private deliver(now: Millis, lease: Lease, l: FaLocal, fromIp: string, fromPort: number, data: Uint8Array): FaSend | undefined {
    const o = this.out;
    o.node = undefined;
    const dead = this.holders?.forward(now, lease); // holder liveness (holder.ts)
    if (dead) return this.drop(dead);
    if (!this.guard.budget(lease, now, data.length)) return this.drop(DropReason.LEASE_BUDGET);
    this.guard.learnFromPeer(lease, now, fromIp, data);
    if (lease.tunnel) {
      const t = this.tunnelOfHit.get(lease.hit);
      if (t === undefined) return this.drop(DropReason.TUNNEL_DOWN);
      o.tunnel = t;
      o.local = -1;
    } else {
      const c = this.controlFor(lease.host.ip);
      if (!c) return this.drop(DropReason.NO_ROUTE);
      o.tunnel = -1;
      o.local = c.index;
    }
    const src = this.addrs.get(fromIp);
    if (!src) return this.drop(DropReason.NO_ROUTE);
    const buf = new Uint8Array(RELAY_HEADER + data.length);
    writeRelayHeader(buf, src, fromPort, l.addr, l.locator.port);
    buf.set(data, RELAY_HEADER);
    o.to = lease.host;
    o.data = lease.tunnel ? buf.subarray(RELAY_MARKER_LEN) : buf;
    this.counters.forwardedPackets++;
    this.counters.forwardedBytes += data.length;
    this.counters.toHost++;
    return o;
  }

  /** Host → peer: a relay frame (tunnel frame at `off` in `d`) from the lease holder. `lease`
   *  is known for tunnels (bound by HIT); for UDP it is found by the sender's locator. */
  fromHost(now: Millis, d: Uint8Array, off: number, fromIp: string, fromPort: number, tunnelHit?: string): FaSend | undefined {
    if (d.length < off + 40 + 4 || d[off] !== 1 || d[off + 1] !== 1 || d[off + 2] !== 0) return this.drop(DropReason.BAD_RELAY);
    const srcPort = (d[off + 4] << 8) | d[off + 5];
    const dstPort = (d[off + 6] << 8) | d[off + 7];
    const l = this.localByAddr.get(addrPortHash(d, off + 8, srcPort));
    if (!l || !sameBytes(l.addr, d, off + 8)) return this.drop(DropReason.BAD_RELAY);
    const lease = tunnelHit === undefined ? this.hosts.find(fromIp, fromPort, l.locator.ip, l.locator.port) : this.tunnelLease(tunnelHit, l);
    if (!lease) return this.drop(DropReason.NOT_A_LEASE_HOLDER);
    if (lease.expires <= now) return this.drop(DropReason.EXPIRED);
    if (tunnelHit === undefined) this.holders?.heard(now, lease);
    if (this.self !== undefined && lease.node !== this.self) this.onClaim?.(lease);
    const payload = d.subarray(off + 40);
    const hairpin = this.localByAddr.get(addrPortHash(d, off + 24, dstPort));
    const own = hairpin !== undefined && sameBytes(hairpin.addr, d, off + 24);
    const p = own ? undefined : this.peer(d, off + 24, dstPort);
    if (p?.cls) return this.drop(p.cls);
    const why = this.guard.check(lease, now, own ? hairpin.locator.ip : p!.loc.ip, payload);
    if (why) return this.drop(why);
    if (!this.guard.budget(lease, now, payload.length)) return this.drop(DropReason.LEASE_BUDGET);
    // To one of our own locators (two hosts leased here): delivered inside, as if it had come
    // in from the leased locator; never sent to ourselves (no loops, no FAQs relayed to us).
    if (own) return payload[0] === 0 && payload[3] === 0 ? this.hip(now, hairpin, l.locator.ip, l.locator.port, payload) : this.esp(now, hairpin, l.locator.ip, l.locator.port, payload);
    const to = p!.loc;
    // Leave from the leased locator; across families (IPv4↔IPv6 gateway, §4.4) from our
    // locator of the peer's family.
    const from = to.ip.includes(":") === l.v6 ? l : this.controlFor(to.ip);
    if (!from) return this.drop(DropReason.NO_ROUTE);
    const o = this.out;
    o.node = undefined;
    o.to = to;
    o.local = from.index;
    o.tunnel = -1;
    o.data = payload;
    this.counters.forwardedPackets++;
    this.counters.forwardedBytes += o.data.length;
    this.counters.toPeer++;
    return o;
  }

  private tunnelLease(hit: string, l: FaLocal): Lease | undefined {
    for (const lease of this.store.byHit(hit)) if (lease.locator.port === l.locator.port && lease.locator.ip === l.locator.ip) return lease;
    return undefined;
  }

  private peer(d: Uint8Array, off: number, port: number): { loc: Locator; addr: Uint8Array; cls: DestClass } {
    const k = addrPortHash(d, off, port);
    let p = this.peers.get(k);
    if (p === undefined || !sameBytes(p.addr, d, off)) {
      const addr = d.slice(off, off + 16);
      p = { loc: { ip: bytesToIp(addr), port }, addr, cls: port === 0 ? "dest_unspecified" : this.guard.classify(addr, 0) };
      if (this.peers.size >= 65536) this.peers.clear();
      this.peers.set(k, p);
    }
    return p;
  }
}

function sameBytes(a: Uint8Array, d: Uint8Array, off: number): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== d[off + i]) return false;
  return true;
}
