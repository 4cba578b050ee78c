// `hipmm lab <scenario> [--json] [--pcap FILE] [--esp-sa FILE] [--seed N]`: mobility scenarios over the
// deterministic simulator (virtual time); timeline + summary; --json prints the summary as the last line.
import { writeFileSync } from "node:fs";
import { PcapWriter } from "../capture/pcap.ts";
import { kernelLabUnavailable, runKernelLab } from "../lab/kernel-node.ts";
import { uniqueEspSas } from "../capture/esp-sa.ts";
import { writeEspSaFile } from "../capture/esp-sa-file.ts";
import { runLab, SCENARIOS, type ScenarioName } from "../lab/scenarios.ts";
import { UsageError, withFile } from "./errors.ts";
import type { Command } from "./main.ts";
import { type CommandSpec, intOption, parseCommand } from "./options.ts";

export const LAB_SPEC: CommandSpec = {
  name: "lab",
  summary: "mobility scenarios in the simulator (handover, failover, flood-attack, …), or on this machine's kernel (kernel)",
  positionals: `<${SCENARIOS.join("|")}|kernel>`,
  options: [
    { name: "json", help: "print the summary as one JSON line (last line) instead of the timeline" },
    { name: "pcap", arg: "FILE", default: "none", help: "write every datagram of the scenario to a pcap file (virtual time from 2024-01-01; kernel: tcpdump on the router's link to P)" },
    { name: "esp-sa", arg: "FILE", default: "none", help: "write the keys of every SA of the run, both hosts, rekeys included, as tshark esp_sa lines (mode 0600): Wireshark decrypts the --pcap with them (simulated scenarios)" },
    { name: "seed", arg: "N", default: "1", help: "random seed of the simulation (same seed, same run)" },
  ],
  notes: [
    "Virtual time: the whole scenario runs on the real stack in the deterministic simulator, in a fraction of a second.",
    "kernel: the handover on this machine's real kernel instead (Linux, root, iproute2; tcpdump for --pcap): network namespaces H (two interfaces) — router — P, two hipmm host processes, H pinging P's HIT every 20 ms while its primary link loses carrier, comes back and is renumbered; about 15 s; everything it creates is removed at the end.",
  ],
  examples: ["hipmm lab handover", "hipmm lab rekey --pcap rekey.pcap --esp-sa rekey.esp_sa   # then: wireshark, ESP keys from rekey.esp_sa", "hipmm lab flood-attack --json --seed 7", "sudo hipmm lab kernel --pcap kernel.pcap"],
};

async function lab(argv: string[]): Promise<number> {
  const a = parseCommand(LAB_SPEC, argv);
  if (!a) return 0;
  const name = a.positionals[0];
  if (!name) throw new UsageError(`which scenario? (one of ${SCENARIOS.join(", ")}, kernel)`);
  if (name !== "kernel" && !(SCENARIOS as readonly string[]).includes(name)) throw new UsageError(`unknown scenario ${name} (one of ${SCENARIOS.join(", ")}, kernel)`);
  if (a.positionals.length > 1) throw new UsageError(`unexpected argument ${a.positionals[1]}`);
  if (name === "kernel") {
    if (a.has("esp-sa")) throw new UsageError("kernel: --esp-sa applies to the simulated scenarios only (the hosts' own --esp-sa files are in its report)");
    return kernelLab(a.get("pcap"), a.has("json"), a.has("seed"));
  }
  const seed = intOption(a, "seed", 0, 2 ** 32 - 1) ?? 1;
  const file = a.get("pcap");
  const espSa = a.get("esp-sa");
  // Fail before the run if a file cannot be created.
  if (file) withFile("--pcap", file, () => writeFileSync(file, new Uint8Array(0)), true);
  if (espSa) withFile("--esp-sa", espSa, () => writeEspSaFile(espSa, []), true);
  const { result: r, world } = runLab(name as ScenarioName, seed);
  if (espSa) withFile("--esp-sa", espSa, () => writeEspSaFile(espSa, uniqueEspSas([...world.a.observer.keys, ...world.b.observer.keys])), true);
  if (file) {
    const w = new PcapWriter();
    const epoch = Date.UTC(2024, 0, 1);
    for (const e of r.trace) if (e.kind === "sent" && e.data) w.writeUdp(epoch + e.t, e.from, e.to, e.data);
    withFile("--pcap", file, () => writeFileSync(file, w.bytes()), true);
  }
  const s = r.summary;
  if (!a.has("json")) {
    console.log(`hipmm lab ${name} (seed ${seed}, virtual time, RTT ${s.rtt_ms} ms, 1 datagram/ms each way)`);
    console.log("  time         A                                    B");
    for (const l of r.timeline) console.log(l);
    const ms = (v: number | null) => (v === null ? "—" : `${v} ms`);
    if (s.bound_ms !== null) {
      console.log(`handover (path change → first datagram on the new path, either direction): ${ms(s.handover_ms)} (bound ${ms(s.bound_ms)}; 1 RTT + detection = ${ms(s.acceptance_ms)})`);
      console.log(`  toward the mover ${ms(s.handover_ms_to_mover)} (bound ${ms(s.bound_to_mover_ms)}), from the mover ${ms(s.handover_ms_from_mover)} (bound ${ms(s.bound_from_mover_ms)})`);
    }
    console.log("summary:");
    for (const [k, v] of Object.entries(s)) console.log(`  ${k.padEnd(24)} ${v}`);
    return 0;
  }
  console.log(JSON.stringify(s));
  return 0;
}

/** `hipmm lab kernel`: src/lab/kernel-node.ts. */
async function kernelLab(pcap: string | undefined, json: boolean, seeded: boolean): Promise<number> {
  if (seeded) throw new UsageError("kernel: --seed applies to the simulated scenarios only");
  const why = kernelLabUnavailable();
  if (why) {
    console.error(`hipmm lab: kernel: ${why}`);
    return 1;
  }
  if (pcap) withFile("--pcap", pcap, () => writeFileSync(pcap, new Uint8Array(0)), true);
  const r = await runKernelLab({ pcap, log: json ? undefined : (l) => console.log(`# ${l}`) });
  if (json) {
    console.log(JSON.stringify({ steps: r.steps, pings: r.pings }));
    return 0;
  }
  console.log("timeline (both hosts' status lines; ping replies left out):");
  for (const l of r.timeline) console.log(l);
  console.log("steps:");
  for (const s of r.steps) console.log(`  ${s.step.padEnd(44)} ${`${s.outage_ms} ms`.padStart(8)} without a reply, ${s.lost} lost  → ${s.path ?? "path unchanged"}`);
  console.log(`pings: ${r.pings.answered} of ${r.pings.sent} answered${pcap ? `; capture of R's link to P: ${pcap} (hipmm decode ${pcap})` : ""}`);
  return 0;
}

export const command: Command = { summary: LAB_SPEC.summary, run: lab };
