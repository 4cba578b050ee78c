// The ESP half of HostStack (stack.ts): the send path (prepareSeal → seal → completeSeal) and
// the receive path (prepareOpen → open → completeOpen), RFC 4303 / RFC 7402 with BEET UDP
// (RFC 7402 §3.1); the public event and option types. SA bookkeeping and draining are HostStack.
import { intSetting } from "../core/settings.ts";
import type { Locator, Millis, Transmit } from "../core/types.ts";
import { DataPlane } from "../esp/dataplane.ts";
import { EspStatus, espStatusName, type OpenResult } from "../esp/types.ts";
import type { FaClientEvent, FaClientOptions } from "../fa/client/client.ts";
import { hitKey } from "../hip/hit.ts";
import { HipHost } from "../hip/host.ts";
import type { HipEvent, HipHostConfig } from "../hip/types.ts";
import { UpdateExtension, type UpdateOptions } from "../hip/update.ts";
import { MobilityExtension, type MobilityExtensionOptions } from "../mobility/extension.ts";
import type { MobilityEvent } from "../mobility/types.ts";
import { defaultWasm, loadWasmSync } from "../wasm/instantiate.ts";
import { beetUdpSegment, decodeBeetUdp, encodeBeetUdp, hitPairSum, IPPROTO_UDP, pseudoSum, UDP_HEADER_LEN } from "./beet-udp.ts";
import { type EchoReplyEvent, type InnerEvent, type InnerOptions, InnerProtocols, IPPROTO_ICMPV6, pingIdentifierFor } from "./inner.ts";
import { DeferredEsp, type OpenJob, type OpenOutcome, type SealJob } from "./esp-work.ts";
import { SaGuard } from "./sa-guard.ts";
import { type PeerSas, SaTable } from "./sa-table.ts";

/** Events of a {@link HostStack}: the HIP core's, inner-protocol and ESP events, mobility and FA client events (tagged). */
export type StackEvent =
  | HipEvent
  | {
      /** A UDP datagram from the peer over ESP (BEET inner UDP). */
      type: "message";
      /** The peer's HIT. */
      peerHit: Uint8Array;
      /** Inner UDP source port. */
      srcPort: number;
      /** Inner UDP destination port. */
      dstPort: number;
      /** The UDP payload. */
      data: Uint8Array;
      /** Outer source locator. */
      from: Locator;
      /** Our locator it arrived at. */
      to?: Locator;
      /** Inbound SPI. */
      spi: number;
      /** ESP sequence number. */
      seq: number;
      /** True when it came inside an REA (ESP_DATAGRAM, draft §6.1.1). */
      viaRea?: boolean;
    }
  | InnerEvent
  | EchoReplyEvent
  | {
      /** An inbound ESP packet was dropped. */
      type: "esp-drop";
      /** Why (the counter name under `esp.drop.`, e.g. "auth-failed", "replay", "unknown-spi"). */
      reason: string;
      /** Its SPI. */
      spi: number;
      /** Its outer source locator. */
      from: Locator;
    }
  | {
      /**
       * Datagrams a send answered "queued" for while the association came up (or rekeyed) that
       * will never be sealed: the association failed or closed first (counted as
       * `esp.drop.queued.no-association`).
       */
      type: "send-dropped";
      /** The peer's HIT. */
      peerHit: Uint8Array;
      /** How many datagrams. */
      dropped: number;
      /** Why. */
      reason: "no-association";
    }
  | {
      /** A mobility event. */
      type: "mobility";
      /** The peer concerned. */
      peerHit: Uint8Array;
      /** The mobility session's event. */
      ev: MobilityEvent;
    }
  | {
      /** A Forwarding Agent lease client event. */
      type: "fa";
      /** The FA client's event. */
      ev: FaClientEvent;
    };

/**
 * A caller's mistake, not the network's: thrown where a send is taken (RuntimeHost / TunnelHost
 * check before holding a datagram, so a bad one never waits to throw later from a timer). A port
 * of 70000 or NaN would go out wrapped into another port, an object as "seal-failed".
 * `x & 0xffff` differs from any x that is not an integer from 0 to 65535 (NaN, negatives, fractions).
 */
export function checkSendArgs(srcPort: number, dstPort: number, data: Uint8Array): void {
  if ((srcPort & 0xffff) !== srcPort || (dstPort & 0xffff) !== dstPort) throw new RangeError(`send: ports ${srcPort} → ${dstPort}: want integers from 0 to 65535`);
  if (!(data instanceof Uint8Array)) throw new TypeError(`send: data is ${data === null ? "null" : typeof data}: want a Uint8Array`);
}

/** Outcome of sending a datagram: sent, queued until the association exists, or why not. */
export type SendStatus = "sent" | "queued" | "no-association" | "no-path" | "seal-failed" | "too-big";

/**
 * The largest inner packet (BEET UDP segment, ICMPv6 message…) that fits one UDP datagram over
 * IPv4 once sealed with any suite: 65,507 − (ESP header 8 + IV 16 + padding 15 + trailer 2 + ICV 32)
 * (RFC 4303 §2). A larger one is refused at once ("too-big"); before, it was "sent" and then lost
 * at the seal or at the socket (EMSGSIZE).
 */
export const MAX_INNER_PACKET = 65434;
/** The largest datagram `send` takes: MAX_INNER_PACKET less the inner UDP header. */
export const MAX_DATAGRAM = MAX_INNER_PACKET - 8;

/** Options of {@link HostStack}. */
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
  /** UPDATE rekeying (src/hip/update.ts); `threshold`: outbound sequence number from which a
   * rekey starts before exhaustion (default 2^32 − 2^16; RFC 4303 §3.3.3; 2^32: only once the
   * sequence numbers ran out; an integer from 1 to 2^32, else a RangeError). */
  rekey?: UpdateOptions & {
    /** Outbound sequence number from which a rekey starts. */
    threshold?: number;
  };
  /** Inner protocols other than UDP (inner.ts): delivery filter, ICMPv6 echo answering, ping bounds. */
  inner?: InnerOptions;
}

const NO_SEG = new Uint8Array(0);

let wasmModule: WebAssembly.Module | undefined;
/** A fresh data plane (own WASM instance: SPIs of hosts sharing a process must not collide). */
export function newDataPlane(): DataPlane {
  if (wasmModule === undefined) {
    // The default an entry point registered (src/wasm/instantiate.ts), compiled once.
    const src = defaultWasm();
    wasmModule = src instanceof WebAssembly.Module ? src : new WebAssembly.Module(src);
  }
  return new DataPlane(loadWasmSync(wasmModule));
}

/** ESP send and receive paths; the rest of the stack is HostStack. */
export abstract class EspStack {
  /** The HIP core. */
  readonly host: HipHost;
  /** The in-process data plane (undefined with `deferEsp`). */
  readonly dataPlane: DataPlane | undefined;
  /** With `deferEsp`: the ordered SA / seal / open work for the runner. */
  readonly deferred: DeferredEsp | undefined;
  /** The mobility extension (when `mobility` was given). */
  readonly mobility: MobilityExtension | undefined;
  /** UPDATE rekeying of the SA pairs (RFC 7402 §6.9). */
  readonly update: UpdateExtension;
  private readonly rekeyAt: number;
  /** Stack-level counters ("esp.rx", "esp.tx", "esp.tx.rea", "esp.drop.<reason>", "rx.relay"…). */
  readonly counters: Record<string, number> = {};
  protected readonly sas: SaTable;
  /** Inner packets (next header + payload) waiting for the SAs, per peer. */
  protected readonly pending = new Map<string, { nextHeader: number; seg: Uint8Array }[]>();
  /** Non-UDP inner packets: delivery, ICMPv6 echo answers, our pings (inner.ts). */
  readonly inner: InnerProtocols;
  /** ICMPv6 Echo Identifier of our pings (RFC 4443 §4.1). */
  pingIdentifier: number;
  protected readonly espTx: Transmit[] = [];
  /** The in-process data plane's result of the packet being opened (reused: DataPlane.openTo). */
  private readonly opened: OpenResult = { status: EspStatus.Ok, spi: 0, seq: 0, handle: 0, nextHeader: 0, payload: NO_SEG, payloadSum: 0 };
  protected readonly events: StackEvent[] = [];
  private readonly onEvent: ((ev: StackEvent) => void) | undefined;
  private readonly pendingLimit: number;
  /** Peers with a deferred datagram on its way into the next REA (one per REA, §6.1.1). */
  private readonly reaJobs = new Set<string>();
  protected now: Millis = 0;

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
    // Mobility's liveness ACs watch the peer; without them, heartbeat UPDATEs (HipHostConfig.heartbeatMs).
    this.update = new UpdateExtension(this.host, this.mobility ? { heartbeatMs: 0, ...opts.rekey } : opts.rekey);
    this.rekeyAt = intSetting("rekey.threshold", opts.rekey?.threshold, 2 ** 32 - 2 ** 16, 1, 2 ** 32);
    this.inner = new InnerProtocols(opts.inner, (n) => this.count(n));
    this.pingIdentifier = pingIdentifierFor(this.host.hit);
    this.sas = new SaTable(this.deferred ?? (this.dataPlane as DataPlane), this.mobility?.policy.oldSaTimeoutMs, new SaGuard(this.host.rng), { maxSas: this.host.limits.maxSas, count: (n) => this.count(n) });
  }

  /** IV seeds and the (key, salt) reuse check of every SA installed (read-only; sa-guard.ts). */
  get saGuard(): SaGuard | undefined {
    return this.sas.guard;
  }

  /** Apply HIP events that concern the data plane, then pass every event on (HostStack). */
  protected abstract drainHost(now: Millis): number;

  /** A free SPI of our FA lease's range, if any (HostStack). */
  protected abstract leasedSpi(): number | undefined;

  /**
   * Seal one application datagram to `peerHit` (BEET: UDP header + data). With `deferEsp`,
   * "sent" means handed to the data plane (a seal failure is counted later).
   */
  send(peerHit: Uint8Array, srcPort: number, dstPort: number, data: Uint8Array, now: Millis = this.now): SendStatus {
    checkSendArgs(srcPort, dstPort, data);
    if (data.length > MAX_DATAGRAM) return this.tooBig();
    const dp = this.dataPlane;
    const sas = this.sas.peer(peerHit);
    if (sas !== undefined && this.deferred) return this.sendDeferredUdp(peerHit, sas, srcPort, dstPort, data, now);
    if (dp === undefined || sas === undefined) {
      return this.sendInner(peerHit, IPPROTO_UDP, encodeBeetUdp(this.host.hit, peerHit, srcPort, dstPort, data), now);
    }
    // In-process fast path: the UDP header, its checksum and the seal happen in WASM memory
    // (DataPlane.sealUdp); the inner segment is only built in JS when it has to be kept.
    this.now = Math.max(this.now, now);
    const len = UDP_HEADER_LEN + data.length;
    const job = this.prepareSeal(peerHit, IPPROTO_UDP, NO_SEG, now, len, sas);
    if (typeof job === "string") return job;
    if (job.rea) {
      job.seg = encodeBeetUdp(this.host.hit, peerHit, srcPort, dstPort, data);
      return this.sealInProcess(dp, job, now);
    }
    // No result object per packet: status and sequence number are read from the data plane.
    const packet = dp.sealUdpPacket(job.handle, pseudoSum(this.host.hit, peerHit, len, this.hitSum(sas)), srcPort, dstPort, data);
    const status = dp.lastStatus;
    if (status === EspStatus.Rekey && this.startRekey(now, peerHit)) {
      const s = this.queueForRekey(peerHit, IPPROTO_UDP, encodeBeetUdp(this.host.hit, peerHit, srcPort, dstPort, data));
      if (s === "queued") return s;
    } else if (status === EspStatus.Ok && dp.lastSeq >= this.rekeyAt) this.startRekey(now, peerHit);
    return this.completeSeal(now, job, status, packet);
  }

  /**
   * `send` with a deferred data plane (a Worker): the segment is queued without its checksum, which
   * the data plane fills next to the seal (EspBatch.addSealUdp), so this thread never sums the bytes.
   * A datagram riding in an REA is encoded here as on the in-process path.
   */
  private sendDeferredUdp(peerHit: Uint8Array, sas: PeerSas, srcPort: number, dstPort: number, data: Uint8Array, now: Millis): SendStatus {
    this.now = Math.max(this.now, now);
    if (this.deferredFull()) return "seal-failed";
    const len = UDP_HEADER_LEN + data.length;
    const job = this.prepareSeal(peerHit, IPPROTO_UDP, NO_SEG, now, len, sas);
    if (typeof job === "string") return job;
    if (job.rea) job.seg = encodeBeetUdp(this.host.hit, peerHit, srcPort, dstPort, data);
    else {
      job.seg = beetUdpSegment(srcPort, dstPort, data);
      job.udpPseudo = pseudoSum(this.host.hit, peerHit, len, this.hitSum(sas));
    }
    this.sealDeferred(job, now);
    return "sent";
  }

  /** Queue `job` on the deferred data plane; past the rekey threshold, start a rekey (RFC 4303 §3.3.3). */
  private sealDeferred(job: SealJob, now: Millis): void {
    const seq = (this.deferred as DeferredEsp).seal(job);
    if (!job.rea && seq >= this.rekeyAt) this.startRekey(now, job.peerHit);
  }

  /**
   * Seal one raw inner packet to `peerHit`: `payload` is the upper-layer packet (TCP segment,
   * ICMPv6 message…) whose checksum, if any, the caller computed over the HITs (RFC 7402 §3.1;
   * `beetChecksum` in src/wire/icmpv6.ts). Queued like `send` while the SAs come up.
   */
  sendInner(peerHit: Uint8Array, nextHeader: number, payload: Uint8Array, now: Millis = this.now): SendStatus {
    if (payload.length > MAX_INNER_PACKET) return this.tooBig();
    this.now = Math.max(this.now, now);
    if (this.deferredFull()) return "seal-failed";
    const job = this.prepareSeal(peerHit, nextHeader, payload, now);
    if (typeof job === "string") return job;
    if (this.deferred) {
      this.sealDeferred(job, now);
      return "sent";
    }
    return this.sealInProcess(this.dataPlane as DataPlane, job, now);
  }

  /** A send refused for its size (counted: `esp.drop.too-big`). */
  private tooBig(): "too-big" {
    this.count("esp.drop.too-big");
    return "too-big";
  }

  /** Deferred data plane: true (and counted) when `limits.maxEspQueue` seal jobs already wait. */
  private deferredFull(): boolean {
    if (this.deferred === undefined || this.deferred.queuedSeals < this.host.limits.maxEspQueue) return false;
    this.count("esp.drop.seal.queue-full");
    this.sealRefused = true;
    return true;
  }

  /**
   * Set when a send was refused because `limits.maxEspQueue` seal jobs waited (deferred data plane);
   * whoever drains the queue clears it and tells the sender it may go on (RuntimeHost "drain").
   */
  sealRefused = false;

  private sealInProcess(dp: DataPlane, job: SealJob, now: Millis): SendStatus {
    const packet = dp.seal(job.handle, job.nextHeader, job.seg);
    const status = dp.lastStatus;
    // RFC 4303 §3.3.3: sequence numbers never wrap; rekey and keep the datagram for the new SA.
    if (status === EspStatus.Rekey && !job.rea && this.startRekey(now, job.peerHit)) {
      const s = this.queueForRekey(job.peerHit, job.nextHeader, job.seg.slice());
      if (s === "queued") return s;
    } else if (status === EspStatus.Ok && dp.lastSeq >= this.rekeyAt) this.startRekey(now, job.peerHit);
    return this.completeSeal(now, job, status, packet);
  }

  /** Keep an inner packet for the SAs the rekey brings (bounded by `pendingLimit`). */
  private queueForRekey(peerHit: Uint8Array, nextHeader: number, seg: Uint8Array): SendStatus {
    const q = this.pending.get(hitKey(peerHit)) ?? [];
    if (q.length >= this.pendingLimit) return "seal-failed";
    q.push({ nextHeader, seg });
    this.pending.set(hitKey(peerHit), q);
    this.count("esp.rekey.queued");
    return "queued";
  }

  /**
   * Send an ICMPv6 Echo Request (RFC 4443 §4.1) to `peerHit`'s HIT, identifier `pingIdentifier`;
   * its reply comes back as an "echo-reply" event with the RTT in the stack's clock.
   */
  ping(peerHit: Uint8Array, sequence: number, data: Uint8Array = new Uint8Array(0), now: Millis = this.now): SendStatus {
    this.now = Math.max(this.now, now);
    const msg = this.inner.ping(this.now, this.host.hit, peerHit, this.pingIdentifier, sequence, data);
    const s = this.sendInner(peerHit, IPPROTO_ICMPV6, msg, now);
    if (s !== "sent" && s !== "queued") this.inner.forget(peerHit, this.pingIdentifier, sequence);
    return s;
  }

  /**
   * Sending, step 1 (pure routing): the SA, the path and the inner packet, or why not. `sas`: the
   * peer's SAs when the caller looked them up already (one HIT key per packet less).
   */
  prepareSeal(peerHit: Uint8Array, nextHeader: number, seg: Uint8Array, now: Millis, segLen = seg.length, sas = this.sas.peer(peerHit)): SealJob | SendStatus {
    const a = this.host.association(peerHit);
    if (!sas) {
      if (!a || a.state === "CLOSING" || a.state === "CLOSED" || a.state === "E-FAILED") return "no-association";
      const q = this.pending.get(hitKey(peerHit)) ?? [];
      if (q.length >= this.pendingLimit) return "no-association";
      q.push({ nextHeader, seg: seg.slice() });
      this.pending.set(hitKey(peerHit), q);
      return "queued";
    }
    if (!a) return "no-association";
    const base = sas.outbound.get(sas.spiOut);
    if (base === undefined) return "seal-failed";
    const session = this.mobility?.session(peerHit);
    // §6.1.1: while an REA is about to go out, the next datagram rides inside it.
    if (session?.moving && this.mobility?.policy.embedEspInRea && !session.hasEspForRea && !this.reaJobs.has(hitKey(peerHit))) {
      if (this.deferred) this.reaJobs.add(hitKey(peerHit));
      return { peerHit: sas.peerHit, handle: base, nextHeader, seg, to: a.peerLocator, rea: true };
    }
    const route = this.mobility?.route(now, peerHit, sealedSizeBound(segLen), !this.reaJobs.has(hitKey(peerHit)));
    if (route === null) {
      // Not a drop here: the caller has the datagram back (RuntimeHost holds it, `held`).
      this.count("esp.no-path");
      return "no-path";
    }
    const to = route?.to ?? a.peerLocator;
    const from = route?.from ?? a.localLocator;
    return { peerHit: sas.peerHit, handle: (route && sas.outbound.get(route.spi)) ?? base, nextHeader, seg, to, from, rea: false };
  }

  /**
   * Run `fn`; anything it throws is counted (`drop.exception`) and `fallback` returned: nothing a
   * peer sends throws out of the stack (issue 9), in-process or from the Worker completions.
   */
  protected guard<T>(fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch {
      return this.caught(fallback);
    }
  }

  /** What guard() does with an exception (for the per-packet paths that inline its try). */
  protected caught<T>(fallback: T): T {
    this.count("drop");
    this.count("drop.exception");
    return fallback;
  }

  /** Sending, step 2 (after the seal): transmit, or hand the packet to the REA. `packet` is kept. */
  completeSeal(now: Millis, job: SealJob, status: number, packet: Uint8Array): SendStatus {
    // guard() without its closure (per packet).
    try {
      return this.sealDone(now, job, status, packet);
    } catch {
      return this.caught("seal-failed");
    }
  }

  private sealDone(now: Millis, job: SealJob, status: number, packet: Uint8Array): SendStatus {
    if (status !== EspStatus.Ok) {
      this.count(`esp.drop.seal.${espStatusName[status as EspStatus] ?? status}`);
      if (status === EspStatus.Rekey) this.startRekey(now, job.peerHit);
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
      // The REA was built while this was being sealed but has not left (no path yet): ride in it.
      if (session?.carryInRea(packet)) {
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
    const assoc = this.host.association(job.peerHit);
    if (assoc) this.host.noteEspSent(now, assoc); // in use (UAL, heartbeat)
    this.espTx.push(from ? { to, from, data: packet } : { to, data: packet });
    return "sent";
  }

  /** Told of every packet the data plane sent itself (worker-io): the NAT keepalive's "out" tap does not see those. */
  onDataPlaneSent: ((now: Millis, to: Locator) => void) | undefined;

  /**
   * Sending, step 2 when the data plane transmitted the sealed packet itself (a Worker with its
   * own sockets, dataPlane "worker-io"): what sealDone does for an Ok packet, but nothing to send.
   */
  sealSent(now: Millis, job: SealJob): void {
    this.count("esp.tx");
    this.onDataPlaneSent?.(now, job.to);
    const assoc = this.host.association(job.peerHit);
    if (assoc) this.host.noteEspSent(now, assoc); // in use (UAL, heartbeat)
  }

  /** Receiving, step 1 (pure): an SPI none of our inbound SAs has is dropped before any crypto. */
  prepareOpen(job: OpenJob): OpenJob | undefined {
    const d = job.data;
    const spi = spiOf(d);
    if (d.length >= 8 && !this.sas.bySpi(spi)) {
      this.espDrop("unknown-spi", spi, job.from);
      return undefined;
    }
    return job;
  }

  /** Receiving, step 2 (after the open): liveness, inner UDP ("message") or other ("inner"). */
  completeOpen(now: Millis, job: OpenJob, r: OpenOutcome): boolean {
    try {
      return this.openDone(now, job, r);
    } catch {
      return this.caught(false);
    }
  }

  private openDone(now: Millis, job: OpenJob, r: OpenOutcome): boolean {
    const { from, to, viaRea } = job;
    // `r` may be the data plane's reusable result (openEsp): read it before anything re-enters.
    const { status, spi, seq, nextHeader, payload, payloadSum } = r;
    if (status !== EspStatus.Ok) return this.espDrop(espStatusName[status as EspStatus] ?? String(status), spi, from);
    const sas = this.sas.bySpi(spi);
    if (!sas) return this.espDrop("unknown-spi", spi, from);
    // The ESP inside an REA proves nothing about the path it names (liveness needs the ACR).
    if (!viaRea) this.host.noteEspReceived(now, spi, from, to, job.size ?? job.data.length);
    this.drainHost(now); // "established" (R2-SENT → ESTABLISHED) before the message
    if (nextHeader !== IPPROTO_UDP) return this.receiveInner(now, sas.peerHit, job, { status, spi, seq, nextHeader, payload });
    const u = decodeBeetUdp(sas.peerHit, this.host.hit, payload, payloadSum, this.hitSum(sas));
    if (!u.ok) return this.espDrop(`udp-${u.reason}`, spi, from);
    this.count(viaRea ? "esp.rx.rea" : "esp.rx");
    const ev: StackEvent = { type: "message", peerHit: sas.peerHit, srcPort: u.srcPort, dstPort: u.dstPort, data: u.data, from, to, spi, seq };
    if (viaRea) ev.viaRea = true;
    this.emit(ev);
    return true;
  }

  /** The HIT words of the peer's pseudo-header (RFC 8200 §8.1), summed once per peer, not per packet. */
  private hitSum(sas: PeerSas): number {
    if (sas.hitSum < 0) sas.hitSum = hitPairSum(this.host.hit, sas.peerHit);
    return sas.hitSum;
  }

  /** SAs installed in the data plane (bounded by `host.limits.maxSas`). */
  get saCount(): number {
    return this.sas.size;
  }

  /** Any other inner protocol (inner.ts): ICMPv6 checked and echo answered, then "inner". */
  private receiveInner(now: Millis, peerHit: Uint8Array, job: OpenJob, r: OpenOutcome): boolean {
    const o = this.inner.receive(now, this.host.hit, peerHit, r.nextHeader, r.payload);
    if (o.drop) return this.espDrop(o.drop, r.spi, job.from);
    this.count(job.viaRea ? "esp.rx.rea" : "esp.rx");
    if (o.discard) {
      this.count("esp.rx.dummy"); // RFC 4303 §2.6: silently discarded
      return true;
    }
    this.count(`inner.rx.${r.nextHeader}`);
    // RFC 4443 §4.2: the reply goes back over the same association, to the requester's HIT.
    if (o.reply && this.sendInner(peerHit, IPPROTO_ICMPV6, o.reply, now) !== "sent") this.count("icmpv6.echo.reply-unsent");
    if (o.deliver) {
      const ev: InnerEvent = { type: "inner", peerHit, nextHeader: r.nextHeader, payload: r.payload, from: job.from, to: job.to, spi: r.spi, seq: r.seq };
      if (job.viaRea) ev.viaRea = true;
      if (o.icmpv6) ev.icmpv6 = o.icmpv6;
      if (o.reply || o.notAnswered) ev.echo = o.reply ? "answered" : o.notAnswered;
      this.emit(ev);
    }
    if (o.echo) this.emit({ type: "echo-reply", peerHit, ...o.echo, from: job.from });
    return true;
  }

  /** Start (or join) an UPDATE rekey with `peerHit`; false when none can run. */
  protected startRekey(now: Millis, peerHit: Uint8Array): boolean {
    if (this.update.pending(peerHit)) return true;
    const ok = this.update.rekey(now, peerHit);
    this.count(ok ? "esp.rekey.started" : "esp.rekey.failed");
    return ok;
  }

  protected openEsp(now: Millis, input: OpenJob): void {
    const job = this.prepareOpen(input);
    if (!job) return;
    if (this.deferred) {
      // Bounded while the data plane is busy (issue 9: remote input holds no unbounded state).
      if (this.deferred.queuedOpens >= this.host.limits.maxEspQueue) this.espDrop("queue-full", spiOf(job.data), job.from);
      else this.deferred.open(job);
    } else this.completeOpen(now, job, (this.dataPlane as DataPlane).openTo(job.data, this.opened));
  }

  private espDrop(reason: string, spi: number, from: Locator): false {
    this.count(`esp.drop.${reason}`);
    this.emit({ type: "esp-drop", reason, spi, from });
    return false;
  }

  protected emit(ev: StackEvent): void {
    if (this.onEvent) this.onEvent(ev);
    else this.events.push(ev);
  }

  protected count(name: string): void {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
  }
}


/** The SPI of an ESP datagram (RFC 4303 §2.1), 0 when it is too short to hold one. */
function spiOf(d: Uint8Array): number {
  return d.length >= 4 ? ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0 : 0;
}

/**
 * An upper bound on the ESP packet for an inner segment of `n` bytes (RFC 4303 §2: SPI + sequence
 * 8, IV ≤ 16, padding ≤ 15 + pad length + next header, ICV ≤ 16): what source credit charges
 * before the seal (draft §6.5 deviation, docs/PROTOCOL.md §8).
 */
function sealedSizeBound(n: number): number {
  return 8 + 16 + n + 17 + 16;
}
