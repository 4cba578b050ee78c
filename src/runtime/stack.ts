/**
 * HostStack: one HIP host's whole sans-I/O stack, transport-independent (implements SimEndpoint,
 * so the simulator can run whole hosts; runtime/node.ts and runtime/deno.ts drive it with
 * sockets and a timer through runtime/driver.ts).
 *
 * - UDP/10500 demux (PROFILE §3, src/wire/framing.ts): zero marker → HIP control to HipHost;
 *   otherwise ESP → DataPlane.open → inner UDP (BEET, RFC 7402 §3.1) → "message" event, and
 *   HipHost.noteEspReceived (RFC 7401 §6.9 step 21: R2-SENT → ESTABLISHED).
 * - `sa-install` / `sa-remove` events of the HIP core install/remove SAs in the data plane.
 * - `send(peerHit, srcPort, dstPort, data)`: ESP payload = UDP header + data, HIT to HIT.
 * Output: pollTransmit() (HIP control first, then ESP), pollEvent() (HipEvent | StackEvent),
 * pollTimeout(). With `onEvent`, events are handed over synchronously instead of queued.
 */
import type { Locator, Millis, Transmit } from "../core/types.ts";
import { DataPlane } from "../esp/dataplane.ts";
import { EspStatus, espStatusName } from "../esp/types.ts";
import { hitKey } from "../hip/hit.ts";
import { HipHost } from "../hip/host.ts";
import type { HipEvent, HipHostConfig } from "../hip/types.ts";
import type { SimEndpoint } from "../sim/types.ts";
import { loadWasmSync, wasmBytes } from "../wasm/loader.ts";
import { classifyDatagram } from "../wire/framing.ts";
import { decodeBeetUdp, encodeBeetUdp, IPPROTO_UDP } from "./beet-udp.ts";

export type StackEvent =
  | HipEvent
  | { type: "message"; peerHit: Uint8Array; srcPort: number; dstPort: number; data: Uint8Array; from: Locator; spi: number; seq: number }
  | { type: "esp-drop"; reason: string; spi: number; from: Locator };

export type SendStatus = "sent" | "queued" | "no-association" | "seal-failed";

export interface HostStackOptions {
  /** A ready HipHost (extensions registered by the caller) or the config to build one. */
  host: HipHost | HipHostConfig;
  /** Data plane; default: a new in-process DataPlane on its own WASM instance. */
  dataPlane?: DataPlane;
  /** Receive events synchronously instead of through pollEvent(). */
  onEvent?: (ev: StackEvent) => void;
  /** Datagrams kept per peer while its association is still being set up (default 64). */
  pendingLimit?: number;
}

interface PeerSas {
  peerHit: Uint8Array;
  inHandle: number;
  outHandle: number;
  spiIn: number;
  spiOut: number;
}

let wasmModule: WebAssembly.Module | undefined;
/** A fresh data plane (own WASM instance: SPIs of hosts sharing a process must not collide). */
export function newDataPlane(): DataPlane {
  wasmModule ??= new WebAssembly.Module(wasmBytes() as Uint8Array<ArrayBuffer>);
  return new DataPlane(loadWasmSync(wasmModule));
}

export class HostStack implements SimEndpoint {
  readonly host: HipHost;
  readonly dataPlane: DataPlane;
  /** Stack-level counters ("esp.rx", "esp.tx", "esp.drop.<reason>", "rx.keepalive", "rx.malformed"…). */
  readonly counters: Record<string, number> = {};
  private readonly byPeer = new Map<string, PeerSas>();
  private readonly bySpiIn = new Map<number, PeerSas>();
  private readonly pending = new Map<string, { srcPort: number; dstPort: number; data: Uint8Array }[]>();
  private readonly espTx: Transmit[] = [];
  private readonly events: StackEvent[] = [];
  private readonly onEvent: ((ev: StackEvent) => void) | undefined;
  private readonly pendingLimit: number;

  constructor(opts: HostStackOptions) {
    this.host = opts.host instanceof HipHost ? opts.host : new HipHost(opts.host);
    this.dataPlane = opts.dataPlane ?? newDataPlane();
    this.onEvent = opts.onEvent;
    this.pendingLimit = opts.pendingLimit ?? 64;
  }

  get hit(): Uint8Array {
    return this.host.hit;
  }

  /** Start a base exchange (RFC 7401 §6.6); see HipHost.connect. */
  connect(now: Millis, peer: Locator, peerHit?: Uint8Array, from?: Locator): void {
    this.host.connect(now, peer, peerHit, from);
    this.drainHost();
  }

  close(now: Millis, peerHit: Uint8Array): void {
    this.host.close(now, peerHit);
    this.drainHost();
  }

  /** True when outbound ESP to `peerHit` is possible. */
  canSend(peerHit: Uint8Array): boolean {
    return this.byPeer.has(hitKey(peerHit));
  }

  /** Seal one application datagram to `peerHit` (BEET: UDP header + data). */
  send(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array): SendStatus {
    const sas = this.byPeer.get(hitKey(peerHit));
    if (!sas) {
      const a = this.host.association(peerHit);
      if (!a || a.state === "CLOSING" || a.state === "CLOSED" || a.state === "E-FAILED") return "no-association";
      const q = this.pending.get(hitKey(peerHit)) ?? [];
      if (q.length >= this.pendingLimit) return "no-association";
      q.push({ srcPort, dstPort, data: data.slice() });
      this.pending.set(hitKey(peerHit), q);
      return "queued";
    }
    const a = this.host.association(peerHit);
    if (!a) return "no-association";
    const seg = encodeBeetUdp(this.host.hit, peerHit, srcPort, dstPort, data);
    const r = this.dataPlane.sealOne(sas.outHandle, IPPROTO_UDP, seg);
    if (r.status !== EspStatus.Ok) {
      this.count(`esp.seal.${espStatusName[r.status]}`);
      return "seal-failed";
    }
    this.count("esp.tx");
    this.espTx.push(a.localLocator ? { to: a.peerLocator, from: a.localLocator, data: r.packet } : { to: a.peerLocator, data: r.packet });
    return "sent";
  }

  // ---- SimEndpoint --------------------------------------------------------------------------

  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    const d = classifyDatagram(data);
    if (!d.ok) {
      this.count("rx.malformed");
      return;
    }
    const v = d.value;
    if (v.kind === "hip") this.host.handleDatagram(now, v.packet, from, to);
    else if (v.kind === "esp") this.openEsp(now, data, from);
    else this.count("rx.keepalive");
    this.drainHost();
  }

  handleTimeout(now: Millis): void {
    this.host.handleTimeout(now);
    this.drainHost();
  }

  pollTransmit(): Transmit | undefined {
    return this.host.pollTransmit() ?? this.espTx.shift();
  }

  pollTimeout(): Millis | undefined {
    return this.host.pollTimeout();
  }

  pollEvent(): StackEvent | undefined {
    return this.events.shift();
  }

  // ---- internals ----------------------------------------------------------------------------

  private openEsp(now: Millis, packet: Uint8Array, from: Locator): boolean {
    const r = this.dataPlane.open(packet);
    if (r.status !== EspStatus.Ok) return this.espDrop(espStatusName[r.status], r.spi, from);
    const sas = this.bySpiIn.get(r.spi);
    if (!sas) return this.espDrop("unknown-spi", r.spi, from);
    this.host.noteEspReceived(now, r.spi, from);
    this.drainHost(); // "established" (R2-SENT → ESTABLISHED) before the message
    if (r.nextHeader !== IPPROTO_UDP) return this.espDrop("next-header", r.spi, from);
    const u = decodeBeetUdp(sas.peerHit, this.host.hit, r.payload);
    if (!u.ok) return this.espDrop(`udp-${u.reason}`, r.spi, from);
    this.count("esp.rx");
    this.emit({ type: "message", peerHit: sas.peerHit, srcPort: u.srcPort, dstPort: u.dstPort, data: u.data, from, spi: r.spi, seq: r.seq });
    return true;
  }

  private espDrop(reason: string, spi: number, from: Locator): false {
    this.count(`esp.drop.${reason}`);
    this.emit({ type: "esp-drop", reason, spi, from });
    return false;
  }

  /** Apply HIP events that concern the data plane, then pass every event on. */
  private drainHost(): void {
    for (let ev = this.host.pollEvent(); ev; ev = this.host.pollEvent()) {
      if (ev.type === "sa-install") this.installSas(ev.peerHit, ev);
      else if (ev.type === "sa-remove") this.removeSas(ev.peerHit, ev.inboundSpi);
      else if (ev.type === "closed" || ev.type === "failed") {
        this.removeSas(ev.peerHit);
        this.pending.delete(hitKey(ev.peerHit));
      }
      this.emit(ev);
      if (ev.type === "sa-install") this.flushPending(ev.peerHit);
    }
  }

  private installSas(peerHit: Uint8Array, ev: Extract<HipEvent, { type: "sa-install" }>): void {
    this.removeSas(peerHit); // a rekey replaces the pair (RFC 7402 §6.10)
    const inHandle = this.dataPlane.installSa(ev.inbound);
    const outHandle = this.dataPlane.installSa(ev.outbound);
    const sas: PeerSas = { peerHit: peerHit.slice(), inHandle, outHandle, spiIn: ev.inbound.spi, spiOut: ev.outbound.spi };
    this.byPeer.set(hitKey(peerHit), sas);
    this.bySpiIn.set(sas.spiIn, sas);
  }

  private removeSas(peerHit: Uint8Array, spiIn?: number): void {
    const sas = this.byPeer.get(hitKey(peerHit));
    if (!sas || (spiIn !== undefined && sas.spiIn !== spiIn)) return;
    this.dataPlane.removeSa(sas.inHandle);
    this.dataPlane.removeSa(sas.outHandle);
    this.byPeer.delete(hitKey(peerHit));
    this.bySpiIn.delete(sas.spiIn);
  }

  private flushPending(peerHit: Uint8Array): void {
    const q = this.pending.get(hitKey(peerHit));
    if (!q) return;
    this.pending.delete(hitKey(peerHit));
    for (const m of q) this.send(peerHit, m.srcPort, m.dstPort, m.data);
  }

  private emit(ev: StackEvent): void {
    if (this.onEvent) this.onEvent(ev);
    else this.events.push(ev);
  }

  private count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
}
