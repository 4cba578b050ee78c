// The Forwarding Agent, sans-I/O (draft §4.4, §5.1, §5.2, §6.3). Feed datagrams with
// handleDatagram / handleTunnel: forwarded packets come back at once as a decision (FaSend,
// reused), control answers (FAA, FAD, R1) are queued for pollTransmit. pollEvent reports lease
// changes; pollTimeout / handleTimeout drive expiry.
import { ipToBytes } from "../../core/addr.ts";
import { equalBytes, hex } from "../../core/bytes.ts";
import type { Locator, Millis, Rng } from "../../core/types.ts";
import type { HostIdentity } from "../../hip/identity.ts";
import type { CryptoProvider } from "../../core/crypto/provider.ts";
import type { Signer } from "../../hip/auth.ts";
import { InlineCrypto } from "../../hip/crypto-jobs.ts";
import { PacketType } from "../../wire/constants.ts";
import type { FaInfoParam } from "../../wire/params/index.ts";
import { parseTunnelFrame, TunnelFrameType } from "../../wire/tunnel.ts";
import { emitTunnelFrame } from "../../wire/tunnel.ts";
import { hitEquals, hitHex, type Lease } from "./lease.ts";
import type { LeaseIndex } from "./lease-index.ts";
import { checkFaConfig, type FaConfig } from "./config.ts";
import { DropReason, type FaCounters, type FaSend, Forwarder, newCounters } from "./forward.ts";
import { RelayGuard } from "./guard.ts";
import { LeaseCache } from "./cache.ts";
import { WriteThrough } from "./durable.ts";
import type { StoreJob, StoreResult } from "./jobs.ts";
import { LeaseManager, type LeaseOutcome } from "./leases.ts";
import { buildLocals, type FaLocal } from "./locals.ts";
import { buildFaa, buildFad, buildR1Template, fillR1, parseFaPacket } from "./messages.ts";
import { PuzzleGate } from "./puzzle-gate.ts";
import { FadReason, fadReasonName } from "./reasons.ts";
import { AddrCache, isRelay, RELAY_MARKER_LEN } from "./relay.ts";
import { HolderLiveness, type HolderEvent } from "./holder.ts";
import { PROBE_LEN, probeNonce, probeType } from "./holder-probe.ts";

/** Events of the Forwarding Agent (lease changes, refusals, errors), drained with {@link ForwardingAgent.pollEvent}. */
export type FaEvent =
  | {
      /** Event kind. */
      type: "granted" | "renewed";
      /** The host's HIT (hex). */
      hit: string;
      /** Lease ID (FA_INFO, draft §6.1.3.1). */
      leaseId: number;
      /** Leased address family: 4 (shared IPv4 locator with an SPI range) or 6. */
      addrType: 4 | 6;
      /** The leased locator. */
      locator: Locator;
      /** First SPI of the leased range (IPv4 leases). */
      spiMin: number;
      /** Last SPI of the leased range. */
      spiMax: number;
      /** Absolute expiry (ms). */
      expires: Millis;
      /** Where the holder is reached (its UDP locator, or `tunnel:N`). */
      host: Locator;
      /** True when the holder is reached through a tunnel. */
      tunnel: boolean;
    }
  | {
      /** Event kind. */
      type: "released" | "expired";
      /** The host's HIT (hex). */
      hit: string;
      /** Lease ID. */
      leaseId: number;
    }
  | {
      /** Event kind. */
      type: "refused";
      /** The host's HIT (hex). */
      hit: string;
      /** FAD reason code ({@link FadReason}). */
      reason: number;
      /** Its name. */
      reasonName: string;
      /** The FAD message text. */
      message: string;
    }
  | {
      /** Event kind. */
      type: "challenged";
      /** The host's HIT (hex). */
      hit: string;
      /** Puzzle difficulty #K of the R1 sent. */
      k: number;
    }
  /** The lease store threw (FAQ answered FAD STORE_FAILED), or the boundary caught an error. */
  | {
      /** Event kind. */
      type: "store-error" | "error";
      /** The error text. */
      message: string;
    }
  /** A lease holder stopped answering probes (nothing forwarded to it), or was heard again (holder.ts). */
  | HolderEvent;

/** At most this many answers / events wait for pollTransmit / pollEvent (oldest dropped). */
const QUEUE_MAX = 4096;
/** Fleet nodes tracked as down at once (a bound; a fleet has a few nodes). */
const MAX_DOWN_NODES = 1024;

/** Options of {@link ForwardingAgent}. */
export interface FaOptions {
  /** The FA's host identity (signs FAA / FAD / R1). */
  identity: HostIdentity;
  /** Locators, limits and lease policy (see {@link faConfig}). */
  config: FaConfig;
  /** The in-memory lease index (default: a new LeaseCache). */
  store?: LeaseIndex;
  /** Randomness (lease IDs, SPI ranges, puzzles, probe nonces). */
  rng: Rng;
  /** Write leases through to a durable LeaseStore by store jobs (pollJob / completeJob): FAQs
   *  are answered once the store took the write. Off: the cache is the only record. */
  durable?: boolean;
  /** Fleet node name (docs/PROTOCOL.md §13): leases record their holder; packets for a host
   *  another node holds come back as FaSend.node. Needs `durable`. */
  node?: string;
  /** Most store jobs in flight (default 4096); beyond, FAQs get FAD STORE_FAILED. */
  maxJobs?: number;
  /** A synchronous crypto provider (node:crypto) for FAQ verification and FAA / FAD / R1
   *  signatures (hip/crypto-jobs.ts InlineCrypto). Default: `@noble` inline. */
  syncCrypto?: CryptoProvider;
}

/** The Forwarding Agent (draft §4.4, §5.1-§5.2, §6.3), sans-I/O: leases, forwarding, FAQ/FAA/FAD. */
export class ForwardingAgent {
  /** The local sockets (one per configured locator). */
  readonly locals: readonly FaLocal[];
  private readonly localBytes: Uint8Array[];
  /** Ports of our locals (most datagrams come from other ports: no address parse per packet). */
  private readonly localPorts: Set<number>;
  private readonly ownCheck = new AddrCache();
  /** Counters: packets, bytes and every drop by reason. */
  readonly counters: FaCounters = newCounters();
  /** Lease grants, renewals and expiry. */
  readonly leases: LeaseManager;
  private readonly fwd: Forwarder;
  /** Lease holder liveness (holder.ts). */
  readonly holders: HolderLiveness;
  private readonly gate: PuzzleGate;
  private readonly id: HostIdentity;
  /** FAQ verification and our signatures (on `syncCrypto` when given). */
  private readonly crypto: InlineCrypto;
  private readonly signer: Signer;
  private readonly hitHexSelf: string;
  private readonly r1 = new Map<number, Uint8Array>();
  private readonly transmits: FaSend[] = [];
  private readonly events: FaEvent[] = [];
  private readonly hitOfTunnel = new Map<number, string>();
  private readonly pings = new Map<number, { tokens: number; at: Millis }>();
  private fadTokens: number;
  private fadRefill = 0;
  /** Size of a FAD with an empty message (learnt once): FADs are trimmed to the FAQ's size. */
  private fadBase = 0;
  private retryAt = 0;
  private readonly durable: WriteThrough | undefined;
  private readonly localOfKey = new Map<string, number>();

  constructor(o: FaOptions) {
    checkFaConfig(o.config); // a NaN limit would switch its bound off: refused with the field's name
    this.id = o.identity;
    this.crypto = new InlineCrypto(o.syncCrypto);
    this.signer = this.crypto.signerFor(o.identity);
    this.hitHexSelf = hitHex(o.identity.hit);
    this.locals = buildLocals(o.config);
    this.localBytes = this.locals.map((l) => ipToBytes(l.locator.ip) ?? new Uint8Array(16));
    this.localPorts = new Set(this.locals.map((l) => l.locator.port));
    const store = o.store ?? new LeaseCache();
    this.leases = new LeaseManager(o.config, store, o.rng);
    this.holders = new HolderLiveness(o.config, o.rng, (lease, data) => this.probeHolder(lease, data), (e) => this.event(e));
    this.fwd = new Forwarder(this.locals, store, this.leases.hosts, this.counters, new RelayGuard(o.config, this.locals), this.holders);
    for (const l of this.locals) this.localOfKey.set(`${l.locator.ip}|${l.locator.port}`, l.index);
    if (o.durable) {
      this.durable = new WriteThrough(this.leases, { adopted: (l) => this.adopted(l), removed: (l) => this.forget(l, "released") }, o.node, o.maxJobs ?? QUEUE_MAX);
      this.fwd.self = o.node;
      this.fwd.onClaim = (l) => this.durable?.claim(l);
    }
    this.gate = new PuzzleGate(o.config, o.rng.fill(new Uint8Array(32)));
    this.fadTokens = o.config.fadPerSecond;
  }

  /** The FA's HIT. */
  get hit(): Uint8Array {
    return this.id.hit;
  }

  /** The lease index (in memory). */
  get store(): LeaseIndex {
    return this.leases.store;
  }

  /** A datagram on local socket `local` from (fromIp, fromPort). Returns a forwarding decision
   *  (valid until the next call) or undefined (answered via pollTransmit, or dropped). Never
   *  throws: anything thrown below is caught, counted and reported (issue 9 item 2). */
  handleDatagram(now: Millis, local: number, fromIp: string, fromPort: number, data: Uint8Array): FaSend | undefined {
    try {
      return this.datagram(now, local, fromIp, fromPort, data);
    } catch (e) {
      return this.caught(e);
    }
  }

  /** One WebSocket message from tunnel `tunnel` (remote = its peer address, for logs/leases). */
  handleTunnel(now: Millis, tunnel: number, remote: Locator, frame: Uint8Array): FaSend | undefined {
    try {
      return this.tunnelFrame(now, tunnel, remote, frame);
    } catch (e) {
      return this.caught(e);
    }
  }

  private caught(e: unknown): undefined {
    this.counters.errors++;
    this.event({ type: "error", message: e instanceof Error ? e.message : String(e) });
    return this.fwd.drop(DropReason.INTERNAL_ERROR);
  }

  private event(e: FaEvent): void {
    if (this.events.length >= QUEUE_MAX) {
      this.events.shift();
      this.fwd.drop("event_queue_full");
    }
    this.events.push(e);
  }

  /** Is `ip:port` one of our own locators? Nothing is sent there, nothing from there is taken. */
  private isOwn(ip: string, port: number): boolean {
    if (!this.localPorts.has(port)) return false;
    const b = this.ownCheck.get(ip);
    return !!b && this.locals.some((l) => l.locator.port === port && equalBytes(this.localBytes[l.index], b));
  }

  private transmit(t: FaSend): void {
    // A reply to a datagram spoofed from our own locator would loop back to us (issue 9 item 6).
    if (t.tunnel < 0 && this.isOwn(t.to.ip, t.to.port)) {
      this.fwd.drop(DropReason.SOURCE_OWN);
      return;
    }
    if (this.transmits.length >= QUEUE_MAX) {
      this.fwd.drop("transmit_queue_full");
      return;
    }
    this.transmits.push(t);
  }

  private datagram(now: Millis, local: number, fromIp: string, fromPort: number, data: Uint8Array): FaSend | undefined {
    const l = this.locals[local];
    if (!l || data.length < 4) return this.fwd.drop(DropReason.SHORT);
    if (this.isOwn(fromIp, fromPort)) return this.fwd.drop(DropReason.SOURCE_OWN); // spoofed: ours
    if (data[0] !== 0 || data[1] !== 0 || data[2] !== 0) return this.fwd.esp(now, l, fromIp, fromPort, data);
    if (data[3] === 0) {
      if (data.length < 44) return this.fwd.drop(DropReason.SHORT);
      if (this.toSelf(data, 4, l)) {
        this.control(now, l.index, -1, { ip: fromIp, port: fromPort }, data.subarray(4));
        return undefined;
      }
      return this.fwd.hip(now, l, fromIp, fromPort, data);
    }
    if (data.length === PROBE_LEN && l.control && probeType(data) === TunnelFrameType.PONG) {
      if (!this.holders.pong(now, fromIp, fromPort, probeNonce(data))) this.fwd.drop("probe_unmatched");
      return undefined;
    }
    if (isRelay(data) && l.control) return this.fwd.fromHost(now, data, RELAY_MARKER_LEN, fromIp, fromPort);
    return this.fwd.esp(now, l, fromIp, fromPort, data); // SPIs 1-255: no lease holds them
  }

  private tunnelFrame(now: Millis, tunnel: number, remote: Locator, frame: Uint8Array): FaSend | undefined {
    if (frame.length < 4 || frame[0] !== 1) return this.fwd.drop(DropReason.BAD_RELAY);
    if (frame[1] === TunnelFrameType.PING) {
      this.counters.pings++;
      if (!this.pingAllowed(now, tunnel)) return this.fwd.drop(DropReason.PING_RATE);
      const f = parseTunnelFrame(frame);
      if (f.ok) this.transmit({ to: remote, local: -1, tunnel, data: emitTunnelFrame({ type: TunnelFrameType.PONG, payload: f.value.payload }) });
      return undefined;
    }
    if (frame[1] !== TunnelFrameType.DATAGRAM) return this.fwd.drop(DropReason.BAD_RELAY);
    if (frame[2] === 1) {
      // compact form: a datagram for the FA itself (FAQ)
      const d = frame.subarray(4);
      if (d.length >= 44 && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0 && this.toSelf(d, 4)) {
        this.control(now, -1, tunnel, remote, d.subarray(4));
        return undefined;
      }
      return this.fwd.drop(DropReason.BAD_RELAY);
    }
    const hit = this.hitOfTunnel.get(tunnel);
    if (hit === undefined) return this.fwd.drop(DropReason.NOT_A_LEASE_HOLDER);
    return this.fwd.fromHost(now, frame, 0, remote.ip, remote.port, hit);
  }

  /** PINGs per tunnel: a token bucket of `pingPerSecond`, burst twice that (issue 9 item 5). */
  private pingAllowed(now: Millis, tunnel: number): boolean {
    const rate = this.leases.config.pingPerSecond;
    let b = this.pings.get(tunnel);
    if (!b) {
      b = { tokens: 2 * rate, at: now };
      this.pings.set(tunnel, b);
    }
    b.tokens = Math.min(2 * rate, b.tokens + (Math.max(0, now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }

  /** Has tunnel `tunnel` been bound to a lease holder (a granted FAQ came through it)? */
  tunnelBound(tunnel: number): boolean {
    return this.hitOfTunnel.has(tunnel);
  }

  /** Tunnel `tunnel` closed: forget which host it carried. */
  tunnelClosed(tunnel: number): void {
    this.pings.delete(tunnel);
    const hit = this.hitOfTunnel.get(tunnel);
    this.hitOfTunnel.delete(tunnel);
    if (hit !== undefined && this.fwd.tunnelOfHit.get(hit) === tunnel) this.fwd.tunnelOfHit.delete(hit);
  }

  /** The next control answer (FAA, FAD, R1) to send, if any. */
  pollTransmit(): FaSend | undefined {
    return this.transmits.shift();
  }

  /** The next lease event, if any. */
  pollEvent(): FaEvent | undefined {
    return this.events.shift();
  }

  /** The next lease expiry or holder probe time (ms), if any. */
  pollTimeout(): Millis | undefined {
    const e = this.leases.nextExpiry();
    const t = e === undefined ? undefined : Math.max(e, this.retryAt);
    const h = this.holders.nextTimeout();
    return h !== undefined && (t === undefined || h < t) ? h : t;
  }

  /** Expire leases and probe holders due at `now` (ms). */
  handleTimeout(now: Millis): void {
    this.holders.handleTimeout(now);
    try {
      for (const l of this.leases.expire(now)) {
        this.forget(l, "expired");
        this.durable?.expired(l, now);
      }
    } catch (e) {
      this.retryAt = now + 1000; // a store that keeps failing must not spin the timer
      this.caught(e);
    }
  }

  private toSelf(d: Uint8Array, off: number, l?: FaLocal): boolean {
    if (l && !l.control) return false;
    if (hitEquals(d, off + 24, this.hitHexSelf)) return true;
    // A FAQ to the NULL HIT (host does not know the FA's HIT yet, RFC 7401 §4.1.8 style).
    if ((d[off + 2] & 0x7f) !== PacketType.FAQ) return false;
    for (let i = off + 24; i < off + 40; i++) if (d[i] !== 0) return false;
    return true;
  }

  private control(now: Millis, local: number, tunnel: number, from: Locator, pkt: Uint8Array): void {
    if ((pkt[2] & 0x7f) !== PacketType.FAQ) {
      this.fwd.drop(DropReason.CONTROL);
      return;
    }
    this.counters.faq++;
    this.gate.noteFaq(now);
    const reply = (data: Uint8Array) => this.send(local, tunnel, from, data);
    const senderHit = pkt.subarray(8, 24);
    const hit = hitHex(pkt, 8);
    // Cheap checks first (§8.1): structure, access control, puzzle; the signature last.
    const p = parseFaPacket(pkt, false);
    if (!p.ok) {
      this.refuse(now, reply, senderHit, hit, 0, 0, FadReason.MALFORMED, p.error.message, pkt.length);
      return;
    }
    const info = p.value.info!;
    // Access control (DENIED) is decided after the signature (LeaseManager.handle): its FAD
    // answers an authenticated FAQ, so it may be larger than the FAQ (issue 9 item 3).
    if (this.gate.required(now, this.leases.trusts(hit))) {
      const s = p.value.solution;
      if (!s) {
        const c = this.gate.challenge(now, senderHit, this.id.hit);
        let t = this.r1.get(c.k);
        if (!t) {
          t = buildR1Template(this.id, c.k, c.lifetime, c.randomI.length, this.signer);
          this.r1.set(c.k, t);
        }
        this.counters.r1++;
        this.event({ type: "challenged", hit, k: c.k });
        reply(fillR1(t, senderHit, c.opaque, c.randomI));
        return;
      }
      if (!this.gate.verify(now, senderHit, this.id.hit, s)) {
        this.refuse(now, reply, senderHit, hit, info.requestId, info.leaseId, FadReason.BAD_PUZZLE, "wrong or expired puzzle solution", pkt.length);
        return;
      }
    }
    const full = parseFaPacket(pkt, true, this.crypto);
    if (!full.ok) {
      this.refuse(now, reply, senderHit, hit, info.requestId, info.leaseId, FadReason.BAD_SIGNATURE, full.error.message, pkt.length);
      return;
    }
    const a = info.address;
    const req = {
      hit,
      requestId: info.requestId,
      leaseId: info.leaseId,
      addrType: a.addrType,
      spis: a.addrType === 4 && a.maxSpi >= a.minSpi ? a.maxSpi - a.minSpi + 1 : 0,
      lifetime: info.leaseDuration,
      host: tunnel >= 0 ? { ip: `tunnel:${tunnel}`, port: 0 } : from,
      tunnel: tunnel >= 0,
      source: from.ip,
    };
    if (this.durable?.busy(hit, info.leaseId)) {
      this.fwd.drop(DropReason.FAQ_PENDING); // a retransmission: the write in flight answers
      return;
    }
    const ctx: AnswerCtx = { reply, senderHit, hit, requestId: info.requestId, leaseId: info.leaseId, tunnel, faqLen: pkt.length };
    const r = this.leases.handle(now, req);
    if (this.durable) this.durable.write(now, req, r, (t, out) => this.answer(t, out, ctx));
    else this.answer(now, r, ctx);
  }

  /** The FAQ's answer once its outcome is final (durable: after the store job). */
  private answer(now: Millis, r: LeaseOutcome, c: AnswerCtx): void {
    const { reply, senderHit, hit, tunnel } = c;
    const info = { requestId: c.requestId, leaseId: c.leaseId };
    switch (r.kind) {
      case "stale": // an older Request ID, or a retransmission replayed from another source
        this.fwd.drop(DropReason.FAQ_REPLAYED);
        return;
      case "refused":
        if (r.reason === FadReason.STORE_FAILED) {
          this.counters.storeErrors++;
          this.event({ type: "store-error", message: this.leases.lastStoreError });
        }
        this.refuse(now, reply, senderHit, hit, info.requestId, info.leaseId, r.reason, r.message, c.faqLen, true);
        return;
      case "released":
        this.forget(r.lease, "released");
        this.counters.faa++;
        reply(buildFaa(this.id, senderHit, faInfo(r.lease, info.requestId, 0), this.signer));
        return;
      case "granted": {
        const l = r.lease;
        if (tunnel >= 0) {
          this.hitOfTunnel.set(tunnel, hit);
          this.fwd.tunnelOfHit.set(hit, tunnel);
        }
        const loc = this.fwd.localOf(l);
        if (loc?.dedicated) this.fwd.dedicated[loc.index] = l;
        this.holders.heard(now, l);
        this.event({ type: r.renewed ? "renewed" : "granted", hit, leaseId: l.leaseId, addrType: l.addrType, locator: l.locator, spiMin: l.spiMin, spiMax: l.spiMax, expires: l.expires, host: l.host, tunnel: l.tunnel });
        this.counters.faa++;
        reply(buildFaa(this.id, senderHit, faInfo(l, info.requestId, Math.max(0, Math.ceil((l.expires - now) / 1000))), this.signer));
      }
    }
  }

  /** Answer FAD. An unauthenticated FAQ (`authenticated` false) never gets a FAD larger than
   *  itself (issue 9 item 3): the explanation is shortened, or the FAD dropped (counted). */
  private refuse(now: Millis, reply: (d: Uint8Array) => void, senderHit: Uint8Array, hit: string, requestId: number, leaseId: number, reason: number, message: string, faqLen: number, authenticated = false): void {
    this.event({ type: "refused", hit, reason, reasonName: fadReasonName(reason), message });
    // Each FAD costs a signature: rate limit them (§8.1).
    const sec = Math.floor(now / 1000);
    if (sec !== this.fadRefill) {
      this.fadRefill = sec;
      this.fadTokens = this.leases.config.fadPerSecond;
    }
    if (this.fadTokens <= 0) {
      this.fwd.drop(DropReason.FAD_RATE);
      return;
    }
    if (!authenticated) {
      if (this.fadBase === 0) this.fadBase = buildFad(this.id, senderHit, 0, 0, reason, "", this.signer).length;
      const room = Math.floor((faqLen - this.fadBase) / 8) * 8;
      if (room < 0) {
        this.fwd.drop(DropReason.FAD_TOO_LARGE);
        return;
      }
      if (message.length > room) message = message.slice(0, room);
    }
    this.fadTokens--;
    this.counters.fad++;
    reply(buildFad(this.id, senderHit, requestId, leaseId, reason, message, this.signer));
  }

  private send(local: number, tunnel: number, to: Locator, hipPacket: Uint8Array): void {
    const data = new Uint8Array(4 + hipPacket.length);
    data.set(hipPacket, 4);
    if (tunnel >= 0) {
      this.transmit({ to, local: -1, tunnel, data: emitTunnelFrame({ type: TunnelFrameType.DATAGRAM, payload: data }) });
      return;
    }
    // HIP checksum stays 0 over UDP (RFC 5770 §5.1): a NAT in front of the host rewrites the address.
    this.transmit({ to, local, tunnel: -1, data });
  }

  /** After a restart with a persistent store: probe every UDP holder of an unexpired lease at
   *  once, so hosts learn their FA is back and re-probe their paths through it (§9.1). */
  announceRestart(now: Millis): void {
    for (const l of this.store.unexpired(now)) this.holders.probeNow(now, l);
  }

  /** A holder probe (holder.ts) to a UDP lease holder, from our locator of its family. */
  private probeHolder(lease: Lease, data: Uint8Array): void {
    const c = this.fwd.controlFor(lease.host.ip);
    if (c) this.transmit({ to: lease.host, local: c.index, tunnel: -1, data });
  }

  /** A lease another node made (or a reload brought back) entered the cache. */
  private adopted(l: Lease): void {
    const loc = this.fwd.localOf(l);
    if (loc?.dedicated) this.fwd.dedicated[loc.index] = l;
  }

  // ---- durable store (jobs.ts, durable.ts) and fleet (docs/PROTOCOL.md §13) ----------------

  /** The next store write for the driver to run against the LeaseStore. */
  pollJob(): StoreJob | undefined {
    return this.durable?.jobs.poll();
  }

  /** The driver's result for job `id`; answers queue for pollTransmit / pollEvent. */
  completeJob(now: Millis, id: number, r: StoreResult): void {
    try {
      this.durable?.jobs.complete(now, id, r);
    } catch (e) {
      this.caught(e);
    }
  }

  /** Leases loaded from the store at start, or everything it holds after a reconnect. */
  loadLeases(now: Millis, all: readonly Lease[], version?: number): void {
    if (this.durable) this.durable.reload(now, all, version);
    else for (const l of all) if (l.expires > now) this.leases.adopt(l);
  }

  /** Another fleet node changed or removed a lease (the store's watcher). */
  leaseChanged(now: Millis, l: Lease): void {
    this.durable?.changed(now, l);
  }

  /** Another fleet node removed lease `leaseId` of host `hit` (hex) (the store's watcher);
   *  `version`: the store's change counter of the removal (docs/PROTOCOL.md §13.2). */
  leaseRemoved(hit: string, leaseId: number, version?: number): void {
    this.durable?.removed(hit, leaseId, version);
  }

  /** A fleet node went down or came back (src/fa/server/fleet-peers.ts): while it is down,
   *  packets for the hosts it holds are delivered by this node (docs/PROTOCOL.md §13.1). */
  nodeState(node: string, down: boolean): void {
    if (!down) this.fwd.downNodes.delete(node);
    else if (this.fwd.downNodes.size < MAX_DOWN_NODES) this.fwd.downNodes.add(node);
  }

  /** A packet another fleet node received at its locator `at` (shared by the fleet) from
   *  (fromIp, fromPort) and passed on: delivered here when this node holds the host, never
   *  passed on again. */
  handleFleet(now: Millis, at: Locator, fromIp: string, fromPort: number, data: Uint8Array): FaSend | undefined {
    const i = this.localOfKey.get(`${at.ip}|${at.port}`);
    const l = i === undefined ? undefined : this.locals[i];
    if (!l || data.length < 8) return this.fwd.drop(DropReason.SHORT);
    this.counters.fromNode++;
    this.fwd.fromFleet = true;
    try {
      if (data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 0) return this.fwd.hip(now, l, fromIp, fromPort, data);
      return this.fwd.esp(now, l, fromIp, fromPort, data);
    } catch (e) {
      return this.caught(e);
    } finally {
      this.fwd.fromFleet = false;
    }
  }

  private forget(l: Lease, type: "released" | "expired"): void {
    this.holders.forget(l);
    const loc = this.fwd.localOf(l);
    if (loc?.dedicated && this.fwd.dedicated[loc.index] === l) this.fwd.dedicated[loc.index] = undefined;
    this.event({ type, hit: l.hit, leaseId: l.leaseId });
  }

  /** Counters (every drop by reason) plus the lease gauge, for logs and metrics. */
  stats(): FaCounters & {
    /** Leases held. */
    leases: number;
    /** Tunnels bound to a lease holder. */
    tunnels: number;
    /** Holder liveness counters. */
    holders: HolderLiveness["counters"];
    /** The FA's HIT (hex). */
    faHit: string;
  } {
    const expiry = (this.store as { expiryErrors?: number }).expiryErrors ?? 0;
    return { ...this.counters, storeErrors: this.counters.storeErrors + expiry, drops: { ...this.counters.drops }, leases: this.store.size, tunnels: this.hitOfTunnel.size, holders: { ...this.holders.counters }, faHit: hex(this.id.hit) };
  }
}

interface AnswerCtx {
  reply: (d: Uint8Array) => void;
  senderHit: Uint8Array;
  hit: string;
  requestId: number;
  leaseId: number;
  tunnel: number;
  faqLen: number;
}

function faInfo(l: Lease, requestId: number, seconds: number): FaInfoParam {
  return {
    kind: "FA_INFO",
    requestId,
    leaseId: l.leaseId,
    leaseDuration: seconds,
    port: l.locator.port,
    address: l.addrType === 4 ? { addrType: 4, minSpi: l.spiMin, maxSpi: l.spiMax, ip: l.locator.ip } : { addrType: 6, ip: l.locator.ip },
  };
}
