/**
 * HostStack: one HIP host's whole sans-I/O stack, transport-independent (implements SimEndpoint,
 * so the simulator can run whole hosts; runtime/node.ts and runtime/deno.ts drive it with
 * sockets and a timer through runtime/driver.ts).
 *
 * - UDP/10500 demux (PROFILE §3, src/wire/framing.ts): zero marker → HIP control to HipHost;
 *   otherwise ESP → DataPlane.open → inner UDP (BEET, RFC 7402 §3.1) → "message" event (any
 *   other next header → "inner" event; ICMPv6 echo answered, runtime/inner.ts), and
 *   HipHost.noteEspReceived (RFC 7401 §6.9 step 21; mobility liveness, draft §3.3).
 * - SAs: `sa-install` / `sa-remove` (base exchange) and `sa-add` / `sa-delete` (per-interface
 *   SAs of the mobility extension, draft §4.5, §6.1.1.1) are applied to the data plane (sa-table.ts).
 * - `send(peerHit, srcPort, dstPort, data, now?)`: ESP payload = UDP header + data, HIT to HIT.
 * - Mobility (`mobility` option, src/mobility/extension.ts): each datagram goes along the
 *   session's `dataPath(now)` with the SA of the destination's interface; never to an unverified
 *   address ("no-path"); while an REA is about to go out the datagram rides inside it
 *   (ESP_DATAGRAM, §6.1.1). Our addresses: `setLocalAddresses` / `handleAddressChange` / `local`.
 * - Forwarding Agent (`fa` option, src/fa/client): FaClient leases an address; datagrams from
 *   the leased locator leave wrapped in relay frames to the FA, relay frames from the FA are
 *   unwrapped; the leased locator is the FA logical interface of the local model (draft §6.4).
 * Output: pollTransmit() (HIP control first, then ESP), pollEvent() (StackEvent), pollTimeout().
 * With `onEvent`, events are handed over synchronously instead of queued.
 *
 * ESP is two pure steps around the crypto: prepareSeal (SA, path, BEET encoding) → seal →
 * completeSeal (transmit, or ride in the REA), and prepareOpen (inbound SA by SPI) → open →
 * completeOpen (liveness, inner UDP, "message"). In-process (default) the DataPlane runs in
 * between, synchronously. With `deferEsp` the stack never touches a data plane: SA changes and
 * jobs queue in `deferred` (esp-work.ts) in order, and a runner (esp-runner.ts: a Worker,
 * batched) calls completeSeal / completeOpen with the results, then `settle(now)`.
 */
// This file: construction, the SimEndpoint side, draining and SA bookkeeping; the ESP send and
// receive paths are EspStack (stack-esp.ts).
import type { Locator, Millis, Transmit } from "../core/types.ts";
import { sameLocator } from "../core/types.ts";
import { FaClient } from "../fa/client/client.ts";
import { isRelay } from "../fa/core/relay.ts";
import type { CryptoJob, CryptoResult } from "../hip/crypto-jobs.ts";
import { hitKey } from "../hip/hit.ts";
import { DEFAULT_INTERFACE, FA_INTERFACE } from "../mobility/extension.ts";
import { familyOf, type LocalModel } from "../mobility/model.ts";
import type { SimEndpoint } from "../sim/types.ts";
import { classifyDatagram } from "../wire/framing.ts";
import { EspStack, type HostStackOptions, type StackEvent } from "./stack-esp.ts";
import { PrivateFa } from "./privacy.ts";
import { probeType } from "../fa/core/holder-probe.ts";
import { type HostStats, hostStats } from "./stats.ts";

export { checkSendArgs, MAX_DATAGRAM, MAX_INNER_PACKET, newDataPlane, type HostStackOptions, type SendStatus, type StackEvent } from "./stack-esp.ts";

export class HostStack extends EspStack implements SimEndpoint {
  /** The Forwarding Agent lease client (when `fa` was given). */
  readonly fa: FaClient | undefined;
  /** Location privacy by construction (privacy.ts). */
  readonly privacy: PrivateFa | undefined;

  constructor(opts: HostStackOptions) {
    super(opts);
    if (opts.addresses?.length) this.setLocalAddresses(0, opts.addresses);
    if (opts.fa) {
      this.fa = new FaClient(this.host, opts.fa);
      this.privacy = new PrivateFa(this.fa);
      this.host.registerExtension(this.fa);
      if (this.fa.privacy) this.hideOwnInterfaces();
    }
  }

  /** Our HIT. */
  get hit(): Uint8Array {
    return this.host.hit;
  }

  /** Our interfaces and addresses (mobility only). */
  get local(): LocalModel | undefined {
    return this.mobility?.local;
  }

  /** Start a base exchange (RFC 7401 §6.6); see HipHost.connect. */
  connect(now: Millis, peer: Locator, peerHit?: Uint8Array, from?: Locator): void {
    this.now = now;
    // Privacy: from the leased locator only, held until the FAA (privacy.ts).
    const src = this.privacy ? this.privacy.connectFrom(peer, peerHit, from) : { from };
    if (src) this.host.connect(now, peer, peerHit, src.from);
    this.drain(now);
  }

  /** CLOSE the association with `peerHit` (RFC 7401 §5.3.7). */
  close(now: Millis, peerHit: Uint8Array): void {
    this.now = now;
    this.host.close(now, peerHit);
    this.drain(now);
  }

  /** Rekey the SA pair with `peerHit` by UPDATE (RFC 7402 §6.9, src/hip/update.ts). */
  rekey(now: Millis, peerHit: Uint8Array): boolean {
    this.now = now;
    const ok = this.update.rekey(now, peerHit);
    this.drain(now);
    return ok;
  }

  /** Ask the Forwarding Agent for a lease (draft §5.1). */
  startFa(now: Millis): void {
    this.now = now;
    this.fa?.start(now);
    this.drain(now);
  }

  /** Replace the addresses of one interface (default DEFAULT_INTERFACE): REAs follow (draft §4.2). */
  setLocalAddresses(now: Millis, locators: readonly Locator[], ifId = DEFAULT_INTERFACE): void {
    this.now = Math.max(this.now, now);
    this.local?.setAddresses(ifId, locators, now);
    this.afterLocalChange(now);
  }

  /**
   * Edit our interfaces directly (one logical interface per kernel interface, up/down, preference,
   * renumbering: runtime/netlink-node.ts); REAs follow for the interfaces that changed (§4.2).
   */
  updateLocal(now: Millis, edit: (local: LocalModel) => void): void {
    this.now = Math.max(this.now, now);
    if (!this.local) return;
    edit(this.local);
    this.afterLocalChange(now);
  }

  /** SimEndpoint hook: the node gained / lost addresses (interface DEFAULT_INTERFACE). */
  handleAddressChange(now: Millis, added: readonly Locator[], removed: readonly Locator[]): void {
    this.now = now;
    const local = this.local;
    if (!local) return;
    for (const l of removed) local.removeAddress(l);
    for (const l of added) if (!local.interfaceOf(l)) local.addAddress(DEFAULT_INTERFACE, l, now);
    if (removed.length > 0) this.host.addressesGone(now, removed, (peer) => local.usable(familyOf(peer))[0]?.addr.locator);
    this.afterLocalChange(now);
  }

  /** Every counter by layer, and every drop by reason (runtime/stats.ts). */
  stats(): HostStats {
    return hostStats(this);
  }

  /** True when outbound ESP to `peerHit` is possible. */
  canSend(peerHit: Uint8Array): boolean {
    return this.sas.peer(peerHit) !== undefined;
  }

  /**
   * An association with `peerHit` a connect() need not wait for: ESTABLISHED, or R2-SENT with its
   * SAs (we answered the peer's exchange; its first packet makes it ESTABLISHED, RFC 7401 §4.4.2),
   * where the HipHost starts no new exchange and no "established" would come until then.
   */
  connected(peerHit: Uint8Array): boolean {
    const st = this.host.association(peerHit)?.state;
    return st === "ESTABLISHED" || (st === "R2-SENT" && this.canSend(peerHit));
  }

  // ---- SimEndpoint --------------------------------------------------------------------------

  /** A UDP/10500 datagram (HIP, ESP or an FA relay frame) from `from` at our `to`. */
  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    this.now = now;
    // guard() inlined: no closures per datagram.
    try {
      this.receive(now, data, from, to);
    } catch {
      this.caught(undefined);
    }
    try {
      this.drain(now);
    } catch {
      this.caught(undefined);
    }
  }

  private receive(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    if (this.fa && data.length === 16 && probeType(data)) {
      // FA holder probe (src/fa/core/holder.ts): answer PING with PONG.
      const t = this.fa.answerProbe(now, data, from);
      if (t) this.espTx.push(t);
      else this.count("rx.relay-drop");
      return;
    }
    if (this.fa && isRelay(data)) {
      // §4.4: what the FA forwards arrives in a relay frame naming the outer locators.
      const u = this.fa.unwrap(now, data, from);
      if (!u) {
        this.count("rx.relay-drop");
        return;
      }
      this.count("rx.relay");
      data = u.data;
      from = u.from;
      to = u.to;
    } else if (this.privacy?.on) {
      const at = this.privacy.inbound(from, to);
      if (!at) {
        this.count("rx.privacy-drop");
        return;
      }
      to = at;
    }
    // ESP (non-zero SPI, at least SPI + sequence number) without the classification objects.
    if (data.length >= 8 && (data[0] | data[1] | data[2] | data[3]) !== 0) {
      this.openEsp(now, { data, from, to, viaRea: false });
      return;
    }
    const d = classifyDatagram(data);
    if (!d.ok) this.count("rx.malformed");
    else if (d.value.kind === "hip") this.host.handleDatagram(now, d.value.packet, from, to);
    else if (d.value.kind === "esp") this.openEsp(now, { data, from, to, viaRea: false });
    else this.count("rx.keepalive");
  }

  /** Run timers due at `now` (ms): retransmissions, SA expiry, address lifetimes. */
  handleTimeout(now: Millis): void {
    this.now = now;
    this.guard(undefined, () => {
      this.local?.expire(now);
      this.host.handleTimeout(now);
      this.sas.sweep(now);
    });
    this.guard(undefined, () => this.drain(now));
  }

  /** Crypto jobs of the HIP core (HipHostConfig.cryptoJobs; src/hip/crypto-jobs.ts). */
  pollCryptoJob(): CryptoJob | undefined {
    return this.host.pollCryptoJob();
  }

  /** The result of a crypto job taken with `pollCryptoJob`. */
  handleCryptoResult(now: Millis, id: number, result: CryptoResult): void {
    this.now = now;
    this.guard(undefined, () => this.host.handleCryptoResult(now, id, result));
    this.guard(undefined, () => this.drain(now));
  }

  /** The next datagram to send, if any. */
  pollTransmit(): Transmit | undefined {
    for (;;) {
      const t = this.host.pollTransmit() ?? this.espTx.shift();
      if (!t || !this.fa) return t;
      const w = this.privacy!.outbound(this.fa.wrap(t));
      if (w) return w;
    }
  }

  pollTimeout(): Millis | undefined {
    // No array per call: the driver asks once per event-loop turn.
    let t = this.host.pollTimeout();
    const b = this.sas.nextDeadline();
    if (b !== undefined && (t === undefined || b < t)) t = b;
    const c = this.local?.nextExpiry();
    if (c !== undefined && (t === undefined || c < t)) t = c;
    return t;
  }

  /** The next event, if any (unless `onEvent` was given). */
  pollEvent(): StackEvent | undefined {
    return this.events.shift();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Deferred data plane: outputs after a batch of completions (SA events, mobility, FA). */
  settle(now: Millis): void {
    this.now = Math.max(this.now, now);
    this.guard(undefined, () => this.drain(now));
  }

  /** Until quiet: core events (SAs), mobility notes (ESP inside REAs), FA client events. */
  private drain(now: Millis): void {
    for (let i = 0; i < 16; i++) {
      const n = this.drainHost(now) + this.drainMobility(now) + this.drainFa(now);
      if (n === 0) return;
    }
  }

  /** Apply HIP events that concern the data plane, then pass every event on. */
  protected drainHost(now: Millis): number {
    let n = 0;
    for (let ev = this.host.pollEvent(); ev; ev = this.host.pollEvent()) {
      n++;
      if (ev.type === "sa-install") {
        this.sas.installPair(ev.peerHit, ev.inbound, ev.outbound);
        this.adoptLocal(ev.peerHit, now);
      } else if (ev.type === "sa-add") this.sas.add(ev.peerHit, ev.sa);
      else if (ev.type === "sa-rekey") this.sas.rekey(ev.peerHit, ev.inbound, ev.outbound, now);
      else if (ev.type === "sa-delete") this.sas.delete(ev.peerHit, ev.direction, ev.spi, now);
      else if (ev.type === "sa-remove") this.sas.removePeer(ev.peerHit, ev.inboundSpi);
      let lost: Uint8Array | undefined;
      if (ev.type === "closed" || ev.type === "failed") {
        this.sas.removePeer(ev.peerHit);
        if (this.pending.has(hitKey(ev.peerHit))) lost = ev.peerHit;
      }
      this.emit(ev);
      if (lost) this.dropPending(lost);
      if (ev.type === "sa-install" || ev.type === "sa-rekey") this.flushPending(ev.peerHit, now);
    }
    return n;
  }

  private drainMobility(now: Millis): number {
    let n = 0;
    for (let m = this.mobility?.pollEvent(); m; m = this.mobility?.pollEvent()) {
      n++;
      this.emit({ type: "mobility", peerHit: m.peerHit, ev: m.ev });
      if (m.ev.type === "esp-datagram") this.openEsp(now, { data: m.ev.data, from: m.ev.from, to: m.ev.to, viaRea: true });
    }
    return n;
  }

  /** §6.4: the leased locator is the address of our FA logical interface. */
  private drainFa(now: Millis): number {
    let n = 0;
    for (let ev = this.fa?.pollEvent(); ev; ev = this.fa?.pollEvent()) {
      n++;
      const local = this.local;
      if (local && ev.type === "leased") {
        const l = ev.lease;
        this.mobility?.setSpiRange(FA_INTERFACE, l.addrType === 4 ? { min: l.spiMin, max: l.spiMax } : undefined);
        // Below our own interfaces (preference -1): peers prefer a direct path once it verifies.
        if (!local.interfaces.has(FA_INTERFACE)) local.addInterface(FA_INTERFACE, -1);
        if (!local.interfaceOf(l.locator)) local.setAddresses(FA_INTERFACE, [l.locator], now);
      }
      if (ev.type === "leased") for (const h of this.privacy?.takeHeld() ?? []) this.host.connect(now, h.peer, h.peerHit, h.from);
      if (ev.type === "fa-alive") this.mobility?.probeNow(now); // FA back: re-probe paths through it now else if (local && (ev.type === "fa-dead" || ev.type === "lost" || ev.type === "released")) local.setAddresses(FA_INTERFACE, [], now);
      this.emit({ type: "fa", ev });
    }
    return n;
  }

  /** The base exchange ran from our `localLocator`: make sure the model knows it as ours. */
  private adoptLocal(peerHit: Uint8Array, now: Millis): void {
    const a = this.host.association(peerHit);
    const l = a?.localLocator;
    if (l && this.local && !this.local.interfaceOf(l) && !this.fa?.isLeased(l)) this.local.addAddress(DEFAULT_INTERFACE, l, now);
  }

  private afterLocalChange(now: Millis): void {
    const fa = this.fa;
    const local = this.local;
    if (fa && local) {
      if (fa.privacy) this.hideOwnInterfaces();
      // The FA must forward to where we are now: renew from a current address (§4.4.1).
      const from = fa.from;
      const mine = [...local.interfaces.values()].filter((i) => i.id !== FA_INTERFACE && i.up).flatMap((i) => i.addresses.map((x) => x.locator));
      if (mine.length && (!from || !mine.some((l) => sameLocator(l, from)))) fa.setFrom(now, mine[0]);
    }
    this.drain(now);
  }

  /** A free SPI of our FA lease's range (shared IPv4 locator), if any. */
  protected leasedSpi(): number | undefined {
    const l = this.fa?.lease;
    if (l?.addrType !== 4) return undefined;
    for (let s = Math.max(l.spiMin, 256); s <= l.spiMax; s++) if (!this.host.associationBySpi(s)) return s;
    return undefined;
  }

  private hideOwnInterfaces(): void {
    const local = this.local;
    if (!local) return;
    for (const id of [...local.interfaces.keys(), DEFAULT_INTERFACE]) if (id !== FA_INTERFACE) local.setHidden(id, true);
  }

  /** What waited for this peer's SAs is never sent: counted and said once, after the reason (was silent). */
  private dropPending(peerHit: Uint8Array): void {
    const k = hitKey(peerHit);
    const n = this.pending.get(k)?.length ?? 0;
    this.pending.delete(k);
    if (n === 0) return;
    this.counters["esp.drop.queued.no-association"] = (this.counters["esp.drop.queued.no-association"] ?? 0) + n;
    this.emit({ type: "send-dropped", peerHit, dropped: n, reason: "no-association" });
  }

  private flushPending(peerHit: Uint8Array, now: Millis): void {
    const q = this.pending.get(hitKey(peerHit));
    if (!q) return;
    this.pending.delete(hitKey(peerHit));
    for (const m of q) this.sendInner(peerHit, m.nextHeader, m.seg, now);
  }
}
