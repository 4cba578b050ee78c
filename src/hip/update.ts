/**
 * UpdateExtension: ESP rekeying with UPDATE (RFC 7402 §6.8-§6.10, RFC 7401 §5.3.5, §6.11-§6.12).
 * The new SA pair is drawn from the existing KEYMAT at a fresh KEYMAT index (RFC 7402 §6.9
 * "KEYMAT Index"; Association.drawSaPair), or, once that KEYMAT is used up (or always, with
 * `newDh: "always"`), from a new KEYMAT: the request carries a new DIFFIE_HELLMAN and index 0,
 * the reply its own, and each side derives the new KEYMAT from the new Kij when it switches
 * (§5.1.1, §6.10; docs/PROTOCOL.md §7.8).
 *
 *   initiator                                   peer
 *   UPDATE(ESP_INFO{idx, old in, new in}, SEQ a) →      (peer adds its new inbound SA)
 *           ← UPDATE(ESP_INFO{idx, old in, new in}, SEQ b, ACK a)
 *   (switch to the new pair)  UPDATE(ACK b) →           (switch on the ACK, or on ESP
 *                                                         arriving on its new inbound SA)
 * Each side adds its new inbound SA (`sa-add`) as soon as it announced its New SPI, and switches
 * with `sa-rekey` (new pair; the old outbound SA goes, the old inbound SA is retired after the
 * in-flight packets). Packets with SEQ are retransmitted with the core's retransmit settings
 * until ACKed (§6.12.1, bounded); duplicate SEQs are answered again, older ones dropped.
 * Simultaneous rekeys: a request with a new Diffie-Hellman wins over one without; between two of
 * the same kind the host with the smaller HIT abandons its own UPDATE and answers.
 *
 * Heartbeat (HipHostConfig.heartbeatMs; on when mobility is off): ESP we sent left unanswered
 * that long → UPDATE(SEQ) alone, which the peer ACKs (§6.12.1), retransmitted the same way; no ACK
 * after the last try → the association is given up (HipHost.abandon: `closed`, `unreachable`).
 * Sans-I/O like the core (registered with HipHost.registerExtension).
 */
import type { Locator, Millis } from "../core/types.ts";
import { PacketType } from "../wire/constants.ts";
import { emitPacket, getParam, type HipPacket } from "../wire/packet.ts";
import type { Param } from "../wire/params/index.ts";
import type { DiffieHellmanParam } from "../wire/params/negotiation.ts";
import type { Association, SaPair } from "./association.ts";
import { authenticate, verifyMac, verifySignature } from "./auth.ts";
import { compareHits, hitKey } from "./hit.ts";
import type { HipHost } from "./host.ts";
import { type DhKeyPair, isSupportedDhGroup } from "./dh.ts";
import type { Keymat } from "./keymat.ts";
import { intSetting } from "../core/settings.ts";
import { acknowledges, kijIkm } from "./profile.ts";
import type { HipEvent, HipExtension } from "./types.ts";

/** Options of the UPDATE rekey extension. */
export interface UpdateOptions {
  /** How long the replaced inbound SPI still maps to the association (liveness). Default 4000 ms. */
  oldSpiLingerMs?: Millis;
  /** Heartbeat after this long of unanswered ESP; default HipHostConfig.heartbeatMs, 0 = off. */
  heartbeatMs?: Millis;
  /** When a rekey we start brings a new Diffie-Hellman (RFC 7402 §6.8 step 1): "exhausted"
   * (default) once the KEYMAT cannot give another SA pair (§5.1.1: then it MUST), "always" on
   * every rekey (new keys independent of the old ones: forward secrecy per rekey). */
  newDh?: "exhausted" | "always";
}

/** An UPDATE waiting for its ACK (a heartbeat, SEQ only; Exchange extends it for rekeys). */
interface Heartbeat {
  ourId: number;
  packet: Uint8Array;
  tries: number;
  interval: Millis;
  nextAt: Millis;
}

interface Exchange extends Heartbeat {
  role: "initiator" | "responder";
  index: number;
  newSpiIn: number;
  /** The pair drawn at `index` (initiator: outbound SPI filled in from the reply; responder:
   * switched to on the ACK). KEYMAT below the drawn mark is wiped, so the keys live here. An
   * initiator with a new Diffie-Hellman has none until the reply brings the peer's key. */
  pair: SaPair | undefined;
  /** Initiator with a new Diffie-Hellman: our new key pair, until the reply (then wiped). */
  dh?: DhKeyPair;
  /** A new Diffie-Hellman: the KEYMAT `pair` comes from, the association's once switched. */
  keymat?: Keymat;
}

interface PeerState {
  assoc: Association;
  /** Next Update ID we send (RFC 7401 §5.2.16: starts at 0). */
  nextId: number;
  /** Highest Update ID received (-1: none). */
  lastRxId: number;
  /** What we answered to lastRxId (re-sent on a duplicate, §6.12.1). */
  lastReply: Uint8Array | undefined;
  ex: Exchange | undefined;
  hb: Heartbeat | undefined;
  /** Set once a heartbeat went unanswered past its first retransmission (reachability false):
   *  the last time the peer had been heard. */
  silentSince: Millis | undefined;
  linger: { spi: number; by: Millis }[];
}

export class UpdateExtension implements HipExtension {
  readonly packetTypes = [PacketType.UPDATE];
  /** "rekey.started", "rekey.done", "rekey.retransmit", "rekey.timeout", "rekey.dup", "rekey.keymat_exhausted", "rekey.dh" (with a new Diffie-Hellman), "rekey.dh.answered"… */
  readonly counters: Record<string, number> = {};
  private readonly peers = new Map<string, PeerState>();
  private readonly lingerMs: Millis;
  private readonly heartbeatMs: Millis;
  private readonly newDh: "exhausted" | "always";
  /** Associations with unanswered ESP: when to look at them again (heartbeat). */
  private readonly watch = new Map<Association, Millis>();

  constructor(
    private readonly host: HipHost,
    o: UpdateOptions = {},
  ) {
    this.lingerMs = intSetting("UpdateOptions.oldSpiLingerMs", o.oldSpiLingerMs, 4000, 0, 2 ** 31);
    this.heartbeatMs = intSetting("UpdateOptions.heartbeatMs", o.heartbeatMs, host.cfg.heartbeatMs, 0, 2 ** 31);
    if (o.newDh !== undefined && o.newDh !== "exhausted" && o.newDh !== "always") throw new RangeError(`UpdateOptions.newDh: ${String(o.newDh)}: want "exhausted" or "always"`);
    this.newDh = o.newDh ?? "exhausted";
    host.registerExtension(this);
  }

  /** True while a rekey with `peerHit` is under way. */
  pending(peerHit: Uint8Array): boolean {
    return this.peers.get(hitKey(peerHit))?.ex !== undefined;
  }

  /**
   * Start rekeying the SA pair with `peerHit` (RFC 7402 §6.8). Returns true when an exchange is
   * (now or already) under way; false without an established association.
   */
  rekey(now: Millis, peerHit: Uint8Array): boolean {
    const a = this.host.association(peerHit);
    if (a?.state !== "ESTABLISHED" || !a.keymat) return false;
    // Peer profile switch noUpdateExtensions: the peer cannot take ESP_INFO in UPDATE (PROTOCOL §11.5).
    if (a.profile?.noUpdateExtensions) {
      this.count("rekey.peer_profile");
      return false;
    }
    const s = this.state(a);
    if (s.ex) return true;
    // The association's one KEYMAT allocator (keymat-alloc.ts): shared with the mobility draws.
    const spi = this.host.allocSpi(a);
    const pair = this.newDh === "always" ? undefined : a.drawSaPair(spi, 0);
    if (!pair) return this.rekeyWithDh(now, a, s, spi);
    const index = pair.index;
    a.pushEvent({ type: "sa-add", peerHit: a.peerHit, sa: pair.inbound });
    const id = s.nextId++;
    const pkt = this.build(a, [{ kind: "ESP_INFO", keymatIndex: index, oldSpi: a.spiIn, newSpi: spi }, { kind: "SEQ", updateId: id }]);
    s.ex = this.arm(now, a, { role: "initiator", index, newSpiIn: spi, ourId: id, packet: pkt, pair });
    this.count("rekey.started");
    return true;
  }

  /** §6.8 step 1, §5.1.1: a request with a new DIFFIE_HELLMAN (same group) and KEYMAT index 0. */
  private rekeyWithDh(now: Millis, a: Association, s: PeerState, spi: number): boolean {
    if (!isSupportedDhGroup(a.dhGroup)) {
      this.host.releaseSpi(spi);
      this.count("rekey.keymat_exhausted");
      return false;
    }
    const dh = this.host.crypto.dhKey(this.host.rng, a.dhGroup);
    const id = s.nextId++;
    const pkt = this.build(a, [
      { kind: "ESP_INFO", keymatIndex: 0, oldSpi: a.spiIn, newSpi: spi },
      { kind: "SEQ", updateId: id },
      { kind: "DIFFIE_HELLMAN", groupId: dh.group, publicValue: dh.publicValue },
    ]);
    s.ex = this.arm(now, a, { role: "initiator", index: 0, newSpiIn: spi, ourId: id, packet: pkt, pair: undefined, dh });
    this.count("rekey.started");
    this.count("rekey.dh");
    return true;
  }

  // ---- HipExtension ----

  handle(now: Millis, pkt: HipPacket, _raw: Uint8Array, from: Locator, _to: Locator, a: Association | undefined): boolean {
    // RFC 7401 §4.4.4 (R2-SENT): an UPDATE moves to ESTABLISHED (noteAuthenticated below).
    if ((a?.state !== "ESTABLISHED" && a?.state !== "R2-SENT") || !a.peerIdentity) return false; // core: unhandled (no keys yet)
    const s = this.state(a);
    if (!verifyMac(pkt, a.rhash, a.macKeyIn)) return this.drop("bad_mac", pkt, from);
    if (!verifySignature(pkt, a.peerIdentity, false, this.host.crypto)) return this.drop("bad_signature", pkt, from);
    a.noteAuthenticated(now); // UAL clock (limits.ts)
    const seq = getParam(pkt, "SEQ");
    const ack = getParam(pkt, "ACK");
    const info = getParam(pkt, "ESP_INFO");
    if (!seq && !ack) return this.drop("missing_param", pkt, from);
    const hbAcked = ack !== undefined && s.hb !== undefined && acknowledges(ack.updateIds, s.hb.ourId, a.profile);
    if (hbAcked) {
      s.hb = undefined;
      this.count("heartbeat.answered");
      if (s.silentSince !== undefined) {
        a.pushEvent({ type: "reachability", peerHit: a.peerHit, reachable: true, silentMs: now - s.silentSince });
        s.silentSince = undefined;
      }
      if (!seq) return true;
    }
    // §6.12.1: an older Update ID is a replay; the same one is a retransmission (answer again).
    if (seq && seq.updateId < s.lastRxId) return this.drop("replayed_update", pkt, from);
    if (seq && seq.updateId === s.lastRxId) {
      this.count("rekey.dup");
      if (s.lastReply) a.queueControl(now, s.lastReply);
      return true;
    }
    const dhp = getParam(pkt, "DIFFIE_HELLMAN");
    if (ack && s.ex && acknowledges(ack.updateIds, s.ex.ourId, a.profile)) {
      const ex = s.ex;
      if (ex.role === "responder") this.complete(now, s, ex.pair!, ex.keymat);
      else if (ex.role === "initiator") {
        if (!seq || !info) return this.drop("missing_param", pkt, from);
        if (info.keymatIndex !== ex.index) return this.drop("bad_keymat_index", pkt, from);
        if (info.oldSpi !== a.spiOut) return this.drop("bad_esp_info", pkt, from);
        if (ex.dh) {
          // §6.10 step 1: the new KEYMAT from our new key and the peer's new one, or its old one.
          const why = this.finishDh(now, s, ex, ex.dh, dhp, info.newSpi);
          if (why) return this.drop(why, pkt, from);
        } else if (dhp) return this.drop("unexpected_dh", pkt, from); // our old DH key is gone (wiped after the exchange)
        else this.complete(now, s, { ...ex.pair!, outbound: { ...ex.pair!.outbound, spi: info.newSpi } });
      }
    } else if (ack && !hbAcked) this.count("rekey.stale_ack");
    if (!seq) return true;
    s.lastRxId = seq.updateId;
    s.lastReply = undefined;
    if (!ack && info) return this.respond(now, s, pkt, from, info, seq.updateId, dhp);
    // A reply to ours (or an UPDATE we have nothing to do for): acknowledge its SEQ (§6.12.1).
    s.lastReply = this.build(a, [{ kind: "ACK", updateIds: [seq.updateId] }]);
    a.queueControl(now, s.lastReply);
    return true;
  }

  espReceived(now: Millis, a: Association, spi: number): void {
    if (this.peers.size === 0) return; // per ESP packet: no key string while no UPDATE runs
    const s = this.peers.get(hitKey(a.peerHit));
    // RFC 7402 §6.9: traffic on our new inbound SA shows the peer switched (our ACK got lost).
    if (s?.assoc === a && s.ex?.role === "responder" && s.ex.pair && spi === s.ex.newSpiIn) this.complete(now, s, s.ex.pair, s.ex.keymat);
  }

  espUnanswered(now: Millis, a: Association): void {
    if (this.heartbeatMs > 0 && !this.watch.has(a)) this.watch.set(a, now + this.heartbeatMs);
  }

  onEvent(_now: Millis, ev: HipEvent): void {
    if (ev.type === "sa-install") this.peers.delete(hitKey(ev.peerHit));
    else if (ev.type === "closed" || ev.type === "failed") {
      const k = hitKey(ev.peerHit);
      this.peers.delete(k);
      // Nothing to watch on an association that is gone (it was kept until its deadline).
      if (this.watch.size > 0) for (const a of this.watch.keys()) if (hitKey(a.peerHit) === k) this.watch.delete(a);
    }
  }

  /** Associations whose unanswered ESP is watched (read-only, for tests). */
  get watched(): number {
    return this.watch.size;
  }

  handleTimeout(now: Millis): void {
    for (const [a, at] of this.watch) {
      if (at > now) continue;
      this.watch.delete(a);
      // Answered meanwhile, closed or replaced: nothing to ask (a later send re-arms it).
      if (a.unansweredSince === undefined || (a.state !== "ESTABLISHED" && a.state !== "R2-SENT") || this.host.association(a.peerHit) !== a) continue;
      const due = a.unansweredSince + this.heartbeatMs;
      if (due > now) this.watch.set(a, due);
      else this.heartbeat(now, a);
    }
    for (const s of [...this.peers.values()]) {
      if (s.hb && this.retransmit(now, s.assoc, s.hb, "heartbeat")) {
        s.hb = undefined;
        this.count("heartbeat.timeout");
        this.host.abandon(now, s.assoc.peerHit); // closed (unreachable) → onEvent forgets s
        continue;
      }
      if (s.hb && s.hb.tries === 2 && s.silentSince === undefined) {
        s.silentSince = s.assoc.lastRxAt ?? now;
        s.assoc.pushEvent({ type: "reachability", peerHit: s.assoc.peerHit, reachable: false, silentMs: now - s.silentSince });
      }
      const ex = s.ex;
      if (ex && this.retransmit(now, s.assoc, ex, "rekey")) {
        // Give up: the new inbound SA goes, the old pair stays (a later rekey starts over).
        s.ex = undefined;
        this.abandon(s, ex);
        this.count("rekey.timeout");
      }
      for (const l of s.linger.filter((x) => x.by <= now)) this.host.releaseSpi(l.spi);
      s.linger = s.linger.filter((x) => x.by > now);
    }
  }

  pollTimeout(): Millis | undefined {
    let t: number | undefined;
    for (const x of this.watch.values()) if (t === undefined || x < t) t = x;
    for (const s of this.peers.values()) {
      const x = s.ex?.nextAt;
      if (x !== undefined && (t === undefined || x < t)) t = x;
      const h = s.hb?.nextAt;
      if (h !== undefined && (t === undefined || h < t)) t = h;
      for (const l of s.linger) if (t === undefined || l.by < t) t = l.by;
    }
    return t;
  }

  // ---- internals ----

  /** Retransmit `r` if due (§6.12.1, the core's settings); true when its tries are used up. */
  private retransmit(now: Millis, a: Association, r: Heartbeat, what: "heartbeat" | "rekey"): boolean {
    if (r.nextAt > now) return false;
    const rt = this.host.cfg.retransmit;
    if (r.tries >= rt.maxTries) return true;
    r.tries++;
    r.interval = Math.min(2 * r.interval, rt.maxMs);
    r.nextAt = now + r.interval;
    this.count(`${what}.retransmit`);
    this.host.count("retransmit");
    a.queueControl(now, r.packet);
    return false;
  }

  /** UPDATE(SEQ) alone: the peer must ACK it (RFC 7401 §6.12.1). A rekey under way asks already. */
  private heartbeat(now: Millis, a: Association): void {
    const s = this.state(a);
    if (s.ex || s.hb) return;
    const ourId = s.nextId++;
    const packet = this.build(a, [{ kind: "SEQ", updateId: ourId }]);
    const interval = this.host.cfg.retransmit.initialMs;
    a.queueControl(now, packet);
    s.hb = { ourId, packet, tries: 1, interval, nextAt: now + interval };
    this.count("heartbeat.sent");
  }

  /** A request from the peer: add our new inbound SA, answer ESP_INFO + SEQ + ACK (§6.9.1),
   * with a new DIFFIE_HELLMAN of ours when the request brought one. */
  private respond(now: Millis, s: PeerState, pkt: HipPacket, from: Locator, info: { keymatIndex: number; oldSpi: number; newSpi: number }, peerId: number, dhp: DiffieHellmanParam | undefined): boolean {
    const a = s.assoc;
    // §6.9 step 1: with a Diffie-Hellman the index MUST be zero; the group is the association's.
    if (dhp && info.keymatIndex !== 0) return this.drop("bad_keymat_index", pkt, from);
    if (dhp && dhp.groupId !== a.dhGroup) return this.drop("bad_dh_group", pkt, from);
    let pair: SaPair | undefined;
    let keymat: Keymat | undefined;
    let ourDh: DhKeyPair | undefined;
    if (s.ex) {
      // Simultaneous rekeys: a request with a new Diffie-Hellman wins over one without (its
      // sender's KEYMAT may be used up: it could not answer a plain request); between two of
      // the same kind the greater HIT keeps its own (like §6.9 step 5 for I2s).
      const oursDh = s.ex.role === "initiator" && s.ex.dh !== undefined;
      if (oursDh !== (dhp !== undefined) ? oursDh : compareHits(a.localHit, a.peerHit) > 0) {
        this.count("rekey.simultaneous_kept");
        return true;
      }
      // The peer drew the same index we did (the allocators agree): our new inbound SA already
      // holds those keys, so it is kept rather than installed twice (keymat-alloc.ts).
      if (s.ex.role === "initiator" && s.ex.pair && !dhp && s.ex.index === info.keymatIndex && info.oldSpi === a.spiOut) pair = s.ex.pair;
      else this.abandon(s, s.ex);
      s.ex = undefined;
      this.count("rekey.simultaneous_yielded");
    }
    if (info.oldSpi !== a.spiOut) return this.drop("bad_esp_info", pkt, from);
    if (pair) pair = { ...pair, outbound: { ...pair.outbound, spi: info.newSpi } };
    else if (dhp) {
      // §6.9.1 steps 1-2: our own new key (same group); the new KEYMAT's pair at index 0.
      ourDh = this.host.crypto.dhKey(this.host.rng, a.dhGroup);
      const kij = this.host.crypto.ecdhNow(ourDh, dhp.publicValue);
      if (!kij) {
        ourDh.secret.fill(0);
        return this.drop("bad_dh_value", pkt, from);
      }
      ourDh.secret.fill(0);
      const spi = this.host.allocSpi(a);
      const got = a.newKeymatPair(kijIkm(a.profile, kij), spi, info.newSpi);
      if (!got) {
        this.host.releaseSpi(spi);
        return this.drop("keymat_exhausted", pkt, from);
      }
      ({ pair, keymat } = got);
      a.peerDhPublic = dhp.publicValue.slice();
      a.pushEvent({ type: "sa-add", peerHit: a.peerHit, sa: pair.inbound });
      this.count("rekey.dh.answered");
    } else {
      // A peer-named index is refused when reused, overlapping or below what was drawn (no
      // NOTIFY: RFC 7402 §6.9 names none; the peer's UPDATE times out and it rekeys later).
      const spi = this.host.allocSpi(a);
      const got = a.claimSaPair(info.keymatIndex, spi, info.newSpi);
      if (typeof got === "string") {
        this.host.releaseSpi(spi);
        return this.drop(got, pkt, from);
      }
      pair = got;
      a.pushEvent({ type: "sa-add", peerHit: a.peerHit, sa: pair.inbound });
    }
    const spi = pair.inbound.spi;
    const id = s.nextId++;
    const params: Param[] = [
      { kind: "ESP_INFO", keymatIndex: info.keymatIndex, oldSpi: a.spiIn, newSpi: spi },
      { kind: "SEQ", updateId: id },
      { kind: "ACK", updateIds: [peerId] },
    ];
    if (ourDh) params.push({ kind: "DIFFIE_HELLMAN", groupId: ourDh.group, publicValue: ourDh.publicValue });
    const reply = this.build(a, params);
    s.lastReply = reply;
    s.ex = this.arm(now, a, { role: "responder", index: info.keymatIndex, newSpiIn: spi, ourId: id, packet: reply, pair, keymat });
    this.count("rekey.answered");
    return true;
  }

  /**
   * The initiator's half of §6.10 with a new Diffie-Hellman: Kij of our new key and the peer's
   * new one (its old one when the reply brought none, step 1), the new KEYMAT and its pair at
   * index 0, then the switch. A drop reason when the peer's value or group is bad.
   */
  private finishDh(now: Millis, s: PeerState, ex: Exchange, own: DhKeyPair, dhp: DiffieHellmanParam | undefined, peerSpi: number): string | undefined {
    const a = s.assoc;
    if (dhp && dhp.groupId !== own.group) return "bad_dh_group";
    const peerPublic = dhp?.publicValue ?? a.peerDhPublic;
    if (!peerPublic) return "missing_param";
    const kij = this.host.crypto.ecdhNow(own, peerPublic);
    if (!kij) return "bad_dh_value";
    own.secret.fill(0);
    ex.dh = undefined;
    const got = a.newKeymatPair(kijIkm(a.profile, kij), ex.newSpiIn, peerSpi);
    if (!got) {
      s.ex = undefined;
      this.abandon(s, ex);
      return "keymat_exhausted";
    }
    if (dhp) a.peerDhPublic = dhp.publicValue.slice();
    this.complete(now, s, got.pair, got.keymat);
    return undefined;
  }

  /** Our exchange is given up (the peer's simultaneous request wins, or no answer): its new
   * inbound SA goes if it was announced, its SPI and new secrets are released. */
  private abandon(s: PeerState, ex: Exchange): void {
    const a = s.assoc;
    if (ex.pair) a.pushEvent({ type: "sa-delete", peerHit: a.peerHit, direction: "in", spi: ex.newSpiIn });
    this.host.releaseSpi(ex.newSpiIn);
    ex.dh?.secret.fill(0);
    ex.keymat?.destroy();
  }

  /** Switch to the new pair: `sa-rekey` (a new inbound SA not announced yet is in it too); the
   * old inbound SPI lingers for late packets. A new KEYMAT becomes the association's. */
  private complete(now: Millis, s: PeerState, pair: SaPair, keymat?: Keymat): void {
    const a = s.assoc;
    if (keymat) a.adoptKeymat(keymat, pair);
    const oldIn = a.spiIn;
    const oldOut = a.spiOut;
    a.spiIn = pair.inbound.spi;
    a.spiOut = pair.outbound.spi;
    s.ex = undefined;
    s.linger.push({ spi: oldIn, by: now + this.lingerMs });
    this.count("rekey.done");
    a.pushEvent({ type: "sa-rekey", peerHit: a.peerHit, inbound: pair.inbound, outbound: pair.outbound, oldInboundSpi: oldIn, oldOutboundSpi: oldOut });
  }

  private arm(now: Millis, a: Association, ex: Omit<Exchange, "tries" | "interval" | "nextAt">): Exchange {
    const interval = this.host.cfg.retransmit.initialMs;
    a.queueControl(now, ex.packet);
    return { ...ex, tries: 1, interval, nextAt: now + interval };
  }

  /** UPDATE with `params` (ascending), HIP_MAC and HIP_SIGNATURE (RFC 7401 §5.3.5). */
  private build(a: Association, params: Param[]): Uint8Array {
    const pkt = authenticate(
      { packetType: PacketType.UPDATE, controls: 0, senderHit: a.localHit, receiverHit: a.peerHit, params },
      { hash: a.rhash, macKey: a.macKeyOut, signer: a.signer },
    );
    return emitPacket(pkt);
  }

  private state(a: Association): PeerState {
    const k = hitKey(a.peerHit);
    let s = this.peers.get(k);
    if (!s || s.assoc !== a) {
      s = { assoc: a, nextId: 0, lastRxId: -1, lastReply: undefined, ex: undefined, hb: undefined, silentSince: undefined, linger: [] };
      this.peers.set(k, s);
    }
    return s;
  }

  private drop(reason: string, pkt: HipPacket, from: Locator): true {
    this.count(`rekey.drop.${reason}`);
    this.host.drop(reason, pkt, from);
    return true;
  }

  private count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
}
