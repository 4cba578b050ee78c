// Helpers to read a simulator trace: one-line rendering for timelines, and per-datagram
// summaries. `describe` lets callers name packets (e.g. "I1", "ESP spi=0x… seq=3").
import { locatorKey } from "../core/types.ts";
import type { TraceEvent } from "./types.ts";

const KIND_MARK: Record<TraceEvent["kind"], string> = {
  sent: "->",
  delivered: "<-",
  lost: "xx",
  duplicated: "2x",
  "dropped-no-address": "x?",
  "dropped-queue": "xq",
};

/** e.g. "  12.000 ms  -> 10.0.0.1:10500 > 10.0.0.2:10500  120 B  I1". */
export function formatTraceEvent(e: TraceEvent, describe?: (e: TraceEvent) => string): string {
  const what = describe ? `  ${describe(e)}` : "";
  const why = e.reason ? ` (${e.reason})` : "";
  return `${e.t.toFixed(3).padStart(10)} ms  ${KIND_MARK[e.kind]} ${locatorKey(e.from)} > ${locatorKey(e.to)}  ${e.bytes} B${why}${what}`;
}

/** The whole trace as text, one line per event. */
export function formatTrace(trace: readonly TraceEvent[], describe?: (e: TraceEvent) => string): string {
  return trace.map((e) => formatTraceEvent(e, describe)).join("\n");
}

/** Count trace events by kind. */
export function countKinds(trace: readonly TraceEvent[]): Record<TraceEvent["kind"], number> {
  const c = { sent: 0, delivered: 0, lost: 0, duplicated: 0, "dropped-no-address": 0, "dropped-queue": 0 };
  for (const e of trace) c[e.kind]++;
  return c;
}

/** A stable text fingerprint of a trace (for determinism checks). */
export function traceFingerprint(trace: readonly TraceEvent[]): string {
  let h = 0x811c9dc5;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  };
  for (const e of trace) mix(`${e.t}|${e.kind}|${e.id}|${locatorKey(e.from)}|${locatorKey(e.to)}|${e.bytes}|${e.reason ?? ""};`);
  return `${trace.length}:${h.toString(16)}`;
}
