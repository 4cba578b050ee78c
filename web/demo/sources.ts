// Where a demo run comes from. Both kinds run the real protocol code in the page:
// - LiveSource: our own base-exchange scripts — two HostStacks (HIP core + WASM ESP data plane)
//   on the deterministic Simulator, driven ahead of the playhead from the requestAnimationFrame loop.
// - labSource: a src/lab scenario script (the same one `hipmm lab` runs), run to completion in
//   the page; the player then replays its trace in virtual time.
import type { Locator } from "../../src/core/types.ts";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { keyedSas } from "../../src/hip/sa.ts";
import type { HostObserver, SaKeys } from "../../src/lab/observe.ts";
import { type LabSummary, runLab, type ScenarioName } from "../../src/lab/scenarios.ts";
import type { LabSpec } from "../../src/lab/spec.ts";
import { HostStack, type StackEvent } from "../../src/runtime/stack.ts";
import { Simulator } from "../../src/sim/simulator.ts";
import { traceFingerprint } from "../../src/sim/trace.ts";
import type { LinkParams, TraceEvent } from "../../src/sim/types.ts";
import { loadWasm } from "../../src/wasm/loader.ts";
import { FlightLog } from "./flights.ts";
import { annotateResumed, findResumed, type Resumed } from "./resumed.ts";

export interface Source {
  readonly log: FlightLog;
  /** Virtual time at which the scenario is over. */
  readonly end: number;
  /** The simulator's trace so far (with each datagram's bytes). */
  readonly trace: readonly TraceEvent[];
  /** Complete the log up to virtual time `t` (a live simulator runs ahead by HORIZON_MS). */
  advance(t: number): void;
  /** Scenario facts for the counters panel (live: updated as the simulator runs). */
  facts: Record<string, number | string | null>;
  /** What an ESP datagram of this run carries (shown in its dissection). */
  espNote?: string;
  /** The lab script's own summary (lab scenarios only). */
  summary?: LabSummary;
  /** Per host: addresses, peer addresses and SAs over time (lab scenarios only). */
  hosts?: Record<string, HostObserver>;
  /** Every SA installed in the run, with keys (for the esp_sa download). */
  keys?: SaKeys[];
  /** Lab spec entries that did not fit this scenario (skipped). */
  specErrors?: string[];
  /** Times where something changed the paths (scenario change, lab actions). */
  changes?: number[];
  /** "Data resumed" per direction after each change. */
  resumed?: Resumed[];
  /** What the time axis is (default "virtual time"; a live run: real ms since its host started). */
  timeLabel?: string;
}

/** How far a live simulator runs ahead of the playhead: every arrival on screen is known. */
export const HORIZON_MS = 250;

const L = (ip: string): Locator => ({ ip, port: 10500 });
export const LOC_A = L("10.0.0.1");
export const LOC_B = L("10.0.0.2");

export interface BexOptions {
  link: Partial<LinkParams>;
  puzzleK: number;
  /** A sends one datagram every `intervalMs` from t = 0 (queued until the SAs exist); B echoes. */
  intervalMs: number;
  end: number;
  /** First retransmission timeout of I1/I2 (RFC 7401 §6.6; default 1000 ms). */
  retransmitMs?: number;
}

class LiveSource implements Source {
  readonly log = new FlightLog([{ node: "A", addresses: [LOC_A] }, { node: "B", addresses: [LOC_B] }]);
  readonly keys: SaKeys[] = [];
  facts: Record<string, number | string | null> = { established_ms: null, pings_delivered: 0, echoes_delivered: 0, retransmits: 0 };
  constructor(
    readonly sim: Simulator,
    readonly end: number,
  ) {
    sim.onTrace((e) => this.log.ingest(e));
  }
  get trace(): readonly TraceEvent[] {
    return this.sim.trace;
  }
  advance(t: number): void {
    const target = Math.min(t + HORIZON_MS, this.end + HORIZON_MS);
    if (target > this.sim.now) this.sim.runUntil(target);
  }
}

/** Base exchange (RFC 7401 §4.1) and ESP data (RFC 7402 BEET) between A and B, live. */
export async function bexSource(seed: number, o: BexOptions): Promise<Source> {
  const sim = new Simulator({ seed, link: o.link, trace: "data" });
  const src = new LiveSource(sim, o.end);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const hosts: Record<string, HostStack> = {};
  const onEvent = (name: string, ev: StackEvent) => {
    const t = sim.now;
    const f = src.facts;
    switch (ev.type) {
      case "established":
        src.log.annotate({ t, node: name, kind: "event", text: `ESTABLISHED as ${ev.initiator ? "Initiator" : "Responder"}` });
        if (name === "A") f.established_ms = t;
        break;
      case "sa-install":
        for (const sa of [ev.inbound, ev.outbound]) src.keys.push({ t, node: name, dir: sa.direction, spi: sa.spi, suite: sa.suite, encKey: sa.encKey.slice(), authKey: sa.authKey.slice() });
        src.log.annotate({ t, node: name, kind: "event", text: `ESP SAs installed: in 0x${hex8(ev.inbound.spi)}, out 0x${hex8(ev.outbound.spi)} (suite ${ev.outbound.suite})` });
        break;
      case "sa-add":
      case "sa-rekey": // per-interface SAs, rekeys: their keys belong in the esp_sa download too
        for (const sa of keyedSas(ev)) if (!src.keys.some((k) => k.node === name && k.dir === sa.direction && k.spi === sa.spi)) src.keys.push({ t, node: name, dir: sa.direction, spi: sa.spi, suite: sa.suite, encKey: sa.encKey.slice(), authKey: sa.authKey.slice() });
        break;
      case "message": {
        const text = dec.decode(ev.data);
        if (name === "B") {
          if (f.pings_delivered === 0) src.log.annotate({ t, node: name, kind: "event", text: `decrypted "${text}" from A's HIT; echoing` });
          f.pings_delivered = Number(f.pings_delivered) + 1;
          hosts.B.send(ev.peerHit, ev.dstPort, ev.srcPort, enc.encode(text.replace("ping", "echo")));
        } else f.echoes_delivered = Number(f.echoes_delivered) + 1;
        break;
      }
      case "failed":
      case "closed":
        src.log.annotate({ t, node: name, kind: "event", text: `association ${ev.type}: ${ev.reason}` });
        break;
      case "drop":
        src.log.annotate({ t, node: name, kind: "event", text: `dropped ${ev.packetType ?? "packet"}: ${ev.reason}` });
        break;
    }
  };
  for (const [name, loc] of [["A", LOC_A], ["B", LOC_B]] as const) {
    const rng = sim.forkRng();
    const dataPlane = new DataPlane(await loadWasm()); // own WASM instance per host
    hosts[name] = new HostStack({ host: { identity: HostIdentity.generate(rng), rng, puzzleK: o.puzzleK, retransmit: { initialMs: o.retransmitMs ?? 1000 } }, dataPlane, onEvent: (ev) => onEvent(name, ev) });
    sim.addNode(name, hosts[name], [loc]);
  }
  const { A, B } = hosts;
  sim.at(0, () => {
    src.log.annotate({ t: 0, kind: "note", text: "A knows B's HIT and address and sends I1 (RFC 7401 §4.1); its first datagrams wait until the SAs exist" });
    A.connect(sim.now, LOC_B, B.hit, LOC_A);
  });
  let n = 0;
  for (let t = 0; t < o.end - 100; t += o.intervalMs) {
    sim.at(t, () => {
      A.send(B.hit, 5000, 7, enc.encode(`ping ${n++}`));
      src.facts.retransmits = A.host.counters.retransmit ?? 0;
    });
  }
  return src;
}

/** A src/lab scenario (with an optional lab spec), run to completion here; the player replays its trace. */
export function labSource(name: ScenarioName, seed: number, spec?: LabSpec): Source {
  const { result: r, world, errors } = runLab(name, seed, spec);
  const log = new FlightLog();
  for (const e of r.trace) log.ingest(e);
  for (const line of r.timeline) {
    const note = /^\s*([\d.]+) ms {2}── (.*)$/.exec(line);
    const ev = /^\s*([\d.]+) ms {2}([\w-]+): (.*)$/.exec(line);
    if (note) log.annotate({ t: Number(note[1]), kind: "note", text: note[2] });
    else if (ev) log.annotate({ t: Number(ev[1]), node: ev[2], kind: "event", text: ev[3] });
  }
  log.annotations.sort((a, b) => a.t - b.t);
  const last = r.trace.length ? r.trace[r.trace.length - 1].t : 0;
  const s = r.summary;
  const changes = [...new Set(world.notes.filter((n) => n.t > 0 && n.text).map((n) => n.t))].sort((a, b) => a - b);
  const resumed = findResumed(log, changes);
  annotateResumed(log, resumed);
  return {
    log, trace: r.trace, end: Math.max(last, 100), advance: () => {}, facts: { handover_ms: s.handover_ms, established_ms: 0 }, summary: s,
    hosts: { A: world.a.observer, B: world.b.observer }, keys: [...world.a.observer.keys, ...world.b.observer.keys], specErrors: errors, changes, resumed,
  };
}

/** Fingerprint of a run: the simulator's trace fingerprint plus every datagram's bytes (FNV-1a). */
export function wireFingerprint(trace: readonly TraceEvent[]): string {
  let h = 0x811c9dc5;
  for (const e of trace) if (e.data) for (let i = 0; i < e.data.length; i++) h = Math.imul(h ^ e.data[i], 0x01000193) >>> 0;
  return `${traceFingerprint(trace)}/${h.toString(16)}`;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
