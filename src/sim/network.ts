// The network half of the deterministic simulator (simulator.ts): addresses and their owners,
// paths with latency/jitter/loss/reordering/duplication/bandwidth, partitions, the event queue
// (ties broken by sequence number) and the trace of every datagram event.
import { SeededRng } from "../core/rng.ts";
import { type Locator, locatorKey, type Millis } from "../core/types.ts";
import { EventHeap } from "./heap.ts";
import {
  DEFAULT_LINK,
  type DropReason,
  type LinkParams,
  type NodeStats,
  type SimEndpoint,
  type SimOptions,
  type SimStats,
  type SimTarget,
  type TraceEvent,
  type TraceKind,
} from "./types.ts";

export interface Packet {
  id: number;
  from: Locator;
  to: Locator;
  data: Uint8Array;
}

export type SimEvent =
  | { time: Millis; seq: number; kind: "deliver"; pkt: Packet }
  | { time: Millis; seq: number; kind: "timeout"; node: SimNode; gen: number }
  | { time: Millis; seq: number; kind: "action"; fn: () => void };

export interface SimNode {
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

/** Links and delivery; the runner (nodes, timers, scripting) is Simulator. */
export abstract class SimNetwork {
  /** Current virtual time. */
  now: Millis = 0;
  /** Every datagram event (unless `trace` is "off"). */
  readonly trace: TraceEvent[] = [];
  /** Counters of the whole run. */
  readonly stats: SimStats = {
    events: 0, sent: 0, delivered: 0, lost: 0, partitioned: 0, duplicated: 0,
    droppedNoAddress: 0, droppedQueue: 0, bytesSent: 0, bytesDelivered: 0, timeouts: 0, actions: 0,
  };
  protected readonly rng: SeededRng;
  protected readonly seed: number;
  protected seq = 0;
  protected nextId = 1;
  protected readonly queue = new EventHeap<SimEvent>();
  protected readonly owners = new Map<string, SimNode>();
  private readonly paths = new Map<string, LinkParams>();
  private readonly linkStates = new Map<string, LinkState>();
  private readonly partitions = new Set<string>();
  private readonly listeners: ((e: TraceEvent) => void)[] = [];
  private defaultLink: LinkParams;
  private readonly traceMode: "on" | "data" | "off";

  constructor(opts: SimOptions) {
    this.seed = opts.seed >>> 0;
    this.rng = new SeededRng(this.seed);
    this.defaultLink = { ...DEFAULT_LINK, ...opts.link };
    this.traceMode = opts.trace ?? "on";
  }

  /** Drain an endpoint's transmits, then re-arm its timer (Simulator). */
  protected abstract flush(node: SimNode): void;

  /** Observe trace events as they happen (e.g. a live timeline). */
  onTrace(cb: (e: TraceEvent) => void): void {
    this.listeners.push(cb);
  }

  /** Name of the node owning `loc` now, if any. */
  ownerOf(loc: Locator): string | undefined {
    return this.owners.get(locatorKey(loc))?.name;
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

  /** Undo `partition(a, b)`. */
  heal(a: SimTarget, b?: SimTarget): void {
    const bk = b === undefined ? "*" : tkey(b);
    this.partitions.delete(`${tkey(a)}>${bk}`);
    this.partitions.delete(`${bk}>${tkey(a)}`);
  }

  /** Undo every partition. */
  healAll(): void {
    this.partitions.clear();
  }

  /** Put a datagram on the network from any locator (owned or not), e.g. an attacker's. */
  inject(from: Locator, to: Locator, data: Uint8Array): void {
    this.transmit(undefined, from, to, data);
  }

  protected claim(node: SimNode, loc: Locator): void {
    const k = locatorKey(loc);
    const owner = this.owners.get(k);
    if (owner && owner !== node) throw new Error(`sim: ${k} belongs to '${owner.name}'`);
    if (owner) return;
    this.owners.set(k, node);
    node.addresses.push({ ip: loc.ip, port: loc.port });
  }

  protected release(node: SimNode, loc: Locator): void {
    const k = locatorKey(loc);
    if (this.owners.get(k) !== node) throw new Error(`sim: '${node.name}' does not own ${k}`);
    this.owners.delete(k);
    node.addresses = node.addresses.filter((a) => locatorKey(a) !== k);
  }

  protected push(ev: SimEvent): void {
    ev.seq = this.seq++;
    this.queue.push(ev);
  }

  protected transmit(src: SimNode | undefined, from: Locator, to: Locator, data: Uint8Array): void {
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

  protected deliver(pkt: Packet): void {
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

  protected record(kind: TraceKind, pkt: Packet, node?: string, reason?: DropReason): void {
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
