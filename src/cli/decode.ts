// `hipmm decode [--json] [--src IP --dst IP] [--port N]… (--hex HEX | FILE | -)`: readable
// dissection of HIP packets via the wire codec's typed parse. FILE / stdin may be a classic
// pcap (raw IP protocol 139, UDP/10500 with the RFC 5770 zero marker; other UDP/10500
// datagrams are shown as ESP SPI / sequence number) or hex text of one HIP packet.
// Exit 0 when everything is well formed; 1 with one `error CODE at offset N: …` line per bad
// packet; 2 for usage / input errors.
import { readFileSync } from "node:fs";
import { fromHex } from "../core/bytes.ts";
import { HIP_UDP_PORT } from "../core/types.ts";
import { parseArgs } from "./args.ts";
import type { Command } from "./main.ts";

const USAGE = "usage: hipmm decode [--json] [--src IP --dst IP] [--port N]... (--hex HEX | FILE.pcap | FILE.hex | -)";

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
  const p = parseArgs(argv, { flags: ["json", "help"], options: ["hex", "src", "dst", "port"], aliases: { h: "help" } });
  if (!p.ok) {
    io.err(`hipmm decode: ${p.error}\n${USAGE}`);
    return 2;
  }
  const a = p.args;
  if (a.has("help")) {
    io.out(USAGE);
    return 0;
  }
  const ports = [HIP_UDP_PORT, ...a.getAll("port").map(Number)];
  if (ports.some((x) => !Number.isInteger(x) || x < 1 || x > 65535) || (a.has("src") !== a.has("dst"))) {
    io.err(USAGE);
    return 2;
  }
  let input: Uint8Array;
  const hexArg = a.get("hex");
  if (hexArg !== undefined) {
    if (a.positionals.length > 0) return usage(io);
    const b = parseHexText(hexArg);
    if (!b) return badInput(io, "--hex is not valid hex");
    return decodeOne(b, a.get("src"), a.get("dst"), a.has("json"), io);
  }
  if (a.positionals.length !== 1) return usage(io);
  const src = a.positionals[0];
  try {
    input = src === "-" ? await io.stdin() : new Uint8Array(readFileSync(src));
  } catch (e) {
    return badInput(io, `cannot read ${src}: ${(e as Error).message}`);
  }
  const { isPcap } = await import("../capture/pcap.ts");
  if (isPcap(input)) return decodePcap(input, ports, a.has("json"), io);
  const b = parseHexText(new TextDecoder().decode(input));
  if (!b) return badInput(io, "input is neither a pcap file nor hex text");
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
  const frames = dissectPcap(file, ports);
  if (!Array.isArray(frames)) {
    io.err(errorLine(frames));
    return 1;
  }
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

function usage(io: DecodeIo): number {
  io.err(USAGE);
  return 2;
}

function badInput(io: DecodeIo, msg: string): number {
  io.err(`hipmm decode: ${msg}`);
  return 2;
}

export const command: Command = { summary: "dissect HIP packets (hex, pcap file or stdin)", run: (argv) => decode(argv) };
