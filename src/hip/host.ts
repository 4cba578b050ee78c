/**
 * HipHost: the sans-I/O HIPv2 base exchange (RFC 7401, RFC 7402 ESP setup), quinn-proto style.
 *
 * Contract (stable; runtime, mobility and FA build on it):
 * - Input:  `connect(now, peer, peerHit?, from?)`, `close(now, peerHit)`,
 *           `handleDatagram(now, hipPacket, from, to)` (HIP packet with the 4-byte UDP zero marker
 *           already removed), `handleTimeout(now)`, `noteEspReceived(now, spi, from)` after the
 *           data plane accepted an inbound ESP packet (liveness; R2-SENT → ESTABLISHED).
 * - Output: `pollTransmit()` → Transmit whose `data` is the full UDP payload (zero marker + HIP
 *           packet, src/wire/framing.ts); `pollEvent()` → HipEvent (types.ts); `pollTimeout()` →
 *           the next instant `handleTimeout` must be called (undefined: no timer).
 * - State:  `association(peerHit)` / `associations()` / `associationBySpi(spi)` expose
 *           Association objects (association.ts): peer HIT/HI, state, locators, SPIs, HIP
 *           integrity keys with HMAC helpers, KEYMAT drawing, sign/verify, queueControl().
 * - `counters`: "rx.<TYPE>", "tx.<TYPE>", "drop" and "drop.<reason>" (docs/PROTOCOL.md §7).
 * - `limits` (limits.ts): associations, half-open exchanges, UAL idle timeout, R1 and NOTIFY
 *   rate; nothing a peer sends throws out of `handleDatagram` / `handleTimeout` /
 *   `noteEspReceived` (caught and counted as `drop.exception`).
 * - `registerExtension(ext)`: packets of `ext.packetTypes` are offered to the extension first
 *           (it may claim base types too, e.g. an R1 answering an FAQ) by returning true;
 *           `ext.onEvent(now, ev)` sees every core event, `ext.espReceived(...)` every
 *           authenticated ESP packet (outer from/to). Extensions transmit with an explicit
 *           source via `Association.queueControl(now, packet, to, from)`.
 * - Extra inbound SPIs (per-interface SAs, draft §4.5): `allocSpi(a)` reserves one (from
 *           `cfg.spiSource` when given, e.g. an FA lease's SPI range), `releaseSpi(spi)` frees it;
 *           `associationBySpi` and `noteEspReceived` know them all.
 * The data path is not here: the runtime installs `sa-install` keys in the ESP data plane.
 * No clocks, no randomness except `cfg.rng`, no I/O.
 */// This file: input dispatch, timers and output; the association table and SPI allocation are
// AssociationTable (association-table.ts).
import { equalBytes } from "../core/bytes.ts";
import { locatorKey, type Locator, type Millis, type Rng, sameLocator, type Transmit } from "../core/types.ts";
import { fillChecksum } from "../wire/checksum.ts";
import { PacketType } from "../wire/constants.ts";
import { WireErrorCode } from "../wire/error.ts";
import { frameHip } from "../wire/framing.ts";
import { emitPacket, type HipPacket, parsePacket } from "../wire/packet.ts";
import { Association, type AssociationHost } from "./association.ts";
import type { Signer } from "./auth.ts";
import { AssociationTable } from "./association-table.ts";
import { type CryptoJob, CryptoJobs, type CryptoResult } from "./crypto-jobs.ts";
import { buildNotify, handleClose, handleCloseAck, handleNotify, saRemove, startClose } from "./close.ts";
import { type HostCore, type ResolvedConfig, resolveConfig } from "./core.ts";
import { checkParams, notifyLength, ualDeadline } from "./guard.ts";
import { compareHits, isHit, isNullHit } from "./hit.ts";
import { buildI1, handleR1, handleR2 } from "./initiator.ts";
import { R1Factory } from "./r1.ts";
import { PrefixLimiter } from "./ratelimit.ts";
import { R1CounterMemory } from "./replay.ts";
import { handleI1, handleI2 } from "./responder.ts";
import type { HipEvent, HipExtension, HipHostConfig } from "./types.ts";

const TYPE_NAMES: Record<number, string> = { 1: "I1", 2: "R1", 3: "I2", 4: "R2", 16: "UPDATE", 17: "NOTIFY", 18: "CLOSE", 19: "CLOSE_ACK" };
/** Extension packet types (PROFILE §2): named in counters, never handled by the core itself. */
const EXT_NAMES: Record<number, string> = { 6: "REA", 9: "AC", 10: "ACR", 11: "FAQ", 12: "FAA", 13: "FAD" };
const typeName = (t: number) => TYPE_NAMES[t] ?? EXT_NAMES[t] ?? String(t);

/** Packets only a peer with an established association sends: UPDATE, and the draft's REA / AC / ACR (§7.11). */
const REJOIN_TYPES = new Set<number>([PacketType.UPDATE, PacketType.REA, PacketType.AC, PacketType.ACR]);

/** The sans-I/O HIPv2 host (RFC 7401, RFC 7402 ESP setup): base exchange, UPDATE, CLOSE; see the contract at the top of src/hip/host.ts. */
export class HipHost extends AssociationTable implements HostCore {
  /** The configuration with defaults applied. */
  readonly cfg: ResolvedConfig;
  /** R1 generations (puzzle secret, DH keys, signed R1s; RFC 7401 §4.1.1). */
  readonly r1: R1Factory;
  /** Public-key operations of the handshake: inline, or jobs for the driver (crypto-jobs.ts). */
  readonly crypto: CryptoJobs;
  /** Signs as our identity at once (CLOSE, NOTIFY, R1s; crypto-jobs.ts InlineCrypto). */
  readonly signer: Signer;
  /** Initiator: highest R1_COUNTER seen per Responder HIT (RFC 7401 §5.2.3, replay.ts). */
  readonly r1Seen = new R1CounterMemory();
  /** Packet, drop and error counters by name. */
  readonly counters: Record<string, number> = {};
  private readonly tx: Transmit[] = [];
  private readonly events: HipEvent[] = [];
  private readonly extensions: HipExtension[] = [];
  /** Cached earliest association deadline (pollTimeout) and whether it must be recomputed. */
  private due: Millis | undefined;
  private dueStale = true;
  protected readonly assocHost: AssociationHost;
  /** Time of the latest input (handed to extensions' onEvent). */
  private now: Millis = 0;
  /** R1s to unauthenticated I1s (RFC 7401 §4.1.1); NOTIFYs to unauthenticated packets. */
  private readonly r1Limiter: PrefixLimiter;
  private readonly notifyLimiter: PrefixLimiter;
  private readonly rejoinLimiter: PrefixLimiter;
  /** I2s that go on to the Diffie-Hellman and signature work (admitI2). */
  private readonly i2Limiter: PrefixLimiter;
  /** NOTIFYs whose signature is checked (admitNotifyVerify). */
  private readonly notifyInLimiter: PrefixLimiter;

  constructor(cfg: HipHostConfig) {
    super(cfg);
    this.cfg = resolveConfig(cfg);
    const c = this.cfg;
    const crypto = new CryptoJobs(cfg.cryptoJobs ?? false, cfg.maxCryptoJobs ?? 256, cfg.syncCrypto);
    this.crypto = crypto;
    this.signer = crypto.signerFor(this.identity);
    const dhKey = (rng: Rng, g: number) => crypto.dhKey(rng, g);
    this.r1 = new R1Factory(this.identity, this.rng, { k: c.puzzleK, lifetime: c.puzzleLifetime, opaque: c.puzzleOpaque, dhGroups: c.dhGroups, hipCiphers: c.hipCiphers, espSuites: c.espSuites, r1Lifetime: c.r1Lifetime, maxSolvedPerGeneration: cfg.maxSolvedPerGeneration, r1Counter: c.r1Counter, signer: this.signer, dhKey, maxLoadK: this.limits.maxLoadPuzzleK, count: (n) => this.count(n) }, cfg.r1CounterStart ?? 1n);
    this.assocHost = {
      queueRaw: (now, p, to, from) => this.queueRaw(now, p, to, from),
      pushEvent: (ev) => this.event(ev),
      crypto,
      timersMoved: () => {
        this.dueStale = true;
      },
      stateChanged: (a) => this.track(a),
    };
    const l = this.limits;
    const lim = { perPrefix: l.r1PerPrefix, global: l.r1Global, prefixV4: l.prefixV4, prefixV6: l.prefixV6, maxEntries: l.maxRateEntries };
    this.r1Limiter = new PrefixLimiter(lim);
    this.notifyLimiter = new PrefixLimiter(lim);
    this.rejoinLimiter = new PrefixLimiter({ ...lim, perPrefix: l.rejoinPerPrefix, global: l.rejoinGlobal });
    this.i2Limiter = new PrefixLimiter({ ...lim, perPrefix: l.i2PerPrefix, global: l.i2Global });
    this.notifyInLimiter = new PrefixLimiter({ ...lim, perPrefix: l.notifyVerifyPerPrefix, global: l.notifyVerifyGlobal });
  }

  /** May a NOTIFY from `ip` have its signature checked now (`limits.notifyVerify*`, PROTOCOL §7.9)? */
  admitNotifyVerify(now: Millis, ip: string): boolean {
    return this.notifyInLimiter.take(ip, now) === undefined;
  }

  /**
   * May an I2 from `ip` whose puzzle (#K `k`) is solved go on to the Diffie-Hellman and the
   * signature (PROTOCOL §7.9)? Its prefix's budget must allow it; beyond the global one the host is
   * flooded: the puzzle gets harder (R1Factory.overloaded) and only an I2 that solved a raised
   * puzzle as hard as the one asked now goes on (its sender paid today's price, RFC 7401 §4.1.1);
   * with #K not raised (`limits.maxLoadPuzzleK` at or below `puzzleK`) the budget is a hard cap.
   */
  admitI2(now: Millis, ip: string, k: number): boolean {
    const refused = this.i2Limiter.take(ip, now);
    if (refused === undefined) return true;
    if (refused === "prefix") return false;
    this.r1.overloaded(now);
    return k > this.cfg.puzzleK && k >= this.r1.demandedK(now);
  }

  /** State sizes to compare with `limits` (associations, half-open exchanges, rate-limit buckets). */
  stateSizes(): {
    /** Associations. */
    associations: number;
    /** Half-open exchanges (I2 answered, not yet ESTABLISHED). */
    halfOpen: number;
    /** Rate-limit buckets for R1s. */
    r1Buckets: number;
    /** Rate-limit buckets for NOTIFYs. */
    notifyBuckets: number;
    /** Rate-limit buckets for I2s. */
    i2Buckets: number;
    /** Rate-limit buckets for NOTIFYs received. */
    notifyInBuckets: number;
    /** #K new R1s ask for now (`puzzleK`, raised under an I2 flood up to `limits.maxLoadPuzzleK`). */
    puzzleK: number;
  } {
    return { associations: this.size, halfOpen: this.halfOpen(), r1Buckets: this.r1Limiter.size, notifyBuckets: this.notifyLimiter.size, i2Buckets: this.i2Limiter.size, notifyInBuckets: this.notifyInLimiter.size, puzzleK: this.r1.loadK };
  }

  /** Run `fn`; anything it throws is counted (`drop.exception`), never passed on (issue 9). */
  private guard(from: Locator | undefined, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.drop("exception", undefined, from, e instanceof Error ? e.name : "throw");
    }
  }

  /** Our HIT. */
  get hit(): Uint8Array {
    return this.identity.hit;
  }

  // ---- input ----------------------------------------------------------------------------

  /** Start a base exchange with `peer` (RFC 7401 §6.6); without `peerHit`, opportunistic (§4.1.8). */
  connect(now: Millis, peer: Locator, peerHit?: Uint8Array, from?: Locator): void {
    this.now = now;
    const a = peerHit ? this.association(peerHit) : this.opportunistic.get(locatorKey(peer));
    if (a && a.state !== "CLOSING" && a.state !== "CLOSED") return;
    if (a) this.removeAssociation(a);
    // Our own HIT: our Responder would drop the I1 (bad_sender_hit) until the exchange timed out.
    if (peerHit && equalBytes(peerHit, this.hit)) {
      this.count("refused.own_hit");
      this.event({ type: "failed", peerHit: peerHit.slice(), reason: "own_hit" });
      return;
    }
    const full = this.noRoom();
    if (full) {
      this.count(`refused.${full}`);
      this.event({ type: "failed", peerHit: (peerHit ?? new Uint8Array(16)).slice(), reason: full });
      return;
    }
    this.initiate(now, peer, peerHit, from);
  }

  /** A new association in I1-SENT, its I1 sent (`tries`: transmissions already counted against the retransmit budget). */
  private initiate(now: Millis, peer: Locator, peerHit: Uint8Array | undefined, from: Locator | undefined, tries = 1): Association {
    this.makeRoom();
    let a: Association;
    if (peerHit && !isNullHit(peerHit)) a = this.createAssociation(peerHit, peer);
    else {
      a = new Association(this.assocHost, this.identity, new Uint8Array(16), peer);
      a.opportunistic = true;
      this.opportunistic.set(locatorKey(peer), a);
    }
    a.localLocator = from;
    a.lastRxAt = now;
    a.state = "I1-SENT";
    a.initiator = true;
    this.sendReliable(now, a, buildI1(this, a), tries);
    return a;
  }

  /**
   * A peer sent an UPDATE (or a mobility packet) for an association we do not have: we lost it
   * (restart) and it did not. Unauthenticated, so only an I1 goes out (smaller than the packet),
   * rate-limited (limits.rejoinPerPrefix / rejoinGlobal) and only while half the half-open room is
   * free; the puzzle it will solve is capped (rejoinMaxPuzzleK). HipHostConfig.rejoin.
   */
  private rejoin(now: Millis, pkt: HipPacket, from: Locator, to: Locator): void {
    if (!this.cfg.rejoin || !REJOIN_TYPES.has(pkt.packetType) || compareHits(pkt.receiverHit, this.identity.hit) !== 0 || !isHit(pkt.senderHit)) return;
    if (compareHits(pkt.senderHit, this.identity.hit) === 0) return;
    if (this.noRoom() || 2 * this.halfOpen() >= this.limits.maxHalfOpen || this.rejoinLimiter.take(from.ip, now)) {
      this.count("rejoin.suppressed");
      return;
    }
    this.count("rejoin.started");
    // One I1 per trigger, never retransmitted (its whole budget counted as spent: the peer's next
    // UPDATE is the retry); it ends without an event at the first retransmission time if no R1 came.
    const a = this.initiate(now, from, pkt.senderHit, to, this.cfg.retransmit.maxTries);
    a.rejoin = true;
    a.maxPuzzleK = Math.min(this.cfg.maxPuzzleK, this.limits.rejoinMaxPuzzleK); // the peer picks #K: our CPU
  }

  /** Close the association with `peerHit` (CLOSE / CLOSE_ACK, §5.3.7). */
  close(now: Millis, peerHit: Uint8Array): void {
    this.now = now;
    const a = this.association(peerHit);
    if (a) startClose(this, now, a);
  }

  /**
   * Give the association with `peerHit` up without a CLOSE: the peer stopped answering (mobility's
   * `peer-dead`, policy `peerDeadMs`), so a CLOSE would only be retransmitted into the void. SAs
   * go (`sa-remove`), then `closed` with reason `unreachable`; a later I1 or rejoin starts afresh.
   */
  abandon(now: Millis, peerHit: Uint8Array): void {
    this.now = now;
    const a = this.association(peerHit);
    if (!a || (a.state !== "ESTABLISHED" && a.state !== "R2-SENT")) return;
    saRemove(this, a);
    a.state = "CLOSED";
    a.retransmit = undefined;
    this.r1Seen.forget(a.peerHit); // it may come back restarted (R1_COUNTER from 0)
    this.removeAssociation(a);
    this.count("closed.unreachable");
    this.event({ type: "closed", peerHit: a.peerHit, reason: "unreachable" });
  }

  /** A HIP packet (UDP zero marker removed) from `from` at our `to`. */
  handleDatagram(now: Millis, packet: Uint8Array, from: Locator, to: Locator): void {
    this.now = now;
    this.counters["bytes.rx"] = (this.counters["bytes.rx"] ?? 0) + packet.length;
    this.guard(from, () => this.dispatch(now, packet, from, to));
  }

  private dispatch(now: Millis, packet: Uint8Array, from: Locator, to: Locator): void {
    // Zero is what RFC 5770 / RFC 9028 §5.1 peers send over UDP; a non-zero one must verify.
    const parsed = parsePacket(packet, { src: from.ip, dst: to.ip, allowZeroChecksum: true });
    if (!parsed.ok) {
      const e = parsed.error;
      this.drop(e.code === WireErrorCode.BAD_CHECKSUM ? "bad_checksum" : "malformed", undefined, from, e.code, e.offset);
      return;
    }
    const pkt = parsed.value;
    let a = this.association(pkt.senderHit);
    if (!a && pkt.packetType === PacketType.R1) {
      const o = this.opportunistic.get(locatorKey(from));
      if (o?.state === "I1-SENT") a = o;
    }
    // §5.2.1 for every type, extension packets and UPDATE included (guard.ts).
    if (!checkParams(this, now, pkt, from, a)) return;
    for (const ext of this.extensions) {
      if (!ext.packetTypes.includes(pkt.packetType)) continue;
      // Extensions mark the association authenticated themselves (noteAuthenticated): a claimed
      // packet may have failed its HMAC (R2-SENT → ESTABLISHED only on an authenticated packet).
      if (ext.handle(now, pkt, packet, from, to, a)) {
        this.count(`rx.${typeName(pkt.packetType)}`);
        return;
      }
    }
    if (!(pkt.packetType in TYPE_NAMES) || pkt.packetType === PacketType.UPDATE) {
      this.drop("unhandled_packet_type", pkt, from);
      if (!a) this.rejoin(now, pkt, from, to);
      return;
    }
    switch (pkt.packetType) {
      case PacketType.I1:
        // RFC 7401 §4.1.1: R1s are rate-limited per source prefix and globally (limits.ts).
        if (this.r1Limiter.take(from.ip, now)) this.drop("rate_r1", pkt, from);
        else handleI1(this, now, pkt, from, to, a);
        break;
      case PacketType.R1:
        handleR1(this, now, pkt, from, to, a);
        break;
      case PacketType.I2: {
        // A new association must fit (limits.maxAssociations / maxHalfOpen) before any work.
        const full = a ? undefined : this.noRoom();
        if (full) this.drop(full, pkt, from);
        else handleI2(this, now, pkt, from, to, a, undefined);
        break;
      }
      case PacketType.R2:
        handleR2(this, now, pkt, from, a);
        break;
      case PacketType.NOTIFY:
        handleNotify(this, now, pkt, from, a);
        break;
      case PacketType.CLOSE:
        handleClose(this, now, pkt, from, to, a);
        break;
      case PacketType.CLOSE_ACK:
        handleCloseAck(this, now, pkt, from, a);
        break;
    }
  }

  /**
   * Our addresses `removed` went away (a move): a base exchange in flight from one of them
   * (I1-SENT, I2-SENT) sends its last packet again now, from the address `pick` gives for its
   * peer, rather than at its next retransmission (up to `retransmit.maxMs` later); the answer to
   * the first one would go to the address given up. Tries and timer are left as they were. One
   * whose R1 puzzle is being solved sends its I2 from that address when it is done.
   */
  addressesGone(now: Millis, removed: readonly Locator[], pick: (peer: Locator) => Locator | undefined): void {
    this.now = now;
    for (const a of [...this.assocs.values(), ...this.opportunistic.values()]) {
      const from = a.localLocator;
      if ((a.state !== "I1-SENT" && a.state !== "I2-SENT") || !from || !removed.some((l) => sameLocator(l, from))) continue;
      const next = pick(a.peerLocator);
      if (!next) continue; // no address of that family left: the retransmission timer goes on
      a.localLocator = next;
      // Solving the R1's puzzle (no retransmission meanwhile): the I2 will leave from `next`.
      if (!a.retransmit) continue;
      this.count("retransmit.moved");
      a.queueControl(now, a.retransmit.packet);
    }
  }

  /** Run retransmissions and expiries due at `now` (ms). */
  handleTimeout(now: Millis): void {
    this.now = now;
    this.dueStale = true; // retransmissions move their own nextAt; idle associations go
    this.guard(undefined, () => this.timeout(now));
  }

  private timeout(now: Millis): void {
    const rt = this.cfg.retransmit;
    for (const a of [...this.assocs.values(), ...this.opportunistic.values()]) {
      const r = a.retransmit;
      if (r && r.nextAt <= now) {
        if (r.tries >= rt.maxTries) {
          a.retransmit = undefined;
          if (a.state === "CLOSING") {
            this.removeAssociation(a);
            this.event({ type: "closed", peerHit: a.peerHit, reason: "timeout" });
          } else this.fail(now, a, "timeout");
          continue;
        }
        r.tries++;
        r.interval = Math.min(2 * r.interval, rt.maxMs);
        r.nextAt = now + r.interval;
        this.count("retransmit");
        a.queueControl(now, r.packet);
      }
      if (a.deadline !== undefined && a.deadline <= now) {
        // R2-SENT stays until the first authenticated packet (no promotion by timer; UAL ends it).
        a.deadline = undefined;
        if (a.state === "CLOSED") this.removeAssociation(a);
      }
      // UAL (RFC 7401 §4.4.2, limits.ualIdleMs): no authenticated traffic for that long.
      const idle = ualDeadline(a, this.limits.ualIdleMs);
      if (idle !== undefined && idle <= now) {
        this.count("ual.closed");
        startClose(this, now, a);
      }
    }
    for (const ext of this.extensions) ext.handleTimeout?.(now);
  }

  /**
   * The data plane accepted an ESP packet on inbound `spi` from `from` at our `to` (§6.9 step
   * 21: R2-SENT → ESTABLISHED); extensions see it too (liveness, draft §3.3).
   */
  noteEspReceived(now: Millis, spi: number, from: Locator, to?: Locator, bytes?: number): Association | undefined {
    this.now = now;
    const a = this.bySpi.get(spi);
    if (!a) return undefined;
    a.lastEspAt = now;
    // guard() inlined (per ESP packet: no closure).
    try {
      a.noteAuthenticated(now);
      for (const ext of this.extensions) ext.espReceived?.(now, a, spi, from, to, bytes);
    } catch (e) {
      this.drop("exception", undefined, from, e instanceof Error ? e.name : "throw");
    }
    return a;
  }


  /** The data plane sent an ESP packet on `a` (UAL; the first one the peer leaves unanswered arms the heartbeat). */
  noteEspSent(now: Millis, a: Association): void {
    a.lastTxAt = now;
    if (a.unansweredSince !== undefined) return;
    a.unansweredSince = now;
    for (const ext of this.extensions) ext.espUnanswered?.(now, a);
  }

  /**
   * Crypto jobs (HipHostConfig.cryptoJobs, crypto-jobs.ts): the next public-key operation for the
   * driver to run (`runCryptoJob(provider, job)`), then `handleCryptoResult(now, job.id, result)`.
   */
  pollCryptoJob(): CryptoJob | undefined {
    return this.crypto.poll();
  }

  /** The result of crypto job `id`: its continuation runs now (unknown ids are ignored). */
  handleCryptoResult(now: Millis, id: number, result: CryptoResult): void {
    this.now = now;
    const resume = this.crypto.take(id);
    if (resume) this.guard(undefined, () => resume(now, result));
  }

  /** Add an extension (mobility, FA client); it sees its packet types before the core. */
  registerExtension(ext: HipExtension): void {
    this.extensions.push(ext);
  }

  // ---- output ---------------------------------------------------------------------------

  /** The next datagram to send (zero marker + HIP packet), if any. */
  pollTransmit(): Transmit | undefined {
    return this.tx.shift();
  }

  /** The next event, if any. */
  pollEvent(): HipEvent | undefined {
    return this.events.shift();
  }

  /**
   * The next instant `handleTimeout` must be called (ms), if any. The associations' part is
   * cached: a runtime polls once per event-loop turn, and a scan of thousands of associations
   * per turn of ESP traffic cost more than the traffic. It is recomputed after a timer was set
   * (Association.timersMoved) or a timeout ran; activity that only postpones the UAL deadline
   * leaves it early, which costs one wake-up that finds nothing due.
   */
  pollTimeout(): Millis | undefined {
    if (this.dueStale) {
      this.dueStale = false;
      this.due = this.earliestDue();
    }
    let t = this.due;
    for (const ext of this.extensions) {
      const x = ext.pollTimeout?.();
      if (x !== undefined && (t === undefined || x < t)) t = x;
    }
    return t;
  }

  /** Earliest retransmission, CLOSED linger or UAL deadline over every association. */
  private earliestDue(): Millis | undefined {
    let t: number | undefined;
    const ual = this.limits.ualIdleMs;
    for (const a of this.assocs.values()) {
      const r = a.retransmit?.nextAt;
      if (r !== undefined && (t === undefined || r < t)) t = r;
      const d = a.state === "CLOSED" ? a.deadline : undefined;
      if (d !== undefined && (t === undefined || d < t)) t = d;
      const u = ualDeadline(a, ual);
      if (u !== undefined && (t === undefined || u < t)) t = u;
    }
    for (const a of this.opportunistic.values()) {
      const r = a.retransmit?.nextAt;
      if (r !== undefined && (t === undefined || r < t)) t = r;
    }
    return t;
  }

  // ---- HostCore (used by the handlers; not for applications) ----------------------------

  send(now: Millis, pkt: HipPacket, to: Locator, from: Locator | undefined): Uint8Array {
    const bytes = emitPacket(pkt);
    this.queueRaw(now, bytes, to, from);
    return bytes;
  }

  sendRaw(now: Millis, packet: Uint8Array, to: Locator, from: Locator | undefined): void {
    this.queueRaw(now, packet, to, from);
  }

    sendReliable(now: Millis, a: Association, pkt: HipPacket, tries = 1): void {
    const packet = this.send(now, pkt, a.peerLocator, a.localLocator);
    a.lastControlAt = now;
    const initial = this.cfg.retransmit.initialMs;
    a.retransmit = { packet, tries, interval: initial, nextAt: now + initial };
  }

  drop(reason: string, pkt: HipPacket | undefined, from: Locator | undefined, code?: string, offset?: number): false {
    this.count("drop");
    this.count(`drop.${reason}`);
    if (this.cfg.dropEvents) {
      const ev: HipEvent = { type: "drop", reason, code: code ?? reason };
      if (offset !== undefined) ev.offset = offset;
      if (pkt) ev.packetType = pkt.packetType;
      if (from) ev.from = from;
      this.events.push(ev);
    }
    return false;
  }

  /**
   * NOTIFY (signed) and drop. The NOTIFY is sent only when it is not larger than the packet it
   * answers and the NOTIFY rate limit (per prefix, global; the R1 limits) allows it; otherwise
   * it is not built at all (`notify.suppressed`): no signature for a flood (issue 9).
   */
  notifyAndDrop(now: Millis, a: Association | undefined, pkt: HipPacket, from: Locator, notifyType: number, reason: string, data = new Uint8Array(0)): false {
    const inLen = pkt.bytes?.length ?? 0;
    if (notifyLength(this, notifyType, data, a === undefined) > inLen || this.notifyLimiter.take(from.ip, now)) this.count("notify.suppressed");
    else this.send(now, buildNotify(this, pkt.senderHit, notifyType, data, a === undefined), from, a?.localLocator);
    return this.drop(reason, pkt, from);
  }

  fail(_now: Millis, a: Association, reason: string): false {
    // A rejoin nobody answered was not asked for by the application: counted, no event.
    const quiet = a.rejoin && a.state === "I1-SENT";
    const state = a.state;
    a.state = "E-FAILED";
    a.retransmit = undefined;
    // The Responder may have restarted; not on an unanswered rejoin (anyone can trigger one for any HIT).
    if (reason === "timeout" && !quiet) this.r1Seen.forget(a.peerHit);
    this.removeAssociation(a);
    this.count(quiet ? `rejoin.${reason}` : `failed.${reason}`);
    if (!quiet) this.event({ type: "failed", peerHit: a.peerHit, reason, state });
    return false;
  }

  /** Raise an event (extensions see it at once). */
  event(ev: HipEvent): void {
    this.events.push(ev);
    for (const ext of this.extensions) ext.onEvent?.(this.now, ev);
  }

  /** Count one `name` in {@link HipHost.counters}. */
  count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }

  private queueRaw(_now: Millis, packet: Uint8Array, to: Locator, from: Locator | undefined): void {
    const data = frameHip(packet);
    const hip = data.subarray(4);
    hip[4] = 0;
    hip[5] = 0;
    if (this.cfg.checksum === "pseudo" && from) fillChecksum(hip, from.ip, to.ip);
    this.count(`tx.${typeName(hip[2] & 0x7f)}`);
    this.counters["bytes.tx"] = (this.counters["bytes.tx"] ?? 0) + hip.length;
    this.tx.push(from ? { to, from, data } : { to, data });
  }
}
