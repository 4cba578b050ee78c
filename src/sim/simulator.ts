// Deterministic discrete-event network simulator: virtual time, a binary-heap event queue
// (ties broken by sequence number), seeded randomness, nodes owning addresses, paths with
// latency/jitter/loss/reordering/duplication/bandwidth, partitions, address changes, and a
// trace of every datagram event. Endpoints are sans-I/O (`SimEndpoint`).
import { SeededRng } from "../core/rng.ts";
import { type Locator, locatorKey, type Millis, type Transmit } from "../core/types.ts";
import { EventHeap } from "./heap.ts";
import {
  DEFAULT_LINK,
  type DropReason,
  type LinkParams,
  type NodeStats,
  type RunResult,
  type SimEndpoint,
  type SimOptions,
  type SimStats,
  type SimTarget,
  type TraceEvent,
  type TraceKind,
} from "./types.ts";

interface Packet {
  id: number;
  from: Locator;
  to: Locator;
  data: Uint8Array;
}

type SimEvent =
  | { time: Millis; seq: number; kind: "deliver"; pkt: Packet }
  | { time: Millis; seq: number; kind: "timeout"; node: SimNode; gen: number }
  | { time: Millis; seq: number; kind: "action"; fn: () => void };

interface SimNode {
  name: string;
  endpoint: SimEndpoint;
  addresses: Locator[];
  timerAt: Millis | undefined;
  timerGen: number;
  stats: NodeStats;
}

interface LinkState {
  busyUntil: Millis;
  lastArrival: Millis;
}

export class Simulator {
  /** Current virtual time. */
  now: Millis = 0;
  readonly trace: TraceEvent[] = [];
  readonly stats: SimStats = {
    events: 0, sent: 0, delivered: 0, lost: 0, partitioned: 0, duplicated: 0,
    droppedNoAddress: 0, droppedQueue: 0, bytesSent: 0, bytesDelivered: 0, timeouts: 0, actions: 0,
  };
  private readonly rng: SeededRng;
  private readonly seed: number;
  private forks = 0;
  private seq = 0;
  private nextId = 1;
  private readonly queue = new EventHeap<SimEvent>();
  private readonly nodes = new Map<string, SimNode>();
  private readonly owners = new Map<string, SimNode>();
  private readonly paths = new Map<string, LinkParams>();
  private readonly linkStates = new Map<string, LinkState>();
  private readonly partitions = new Set<string>();
  private readonly listeners: ((e: TraceEvent) => void)[] = [];
  private defaultLink: LinkParams;
  private readonly traceMode: "on" | "data" | "off";
  private readonly maxEvents: number;
  private readonly maxBurst: number;

  constructor(opts: SimOptions) {
    this.seed = opts.seed >>> 0;
    this.rng = new SeededRng(this.seed);
    this.defaultLink = { ...DEFAULT_LINK, ...opts.link };
    this.traceMode = opts.trace ?? "on";
    this.maxEvents = opts.maxEvents ?? 1_000_000;
    this.maxBurst = opts.maxBurst ?? 100_000;
  }

  /** An independent deterministic Rng for an endpoint (same seed + same call order → same stream). */
  forkRng(): SeededRng {
    this.forks++;
    return new SeededRng((Math.imul(this.seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(this.forks, 0x85ebca6b)) >>> 0);
  }

  /** Observe trace events as they happen (e.g. a live timeline). */
  onTrace(cb: (e: TraceEvent) => void): void {
    this.listeners.push(cb);
  }

  // ---- topology -------------------------------------------------------------------------

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

  addresses(name: string): readonly Locator[] {
    return this.node(name).addresses;
  }

  nodeStats(name: string): Readonly<NodeStats> {
    return this.node(name).stats;
  }

  /** Name of the node owning `loc` now, if any. */
  ownerOf(loc: Locator): string | undefined {
    return this.owners.get(locatorKey(loc))?.name;
  }

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

  /** Parameters for datagrams from `a` to `b` (and back unless `oneWay`); overrides the defaults. */
  setPath(a: SimTarget, b: SimTarget, params: Partial<LinkParams>, opts: { oneWay?: boolean } = {}): void {
    const full = { ...this.defaultLink, ...params };
    this.paths.set(`${tkey(a)}>${tkey(b)}`, full);
    if (!opts.oneWay) this.paths.set(`${tkey(b)}>${tkey(a)}`, full);
  }

  /** Change the default parameters of every path without an override. */
  setDefaultLink(params: Partial<LinkParams>): void {
    this.defaultLink = { ...this.defaultLink, ...params };
  }

  /** Cut `a` from `b` both ways (`b` omitted: from everyone). Datagrams sent meanwhile are lost. */
  partition(a: SimTarget, b?: SimTarget): void {
    const bk = b === undefined ? "*" : tkey(b);
    this.partitions.add(`${tkey(a)}>${bk}`);
    this.partitions.add(`${bk}>${tkey(a)}`);
  }

  heal(a: SimTarget, b?: SimTarget): void {
    const bk = b === undefined ? "*" : tkey(b);
    this.partitions.delete(`${tkey(a)}>${bk}`);
    this.partitions.delete(`${bk}>${tkey(a)}`);
  }

  healAll(): void {
    this.partitions.clear();
  }

  // ---- scripting and running --------------------------------------------------------------

  /** Run `fn` at virtual time `t` (clamped to now); afterwards every endpoint is drained. */
  at(t: Millis, fn: () => void): void {
    this.push({ time: Math.max(t, this.now), seq: 0, kind: "action", fn });
  }

  after(dt: Millis, fn: () => void): void {
    this.at(this.now + dt, fn);
  }

  /** Put a datagram on the network from any locator (owned or not), e.g. an attacker's. */
  inject(from: Locator, to: Locator, data: Uint8Array): void {
    this.transmit(undefined, from, to, data);
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

  private claim(node: SimNode, loc: Locator): void {
    const k = locatorKey(loc);
    const owner = this.owners.get(k);
    if (owner && owner !== node) throw new Error(`sim: ${k} belongs to '${owner.name}'`);
    if (owner) return;
    this.owners.set(k, node);
    node.addresses.push({ ip: loc.ip, port: loc.port });
  }

  private release(node: SimNode, loc: Locator): void {
    const k = locatorKey(loc);
    if (this.owners.get(k) !== node) throw new Error(`sim: '${node.name}' does not own ${k}`);
    this.owners.delete(k);
    node.addresses = node.addresses.filter((a) => locatorKey(a) !== k);
  }

  private notifyAddresses(node: SimNode, added: Locator[], removed: Locator[]): void {
    node.endpoint.handleAddressChange?.(this.now, added, removed);
    this.flush(node);
  }

  private push(ev: SimEvent): void {
    ev.seq = this.seq++;
    this.queue.push(ev);
  }

  /** Drain an endpoint's transmits, then re-arm its timer from pollTimeout(). */
  private flush(node: SimNode): void {
    const ep = node.endpoint;
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

  private transmit(src: SimNode | undefined, from: Locator, to: Locator, data: Uint8Array): void {
    // Copy: endpoints may hand out views into reused buffers (e.g. WASM memory).
    const pkt: Packet = { id: this.nextId++, from, to, data: data.slice() };
    this.stats.sent++;
    this.stats.bytesSent += data.length;
    this.record("sent", pkt, src?.name);
    const dst = this.owners.get(locatorKey(to));
    if (!dst) {
      this.stats.droppedNoAddress++;
      this.record("dropped-no-address", pkt, undefined, "no-destination");
      return;
    }
    const fk = `a:${locatorKey(from)}`;
    const tk = `a:${locatorKey(to)}`;
    const fn = src ? `n:${src.name}` : fk;
    const tn = `n:${dst.name}`;
    if (this.partitioned(fk, tk) || this.partitioned(fn, tn)) {
      this.stats.partitioned++;
      this.stats.lost++;
      this.record("lost", pkt, undefined, "partition");
      return;
    }
    const [pathKey, params] = this.path(fk, tk, fn, tn);
    if (params.loss > 0 && this.rng.next() < params.loss) {
      this.stats.lost++;
      this.record("lost", pkt, undefined, "loss");
      return;
    }
    let state = this.linkStates.get(pathKey);
    if (!state) {
      state = { busyUntil: 0, lastArrival: 0 };
      this.linkStates.set(pathKey, state);
    }
    this.schedule(pkt, params, state);
    if (params.duplicate > 0 && this.rng.next() < params.duplicate) {
      this.stats.duplicated++;
      this.record("duplicated", pkt);
      this.schedule(pkt, params, state);
    }
  }

  private partitioned(a: string, b: string): boolean {
    const p = this.partitions;
    return p.size > 0 && (p.has(`${a}>${b}`) || p.has(`${a}>*`) || p.has(`*>${b}`));
  }

  private path(fk: string, tk: string, fn: string, tn: string): [string, LinkParams] {
    for (const k of [`${fk}>${tk}`, `${fn}>${tn}`, `${fk}>${tn}`, `${fn}>${tk}`]) {
      const p = this.paths.get(k);
      if (p) return [k, p];
    }
    return [`${fk}>${tk}`, this.defaultLink];
  }

  private schedule(pkt: Packet, p: LinkParams, s: LinkState): void {
    let depart = this.now;
    if (p.bandwidth !== undefined && p.bandwidth > 0) {
      const start = Math.max(this.now, s.busyUntil);
      const backlog = ((start - this.now) * p.bandwidth) / 1000;
      if (p.queueBytes !== undefined && backlog + pkt.data.length > p.queueBytes) {
        this.stats.droppedQueue++;
        this.record("dropped-queue", pkt, undefined, "queue");
        return;
      }
      s.busyUntil = start + (pkt.data.length * 1000) / p.bandwidth;
      depart = s.busyUntil;
    }
    let arrival = depart + p.latency + (p.jitter > 0 ? p.jitter * this.rng.next() : 0);
    if (arrival < s.lastArrival) arrival = s.lastArrival; // jitter alone keeps FIFO order
    if (p.reorder > 0 && this.rng.next() < p.reorder) {
      arrival += p.reorderDelay ?? Math.max(p.latency, 2 * p.jitter, 1);
    } else {
      s.lastArrival = arrival;
    }
    this.push({ time: arrival, seq: 0, kind: "deliver", pkt });
  }

  private deliver(pkt: Packet): void {
    const node = this.owners.get(locatorKey(pkt.to));
    if (!node) {
      this.stats.droppedNoAddress++;
      this.record("dropped-no-address", pkt, undefined, "no-destination");
      return;
    }
    this.stats.delivered++;
    this.stats.bytesDelivered += pkt.data.length;
    node.stats.received++;
    node.stats.bytesReceived += pkt.data.length;
    this.record("delivered", pkt, node.name);
    // Each delivery gets its own copy (duplicates must not alias one buffer).
    node.endpoint.handleDatagram(this.now, pkt.data.slice(), pkt.from, pkt.to);
    this.flush(node);
  }

  private record(kind: TraceKind, pkt: Packet, node?: string, reason?: DropReason): void {
    if (this.traceMode === "off" && this.listeners.length === 0) return;
    const e: TraceEvent = { t: this.now, kind, id: pkt.id, from: pkt.from, to: pkt.to, bytes: pkt.data.length };
    if (node !== undefined) e.node = node;
    if (reason !== undefined) e.reason = reason;
    if (this.traceMode === "data") e.data = pkt.data;
    if (this.traceMode !== "off") this.trace.push(e);
    for (const l of this.listeners) l(e);
  }
}

function tkey(t: SimTarget): string {
  return typeof t === "string" ? `n:${t}` : `a:${locatorKey(t)}`;
}
