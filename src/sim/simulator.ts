// Deterministic discrete-event network simulator: virtual time, a binary-heap event queue
// (ties broken by sequence number), seeded randomness, nodes owning addresses, paths with
// latency/jitter/loss/reordering/duplication/bandwidth, partitions, address changes, and a
// trace of every datagram event. Endpoints are sans-I/O (`SimEndpoint`).
// This file: nodes, timers, scripting and the runner; links and delivery are SimNetwork (network.ts).
import { nobleProvider } from "../core/crypto/noble.ts";
import { type CryptoResult, runCryptoJob } from "../hip/crypto-jobs.ts";
import { SeededRng } from "../core/rng.ts";
import type { Locator, Millis, Transmit } from "../core/types.ts";
import { locatorKey } from "../core/types.ts";
import { SimNetwork, type SimNode } from "./network.ts";
import type { NodeStats, RunResult, SimEndpoint, SimOptions } from "./types.ts";

/** The deterministic network simulator: nodes (sans-I/O endpoints), addresses, links with seeded latency / loss / reordering, partitions, and a script on virtual time. */
export class Simulator extends SimNetwork {
  private forks = 0;
  private readonly nodes = new Map<string, SimNode>();
  private readonly maxEvents: number;
  private readonly maxBurst: number;

  constructor(opts: SimOptions) {
    super(opts);
    this.maxEvents = opts.maxEvents ?? 1_000_000;
    this.maxBurst = opts.maxBurst ?? 100_000;
  }

  /** An independent deterministic Rng for an endpoint (same seed + same call order → same stream). */
  forkRng(): SeededRng {
    this.forks++;
    return new SeededRng((Math.imul(this.seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(this.forks, 0x85ebca6b)) >>> 0);
  }

  // ---- topology -------------------------------------------------------------------------

  /** Add a node running `endpoint` with its addresses. */
  addNode(name: string, endpoint: SimEndpoint, addresses: Locator[] = []): void {
    if (this.nodes.has(name)) throw new Error(`sim: node '${name}' exists`);
    const node: SimNode = {
      name, endpoint, addresses: [], timerAt: undefined, timerGen: 0,
      stats: { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0, timeouts: 0 },
    };
    this.nodes.set(name, node);
    for (const a of addresses) this.claim(node, a);
    this.flush(node);
  }

  /** The addresses of node `name` now. */
  addresses(name: string): readonly Locator[] {
    return this.node(name).addresses;
  }

  /** Counters of node `name`. */
  nodeStats(name: string): Readonly<NodeStats> {
    return this.node(name).stats;
  }


  /** Give node `name` one more address (its endpoint is told). */
  addAddress(name: string, loc: Locator): void {
    const node = this.node(name);
    this.claim(node, loc);
    this.notifyAddresses(node, [loc], []);
  }

  /** Remove an address; datagrams arriving for it later are dropped ("dropped-no-address"). */
  removeAddress(name: string, loc: Locator): void {
    const node = this.node(name);
    this.release(node, loc);
    this.notifyAddresses(node, [], [loc]);
  }

  /** Replace one address of a node by another (a renumbering event). */
  renumber(name: string, oldLoc: Locator, newLoc: Locator): void {
    const node = this.node(name);
    this.release(node, oldLoc);
    this.claim(node, newLoc);
    this.notifyAddresses(node, [newLoc], [oldLoc]);
  }


  // ---- scripting and running --------------------------------------------------------------

  /** Run `fn` at virtual time `t` (clamped to now); afterwards every endpoint is drained. */
  at(t: Millis, fn: () => void): void {
    this.push({ time: Math.max(t, this.now), seq: 0, kind: "action", fn });
  }

  /** Run `fn` `dt` ms from now. */
  after(dt: Millis, fn: () => void): void {
    this.at(this.now + dt, fn);
  }


  /** Drain transmits and re-arm the timer of a node whose endpoint was driven from outside. */
  kick(name?: string): void {
    if (name !== undefined) this.flush(this.node(name));
    else for (const n of this.nodes.values()) this.flush(n);
  }

  /** Time of the next pending event, if any. */
  nextEventTime(): Millis | undefined {
    return this.queue.peek()?.time;
  }

  /** Process exactly one event; false when the queue is empty. */
  step(): boolean {
    const ev = this.queue.pop();
    if (!ev) return false;
    this.now = Math.max(this.now, ev.time);
    this.stats.events++;
    switch (ev.kind) {
      case "deliver":
        this.deliver(ev.pkt);
        break;
      case "timeout": {
        const node = ev.node;
        if (ev.gen !== node.timerGen) break;
        node.timerAt = undefined;
        node.stats.timeouts++;
        this.stats.timeouts++;
        node.endpoint.handleTimeout(this.now);
        this.flush(node);
        break;
      }
      case "action":
        this.stats.actions++;
        ev.fn();
        this.kick();
        break;
    }
    return true;
  }

  /** Process every event up to virtual time `t`, then set the clock to `t`. */
  runUntil(t: Millis, maxEvents = this.maxEvents): RunResult {
    const r = this.run(() => false, t, maxEvents);
    if (r.reason !== "limit") this.now = Math.max(this.now, t);
    return { ...r, reason: r.reason === "limit" ? "limit" : "time", now: this.now };
  }

  /** Process events until none is left ("idle") or the next one is after `maxT` ("time"). */
  runUntilIdle(maxT: Millis, maxEvents = this.maxEvents): RunResult {
    return this.run(() => false, maxT, maxEvents);
  }

  /** Process events until `done()` holds ("done"), checked before each event. */
  runUntilTrue(done: () => boolean, maxT: Millis, maxEvents = this.maxEvents): RunResult {
    return this.run(done, maxT, maxEvents);
  }

  private run(done: () => boolean, maxT: Millis, maxEvents: number): RunResult {
    let events = 0;
    for (;;) {
      if (done()) return { reason: "done", events, now: this.now };
      const next = this.queue.peek();
      if (!next) return { reason: "idle", events, now: this.now };
      if (next.time > maxT) return { reason: "time", events, now: this.now };
      if (events >= maxEvents) return { reason: "limit", events, now: this.now };
      this.step();
      events++;
    }
  }

  // ---- internals --------------------------------------------------------------------------

  private node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`sim: no node '${name}'`);
    return n;
  }


  private notifyAddresses(node: SimNode, added: Locator[], removed: Locator[]): void {
    node.endpoint.handleAddressChange?.(this.now, added, removed);
    this.flush(node);
  }

  /** Drain an endpoint's transmits, then re-arm its timer from pollTimeout(). */
  protected flush(node: SimNode): void {
    const ep = node.endpoint;
    // Crypto jobs (src/hip/crypto-jobs.ts) run at once with @noble: deterministic, no virtual time.
    if (ep.pollCryptoJob && ep.handleCryptoResult)
      for (let j = ep.pollCryptoJob(); j; j = ep.pollCryptoJob()) ep.handleCryptoResult(this.now, j.id, runCryptoJob(nobleProvider, j) as CryptoResult);
    for (let i = 0; i < this.maxBurst; i++) {
      const tx = ep.pollTransmit();
      if (!tx) break;
      this.send(node, tx);
    }
    const t = ep.pollTimeout();
    if (t === node.timerAt) return;
    node.timerGen++;
    node.timerAt = t;
    if (t !== undefined) this.push({ time: Math.max(t, this.now), seq: 0, kind: "timeout", node, gen: node.timerGen });
  }

  private send(node: SimNode, tx: Transmit): void {
    const v6 = tx.to.ip.includes(":");
    const from = tx.from ?? node.addresses.find((a) => a.ip.includes(":") === v6) ?? node.addresses[0];
    if (!from || this.owners.get(locatorKey(from)) !== node) {
      const pkt = { id: this.nextId++, from: from ?? { ip: "", port: 0 }, to: tx.to, data: tx.data };
      this.record("dropped-no-address", pkt, node.name, "no-source");
      this.stats.droppedNoAddress++;
      return;
    }
    node.stats.sent++;
    node.stats.bytesSent += tx.data.length;
    this.transmit(node, from, tx.to, tx.data);
  }

}
