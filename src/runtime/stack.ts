/**
 * HostStack: one HIP host's whole sans-I/O stack, transport-independent (implements SimEndpoint,
 * so the simulator can run whole hosts; runtime/node.ts and runtime/deno.ts drive it with
 * sockets and a timer through runtime/driver.ts).
 *
 * - UDP/10500 demux (PROFILE §3, src/wire/framing.ts): zero marker → HIP control to HipHost;
 *   otherwise ESP → DataPlane.open → inner UDP (BEET, RFC 7402 §3.1) → "message" event, and
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
import type { Locator, Millis, Transmit } from "../core/types.ts";
import { sameLocator } from "../core/types.ts";
import { DataPlane } from "../esp/dataplane.ts";
import { EspStatus, espStatusName } from "../esp/types.ts";
import { FaClient, type FaClientEvent, type FaClientOptions } from "../fa/client/client.ts";
import { isRelay } from "../fa/core/relay.ts";
import { hitKey } from "../hip/hit.ts";
import { HipHost } from "../hip/host.ts";
import type { HipEvent, HipHostConfig } from "../hip/types.ts";
import { DEFAULT_INTERFACE, FA_INTERFACE, MobilityExtension, type MobilityExtensionOptions } from "../mobility/extension.ts";
import type { LocalModel } from "../mobility/model.ts";
import type { MobilityEvent } from "../mobility/types.ts";
import type { SimEndpoint } from "../sim/types.ts";
import { loadWasmSync, wasmBytes } from "../wasm/loader.ts";
import { classifyDatagram } from "../wire/framing.ts";
import { decodeBeetUdp, encodeBeetUdp, IPPROTO_UDP } from "./beet-udp.ts";
import { DeferredEsp, type OpenJob, type OpenOutcome, type SealJob } from "./esp-work.ts";
import { SaTable } from "./sa-table.ts";

export type StackEvent =
  | HipEvent
  | { type: "message"; peerHit: Uint8Array; srcPort: number; dstPort: number; data: Uint8Array; from: Locator; to?: Locator; spi: number; seq: number; viaRea?: boolean }
  | { type: "esp-drop"; reason: string; spi: number; from: Locator }
  | { type: "mobility"; peerHit: Uint8Array; ev: MobilityEvent }
  | { type: "fa"; ev: FaClientEvent };

export type SendStatus = "sent" | "queued" | "no-association" | "no-path" | "seal-failed";

export interface HostStackOptions {
  /** A ready HipHost (extensions registered by the caller) or the config to build one. */
  host: HipHost | HipHostConfig;
  /** Data plane; default: a new in-process DataPlane on its own WASM instance. */
  dataPlane?: DataPlane;
  /** No data plane here: queue SA changes and seal/open jobs in `deferred` for a runner (a Worker). */
  deferEsp?: boolean;
  /** Receive events synchronously instead of through pollEvent(). */
  onEvent?: (ev: StackEvent) => void;
  /** Datagrams kept per peer while its association is still being set up (default 64). */
  pendingLimit?: number;
  /** Enable REA/AC/ACR mobility (draft-nikander-hip-mm-00) with these options. */
  mobility?: MobilityExtensionOptions;
  /** Our addresses at start (interface DEFAULT_INTERFACE of the local model). */
  addresses?: readonly Locator[];
  /** Lease an address from a Forwarding Agent (needs `mobility`; started by `startFa(now)`). */
  fa?: FaClientOptions;
}

let wasmModule: WebAssembly.Module | undefined;
/** A fresh data plane (own WASM instance: SPIs of hosts sharing a process must not collide). */
export function newDataPlane(): DataPlane {
  wasmModule ??= new WebAssembly.Module(wasmBytes() as Uint8Array<ArrayBuffer>);
  return new DataPlane(loadWasmSync(wasmModule));
}

export class HostStack implements SimEndpoint {
  readonly host: HipHost;
  /** The in-process data plane (undefined with `deferEsp`). */
  readonly dataPlane: DataPlane | undefined;
  /** With `deferEsp`: the ordered SA / seal / open work for the runner. */
  readonly deferred: DeferredEsp | undefined;
  readonly mobility: MobilityExtension | undefined;
  readonly fa: FaClient | undefined;
  /** Stack-level counters ("esp.rx", "esp.tx", "esp.tx.rea", "esp.drop.<reason>", "rx.relay"…). */
  readonly counters: Record<string, number> = {};
  private readonly sas: SaTable;
  private readonly pending = new Map<string, { srcPort: number; dstPort: number; data: Uint8Array }[]>();
  private readonly espTx: Transmit[] = [];
  private readonly events: StackEvent[] = [];
  private readonly onEvent: ((ev: StackEvent) => void) | undefined;
  private readonly pendingLimit: number;
  /** Peers with a deferred datagram on its way into the next REA (one per REA, §6.1.1). */
  private readonly reaJobs = new Set<string>();
  private now: Millis = 0;

  constructor(opts: HostStackOptions) {
    // With an FA lease on a shared IPv4 locator our inbound SPIs must lie in the leased range
    // (the FA forwards ESP by SPI, draft §4.4): the core draws them through spiSource.
    const cfg = opts.host instanceof HipHost ? undefined : opts.host;
    this.host = opts.host instanceof HipHost ? opts.host : new HipHost(opts.fa && cfg && !cfg.spiSource ? { ...cfg, spiSource: () => this.leasedSpi() } : (cfg as HipHostConfig));
    this.deferred = opts.deferEsp ? new DeferredEsp() : undefined;
    this.dataPlane = this.deferred ? undefined : (opts.dataPlane ?? newDataPlane());
    this.onEvent = opts.onEvent;
    this.pendingLimit = opts.pendingLimit ?? 64;
    if (opts.mobility || opts.fa) this.mobility = new MobilityExtension(this.host, opts.mobility ?? {});
    this.sas = new SaTable(this.deferred ?? (this.dataPlane as DataPlane), this.mobility?.policy.oldSaTimeoutMs);
    if (opts.addresses?.length) this.setLocalAddresses(0, opts.addresses);
    if (opts.fa) {
      this.fa = new FaClient(this.host, opts.fa);
      this.host.registerExtension(this.fa);
      if (this.fa.privacy) this.hideOwnInterfaces();
    }
  }

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
    this.host.connect(now, peer, peerHit, from);
    this.drain(now);
  }

  close(now: Millis, peerHit: Uint8Array): void {
    this.now = now;
    this.host.close(now, peerHit);
    this.drain(now);
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

  /** SimEndpoint hook: the node gained / lost addresses (interface DEFAULT_INTERFACE). */
  handleAddressChange(now: Millis, added: readonly Locator[], removed: readonly Locator[]): void {
    this.now = now;
    const local = this.local;
    if (!local) return;
    for (const l of removed) local.removeAddress(l);
    for (const l of added) if (!local.interfaceOf(l)) local.addAddress(DEFAULT_INTERFACE, l, now);
    this.afterLocalChange(now);
  }

  /** True when outbound ESP to `peerHit` is possible. */
  canSend(peerHit: Uint8Array): boolean {
    return this.sas.peer(peerHit) !== undefined;
  }

  /**
   * Seal one application datagram to `peerHit` (BEET: UDP header + data). With `deferEsp`,
   * "sent" means handed to the data plane (a seal failure is counted later).
   */
  send(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array, now: Millis = this.now): SendStatus {
    this.now = Math.max(this.now, now);
    const job = this.prepareSeal(peerHit, srcPort, dstPort, data, now);
    if (typeof job === "string") return job;
    if (this.deferred) {
      this.deferred.seal(job);
      return "sent";
    }
    const r = (this.dataPlane as DataPlane).sealOne(job.handle, IPPROTO_UDP, job.seg);
    return this.completeSeal(now, job, r.status, r.packet);
  }

  /** Sending, step 1 (pure routing): the SA, the path and the inner UDP segment, or why not. */
  prepareSeal(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array, now: Millis): SealJob | SendStatus {
    const sas = this.sas.peer(peerHit);
    const a = this.host.association(peerHit);
    if (!sas) {
      if (!a || a.state === "CLOSING" || a.state === "CLOSED" || a.state === "E-FAILED") return "no-association";
      const q = this.pending.get(hitKey(peerHit)) ?? [];
      if (q.length >= this.pendingLimit) return "no-association";
      q.push({ srcPort, dstPort, data: data.slice() });
      this.pending.set(hitKey(peerHit), q);
      return "queued";
    }
    if (!a) return "no-association";
    const base = sas.outbound.get(sas.spiOut);
    if (base === undefined) return "seal-failed";
    const seg = encodeBeetUdp(this.host.hit, peerHit, srcPort, dstPort, data);
    const session = this.mobility?.session(peerHit);
    // §6.1.1: while an REA is about to go out, the next datagram rides inside it.
    if (session?.moving && this.mobility?.policy.embedEspInRea && !session.hasEspForRea && !this.reaJobs.has(hitKey(peerHit))) {
      if (this.deferred) this.reaJobs.add(hitKey(peerHit));
      return { peerHit: sas.peerHit, handle: base, seg, to: a.peerLocator, rea: true };
    }
    const route = this.mobility?.route(now, peerHit, sealedSizeBound(seg.length));
    if (route === null) {
      this.count("esp.drop.no-path");
      return "no-path";
    }
    const to = route?.to ?? a.peerLocator;
    const from = route?.from ?? a.localLocator;
    return { peerHit: sas.peerHit, handle: (route && sas.outbound.get(route.spi)) ?? base, seg, to, from, rea: false };
  }

  /** Sending, step 2 (after the seal): transmit, or hand the packet to the REA. `packet` is kept. */
  completeSeal(now: Millis, job: SealJob, status: number, packet: Uint8Array): SendStatus {
    if (status !== EspStatus.Ok) {
      this.count(`esp.seal.${espStatusName[status as EspStatus] ?? status}`);
      if (job.rea) this.reaJobs.delete(hitKey(job.peerHit));
      return "seal-failed";
    }
    let to = job.to;
    let from = job.from;
    if (job.rea) {
      this.reaJobs.delete(hitKey(job.peerHit));
      const session = this.mobility?.session(job.peerHit);
      if (session?.moving && !session.hasEspForRea) {
        session.offerEspForRea(packet);
        this.count("esp.tx.rea");
        return "sent";
      }
      // Deferred data plane: the REA left while this was being sealed; send it along the path.
      const route = this.mobility?.route(now, job.peerHit, packet.length);
      if (route === null) {
        this.count("esp.drop.no-path");
        return "no-path";
      }
      const a = this.host.association(job.peerHit);
      to = route?.to ?? a?.peerLocator ?? to;
      from = route?.from ?? a?.localLocator;
    }
    this.count("esp.tx");
    this.espTx.push(from ? { to, from, data: packet } : { to, data: packet });
    return "sent";
  }

  // ---- SimEndpoint --------------------------------------------------------------------------

  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    this.now = now;
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
    }
    const d = classifyDatagram(data);
    if (!d.ok) this.count("rx.malformed");
    else if (d.value.kind === "hip") this.host.handleDatagram(now, d.value.packet, from, to);
    else if (d.value.kind === "esp") this.openEsp(now, { data, from, to, viaRea: false });
    else this.count("rx.keepalive");
    this.drain(now);
  }

  handleTimeout(now: Millis): void {
    this.now = now;
    this.local?.expire(now);
    this.host.handleTimeout(now);
    this.sas.sweep(now);
    this.drain(now);
  }

  pollTransmit(): Transmit | undefined {
    const t = this.host.pollTransmit() ?? this.espTx.shift();
    return t && this.fa ? this.fa.wrap(t) : t;
  }

  pollTimeout(): Millis | undefined {
    const a = this.host.pollTimeout();
    const b = this.sas.nextDeadline();
    const c = this.local?.nextExpiry();
    let t: number | undefined;
    for (const x of [a, b, c]) if (x !== undefined && (t === undefined || x < t)) t = x;
    return t;
  }

  pollEvent(): StackEvent | undefined {
    return this.events.shift();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Deferred data plane: outputs after a batch of completions (SA events, mobility, FA). */
  settle(now: Millis): void {
    this.now = Math.max(this.now, now);
    this.drain(now);
  }

  /** Receiving, step 1 (pure): an SPI none of our inbound SAs has is dropped before any crypto. */
  prepareOpen(job: OpenJob): OpenJob | undefined {
    const d = job.data;
    const spi = d.length >= 4 ? ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0 : 0;
    if (d.length >= 8 && !this.sas.bySpi(spi)) {
      this.espDrop("unknown-spi", spi, job.from);
      return undefined;
    }
    return job;
  }

  /** Receiving, step 2 (after the open): liveness, inner UDP, the "message" event. */
  completeOpen(now: Millis, job: OpenJob, r: OpenOutcome): boolean {
    const { from, to, viaRea } = job;
    if (r.status !== EspStatus.Ok) return this.espDrop(espStatusName[r.status as EspStatus] ?? String(r.status), r.spi, from);
    const sas = this.sas.bySpi(r.spi);
    if (!sas) return this.espDrop("unknown-spi", r.spi, from);
    // The ESP inside an REA proves nothing about the path it names (liveness needs the ACR).
    if (!viaRea) this.host.noteEspReceived(now, r.spi, from, to, job.data.length);
    this.drainHost(now); // "established" (R2-SENT → ESTABLISHED) before the message
    if (r.nextHeader !== IPPROTO_UDP) return this.espDrop("next-header", r.spi, from);
    const u = decodeBeetUdp(sas.peerHit, this.host.hit, r.payload);
    if (!u.ok) return this.espDrop(`udp-${u.reason}`, r.spi, from);
    this.count(viaRea ? "esp.rx.rea" : "esp.rx");
    const ev: StackEvent = { type: "message", peerHit: sas.peerHit, srcPort: u.srcPort, dstPort: u.dstPort, data: u.data, from, to, spi: r.spi, seq: r.seq };
    if (viaRea) ev.viaRea = true;
    this.emit(ev);
    return true;
  }

  private openEsp(now: Millis, input: OpenJob): void {
    const job = this.prepareOpen(input);
    if (!job) return;
    if (this.deferred) this.deferred.open(job);
    else this.completeOpen(now, job, (this.dataPlane as DataPlane).open(job.data));
  }

  private espDrop(reason: string, spi: number, from: Locator): false {
    this.count(`esp.drop.${reason}`);
    this.emit({ type: "esp-drop", reason, spi, from });
    return false;
  }

  /** Until quiet: core events (SAs), mobility notes (ESP inside REAs), FA client events. */
  private drain(now: Millis): void {
    for (let i = 0; i < 16; i++) {
      const n = this.drainHost(now) + this.drainMobility(now) + this.drainFa(now);
      if (n === 0) return;
    }
  }

  /** Apply HIP events that concern the data plane, then pass every event on. */
  private drainHost(now: Millis): number {
    let n = 0;
    for (let ev = this.host.pollEvent(); ev; ev = this.host.pollEvent()) {
      n++;
      if (ev.type === "sa-install") {
        this.sas.installPair(ev.peerHit, ev.inbound, ev.outbound);
        this.adoptLocal(ev.peerHit, now);
      } else if (ev.type === "sa-add") this.sas.add(ev.peerHit, ev.sa);
      else if (ev.type === "sa-delete") this.sas.delete(ev.peerHit, ev.direction, ev.spi, now);
      else if (ev.type === "sa-remove") this.sas.removePeer(ev.peerHit, ev.inboundSpi);
      else if (ev.type === "closed" || ev.type === "failed") {
        this.sas.removePeer(ev.peerHit);
        this.pending.delete(hitKey(ev.peerHit));
      }
      this.emit(ev);
      if (ev.type === "sa-install") this.flushPending(ev.peerHit, now);
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
      } else if (local && (ev.type === "fa-dead" || ev.type === "lost" || ev.type === "released")) local.setAddresses(FA_INTERFACE, [], now);
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
  private leasedSpi(): number | undefined {
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

  private flushPending(peerHit: Uint8Array, now: Millis): void {
    const q = this.pending.get(hitKey(peerHit));
    if (!q) return;
    this.pending.delete(hitKey(peerHit));
    for (const m of q) this.send(peerHit, m.srcPort, m.dstPort, m.data, now);
  }

  private emit(ev: StackEvent): void {
    if (this.onEvent) this.onEvent(ev);
    else this.events.push(ev);
  }

  private count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
}

/**
 * An upper bound on the ESP packet for an inner segment of `n` bytes (RFC 4303 §2: SPI + sequence
 * 8, IV ≤ 16, padding ≤ 15 + pad length + next header, ICV ≤ 16): what source credit charges
 * before the seal (draft §6.5 deviation, docs/PROTOCOL.md §8).
 */
function sealedSizeBound(n: number): number {
  return 8 + 16 + n + 17 + 16;
}
