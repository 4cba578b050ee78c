// Per-association readdressing state machine (draft §4.2-§4.3, §5.3, §6.4-§6.5), sans-I/O:
// handle*(now, …) feed it, pollTransmit/pollEvent/pollTimeout drain it (ARCHITECTURE.md).
import type { Locator, Millis, Rng, Transmit } from "../core/types.ts";
import { locatorKey, sameLocator } from "../core/types.ts";
import { ProbeBudget } from "./budget.ts";
import { ESP_MIN_BYTES, SourceCredit } from "./credit.ts";
import type { MobilityContext } from "./context.ts";
import { familyOf, type LocalModel, PeerModel } from "./model.ts";
import { PathSelector, pathKey } from "./paths.ts";
import type { MobilityPolicy } from "./policy.ts";
import { nextReaId, RttEstimator, serial16Gt, since32, timestamp32 } from "./rtt.ts";
import type { AcInfo, Path, MobilityCounters, MobilityEvent, ReaInfo, RejectReason } from "./types.ts";
import { newCounters } from "./types.ts";

interface SentRea {
  reaId: number;
  interfaces: number[];
  listed: Locator[];
  firstSentAt: Millis;
  attempts: number;
  nextAt: Millis;
  acked: boolean;
  /** The last attempt found no path: send as soon as one appears. */
  unsent?: boolean;
  esp?: Uint8Array;
}

interface PendingAc {
  to: Locator;
  from: Locator;
  reaId: number;
  timestamp: number;
  liveness: boolean;
}

interface Probe {
  attempts: number;
  nextAt: Millis;
  mismatches: number;
}

export interface SessionOptions {
  ctx: MobilityContext;
  local: LocalModel;
  policy: MobilityPolicy;
  rng: Rng;
  now: Millis;
  /** The peer locator used in the base exchange (implicitly verified by it). */
  peerLocator?: Locator;
  /** Our locator in the base exchange: the peer already knows it, so a host with no other address has nothing to announce. */
  localLocator?: Locator;
}

const HISTORY = 8;

export class MobilitySession {
  readonly peer: PeerModel;
  readonly paths: PathSelector;
  readonly rtt: RttEstimator;
  readonly counters: MobilityCounters = newCounters();
  readonly budget: ProbeBudget;
  /** Data allowed before the ACR to an REA's own source address (policy `sourceCredit`). */
  readonly credit: SourceCredit;
  /** Smoothed RTT per local interface, from ACRs to ACs sent from it (input to saLayout, §4.5). */
  readonly interfaceRtt = new Map<number, Millis>();
  private readonly probedInterfaces = new Set<number>();
  private readonly ctx: MobilityContext;
  private readonly local: LocalModel;
  private readonly policy: MobilityPolicy;
  private readonly rng: Rng;
  private readonly announced = new Map<number, number>();
  private readonly announcedSpi = new Map<number, number>();
  private seenGeneration = -1;
  private reaId: number;
  private readonly sent: SentRea[] = [];
  private lastPeerReaId: number | undefined;
  private readonly pendingAcs = new Map<number, PendingAc>();
  private readonly answeredAcs = new Set<number>();
  /** AC IDs of the peer's ACs we answered: a repeat is a replay or a network duplicate. */
  private readonly peerAcIds = new Set<number>();
  private readonly probes = new Map<string, Probe>();
  private readonly transmits: Transmit[] = [];
  private readonly events: MobilityEvent[] = [];
  private espForRea: Uint8Array | undefined;
  /** Recovery probes of suspect (silent) addresses: next time and probes left. */
  private readonly recovery = new Map<string, { at: Millis; left: number; path: Path }>();
  /** Set by reject(): the packet being handled was not accepted. */
  private rejectedNow = false;
  /** Set by onRea(): the REA being handled started source credit (its bytes are counted). */
  private grantedNow = false;

  constructor(o: SessionOptions) {
    this.ctx = o.ctx;
    this.local = o.local;
    this.policy = o.policy;
    this.rng = o.rng;
    this.peer = new PeerModel(o.peerLocator, o.ctx.spis().outbound, o.now);
    this.credit = new SourceCredit(o.policy.sourceCreditFactor);
    this.paths = new PathSelector(o.local, this.peer, o.policy, (to) => o.policy.sourceCredit && this.credit.has(to));
    this.rtt = new RttEstimator(o.policy.initialRtoMs, o.policy.minRtoMs, o.policy.maxRtoMs);
    this.budget = new ProbeBudget(o.policy.budget);
    this.reaId = this.random16() & 0x7fff;
    // §5.3: REAs tell the peer about changed or additional addresses. A host whose only address is
    // the one the base exchange ran on has nothing to tell (and a plain RFC 7401 peer is spared
    // packet types it does not know).
    const announce = o.policy.announceAtStart && (o.policy.announceSingleAddress || !onlyAddressIs(o.local, o.localLocator));
    if (!announce) for (const itf of o.local.interfaces.values()) this.announced.set(itf.id, itf.version);
    this.seenGeneration = announce ? -1 : o.local.generation;
    this.reselect(o.now, "base-exchange");
  }

  // ---- inputs ----

  /** Our addresses changed (§6.4): one REA carries an REA_INFO per changed interface. */
  handleLocalChange(now: Millis): void {
    this.seenGeneration = this.local.generation;
    const changed: number[] = [];
    for (const itf of this.local.interfaces.values()) {
      if (this.announced.get(itf.id) === itf.version) continue;
      if (itf.hidden && !this.announced.has(itf.id)) continue; // never shown: stays unknown (§3.2)
      changed.push(itf.id);
    }
    this.reselect(now, "local-change");
    this.reprobe(now);
    if (changed.length === 0) return;
    // An unacknowledged REA is superseded: its interfaces ride along in the new one.
    const pending = this.sent.find((r) => !r.acked && r.nextAt !== Number.POSITIVE_INFINITY);
    const ids = new Set(changed);
    if (pending) for (const id of pending.interfaces) ids.add(id);
    for (const r of this.sent) if (!r.acked) r.nextAt = Number.POSITIVE_INFINITY;
    for (const id of ids) this.announced.set(id, this.local.interfaces.get(id)?.version ?? 0);
    this.reaId = nextReaId(this.reaId);
    const rea: SentRea = { reaId: this.reaId, interfaces: [...ids].sort((a, b) => a - b), listed: [], firstSentAt: now, attempts: 0, nextAt: now, acked: false };
    if (this.policy.embedEspInRea && this.espForRea) rea.esp = this.espForRea;
    this.espForRea = undefined;
    this.sent.push(rea);
    if (this.sent.length > HISTORY) this.sent.shift();
    this.transmitRea(now, rea);
  }

  /** Offer one ESP datagram to ride inside the next REA (§6.1.1). */
  offerEspForRea(data: Uint8Array): void {
    this.espForRea = data;
  }

  /** True while an offered ESP datagram waits for the next REA. */
  get hasEspForRea(): boolean {
    return this.espForRea !== undefined;
  }

  /** A HIP packet of type REA/AC/ACR arrived on this association. */
  handlePacket(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    this.syncLocal(now);
    const r = this.ctx.open(data, from, to);
    if (!r.ok) {
      this.reject(now, r.reason, from);
      return;
    }
    const m = r.msg;
    this.rejectedNow = false;
    if (m.type === "REA") this.onRea(now, m.infos, m.espDatagram, from, to, data.length);
    else if (m.type === "AC") this.onAc(now, m.ac, from, to);
    else this.onAcr(now, m.ac, from);
    // RFC 9000 §8.1: accepted, authenticated bytes from a credited address raise its limit.
    if (!this.rejectedNow && !this.grantedNow) this.creditReceived(from, data.length);
    this.grantedNow = false;
    this.probeInterfaces(now);
  }

  /**
   * An authentic ESP datagram arrived (SPI and ICV checked by the data plane); `bytes` is its
   * wire size when the data plane knows it (else a lower bound counts toward source credit).
   */
  handleEspInbound(now: Millis, from: Locator, to?: Locator, bytes = ESP_MIN_BYTES): void {
    this.creditReceived(from, bytes);
    if (this.peer.find(from)?.addr.verifiedAt === undefined) return;
    if (this.paths.noteHeard(from, now, to)) this.reselect(now, "path-recovered");
  }

  handleTimeout(now: Millis): void {
    this.syncLocal(now);
    for (const r of this.sent) {
      if (r.acked || r.nextAt > now) continue;
      if (r.attempts >= this.policy.maxReaAttempts) {
        r.nextAt = Number.POSITIVE_INFINITY;
        this.events.push({ type: "rea-failed", t: now, reaId: r.reaId });
      } else this.transmitRea(now, r);
    }
    for (const [k, p] of [...this.probes]) if (p.nextAt <= now) this.retryProbe(now, k, p);
    const gone = this.peer.expire(now);
    for (const a of gone) if (a.status !== "deprecated") this.events.push({ type: "address-failed", t: now, locator: a.locator, reason: "expired" });
    if (gone.length) this.reselect(now, "expired");
    this.liveness(now);
    this.probeInterfaces(now);
  }

  /**
   * The data path for the next ESP datagram of `bytes` wire bytes (default: the policy's upper
   * bound); calling it marks the path as in use. A path to an unverified address exists only on
   * source credit, and the datagram is charged to it (RFC 9000 §8.1); one that does not fit goes
   * on the best verified path instead (none: undefined), the selection stays.
   */
  dataPath(now: Millis, bytes = this.policy.sourceCreditDatagramBytes): Path | undefined {
    this.paths.lastSendAt = now;
    const p = this.paths.path;
    if (!p || this.verified(p.to)) return p;
    if (this.credit.spend(p.to, bytes)) {
      this.counters.creditDatagrams++;
      this.counters.creditBytes += bytes;
      return p;
    }
    return this.paths.candidates().find((c) => this.verified(c.path.to))?.path;
  }

  // ---- outputs ----

  pollTransmit(): Transmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): MobilityEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Millis | undefined {
    let t = Number.POSITIVE_INFINITY;
    for (const r of this.sent) if (!r.acked) t = Math.min(t, r.nextAt);
    for (const p of this.probes.values()) t = Math.min(t, p.nextAt);
    for (const r of this.recovery.values()) t = Math.min(t, r.at);
    t = Math.min(t, this.peer.nextExpiry() ?? t, this.paths.nextCheck() ?? t);
    if (this.seenGeneration !== this.local.generation) t = Math.min(t, 0);
    return Number.isFinite(t) ? t : undefined;
  }

  get path(): Path | undefined {
    return this.paths.path;
  }

  /** True when our addresses changed after the initial announcement: an REA for a move is about to go out. */
  get moving(): boolean {
    return this.seenGeneration >= 0 && this.seenGeneration !== this.local.generation;
  }

  /** True when our addresses changed since the last REA decision (an REA is about to go out). */
  get localChanged(): boolean {
    return this.seenGeneration !== this.local.generation;
  }

  /** The peer's SPI for sending to `to` (its interface's SA, §4.5), if known. */
  spiFor(to: Locator): number | undefined {
    return this.peer.find(to)?.itf.spi;
  }

  // ---- REA ----

  private transmitRea(now: Millis, r: SentRea): void {
    const infos: ReaInfo[] = r.interfaces.map((id) => {
      // §4.5 / §6.1.1.1: New SPI differs from Current SPI when this interface gets its own SA.
      const s = this.ctx.spis(id);
      const cur = this.announcedSpi.get(id) ?? this.ctx.spis().inbound;
      this.announcedSpi.set(id, s.inbound);
      return { interfaceId: id, currentSpiReverse: s.outbound, currentSpi: cur, newSpi: s.inbound, keymatIndex: s.keymatIndex ?? 0, reaId: r.reaId, addresses: this.local.reaAddresses(id, now) };
    });
    r.listed = infos.flatMap((i) => i.addresses.map((a) => a.locator));
    // Retransmissions rotate over the verified paths, so a dead path does not block the REA.
    const cands = this.paths.candidates().map((c) => c.path);
    const path = r.attempts === 0 ? (this.paths.path ?? cands[0]) : cands[r.attempts % Math.max(1, cands.length)];
    const retransmit = r.attempts > 0;
    r.attempts++;
    r.nextAt = now + this.rtt.rto(r.attempts - 1);
    r.unsent = !path;
    if (!path) return;
    const esp = retransmit ? undefined : r.esp;
    let to = path;
    let data = this.ctx.seal({ type: "REA", infos, ...(esp ? { espDatagram: esp } : {}) }, to.from, to.to);
    // On a path held by source credit, the REA is charged to it too; else a verified path takes it.
    const alt = cands.find((c) => this.verified(c.to));
    if (!this.verified(to.to) && !this.credit.spend(to.to, data.length)) {
      if (!alt) {
        r.unsent = true;
        return;
      }
      to = alt;
      data = this.ctx.seal({ type: "REA", infos, ...(esp ? { espDatagram: esp } : {}) }, to.from, to.to);
    }
    this.transmits.push({ from: to.from, to: to.to, data });
    this.counters.reaSent++;
    if (retransmit) this.counters.reaRetransmits++;
    this.events.push({ type: "rea-sent", t: now, reaId: r.reaId, interfaces: r.interfaces, to: to.to, retransmit });
  }

  private onRea(now: Millis, infos: ReaInfo[], esp: Uint8Array | undefined, from: Locator, to: Locator, bytes: number): void {
    this.counters.reaReceived++;
    const id = infos[0]?.reaId;
    if (id === undefined || infos.some((i) => i.reaId !== id)) {
      this.reject(now, "malformed", from);
      return;
    }
    const listed = infos.flatMap((i) => i.addresses.map((a) => a.locator));
    if (this.lastPeerReaId !== undefined && id === this.lastPeerReaId) {
      // Our AC was lost: acknowledge again (probes stay within the budget).
      this.counters.reaDuplicates++;
      this.events.push({ type: "peer-rea", t: now, reaId: id, added: [], lost: [], duplicate: true });
      let acked = false;
      for (const l of listed) {
        const verified = this.peer.find(l)?.addr.verifiedAt !== undefined;
        if (!verified && this.probes.has(locatorKey(l))) continue; // its own AC retransmission runs
        if (this.sendAc(now, l, id, false) && verified) acked = true;
      }
      if (!acked) this.ackVerified(now, from, id);
      return;
    }
    if (this.lastPeerReaId !== undefined && !serial16Gt(id, this.lastPeerReaId)) {
      this.reject(now, "replayed-rea", from);
      return;
    }
    this.lastPeerReaId = id;
    // Source credit (policy, beyond the draft): only the REA's own source, and only if listed.
    const credit = this.policy.sourceCredit && listed.some((l) => sameLocator(l, from)) && this.peer.find(from)?.addr.verifiedAt === undefined;
    const added: Locator[] = [];
    const lost: Locator[] = [];
    for (const info of infos) {
      const r = this.peer.apply(info, now, this.policy.deprecatedGraceMs, this.policy.trustPeer);
      for (const a of r.added) added.push(a.locator);
      for (const a of r.lost) lost.push(a.locator);
    }
    this.events.push({ type: "peer-rea", t: now, reaId: id, added, lost, duplicate: false });
    if (credit && this.peer.find(from)?.addr.status === "unverified") {
      this.credit.grant(from, bytes);
      this.grantedNow = true;
      this.events.push({ type: "address-credited", t: now, locator: from });
    }
    if (esp) this.events.push({ type: "esp-datagram", t: now, data: esp, from, to });
    // §4.3: the AC goes to every listed address; it also acknowledges the REA (§6.1.2).
    let unverified = 0;
    let acked = false;
    for (const l of listed) {
      const a = this.peer.find(l)?.addr;
      if (a?.verifiedAt === undefined && ++unverified > this.policy.maxUnverified) {
        this.counters.probesSuppressed++;
        continue;
      }
      const sent = this.sendAc(now, l, id, false);
      if (sent && a?.verifiedAt === undefined) this.probes.set(locatorKey(l), { attempts: 1, nextAt: now + this.rtt.rto(0), mismatches: 0 });
      else if (sent) acked = true;
    }
    this.reselect(now, "peer-rea");
    // The REA must be acknowledged even when it lists no verified address (interface down,
    // probes suppressed): one AC to a verified address of the peer (§6.1.2 implicit ack).
    if (!acked) this.ackVerified(now, from, id);
  }

  private ackVerified(now: Millis, from: Locator, reaId: number): void {
    const to = this.verified(from) ? from : this.paths.candidates().find((c) => this.verified(c.path.to))?.path.to;
    if (to) this.sendAc(now, to, reaId, false);
  }


  // ---- AC / ACR ----

  private sendAc(now: Millis, to: Locator, reaId: number, liveness: boolean, via?: Locator): boolean {
    const fam = familyOf(to);
    const cur = this.paths.path;
    const from = via && this.local.owns(via) ? via : cur && familyOf(cur.from) === fam && this.local.owns(cur.from) ? cur.from : this.local.usable(fam)[0]?.addr.locator;
    if (!from) return false;
    let acId = this.random16();
    while (this.pendingAcs.has(acId)) acId = (acId + 1) & 0xffff;
    const ac: AcInfo = { acId, reaId, timestamp: timestamp32(now) };
    const data = this.ctx.seal({ type: "AC", ac }, from, to);
    const verified = this.peer.find(to)?.addr.verifiedAt !== undefined;
    if (!verified) {
      if (!this.budget.charge(to, data.length, now)) {
        this.counters.probesSuppressed++;
        return false;
      }
      this.counters.probesToUnverified++;
      this.counters.bytesToUnverified += data.length;
      // The probe budget governs ACs; on a credited address they also count toward its 3× limit.
      this.credit.spend(to, data.length);
    }
    this.pendingAcs.set(acId, { to, from, reaId, timestamp: ac.timestamp, liveness });
    if (this.pendingAcs.size > 256) this.pendingAcs.delete(this.pendingAcs.keys().next().value!);
    this.transmits.push({ from, to, data });
    this.counters.acSent++;
    if (liveness) this.counters.acLiveness++;
    this.events.push({ type: "ac-sent", t: now, to, acId, reaId, liveness });
    return true;
  }

  private retryProbe(now: Millis, key: string, p: Probe): void {
    const a = this.peer.all().find((x) => locatorKey(x.addr.locator) === key)?.addr;
    if (!a || a.verifiedAt !== undefined || a.status !== "unverified") {
      this.probes.delete(key);
      return;
    }
    if (p.attempts >= this.policy.maxAcAttempts || !this.sendAc(now, a.locator, this.lastPeerReaId ?? 0, false)) {
      this.probes.delete(key);
      this.failAddress(now, a.locator, p.attempts >= this.policy.maxAcAttempts ? "no-acr" : "budget");
      return;
    }
    p.nextAt = now + this.rtt.rto(p.attempts);
    p.attempts++;
  }

  private onAc(now: Millis, ac: AcInfo, from: Locator, to: Locator): void {
    this.counters.acReceived++;
    if (!this.local.owns(to)) {
      this.reject(now, "ac-to-foreign-address", from);
      return;
    }
    // §5.3: an AC matching no REA we sent MUST be dropped. REA ID 0 stands for the base
    // exchange locators (liveness probes before any REA; docs/PROTOCOL.md §8).
    const rea = this.sent.find((r) => r.reaId === ac.reaId);
    if (ac.reaId !== 0 && !rea) {
      this.reject(now, "unmatched-ac", from);
      return;
    }
    const acKey = (ac.acId << 16) | ac.reaId;
    if (this.peerAcIds.has(acKey)) {
      this.reject(now, "replayed-ac", from);
      return;
    }
    this.peerAcIds.add(acKey);
    if (this.peerAcIds.size > 512) this.peerAcIds.delete(this.peerAcIds.values().next().value!);
    if (rea && !rea.acked && rea.nextAt !== Number.POSITIVE_INFINITY) {
      const rtt = rea.attempts === 1 ? now - rea.firstSentAt : undefined; // Karn: only unambiguous samples
      if (rtt !== undefined) this.rtt.sample(rtt);
      for (const r of this.sent) if (!serial16Gt(r.reaId, rea.reaId)) r.acked = true;
      this.events.push({ type: "rea-acked", t: now, reaId: rea.reaId, rtt });
    }
    if (this.peer.find(from)?.addr.verifiedAt !== undefined && this.paths.noteHeard(from, now, to)) this.reselect(now, "path-recovered");
    // ACR answers from the probed address, echoing AC_INFO (§5.3).
    this.transmits.push({ from: to, to: from, data: this.ctx.seal({ type: "ACR", ac }, to, from) });
    this.counters.acrSent++;
    this.events.push({ type: "acr-sent", t: now, to: from, acId: ac.acId });
  }

  private onAcr(now: Millis, ac: AcInfo, from: Locator): void {
    this.counters.acrReceived++;
    const p = this.pendingAcs.get(ac.acId);
    if (!p || p.reaId !== ac.reaId || p.timestamp !== ac.timestamp) {
      if (this.answeredAcs.has(ac.acId)) {
        this.reject(now, "replayed-acr", from);
        return;
      }
      const probe = p ? this.probes.get(locatorKey(p.to)) : undefined;
      if (probe && ++probe.mismatches >= this.policy.maxAcrMismatch) {
        this.probes.delete(locatorKey(p!.to));
        this.failAddress(now, p!.to, "no-acr");
      }
      this.reject(now, "unmatched-acr", from);
      return;
    }
    if (!sameLocator(from, p.to)) {
      this.reject(now, "acr-wrong-source", from);
      return;
    }
    this.pendingAcs.delete(ac.acId);
    this.answeredAcs.add(ac.acId);
    if (this.answeredAcs.size > 256) this.answeredAcs.delete(this.answeredAcs.values().next().value!);
    const rtt = since32(now, ac.timestamp);
    this.rtt.sample(rtt);
    const itf = this.local.interfaceOf(p.from);
    if (itf) {
      const prev = this.interfaceRtt.get(itf.id);
      this.interfaceRtt.set(itf.id, prev === undefined ? rtt : 0.75 * prev + 0.25 * rtt);
    }
    const found = this.peer.find(p.to);
    if (found && found.addr.status === "unverified") {
      found.addr.status = "active";
      found.addr.verifiedAt = now;
      this.budget.clear(p.to);
      this.credit.clear(p.to);
      this.probes.delete(locatorKey(p.to));
      this.events.push({ type: "address-verified", t: now, locator: p.to, rtt });
    } else if (found && found.addr.verifiedAt === undefined) found.addr.verifiedAt = now;
    this.paths.noteHeard(p.to, now, p.from);
    this.reselect(now, p.liveness ? "path-recovered" : "address-verified");
  }

  // ---- helpers ----

  /**
   * One AC from each of our other interfaces to the peer's current (verified) address: its ACR
   * measures that interface's RTT, the input to the SA layout (§4.5) and a warm standby path.
   */
  private probeInterfaces(now: Millis): void {
    const cur = this.paths.path;
    if (!cur || this.rtt.srtt === undefined) return;
    for (const u of this.local.usable(familyOf(cur.to))) {
      if (this.probedInterfaces.has(u.ifId) || this.interfaceRtt.has(u.ifId)) continue;
      this.probedInterfaces.add(u.ifId);
      if (!sameLocator(u.addr.locator, cur.from)) this.sendAc(now, cur.to, this.lastPeerReaId ?? 0, true, u.addr.locator);
    }
  }

  private liveness(now: Millis): void {
    // A silent address is re-probed now and then, so traffic returns to it when it recovers.
    for (const [k, r] of [...this.recovery]) {
      if (!this.paths.isSuspect(r.path) || r.left <= 0) this.recovery.delete(k);
      else if (r.at <= now) {
        r.left--;
        r.at = now + 2 * this.policy.failoverTimeoutMs;
        this.sendAc(now, r.path.to, this.lastPeerReaId ?? 0, true, r.path.from);
      }
    }
    const s = this.paths.check(now);
    const p = this.paths.path;
    if (!p || s === "ok") return;
    if (s === "probe") {
      this.paths.livenessSentAt = now;
      this.sendAc(now, p.to, this.lastPeerReaId ?? 0, true, p.from);
      return;
    }
    this.paths.markSuspect(p);
    this.recovery.set(pathKey(p), { at: now + 2 * this.policy.failoverTimeoutMs, left: 8, path: p });
    this.failAddress(now, p.to, "silent");
    if (this.paths.path === p) this.paths.since = now; // no alternative: restart the silence clock
    this.paths.livenessSentAt = now;
    this.sendAc(now, p.to, this.lastPeerReaId ?? 0, true);
  }

  private failAddress(now: Millis, l: Locator, reason: "no-acr" | "silent" | "budget"): void {
    this.events.push({ type: "address-failed", t: now, locator: l, reason });
    const f = this.peer.find(l);
    if (f && f.addr.verifiedAt === undefined) {
      this.credit.clear(l);
      f.addr.status = "deprecated";
      f.addr.expiresAt = now;
    }
    this.reselect(now, `failover:${reason}`);
  }

  private reselect(now: Millis, reason: string): void {
    const prev = this.paths.path;
    if (!this.paths.reselect(now)) return;
    this.events.push({ type: "path-changed", t: now, path: this.paths.path, previous: prev, reason });
    if (!prev) for (const r of this.sent) if (r.unsent && !r.acked && r.nextAt !== Number.POSITIVE_INFINITY) this.transmitRea(now, r);
  }

  /** Unverified peer addresses we could not probe (no local address of their family) are probed now. */
  private reprobe(now: Millis): void {
    for (const { addr } of this.peer.all()) {
      const k = locatorKey(addr.locator);
      if (addr.status !== "unverified" || this.probes.has(k) || this.local.usable(familyOf(addr.locator)).length === 0) continue;
      if (this.sendAc(now, addr.locator, this.lastPeerReaId ?? 0, false)) this.probes.set(k, { attempts: 1, nextAt: now + this.rtt.rto(0), mismatches: 0 });
    }
  }

  private syncLocal(now: Millis): void {
    if (this.seenGeneration !== this.local.generation) this.handleLocalChange(now);
  }

  private creditReceived(from: Locator, bytes: number): void {
    this.credit.received(from, bytes);
  }

  private verified(l: Locator): boolean {
    return this.peer.find(l)?.addr.verifiedAt !== undefined;
  }

  private reject(now: Millis, reason: RejectReason, from: Locator): void {
    this.rejectedNow = true;
    this.counters.rejected[reason]++;
    this.events.push({ type: "rejected", t: now, reason, from });
  }

  private random16(): number {
    const b = this.rng.fill(new Uint8Array(2));
    return (b[0] << 8) | b[1];
  }
}

/** True when the model's one visible address is `l`. */
function onlyAddressIs(local: LocalModel, l: Locator | undefined): boolean {
  if (!l) return false;
  const addrs = [...local.interfaces.values()].filter((i) => i.up && !i.hidden).flatMap((i) => i.addresses);
  return addrs.length === 1 && sameLocator(addrs[0].locator, l);
}
