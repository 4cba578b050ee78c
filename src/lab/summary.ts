// The numbers of a lab run, measured from the simulator's trace and the hosts' records (not from
// the cores' own counters where the trace can tell): handover times per direction, loss, data to
// unverified addresses, source-credit byte accounting. Browser-safe (no node: imports).
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey, sameLocator } from "../core/types.ts";
import { unwrapRelay } from "../fa/core/relay.ts";
import type { Simulator } from "../sim/simulator.ts";
import type { TraceEvent } from "../sim/types.ts";
import type { LabHost } from "./host.ts";
import { note, timelineLine } from "./timeline.ts";

export interface LabSummary {
  scenario: string;
  seed: number;
  rtt_ms: number;
  /** Datagrams of the flow toward the host that changes (B → A) delivered / lost. */
  delivered: number;
  lost: number;
  /** Path change → first datagram delivered on the new path, either direction (the definition). */
  handover_ms: number | null;
  /** Same, flow B → A (toward the mover). */
  handover_ms_to_mover: number | null;
  /** Same, flow A → B (from the mover). */
  handover_ms_from_mover: number | null;
  lost_from_mover: number | null;
  /** Derived bound for handover_ms (= the smaller of the two below). */
  bound_ms: number | null;
  bound_to_mover_ms: number | null;
  bound_from_mover_ms: number | null;
  /** How the bounds are made up. */
  bound: string;
  /** Path change → the hosts know (0 for an announced change). */
  detection_ms: number;
  /** RTT of the new path (through an FA: both legs). */
  new_path_rtt_ms: number | null;
  /** The acceptance: one RTT of the new path plus the stated detection time. */
  acceptance_ms: number | null;
  ac_probes_to_unverified: number;
  bytes_to_unverified: number;
  /** Data datagrams sent to an address before its ACR, other than on source credit: must be 0. */
  data_to_unverified: number;
  rejected: number;
  /** Policy `sourceCredit` (beyond the draft): data to the REA's own source before its ACR. */
  source_credit: boolean;
  data_on_credit: number;
  credit_bytes_sent: number;
  credit_bytes_received: number;
  [k: string]: unknown;
}

export interface LabResult {
  summary: LabSummary;
  timeline: string[];
  trace: readonly TraceEvent[];
}

export interface World {
  sim: Simulator;
  a: LabHost;
  b: LabHost;
  notes: { t: Millis; text: string }[];
}

/** A scenario's script outcome and its derived bounds. */
export interface Plan {
  w: World;
  /** The change happens at `t0`; the mover's new locators (empty: no handover expected). */
  t0: Millis;
  newAddrs: Locator[];
  victim?: Locator;
  detection: number;
  newPathRtt: number | null;
  bound: string;
  boundTo: number | null;
  boundFrom: number | null;
  sourceCredit: boolean;
}

export interface Flows {
  rtt: Millis;
  /** Datagrams each flow sends. */
  count: number;
}

export const isHip = (d: Uint8Array | undefined) => !!d && d.length >= 4 && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0;

export function summarize(name: string, seed: number, p: Plan, f: Flows): LabResult {
  const { w, newAddrs, victim, t0 } = p;
  const isNew = (l: Locator | undefined) => !!l && newAddrs.some((n) => sameLocator(n, l));
  const recvA = new Set(w.a.delivered.map((d) => d.n)).size;
  const recvB = new Set(w.b.delivered.map((d) => d.n)).size;
  const toMover = w.a.delivered.find((d) => d.t >= t0 && isNew(d.to));
  const fromMover = w.b.delivered.find((d) => d.t >= t0 && isNew(d.from));
  const hTo = toMover && newAddrs.length ? round(toMover.t - t0) : null;
  const hFrom = fromMover && newAddrs.length ? round(fromMover.t - t0) : null;
  const sessions = [w.a.stack.mobility?.session(w.b.hit), w.b.stack.mobility?.session(w.a.hit)].filter((s) => s !== undefined);
  const sum = (fn: (c: (typeof sessions)[0]["counters"]) => number) => sessions.reduce((n, s) => n + fn(s.counters), 0);
  const toVictim = victim ? w.sim.trace.filter((e) => e.kind === "sent" && sameLocator(victim, e.to)) : [];
  const data = dataAccounting(w);
  const summary: LabSummary = {
    scenario: name,
    seed,
    rtt_ms: f.rtt,
    delivered: recvA,
    lost: f.count - recvA,
    handover_ms: minOf(hTo, hFrom),
    handover_ms_to_mover: hTo,
    handover_ms_from_mover: hFrom,
    lost_from_mover: f.count - recvB,
    bound_ms: minOf(p.boundTo, p.boundFrom),
    bound_to_mover_ms: p.boundTo,
    bound_from_mover_ms: p.boundFrom,
    bound: p.bound,
    detection_ms: p.detection,
    new_path_rtt_ms: p.newPathRtt,
    acceptance_ms: p.newPathRtt === null ? null : p.detection + p.newPathRtt,
    ac_probes_to_unverified: victim ? toVictim.filter((e) => isHip(e.data)).length : sum((c) => c.probesToUnverified),
    bytes_to_unverified: victim ? toVictim.reduce((n, e) => n + e.bytes, 0) : sum((c) => c.bytesToUnverified),
    /** ESP datagrams sent to the flood victim's address (must be 0). */
    data_to_victim: victim ? toVictim.filter((e) => !isHip(e.data)).length : 0,
    data_to_unverified: data.unverified,
    rejected: sum((c) => Object.values(c.rejected).reduce((x, y) => x + y, 0)),
    source_credit: p.sourceCredit,
    data_on_credit: data.onCredit,
    credit_bytes_sent: data.creditSent,
    credit_bytes_received: data.creditReceived,
    max_esp_bytes: data.maxEsp,
    probes_suppressed: sum((c) => c.probesSuppressed),
    rea_sent: sum((c) => c.reaSent),
    ac_sent: sum((c) => c.acSent),
    acr_sent: sum((c) => c.acrSent),
    esp_in_rea: (w.a.stack.counters["esp.rx.rea"] ?? 0) + (w.b.stack.counters["esp.rx.rea"] ?? 0),
    base_exchange: "real (I1/R1/I2/R2, ECDSA P-256/384, WASM ESP)",
  };
  return { summary, timeline: timeline(w, toMover, fromMover), trace: w.sim.trace };
}

function timeline(w: World, toMover: LabHost["delivered"][0] | undefined, fromMover: LabHost["delivered"][0] | undefined): string[] {
  const lines: { t: Millis; s: string }[] = [];
  for (const n of w.notes) if (n.text) lines.push({ t: n.t, s: note(n.t, n.text) });
  for (const n of [...w.a.notes, ...w.b.notes]) lines.push({ t: n.t, s: `${n.t.toFixed(1).padStart(8)} ms  ${n.node}: ${n.text}` });
  for (const e of [...w.a.log, ...w.b.log]) {
    const s = timelineLine(e);
    if (s) lines.push({ t: e.ev.t, s });
  }
  if (toMover?.to) lines.push({ t: toMover.t, s: note(toMover.t, `first datagram B → A delivered on the new path (${locatorKey(toMover.to)})`) });
  if (fromMover) lines.push({ t: fromMover.t, s: note(fromMover.t, `first datagram A → B from the new address delivered${fromMover.viaRea ? " (inside the REA)" : ""}`) });
  lines.sort((x, y) => x.t - y.t);
  return lines.map((l) => l.s);
}

/** When each peer address verified (ACR) and when it got source credit, per host. */
function statusTimes(node: LabHost): { verifiedAt: Map<string, Millis>; creditedAt: Map<string, Millis> } {
  const verifiedAt = new Map<string, Millis>();
  const creditedAt = new Map<string, Millis>();
  // The base exchange verifies the peer locator it ran with.
  const first = node.log.find((e) => e.ev.type === "path-changed" && e.ev.reason === "base-exchange");
  if (first?.ev.type === "path-changed" && first.ev.path) verifiedAt.set(locatorKey(first.ev.path.to), 0);
  for (const { ev } of node.log) {
    if (ev.type === "address-verified" && !verifiedAt.has(locatorKey(ev.locator))) verifiedAt.set(locatorKey(ev.locator), ev.t);
    if (ev.type === "address-credited" && !creditedAt.has(locatorKey(ev.locator))) creditedAt.set(locatorKey(ev.locator), ev.t);
  }
  return { verifiedAt, creditedAt };
}

/**
 * Data datagrams each host sent to a peer address before that address was verified: on source
 * credit (after its credit began) or not (must be 0, §6.5); and the credit's byte balance from
 * the trace: bytes sent to the address meanwhile vs bytes that host received from it.
 */
function dataAccounting(w: World): { unverified: number; onCredit: number; creditSent: number; creditReceived: number; maxEsp: number } {
  const out = { unverified: 0, onCredit: 0, creditSent: 0, creditReceived: 0, maxEsp: 0 };
  for (const node of [w.b, w.a]) {
    const { verifiedAt, creditedAt } = statusTimes(node);
    for (const e of w.sim.trace) {
      const k = locatorKey(e.from);
      const c = creditedAt.get(k);
      if (e.kind === "delivered" && e.node === node.name && c !== undefined && e.t >= c && e.t < (verifiedAt.get(k) ?? Number.POSITIVE_INFINITY)) out.creditReceived += e.bytes;
      if (e.kind !== "sent" || e.node !== node.name || !e.data) continue;
      let to = e.to;
      let hip = isHip(e.data);
      const r = unwrapRelay(e.data);
      if (r) {
        if (!r.dst) continue;
        to = r.dst;
        hip = isHip(r.payload);
      } else if (!hip) out.maxEsp = Math.max(out.maxEsp, e.bytes);
      const v = verifiedAt.get(locatorKey(to)) ?? Number.POSITIVE_INFINITY;
      const cr = creditedAt.get(locatorKey(to));
      if (e.t >= v) continue;
      if (cr !== undefined && e.t >= cr) {
        // RFC 9000 §8.1 counts every byte sent to the unvalidated address (AC and REA too).
        out.creditSent += e.bytes;
        if (!hip) out.onCredit++;
      } else if (!hip) out.unverified++;
    }
  }
  return out;
}

function minOf(x: number | null, y: number | null): number | null {
  return x === null ? y : y === null ? x : Math.min(x, y);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
