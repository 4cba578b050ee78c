// The demo's view of a simulator run: every datagram as a "flight" (sent → delivered / lost /
// dropped) built from the simulator's trace events, plus annotations (scenario actions and
// protocol decisions). Addresses and their owners are learned from the trace, so the same
// model serves a live Simulator and a recorded src/lab run.
import { type Locator, locatorKey } from "../../src/core/types.ts";
import type { TraceEvent } from "../../src/sim/types.ts";
import { describeDatagram } from "../../src/sim/describe.ts";
import { unwrapRelay } from "../../src/fa/core/relay.ts";
import { classifyDatagram } from "../../src/wire/framing.ts";

export type Fate = "in-flight" | "delivered" | "lost" | "dropped";

export interface Flight {
  /** Index in FlightLog.flights. */
  id: number;
  /** Simulator datagram id (a duplicate shares it). */
  pid: number;
  t0: number;
  /** Arrival (delivered/dropped on arrival), or where a loss is drawn; NaN while unknown. */
  t1: number;
  from: Locator;
  to: Locator;
  src: string;
  dst: string | undefined;
  fate: Fate;
  reason?: string;
  bytes: number;
  data?: Uint8Array;
  /** "I1", "REA", "ESP", … */
  label: string;
  kind: "hip" | "esp" | "other";
  /** HIP packet type (RFC 7401 §5.1), when kind is "hip". */
  ptype?: number;
  /** ESP: the SPI (RFC 4303 §2.1) naming the receiver's SA. */
  spi?: number;
  /** Carried inside a Forwarding Agent relay frame (label/kind/spi are the inner datagram's). */
  relayed?: boolean;
}

export interface Annotation {
  t: number;
  /** Node the annotation belongs to; undefined for scenario-wide notes. */
  node?: string;
  text: string;
  /** "resumed": the first data datagram of a direction on a new path after a change (demo/resumed.ts). */
  kind: "note" | "event" | "resumed";
  /** For "resumed": the direction, e.g. "A→B". */
  dir?: string;
}

export interface AddressInfo {
  node: string;
  loc: Locator;
  key: string;
  firstSeen: number;
  /** First time a datagram for it found nobody there (address removed). */
  goneAt?: number;
}

const MIN_VISUAL_MS = 2;

export class FlightLog {
  readonly flights: Flight[] = [];
  readonly annotations: Annotation[] = [];
  readonly addresses = new Map<string, AddressInfo>();
  readonly nodes: string[] = [];
  /** Addresses that stay with their first owner (live mode: an FA's locator, which its leases share). */
  readonly pinned = new Set<string>();
  private readonly open = new Map<number, Flight>();
  private latencySum = 0;
  private latencyN = 0;

  constructor(initial: { node: string; addresses: Locator[] }[] = []) {
    for (const n of initial) {
      this.addNode(n.node);
      for (const a of n.addresses) this.learn(n.node, a, 0);
    }
  }

  /** Typical one-way delay seen so far (where lost datagrams are drawn to vanish: half way). */
  typicalLatency(): number {
    return this.latencyN ? this.latencySum / this.latencyN : 10;
  }

  ownerOf(loc: Locator): string | undefined {
    return this.addresses.get(locatorKey(loc))?.node;
  }

  annotate(a: Annotation): void {
    if (a.node) this.addNode(a.node);
    this.annotations.push(a);
  }

  ingest(e: TraceEvent): void {
    switch (e.kind) {
      case "sent": {
        const src = e.node ?? this.ownerOf(e.from) ?? `injector ${e.from.ip}`;
        this.learn(src, e.from, e.t);
        this.open.set(e.id, this.add(e, src, "in-flight", Number.NaN));
        break;
      }
      case "delivered": {
        let f = this.open.get(e.id);
        if (!f) break;
        if (f.fate !== "in-flight") {
          const first = f; // a duplicate's second copy: same departure, own arrival
          f = this.add(e, first.src, "in-flight", Number.NaN);
          f.t0 = first.t0;
          f.from = first.from;
        }
        f.fate = "delivered";
        f.t1 = e.t;
        f.dst = e.node;
        if (e.node) this.learn(e.node, e.to, f.t0);
        this.latencySum += e.t - f.t0;
        this.latencyN++;
        break;
      }
      case "lost":
      case "dropped-queue": {
        const f = this.open.get(e.id);
        if (!f) break;
        f.fate = "lost";
        f.reason = e.reason ?? e.kind;
        f.t1 = e.t + Math.max(MIN_VISUAL_MS, this.typicalLatency() / 2);
        break;
      }
      case "dropped-no-address": {
        const known = this.open.get(e.id);
        const f = known ?? this.add(e, e.node ?? this.ownerOf(e.from) ?? "?", "in-flight", e.t);
        f.fate = "dropped";
        f.reason = e.reason === "no-source" ? "no source address" : "nobody at destination";
        f.t1 = Math.max(e.t, f.t0 + MIN_VISUAL_MS);
        const a = this.addresses.get(locatorKey(e.to));
        if (a && e.reason === "no-destination" && a.goneAt === undefined) a.goneAt = e.t;
        break;
      }
      case "duplicated":
        break;
    }
  }

  /** Flights whose [t0, t1] overlaps [a, b] (t1 unknown counts as open). Flights are sorted by t0. */
  *between(a: number, b: number, lookBackMs = 1000): Generator<Flight> {
    const fl = this.flights;
    let i = lowerBound(fl, a - lookBackMs);
    for (; i < fl.length && fl[i].t0 <= b; i++) {
      const f = fl[i];
      if (Number.isNaN(f.t1) || f.t1 >= a) yield f;
    }
  }

  private add(e: TraceEvent, src: string, fate: Fate, t1: number): Flight {
    const c = e.data ? classify(e.data) : { label: "datagram", kind: "other" as const };
    const f: Flight = {
      id: this.flights.length, pid: e.id, t0: e.t, t1, from: e.from, to: e.to, src,
      dst: this.ownerOf(e.to), fate, bytes: e.bytes, data: e.data, ...c,
    };
    const inner = f.relayed && e.data ? unwrapRelay(e.data)?.payload : e.data;
    if (f.kind === "esp" && inner && inner.length >= 4) f.spi = new DataView(inner.buffer, inner.byteOffset, inner.length).getUint32(0);
    this.flights.push(f);
    return f;
  }

  private addNode(name: string): void {
    if (!this.nodes.includes(name)) this.nodes.push(name);
  }

  private learn(node: string, loc: Locator, t: number): void {
    if (!loc.ip) return;
    this.addNode(node);
    const key = locatorKey(loc);
    const a = this.addresses.get(key);
    if (!a) this.addresses.set(key, { node, loc, key, firstSeen: t });
    else if (a.node !== node && !this.pinned.has(key)) {
      a.node = node; // the address moved to another node
      a.goneAt = undefined;
    }
  }
}

/** Label and kind of a UDP/10500 datagram (PROFILE §3 framing). */
export function classify(data: Uint8Array): { label: string; kind: Flight["kind"]; ptype?: number; relayed?: boolean } {
  // An FA relay frame (00 00 00 FA + tunnel frame, docs/PROTOCOL.md §9): name what it carries.
  const r = unwrapRelay(data);
  if (r) return { ...classify(r.payload), relayed: true };
  const d = classifyDatagram(data);
  if (!d.ok) return { label: "malformed", kind: "other" };
  if (d.value.kind === "esp") return { label: "ESP", kind: "esp" };
  if (d.value.kind === "keepalive") return { label: "keepalive", kind: "other" };
  const ptype = d.value.packet.length > 2 ? d.value.packet[2] & 0x7f : 0;
  return { label: describeDatagram(data), kind: "hip", ptype };
}

function lowerBound(fl: Flight[], t: number): number {
  let lo = 0;
  let hi = fl.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fl[mid].t0 < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
