// A tiny deterministic network for HipHost tests: fixed latency, optional loss filter.
import type { Locator } from "../../src/core/types.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { classifyDatagram } from "../../src/wire/framing.ts";
import { nobleProvider } from "../../src/core/crypto/noble.ts";
import { type CryptoResult, runCryptoJob } from "../../src/hip/crypto-jobs.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { HipEvent, HipHostConfig } from "../../src/hip/types.ts";
import { UpdateExtension } from "../../src/hip/update.ts";

export interface Node {
  host: HipHost;
  loc: Locator;
  events: HipEvent[];
}

export interface Packet {
  at: number;
  from: Locator;
  to: Locator;
  data: Uint8Array;
  src: Node;
}

export class Net {
  now = 0;
  readonly nodes: Node[] = [];
  private flight: Packet[] = [];
  sent = 0;
  /** Return false to lose the packet. Called for every transmit in send order. */
  filter: (p: Packet, index: number) => boolean = () => true;
  /** Run the hosts' crypto jobs (HipHostConfig.cryptoJobs) at once with @noble. */
  syncJobs = false;
  /** Optional tamper hook on the HIP packet (marker removed) before delivery. */
  tamper: ((p: Packet, hip: Uint8Array) => Uint8Array | undefined) | undefined;

  constructor(readonly latency = 5) {}

  add(seed: number, ip: string, cfg: Partial<HipHostConfig> = {}, identity?: HostIdentity): Node {
    const rng = new SeededRng(seed);
    const host = new HipHost({ identity: identity ?? HostIdentity.generate(rng, "P-256"), rng, ...cfg });
    const n: Node = { host, loc: { ip, port: 10500 }, events: [] };
    this.nodes.push(n);
    return n;
  }

  private collect(): void {
    for (const n of this.nodes) {
      if (this.syncJobs) for (let j = n.host.pollCryptoJob(); j; j = n.host.pollCryptoJob()) n.host.handleCryptoResult(this.now, j.id, runCryptoJob(nobleProvider, j) as CryptoResult);
      for (let t = n.host.pollTransmit(); t; t = n.host.pollTransmit()) {
        const p: Packet = { at: this.now + this.latency, from: t.from ?? n.loc, to: t.to, data: t.data, src: n };
        if (this.filter(p, this.sent++)) this.flight.push(p);
      }
      for (let e = n.host.pollEvent(); e; e = n.host.pollEvent()) n.events.push(e);
    }
  }

  /** Advance until `until` (virtual ms), delivering packets and firing timers. */
  run(until: number): void {
    this.collect();
    for (let guard = 0; guard < 1_000_000; guard++) {
      let next = Number.POSITIVE_INFINITY;
      for (const p of this.flight) next = Math.min(next, p.at);
      for (const n of this.nodes) {
        const t = n.host.pollTimeout();
        if (t !== undefined) next = Math.min(next, t);
      }
      if (next > until) break;
      this.now = Math.max(this.now, next);
      const due = this.flight.filter((p) => p.at <= this.now);
      this.flight = this.flight.filter((p) => p.at > this.now);
      for (const p of due) {
        const dst = this.nodes.find((n) => n.loc.ip === p.to.ip && n.loc.port === p.to.port);
        if (!dst) continue;
        const c = classifyDatagram(p.data);
        if (!c.ok || c.value.kind !== "hip") throw new Error("non-HIP datagram in test net");
        const hip = this.tamper ? this.tamper(p, c.value.packet.slice()) : c.value.packet;
        if (hip) dst.host.handleDatagram(this.now, hip, p.from, dst.loc);
      }
      for (const n of this.nodes) {
        const t = n.host.pollTimeout();
        if (t !== undefined && t <= this.now) n.host.handleTimeout(this.now);
      }
      this.collect();
    }
    this.now = Math.max(this.now, until);
  }

  /** Packets currently in flight. */
  inFlight(): readonly Packet[] {
    return this.flight;
  }
}

export function eventsOf<T extends HipEvent["type"]>(n: Node, type: T): Extract<HipEvent, { type: T }>[] {
  return n.events.filter((e) => e.type === type) as Extract<HipEvent, { type: T }>[];
}

/** The HIP packet type of a UDP-framed datagram (-1: not HIP). */
export function hipType(d: Uint8Array): number {
  const c = classifyDatagram(d);
  return c.ok && c.value.kind === "hip" ? c.value.packet[2] & 0x7f : -1;
}

/** A (192.0.2.1) and B (192.0.2.2) with UPDATE extensions, both ESTABLISHED (B after A's first ESP). */
export function established(seed: number, cfgA: Partial<HipHostConfig> = {}) {
  const net = new Net();
  const a = net.add(seed, "192.0.2.1", cfgA);
  const b = net.add(seed + 1, "192.0.2.2");
  const ua = new UpdateExtension(a.host);
  new UpdateExtension(b.host);
  a.host.connect(net.now, b.loc, b.host.hit, a.loc);
  net.run(1000);
  const sb = eventsOf(b, "sa-install")[0];
  b.host.noteEspReceived(net.now, sb.inbound.spi, a.loc); // R2-SENT → ESTABLISHED (§6.9 step 21)
  net.run(net.now + 1);
  if (a.host.association(b.host.hit)?.state !== "ESTABLISHED") throw new Error("not established");
  return { net, a, b, ua };
}
