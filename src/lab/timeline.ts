// Sequence-diagram timeline of a lab run: A on the left, B on the right, one line per
// readdressing packet or decision. Browser-safe (no node: imports).
import type { Locator, Millis } from "../core/types.ts";
import { locatorKey } from "../core/types.ts";
import type { NodeEvent } from "./host.ts";

const W = 34;

function arrow(label: string, right: boolean): string {
  const body = `──${label}`.padEnd(W - 1, "─");
  return right ? `${body}▶` : `◀${body.slice(1)}─`;
}

const at = (l: Locator) => locatorKey(l);

export function timelineLine(e: NodeEvent, left = "A"): string | undefined {
  const ev = e.ev;
  const t = `${ev.t.toFixed(1).padStart(8)} ms`;
  const ltr = e.node === left;
  const side = (s: string) => (ltr ? `${t}  A ${s} B` : `${t}  A ${s} B`);
  switch (ev.type) {
    case "rea-sent":
      return `${side(arrow(`REA #${ev.reaId}${ev.retransmit ? " (rtx)" : ""} if ${ev.interfaces.join(",")}`, ltr))}  to ${at(ev.to)}`;
    case "ac-sent":
      return `${side(arrow(`AC ${ev.liveness ? "(liveness) " : ""}rea #${ev.reaId}`, ltr))}  to ${at(ev.to)}`;
    case "acr-sent":
      return `${side(arrow(`ACR ac ${ev.acId}`, ltr))}  to ${at(ev.to)}`;
    case "address-verified":
      return `${t}  ${e.node}: ${at(ev.locator)} verified (rtt ${ev.rtt} ms)`;
    case "address-credited":
      return `${t}  ${e.node}: ${at(ev.locator)} on source credit (REA came from it; ≤ 3× its bytes until the ACR)`;
    case "address-failed":
      return `${t}  ${e.node}: ${at(ev.locator)} failed (${ev.reason})`;
    case "path-changed":
      return `${t}  ${e.node}: data path → ${ev.path ? `${at(ev.path.from)} → ${at(ev.path.to)}` : "none"} (${ev.reason})`;
    case "rejected":
      return `${t}  ${e.node}: rejected packet from ${at(ev.from)}: ${ev.reason}`;
    case "peer-unreachable":
      return `${t}  ${e.node}: peer unreachable (every path silent, ${ev.silentMs} ms since it was heard)`;
    case "peer-reachable":
      return `${t}  ${e.node}: peer answers again (silent ${ev.silentMs} ms)`;
    case "peer-dead":
      return `${t}  ${e.node}: peer given up (silent ${ev.silentMs} ms): association dropped`;
    case "rea-failed":
      return `${t}  ${e.node}: REA #${ev.reaId} gave up`;
    default:
      return undefined;
  }
}

export function note(t: Millis, text: string): string {
  return `${t.toFixed(1).padStart(8)} ms  ── ${text}`;
}
