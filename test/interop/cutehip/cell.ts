// One matrix cell against a running cutehip: `hipmm host` in the peer namespace, the echo
// application in cutehip's, a tcpdump of the UDP side; BEX, ESP data both ways (content
// checked), an answered heartbeat UPDATE, CLOSE / CLOSE_ACK; then analyze.py and tshark.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { analyze, tsharkOurs } from "./check.ts";
import { bridgeLines, CLI, CUTEHIP_UDP, ECHO, fileSize, type Harness, NsProc, OUR_ADDR, PY, tail, until } from "./harness.ts";

export interface Instance {
  h: Harness;
  run: string;
  cutehipHit: string;
  /** RFC mode (cutehip --rfcfix all) or the cutehip peer profile against the unmodified snapshot. */
  rfc: boolean;
}

export interface Cell {
  name: string;
  role: "I" | "R";
  keyfile: string;
  ourHit: string;
  k: number;
  espSuite: number;
  /** Extra `hipmm host` flags (mode switches, --esp, --k). */
  hostFlags: string[];
}

/** Index of the first line matching `re` at or after `from`, -1 if none. */
function find(lines: string[], re: RegExp, from = 0): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i])) return i;
  return -1;
}

export async function runCell(inst: Instance, c: Cell): Promise<string> {
  const { h, run } = inst;
  const dir = join(run, c.name);
  mkdirSync(dir, { recursive: true });
  const pcap = join(dir, "udp.pcap");
  const procs: NsProc[] = [];
  const bridgeFrom = fileSize(join(run, "bridge.log"));
  const lines = () => bridgeLines(run, bridgeFrom);
  try {
    const cap = new NsProc(h.ns.b, ["tcpdump", "--immediate-mode", "-i", `${h.prefix}b0`, "-U", "-w", pcap, "udp port 10500"]);
    procs.push(cap);
    await cap.waitFor("err", /listening on/, 30_000, "tcpdump");
    const connect = c.role === "I" ? ["--connect", `${inst.cutehipHit}@${CUTEHIP_UDP}`] : [];
    const host = new NsProc(h.ns.b, [process.execPath, "--import", "tsx", CLI, "host", "--id", c.keyfile, "--listen", `${OUR_ADDR}:10500`, "--esp-sa", join(dir, "ours.sa"), "--pcap", join(dir, "ours.pcap"), ...c.hostFlags, ...connect]);
    procs.push(host);
    await host.waitFor("err", /listening on/, 60_000, "hipmm host up");
    const echo = new NsProc(h.ns.a, [PY, ECHO, "--timeout", "120", ...(c.role === "R" ? ["--hello", c.ourHit] : [])]);
    procs.push(echo);
    const why = () => `\nbridge:\n${lines().join("\n")}\ncutehip:\n${tail(join(run, "cutehip.out"), 30)}`;
    try {
      await host.waitFor("err", /established/, 60_000, "BEX");
      // Data both ways: cutehip → us ("hello" from the echo app when cutehip initiated; its
      // echo of our line in both roles) and us → cutehip (the line it echoes).
      if (c.role === "R") await host.waitFor("out", /^hello$/m, 20_000, "hello from cutehip's side");
      const line = `data-${c.name}-${Date.now()}`;
      host.child.stdin.write(`${line}\n`);
      await host.waitFor("out", new RegExp(`^echo:${line}$`, "m"), 20_000, "our data echoed by cutehip's side");
      // Heartbeat: cutehip's UPDATE (raw → udp) answered by ours (udp → raw).
      await until(() => find(lines(), /udp->raw .* HIP UPDATE /, find(lines(), /raw->udp .* HIP UPDATE /)) >= 0 && find(lines(), /raw->udp .* HIP UPDATE /) >= 0, 30_000, () => `no answered UPDATE${why()}`);
      // CLOSE from us (stdin end), CLOSE_ACK from cutehip.
      host.child.stdin.end();
      await until(() => find(lines(), /raw->udp .* HIP CLOSE_ACK /, find(lines(), /udp->raw .* HIP CLOSE /)) >= 0, 20_000, () => `no CLOSE / CLOSE_ACK${why()}`);
      await Promise.race([host.exited, new Promise((r) => setTimeout(r, 10_000))]);
      assert.notEqual(host.child.exitCode, null, "hipmm host exits after stdin ends");
      assert.match(host.err, /closed \(local\)/);
    } catch (e) {
      throw new Error(`${(e as Error).message}${why()}`);
    }
  } finally {
    for (const p of procs.reverse()) await p.stop();
  }
  const report = analyze(pcap, join(run, "cutehip.out"), { rfc: inst.rfc, espSuite: c.espSuite, k: c.k });
  await tsharkOurs(pcap, join(dir, "ours.sa"), inst.rfc);
  return report;
}
