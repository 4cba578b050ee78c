// A lab host: the real HostStack (HIP base exchange, REA/AC/ACR mobility extension, WASM ESP
// data plane, optional FA lease client) plus a constant-rate datagram flow and the records the
// lab summaries need. Implements SimEndpoint; no node: imports (the web demo runs it too).
import { hitKey } from "../hip/hit.ts";
import type { Locator, Millis, Rng, Transmit } from "../core/types.ts";
import type { FaClientOptions } from "../fa/client/client.ts";
import type { HipHostConfig } from "../hip/types.ts";
import { HostIdentity } from "../hip/identity.ts";
import type { MobilityPolicy } from "../mobility/policy.ts";
import type { MobilitySession } from "../mobility/session.ts";
import type { MobilityEvent } from "../mobility/types.ts";
import type { HipLimits } from "../hip/limits.ts";
import type { UpdateOptions } from "../hip/update.ts";
import { HostStack, type StackEvent } from "../runtime/stack.ts";
import type { SimEndpoint } from "../sim/types.ts";
import { HostObserver } from "./observe.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// Not in a hipmm/worker bundle: the embedded WASM module is the default DataPlane (src/wasm/loader.ts).
useEmbeddedWasm();

export interface Delivery {
  t: Millis;
  n: number;
  from: Locator;
  to: Locator | undefined;
  viaRea: boolean;
  /** The inbound SA it arrived on. */
  spi: number;
}

export interface NodeEvent {
  node: string;
  peer: string;
  ev: MobilityEvent;
}

/** Other things worth a timeline line (base exchange, SAs, FA leases). */
export interface HostNote {
  t: Millis;
  node: string;
  text: string;
}

interface Flow {
  peer: LabHost;
  intervalMs: Millis;
  next: Millis;
  until: Millis;
  size: number;
  n: number;
}

export interface LabHostOptions {
  name: string;
  rng: Rng;
  addresses: Locator[];
  policy?: Partial<MobilityPolicy>;
  /** Puzzle difficulty asked of Initiators (RFC 7401 §4.1.2); small in labs. Default 2. */
  puzzleK?: number;
  fa?: FaClientOptions;
  /** Host identity (default: a new P-256 identity from `rng`). */
  identity?: HostIdentity;
  /** More HIP core settings (e.g. `dhGroups`). */
  hip?: Partial<Omit<HipHostConfig, "identity" | "rng">>;
  /** State limits of the host (src/hip/limits.ts). */
  limits?: Partial<HipLimits>;
  /** UPDATE rekeying (src/hip/update.ts), e.g. `{ newDh: "always" }`. */
  rekey?: UpdateOptions;
}

export class LabHost implements SimEndpoint {
  readonly name: string;
  /** The host's stack; replaced by {@link LabHost.restart}. */
  stack: HostStack;
  readonly delivered: Delivery[] = [];
  readonly log: NodeEvent[] = [];
  readonly notes: HostNote[] = [];
  readonly sent: { t: Millis; n: number; status: string }[] = [];
  /** Addresses, peer addresses and SAs over time, and every SA's keys (teaching views). */
  readonly observer: HostObserver;
  private readonly flows: Flow[] = [];
  private readonly names = new Map<string, string>();
  private readonly peerHits: Uint8Array[] = [];
  private now: Millis = 0;
  /** Set by {@link LabHost.powerOff}: the host neither hears, sends nor runs timers. */
  private off = false;
  private readonly opts: LabHostOptions & { identity: HostIdentity };

  constructor(o: LabHostOptions) {
    this.name = o.name;
    this.observer = new HostObserver(o.name);
    this.opts = { ...o, identity: o.identity ?? HostIdentity.generate(o.rng) };
    this.stack = this.newStack();
  }

  private newStack(): HostStack {
    const o = this.opts;
    return new HostStack({
      host: { identity: o.identity, rng: o.rng, puzzleK: o.puzzleK ?? 2, dropEvents: false, ...o.hip, ...(o.limits ? { limits: o.limits } : {}) },
      // Labs announce even a single address: the first REA/AC/ACR round gives an RTT sample.
      mobility: { policy: { announceSingleAddress: true, ...o.policy } },
      addresses: o.addresses,
      fa: o.fa,
      rekey: o.rekey,
      onEvent: (ev) => this.onEvent(ev),
    });
  }

  /**
   * A crash and restart (no CLOSE sent): every association, SA and timer is gone; the identity
   * and the configured addresses stay. Flows go on sending (refused until an association exists).
   */
  restart(now: Millis): void {
    this.now = now;
    this.stack = this.newStack();
    this.notes.push({ t: now, node: this.name, text: "restarted: every association, SA and timer lost (same identity, same address)" });
    this.observe(now);
  }

  /** Start an UPDATE rekey with `peer` (RFC 7402 §6.8): a new SA pair each way. */
  rekey(now: Millis, peer: LabHost): boolean {
    this.now = now;
    const ok = this.stack.rekey(now, peer.hit);
    this.observe(now);
    return ok;
  }

  /** Power cut: the host stops for good, sending nothing (no CLOSE), hearing nothing. */
  powerOff(now: Millis): void {
    this.off = true;
    this.notes.push({ t: now, node: this.name, text: "powered off: it sends and hears nothing from now on (no CLOSE)" });
  }

  get hit(): Uint8Array {
    return this.stack.hit;
  }

  /** Name peers in the timeline. */
  knows(peer: LabHost): void {
    if (!this.names.has(hitKey(peer.hit))) this.peerHits.push(peer.hit);
    this.names.set(hitKey(peer.hit), peer.name);
  }

  private observe(now: Millis): void {
    const hit = this.peerHits[0];
    this.observer.snapshot(now, this.stack, hit ? this.stack.mobility?.session(hit) : undefined);
  }

  session(peer: LabHost): MobilitySession {
    const s = this.stack.mobility?.session(peer.hit);
    if (!s) throw new Error(`${this.name}: no session with ${peer.name}`);
    return s;
  }

  /** Send `size`-byte datagrams to `peer` every `intervalMs` from `start` until `until`. */
  startFlow(peer: LabHost, start: Millis, until: Millis, intervalMs = 1, size = 64): void {
    this.knows(peer);
    this.flows.push({ peer, intervalMs, next: start, until, size, n: 0 });
  }

  // ---- SimEndpoint ----

  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    if (this.off) return;
    this.now = now;
    this.stack.handleDatagram(now, data, from, to);
    this.observe(now);
  }

  handleTimeout(now: Millis): void {
    if (this.off) return;
    this.now = now;
    for (const f of this.flows) {
      // §6.1.1: when an REA is about to go out, the next datagram (if due soon) rides inside it.
      const s = this.stack.mobility?.session(f.peer.hit);
      if (s?.moving && !s.hasEspForRea && f.next <= now + f.intervalMs && f.next < f.until) this.sendOne(now, f);
    }
    this.stack.handleTimeout(now);
    for (const f of this.flows) while (f.next <= now && f.next < f.until) this.sendOne(now, f);
    this.observe(now);
  }

  handleAddressChange(now: Millis, added: readonly Locator[], removed: readonly Locator[]): void {
    if (this.off) return;
    this.now = now;
    this.stack.handleAddressChange(now, added, removed);
    this.observe(now);
  }

  pollTransmit(): Transmit | undefined {
    return this.off ? undefined : this.stack.pollTransmit();
  }

  pollTimeout(): Millis | undefined {
    if (this.off) return undefined;
    let t = this.stack.pollTimeout();
    for (const f of this.flows) if (f.next < f.until && (t === undefined || f.next < t)) t = f.next;
    return t;
  }

  // ---- internals ----

  private sendOne(now: Millis, f: Flow): void {
    const n = f.n++;
    f.next += f.intervalMs;
    const d = new Uint8Array(Math.max(8, f.size));
    new DataView(d.buffer).setUint32(0, n);
    const status = this.stack.send(f.peer.hit, 7000, 7000, d, now);
    this.sent.push({ t: now, n, status });
  }

  private onEvent(ev: StackEvent): void {
    const t = this.now;
    const peerName = "peerHit" in ev ? (this.names.get(hitKey(ev.peerHit)) ?? "?") : "";
    this.observer.onEvent(t, ev);
    switch (ev.type) {
      case "message":
        this.delivered.push({ t, n: new DataView(ev.data.buffer, ev.data.byteOffset, ev.data.length).getUint32(0), from: ev.from, to: ev.to, viaRea: ev.viaRea === true, spi: ev.spi });
        break;
      case "mobility":
        this.log.push({ node: this.name, peer: peerName, ev: ev.ev });
        break;
      case "established":
        this.notes.push({ t, node: this.name, text: `association with ${peerName} ESTABLISHED (${ev.initiator ? "Initiator" : "Responder"})` });
        break;
      case "sa-add":
        // An UPDATE rekey announces its new inbound SA the same way (RFC 7402 §6.9.1).
        if (this.stack.update.pending(ev.peerHit)) this.notes.push({ t, node: this.name, text: `new inbound SA 0x${ev.sa.spi.toString(16)} for the rekey installed, not used yet (RFC 7402 §6.9.1)` });
        else this.notes.push({ t, node: this.name, text: `per-interface SA ${ev.sa.direction}bound 0x${ev.sa.spi.toString(16)} installed (§4.5)` });
        break;
      case "sa-rekey":
        this.notes.push({ t, node: this.name, text: `rekeyed: now in 0x${ev.inbound.spi.toString(16)}, out 0x${ev.outbound.spi.toString(16)}; old out 0x${ev.oldOutboundSpi.toString(16)} gone, old in 0x${ev.oldInboundSpi.toString(16)} retiring (RFC 7402 §6.10)` });
        break;
      case "sa-delete":
        this.notes.push({ t, node: this.name, text: `SA ${ev.direction}bound 0x${ev.spi.toString(16)} retired (§6.1.1.1)` });
        break;
      case "closed":
      case "failed":
        this.notes.push({ t, node: this.name, text: `association with ${peerName} ${ev.type} (${ev.reason})` });
        break;
      case "fa": {
        const e = ev.ev;
        if (e.type === "leased") this.notes.push({ t, node: this.name, text: `FA lease ${e.renewed ? "renewed" : "granted"}: ${e.lease.locator.ip}:${e.lease.locator.port} SPIs 0x${e.lease.spiMin.toString(16)}-0x${e.lease.spiMax.toString(16)}` });
        else if (e.type === "fa-dead") this.notes.push({ t, node: this.name, text: `FA ${e.fa.ip} silent: leasing from ${e.next.ip} (§4.4.2)` });
        break;
      }
    }
  }
}
