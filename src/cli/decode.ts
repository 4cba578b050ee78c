// `hipmm decode [--json] [--src IP --dst IP] [--port N]… (--hex HEX | FILE | -)`: readable
// dissection of HIP packets via the wire codec's typed parse. FILE / stdin may be a classic
// pcap (raw IP protocol 139, UDP/10500 with the RFC 5770 zero marker; other UDP/10500
// datagrams are shown as ESP SPI / sequence number) or hex text of one HIP packet.
// Exit 0 when everything is well formed; 1 with one `error CODE at offset N: …` line per bad
// packet; 2 for usage / input errors.
import { readFileSync } from "node:fs";
import { fromHex } from "../core/bytes.ts";
import { HIP_UDP_PORT } from "../core/types.ts";
import { isIP } from "node:net";
import { CliError, guarded, reason, UsageError } from "./errors.ts";
import type { Command } from "./main.ts";
import { type CommandSpec, parseCommand } from "./options.ts";
import type { FrameDissection } from "../capture/dissect.ts";

export const DECODE_SPEC: CommandSpec = {
  name: "decode",
  summary: "dissect HIP packets (hex, pcap file or stdin)",
  positionals: "(FILE.pcap | FILE.hex | -)",
  forms: ["[--json] [--src IP --dst IP] [--port N]… (FILE.pcap | FILE.hex | -)", "[--json] [--src IP --dst IP] --hex HEX"],
  options: [
    { name: "hex", arg: "HEX", help: "decode this one HIP packet given as hex (instead of a file)" },
    { name: "json", help: "print the dissection as JSON" },
    { name: "src", arg: "IP", help: "with --dst: the packet's IP source, to verify its checksum (RFC 7401 §5.1.1)" },
    { name: "dst", arg: "IP", help: "with --src: the packet's IP destination" },
    { name: "port", arg: "N", repeat: true, default: "10500 only", help: "also treat UDP port N in a pcap as HIP over UDP (zero marker) / ESP" },
  ],
  notes: [
    "A pcap may hold raw IP protocol 139 or UDP/10500 (RFC 5770 zero marker; other UDP/10500 datagrams show as ESP).",
    "A file or stdin that is not a pcap is read as hex text of one HIP packet. Exit 0: all well formed; 1: one",
    "`error CODE at offset N: …` line per malformed packet; 2: usage or unreadable input.",
  ],
  examples: ["hipmm decode capture.pcap", "hipmm sample --type R1 | hipmm decode -", "hipmm decode --json --hex 3b04…"],
};

export interface DecodeIo {
  out(line: string): void;
  err(line: string): void;
  stdin(): Promise<Uint8Array>;
}

const defaultIo: DecodeIo = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  },
};

/** Hex text → bytes: whitespace, ':' and a leading 0x are ignored. */
export function parseHexText(text: string): Uint8Array | undefined {
  const t = text.trim().replace(/^0x/i, "");
  return t.length === 0 ? undefined : fromHex(t);
}

export async function decode(argv: string[], io: DecodeIo = defaultIo): Promise<number> {
  return guarded("decode", io.err, () => decodeBody(argv, io));
}

async function decodeBody(argv: string[], io: DecodeIo): Promise<number> {
  const a = parseCommand(DECODE_SPEC, argv, io.out);
  if (!a) return 0;
  const ports = [HIP_UDP_PORT];
  for (const p of a.getAll("port")) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw new UsageError(`--port ${p}: want a port from 1 to 65535`);
    ports.push(n);
  }
  if (a.has("src") !== a.has("dst")) throw new UsageError("--src and --dst go together");
  for (const o of ["src", "dst"]) if (a.has(o) && !isIP(a.get(o)!)) throw new UsageError(`--${o} ${a.get(o)}: not an IP address`);
  let input: Uint8Array;
  const hexArg = a.get("hex");
  if (hexArg !== undefined) {
    if (a.positionals.length > 0) throw new UsageError("give --hex or a file, not both");
    const b = parseHexText(hexArg);
    if (!b) throw new UsageError("--hex: not valid hex");
    return decodeOne(b, a.get("src"), a.get("dst"), a.has("json"), io);
  }
  if (a.positionals.length !== 1) throw new UsageError(a.positionals.length ? `one input only (got ${a.positionals.join(" ")})` : "what to decode? (--hex HEX, FILE or - for stdin)");
  const src = a.positionals[0];
  try {
    input = src === "-" ? await io.stdin() : new Uint8Array(readFileSync(src));
  } catch (e) {
    throw new CliError(`${src === "-" ? "stdin" : src}: ${reason(e)}`, 2);
  }
  const { isPcap } = await import("../capture/pcap.ts");
  if (isPcap(input)) return decodePcap(input, ports, a.has("json"), io);
  const b = parseHexText(new TextDecoder().decode(input));
  if (!b) throw new CliError(`${src === "-" ? "stdin" : src}: neither a pcap file nor hex text`, 2);
  return decodeOne(b, a.get("src"), a.get("dst"), a.has("json"), io);
}

async function decodeOne(bytes: Uint8Array, src: string | undefined, dst: string | undefined, json: boolean, io: DecodeIo): Promise<number> {
  const { dissectHip, isHipDissection } = await import("../capture/dissect.ts");
  const { errorLine, formatHip } = await import("../capture/format.ts");
  const d = dissectHip(bytes, { src, dst });
  if (!isHipDissection(d)) {
    if (json) io.out(JSON.stringify({ error: d }));
    io.err(errorLine(d));
    return 1;
  }
  if (json) io.out(JSON.stringify(d, null, 2));
  else for (const l of formatHip(d)) io.out(l);
  return 0;
}

async function decodePcap(file: Uint8Array, ports: number[], json: boolean, io: DecodeIo): Promise<number> {
  const { dissectPcap } = await import("../capture/dissect.ts");
  const { errorLine, formatFrame } = await import("../capture/format.ts");
  const { DetectedPorts } = await import("../capture/heuristic.ts");
  const detected = new DetectedPorts();
  const frames = dissectPcap(file, ports, detected);
  if (!Array.isArray(frames)) {
    io.err(errorLine(frames));
    return 1;
  }
  portHints(frames, ports, detected.ports, io);
  let bad = 0;
  if (json) io.out(JSON.stringify(frames, null, 2));
  for (const f of frames) {
    if (f.error) {
      bad++;
      io.err(`frame ${f.frame}: ${errorLine(f.error)}`);
    } else if (!json) for (const l of formatFrame(f)) io.out(l);
  }
  return bad > 0 ? 1 : 0;
}

/** Hints on stderr: HIP found on ports not given (and the tshark recipe), UDP left undissected. */
function portHints(frames: readonly FrameDissection[], given: readonly number[], found: ReadonlySet<number>, io: DecodeIo): void {
  const extra = [...found].filter((p) => !given.includes(p)).sort((x, y) => x - y);
  if (extra.length) {
    const d = extra.map((p) => `-d udp.port==${p},hip`).join(" ");
    io.err(`hipmm decode: HIP over UDP detected on port ${extra.join(", ")} (not 10500); tshark needs: tshark -r FILE ${d}`);
  }
  const other = new Set<number>();
  for (const f of frames) if (f.transport === "udp" && !f.hip && !f.esp && !f.error && !f.detected && f.note?.startsWith("not HIP")) other.add(Math.min(f.srcPort ?? 0, f.dstPort ?? 0));
  if (other.size) io.err(`hipmm decode: UDP on port ${[...other].sort((x, y) => x - y).join(", ")} not dissected (no HIP header seen there); if it is HIP or ESP, add --port N`);
}

export const command: Command = { summary: DECODE_SPEC.summary, run: (argv) => decode(argv) };
