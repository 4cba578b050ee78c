// Lab scenarios for `hipmm lab` and the web demo: plain scripts over the deterministic
// simulator with virtual time (no node: imports). Every host is the real stack (LabHost =
// HostStack: HIP base exchange, REA/AC/ACR extension, WASM ESP), Forwarding Agents are the real
// ForwardingAgent core (FaEndpoint). Two hosts, 10 ms one way (20 ms RTT), 1 datagram/ms flows.
import type { Locator, Millis } from "../core/types.ts";
import type { Transmit } from "../core/types.ts";
import type { FaClientOptions } from "../fa/client/client.ts";
import type { UpdateOptions } from "../hip/update.ts";
import type { MobilityPolicy } from "../mobility/policy.ts";
import { Simulator } from "../sim/simulator.ts";
import type { SimEndpoint } from "../sim/types.ts";
import { applySpec } from "./custom.ts";
import { addFa } from "./fa.ts";
import { LabHost } from "./host.ts";
import type { LabSpec } from "./spec.ts";
import { type LabResult, type Plan, summarize, type World } from "./summary.ts";

export type { LabResult, LabSummary } from "./summary.ts";

export const SCENARIOS = ["handover", "handover-fast", "make-before-break", "failover", "renumber", "v4-to-v6", "flood-attack", "flood-attack-credit", "fa-crash", "double-move", "restart", "peer-dead", "rekey"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const L = (ip: string): Locator => ({ ip, port: 10500 });
const LAT = 10;
const RTT = 2 * LAT;
const T0 = 1000;
const END = 3000;
/** The flows' datagram interval: a datagram that has to wait for an event leaves ≤ 1 interval later. */
const I = 1;
/** Upper bound of the labs' ESP datagrams (64-byte payload: 108 bytes on the wire; the summary's
 *  max_esp_bytes checks it), charged per datagram on source credit. */
const LAB_ESP_BYTES = 128;
const CREDIT: Partial<MobilityPolicy> = { sourceCredit: true, sourceCreditDatagramBytes: LAB_ESP_BYTES };

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

interface HostSpec {
  addrs: Locator[];
  fa?: FaClientOptions;
  rekey?: UpdateOptions;
}

function world(seed: number, a: HostSpec, b: HostSpec, policy: Partial<MobilityPolicy>, connect: "direct" | "none" = "direct"): World {
  const sim = new Simulator({ seed, link: { latency: LAT }, trace: "data" });
  const ha = new LabHost({ name: "A", rng: sim.forkRng(), addresses: a.addrs, policy, fa: a.fa, rekey: a.rekey });
  const hb = new LabHost({ name: "B", rng: sim.forkRng(), addresses: b.addrs, policy, fa: b.fa, rekey: b.rekey });
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

/** Common part of a plan: the change at T0, no source credit unless said. */
function at(w: World, p: Omit<Plan, "w" | "t0" | "sourceCredit">, sourceCredit = false): Plan {
  return { w, t0: T0, sourceCredit, ...p };
}

// Bounds are derived from the mechanism, term by term (no slack added): LAT one way, RTT = 2·LAT,
// I = the flows' interval (a datagram waiting for an event leaves ≤ I later), detection = from the
// change until a host acts on it.
function plan(name: ScenarioName, seed: number): Plan {
  const fast = { probeIntervalMs: 50, failoverTimeoutMs: 150 };
  switch (name) {
    case "handover":
    case "handover-fast": {
      const credit = name === "handover-fast";
      const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2")] }, credit ? CREDIT : {});
      act(w, T0, `A moves: 10.0.0.1 → 10.9.0.1 (old link gone at once: break-before-make)${credit ? "; B may send to the REA's source before the ACR, ≤ 3× the bytes it got from there (sourceCredit)" : ""}`, () => w.sim.renumber("A", L("10.0.0.1"), L("10.9.0.1")));
      const toMover = credit ? "REA ½ + data ½ = 1 RTT + I (source credit: data to the REA's source before its ACR, ≤ 3× bytes received)" : "REA ½ + AC ½ + ACR ½ + data ½ = 2 RTT + I (§6.5: no data before the ACR)";
      return at(w, { newAddrs: [L("10.9.0.1")], detection: 0, newPathRtt: RTT, bound: `from the mover: ESP inside the REA, ½ RTT + I; toward the mover: ${toMover}; I = ${I} ms flow interval`, boundTo: (credit ? 2 : 4) * LAT + I, boundFrom: LAT + I }, credit);
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
      return at(w, { newAddrs: [n], detection: 0, newPathRtt: RTT, bound: "toward the mover REA, AC, ACR, data = 2 RTT + I; from it ESP inside the REA ½ RTT + I; the old path carries traffic meanwhile: 0 lost", boundTo: 4 * LAT + I, boundFrom: LAT + I });
    }
    case "failover": {
      const slow = L("10.2.0.1");
      const w = world(seed, { addrs: [L("10.1.0.1")] }, { addrs: [L("10.0.0.2")] }, fast);
      w.a.stack.local?.addInterface(2, 1);
      w.a.stack.local?.addAddress(2, slow, 0);
      w.sim.addAddress("A", slow);
      w.sim.setPath(slow, "B", { latency: 3 * LAT });
      act(w, T0, "A's fast link (10.1.0.1) silently dies (nobody is told)", () => w.sim.partition(L("10.1.0.1")));
      // Each side last hears the other ≤ ½ RTT after the link dies (datagrams in flight), declares
      // the path failed failoverTimeoutMs later and sends on the slow path (one way 3·LAT).
      const d = LAT + fast.failoverTimeoutMs;
      const b = d + I + 3 * LAT;
      return at(w, { newAddrs: [slow], detection: d, newPathRtt: 6 * LAT, bound: `each direction: last datagram in flight ½ RTT + silence bound ${fast.failoverTimeoutMs} ms = detection ${d} ms, + I, + one way on the slow path ${3 * LAT} ms`, boundTo: b, boundFrom: b });
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
      return at(w, { newAddrs: [new6], detection: 0, newPathRtt: RTT, bound: "toward the mover 2 RTT + I, from it ½ RTT + I (ESP inside the REA); old prefix still valid meanwhile: 0 lost", boundTo: 4 * LAT + I, boundFrom: LAT + I });
    }
    case "v4-to-v6": {
      const a6 = L("2001:db8:a::1");
      const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2"), L("2001:db8:b::2")] }, {});
      act(w, T0, "A moves from IPv4-only 10.0.0.1 to IPv6-only 2001:db8:a::1", () => w.sim.renumber("A", L("10.0.0.1"), a6));
      // A never had an IPv6 source: B's IPv6 address needs its own AC/ACR (1 RTT) before A may send
      // anything to it (§6.5), then the REA (with ESP) ½ RTT; toward A another REA→data 1.5 RTT.
      return at(w, { newAddrs: [a6], detection: 0, newPathRtt: RTT, bound: "from the mover: AC/ACR to B's IPv6 address 1 RTT (§6.5 applies to A too) + REA with ESP ½ RTT + I; toward it: that + AC ½ + ACR ½ + data ½ + I", boundTo: 6 * LAT + I, boundFrom: 3 * LAT + I });
    }
    case "flood-attack":
    case "flood-attack-credit": {
      const credit = name === "flood-attack-credit";
      const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2")] }, { budget: { maxProbes: 3, maxBytes: 300, windowMs: 60_000 }, ...(credit ? CREDIT : {}) });
      const victim = L("192.0.2.66");
      w.sim.addNode("victim", new Sink(), [victim]);
      // B also moves to a new address of its own (10.0.0.3), so its REAs come from an address A has
      // not verified: with sourceCredit that source (B itself) gets data before its ACR, the listed
      // victim never does. Without the move both variants would be the same run (the REAs would
      // come from B's verified base-exchange address, where credit changes nothing).
      for (let i = 0; i < 8; i++)
        act(w, T0 + i * 200, i === 0 ? `malicious B moves to 10.0.0.3 and claims the victim's 192.0.2.66 (preferred), re-announces it 8 times from its own new address${credit ? " (A has sourceCredit on: credit only for the REA's source 10.0.0.3)" : ""}` : "", () => {
          if (i === 0) w.sim.renumber("B", L("10.0.0.2"), L("10.0.0.3"));
          w.b.stack.local?.addAddress(2, victim, w.sim.now, { preferred: true });
          w.b.stack.local?.setUp(2, i % 2 === 0);
        });
      return at(w, { newAddrs: [], victim, detection: 0, newPathRtt: null, bound: `no data to the victim; victim gets ≤ 3 AC probes / 300 bytes${credit ? " (source credit goes only to an REA's own source, B's 10.0.0.3, never to an address that is only listed)" : ""}`, boundTo: null, boundFrom: null }, credit);
    }
    case "fa-crash":
      return faCrash(seed);
    case "double-move":
      return doubleMove(seed);
    case "restart":
      return restart(seed);
    case "peer-dead":
      return peerDead(seed);
    case "rekey":
      return rekey(seed);
  }
}

/**
 * New ESP keys under traffic, no address change (RFC 7402 §6.8-§6.10): A rekeys with a new
 * Diffie-Hellman (a new KEYMAT), later B rekeys from that KEYMAT. Make-before-break: each side
 * installs its new inbound SA before the peer can use it, and keeps the old one until the last
 * datagram sealed on it arrived. Nothing may be lost.
 */
function rekey(seed: number): Plan {
  const w = world(seed, { addrs: [L("10.0.0.1")], rekey: { newDh: "always" } }, { addrs: [L("10.0.0.2")] }, {});
  act(w, T0, "A rekeys with a new Diffie-Hellman: UPDATE(ESP_INFO index 0, SEQ, DIFFIE_HELLMAN); B answers with its own key and both derive a new KEYMAT", () => w.a.rekey(w.sim.now, w.b));
  act(w, T0 + REKEY_GAP, "B rekeys without Diffie-Hellman: the next SA pair from the new KEYMAT (UPDATE with ESP_INFO, SEQ)", () => w.b.rekey(w.sim.now, w.a));
  return at(w, { newAddrs: [], detection: 0, newPathRtt: null, bound: REKEY_BOUND, boundTo: null, boundFrom: null });
}

const REKEY_GAP = 500;
// The requester switches when the reply arrives (1 RTT); its next datagram (≤ I) on the new SA
// takes ½ RTT. The replier switches on the ACK (1.5 RTT) or on that datagram (≤ 1.5 RTT + I),
// then its next datagram (≤ I) takes ½ RTT.
const REKEY_FROM_REQUESTER = RTT + I + LAT;
const REKEY_TO_REQUESTER = RTT + LAT + I + I + LAT;
const REKEY_BOUND = `requester: reply after 1 RTT, then its next datagram (≤ I) on the new SA ½ RTT: ${REKEY_FROM_REQUESTER} ms; replier: switches on the ACK or that datagram (≤ 1.5 RTT + I), next datagram ≤ I, ½ RTT: ${REKEY_TO_REQUESTER} ms; old SAs kept meanwhile: 0 lost`;

/** The rekey scenario's numbers: each rekey → first datagram on the new SAs each way, and bounds. */
function rekeySummary(w: World): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, t0, req, rep] of [["dh", T0, w.a, w.b], ["plain", T0 + REKEY_GAP, w.b, w.a]] as const) {
    // The pair the requester switched to: its first sa-rekey after t0 (the SPIs tell the datagrams apart).
    const inSpis = new Set(req.observer.keys.filter((x) => x.t >= t0 && x.dir === "in").map((x) => x.spi));
    const outSpis = new Set(req.observer.keys.filter((x) => x.t >= t0 && x.dir === "out").map((x) => x.spi));
    const fromReq = rep.delivered.find((d) => d.t >= t0 && outSpis.has(d.spi));
    const toReq = req.delivered.find((d) => d.t >= t0 && inSpis.has(d.spi));
    out[`rekey_${k}_from_requester_ms`] = fromReq ? round1(fromReq.t - t0) : null;
    out[`rekey_${k}_to_requester_ms`] = toReq ? round1(toReq.t - t0) : null;
  }
  out.rekey_bound_from_requester_ms = REKEY_FROM_REQUESTER;
  out.rekey_bound_to_requester_ms = REKEY_TO_REQUESTER;
  out.rekeys_with_dh = (w.a.stack.update.counters["rekey.dh"] ?? 0) + (w.b.stack.update.counters["rekey.dh"] ?? 0);
  out.rekeys_done = w.a.stack.update.counters["rekey.done"] ?? 0;
  return out;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

const FAST = { probeIntervalMs: 50, failoverTimeoutMs: 150 };

/**
 * B crashes and restarts (no CLOSE): it lost every association, A did not and sends on into SAs
 * B no longer has. A's liveness check (an AC, §3.3) reaches B, which has no association with A's
 * HIT and rejoins (one I1, docs/PROTOCOL.md §7.11); A replaces its association on B's I2 (RFC 7401
 * §4.4.2). No address changes: the numbers are the rejoin times (runLab adds them).
 */
function restart(seed: number): Plan {
  const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2")] }, FAST);
  act(w, T0, "B crashes and restarts: all its HIP and ESP state is gone (same identity, same address); A still has the association", () => w.b.restart(w.sim.now));
  return at(w, { newAddrs: [], detection: LAT + FAST.probeIntervalMs, newPathRtt: null, bound: REJOIN_BOUND, boundTo: null, boundFrom: null });
}

// A last hears B ≤ LAT after the crash, sends its liveness AC probeIntervalMs later; AC → B ½ RTT,
// I1 ½, R1 ½, I2 ½ (A replaces its association and sends at once, ≤ I later), data ½ → B;
// B's data goes after the R2 (½ more) and takes ½ RTT.
const REJOIN_TO_B = 6 * LAT + FAST.probeIntervalMs + I;
const REJOIN_TO_A = 7 * LAT + FAST.probeIntervalMs + I;
const REJOIN_BOUND = `A hears B last ≤ ${LAT} ms after the crash, probes after ${FAST.probeIntervalMs} ms of silence (AC); AC, I1, R1, I2 = 2 RTT, A's data ½ RTT + I: ${REJOIN_TO_B} ms; B's data after the R2: ${REJOIN_TO_A} ms`;

/**
 * B vanishes for good (power cut): A's data goes unanswered, its liveness ACs too; with no other
 * path A reports B unreachable (failover bound), keeps probing, and after `peerDeadMs` gives the
 * association up without a CLOSE (docs/PROTOCOL.md §8 "Dead peer").
 */
function peerDead(seed: number): Plan {
  const w = world(seed, { addrs: [L("10.0.0.1")] }, { addrs: [L("10.0.0.2")] }, { ...FAST, peerDeadMs: DEAD_MS });
  act(w, T0, "B loses power for good: it sends nothing (no CLOSE) and hears nothing; A keeps sending", () => w.b.powerOff(w.sim.now));
  return at(w, { newAddrs: [], detection: UNREACHABLE_BOUND, newPathRtt: null, bound: DEAD_BOUND, boundTo: null, boundFrom: null });
}

const DEAD_MS = 1000;
// A hears B last ≤ LAT after the cut; its next datagram (≤ I later) is the first unanswered one;
// failoverTimeoutMs later the only path fails: unreachable. Then peerDeadMs of unanswered ACs,
// checked at the liveness ticks (every probeIntervalMs).
const UNREACHABLE_BOUND = LAT + I + FAST.failoverTimeoutMs;
const DEAD_AFTER_BOUND = DEAD_MS + FAST.probeIntervalMs;
const DEAD_BOUND = `A hears B last ≤ ${LAT} ms after the cut, its next datagram (≤ ${I} ms) goes unanswered for failoverTimeoutMs ${FAST.failoverTimeoutMs} ms: unreachable ≤ ${UNREACHABLE_BOUND} ms; given up peerDeadMs ${DEAD_MS} ms later, at the next liveness tick (≤ ${FAST.probeIntervalMs} ms)`;

/** The peer-dead scenario's numbers: cut → A's peer-unreachable and peer-dead, and their bounds. */
function deadSummary(w: World): Record<string, number | null> {
  const t = (type: string) => w.a.log.find((e) => e.ev.type === type && e.ev.t > T0)?.ev.t;
  const un = t("peer-unreachable");
  const dead = t("peer-dead");
  return {
    unreachable_ms: un === undefined ? null : un - T0,
    unreachable_bound_ms: UNREACHABLE_BOUND,
    given_up_after_unreachable_ms: un === undefined || dead === undefined ? null : dead - un,
    given_up_bound_ms: DEAD_AFTER_BOUND,
  };
}

/** The restart scenario's numbers: crash → first datagram delivered each way, and their bounds. */
function rejoinSummary(w: World): Record<string, number | null> {
  // Crash → first delivery after `since` (A still gets B's datagrams in flight until T0 + LAT).
  const first = (d: { t: Millis }[], since: Millis) => {
    const x = d.find((e) => e.t > since);
    return x ? x.t - T0 : null;
  };
  return { rejoin_to_restarted_ms: first(w.b.delivered, T0), rejoin_bound_to_restarted_ms: REJOIN_TO_B, rejoin_from_restarted_ms: first(w.a.delivered, T0 + LAT), rejoin_bound_from_restarted_ms: REJOIN_TO_A };
}

/** A hides behind FA1 (location privacy, §3.2); FA1 dies; A re-leases from FA2 and sends an REA (§4.4.2). */
function faCrash(seed: number): Plan {
  const fa1 = L("10.50.0.1");
  const fa2 = L("10.60.0.1");
  const silenceMs = 100;
  const retryMs = 50;
  const faOpts: FaClientOptions = { fas: [{ locator: fa1 }, { locator: fa2 }], addrType: 4, spis: 16, privacy: true, silenceMs, retryMs, tries: 3, from: L("10.0.0.1") };
  const w = world(seed, { addrs: [L("10.0.0.1")], fa: faOpts }, { addrs: [L("10.0.0.2")] }, {}, "none");
  addFa(w.sim, "FA1", fa1, seed + 1);
  addFa(w.sim, "FA2", fa2, seed + 2);
  act(w, 0, "A leases an IPv4 locator + SPI range from FA1 (FAQ/FAA); with privacy it shows only that", () => w.a.stack.startFa(w.sim.now));
  act(w, 30, "B → A's leased locator at FA1: base exchange relayed by FA1 (rendezvous by HIT)", () => w.b.stack.connect(w.sim.now, fa1, w.a.hit, L("10.0.0.2")));
  act(w, T0, "FA1 crashes (silently: every datagram to or from it is lost)", () => w.sim.partition("FA1"));
  // Last relayed datagram ≤ LAT after the crash (FA1 → A in flight); silence 100 ms, then the
  // renewal FAQ and its 2 retries (50 + 100 + 200 ms, doubling); then FAQ/FAA with FA2 (1 RTT):
  // A has its new address. Every host ↔ host leg through FA2 takes 2·LAT = 1 RTT.
  const detect = LAT + silenceMs + retryMs * (1 + 2 + 4) + RTT;
  return at(w, {
    newAddrs: [fa2],
    detection: detect,
    newPathRtt: 2 * RTT,
    bound: `detection ${detect} ms = in flight ${LAT} + silence ${silenceMs} + renewal tries ${retryMs}+${2 * retryMs}+${4 * retryMs} + FAQ/FAA with FA2 ${RTT}; from A: REA with ESP via FA2 1 RTT + I; toward A: REA, AC, ACR, data via FA2 4 RTT + I`,
    boundTo: detect + 4 * RTT + I,
    boundFrom: detect + RTT + I,
  });
}

/** Both hosts hold FA leases and move within one round trip (§1, §3.5 double jump). */
function doubleMove(seed: number): Plan {
  const fa1 = L("10.50.0.1");
  const fa2 = L("10.60.0.1");
  const a1 = L("10.0.0.1");
  const b1 = L("10.0.0.2");
  const gap = 5;
  const policy = { probeIntervalMs: 50, failoverTimeoutMs: 150 };
  const fo = (fa: Locator, from: Locator): FaClientOptions => ({ fas: [{ locator: fa }], addrType: 4, spis: 16, from });
  const w = world(seed, { addrs: [a1], fa: fo(fa1, a1) }, { addrs: [b1], fa: fo(fa2, b1) }, policy);
  addFa(w.sim, "FA1", fa1, seed + 1);
  addFa(w.sim, "FA2", fa2, seed + 2);
  act(w, 0, "A and B lease from FA1 and FA2; their FA interfaces are announced and verified", () => {
    w.a.stack.startFa(w.sim.now);
    w.b.stack.startFa(w.sim.now);
  });
  act(w, T0, "A moves 10.0.0.1 → 10.7.0.1", () => w.sim.renumber("A", a1, L("10.7.0.1")));
  act(w, T0 + gap, `B moves 10.0.0.2 → 10.8.0.2 while A's REA is in flight (double jump)`, () => w.sim.renumber("B", b1, L("10.8.0.2")));
  // Worst case, both REAs are lost and only the silence bound helps: each host's new path (A's from
  // T0, B's from T0 + gap) hears nothing, fails after failoverTimeoutMs, and data goes through the
  // peer's FA address (verified earlier): 2 legs = 1 RTT. REA retransmissions may be faster.
  const d = policy.failoverTimeoutMs;
  return at(w, {
    newAddrs: [L("10.7.0.1"), fa1],
    detection: gap + d,
    newPathRtt: 2 * RTT,
    bound: `both REAs lost; silence bound ${d} ms on each new path (B's starts ${gap} ms later), then via the peer's FA 1 RTT + I; REA retransmissions through the FAs may recover sooner`,
    boundTo: gap + d + I + RTT,
    boundFrom: d + I + RTT,
  });
}

export function runScenario(name: ScenarioName, seed = 1): LabResult {
  return runLab(name, seed).result;
}

/** A scenario with a lab spec applied (links, actions; see spec.ts); also returns the world. */
export function runLab(name: ScenarioName, seed = 1, spec?: LabSpec): { result: LabResult; world: World; errors: string[] } {
  const p = plan(name, seed);
  const { w } = p;
  const errors = spec ? applySpec(w, spec) : [];
  // Flows: B → A (toward the mover) and A → B.
  w.b.startFlow(w.a, 100, END, I);
  w.a.startFlow(w.b, 100, END, I);
  w.sim.runUntil(END + 500);
  const result = summarize(name, seed, p, { rtt: RTT, count: (END - 100) / I });
  if (name === "restart") Object.assign(result.summary, rejoinSummary(w));
  if (name === "peer-dead") Object.assign(result.summary, deadSummary(w));
  if (name === "rekey") Object.assign(result.summary, rekeySummary(w));
  return { result, world: w, errors };
}
