// Text rendering of dissections for `hipmm decode`: header fields, HITs in IPv6 notation,
// one line per parameter with its fields (long byte strings shortened; --json has them whole).
import type { CaptureError } from "./parse-ip.ts";
import type { FrameDissection, HipDissection, JsonValue } from "./dissect.ts";

const MAX_HEX = 64; // hex characters shown per byte field

/** The one-line error report: `error CODE at offset N: message`. */
export function errorLine(e: CaptureError | { code: string; offset: number; message: string }): string {
  return `error ${e.code} at offset ${e.offset}: ${e.message}`;
}

function fieldText(key: string, v: JsonValue): string {
  if (typeof v === "number" && /spi/i.test(key)) return `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
  if (typeof v === "number" && /^(opaque|controls)$/.test(key)) return `0x${v.toString(16).padStart(4, "0")}`;
  if (key === "domainName" && typeof v === "string") return JSON.stringify(v);
  if (typeof v === "string" && /^[0-9a-f]*$/.test(v) && v.length > 0 && key !== "ip") {
    return v.length > MAX_HEX ? `${v.slice(0, MAX_HEX)}… (${v.length / 2} bytes)` : v;
  }
  if (Array.isArray(v)) return `[${v.map((x) => fieldText(key, x)).join(", ")}]`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}=${fieldText(k, x)}`).join(" ")}}`;
  return String(v);
}

export function formatHip(d: HipDissection, indent = ""): string[] {
  const sum = `0x${d.checksum.toString(16).padStart(4, "0")} (${d.checksumStatus})`;
  const lines = [
    `${indent}HIP ${d.name} (type ${d.packetType}) version ${d.version}, ${d.length} bytes (Header Length ${d.headerLength}), checksum ${sum}, controls 0x${d.controls.toString(16).padStart(4, "0")}`,
    `${indent}  sender HIT   ${d.senderHit}`,
    `${indent}  receiver HIT ${d.receiverHit}`,
  ];
  for (const p of d.params) {
    const crit = p.critical ? ", critical" : "";
    const head = `${indent}  @${p.offset} ${p.name} (${p.type}${crit}) length ${p.length}`;
    const lists = Object.entries(p.fields).filter(([, v]) => Array.isArray(v) && v.some((x) => x !== null && typeof x === "object"));
    const simple = Object.entries(p.fields).filter(([, v]) => !lists.some(([, l]) => l === v));
    lines.push(simple.length ? `${head}: ${simple.map(([k, v]) => `${k}=${fieldText(k, v)}`).join(" ")}` : head);
    for (const [k, v] of lists) for (const item of v as JsonValue[]) lines.push(`${indent}      ${k}: ${fieldText(k, item)}`);
  }
  return lines;
}

export function formatFrame(f: FrameDissection): string[] {
  const t = new Date(f.time).toISOString();
  const bad = f.udpChecksum ? " [UDP checksum incorrect: checksum offload on the capturing host?]" : "";
  const ports = f.transport === "udp" ? ` UDP ${f.srcPort} → ${f.dstPort}${f.detected ? " (HIP over UDP detected)" : ""}${bad}` : "";
  const where = f.src ? ` ${f.src} → ${f.dst}${ports}` : "";
  const head = `frame ${f.frame} ${t}${where}`;
  if (f.error) return [`${head}: ${errorLine(f.error)}`];
  if (f.hip) return [head, ...formatHip(f.hip, "  ")];
  if (f.esp) return [`${head}: ESP spi 0x${(f.esp.spi >>> 0).toString(16).padStart(8, "0")} seq ${f.esp.seq} (${f.esp.length} bytes)`];
  return [`${head}: ${f.note ?? "?"}`];
}
