// Sequence diagram (SVG): one lane per host, one row per HIP control packet (slanted arrow =
// transit time; lost ones end in a red ✕), ESP data between them folded into bands of thin
// arrows with counts, scenario notes and protocol decisions as annotations.
import type { Annotation, Flight, FlightLog } from "./flights.ts";
import { locatorKey } from "../../src/core/types.ts";
import { dropExplanation } from "./explain.ts";
import { esc, fmtMs, hex8, packetClass } from "./svg.ts";

const LEFT = 64;
/** Drawing width in px (the SVGs are drawn 1:1 at their on-screen width). */
let W = 560;
const RIGHT = 16;

type Row =
  | { kind: "msg"; f: Flight }
  | { kind: "band"; flights: Flight[] }
  | { kind: "note" | "event" | "resumed"; a: Annotation };

/** Rows of everything that happened up to virtual time `t`, in time order. */
export function buildRows(log: FlightLog, t: number): Row[] {
  const rows: Row[] = [];
  const ann = log.annotations;
  let ai = 0;
  const flushAnnotations = (until: number) => {
    for (; ai < ann.length && ann[ai].t <= until && ann[ai].t <= t; ai++) rows.push({ kind: ann[ai].kind, a: ann[ai] });
  };
  for (const f of log.flights) {
    if (f.t0 > t) break;
    flushAnnotations(f.t0);
    const last = rows[rows.length - 1];
    if (f.kind === "esp") {
      if (last?.kind === "band") last.flights.push(f);
      else rows.push({ kind: "band", flights: [f] });
    } else rows.push({ kind: "msg", f });
  }
  flushAnnotations(t);
  return rows;
}

function laneX(log: FlightLog): (node: string | undefined) => number {
  const n = Math.max(2, log.nodes.length);
  const step = (W - LEFT - RIGHT) / n;
  return (node) => {
    const i = node === undefined ? -1 : log.nodes.indexOf(node);
    return i < 0 ? W - RIGHT - 4 : LEFT + step * (i + 0.5);
  };
}

function fitWidth(svg: SVGSVGElement): void {
  W = Math.max(360, Math.round(svg.getBoundingClientRect().width) || 560);
}

export function renderLanes(svg: SVGSVGElement, log: FlightLog): void {
  fitWidth(svg);
  const x = laneX(log);
  svg.setAttribute("viewBox", `0 0 ${W} 30`);
  svg.innerHTML =
    `<text class="lane-time" x="8" y="19">time</text>` +
    log.nodes.map((n) => `<g class="lane-head host-${esc(n)}"><rect class="lh-box" x="${x(n) - 34}" y="3" width="68" height="24" rx="7"/><text class="lh-text" x="${x(n)}" y="20">${esc(n)}</text></g>`).join("");
}

/** One arrow from lane to lane, cut short at fraction `u`, with an optional ✕ at its end. */
function arrow(x0: number, y0: number, x1: number, y1: number, u: number, cls: string, id: number, cross: boolean): string {
  const xe = x0 + (x1 - x0) * u;
  const ye = y0 + (y1 - y0) * u;
  const dir = Math.sign(x1 - x0) || 1;
  const head = u >= 1 && !cross ? `<path class="head" d="M${xe},${ye}l${-7 * dir},-4v8z"/>` : "";
  const x = cross ? `<path class="cross" d="M${xe - 5},${ye - 5}l10,10m0,-10l-10,10"/>` : "";
  return `<g class="arrow ${cls}" data-flight="${id}" tabindex="0" role="button" aria-label="dissect packet ${id}"><line class="hit" x1="${x0}" y1="${y0}" x2="${xe}" y2="${ye}"/><line x1="${x0}" y1="${y0}" x2="${xe}" y2="${ye}"/>${head}${x}</g>`;
}

function progress(f: Flight, t: number): { u: number; cross: boolean } {
  const span = Number.isNaN(f.t1) ? Number.POSITIVE_INFINITY : Math.max(f.t1 - f.t0, 1e-6);
  const u = Math.min(1, (t - f.t0) / span);
  if (f.fate === "lost") return { u: u * 0.5, cross: u >= 1 };
  return { u, cross: f.fate === "dropped" && u >= 1 };
}

export function renderSequence(svg: SVGSVGElement, log: FlightLog, t: number, selected: number | undefined): void {
  fitWidth(svg);
  const x = laneX(log);
  const rows = buildRows(log, t);
  const out: string[] = [];
  let y = 8;
  for (const r of rows) {
    if (r.kind === "note") {
      const lines = wrap(r.a.text, Math.floor((W - LEFT - 8) / 6.4));
      const h = 8 + lines.length * 15;
      const tspans = lines.map((l, i) => `<tspan x="${LEFT}" dy="${i ? 15 : 0}">${esc(l)}</tspan>`).join("");
      out.push(`<g class="row note"><rect class="note-box" x="4" y="${y}" width="${W - 8}" height="${h}" rx="6"/><text class="tl" x="10" y="${y + 15}">${r.a.t.toFixed(1)}</text><text class="note-text" x="${LEFT}" y="${y + 15}">${tspans}</text></g>`);
      y += h + 6;
    } else if (r.kind === "event") {
      const lx = x(r.a.node);
      const right = lx > W / 2;
      // Never into the time column: the room is from the lane to the edge it writes toward.
      const room = right ? lx - 8 - (LEFT - 4) : W - RIGHT - lx - 8;
      out.push(`<g class="row event"><text class="tl" x="10" y="${y + 12}">${r.a.t.toFixed(1)}</text><circle class="ev-dot" cx="${lx}" cy="${y + 8}" r="3.5"/><text class="ev" x="${right ? lx - 8 : lx + 8}" y="${y + 12}" text-anchor="${right ? "end" : "start"}">${esc(clip(r.a.text, Math.max(4, Math.floor(room / 7.2))))}</text><title>${esc(`${r.a.node}: ${r.a.text}`)}</title></g>`);
      y += 18;
    } else if (r.kind === "resumed") {
      const lines = wrap(r.a.text, Math.floor((W - LEFT - 8) / 6.6));
      const tspans = lines.map((l, i) => `<tspan x="${LEFT}" dy="${i ? 14 : 0}">${esc(l)}</tspan>`).join("");
      out.push(`<g class="row resumed" data-dir="${esc(r.a.dir ?? "")}"><line class="resumed-line" x1="${LEFT}" y1="${y + 2}" x2="${W - RIGHT}" y2="${y + 2}"/><text class="tl" x="10" y="${y + 15}">${r.a.t.toFixed(1)}</text><text class="resumed-mark" x="${LEFT}" y="${y + 15}">${tspans}</text></g>`);
      y += 8 + lines.length * 14;
    } else if (r.kind === "msg") {
      const f = r.f;
      const x0 = x(f.src);
      const x1 = x(f.dst ?? log.ownerOf(f.to));
      const { u, cross } = progress(f, t);
      const cls = `${packetClass(f.label)} ${f.fate}${f.id === selected ? " selected" : ""}`;
      const lx = (x0 + x1) / 2;
      const fate = f.fate === "lost" ? ` — ${f.reason === "partition" ? "lost: partitioned" : "lost"}` : f.fate === "dropped" ? ` — ${f.reason}` : "";
      const why = f.fate === "lost" || f.fate === "dropped" ? `<title>${esc(dropExplanation(f.reason))}</title>` : "";
      const addrs = `${locatorKey(f.from)} → ${locatorKey(f.to)}${f.spi !== undefined ? ` · SPI ${hex8(f.spi)}` : ""}${f.relayed ? " · FA relay frame" : ""}`;
      out.push(`<g class="row msg" data-label="${esc(f.label)}"><text class="tl" x="10" y="${y + 12}">${f.t0.toFixed(1)}</text>`);
      out.push(`<text class="label ${packetClass(f.label)}" ${centred(lx, f.label.length + fate.length, 7)} y="${y + 9}">${esc(f.label)}<tspan class="fate" data-reason="${esc(f.reason ?? "")}">${esc(fate)}${why}</tspan></text>`);
      out.push(arrow(x0, y + 14, x1, y + 30, u, cls, f.id, cross));
      out.push(`<text class="addr" ${centred(lx, addrs.length, 6.1)} y="${y + 41}">${esc(addrs)}</text>`);
      out.push(`</g>`);
      y += 50;
    } else if (r.kind === "band") {
      y = band(out, r.flights, y, t, x, selected);
    }
  }
  const h = Math.max(y + 10, 60);
  svg.setAttribute("viewBox", `0 0 ${W} ${h}`);
  svg.setAttribute("height", String(h));
  const lanes = log.nodes.map((n) => `<line class="lane" x1="${x(n)}" y1="0" x2="${x(n)}" y2="${h}"/>`).join("");
  svg.innerHTML = lanes + out.join("");
}

/** A band of ESP datagrams: counts per direction and a few sample arrows (losses first). */
function band(out: string[], fl: Flight[], y: number, t: number, x: (n: string | undefined) => number, selected: number | undefined): number {
  const dirs = new Map<string, Flight[]>();
  for (const f of fl) {
    const k = `${f.src}→${f.dst ?? "?"}`;
    dirs.set(k, [...(dirs.get(k) ?? []), f]);
  }
  // Per address pair and SPI: what the arrows carry (at most 4 lines per band).
  const pairs = new Map<string, number>();
  for (const f of fl) {
    const k = `${f.src}→${f.dst ?? "?"}: ${locatorKey(f.from)} → ${locatorKey(f.to)}${f.spi !== undefined ? ` · SPI ${hex8(f.spi)}` : ""}`;
    pairs.set(k, (pairs.get(k) ?? 0) + 1);
  }
  const lost = fl.filter((f) => (f.fate === "lost" || f.fate === "dropped") && f.t1 <= t).length;
  const parts = [...dirs].map(([k, v]) => `${k} ×${v.length}`);
  const t0 = fl[0].t0.toFixed(1);
  const t1 = fl[fl.length - 1].t0.toFixed(1);
  const span = t0 === t1 ? fmtMs(fl[0].t0) : `${t0}–${t1} ms`;
  out.push(`<g class="row band"><text class="tl" x="10" y="${y + 12}">${fl[0].t0.toFixed(1)}</text>`);
  out.push(`<text class="band-label" x="${LEFT}" y="${y + 10}">ESP data ${esc(parts.join(" · "))}${lost ? ` · <tspan class="bad">${lost} lost</tspan>` : ""}<tspan class="span"> (${span})</tspan></text>`);
  const why = lost ? `<title>${esc([...new Set(fl.filter((f) => f.fate !== "delivered" && f.fate !== "in-flight").map((f) => dropExplanation(f.reason)))].join("\n"))}</title>` : "";
  out[out.length - 1] = out[out.length - 1].replace("</text>", `${why}</text>`);
  let yy = y + 16;
  for (const [k, n] of [...pairs].slice(0, 4)) {
    yy += 12;
    out.push(`<text class="band-pair" x="${LEFT}" y="${yy - 2}">${esc(clip(`${k} ×${n}`, Math.floor((W - LEFT - RIGHT) / 5.6)))}</text>`);
  }
  if (pairs.size > 4) {
    yy += 12;
    out.push(`<text class="band-pair" x="${LEFT}" y="${yy - 2}">… ${pairs.size - 4} more address pairs</text>`);
  }
  yy += 4;
  for (const v of dirs.values()) {
    const bad = v.filter((f) => f.fate === "lost" || f.fate === "dropped");
    const samples = [...new Set([v[0], ...bad.slice(0, 2), v[v.length - 1]])].slice(0, 4);
    for (const f of samples) {
      const { u, cross } = progress(f, t);
      out.push(arrow(x(f.src), yy, x(f.dst ?? undefined), yy + 6, u, `p-esp thin ${f.fate}${f.id === selected ? " selected" : ""}`, f.id, cross));
      yy += 8;
    }
  }
  out.push(`</g>`);
  return yy + 10;
}

/** x/anchor attributes for text centred at `x` that must stay right of the time column and inside W. */
function centred(x: number, chars: number, charW: number): string {
  const w = chars * charW;
  if (x - w / 2 < LEFT) return `x="${LEFT}" text-anchor="start"`;
  if (x + w / 2 > W - 4) return `x="${W - 4}" text-anchor="end"`;
  return `x="${x}" text-anchor="middle"`;
}

function wrap(s: string, n: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const w of s.split(" ")) {
    if (cur && cur.length + 1 + w.length > n) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
