// "What is happening now": the latest scenario step and, for each control packet on the wire,
// one sentence on what it is for (RFC 7401 §5.3, draft-nikander-hip-mm-00 §6.1).
import type { FlightLog } from "./flights.ts";
import { esc, packetClass } from "./svg.ts";

const MEANING: Record<string, string> = {
  I1: "the Initiator's trigger: “I want to talk to this HIT”. The Responder keeps no state for it (RFC 7401 §5.3.1).",
  R1: "pre-signed answer: a puzzle, the Responder's Diffie-Hellman key and host identity (RFC 7401 §5.3.2).",
  I2: "the puzzle solution, the Initiator's DH key and encrypted host identity, signed (RFC 7401 §5.3.3).",
  R2: "the Responder's signed confirmation: both sides now hold KEYMAT and a pair of ESP SAs (RFC 7401 §5.3.4).",
  REA: "readdress: “these are my addresses now”, per interface, signed and HMAC'd (draft §6.1.1).",
  AC: "address check: sent to an announced address before any data goes there (draft §4.3, §6.1.2).",
  ACR: "address check reply: proves the peer really is reachable at that address (draft §6.1.2).",
  FAQ: "Forwarding Agent Query: asks an FA for an address lease, or renews one (draft §4.4.1, §6.1.3).",
  FAA: "Forwarding Agent Advice: the FA grants the lease and will forward to the host until it expires (draft §4.4.1).",
  FAD: "Forwarding Agent Denied: the FA refuses, with the reason (draft §4.4.1, §6.1.3).",
  UPDATE: "HIP UPDATE (RFC 7401 §5.3.5).",
  NOTIFY: "HIP NOTIFY: an informational or error message (RFC 7401 §5.3.6).",
  CLOSE: "closes the association (RFC 7401 §5.3.7).",
  CLOSE_ACK: "acknowledges a CLOSE (RFC 7401 §5.3.8).",
};

export function captionHtml(log: FlightLog, t: number): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of log.between(t, t, 2000)) {
    if (f.kind !== "hip" || f.t0 > t) continue;
    const key = `${f.label}|${f.src}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const what = MEANING[f.label] ?? "a HIP control packet.";
    const fate = f.fate === "lost" || f.fate === "dropped" ? ` <span class="bad">(will not arrive: ${esc(f.reason ?? "")})</span>` : "";
    lines.push(`<li><span class="badge ${packetClass(f.label)}">${esc(f.label)}</span> ${esc(f.src)} → ${esc(f.dst ?? "?")}: ${esc(what)}${fate}</li>`);
  }
  let latest = "";
  for (const a of log.annotations) {
    if (a.t > t) break;
    latest = `${a.t.toFixed(1)} ms · ${a.node ? `${a.node}: ` : ""}${a.text}`;
  }
  const esp = lines.length === 0 && [...log.between(t, t, 200)].some((f) => f.kind === "esp" && f.t0 <= t);
  const body = lines.length ? `<ul>${lines.join("")}</ul>` : `<p class="dim">${esp ? "Only ESP data on the wire." : "Nothing on the wire."}</p>`;
  return `${latest ? `<p class="latest">${esc(latest)}</p>` : ""}${body}`;
}
