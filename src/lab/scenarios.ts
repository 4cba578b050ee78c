// Lab scenarios for `hipmm lab` and the web demo: plain scripts over the deterministic
// simulator with virtual time (no node: imports). Two hosts, 20 ms RTT, 1 datagram/ms flows.
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey, sameLocator, type Transmit } from "../core/types.ts";
import { HostIdentity } from "../hip/identity.ts";
import type { MobilityPolicy } from "../mobility/policy.ts";
import { Simulator } from "../sim/simulator.ts";
import type { SimEndpoint, TraceEvent } from "../sim/types.ts";
import { MmNode, type NodeEvent } from "./node.ts";
import { note, timelineLine } from "./timeline.ts";

export const SCENARIOS = ["handover", "make-before-break", "failover", "renumber", "v4-to-v6", "flood-attack"] as const;
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
  /** The bound this scenario states for handover_ms, and how it is made up. */
  bound_ms: number | null;
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
  a: MmNode;
  b: MmNode;
  notes: { t: Millis; text: string }[];
  bx: { a: Locator; b: Locator };
}

function world(seed: number, a1: Locator, b1: Locator, policy: Partial<MobilityPolicy>): World {
  const sim = new Simulator({ seed, link: { latency: LAT }, trace: "data" });
  const a = new MmNode("A", HostIdentity.generate(sim.forkRng()), sim.forkRng(), policy);
  const b = new MmNode("B", HostIdentity.generate(sim.forkRng()), sim.forkRng(), policy);
  a.local.addInterface(1, 2);
  a.local.addAddress(1, a1, 0);
  b.local.addInterface(1, 2);
  b.local.addAddress(1, b1, 0);
  MmNode.associate(a, b, a1, b1, 0);
  sim.addNode("A", a, [a1]);
  sim.addNode("B", b, [b1]);
  return { sim, a, b, notes: [], bx: { a: a1, b: b1 } };
}

function act(w: World, t: Millis, text: string, fn: () => void): void {
  w.sim.at(t, () => {
    w.notes.push({ t: w.sim.now, text });
    fn();
  });
}

const T0 = 1000;
const END = 3000;

export function runScenario(name: ScenarioName, seed = 1): LabResult {
  const fast = { probeIntervalMs: 50, failoverTimeoutMs: 150 };
  let w: World;
  let newAddrs: Locator[] = [];
  let victim: Locator | undefined;
  let detection = 0;
  let bound: string;
  let boundMs: number | null;
  const rtt = 2 * LAT;
  switch (name) {
    case "handover": {
      w = world(seed, L("10.0.0.1"), L("10.0.0.2"), {});
      newAddrs = [L("10.9.0.1")];
      act(w, T0, "A moves: 10.0.0.1 → 10.9.0.1 (old link gone at once: break-before-make)", () => {
        w.sim.renumber("A", L("10.0.0.1"), L("10.9.0.1"));
        w.a.local.setAddresses(1, newAddrs, w.sim.now);
      });
      bound = "detection 0 + REA ½RTT + AC ½RTT + ACR ½RTT + data ½RTT = 2 RTT toward the mover; ½ RTT from it (ESP in REA)";
      boundMs = 2 * rtt;
      break;
    }
    case "make-before-break": {
      w = world(seed, L("10.0.0.1"), L("10.0.0.2"), {});
      newAddrs = [L("10.9.0.1")];
      act(w, T0, "A's new link up (10.9.0.1), old one deprecated but still up", () => {
        w.sim.addAddress("A", newAddrs[0]);
        w.a.local.addInterface(2, 3);
        w.a.local.addAddress(2, newAddrs[0], w.sim.now, { preferred: true });
        w.a.local.deprecate(L("10.0.0.1"));
      });
      act(w, T0 + 3 * rtt, "A's old link goes away", () => {
        w.sim.removeAddress("A", L("10.0.0.1"));
        w.a.local.removeAddress(L("10.0.0.1"));
      });
      bound = "2 RTT (REA, AC, ACR, data); the old path carries traffic meanwhile: 0 lost";
      boundMs = 2 * rtt;
      break;
    }
    case "failover": {
      w = world(seed, L("10.1.0.1"), L("10.0.0.2"), fast);
      newAddrs = [L("10.2.0.1")];
      w.sim.addAddress("A", newAddrs[0]);
      w.a.local.addInterface(2, 1);
      w.a.local.addAddress(2, newAddrs[0], 0);
      w.sim.setPath(newAddrs[0], "B", { latency: 3 * LAT });
      detection = fast.failoverTimeoutMs;
      act(w, T0, "A's fast link (10.1.0.1) silently dies (nobody is told)", () => w.sim.partition(L("10.1.0.1")));
      bound = `last in-flight datagram ½RTT + silence bound ${detection} ms + one-way on the slow path ${3 * LAT} ms`;
      boundMs = LAT + detection + 3 * LAT;
      break;
    }
    case "renumber": {
      w = world(seed, L("2001:db8:1::a"), L("2001:db8:ff::b"), {});
      newAddrs = [L("2001:db8:2::a")];
      act(w, T0, "site renumbered: 2001:db8:2::/48 added, old prefix deprecated (valid 1 s more)", () => {
        w.sim.addAddress("A", newAddrs[0]);
        w.a.local.addAddress(1, newAddrs[0], w.sim.now, { preferred: true });
        w.a.local.addAddress(1, L("2001:db8:1::a"), w.sim.now, { lifetimeSec: 1 });
        w.a.local.deprecate(L("2001:db8:1::a"));
      });
      act(w, T0 + 1000, "old prefix withdrawn", () => w.sim.removeAddress("A", L("2001:db8:1::a")));
      bound = "2 RTT; old prefix still valid meanwhile: 0 lost";
      boundMs = 2 * rtt;
      break;
    }
    case "v4-to-v6": {
      w = world(seed, L("10.0.0.1"), L("10.0.0.2"), {});
      w.sim.addAddress("B", L("2001:db8:b::2"));
      w.b.local.addAddress(1, L("2001:db8:b::2"), 0);
      newAddrs = [L("2001:db8:a::1")];
      act(w, T0, "A moves from IPv4-only 10.0.0.1 to IPv6-only 2001:db8:a::1", () => {
        w.sim.renumber("A", L("10.0.0.1"), newAddrs[0]);
        w.a.local.setAddresses(1, newAddrs, w.sim.now);
      });
      bound = "B's IPv6 address needs its own check first (A had no IPv6 source): 2 RTT + 2 RTT";
      boundMs = 4 * rtt;
      break;
    }
    case "flood-attack": {
      w = world(seed, L("10.0.0.1"), L("10.0.0.2"), { budget: { maxProbes: 3, maxBytes: 300, windowMs: 60_000 } });
      victim = L("192.0.2.66");
      w.sim.addNode("victim", new Sink(), [victim]);
      for (let i = 0; i < 8; i++)
        act(w, T0 + i * 200, i === 0 ? "malicious B claims the victim's 192.0.2.66 (preferred), re-announces it 8 times" : "", () => {
          w.b.local.addAddress(2, victim!, w.sim.now, { preferred: true });
          w.b.local.setUp(2, i % 2 === 0);
        });
      bound = "no handover must happen; victim gets ≤ 3 AC probes / 300 bytes, no data";
      boundMs = null;
      break;
    }
  }
  // Flows: B → A (toward the mover) and A → B.
  w.b.startFlow("A", 100, END, 1);
  w.a.startFlow("B", 100, END, 1);
  w.sim.runUntil(END + 500);
  return summarize(name, seed, w, newAddrs, victim, detection, bound, boundMs, rtt);
}

function summarize(name: string, seed: number, w: World, newAddrs: Locator[], victim: Locator | undefined, detection: number, bound: string, boundMs: number | null, rtt: number): LabResult {
  const isNew = (l: Locator) => newAddrs.some((n) => sameLocator(n, l));
  const flowCount = END - 100;
  const recvA = new Set(w.a.delivered.map((d) => d.n)).size;
  const recvB = new Set(w.b.delivered.map((d) => d.n)).size;
  const toMover = w.a.delivered.find((d) => d.t >= T0 && isNew(d.to));
  const fromMover = w.b.delivered.find((d) => d.t >= T0 && isNew(d.from));
  const sa = w.a.peer("B").session;
  const sb = w.b.peer("A").session;
  const unverifiedTargets = victim ? [victim] : [];
  const toVictim = w.sim.trace.filter((e) => e.kind === "sent" && unverifiedTargets.some((v) => sameLocator(v, e.to)));
  const rejected = [sa, sb].reduce((n, s) => n + Object.values(s.counters.rejected).reduce((x, y) => x + y, 0), 0);
  const summary: LabSummary = {
    scenario: name,
    seed,
    rtt_ms: rtt,
    delivered: recvA,
    lost: flowCount - recvA,
    handover_ms: toMover && newAddrs.length ? round(toMover.t - T0) : null,
    handover_ms_from_mover: fromMover && newAddrs.length ? round(fromMover.t - T0) : null,
    lost_from_mover: flowCount - recvB,
    bound_ms: boundMs,
    bound,
    detection_ms: detection,
    ac_probes_to_unverified: victim ? toVictim.length : sa.counters.probesToUnverified + sb.counters.probesToUnverified,
    bytes_to_unverified: victim ? toVictim.reduce((n, e) => n + e.bytes, 0) : sa.counters.bytesToUnverified + sb.counters.bytesToUnverified,
    data_to_unverified: dataBeforeVerified(w),
    rejected,
    probes_suppressed: sa.counters.probesSuppressed + sb.counters.probesSuppressed,
    rea_sent: sa.counters.reaSent + sb.counters.reaSent,
    ac_sent: sa.counters.acSent + sb.counters.acSent,
    acr_sent: sa.counters.acrSent + sb.counters.acrSent,
  };
  const lines: { t: Millis; s: string }[] = [];
  for (const n of w.notes) if (n.text) lines.push({ t: n.t, s: note(n.t, n.text) });
  for (const e of [...w.a.log, ...w.b.log] as NodeEvent[]) {
    const s = timelineLine(e);
    if (s) lines.push({ t: e.ev.t, s });
  }
  if (toMover) lines.push({ t: toMover.t, s: note(toMover.t, `first datagram B → A delivered on the new path (${locatorKey(toMover.to)})`) });
  lines.sort((x, y) => x.t - y.t);
  return { summary, timeline: lines.map((l) => l.s), trace: w.sim.trace };
}

/** Data datagrams sent to a peer address before that address was verified (must be 0, §6.5). */
function dataBeforeVerified(w: World): number {
  let n = 0;
  for (const [node, peerBx] of [[w.b, w.bx.a], [w.a, w.bx.b]] as const) {
    const verifiedAt = new Map<string, Millis>([[locatorKey(peerBx), 0]]); // base exchange address
    for (const e of node.log) if (e.ev.type === "address-verified" && !verifiedAt.has(locatorKey(e.ev.locator))) verifiedAt.set(locatorKey(e.ev.locator), e.ev.t);
    for (const e of w.sim.trace) {
      if (e.kind !== "sent" || e.node !== node.name || isHip(e.data)) continue;
      const v = verifiedAt.get(locatorKey(e.to));
      if (v === undefined || e.t < v) n++;
    }
  }
  return n;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
