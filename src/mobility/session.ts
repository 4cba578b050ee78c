// Per-association readdressing state machine (draft §4.2-§4.3, §5.3, §6.4-§6.5), sans-I/O:
// handle*(now, …) feed it, pollTransmit/pollEvent/pollTimeout drain it (ARCHITECTURE.md).
// This file: inputs, outputs and path liveness; the state is SessionState (session-state.ts),
// the REA / AC / ACR exchange ReaAcExchange (session-exchange.ts).
import type { Locator, Millis, Transmit } from "../core/types.ts";
import { locatorKey, sameLocator } from "../core/types.ts";
import { ESP_MIN_BYTES } from "./credit.ts";
import { familyOf } from "./model.ts";
import { pathKey } from "./paths.ts";
import { nextReaId } from "./rtt.ts";
import { ReaAcExchange } from "./session-exchange.ts";
import { HISTORY, relayed, type SentRea } from "./session-state.ts";
import type { MobilityEvent, Path } from "./types.ts";

export type { SessionOptions } from "./session-state.ts";

export class MobilitySession extends ReaAcExchange {
  // pollTimeout's value is cached between inputs: a server polls every session once per
  // event-loop turn, and only the inputs below (handle*, dataPath, probeNow) change timers.
  // Our own address changes are seen by comparing generations, as before.
  private due: Millis | undefined;
  private dueStale = true;

  // ---- inputs ----

  /** Our addresses changed (§6.4): one REA carries an REA_INFO per changed interface. */
  handleLocalChange(now: Millis): void {
    this.dueStale = true;
    this.seenGeneration = this.local.generation;
    const changed: number[] = [];
    for (const itf of this.local.interfaces.values()) {
      if (this.announced.get(itf.id) === itf.version) continue;
      if (itf.hidden && !this.announced.has(itf.id)) continue; // never shown: stays unknown (§3.2)
      changed.push(itf.id);
    }
    this.holdReturning(now);
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

  /** A HIP packet of type REA/AC/ACR arrived on this association; true when it was authentic and accepted. */
  handlePacket(now: Millis, data: Uint8Array, from: Locator, to: Locator): boolean {
    this.dueStale = true;
    this.syncLocal(now);
    const r = this.ctx.open(data, from, to);
    if (!r.ok) {
      this.reject(now, r.reason, from);
      return false;
    }
    const m = r.msg;
    this.rejectedNow = false;
    if (m.type === "REA") this.onRea(now, m.infos, m.espDatagram, from, to, data.length);
    else if (m.type === "AC") this.onAc(now, m.ac, from, to);
    else this.onAcr(now, m.ac, from);
    // RFC 9000 §8.1: accepted, authenticated bytes from a credited address raise its limit.
    if (!this.rejectedNow && !this.grantedNow) this.creditReceived(from, data.length);
    if (!this.rejectedNow) this.heard(now);
    if (!this.rejectedNow && !this.peer.find(from)) this.observeSource(now, from, to);
    this.grantedNow = false;
    this.probeInterfaces(now);
    return !this.rejectedNow;
  }

  /**
   * An authentic ESP datagram arrived (SPI and ICV checked by the data plane); `bytes` is its
   * wire size when the data plane knows it (else a lower bound counts toward source credit).
   */
  handleEspInbound(now: Millis, from: Locator, to?: Locator, bytes = ESP_MIN_BYTES): void {
    this.dueStale = true;
    if (this.unreachable === undefined) this.heardAt = now;
    else this.heard(now);
    this.creditReceived(from, bytes);
    let known = this.peer.findAddr(from);
    if (!known) {
      this.observeSource(now, from, to);
      known = this.peer.findAddr(from);
    }
    if (known?.verifiedAt === undefined) return;
    if (this.paths.noteHeard(from, now, to)) this.reselect(now, "path-recovered");
  }

  handleTimeout(now: Millis): void {
    this.dueStale = true;
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
  dataPath(now: Millis, bytes = this.policy.sourceCreditDatagramBytes, settle = true): Path | undefined {
    this.dueStale = true;
    // Our addresses changed and the REA has not gone out yet (it does at the next timeout): the
    // path may leave from an address we gave up. Decide now (REA, reselect), so this datagram
    // takes a path that exists, or none (the runtime holds it until one does). Not with `settle`
    // false: a datagram to ride in that REA is still being sealed (a Worker), and the old path
    // (its address drains) serves meanwhile.
    if (settle && this.moving) this.syncLocal(now);
    this.paths.noteSend(now);
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

  /** True when a transmit or an event waits (pollTransmit / pollEvent would return one). */
  get hasOutput(): boolean {
    return this.transmits.length > 0 || this.events.length > 0;
  }

  pollTransmit(): Transmit | undefined {
    return this.transmits.shift();
  }

  pollEvent(): MobilityEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): Millis | undefined {
    if (this.dueStale) {
      this.dueStale = false;
      this.due = this.earliestDue();
    }
    // Our addresses changed: handleTimeout now (it runs handleLocalChange via syncLocal).
    if (this.seenGeneration !== this.local.generation) return this.due === undefined ? 0 : Math.min(this.due, 0);
    return this.due;
  }

  private earliestDue(): Millis | undefined {
    let t = Number.POSITIVE_INFINITY;
    for (const r of this.sent) if (!r.acked) t = Math.min(t, r.nextAt);
    for (const p of this.probes.values()) t = Math.min(t, p.nextAt);
    for (const r of this.recovery.values()) t = Math.min(t, r.at);
    t = Math.min(t, this.peer.nextExpiry() ?? t, this.paths.nextCheck() ?? t);
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
    return this.peer.interfaceOf(to)?.spi;
  }

  /**
   * Authenticated traffic from a source the peer never announced: a NAT rebinding (or an attacker
   * rewriting sources). Checked with an AC like any new address (§5.3); data moves only after the
   * ACR (adoptObserved). Bounded by `maxObserved` and the probe budget (§8).
   */
  private observeSource(now: Millis, from: Locator, at?: Locator): void {
    const cur = this.paths.path;
    if (!this.policy.followRebinding || !cur || familyOf(cur.to) !== familyOf(from)) return;
    for (const k of this.observed) if (!this.probes.has(k)) this.observed.delete(k); // check over
    if (this.observed.size >= this.policy.maxObserved) {
      this.counters.probesSuppressed++;
      return;
    }
    const a = this.peer.observe(from, cur.to, relayed(this.local, at));
    if (!a) return;
    if (!this.sendAc(now, from, this.lastPeerReaId ?? 0, false, cur.from)) {
      a.status = "deprecated";
      a.expiresAt = now;
      return;
    }
    this.observed.add(locatorKey(from));
    this.probes.set(locatorKey(from), { attempts: 1, nextAt: now + this.rtt.rto(0), mismatches: 0 });
  }

  // ---- path liveness ----

  /** Our FA came back (it probed us after a silence): suspect paths are re-probed now, not at the
   *  next recovery tick (src/runtime/privacy.ts; docs/PROTOCOL.md §9.1). */
  probeNow(now: Millis): void {
    this.dueStale = true;
    for (const r of this.recovery.values()) r.at = Math.min(r.at, now);
    this.liveness(now);
  }

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
    const u = this.unreachable;
    if (u && u.at < this.paths.activeSince) {
      u.at = this.paths.activeSince; // idle meanwhile: the give-up clock and its probes start again
      u.probes = 0;
    }
    if (u && this.policy.peerDeadMs > 0 && u.probes >= 3 && now - u.at >= this.policy.peerDeadMs) {
      this.giveUp(now);
      return;
    }
    if (s === "probe") {
      this.paths.livenessSentAt = now;
      if (this.sendAc(now, p.to, this.lastPeerReaId ?? 0, true, p.from) && u) u.probes++;
      return;
    }
    this.paths.markSuspect(p);
    this.recovery.set(pathKey(p), { at: now + 2 * this.policy.failoverTimeoutMs, left: 8, path: p });
    this.failAddress(now, p.to, "silent");
    if (this.paths.path === p) this.paths.since = now; // no alternative: restart the silence clock
    this.paths.livenessSentAt = now;
    const sent = this.sendAc(now, p.to, this.lastPeerReaId ?? 0, true);
    const np = this.paths.path;
    if (np && !this.paths.isSuspect(np)) return; // failed over to a path not yet known silent
    if (this.unreachable) {
      if (sent) this.unreachable.probes++;
      return;
    }
    this.unreachable = { at: now, probes: sent ? 1 : 0 };
    this.counters.peerUnreachable++;
    this.events.push({ type: "peer-unreachable", t: now, silentMs: now - this.heardAt });
  }

  /** peerDeadMs of silence while unreachable and sending (policy.ts): the extension drops the association. */
  private giveUp(now: Millis): void {
    this.unreachable = undefined;
    this.counters.peerDead++;
    this.events.push({ type: "peer-dead", t: now, silentMs: now - this.heardAt });
  }

  /**
   * Make-before-break on return (§3.3, §7): an interface that came back up carries data only
   * after an AC from it was answered — a link that just got its carrier back may not pass packets
   * yet (the kernel activates it, neighbours re-resolve). Its paths start suspect; the ACR
   * (noteHeard) revives them and data returns to the preferred interface then. With no other
   * path the suspect one is still the best there is and is used at once. A brand-new interface
   * is not held (make-before-break moves at once, ESP inside the REA, §6.1.1).
   */
  private holdReturning(now: Millis): void {
    const prev = this.usableIfs;
    this.usableIfs = new Set(this.local.usable().map((u) => u.ifId));
    const returning = [...this.usableIfs].filter((id) => !prev.has(id) && this.everUsableIfs.has(id));
    for (const id of this.usableIfs) this.everUsableIfs.add(id);
    const cur = this.paths.path;
    if (!cur || returning.length === 0) return;
    const curIf = this.local.interfaceOf(cur.from)?.id;
    for (const u of this.local.usable(familyOf(cur.to))) {
      if (!returning.includes(u.ifId) || u.ifId === curIf) continue;
      for (const { addr } of this.peer.all()) {
        if (addr.verifiedAt === undefined || familyOf(addr.locator) !== familyOf(cur.to)) continue;
        const path = { from: u.addr.locator, to: addr.locator };
        this.paths.markSuspect(path);
        this.recovery.set(pathKey(path), { at: now + this.rtt.rto(0), left: 8, path });
      }
      this.sendAc(now, cur.to, this.lastPeerReaId ?? 0, true, u.addr.locator);
    }
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
}
