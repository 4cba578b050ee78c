// A mobile host for the simulator and the web demo: our LocalModel + one MobilitySession per
// peer + a small ESP-like data plane (SPI | seq | payload | HMAC-SHA1-96 ICV, per-SA windows).
// Associations are pre-keyed (as after a base exchange) so scenarios isolate readdressing.
// No node: imports (runs in browsers). Implements SimEndpoint.
import { hex } from "../core/bytes.ts";
import type { Locator, Millis, Rng, Transmit } from "../core/types.ts";
import type { HostIdentity } from "../hip/identity.ts";
import type { SimEndpoint } from "../sim/types.ts";
import { hmacSha1, mobilityContext } from "../mobility/codec.ts";
import { LocalModel } from "../mobility/model.ts";
import { makePolicy, type MobilityPolicy } from "../mobility/policy.ts";
import { InboundSaTable } from "../mobility/sa.ts";
import { MobilitySession } from "../mobility/session.ts";
import type { MobilityEvent, Path } from "../mobility/types.ts";

export interface Delivery {
  t: Millis;
  n: number;
  from: Locator;
  to: Locator;
  viaRea: boolean;
}

export interface Flow {
  intervalMs: Millis;
  next: Millis;
  until: Millis;
  size: number;
  n: number;
}

interface Peer {
  name: string;
  session: MobilitySession;
  spiOut: number;
  keyOut: Uint8Array;
  keyIn: Uint8Array;
  seqOut: number;
  inbound: InboundSaTable;
  flow?: Flow;
}

export interface NodeEvent {
  node: string;
  peer: string;
  ev: MobilityEvent;
}

export class MmNode implements SimEndpoint {
  readonly local = new LocalModel();
  readonly policy: MobilityPolicy;
  readonly peers = new Map<string, Peer>();
  private readonly bySpi = new Map<number, Peer>();
  private readonly out: Transmit[] = [];
  readonly delivered: Delivery[] = [];
  readonly sent: { t: Millis; n: number; path: Path | undefined; viaRea: boolean }[] = [];
  readonly log: NodeEvent[] = [];
  espRejected = 0;
  onEvent?: (e: NodeEvent) => void;

  constructor(
    readonly name: string,
    readonly identity: HostIdentity,
    readonly rng: Rng,
    policy: Partial<MobilityPolicy> = {},
  ) {
    this.policy = makePolicy(policy);
  }

  /** Pre-keyed association between a and b (their HIP integrity and ESP keys, SPIs). */
  static associate(a: MmNode, b: MmNode, aLoc: Locator, bLoc: Locator, now: Millis): void {
    const k = (n: number) => a.rng.fill(new Uint8Array(n));
    const macAB = k(20);
    const macBA = k(20);
    const espAB = k(20);
    const espBA = k(20);
    const spiA = 0x1000 + ((k(2)[0] << 8) | k(1)[0]);
    const spiB = 0x20000 + ((k(2)[0] << 8) | k(1)[0]);
    a.addPeer(b, { macOut: macAB, macIn: macBA, espOut: espAB, espIn: espBA, spiIn: spiA, spiOut: spiB, peerLoc: bLoc, now });
    b.addPeer(a, { macOut: macBA, macIn: macAB, espOut: espBA, espIn: espAB, spiIn: spiB, spiOut: spiA, peerLoc: aLoc, now });
  }

  private addPeer(p: MmNode, o: { macOut: Uint8Array; macIn: Uint8Array; espOut: Uint8Array; espIn: Uint8Array; spiIn: number; spiOut: number; peerLoc: Locator; now: Millis }): void {
    const peerId = p.identity.toPeer();
    const ctx = mobilityContext({
      localHit: this.identity.hit,
      peerHit: p.identity.hit,
      hmacKeyOut: o.macOut,
      hmacKeyIn: o.macIn,
      sign: (d) => ({ algorithm: this.identity.algorithm, signature: this.identity.sign(d) }),
      verifyPeer: (d, alg, sig) => alg === peerId.algorithm && peerId.verify(d, sig),
      spis: () => ({ inbound: o.spiIn, outbound: o.spiOut }),
    });
    const session = new MobilitySession({ ctx, local: this.local, policy: this.policy, rng: this.rng, now: o.now, peerLocator: o.peerLoc });
    const inbound = new InboundSaTable(64, this.policy.oldSaTimeoutMs);
    inbound.add(o.spiIn);
    const peer: Peer = { name: p.name, session, spiOut: o.spiOut, keyOut: o.espOut, keyIn: o.espIn, seqOut: 0, inbound };
    this.peers.set(hex(p.identity.hit), peer);
    this.bySpi.set(o.spiIn, peer);
  }

  peer(name: string): Peer {
    for (const p of this.peers.values()) if (p.name === name) return p;
    throw new Error(`${this.name}: no peer ${name}`);
  }

  /** Send `size`-byte datagrams to `peer` every `intervalMs` from `start` until `until`. */
  startFlow(peer: string, start: Millis, until: Millis, intervalMs = 1, size = 64): void {
    this.peer(peer).flow = { intervalMs, next: start, until, size, n: 0 };
  }

  // ---- SimEndpoint ----

  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    if (data.length >= 4 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 0) {
      if (data.length < 44) return;
      const p = this.peers.get(hex(data.subarray(12, 28)));
      if (!p) return;
      p.session.handlePacket(now, data, from, to);
      this.drain(now, p);
      return;
    }
    this.espIn(now, data, from, to, false);
  }

  handleTimeout(now: Millis): void {
    this.local.expire(now);
    for (const p of this.peers.values()) {
      const f = p.flow;
      // §6.1.1: when an REA is about to go out, the next datagram rides inside it.
      if (f && p.session.localChanged && this.policy.embedEspInRea && f.next <= now + f.intervalMs && f.next < f.until) {
        const n = f.n++;
        f.next += f.intervalMs;
        p.session.offerEspForRea(this.seal(p, n, f.size));
        this.sent.push({ t: now, n, path: undefined, viaRea: true });
      }
      p.session.handleTimeout(now);
      while (f && f.next <= now && f.next < f.until) {
        this.sendData(now, p, f.n++, f.size);
        f.next += f.intervalMs;
      }
      p.inbound.sweep(now);
      this.drain(now, p);
    }
  }

  pollTransmit(): Transmit | undefined {
    return this.out.shift();
  }

  pollTimeout(): Millis | undefined {
    let t = this.local.nextExpiry() ?? Number.POSITIVE_INFINITY;
    for (const p of this.peers.values()) {
      t = Math.min(t, p.session.pollTimeout() ?? t, p.inbound.nextDeadline() ?? t);
      if (p.flow && p.flow.next < p.flow.until) t = Math.min(t, p.flow.next);
    }
    return Number.isFinite(t) ? t : undefined;
  }

  // ---- data plane ----

  private seal(p: Peer, n: number, size: number): Uint8Array {
    const b = new Uint8Array(8 + Math.max(8, size) + 12);
    const v = new DataView(b.buffer);
    v.setUint32(0, p.spiOut);
    v.setUint32(4, ++p.seqOut);
    v.setUint32(8, n);
    b.set(hmacSha1(p.keyOut, b.subarray(0, b.length - 12)).subarray(0, 12), b.length - 12);
    return b;
  }

  private sendData(now: Millis, p: Peer, n: number, size: number): void {
    const path = p.session.dataPath(now);
    this.sent.push({ t: now, n, path, viaRea: false });
    if (!path) return;
    this.out.push({ from: path.from, to: path.to, data: this.seal(p, n, size) });
  }

  private espIn(now: Millis, data: Uint8Array, from: Locator, to: Locator, viaRea: boolean): void {
    if (data.length < 28) return void this.espRejected++;
    const v = new DataView(data.buffer, data.byteOffset, data.length);
    const p = this.bySpi.get(v.getUint32(0));
    if (!p) return void this.espRejected++;
    const icv = hmacSha1(p.keyIn, data.subarray(0, data.length - 12)).subarray(0, 12);
    for (let i = 0; i < 12; i++) if (icv[i] !== data[data.length - 12 + i]) return void this.espRejected++;
    if (p.inbound.accept(v.getUint32(0), v.getUint32(4), now) !== "ok") return void this.espRejected++;
    this.delivered.push({ t: now, n: v.getUint32(8), from, to, viaRea });
    if (!viaRea) p.session.handleEspInbound(now, from, to);
  }

  private drain(now: Millis, p: Peer): void {
    for (let t = p.session.pollTransmit(); t; t = p.session.pollTransmit()) this.out.push(t);
    for (let ev = p.session.pollEvent(); ev; ev = p.session.pollEvent()) {
      const e = { node: this.name, peer: p.name, ev };
      this.log.push(e);
      this.onEvent?.(e);
      if (ev.type === "esp-datagram") this.espIn(now, ev.data, ev.from, ev.to, true);
    }
  }
}
