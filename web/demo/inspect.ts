// Packet dissection panel: a clicked datagram decoded with the wire codec (src/capture/dissect.ts
// → src/wire parsePacket): HIP header fields, HITs, every parameter; ESP shows SPI and sequence.
import { hex } from "../../src/core/bytes.ts";
import { locatorKey } from "../../src/core/types.ts";
import { dissectHip, isHipDissection, type JsonValue } from "../../src/capture/dissect.ts";
import { classifyDatagram } from "../../src/wire/framing.ts";
import type { SaKeys } from "../../src/lab/observe.ts";
import { dropExplanation } from "./explain.ts";
import type { Flight } from "./flights.ts";
import { esc, fmtMs, hex8, packetClass } from "./svg.ts";

const MAX_HEX = 48;

function value(key: string, v: JsonValue): string {
  if (typeof v === "number" && /spi/i.test(key)) return hex8(v);
  if (typeof v === "string" && /^[0-9a-f]+$/.test(v) && key !== "ip") {
    return v.length > MAX_HEX ? `${v.slice(0, MAX_HEX)}… <span class="dim">(${v.length / 2} bytes)</span>` : v;
  }
  if (Array.isArray(v)) return v.length ? `<ul>${v.map((x) => `<li>${value(key, x)}</li>`).join("")}</ul>` : "[]";
  if (v && typeof v === "object") return `<dl class="sub">${fields(v)}</dl>`;
  return esc(String(v));
}

function fields(obj: Record<string, JsonValue>): string {
  return Object.entries(obj).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${value(k, v)}</dd>`).join("");
}

function fate(f: Flight): string {
  if (f.fate === "delivered") return `delivered at ${fmtMs(f.t1)} to ${esc(f.dst ?? "?")} (${fmtMs(f.t1 - f.t0)} in flight)`;
  if (f.fate === "lost") return `<span class="bad" title="${esc(dropExplanation(f.reason))}">lost on the path (${esc(f.reason ?? "")})</span> <span class="dim">${esc(dropExplanation(f.reason))}</span>`;
  if (f.fate === "dropped") return `<span class="bad" title="${esc(dropExplanation(f.reason))}">dropped: ${esc(f.reason ?? "")}</span> <span class="dim">${esc(dropExplanation(f.reason))}</span>`;
  return "in flight";
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hexDump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < Math.min(b.length, 512); i += 16) {
    const row = b.subarray(i, i + 16);
    lines.push(`${i.toString(16).padStart(4, "0")}  ${hex(row).replace(/(..)/g, "$1 ").trim()}`);
  }
  if (b.length > 512) lines.push(`… ${b.length - 512} more bytes`);
  return lines.join("\n");
}

/** HTML for the dissection of one flight. */
/** An ESP datagram (RFC 4303 §2): SPI, sequence number, protected part; which SA the SPI names. */
function espHtml(b: Uint8Array, keys: readonly SaKeys[] | undefined, title: string): string {
  if (b.length < 8) return `<p class="bad">ESP datagram of ${b.length} bytes: too short for SPI + sequence number</p>`;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const spi = v.getUint32(0);
  const sa = keys?.find((k) => k.spi === spi && k.dir === "in");
  const who = sa ? `${esc(sa.node)}'s inbound SA (suite ${sa.suite}), installed at ${fmtMs(sa.t)}` : "an SA of the receiver";
  return `<h4>${esc(title)}</h4><dl class="fields esp-fields"><dt>SPI</dt><dd data-esp-spi>${hex8(spi)} <span class="dim">→ ${who}</span></dd><dt>Sequence Number</dt><dd data-esp-seq>${v.getUint32(4)}</dd>
    <dt>IV + encrypted payload + ICV</dt><dd>${b.length - 8} bytes <span class="dim">(RFC 7402 BEET: the inner packet's addresses are the HITs; the keys are in the run's ESP keys download)</span></dd></dl>`;
}

export function dissectionHtml(f: Flight, espNote?: string, keys?: readonly SaKeys[]): string {
  const head = `<div class="dis-head"><span class="badge ${packetClass(f.label)}">${esc(f.label)}</span>
    <span>${esc(f.src)} ${esc(locatorKey(f.from))} → ${esc(f.dst ?? "?")} ${esc(locatorKey(f.to))}</span></div>
    <dl class="meta"><dt>sent</dt><dd>${fmtMs(f.t0)} · UDP/10500 · ${f.bytes} bytes</dd><dt>fate</dt><dd>${fate(f)}</dd></dl>`;
  if (!f.data) return `${head}<p class="dim">No bytes recorded for this datagram.</p>`;
  const d = classifyDatagram(f.data);
  let body: string;
  if (!d.ok) body = `<p class="bad">${esc(d.error.code)} at ${d.error.offset}: ${esc(d.error.message)}</p>`;
  else if (d.value.kind === "esp") {
    const v = new DataView(f.data.buffer, f.data.byteOffset, f.data.length);
    body = `<h4>ESP (RFC 4303 §2)</h4><dl class="fields"><dt>SPI</dt><dd>${hex8(v.getUint32(0))}</dd><dt>Sequence Number</dt><dd>${v.getUint32(4)}</dd>
      <dt>payload + ICV</dt><dd>${f.data.length - 8} bytes</dd></dl>
      <p class="dim">${esc(espNote ?? "The rest is protected with the keys of the SA this SPI names (RFC 7402: ESP in BEET mode, the inner addresses are the HITs).")}</p>`;
  } else if (d.value.kind === "keepalive") body = `<p>NAT keepalive (RFC 3948 §2.3)</p>`;
  else {
    const dis = dissectHip(d.value.packet, { src: f.from.ip, dst: f.to.ip, allowZeroChecksum: true });
    if (!isHipDissection(dis)) body = `<p class="bad">${esc(dis.code)} at offset ${dis.offset}: ${esc(dis.message)}</p>`;
    else {
      body = `<h4>HIP header (RFC 7401 §5.1)</h4><dl class="fields">
        <dt>Packet Type</dt><dd>${dis.packetType} (${esc(dis.name)})</dd><dt>Version</dt><dd>${dis.version}</dd>
        <dt>Header Length</dt><dd>${dis.headerLength} (${dis.length} bytes)</dd>
        <dt>Checksum</dt><dd>0x${dis.checksum.toString(16).padStart(4, "0")} (${dis.checksumStatus})</dd>
        <dt>Controls</dt><dd>0x${dis.controls.toString(16).padStart(4, "0")}</dd>
        <dt>Sender's HIT</dt><dd class="hit">${esc(dis.senderHit)}</dd><dt>Receiver's HIT</dt><dd class="hit">${esc(dis.receiverHit)}</dd></dl>
        <h4>Parameters (${dis.params.length})</h4>`;
      body += dis.params
        .map((p) => {
          const inner = p.name === "ESP_DATAGRAM" && typeof p.fields.datagram === "string" ? espHtml(unhex(p.fields.datagram), keys, "ESP datagram carried inside the REA (draft §6.1.1)") : `<dl class="fields">${fields(p.fields)}</dl>`;
          return `<details class="param" data-param="${esc(p.name)}"${dis.params.length <= 4 ? " open" : ""}><summary><b>${esc(p.name)}</b> <span class="dim">type ${p.type}${p.critical ? ", critical" : ""} · length ${p.length} · @${p.offset}</span></summary>${inner}</details>`;
        })
        .join("");
    }
  }
  return `${head}${body}<details class="hexdump"><summary>bytes</summary><pre>${hexDump(f.data)}</pre></details>`;
}
