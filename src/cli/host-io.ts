// `hipmm host` data on stdout (--output) and `--echo`: how each datagram received over ESP is
// written, and whether it is sent back. raw: the bytes as they came (like `nc -u`); lines: one
// datagram per line (a trailing newline dropped, control bytes and backslashes escaped so a
// datagram never spans lines); hex: one line of hex per datagram; json: one JSON object per
// datagram with the peer's HIT, the inner ports and the payload (text when it is UTF-8, else hex).
import { hex } from "../core/bytes.ts";
import { hitToString } from "../hip/hit.ts";
import type { RuntimeHost } from "../runtime/host.ts";
import type { Args, OptionDef } from "./options.ts";
import { choiceOption } from "./options.ts";

export const OUTPUT_MODES = ["raw", "lines", "hex", "json"] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

export const IO_OPTIONS: readonly OptionDef[] = [
  { name: "output", arg: "raw|lines|hex|json", default: "raw", help: "stdout format per received datagram: raw bytes (like nc -u); lines: one datagram per line, control bytes escaped; hex: one hex line each; json: one object each (peer HIT, ports, text or hex)" },
  { name: "echo", help: "send every received datagram back to its sender (same association, ports swapped); still written to stdout" },
  { name: "no-stdin", help: "do not read stdin (a server in the background or under a service manager, stdin at /dev/null): run until SIGINT/SIGTERM instead of closing at end of stdin (nc -d)" },
];

export interface HostIo {
  output: OutputMode;
  echo: boolean;
  /** --no-stdin: stdin is not read, and its end does not stop the host. */
  noStdin: boolean;
}

export function hostIo(a: Args): HostIo {
  return { output: choiceOption(a, "output", OUTPUT_MODES) ?? "raw", echo: a.has("echo"), noStdin: a.has("no-stdin") };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(data: Uint8Array): string | undefined {
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

/** `\n` `\r` `\t` `\\` and other C0 / DEL bytes escaped; invalid UTF-8 bytes as \xNN. */
export function escapeLine(data: Uint8Array): string {
  const body = data.length > 0 && data[data.length - 1] === 0x0a ? data.subarray(0, data.length - 1) : data;
  const t = text(body);
  if (t === undefined) return Array.from(body, (b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
  return t.replace(/[\u0000-\u001f\u007f\\]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    if (c === "\\") return "\\\\";
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

export interface Datagram {
  peerHit: Uint8Array;
  srcPort: number;
  dstPort: number;
  data: Uint8Array;
}

/** What goes to stdout for one datagram (raw: the bytes themselves). */
export function formatDatagram(mode: OutputMode, d: Datagram): Uint8Array | string {
  if (mode === "raw") return d.data;
  if (mode === "lines") return `${escapeLine(d.data)}\n`;
  if (mode === "hex") return `${hex(d.data)}\n`;
  const t = text(d.data);
  return `${JSON.stringify({ peer: hitToString(d.peerHit), srcPort: d.srcPort, dstPort: d.dstPort, length: d.data.length, ...(t === undefined ? { hex: hex(d.data) } : { text: t }) })}\n`;
}

/** Writes each received datagram to `out` in the chosen format and, with --echo, sends it back. */
export function wireHostIo(host: RuntimeHost, io: HostIo, out: (chunk: Uint8Array | string) => void): void {
  host.on("message", (ev) => {
    out(formatDatagram(io.output, ev));
    if (io.echo) host.send(ev.peerHit, ev.dstPort, ev.srcPort, ev.data);
  });
}
