// `hipmm sample --pcap FILE [--seed N] [--nanos]`: one packet of every HIP type we define
// (I1 … FAD), each as raw IP protocol 139 and as UDP/10500 (28 frames), valid checksums.
// `hipmm sample --esp --pcap FILE --esp-sa FILE`: ESP packets (suites 1 and 13, UDP/10500)
// sealed by the data plane, plus the tshark esp_sa UAT lines (keys! written mode 0600).
// `hipmm sample --type R1`: the hex of one packet (pipe it into `hipmm decode -`).
// Deterministic for a given seed.
import { parseArgs } from "./args.ts";
import type { Command } from "./main.ts";

const USAGE = "usage: hipmm sample (--pcap FILE [--esp --esp-sa FILE] | --type NAME) [--seed N] [--nanos]";

export interface SampleIo {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: SampleIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

export async function sample(argv: string[], io: SampleIo = defaultIo): Promise<number> {
  const p = parseArgs(argv, { flags: ["esp", "nanos", "help"], options: ["pcap", "esp-sa", "seed", "type"], aliases: { h: "help" } });
  if (!p.ok) {
    io.err(`hipmm sample: ${p.error}\n${USAGE}`);
    return 2;
  }
  const a = p.args;
  if (a.has("help")) {
    io.out(USAGE);
    return 0;
  }
  const { DEFAULT_SAMPLE_SEED } = await import("../sample/world.ts");
  const seed = a.int("seed") ?? DEFAULT_SAMPLE_SEED;
  const pcap = a.get("pcap");
  const type = a.get("type");
  const espSa = a.get("esp-sa");
  if (Number.isNaN(seed) || a.positionals.length > 0 || (pcap === undefined) === (type === undefined) || (espSa !== undefined && !a.has("esp"))) {
    io.err(USAGE);
    return 2;
  }
  if (a.has("esp")) {
    if (!pcap) return usageError(io);
    const { sampleEsp, writeSampleEsp } = await import("../sample/esp.ts");
    const { createPcapFile } = await import("../capture/pcap-file.ts");
    const s = sampleEsp(seed);
    const w = createPcapFile(pcap, { nanos: a.has("nanos") });
    try {
      writeSampleEsp(w, s);
    } finally {
      w.close();
    }
    if (espSa) (await import("../capture/esp-sa-file.ts")).writeEspSaFile(espSa, s.sas);
    io.out(`wrote ${w.count} ESP packets to ${pcap}${espSa ? ` and ${s.sas.length} esp_sa lines to ${espSa} (mode 0600, contains keys)` : ""}`);
    return 0;
  }
  const { samplePackets } = await import("../sample/packets.ts");
  const packets = samplePackets(seed);
  if (type !== undefined) {
    const one = packets.find((x) => x.name === type.toUpperCase());
    if (!one) {
      io.err(`hipmm sample: unknown packet type ${type} (one of ${packets.map((x) => x.name).join(", ")})`);
      return 2;
    }
    const { hex } = await import("../core/bytes.ts");
    io.out(hex(one.bytes));
    return 0;
  }
  const { createPcapFile } = await import("../capture/pcap-file.ts");
  const { writeSampleHip } = await import("../sample/capture.ts");
  const w = createPcapFile(pcap!, { nanos: a.has("nanos") });
  try {
    writeSampleHip(w, packets);
  } finally {
    w.close();
  }
  io.out(`wrote ${w.count} frames (${packets.length} HIP packets × raw IP 139 + UDP/10500) to ${pcap}`);
  return 0;
}

function usageError(io: SampleIo): number {
  io.err(USAGE);
  return 2;
}

export const command: Command = { summary: "write sample HIP (and --esp ESP) packets to a pcap", run: (argv) => sample(argv) };
