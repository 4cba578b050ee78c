// REA sending and receiving, AC / ACR handling (draft §4.2-§4.3, §5.3, §6.1.1-§6.1.2) of
// MobilitySession (session.ts). Sans-I/O (ARCHITECTURE.md).
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey, sameLocator } from "../core/types.ts";
import { SIGNATURE_PENDING } from "./context.ts";
import { BASE_EXCHANGE_INTERFACE, familyOf } from "./model.ts";
import { serial16Gt, since32, timestamp32 } from "./rtt.ts";
import { type Probe, type SentRea, SessionState } from "./session-state.ts";
import type { AcInfo, ReaInfo } from "./types.ts";

/** The REA / AC / ACR exchange; inputs, outputs and liveness are MobilitySession. */
export abstract class ReaAcExchange extends SessionState {
  // ---- REA ----

  protected transmitRea(now: Millis, r: SentRea): void {
    const infos: ReaInfo[] = r.interfaces.map((id) => {
      // §4.5 / §6.1.1.1: New SPI differs from Current SPI when this interface gets its own SA.
      const s = this.ctx.spis(id);
      r.currentSpi ??= new Map();
      let cur = r.currentSpi.get(id);
      if (cur === undefined) {
        cur = this.announcedSpi.get(id) ?? this.ctx.spis().inbound;
        r.currentSpi.set(id, cur);
        this.announcedSpi.set(id, s.inbound);
      }
      return { interfaceId: id, currentSpiReverse: s.outbound, currentSpi: cur, newSpi: s.inbound, keymatIndex: s.keymatIndex ?? 0, reaId: r.reaId, addresses: this.local.reaAddresses(id, now) };
    });
    r.listed = infos.flatMap((i) => i.addresses.map((a) => a.locator));
    // Retransmissions rotate over the verified paths, so a dead path does not block the REA.
    const cands = this.paths.candidates().map((c) => c.path);
    const path = r.attempts === 0 ? (this.paths.path ?? cands[0]) : cands[r.attempts % Math.max(1, cands.length)];
    const retransmit = r.attempts > 0;
    // The ESP datagram rides in the first copy that leaves (an attempt without a path sends
    // nothing: it was lost there when a move left no verified path for a moment).
    const esp = r.espSent ? undefined : r.esp;
    let data = path ? this.ctx.seal({ type: "REA", infos, ...(esp ? { espDatagram: esp } : {}) }, path.from, path.to) : undefined;
    // Our signature is being made (a crypto job: asynchronous providers). signatureReady sends
    // it; should the job be refused, the timer seals again.
    r.awaitingSignature = data === SIGNATURE_PENDING;
    if (r.awaitingSignature) {
      r.nextAt = now + this.rtt.rto(0);
      return;
    }
    r.attempts++;
    r.nextAt = now + this.rtt.rto(r.attempts - 1);
    r.unsent = !path;
    if (!path || !data) return;
    let to = path;
    // On a path held by source credit, the REA is charged to it too; else a verified path takes it.
    const alt = cands.find((c) => this.verified(c.to));
    if (!this.verified(to.to) && !this.credit.spend(to.to, data.length)) {
      if (!alt) {
        r.unsent = true;
        return;
      }
      to = alt;
      // The same bytes are signed (the signature leaves out the addresses): never pending here.
      data = this.ctx.seal({ type: "REA", infos, ...(esp ? { espDatagram: esp } : {}) }, to.from, to.to);
    }
    this.transmits.push({ from: to.from, to: to.to, data });
    if (esp) r.espSent = true;
    this.counters.reaSent++;
    if (retransmit) this.counters.reaRetransmits++;
    this.events.push({ type: "rea-sent", t: now, reaId: r.reaId, interfaces: r.interfaces, to: to.to, retransmit });
  }

  /**
   * An ESP datagram sealed to ride in the REA of a move (§6.1.1) came back from the data plane
   * after that REA was built (a Worker seals asynchronously). It rides in the REA after all when
   * no copy of it has left yet (no path so far: it goes with the first); true when taken.
   */
  carryInRea(esp: Uint8Array): boolean {
    const r = this.sent.at(-1);
    if (!r || r.acked || r.esp || r.espSent || r.nextAt === Number.POSITIVE_INFINITY || !(r.unsent || r.awaitingSignature)) return false;
    r.esp = esp;
    return true;
  }

  /** Our REA signatures made by crypto jobs are in: send the REAs that waited for them. */
  signatureReady(now: Millis): void {
    for (const r of this.sent) if (r.awaitingSignature && !r.acked && r.nextAt !== Number.POSITIVE_INFINITY) this.transmitRea(now, r);
  }

  protected onRea(now: Millis, infos: ReaInfo[], esp: Uint8Array | undefined, from: Locator, to: Locator, bytes: number): void {
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
    if (this.exceedsLimits(infos)) {
      this.reject(now, "limit", from);
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

  /** Would applying `infos` leave the peer with too many interfaces or addresses (limits.ts)? */
  private exceedsLimits(infos: ReaInfo[]): boolean {
    const ids = new Set(this.peer.interfaces.keys());
    ids.delete(BASE_EXCHANGE_INTERFACE);
    const listed = new Set<string>();
    for (const i of infos) {
      ids.add(i.interfaceId);
      for (const a of i.addresses) listed.add(locatorKey(a.locator));
    }
    // Addresses not listed stay (other interfaces), or linger deprecated when verified (§6.4).
    const named = new Set(infos.map((i) => i.interfaceId));
    let kept = 0;
    for (const { itf, addr } of this.peer.all()) if (!listed.has(locatorKey(addr.locator)) && (!named.has(itf.id) || addr.verifiedAt !== undefined)) kept++;
    return ids.size > this.limits.maxPeerInterfaces || listed.size + kept > this.limits.maxPeerAddresses;
  }

  protected ackVerified(now: Millis, from: Locator, reaId: number): void {
    // Not to an address the peer deprecated (one this REA or an earlier one left out): a peer that
    // moved has given it up, so the AC would only reach a socket that no longer answers for it
    // (our own hosts drop it as `ac-to-foreign-address`), one per move. With no other verified
    // address, the ACs to the listed addresses acknowledge the REA when they arrive.
    const live = (l: Locator): boolean => {
      const a = this.peer.findAddr(l);
      return a?.verifiedAt !== undefined && a.status !== "deprecated";
    };
    const to = live(from) ? from : this.paths.candidates().find((c) => live(c.path.to))?.path.to;
    if (to) this.sendAc(now, to, reaId, false);
  }

  // ---- AC / ACR ----

  protected sendAc(now: Millis, to: Locator, reaId: number, liveness: boolean, via?: Locator): boolean {
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

  protected retryProbe(now: Millis, key: string, p: Probe): void {
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

  protected onAc(now: Millis, ac: AcInfo, from: Locator, to: Locator): void {
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

  protected onAcr(now: Millis, ac: AcInfo, from: Locator): void {
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
      this.adoptObserved(now, p.to);
    } else if (found && found.addr.verifiedAt === undefined) found.addr.verifiedAt = now;
    this.paths.noteHeard(p.to, now, p.from);
    this.reselect(now, p.liveness ? "path-recovered" : "address-verified");
  }
}
