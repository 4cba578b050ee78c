// Live counters at the playhead (from the flights the simulator recorded) and, once a run is
// over, the scenario's own result (the src/lab summary: the numbers `hipmm lab` prints).
import { locatorKey } from "../../src/core/types.ts";
import { PacketType } from "../../src/wire/constants.ts";
import type { FlightLog } from "./flights.ts";
import type { Source } from "./sources.ts";
import { resultTitle } from "./explain.ts";
import { esc, fmtMs } from "./svg.ts";

export interface Counters {
  time: number;
  hipSent: number;
  hipLost: number;
  espDelivered: number;
  espLost: number;
  /** ESP delivered per direction, "A→B" → n. */
  espByDir: Record<string, number>;
  established: number | null;
  handover: number | null;
  probesToUnverified: number;
}

export function countAt(src: Source, t: number): Counters {
  const log = src.log;
  const c: Counters = { time: t, hipSent: 0, hipLost: 0, espDelivered: 0, espLost: 0, espByDir: {}, established: null, handover: null, probesToUnverified: 0 };
  const verified = verifiedAt(log);
  for (const f of log.flights) {
    if (f.t0 > t) break;
    const ended = f.t1 <= t;
    const bad = ended && (f.fate === "lost" || f.fate === "dropped");
    if (f.kind === "esp") {
      if (ended && f.fate === "delivered") {
        c.espDelivered++;
        const k = `${f.src}→${f.dst}`;
        c.espByDir[k] = (c.espByDir[k] ?? 0) + 1;
      }
      if (bad) c.espLost++;
    } else {
      c.hipSent++;
      if (bad) c.hipLost++;
      // draft §4.3: an AC to an address not yet verified is a probe (the flooding bound).
      if (f.ptype === PacketType.AC) {
        const v = verified.get(locatorKey(f.to));
        if (v === undefined || f.t0 < v) c.probesToUnverified++;
      }
    }
  }
  const est = src.facts.established_ms;
  if (typeof est === "number" && est <= t) c.established = est;
  const ho = src.facts.handover_ms;
  const change = log.annotations.find((a) => a.kind === "note" && a.t > 0)?.t;
  if (typeof ho === "number" && change !== undefined && change + ho <= t) c.handover = ho;
  return c;
}

/** When each address became verified: base-exchange addresses at once, others on "… verified". */
function verifiedAt(log: FlightLog): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of log.addresses.values()) if (a.firstSeen === 0) m.set(a.key, 0);
  for (const a of log.annotations) {
    const v = /^(\S+) verified\b/.exec(a.text);
    if (v && !m.has(v[1])) m.set(v[1], a.t);
  }
  return m;
}

function stat(id: string, label: string, value: string, cls = ""): string {
  return `<div class="stat ${cls}"><span class="v" data-counter="${id}">${value}</span><span class="k">${esc(label)}</span></div>`;
}

export function countersHtml(c: Counters, src: Source): string {
  const dirs = Object.entries(c.espByDir).map(([k, v]) => `${esc(k)} ${v}`).join(" · ") || "—";
  const lab = src.summary !== undefined;
  return [
    stat("time", src.timeLabel ?? "virtual time", fmtMs(c.time)),
    stat("hip-sent", "HIP control packets", String(c.hipSent)),
    stat("hip-lost", "control packets lost", String(c.hipLost), c.hipLost ? "bad" : ""),
    stat("esp-delivered", "ESP datagrams delivered", String(c.espDelivered), "good"),
    stat("esp-lost", "ESP datagrams lost", String(c.espLost), c.espLost ? "bad" : ""),
    lab
      ? stat("handover", "handover time (change → data on new path)", c.handover !== null ? fmtMs(c.handover) : src.facts.handover_ms === null && c.time >= src.end ? "none" : "—")
      : stat("established", "association established (A)", c.established === null ? "—" : `at ${fmtMs(c.established)}`),
    stat("probes", "AC probes to unverified addresses", String(c.probesToUnverified)),
    ...(src.resumed ? [resumedStat(src, c.time)] : []),
    `<div class="stat wide"><span class="v small" data-counter="esp-dirs">${dirs}</span><span class="k">ESP delivered per direction</span></div>`,
  ].join("");
}

/** Per direction: how long after the latest change data flowed again (the markers so far). */
function resumedStat(src: Source, t: number): string {
  const seen = (src.resumed ?? []).filter((r) => r.t <= t);
  const last = seen.length ? seen[seen.length - 1].change : undefined;
  const parts = ["A→B", "B→A"].map((d) => {
    const r = seen.filter((x) => x.dir === d && x.change === last).at(-1);
    return `<span data-resumed="${d}">${d} ${r ? fmtMs(r.t - r.change) : "—"}</span>`;
  });
  return `<div class="stat wide"><span class="v small">${parts.join(" · ")}</span><span class="k">data resumed after the latest change${last !== undefined ? ` (at ${fmtMs(last)})` : ""}, per direction</span></div>`;
}

const SUMMARY_KEYS: [string, string][] = [
  ["delivered", "datagrams B → A delivered"],
  ["lost", "datagrams B → A lost"],
  ["handover_ms", "handover: first datagram on the new path (ms)"],
  ["handover_ms_to_mover", "handover toward the mover (ms)"],
  ["handover_ms_from_mover", "handover from the mover (ms)"],
  ["bound_ms", "stated bound (ms)"],
  ["ac_probes_to_unverified", "AC probes to unverified addresses"],
  ["data_to_unverified", "data sent to unverified addresses"],
  ["rejected", "packets rejected"],
  ["data_to_victim", "data sent to the flood victim"],
  ["data_on_credit", "data sent on source credit"],
];

/** The run's final result: the lab summary (lab) or the live run's facts (base exchange). */
export function resultHtml(src: Source): string {
  if (src.summary) {
    const s = src.summary as Record<string, unknown>;
    const rows = SUMMARY_KEYS.map(([k, label]) => `<tr><th>${esc(label)}</th><td data-summary="${k}" title="${esc(resultTitle(k, s[k]))}">${esc(String(s[k]))}</td></tr>`).join("");
    return `<p class="dim">Summary computed by the lab script (same as <code>hipmm lab ${esc(String(s.scenario))} --seed ${esc(String(s.seed))} --json</code>):</p><table>${rows}</table><p class="bound">${esc(String(s.bound))}</p>`;
  }
  const show = (v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? v.toFixed(1) : String(v));
  const rows = Object.entries(src.facts).map(([k, v]) => `<tr><th>${esc(k.replace(/_/g, " "))}</th><td data-summary="${k}">${esc(show(v))}</td></tr>`).join("");
  return `<table>${rows}</table>`;
}
