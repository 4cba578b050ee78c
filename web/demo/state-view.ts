// "What each host knows" at the time cursor: its own addresses, the peer's addresses with their
// verification status, the ESP SAs (SPI per direction) and the data path — from the lab hosts'
// observers (src/lab/observe.ts), so the table follows the time slider backwards too.
import type { HostState } from "../../src/lab/observe.ts";
import { STATUS_HELP } from "./explain.ts";
import type { Source } from "./sources.ts";
import { esc, hex8 } from "./svg.ts";

function statusCell(status: string): string {
  const shown = status === "active" ? "verified" : status;
  return `<td class="st-${esc(shown)}" data-status="${esc(shown)}" title="${esc(STATUS_HELP[status] ?? "")}">${esc(shown)}</td>`;
}

function hostTable(name: string, s: HostState | undefined): string {
  if (!s) return `<div data-host="${esc(name)}"><h3>${esc(name)}</h3><p class="dim">nothing yet</p></div>`;
  const local = s.local.map((r) => `<tr data-addr="${esc(r.addr)}"><td class="mono">${esc(r.addr)}</td><td>if ${r.iface}</td>${statusCell(r.status)}</tr>`).join("");
  const peer = s.peer.map((r) => `<tr data-peer-addr="${esc(r.addr)}"><td class="mono">${esc(r.addr)}</td><td class="mono" title="the peer's inbound SPI on this interface: our outbound SA toward it (§4.5)">${r.spi !== undefined ? hex8(r.spi) : ""}</td>${statusCell(r.status)}</tr>`).join("");
  const sas = s.sas.map((r) => `<tr data-sa="${r.dir}:${r.spi}"><td>${r.dir === "in" ? "inbound" : "outbound"}</td><td class="mono">${hex8(r.spi)}</td><td>suite ${r.suite}</td></tr>`).join("");
  return `<div data-host="${esc(name)}"><h3>${esc(name)} <span class="dim">(as of ${s.t.toFixed(1)} ms)</span></h3>
    <table><tr><th colspan="3">own addresses</th></tr>${local || `<tr><td colspan="3" class="dim">none</td></tr>`}
    <tr><th colspan="3">peer's addresses (SPI) and status</th></tr>${peer || `<tr><td colspan="3" class="dim">no association yet</td></tr>`}
    <tr><th colspan="3">ESP SAs</th></tr>${sas || `<tr><td colspan="3" class="dim">none</td></tr>`}
    <tr><th>data path</th><td colspan="2" class="mono" data-path>${esc(s.path ?? "none")}</td></tr></table></div>`;
}

export function stateHtml(src: Source, t: number): string {
  if (!src.hosts) return `<p class="dim">Shown for the src/lab scenarios.</p>`;
  return Object.entries(src.hosts).map(([n, o]) => hostTable(n, o.at(t))).join("");
}
