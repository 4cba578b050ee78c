// `hipmm sample --pcap FILE [--seed N] [--nanos]`: one packet of every HIP type we define
// (I1 … FAD), each as raw IP protocol 139 and as UDP/10500 (28 frames), valid checksums.
// `hipmm sample --esp --pcap FILE --esp-sa FILE`: ESP packets (suites 1 and 13, UDP/10500)
// sealed by the data plane, plus the tshark esp_sa UAT lines (keys! written mode 0600).
// `hipmm sample --type R1`: the hex of one packet (pipe it into `hipmm decode -`).
// Deterministic for a given seed.
import { guarded, UsageError, withFile } from "./errors.ts";
import type { Command } from "./main.ts";
import { type CommandSpec, intOption, parseCommand } from "./options.ts";

export const SAMPLE_SPEC: CommandSpec = {
  name: "sample",
  summary: "write sample HIP (and --esp ESP) packets to a pcap",
  forms: ["--pcap FILE [--seed N] [--nanos]", "--esp --pcap FILE [--esp-sa FILE] [--seed N] [--nanos]", "--type NAME [--seed N]"],
  options: [
    { name: "pcap", arg: "FILE", help: "write one packet of every HIP type (I1 … FAD) as raw IP 139 and UDP/10500 to FILE" },
    { name: "esp", help: "with --pcap: ESP packets (suites 1 and 13, UDP/10500) sealed by the data plane instead" },
    { name: "esp-sa", arg: "FILE", help: "with --esp: the tshark esp_sa UAT lines (contains keys; mode 0600)" },
    { name: "type", arg: "NAME", example: "R1", help: "print the hex of one packet (I1, R1, I2, R2, UPDATE, NOTIFY, CLOSE, CLOSE_ACK, REA, AC, ACR, FAQ, FAA, FAD)" },
    { name: "seed", arg: "N", default: "the built-in sample seed", help: "random seed (same seed, same bytes)" },
    { name: "nanos", help: "nanosecond-resolution pcap (default: microseconds)" },
  ],
  examples: ["hipmm sample --pcap hip.pcap && tshark -r hip.pcap", "hipmm sample --type R1 | hipmm decode -"],
};

export interface SampleIo {
  out(line: string): void;
  err(line: string): void;
}

const defaultIo: SampleIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

export async function sample(argv: string[], io: SampleIo = defaultIo): Promise<number> {
  return guarded("sample", io.err, () => sampleBody(argv, io));
}

async function sampleBody(argv: string[], io: SampleIo): Promise<number> {
  const a = parseCommand(SAMPLE_SPEC, argv, io.out);
  if (!a) return 0;
  const { DEFAULT_SAMPLE_SEED } = await import("../sample/world.ts");
  const seed = intOption(a, "seed", 0, 2 ** 32 - 1) ?? DEFAULT_SAMPLE_SEED;
  const pcap = a.get("pcap");
  const type = a.get("type");
  const espSa = a.get("esp-sa");
  if (a.positionals.length > 0) throw new UsageError(`unexpected argument ${a.positionals[0]}`);
  if ((pcap === undefined) === (type === undefined)) throw new UsageError("give --pcap FILE or --type NAME");
  if (espSa !== undefined && !a.has("esp")) throw new UsageError("--esp-sa needs --esp");
  if (a.has("esp") && !pcap) throw new UsageError("--esp needs --pcap FILE");
  if (a.has("esp")) {
    const { sampleEsp, writeSampleEsp } = await import("../sample/esp.ts");
    const { createPcapFile } = await import("../capture/pcap-file.ts");
    const s = sampleEsp(seed);
    const w = withFile("--pcap", pcap!, () => createPcapFile(pcap!, { nanos: a.has("nanos") }), true);
    try {
      withFile("--pcap", pcap!, () => writeSampleEsp(w, s));
    } finally {
      w.close();
    }
    const { writeEspSaFile } = await import("../capture/esp-sa-file.ts");
    if (espSa) withFile("--esp-sa", espSa, () => writeEspSaFile(espSa, s.sas), true);
    io.out(`wrote ${w.count} ESP packets to ${pcap}${espSa ? ` and ${s.sas.length} esp_sa lines to ${espSa} (mode 0600, contains keys)` : ""}`);
    return 0;
  }
  const { samplePackets } = await import("../sample/packets.ts");
  const packets = samplePackets(seed);
  if (type !== undefined) {
    const one = packets.find((x) => x.name === type.toUpperCase());
    if (!one) throw new UsageError(`--type ${type}: unknown packet type (one of ${packets.map((x) => x.name).join(", ")})`);
    const { hex } = await import("../core/bytes.ts");
    io.out(hex(one.bytes));
    return 0;
  }
  const { createPcapFile } = await import("../capture/pcap-file.ts");
  const { writeSampleHip } = await import("../sample/capture.ts");
  const w = withFile("--pcap", pcap!, () => createPcapFile(pcap!, { nanos: a.has("nanos") }), true);
  try {
    withFile("--pcap", pcap!, () => writeSampleHip(w, packets));
  } finally {
    w.close();
  }
  io.out(`wrote ${w.count} frames (${packets.length} HIP packets × raw IP 139 + UDP/10500) to ${pcap}`);
  return 0;
}

export const command: Command = { summary: SAMPLE_SPEC.summary, run: (argv) => sample(argv) };
