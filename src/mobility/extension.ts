/**
 * MobilityExtension: the REA / AC / ACR HipExtension (draft-nikander-hip-mm-00 §4-§6) that binds
 * one MobilitySession to every HIP association once its keys exist (`sa-install`), shares one
 * LocalModel (our interfaces) between them, and tells the runtime where each ESP datagram goes.
 * Sans-I/O like the core it plugs into (src/hip/host.ts contract):
 * - inputs: HIP packets of types REA (6), AC (9), ACR (10) through `handle`; authentic ESP through
 *   `espReceived` (liveness, §3.3); core events through `onEvent`; `handleTimeout(now)`; changes
 *   of `local` (our addresses) are noticed by the sessions on their next timeout (pollTimeout 0).
 * - outputs: packets through `Association.queueControl(now, packet, to, from)` (explicit source
 *   locator, §5.3 "ACR from the address the AC arrived at"); `pollEvent()` → MobilityNote (the
 *   session's events tagged with the peer HIT, incl. `esp-datagram` for the ESP inside an REA);
 *   SA changes as `sa-add` / `sa-delete` HIP events (per-interface SAs, §4.5, §6.1.1.1).
 * - `route(now, peerHit, bytes?)`: the (source, destination, outbound SPI) for the next ESP
 *   datagram, from `session.dataPath(now, bytes)` — `null` when no verified path exists (§6.5:
 *   never data to an unverified address). With policy `sourceCredit` (off by default) the REA's
 *   own source address may be used before its ACR within 3× the bytes received from it
 *   (RFC 9000 §8.1, §9.3): `bytes` (the sealed datagram's size) is charged to it; without it the
 *   policy's upper bound `sourceCreditDatagramBytes` is charged.
 * Per-interface SAs (§4.5): an interface gets its own inbound SA when its SPI must come from a
 * range (an FA lease on a shared IPv4 locator, `setSpiRange`, draft §4.4), or when saLayout()
 * puts it in another latency group than the fastest interface. Its keys are drawn at the KEYMAT
 * index announced in REA_INFO; the peer installs the matching outbound SA from that index.
 */
import type { Locator, Millis } from "../core/types.ts";
import type { Association } from "../hip/association.ts";
import { hitKey } from "../hip/hit.ts";
import type { HipHost } from "../hip/host.ts";
import type { HipEvent, HipExtension } from "../hip/types.ts";
import { PacketType } from "../wire/constants.ts";
import type { HipPacket } from "../wire/packet.ts";
import { ProbeBudget } from "./budget.ts";
import { type CodecKeys, mobilityContext } from "./codec.ts";
import type { MobilityContext } from "./context.ts";
import { LocalModel } from "./model.ts";
import { ReaSignatures } from "./rea-verify.ts";
import { makePolicy, type MobilityPolicy } from "./policy.ts";
import { saLayout } from "./sa.ts";
import { MobilitySession } from "./session.ts";
import type { MobilityEvent } from "./types.ts";

/** Interface ID of ordinary addresses when the caller does not group them. */
export const DEFAULT_INTERFACE = 1;
export { FA_INTERFACE } from "./types.ts";

/** An inclusive range of inbound SPIs (from an FA lease, draft §4.4). */
export interface SpiRange {
  /** Smallest SPI. */
  min: number;
  /** Largest SPI. */
  max: number;
}

/** A mobility event tagged with the peer it concerns (from {@link MobilityExtension.pollEvent}). */
export interface MobilityNote {
  /** The peer's HIT (16 bytes). */
  peerHit: Uint8Array;
  /** The session's event. */
  ev: MobilityEvent;
}

/** Where the next ESP datagram goes (from {@link MobilityExtension.route}). */
export interface MobilityRoute {
  /** Our source locator. */
  from: Locator;
  /** The peer's destination locator. */
  to: Locator;
  /** Outbound SPI for the destination's interface (§4.5); the base-exchange SPI when shared. */
  spi: number;
}

/** Options of {@link MobilityExtension}. */
export interface MobilityExtensionOptions {
  /** Our interfaces (shared by all associations); default: a new empty model. */
  local?: LocalModel;
  /** Readdressing and probing policy (defaults: `DEFAULT_POLICY`, src/mobility/policy.ts). */
  policy?: Partial<MobilityPolicy>;
}

interface OwnSa {
  spi: number;
  index: number;
}

interface Bound {
  assoc: Association;
  session: MobilitySession;
  /** Our own inbound SA per local interface (absent: the base-exchange SA is shared). */
  own: Map<number, OwnSa>;
  /** Replaced inbound SAs: deleted once the peer acknowledged an REA sent after `since`. */
  retiring: { spi: number; since: Millis; by: Millis }[];
  /** Extra outbound SAs installed for the peer's interfaces: SPI → KEYMAT index. */
  outExtra: Map<number, number>;
  /** REA signatures verified by crypto jobs (job mode), and the codec context they probe with. */
  sigs: ReaSignatures;
  ctx: MobilityContext;
  /** Peer SPIs whose KEYMAT index was refused (reused / overlapping / below the drawn mark):
   * SPI → that index; data to such an interface uses the base-exchange SA. */
  refused: Map<number, number>;
}

/** The association's HIP keys and identities as the REA/AC/ACR codec needs them (PROFILE §2).
 * `sigs`: REA signatures verified by crypto jobs (rea-verify.ts), used instead of verifying here. */
export function codecKeys(a: Association, spis: CodecKeys["spis"], sigs?: ReaSignatures, signJob?: Parameters<ReaSignatures["sign"]>[2]): CodecKeys {
  return {
    localHit: a.localHit,
    peerHit: a.peerHit,
    hmacKeyOut: a.macKeyOut,
    hmacKeyIn: a.macKeyIn,
    sign: (d) => {
      const signature = sigs ? sigs.sign(d, () => a.sign(d), signJob) : a.sign(d);
      return signature && { algorithm: a.local.algorithm, signature };
    },
    verifyPeer: (d, alg, sig) => alg === a.peerIdentity?.algorithm && (sigs ? sigs.verify(d, sig, () => a.verifyPeer(d, sig)) : a.verifyPeer(d, sig)),
    spis,
    // Framed, so the session's byte counters are wire bytes (§8 budget); the core re-frames the
    // packet and fills the checksum for the outer locators (queueControl).
    framed: true,
    checksum: false,
  };
}

export class MobilityExtension implements HipExtension {
  readonly packetTypes = [PacketType.REA, PacketType.AC, PacketType.ACR];
  /** Our interfaces and addresses (shared by every association). */
  readonly local: LocalModel;
  /** The effective policy. */
  readonly policy: MobilityPolicy;
  private readonly bound = new Map<string, Bound>();
  /** The binding the last ESP packet found (per packet: no HIT key string, no map lookup); cleared whenever `bound` changes. */
  private lastBound: Bound | undefined;
  private readonly notes: MobilityNote[] = [];
  private readonly spiRanges = new Map<number, SpiRange>();
  private now: Millis = 0;
  /** AC probes to unverified addresses over every association (limits.probePerIp / probeGlobal). */
  readonly hostBudget: ProbeBudget;
  /** "drop.exception": anything a handler threw, caught here. */
  readonly counters: Record<string, number> = {};

  constructor(
    private readonly host: HipHost,
    o: MobilityExtensionOptions = {},
  ) {
    this.local = o.local ?? new LocalModel();
    this.policy = makePolicy(o.policy);
    const l = host.limits;
    this.hostBudget = new ProbeBudget({ ...l.probePerIp, maxEntries: l.maxProbeEntries, global: l.probeGlobal });
    host.registerExtension(this);
  }

  private count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }

  /** Run `fn`; what it throws is counted (`drop.exception`), never passed on (issue 9). */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      this.counters["drop.exception"] = (this.counters["drop.exception"] ?? 0) + 1;
    }
  }

  /** The mobility session bound to the association with `peerHit`, if its keys exist yet. */
  session(peerHit: Uint8Array): MobilitySession | undefined {
    return this.bound.get(hitKey(peerHit))?.session;
  }

  /** Every bound association with its mobility session. */
  sessions(): {
    /** The HIP association. */
    assoc: Association;
    /** Its mobility session. */
    session: MobilitySession;
  }[] {
    return [...this.bound.values()].map((b) => ({ assoc: b.assoc, session: b.session }));
  }

  /** Inbound SPIs of interface `ifId` must lie in `range` (FA lease, draft §4.4); undefined clears. */
  setSpiRange(ifId: number, range: SpiRange | undefined): void {
    const old = this.spiRanges.get(ifId);
    if (old?.min === range?.min && old?.max === range?.max) return;
    if (range) this.spiRanges.set(ifId, range);
    else this.spiRanges.delete(ifId);
    this.local.bump(ifId);
  }

  /** Where the next ESP datagram to `peerHit` goes: undefined = no session (use the association's
   *  locators), null = no verified path (§6.5: drop rather than send to an unverified address).
   *  `bytes`: the datagram's wire size, charged when the path runs on source credit. */
  route(now: Millis, peerHit: Uint8Array, bytes?: number, settle = true): MobilityRoute | null | undefined {
    const b = this.bound.get(hitKey(peerHit));
    if (!b) return undefined;
    const p = b.session.dataPath(now, bytes, settle);
    if (!p) return null;
    // Only an SPI whose outbound SA exists (installed from a KEYMAT index we accepted).
    const spi = b.session.spiFor(p.to);
    return { from: p.from, to: p.to, spi: spi !== undefined && b.outExtra.has(spi) ? spi : b.assoc.spiOut };
  }

  /** The next mobility event, oldest first; undefined when none. */
  pollEvent(): MobilityNote | undefined {
    return this.notes.shift();
  }

  // ---- HipExtension ----

  handle(now: Millis, _pkt: HipPacket, raw: Uint8Array, from: Locator, to: Locator, assoc: Association | undefined): boolean {
    const b = assoc ? this.bound.get(hitKey(assoc.peerHit)) : undefined;
    if (!b || b.assoc !== assoc) return false; // no keys yet: the core drops it
    this.now = now;
    // Job mode: the REA's signature is verified by a crypto job first (rea-verify.ts).
    if (this.host.crypto.jobs && _pkt.packetType === PacketType.REA && b.sigs.defer(now, this.host.crypto, b.assoc, b.ctx, raw, from, to, (t) => this.handle(t, _pkt, raw, from, to, assoc), (r) => this.count(r)))
      return true;
    this.guard(() => {
      // Authentic (HMAC and, for REA, signature verified): UAL clock, R2-SENT → ESTABLISHED.
      if (b.session.handlePacket(now, raw, from, to)) b.assoc.noteAuthenticated(now);
      this.drain(now, b);
    });
    return true;
  }

  onEvent(now: Millis, ev: HipEvent): void {
    this.guard(() => this.event(now, ev));
  }

  private event(now: Millis, ev: HipEvent): void {
    this.now = now;
    if (ev.type === "sa-install") this.bind(now, ev.peerHit);
    else if (ev.type === "closed" || ev.type === "failed") this.unbind(hitKey(ev.peerHit));
    else if (ev.type === "sa-remove") {
      const b = this.bound.get(hitKey(ev.peerHit));
      if (b && b.assoc.spiIn === ev.inboundSpi) this.unbind(hitKey(ev.peerHit));
    }
  }

  espReceived(now: Millis, assoc: Association, _spi: number, from: Locator, to: Locator | undefined, bytes?: number): void {
    let b = this.lastBound;
    if (b === undefined || b.assoc !== assoc) {
      b = this.bound.get(hitKey(assoc.peerHit));
      if (!b || b.assoc !== assoc) return;
      this.lastBound = b;
    }
    // guard() inlined (per ESP packet: no closure). An ESP packet rarely produces anything (a new
    // source to check, a revived path); drain only then. What drain does besides passing the
    // output on, checkLayout, depends on RTTs and SPI ranges, which ESP does not change.
    try {
      b.session.handleEspInbound(now, from, to, bytes);
      if (b.session.hasOutput) this.drain(now, b);
    } catch {
      this.count("drop.exception");
    }
  }

  private unbind(k: string): void {
    this.bound.delete(k);
    this.lastBound = undefined;
  }

  /** Paths may work again (our FA came back, §9.1): every session re-probes its suspect paths now. */
  probeNow(now: Millis): void {
    for (const b of [...this.bound.values()]) {
      this.guard(() => {
        b.session.probeNow(now);
        this.drain(now, b);
      });
    }
  }

  /** Run due retransmissions, probes and expiries at `now` (ms). */
  handleTimeout(now: Millis): void {
    this.now = now;
    for (const b of [...this.bound.values()]) {
      this.guard(() => {
        b.session.handleTimeout(now);
        this.drain(now, b);
        for (const r of [...b.retiring]) if (r.by <= now) this.deleteInbound(b, r.spi);
      });
    }
  }

  /** The earliest deadline (ms) of any session or retiring SA, if any. */
  pollTimeout(): Millis | undefined {
    // No array per session: a server polls this once per event-loop turn over every association.
    let t = Number.POSITIVE_INFINITY;
    for (const b of this.bound.values()) {
      const x = b.session.pollTimeout();
      if (x !== undefined && x < t) t = x;
      for (const r of b.retiring) if (r.by < t) t = r.by;
    }
    return t === Number.POSITIVE_INFINITY ? undefined : t;
  }

  // ---- internals ----

  private bind(now: Millis, peerHit: Uint8Array): void {
    const a = this.host.association(peerHit);
    const k = hitKey(peerHit);
    if (!a || this.bound.get(k)?.assoc === a) return;
    const b = { assoc: a, own: new Map(), retiring: [], outExtra: new Map(), refused: new Map(), sigs: new ReaSignatures() } as unknown as Bound;
    // Our REA signatures: inline on a synchronous provider (node:crypto) or @noble without jobs
    // (the simulator); with an asynchronous one (WebCrypto), as crypto jobs (rea-verify.ts).
    const jobs = this.host.crypto;
    const signJob =
      jobs.deferred
        ? (data: Uint8Array, done: (sig: Uint8Array | undefined) => void) =>
            jobs.request(this.now, { op: "sign", signer: a.local, data }, (now, sig) => {
              done(sig);
              if (this.bound.get(k) !== b) return; // the association went meanwhile
              b.session.signatureReady(now);
              this.drain(now, b);
            })
        : undefined;
    b.ctx = mobilityContext(codecKeys(a, (id) => this.spisFor(b, id), b.sigs, signJob));
    const ctx = b.sigs.wrap(b.ctx);
    const l = this.host.limits;
    const limits = { maxPeerInterfaces: l.maxPeerInterfaces, maxPeerAddresses: l.maxPeerAddresses, maxProbeEntries: l.maxProbeEntries };
    b.session = new MobilitySession({ ctx, local: this.local, policy: this.policy, rng: this.host.rng, now, peerLocator: a.peerLocator, localLocator: a.localLocator, hostBudget: this.hostBudget, limits });
    this.bound.set(k, b);
    this.lastBound = undefined;
    this.drain(now, b);
  }

  private drain(now: Millis, b: Bound): void {
    const s = b.session;
    for (let t = s.pollTransmit(); t; t = s.pollTransmit()) b.assoc.queueControl(now, t.data.subarray(4), t.to, t.from);
    let peerChanged = false;
    let dead = false;
    for (let ev = s.pollEvent(); ev; ev = s.pollEvent()) {
      if (ev.type === "peer-dead") dead = true;
      // The HIP-level news (the heartbeat raises the same without mobility): API and CLI read that.
      else if (ev.type === "peer-unreachable" || ev.type === "peer-reachable") b.assoc.pushEvent({ type: "reachability", peerHit: b.assoc.peerHit, reachable: ev.type === "peer-reachable", silentMs: ev.silentMs });
      if (ev.type === "path-changed" && ev.path) {
        // HIP control packets of the core (CLOSE, NOTIFY) follow the data path.
        b.assoc.setPeerLocator(ev.path.to);
        b.assoc.setLocalLocator(ev.path.from);
      } else if (ev.type === "peer-rea" && !ev.duplicate) peerChanged = true;
      else if (ev.type === "rea-acked") for (const r of [...b.retiring]) if (r.since < ev.t) this.deleteInbound(b, r.spi);
      this.notes.push({ peerHit: b.assoc.peerHit, ev });
    }
    if (dead) {
      this.host.abandon(now, b.assoc.peerHit); // closed → unbind (event)
      return;
    }
    if (peerChanged) this.syncOutbound(b);
    this.checkLayout(b);
  }

  /** §4.5 / §6.1.1.1: REA_INFO SPIs for interface `id` (its own SA, drawn on first use). */
  private spisFor(b: Bound, id?: number): { inbound: number; outbound: number; keymatIndex?: number } {
    const a = b.assoc;
    const base = { inbound: a.spiIn, outbound: a.spiOut };
    if (id === undefined) return base;
    const range = this.spiRanges.get(id);
    let own = b.own.get(id);
    if (own && (!this.wantsOwnSa(b, id) || (range && (own.spi < range.min || own.spi > range.max)))) {
      b.retiring.push({ spi: own.spi, since: this.now, by: this.now + 4 * this.policy.oldSaTimeoutMs });
      b.own.delete(id);
      own = undefined;
    }
    if (!own && this.wantsOwnSa(b, id)) own = this.createOwn(b, id, range);
    return own ? { inbound: own.spi, outbound: a.spiOut, keymatIndex: own.index } : base;
  }

  private wantsOwnSa(b: Bound, id: number): boolean {
    if (this.spiRanges.has(id)) return true;
    const rtts = b.session.interfaceRtt;
    if (rtts.size < 2 || !rtts.has(id)) return b.own.has(id);
    // One-way latency ≈ RTT/2; the fastest group keeps the shared SA (§4.5).
    const lat = new Map([...rtts].map(([i, r]) => [i, r / 2]));
    return (saLayout(lat, this.policy.sharedSaMaxLatencySpreadMs).get(id) ?? 0) !== 0;
  }

  private createOwn(b: Bound, id: number, range: SpiRange | undefined): OwnSa | undefined {
    const a = b.assoc;
    let spi: number | undefined;
    if (range) {
      for (let s = Math.max(range.min, 256); s <= range.max && spi === undefined; s++) if (!this.host.associationBySpi(s)) spi = this.host.allocSpi(a, s);
      if (spi === undefined) return undefined; // range exhausted: keep sharing
    } else spi = this.host.allocSpi(a);
    // Drawn from the association's one KEYMAT allocator (shared with UPDATE, keymat-alloc.ts).
    const pair = a.drawSaPair(spi, 0);
    if (!pair) {
      this.host.releaseSpi(spi);
      return undefined;
    }
    const own = { spi, index: pair.index };
    b.own.set(id, own);
    a.pushEvent({ type: "sa-add", peerHit: a.peerHit, sa: pair.inbound });
    return own;
  }

  private deleteInbound(b: Bound, spi: number): void {
    b.retiring = b.retiring.filter((r) => r.spi !== spi);
    this.host.releaseSpi(spi);
    b.assoc.pushEvent({ type: "sa-delete", peerHit: b.assoc.peerHit, direction: "in", spi });
  }

  /** The peer's interfaces name their inbound SPIs (REA_INFO New SPI + KEYMAT index, §4.5). */
  private syncOutbound(b: Bound): void {
    const a = b.assoc;
    const used = new Set<number>();
    for (const itf of b.session.peer.interfaces.values()) {
      if (itf.spi === a.spiOut || itf.keymatIndex === 0) continue;
      used.add(itf.spi);
      if (b.outExtra.has(itf.spi) || b.refused.get(itf.spi) === itf.keymatIndex) continue;
      // The peer names the KEYMAT index: refused (counted, never installed) when it was drawn
      // already, overlaps a draw or lies below the drawn mark, e.g. the base-exchange SA's
      // index (AES-GCM nonce reuse). The draft defines no NOTIFY for it (§6.1.1.1).
      const pair = a.claimSaPair(itf.keymatIndex, 0, itf.spi);
      if (typeof pair === "string") {
        b.refused.set(itf.spi, itf.keymatIndex);
        this.host.drop(pair, undefined, undefined);
        continue;
      }
      b.outExtra.set(itf.spi, itf.keymatIndex);
      a.pushEvent({ type: "sa-add", peerHit: a.peerHit, sa: pair.outbound });
    }
    for (const spi of [...b.refused.keys()]) if (!used.has(spi)) b.refused.delete(spi);
    for (const spi of [...b.outExtra.keys()]) {
      if (used.has(spi)) continue;
      b.outExtra.delete(spi);
      a.pushEvent({ type: "sa-delete", peerHit: a.peerHit, direction: "out", spi });
    }
  }

  /** A latency regrouping (§4.5) changes an interface's SA: announce it again. */
  private checkLayout(b: Bound): void {
    for (const itf of this.local.interfaces.values()) {
      if (itf.hidden || this.spiRanges.has(itf.id)) continue;
      if (this.wantsOwnSa(b, itf.id) !== b.own.has(itf.id)) this.local.bump(itf.id);
    }
  }
}
