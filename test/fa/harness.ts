// Test harness: a lossless in-memory network with virtual time, a Forwarding Agent and HIP
// hosts (HipHost + FaClient) that route Transmits from their leased locator through the FA.
import { type Locator, locatorKey, type Millis, type Transmit } from "../../src/core/types.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { FaClient, type FaClientEvent, type FaClientOptions } from "../../src/fa/client/client.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { type FaConfig, faConfig } from "../../src/fa/core/config.ts";
import { FaEndpoint } from "../../src/fa/core/endpoint.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import type { LeaseIndex } from "../../src/fa/core/lease-index.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { HipEvent } from "../../src/hip/types.ts";

export interface Endpoint {
  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void;
  handleTimeout(now: Millis): void;
  pollTransmit(): Transmit | undefined;
  pollTimeout(): Millis | undefined;
}

const ids = new Map<number, HostIdentity>();
/** Identities are cached per seed (key generation is the slow part of a test). */
export function identity(seed: number): HostIdentity {
  let id = ids.get(seed);
  if (!id) {
    id = HostIdentity.generate(new SeededRng(seed));
    ids.set(seed, id);
  }
  return id;
}

export class Net {
  now: Millis = 1_000_000;
  private readonly at = new Map<string, Endpoint>();
  readonly log: { from: Locator; to: Locator; data: Uint8Array }[] = [];
  /** Locators whose traffic is silently dropped (a crashed node). */
  readonly dead = new Set<string>();

  attach(l: Locator, e: Endpoint): void {
    this.at.set(locatorKey(l), e);
  }

  detach(l: Locator): void {
    this.at.delete(locatorKey(l));
  }

  send(t: Transmit, from: Locator): void {
    this.log.push({ from, to: t.to, data: t.data });
    if (this.dead.has(locatorKey(t.to)) || this.dead.has(locatorKey(from))) return;
    this.at.get(locatorKey(t.to))?.handleDatagram(this.now, t.data, from, t.to);
  }

  /** Deliver until quiet (no timers fired). */
  run(rounds = 50): void {
    for (let r = 0; r < rounds; r++) {
      let moved = false;
      for (const [key, e] of [...this.at]) {
        for (let t = e.pollTransmit(); t; t = e.pollTransmit()) {
          moved = true;
          this.send(t, t.from ?? parseKey(key));
        }
      }
      if (!moved) return;
    }
  }

  /** Advance virtual time to `t`, firing timers on the way. */
  advance(ms: Millis): void {
    const end = this.now + ms;
    for (;;) {
      this.run();
      let next = end;
      for (const e of new Set(this.at.values())) {
        const t = e.pollTimeout();
        if (t !== undefined && t < next) next = Math.max(t, this.now);
      }
      this.now = next;
      for (const e of new Set(this.at.values())) {
        const t = e.pollTimeout();
        if (t !== undefined && t <= this.now) e.handleTimeout(this.now);
      }
      this.run();
      if (this.now >= end) return;
    }
  }
}

function parseKey(k: string): Locator {
  const i = k.lastIndexOf(":");
  const ip = k.slice(0, i).replace(/^\[|\]$/g, "");
  return { ip, port: Number(k.slice(i + 1)) };
}

export function makeFa(net: Net, seed: number, cfg: Partial<FaConfig>, store: LeaseIndex = new MemoryLeaseStore()): { fa: ForwardingAgent; ep: FaEndpoint } {
  const fa = new ForwardingAgent({ identity: identity(seed), config: faConfig({ puzzle: "off", ...cfg }), store, rng: new SeededRng(seed + 1000) });
  const ep = new FaEndpoint(fa);
  for (const l of ep.locators) net.attach(l, ep);
  return { fa, ep };
}

/** A HIP host with a lease client; ESP payloads it receives (after unwrapping) are recorded. */
export class TestHost implements Endpoint {
  readonly hip: HipHost;
  client: FaClient | undefined;
  readonly esp: { data: Uint8Array; from: Locator; to: Locator }[] = [];
  readonly hipEvents: HipEvent[] = [];
  readonly faEvents: FaClientEvent[] = [];

  constructor(
    readonly net: Net,
    readonly seed: number,
    public locator: Locator,
  ) {
    this.hip = new HipHost({ identity: identity(seed), rng: new SeededRng(seed + 7), dropEvents: false });
    net.attach(locator, this);
  }

  lease(o: Omit<FaClientOptions, "from">): FaClient {
    this.client = new FaClient(this.hip, { ...o, from: this.locator });
    this.hip.registerExtension(this.client);
    this.client.start(this.net.now);
    return this.client;
  }

  moveTo(l: Locator): void {
    this.net.detach(this.locator);
    this.locator = l;
    this.net.attach(l, this);
  }

  handleDatagram(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    // FA holder probes (src/fa/core/holder.ts) are answered like HostStack does.
    const pong = this.client?.answerProbe(now, data, from);
    if (pong) return void this.net.send(pong, pong.from ?? this.locator);
    const u = this.client?.unwrap(now, data, from);
    if (u) this.deliver(now, u.data, u.from, u.to);
    else this.deliver(now, data, from, to);
    this.drainEvents();
  }

  private deliver(now: Millis, data: Uint8Array, from: Locator, to: Locator): void {
    if (data.length >= 4 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 0) this.hip.handleDatagram(now, data.subarray(4), from, to);
    else this.esp.push({ data, from, to });
  }

  handleTimeout(now: Millis): void {
    this.hip.handleTimeout(now);
    this.drainEvents();
  }

  pollTransmit(): Transmit | undefined {
    const t = this.hip.pollTransmit();
    if (!t) return undefined;
    const w = this.client ? this.client.wrap(t) : t;
    return w.from ? w : { ...w, from: this.locator };
  }

  pollTimeout(): Millis | undefined {
    return this.hip.pollTimeout();
  }

  /** Send a raw datagram (e.g. fake ESP) from `from` (our leased locator goes via the FA). */
  sendRaw(to: Locator, data: Uint8Array, from: Locator = this.locator): void {
    const t: Transmit = { to, from, data };
    const w = this.client ? this.client.wrap(t) : t;
    this.net.send(w, w.from ?? this.locator);
    this.net.run();
  }

  drainEvents(): void {
    for (let e = this.hip.pollEvent(); e; e = this.hip.pollEvent()) this.hipEvents.push(e);
    for (let e = this.client?.pollEvent(); e; e = this.client?.pollEvent()) this.faEvents.push(e);
  }
}

export function espPacket(spi: number, seq: number, len = 64): Uint8Array {
  const b = new Uint8Array(len);
  new DataView(b.buffer).setUint32(0, spi);
  new DataView(b.buffer).setUint32(4, seq);
  b.fill(0xab, 8);
  return b;
}

/** Fleet tests (sans-I/O): the fleet's shared locator, a host's and a peer's locators. */
export const FLEET_SHARED = { ip: "192.0.2.10", port: 10500 };
export const FLEET_HOST = { ip: "198.51.100.7", port: 5000 };
export const FLEET_PEER = { ip: "203.0.113.9", port: 7000 };

/** One fleet node's agent (write-through store jobs, one fleet identity) with control at `ip`. */
export function fleetNode(name: string, ip: string) {
  const ctl = { ip, port: 10500 };
  const fa = new ForwardingAgent({ identity: identity(1), config: faConfig({ control: [ctl], shared4: [FLEET_SHARED], puzzle: "off" }), rng: new SeededRng(name.charCodeAt(0)), durable: true, node: name });
  return { name, fa, ctl, ctlIndex: fa.locals.findIndex((l) => l.control), sharedIndex: fa.locals.findIndex((l) => l.shared) };
}
