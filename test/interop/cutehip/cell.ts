// One matrix cell against a running cutehip: `hipmm host` in the peer namespace, the echo
// application in cutehip's, a tcpdump of the UDP side; BEX, ESP data both ways (content
// checked), an answered heartbeat UPDATE each way (cutehip's; ours, docs/PROTOCOL.md §7.8: with
// cutehip's ESP dropped at our end by nft, our next line goes unanswered and `--heartbeat 300`
// sends an UPDATE(SEQ) that cutehip must ACK), CLOSE / CLOSE_ACK; then analyze.py and tshark.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { analyze, tsharkOurs } from "./check.ts";
import { bridgeLines, CUTEHIP_UDP, hipmmArgv, ECHO, fileSize, type Harness, NsProc, OUR_ADDR, PY, tail, until } from "./harness.ts";

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

/** One nft command in namespace `ns` (throws with its stderr). */
function nft(ns: string, cmd: string): void {
  const r = spawnSync("ip", ["netns", "exec", ns, "nft", cmd], { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`nft ${cmd} in ${ns}: ${r.stderr}`);
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
    const startEcho = async () => {
      const echo = new NsProc(h.ns.a, [PY, ECHO, "--timeout", "120", ...(c.role === "R" ? ["--hello", c.ourHit] : [])]);
      procs.push(echo);
      await echo.waitFor("out", /^ready$/m, 30_000, "echo application up");
    };
    // cutehip initiates on the echo app's first datagram and sends I1 once: when it initiates,
    // hipmm listens first; when hipmm initiates, the echo app must be bound before our data.
    if (c.role === "I") await startEcho();
    const host = new NsProc(h.ns.b, [process.execPath, ...hipmmArgv(), "host", "--id", c.keyfile, "--listen", `${OUR_ADDR}:10500`, "--esp-sa", join(dir, "ours.sa"), "--pcap", join(dir, "ours.pcap"), "--heartbeat", "300", "--stats", "1", ...c.hostFlags, ...connect]);
    procs.push(host);
    await host.waitFor("err", /listening on/, 60_000, "hipmm host up");
    if (c.role === "R") await startEcho();
    const why = () => `\nbridge:\n${lines().join("\n")}\ncutehip:\n${tail(join(run, "cutehip.out"), 30)}`;
    try {
      await host.waitFor("err", /established/, 60_000, "BEX");
      // Data both ways: cutehip → us ("hello" from the echo app when cutehip initiated; its
      // echo of our line in both roles) and us → cutehip (the line it echoes).
      if (c.role === "R") await host.waitFor("out", /^hello$/m, 20_000, "hello from cutehip's side");
      const line = `data-${c.name}-${Date.now()}`;
      host.child.stdin.write(`${line}\n`);
      await host.waitFor("out", new RegExp(`^echo:${line}$`, "m"), 20_000, "our data echoed by cutehip's side");
      // Our heartbeat: cutehip's ESP (first 4 bytes of the UDP payload = SPI ≠ 0) dropped on its
      // way in, HIP (4 zero bytes, RFC 5770 §5.1 framing) let through; our next line goes
      // unanswered, 300 ms later our UPDATE(SEQ) goes out, cutehip's ACK comes back: counted as
      // heartbeat.answered in our stats (`--stats 1`).
      nft(h.ns.b, "add table inet hb ; add chain inet hb in { type filter hook input priority 0 ; } ; add rule inet hb in udp sport 10500 @th,64,32 != 0 drop");
      // cutehip sends its own UPDATE every 2 s (its heartbeat, which we ACK): one landing within
      // our 300 ms rightly counts as an answer and no heartbeat of ours is needed. So a line goes
      // out every 700 ms until one of them has its 300 ms free of cutehip's UPDATE.
      let n = 0;
      const lines700 = setInterval(() => host.child.stdin.write(`unanswered-${c.name}-${++n}\n`), 700);
      try {
        host.child.stdin.write(`unanswered-${c.name}\n`);
        await until(() => /"heartbeat\.answered":[1-9]/.test(host.err), 20_000, () => `our heartbeat UPDATE not acknowledged${why()}\nours:\n${host.err.slice(-1500)}`);
      } finally {
        clearInterval(lines700);
        nft(h.ns.b, "delete table inet hb");
      }
      // Heartbeat: cutehip's UPDATE (raw → udp) answered by ours (udp → raw).
      await until(() => find(lines(), /udp->raw .* HIP UPDATE /, find(lines(), /raw->udp .* HIP UPDATE /)) >= 0 && find(lines(), /raw->udp .* HIP UPDATE /) >= 0, 30_000, () => `no answered UPDATE${why()}`);
      // CLOSE from us (stdin end), CLOSE_ACK from cutehip.
      host.child.stdin.end();
      await until(() => find(lines(), /raw->udp .* HIP CLOSE_ACK /, find(lines(), /udp->raw .* HIP CLOSE /)) >= 0, 20_000, () => `no CLOSE / CLOSE_ACK${why()}`);
      await Promise.race([host.exited, new Promise((r) => setTimeout(r, 10_000))]);
      assert.notEqual(host.child.exitCode, null, "hipmm host exits after stdin ends");
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
