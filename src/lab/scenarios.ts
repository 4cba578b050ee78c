// Lab scenarios for `hipmm lab` and the web demo: plain scripts over the deterministic
// simulator with virtual time (no node: imports). Every host is the real stack (LabHost =
// HostStack: HIP base exchange, REA/AC/ACR extension, WASM ESP), Forwarding Agents are the real
// ForwardingAgent core (FaEndpoint). Two hosts, 10 ms one way (20 ms RTT), 1 datagram/ms flows.
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey, sameLocator, type Transmit } from "../core/types.ts";
import { unwrapRelay } from "../fa/core/relay.ts";
import type { FaClientOptions } from "../fa/client/client.ts";
import type { MobilityPolicy } from "../mobility/policy.ts";
import { Simulator } from "../sim/simulator.ts";
import type { SimEndpoint, TraceEvent } from "../sim/types.ts";
import { addFa } from "./fa.ts";
import { LabHost } from "./host.ts";
import { note, timelineLine } from "./timeline.ts";

export const SCENARIOS = ["handover", "make-before-break", "failover", "renumber", "v4-to-v6", "flood-attack", "fa-crash", "double-move"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface LabSummary {
  scenario: string;
  seed: number;
  rtt_ms: number;
  /** Datagrams of the flow toward the host that changes (B → A) delivered / lost. */
  delivered: number;
  lost: number;
  /** Change → first datagram delivered on the new path, flow B → A (toward the mover). */
  handover_ms: number | null;
  /** Same for the mover's own flow A → B (null when A has no flow). */
  handover_ms_from_mover: number | null;
  lost_from_mover: number | null;
  /** The bound this scenario states for handover_ms (toward the mover), and how it is made up. */
  bound_ms: number | null;
  /** The bound for handover_ms_from_mover: one RTT plus the detection time. */
  bound_from_mover_ms: number | null;
  bound: string;
  detection_ms: number;
  ac_probes_to_unverified: number;
  bytes_to_unverified: number;
  data_to_unverified: number;
  rejected: number;
  [k: string]: unknown;
}

export interface LabResult {
  summary: LabSummary;
  timeline: string[];
  trace: readonly TraceEvent[];
}

const L = (ip: string): Locator => ({ ip, port: 10500 });
const LAT = 10;
const RTT = 2 * LAT;
const T0 = 1000;
const END = 3000;
const isHip = (d: Uint8Array | undefined) => !!d && d.length >= 4 && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0;

class Sink implements SimEndpoint {
  handleDatagram(): void {}
  handleTimeout(): void {}
  pollTransmit(): Transmit | undefined {
    return undefined;
  }
  pollTimeout(): Millis | undefined {
    return undefined;
  }
}

interface World {
  sim: Simulator;
  a: LabHost;
  b: LabHost;
  notes: { t: Millis; text: string }[];
}

interface HostSpec {
  addrs: Locator[];
  fa?: FaClientOptions;
}

function world(seed: number, a: HostSpec, b: HostSpec, policy: Partial<MobilityPolicy>, connect: "direct" | "none" = "direct"): World {
  const sim = new Simulator({ seed, link: { latency: LAT }, trace: "data" });
  const ha = new LabHost({ name: "A", rng: sim.forkRng(), addresses: a.addrs, policy, fa: a.fa });
  const hb = new LabHost({ name: "B", rng: sim.forkRng(), addresses: b.addrs, policy, fa: b.fa });
  ha.knows(hb);
  hb.knows(ha);
  ha.stack.local?.setPreference(1, 2);
  hb.stack.local?.setPreference(1, 2);
  sim.addNode("A", ha, a.addrs);
  sim.addNode("B", hb, b.addrs);
  const w: World = { sim, a: ha, b: hb, notes: [] };
  if (connect === "direct") act(w, 0, "A → B: HIP base exchange (I1, R1, I2, R2), then each side announces its interfaces (REA)", () => ha.stack.connect(sim.now, b.addrs[0], hb.hit, a.addrs[0]));
  return w;
}

function act(w: World, t: Millis, text: string, fn: () => void): void {
  w.sim.at(t, () => {
    w.notes.push({ t: w.sim.now, text });
    fn();
  });
}

interface Plan {
  w: World;
  newAddrs: Locator[];
  victim?: Locator;
  detection: number;
  bound: string;
  boundMs: number | null;
  boundFromMover: number | null;
}

function plan(name: ScenarioName, seed: number): Plan {
  const fast = { probeIntervalMs: 50, failoverTimeoutMs: 150 };
  switch (name) {
    case "handover": {
      const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2")] }, {});
      act(w, T0, "A moves: 10.0.0.1 → 10.9.0.1 (old link gone at once: break-before-make)", () => w.sim.renumber("A", L("10.0.0.1"), L("10.9.0.1")));
      return { w, newAddrs: [L("10.9.0.1")], detection: 0, bound: "from the mover: ESP inside the REA, ½ RTT ≤ 1 RTT + detection 0; toward the mover: REA ½ + AC ½ + ACR ½ + data ½ = 2 RTT (§6.5: no data before the ACR)", boundMs: 2 * RTT, boundFromMover: RTT };
    }
    case "make-before-break": {
      const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2")] }, {});
      const n = L("10.9.0.1");
      act(w, T0, "A's new link up (10.9.0.1), old one deprecated but still up", () => {
        w.a.stack.local?.addInterface(2, 3);
        w.a.stack.local?.addAddress(2, n, w.sim.now, { preferred: true });
        w.a.stack.local?.deprecate(L("10.0.0.1"));
        w.sim.addAddress("A", n);
      });
      act(w, T0 + 3 * RTT, "A's old link goes away", () => w.sim.removeAddress("A", L("10.0.0.1")));
      return { w, newAddrs: [n], detection: 0, bound: "2 RTT toward the mover (REA, AC, ACR, data), ½ RTT from it; the old path carries traffic meanwhile: 0 lost", boundMs: 2 * RTT, boundFromMover: RTT };
    }
    case "failover": {
      const slow = L("10.2.0.1");
      const w = world(seed, { addrs: [L("10.1.0.1")] }, { addrs: [L("10.0.0.2")] }, fast);
      w.a.stack.local?.addInterface(2, 1);
      w.a.stack.local?.addAddress(2, slow, 0);
      w.sim.addAddress("A", slow);
      w.sim.setPath(slow, "B", { latency: 3 * LAT });
      act(w, T0, "A's fast link (10.1.0.1) silently dies (nobody is told)", () => w.sim.partition(L("10.1.0.1")));
      const d = fast.failoverTimeoutMs;
      return { w, newAddrs: [slow], detection: d, bound: `toward A: last in-flight datagram ½RTT + silence bound ${d} ms + one-way on the slow path ${3 * LAT} ms; from A likewise (A hears nothing on the fast path either)`, boundMs: LAT + d + 3 * LAT, boundFromMover: RTT + d + 3 * LAT };
    }
    case "renumber": {
      const old6 = L("2001:db8:1::a");
      const new6 = L("2001:db8:2::a");
      const w = world(seed, { addrs: [old6] }, { addrs: [L("2001:db8:ff::b")] }, {});
      act(w, T0, "site renumbered: 2001:db8:2::/48 added, old prefix deprecated (valid 1 s more)", () => {
        w.a.stack.local?.addAddress(1, new6, w.sim.now, { preferred: true });
        w.a.stack.local?.addAddress(1, old6, w.sim.now, { lifetimeSec: 1 });
        w.a.stack.local?.deprecate(old6);
        w.sim.addAddress("A", new6);
      });
      act(w, T0 + 1000, "old prefix withdrawn", () => w.sim.removeAddress("A", old6));
      return { w, newAddrs: [new6], detection: 0, bound: "2 RTT toward the mover, ½ RTT from it; old prefix still valid meanwhile: 0 lost", boundMs: 2 * RTT, boundFromMover: RTT };
    }
    case "v4-to-v6": {
      const a6 = L("2001:db8:a::1");
      const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2"), L("2001:db8:b::2")] }, {});
      act(w, T0, "A moves from IPv4-only 10.0.0.1 to IPv6-only 2001:db8:a::1", () => w.sim.renumber("A", L("10.0.0.1"), a6));
      return { w, newAddrs: [a6], detection: 0, bound: "B's IPv6 address needs its own check first (A had no IPv6 source): 2 RTT + 2 RTT", boundMs: 4 * RTT, boundFromMover: 3 * RTT };
    }
    case "flood-attack": {
      const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2")] }, { budget: { maxProbes: 3, maxBytes: 300, windowMs: 60_000 } });
      const victim = L("192.0.2.66");
      w.sim.addNode("victim", new Sink(), [victim]);
      for (let i = 0; i < 8; i++)
        act(w, T0 + i * 200, i === 0 ? "malicious B claims the victim's 192.0.2.66 (preferred), re-announces it 8 times" : "", () => {
          w.b.stack.local?.addAddress(2, victim, w.sim.now, { preferred: true });
          w.b.stack.local?.setUp(2, i % 2 === 0);
        });
      return { w, newAddrs: [], victim, detection: 0, bound: "no handover must happen; victim gets ≤ 3 AC probes / 300 bytes, no data", boundMs: null, boundFromMover: null };
    }
    case "fa-crash":
      return faCrash(seed);
    case "double-move":
      return doubleMove(seed);
  }
}

/** A hides behind FA1 (location privacy, §3.2); FA1 dies; A re-leases from FA2 and sends an REA (§4.4.2). */
function faCrash(seed: number): Plan {
  const fa1 = L("10.50.0.1");
  const fa2 = L("10.60.0.1");
  const faOpts: FaClientOptions = { fas: [{ locator: fa1 }, { locator: fa2 }], addrType: 4, spis: 16, privacy: true, silenceMs: 100, retryMs: 50, tries: 3, from: L("10.0.0.1") };
  const w = world(seed, { addrs: [L("10.0.0.1")], fa: faOpts }, { addrs: [L("10.0.0.2")] }, {}, "none");
  addFa(w.sim, "FA1", fa1, seed + 1);
  addFa(w.sim, "FA2", fa2, seed + 2);
  act(w, 0, "A leases an IPv4 locator + SPI range from FA1 (FAQ/FAA); with privacy it shows only that", () => w.a.stack.startFa(w.sim.now));
  act(w, 30, "B → A's leased locator at FA1: base exchange relayed by FA1 (rendezvous by HIT)", () => w.b.stack.connect(w.sim.now, fa1, w.a.hit, L("10.0.0.2")));
  act(w, T0, "FA1 crashes (silently: every datagram to or from it is lost)", () => w.sim.partition("FA1"));
  const detect = 100 + 50 + 100 + 200;
  return { w, newAddrs: [fa2], detection: detect, bound: `silence ${100} ms + renewal tries 50+100+200 ms = ${detect} ms detection, FAQ/FAA 2 RTT, then toward A: REA, AC, ACR, data via FA2 (4 × 1 RTT: each leg is host → FA → host)`, boundMs: detect + 2 * RTT + 4 * RTT, boundFromMover: detect + 2 * RTT + RTT };
}

/** Both hosts hold FA leases and move within one round trip (§1, §3.5 double jump). */
function doubleMove(seed: number): Plan {
  const fa1 = L("10.50.0.1");
  const fa2 = L("10.60.0.1");
  const a1 = L("10.0.0.1");
  const b1 = L("10.0.0.2");
  const fo = (fa: Locator, from: Locator): FaClientOptions => ({ fas: [{ locator: fa }], addrType: 4, spis: 16, from });
  const w = world(seed, { addrs: [a1], fa: fo(fa1, a1) }, { addrs: [b1], fa: fo(fa2, b1) }, { probeIntervalMs: 50, failoverTimeoutMs: 150 });
  addFa(w.sim, "FA1", fa1, seed + 1);
  addFa(w.sim, "FA2", fa2, seed + 2);
  act(w, 0, "A and B lease from FA1 and FA2; their FA interfaces are announced and verified", () => {
    w.a.stack.startFa(w.sim.now);
    w.b.stack.startFa(w.sim.now);
  });
  act(w, T0, "A moves 10.0.0.1 → 10.7.0.1", () => w.sim.renumber("A", a1, L("10.7.0.1")));
  act(w, T0 + 5, "B moves 10.0.0.2 → 10.8.0.2 while A's REA is in flight (double jump)", () => w.sim.renumber("B", b1, L("10.8.0.2")));
  return { w, newAddrs: [L("10.7.0.1"), fa1], detection: 150, bound: "A's REA to B's old address is lost; B's silence bound (150 ms) or A's REA retransmission via B's FA address recovers, data flows through the FAs meanwhile", boundMs: 150 + 4 * RTT, boundFromMover: 150 + 4 * RTT };
}

export function runScenario(name: ScenarioName, seed = 1): LabResult {
  const p = plan(name, seed);
  const { w } = p;
  // Flows: B → A (toward the mover) and A → B.
  w.b.startFlow(w.a, 100, END, 1);
  w.a.startFlow(w.b, 100, END, 1);
  w.sim.runUntil(END + 500);
  return summarize(name, seed, p);
}

function summarize(name: string, seed: number, p: Plan): LabResult {
  const { w, newAddrs, victim } = p;
  const isNew = (l: Locator | undefined) => !!l && newAddrs.some((n) => sameLocator(n, l));
  const flowCount = END - 100;
  const recvA = new Set(w.a.delivered.map((d) => d.n)).size;
  const recvB = new Set(w.b.delivered.map((d) => d.n)).size;
  const toMover = w.a.delivered.find((d) => d.t >= T0 && isNew(d.to));
  const fromMover = w.b.delivered.find((d) => d.t >= T0 && isNew(d.from));
  const sessions = [w.a.stack.mobility?.session(w.b.hit), w.b.stack.mobility?.session(w.a.hit)].filter((s) => s !== undefined);
  const sum = (f: (c: (typeof sessions)[0]["counters"]) => number) => sessions.reduce((n, s) => n + f(s.counters), 0);
  const toVictim = victim ? w.sim.trace.filter((e) => e.kind === "sent" && sameLocator(victim, e.to)) : [];
  const summary: LabSummary = {
    scenario: name,
    seed,
    rtt_ms: RTT,
    delivered: recvA,
    lost: flowCount - recvA,
    handover_ms: toMover && newAddrs.length ? round(toMover.t - T0) : null,
    handover_ms_from_mover: fromMover && newAddrs.length ? round(fromMover.t - T0) : null,
    lost_from_mover: flowCount - recvB,
    bound_ms: p.boundMs,
    bound_from_mover_ms: p.boundFromMover,
    bound: p.bound,
    detection_ms: p.detection,
    ac_probes_to_unverified: victim ? toVictim.length : sum((c) => c.probesToUnverified),
    bytes_to_unverified: victim ? toVictim.reduce((n, e) => n + e.bytes, 0) : sum((c) => c.bytesToUnverified),
    data_to_unverified: dataBeforeVerified(w),
    rejected: sum((c) => Object.values(c.rejected).reduce((x, y) => x + y, 0)),
    probes_suppressed: sum((c) => c.probesSuppressed),
    rea_sent: sum((c) => c.reaSent),
    ac_sent: sum((c) => c.acSent),
    acr_sent: sum((c) => c.acrSent),
    esp_in_rea: (w.a.stack.counters["esp.rx.rea"] ?? 0) + (w.b.stack.counters["esp.rx.rea"] ?? 0),
    base_exchange: "real (I1/R1/I2/R2, ECDSA P-256/384, WASM ESP)",
  };
  const lines: { t: Millis; s: string }[] = [];
  for (const n of w.notes) if (n.text) lines.push({ t: n.t, s: note(n.t, n.text) });
  for (const n of [...w.a.notes, ...w.b.notes]) lines.push({ t: n.t, s: `${n.t.toFixed(1).padStart(8)} ms  ${n.node}: ${n.text}` });
  for (const e of [...w.a.log, ...w.b.log]) {
    const s = timelineLine(e);
    if (s) lines.push({ t: e.ev.t, s });
  }
  if (toMover) lines.push({ t: toMover.t, s: note(toMover.t, `first datagram B → A delivered on the new path (${locatorKey(toMover.to!)})`) });
  if (fromMover) lines.push({ t: fromMover.t, s: note(fromMover.t, `first datagram A → B from the new address delivered${w.b.delivered.find((d) => d === fromMover)?.viaRea ? " (inside the REA)" : ""}`) });
  lines.sort((x, y) => x.t - y.t);
  return { summary, timeline: lines.map((l) => l.s), trace: w.sim.trace };
}

/** Data datagrams sent to a peer address before that address was verified (must be 0, §6.5). */
function dataBeforeVerified(w: World): number {
  let n = 0;
  for (const node of [w.b, w.a]) {
    const verifiedAt = new Map<string, Millis>();
    // The base exchange verifies the peer locator it ran with.
    const first = node.log.find((e) => e.ev.type === "path-changed" && e.ev.reason === "base-exchange");
    if (first?.ev.type === "path-changed" && first.ev.path) verifiedAt.set(locatorKey(first.ev.path.to), 0);
    for (const e of node.log) if (e.ev.type === "address-verified" && !verifiedAt.has(locatorKey(e.ev.locator))) verifiedAt.set(locatorKey(e.ev.locator), e.ev.t);
    for (const e of w.sim.trace) {
      if (e.kind !== "sent" || e.node !== node.name || isHip(e.data) || !e.data) continue;
      let to = e.to;
      const r = unwrapRelay(e.data);
      if (r) {
        if (isHip(r.payload) || !r.dst) continue;
        to = r.dst;
      }
      const v = verifiedAt.get(locatorKey(to));
      if (v === undefined || e.t < v) n++;
    }
  }
  return n;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
