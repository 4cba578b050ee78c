// `hipmm lab <scenario> [--json] [--pcap FILE] [--seed N]`: mobility scenarios over the
// deterministic simulator (virtual time); timeline + summary; --json prints the summary as the last line.
import { writeFileSync } from "node:fs";
import { PcapWriter } from "../capture/pcap.ts";
import { runScenario, SCENARIOS, type ScenarioName } from "../lab/scenarios.ts";
import { parseArgs } from "./args.ts";
import type { Command } from "./main.ts";

async function lab(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ["json", "help"], options: ["pcap", "seed"], aliases: { h: "help" } });
  if (!p.ok) {
    console.error(`hipmm lab: ${p.error}`);
    return 2;
  }
  const a = p.args;
  const name = a.positionals[0];
  if (a.has("help") || !name || !(SCENARIOS as readonly string[]).includes(name)) {
    console.error(`usage: hipmm lab <${SCENARIOS.join("|")}> [--json] [--pcap FILE] [--seed N]`);
    return name && !a.has("help") ? 2 : 0;
  }
  const seed = Number(a.get("seed") ?? 1);
  if (!Number.isInteger(seed)) {
    console.error("hipmm lab: --seed must be an integer");
    return 2;
  }
  const r = runScenario(name as ScenarioName, seed);
  const file = a.get("pcap");
  if (file) {
    const w = new PcapWriter();
    const epoch = Date.UTC(2024, 0, 1);
    for (const e of r.trace) if (e.kind === "sent" && e.data) w.writeUdp(epoch + e.t, e.from, e.to, e.data);
    writeFileSync(file, w.bytes());
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

export const command: Command = { summary: "mobility scenarios in the simulator (handover, failover, flood-attack, …)", run: lab };
