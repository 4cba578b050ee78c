// "Data resumed" markers: after each change (the scenario's own event, or a lab action), for each
// direction of data (A→B, B→A), the first ESP datagram sent after the change and delivered on an
// address pair other than the one used before it. A direction whose old pair keeps working gets
// no marker (it was not interrupted).
import { locatorKey } from "../../src/core/types.ts";
import { dissectHip, isHipDissection } from "../../src/capture/dissect.ts";
import type { Flight, FlightLog } from "./flights.ts";

/** An REA that carries the mover's next ESP datagram (draft §6.1.1) resumes data too. */
function carriesEsp(f: Flight): boolean {
  if (f.label !== "REA" || !f.data) return false;
  const d = dissectHip(f.relayed ? new Uint8Array(0) : f.data.subarray(4), { allowZeroChecksum: true });
  return isHipDissection(d) && d.params.some((p) => p.name === "ESP_DATAGRAM");
}

export interface Resumed {
  change: number;
  dir: string;
  /** Arrival of that first datagram. */
  t: number;
  pair: string;
}

export function findResumed(log: FlightLog, changes: readonly number[]): Resumed[] {
  const out: Resumed[] = [];
  // The last leg into a host: directly from the other host, or relayed by a Forwarding Agent.
  const esp = log.flights.filter((f) => (f.dst === "A" || f.dst === "B") && (f.src === "A" || f.src === "B" || /^FA\d$/.test(f.src)) && f.src !== f.dst && f.fate === "delivered" && (f.kind === "esp" || carriesEsp(f)));
  changes.forEach((c, i) => {
    const next = changes[i + 1] ?? Number.POSITIVE_INFINITY;
    for (const dir of ["A→B", "B→A"]) {
      const mine = esp.filter((f) => `${f.dst === "A" ? "B" : "A"}→${f.dst}` === dir);
      const before = mine.filter((f) => f.t1 <= c).at(-1);
      const old = before ? `${locatorKey(before.from)} → ${locatorKey(before.to)}` : undefined;
      const first = mine.find((f) => f.t0 >= c && f.t0 < next);
      if (!first) continue;
      const pair = `${locatorKey(first.from)} → ${locatorKey(first.to)}`;
      if (pair === old && first.t1 - c < 50) continue; // not interrupted
      out.push({ change: c, dir, t: first.t1, pair });
    }
  });
  return out;
}

/** Add the markers to the log as "resumed" annotations (sorted in). */
export function annotateResumed(log: FlightLog, rs: readonly Resumed[]): void {
  for (const r of rs) log.annotations.push({ t: r.t, kind: "resumed", dir: r.dir, text: `▶ data resumed ${r.dir} on ${r.pair}: ${(r.t - r.change).toFixed(1)} ms after the change at ${r.change.toFixed(1)} ms` });
  log.annotations.sort((a, b) => a.t - b.t);
}
