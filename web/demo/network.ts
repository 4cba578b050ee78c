// Network diagram (SVG): hosts with their address chips, links between address pairs that
// carried traffic (partitioned / lossy / gone shown), and datagrams moving in virtual time.
import { locatorKey } from "../../src/core/types.ts";
import type { AddressInfo, Flight, FlightLog } from "./flights.ts";
import { esc, packetClass } from "./svg.ts";

const W = 720;
/** Scene height: a two-host scene needs less. */
let H = 300;
const BOX_W = 176;
const CHIP_H = 22;
/** Links idle for longer than this fade out. */
const LINK_FRESH_MS = 400;
/** A lost datagram's ✕ stays visible this long (virtual ms). */
const LOSS_LINGER_MS = 25;

interface Pt {
  x: number;
  y: number;
}

interface NodeBox {
  name: string;
  x: number;
  y: number;
  h: number;
  chips: { a: AddressInfo; y: number; anchor: Pt }[];
}

/** Box centres: A left, B right, a third node (victim, FA) below between them. */
const SLOTS_X = [120, 600, 360, 360];

const DEFAULT_ROLES: Record<string, string> = { A: "mobile host", B: "peer host", victim: "victim (not HIP)", FA: "forwarding agent" };

function layout(log: FlightLog, t: number): Map<string, NodeBox> {
  const boxes = new Map<string, NodeBox>();
  const few = log.nodes.length <= 2;
  log.nodes.forEach((name, i) => {
    const addrs = [...log.addresses.values()].filter((a) => a.node === name && a.firstSeen <= t);
    const h = 44 + Math.max(1, addrs.length) * (CHIP_H + 4);
    const slot = { x: SLOTS_X[Math.min(i, 3)], y: few ? (H - h) / 2 - 10 : i === 2 ? H - h - 8 : i === 3 ? 8 : 24 };
    const box: NodeBox = { name, x: slot.x - BOX_W / 2, y: slot.y, h, chips: [] };
    addrs.forEach((a, j) => {
      const y = box.y + 40 + j * (CHIP_H + 4);
      const side = slot.x < W / 2 - 10 ? 1 : slot.x > W / 2 + 10 ? -1 : 0;
      const anchor = side === 0 ? { x: slot.x, y: slot.y > H / 2 ? box.y : y + CHIP_H } : { x: slot.x + (side * (BOX_W - 16)) / 2, y: y + CHIP_H / 2 };
      box.chips.push({ a, y, anchor });
    });
    boxes.set(name, box);
  });
  return boxes;
}

export function renderNetwork(svg: SVGSVGElement, log: FlightLog, t: number, selected: number | undefined, roles: Record<string, string> = {}): void {
  H = log.nodes.length <= 2 ? 240 : 320;
  const boxes = layout(log, t);
  const anchors = new Map<string, Pt>();
  for (const b of boxes.values()) for (const c of b.chips) anchors.set(c.a.key, c.anchor);
  const nowhere: Pt = { x: W / 2, y: H - 8 };
  const at = (k: string) => anchors.get(k) ?? nowhere;

  // Links: address pairs used recently; the newest datagram on a pair decides its look.
  const links = new Map<string, { a: string; b: string; last: Flight; lossy: boolean }>();
  const packets: Flight[] = [];
  for (const f of log.between(t - LINK_FRESH_MS, t)) {
    if (f.t0 > t) continue;
    const ka = locatorKey(f.from);
    const kb = locatorKey(f.to);
    const key = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
    const l = links.get(key) ?? { a: ka, b: kb, last: f, lossy: false };
    if (f.t0 >= l.last.t0) l.last = f;
    if (f.fate === "lost" && f.reason === "loss" && t - f.t0 < 120) l.lossy = true;
    links.set(key, l);
    const end = Number.isNaN(f.t1) ? Number.POSITIVE_INFINITY : f.t1;
    if (t < end + (f.fate === "delivered" ? 0 : LOSS_LINGER_MS)) packets.push(f);
  }

  const out: string[] = [];
  out.push(`<defs><filter id="glow" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="2.2" result="b"/><feMerge><feMergeNode in="b"/><feMergeNode in="SourceGraphic"/></feMerge></filter></defs>`);
  out.push(`<g class="links">`);
  for (const l of links.values()) {
    const p = at(l.a);
    const q = at(l.b);
    const gone = [l.a, l.b].some((k) => {
      const g = log.addresses.get(k)?.goneAt;
      return g !== undefined && g <= t;
    });
    let cls = "link";
    if (l.last.fate === "lost" && l.last.reason === "partition") cls += " cut";
    else if (gone) cls += " gone";
    else if (l.lossy) cls += " lossy";
    if (t - l.last.t0 > LINK_FRESH_MS / 2) cls += " idle";
    out.push(`<line class="${cls}" x1="${p.x}" y1="${p.y}" x2="${q.x}" y2="${q.y}"/>`);
    if (cls.includes("cut")) out.push(`<text class="link-tag bad" x="${(p.x + q.x) / 2}" y="${(p.y + q.y) / 2 - 6}">partitioned</text>`);
    else if (cls.includes("lossy")) out.push(`<text class="link-tag warn" x="${(p.x + q.x) / 2}" y="${(p.y + q.y) / 2 - 6}">lossy</text>`);
  }
  out.push(`</g><g class="hosts">`);
  for (const b of boxes.values()) {
    out.push(`<g class="host host-${esc(b.name)}"><rect class="box" x="${b.x}" y="${b.y}" width="${BOX_W}" height="${b.h}" rx="12"/>`);
    out.push(`<text class="host-name" x="${b.x + 14}" y="${b.y + 24}">${esc(b.name)}</text>`);
    out.push(`<text class="host-role" x="${b.x + BOX_W - 12}" y="${b.y + 24}">${esc(roles[b.name] ?? DEFAULT_ROLES[b.name] ?? "")}</text>`);
    for (const c of b.chips) {
      const gone = c.a.goneAt !== undefined && c.a.goneAt <= t;
      out.push(`<g class="chip${gone ? " gone" : ""}"><rect class="chip-box" x="${b.x + 8}" y="${c.y}" width="${BOX_W - 16}" height="${CHIP_H}" rx="6"/><text class="chip-text" x="${b.x + BOX_W / 2}" y="${c.y + 15}">${esc(c.a.key)}</text></g>`);
    }
    out.push(`</g>`);
  }
  out.push(`</g><g class="packets">`);
  for (const f of packets) {
    const p = at(locatorKey(f.from));
    const q = at(locatorKey(f.to));
    const span = Number.isNaN(f.t1) ? 1e9 : Math.max(f.t1 - f.t0, 1e-6);
    let u = Math.min(1, Math.max(0, (t - f.t0) / span));
    const dead = f.fate === "lost" || f.fate === "dropped";
    if (f.fate === "lost") u *= 0.5;
    const x = p.x + (q.x - p.x) * u;
    const y = p.y + (q.y - p.y) * u;
    const sel = f.id === selected ? " selected" : "";
    if (dead && t >= f.t1) {
      out.push(`<g class="pkt lost${sel}" data-flight="${f.id}"><title>${esc(f.label)} lost (${esc(f.reason ?? "")})</title><path class="lost-x" d="M${x - 6},${y - 6}L${x + 6},${y + 6}M${x + 6},${y - 6}L${x - 6},${y + 6}"/></g>`);
    } else if (f.kind === "esp") {
      out.push(`<circle class="pkt esp dir-${esc(f.src)}${sel}" data-flight="${f.id}" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4"/>`);
    } else {
      const w = 10 + f.label.length * 7.2;
      out.push(`<g class="pkt hip ${packetClass(f.label)}${sel}" data-flight="${f.id}" filter="url(#glow)"><rect class="pill" x="${(x - w / 2).toFixed(1)}" y="${(y - 10).toFixed(1)}" width="${w.toFixed(1)}" height="20" rx="10"/><text class="pill-text" x="${x.toFixed(1)}" y="${(y + 4).toFixed(1)}">${esc(f.label)}</text></g>`);
    }
  }
  out.push(`</g>`);
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.innerHTML = out.join("");
}
