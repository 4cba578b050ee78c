// `hipmm lab kernel`: the handover lab on this machine's real kernel (Linux, root, iproute2).
// Three network namespaces with unique names: host H with two interfaces behind router R, peer P
// beyond R, two real `hipmm host` processes; H pings P's HIT over ESP every 20 ms while the
// kernel changes under it: H's primary link loses carrier, comes back, and is renumbered. H
// learns each change from rtnetlink (`ip monitor`, src/runtime/netlink-node.ts) and readdresses
// by REA / AC / ACR (draft §4.2-§4.3); the lab prints what both hosts reported, and each step's
// outage measured by the pings. Everything it creates (namespaces, veths, processes, keys) is
// removed at the end, also on failure or Ctrl-C. The topology (buildTwoInterfaces, shared with
// test/netns/two-interfaces.ts):
//   H eth0 10.77.1.2/24 — R h0 10.77.1.1      H eth1 10.77.2.2/24 — R h1 10.77.2.1
//   R p0 10.77.3.1/24 — P eth0 10.77.3.2
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cryptoRng } from "../core/rng.ts";
import { hitToString } from "../hip/hit.ts";
import { HostIdentity } from "../hip/identity.ts";
import { saveIdentity } from "../runtime/keyfile-node.ts";

/** One kernel change and what it cost. */
export interface KernelLabStep {
  /** What was changed. */
  step: string;
  /** The command run (in namespace `in`). */
  command: string;
  in: "H" | "R";
  /** Longest time without a ping reply around the change (ms), ping interval excluded. */
  outage_ms: number;
  /** Pings without a reply among those sent around the change. */
  lost: number;
  /** H's path to P after the change, as H reported it ("10.77.2.2:10500 → 10.77.3.2:10500"). */
  path: string | null;
}

/** Everything the lab measured. */
export interface KernelLabResult {
  steps: KernelLabStep[];
  /** Both hosts' status lines (ping replies left out), "+ms H|P line". */
  timeline: string[];
  pings: { sent: number; answered: number };
}

export interface KernelLabOptions {
  /** How to run `hipmm` (default: this process's own command: node [--import tsx] <script>). */
  hipmm?: string[];
  /** Capture R's link to P (every HIP and ESP datagram) to this pcap file (tcpdump). */
  pcap?: string;
  /** A progress line. */
  log?: (line: string) => void;
}

const NET = "10.77";
const PING_MS = 20;
const SETTLE_MS = 2000;

/** Why the lab cannot run here, or undefined. */
export function kernelLabUnavailable(): string | undefined {
  if (process.platform !== "linux") return "needs Linux (network namespaces)";
  if (process.getuid?.() !== 0) return "needs root (it creates network namespaces; try sudo)";
  if (spawnSync("ip", ["-V"]).status !== 0) return "needs iproute2 (`ip`)";
  return undefined;
}

/** Run a command to completion without blocking the event loop (the hosts' output keeps flowing). */
function run(argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
    let out = "";
    let err = "";
    c.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    c.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    c.on("error", reject);
    c.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(" ")}: exit ${code} ${err.trim()}`))));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A `hipmm host` in a namespace; its stderr lines with their arrival times. */
class HostProc {
  readonly lines: { t: number; line: string }[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(ns: string, hipmm: string[], args: string[]) {
    this.child = spawn("ip", ["netns", "exec", ns, ...hipmm, "host", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let buf = "";
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        this.lines.push({ t: performance.now(), line: buf.slice(0, i).replace(/^hipmm: /, "") });
        buf = buf.slice(i + 1);
      }
    });
    this.exited = new Promise((r) => this.child.on("close", (code) => r(code)));
  }

  /** Wait for a line matching `re` (after index `from`). */
  async waitFor(re: RegExp, ms: number, from = 0): Promise<void> {
    for (const end = performance.now() + ms; performance.now() < end; await sleep(20)) if (this.lines.slice(from).some((l) => re.test(l.line))) return;
    throw new Error(`no "${re.source}" within ${ms} ms; last lines: ${this.lines.slice(-3).map((l) => l.line).join(" | ")}`);
  }

  async stop(): Promise<void> {
    this.child.kill("SIGTERM");
    const t = setTimeout(() => this.child.kill("SIGKILL"), 2000);
    await this.exited;
    clearTimeout(t);
  }
}

/** How the topology builder creates a namespace (returns its full name) and runs a command. */
export interface NetnsOps {
  ns(name: string): Promise<string>;
  run(argv: string[]): Promise<unknown>;
}

/**
 * The two-interface topology (header comment; `net` = the first two octets, "10.77"): namespaces
 * h, r, p, veths, forwarding on R, P's default route, and source routing on H, so each of H's
 * addresses leaves through its own interface. Shared with test/netns/two-interfaces.ts.
 */
export async function buildTwoInterfaces(o: NetnsOps, net: string): Promise<{ h: string; r: string; p: string }> {
  const link = async (a: string, ifA: string, cidrA: string, b: string, ifB: string, cidrB: string) => {
    await o.run(["ip", "-n", a, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", b]);
    for (const [n, i, c] of [[a, ifA, cidrA], [b, ifB, cidrB]]) {
      await o.run(["ip", "-n", n, "addr", "add", c, "dev", i]);
      await o.run(["ip", "-n", n, "link", "set", i, "up"]);
    }
  };
  const [h, r, p] = [await o.ns("h"), await o.ns("r"), await o.ns("p")];
  await link(h, "eth0", `${net}.1.2/24`, r, "h0", `${net}.1.1/24`);
  await link(h, "eth1", `${net}.2.2/24`, r, "h1", `${net}.2.1/24`);
  await link(r, "p0", `${net}.3.1/24`, p, "eth0", `${net}.3.2/24`);
  await o.run(["ip", "netns", "exec", r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0"]);
  await o.run(["ip", "-n", p, "route", "add", "default", "via", `${net}.3.1`]);
  await o.run(["ip", "netns", "exec", h, "sysctl", "-q", "-w", "net.ipv4.conf.eth0.promote_secondaries=1"]);
  for (const [n, itf] of [["1", "eth0"], ["2", "eth1"]]) {
    await o.run(["ip", "-n", h, "rule", "add", "from", `${net}.${n}.0/24`, "table", n]);
    await o.run(["ip", "-n", h, "route", "add", "default", "via", `${net}.${n}.1`, "dev", itf, "table", n]);
  }
  return { h, r, p };
}

/** Build, run and tear down the lab. */
export async function runKernelLab(o: KernelLabOptions = {}): Promise<KernelLabResult> {
  const hipmm = o.hipmm ?? [process.execPath, ...process.execArgv, process.argv[1]];
  const log = o.log ?? (() => {});
  const id = randomBytes(3).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "hipmm-lab-kernel-"));
  const names: string[] = [];
  const procs: HostProc[] = [];
  let tcpdump: ChildProcess | undefined;
  const cleanup = async () => {
    tcpdump?.kill("SIGINT");
    await Promise.all(procs.map((p) => p.stop()));
    for (const n of names.splice(0)) spawnSync("ip", ["netns", "del", n]);
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const ns = async (n: string) => {
      const full = `hmlab-${id}-${n}`;
      await run(["ip", "netns", "add", full]);
      names.push(full);
      await run(["ip", "-n", full, "link", "set", "lo", "up"]);
      return full;
    };
    const { h, r, p } = await buildTwoInterfaces({ ns, run }, NET);
    log(`namespaces ${names.join(" ")}: H (eth0 ${NET}.1.2, eth1 ${NET}.2.2) — R — P (${NET}.3.2)`);
    if (o.pcap) {
      tcpdump = spawn("ip", ["netns", "exec", r, "tcpdump", "-i", "p0", "-U", "-w", o.pcap, "udp", "port", "10500"], { stdio: ["ignore", "ignore", "pipe"] });
      await sleep(300);
      if (tcpdump.exitCode !== null) throw new Error("tcpdump did not start (apt-get install tcpdump)");
    }
    const idH = HostIdentity.generate(cryptoRng);
    const idP = HostIdentity.generate(cryptoRng);
    await saveIdentity(join(dir, "h.key"), idH);
    await saveIdentity(join(dir, "p.key"), idP);
    const hitP = hitToString(idP.hit);
    const t0 = performance.now();
    const peer = new HostProc(p, hipmm, ["--id", join(dir, "p.key"), "--listen", `${NET}.3.2:10500`, "--no-stdin"]);
    procs.push(peer);
    await peer.waitFor(/listening on/, 20_000);
    const total = Math.ceil((3 * SETTLE_MS + 8000) / PING_MS);
    const host = new HostProc(h, hipmm, ["--id", join(dir, "h.key"), "--listen", `${NET}.1.2:10500`, "--listen", `${NET}.2.2:10500`, "--prefer", "eth0,eth1", "--connect", `${hitP}@${NET}.3.2:10500`, "--ping", String(total), "--ping-interval", String(PING_MS)]);
    procs.push(host);
    await host.waitFor(/icmp_seq=10 /, 20_000);
    log(`H and P associated; H pings P's HIT over ESP every ${PING_MS} ms`);
    await sleep(500); // P has verified eth1's address (announced at the start) before any change
    // Per step: the pings sent from the change until SETTLE_MS after it (by icmp_seq; a lost one
    // is reported 2 s later, when its reply is given up), and the longest silence between replies.
    const seqOf = (line: string) => Number(/icmp_seq=(\d+)/.exec(line)?.[1] ?? -1);
    const lastSeq = () => host.lines.reduce((m, l) => Math.max(m, seqOf(l.line)), 0);
    const windows: { step: string; command: string; in: "H" | "R"; at: number; from: number; seqs: [number, number] }[] = [];
    const change = async (step: string, where: "H" | "R", command: string) => {
      const from = host.lines.length;
      const first = lastSeq() + 1;
      const at = performance.now();
      await run(["ip", "netns", "exec", where === "H" ? h : r, "sh", "-c", command]);
      await sleep(SETTLE_MS);
      windows.push({ step, command, in: where, at, from, seqs: [first, lastSeq()] });
      log(`${step}: done`);
    };
    await change("H's primary link (eth0) loses carrier", "R", "ip link set h0 down");
    await change("eth0 has carrier again (H prefers it)", "R", "ip link set h0 up");
    await change(`eth0 renumbered ${NET}.1.2 → ${NET}.1.3`, "H", `ip addr add ${NET}.1.3/24 dev eth0 && ip addr del ${NET}.1.2/24 dev eth0 && ip route replace default via ${NET}.1.1 dev eth0 table 1`);
    await sleep(2200); // the last step's unanswered pings are reported
    const steps: KernelLabStep[] = windows.map((w) => {
      const replies = host.lines.filter((l) => l.t >= w.at - 200 && l.t <= w.at + SETTLE_MS && /icmp_seq=\d+ time=/.test(l.line)).map((l) => l.t);
      let gap = 0;
      for (let i = 1; i < replies.length; i++) gap = Math.max(gap, replies[i] - replies[i - 1]);
      const lost = host.lines.filter((l) => /no reply for icmp_seq=/.test(l.line) && seqOf(l.line) >= w.seqs[0] && seqOf(l.line) <= w.seqs[1]).length;
      const paths = host.lines.slice(w.from).filter((l) => l.t <= w.at + SETTLE_MS).map((l) => /^path (\S+ → \S+)/.exec(l.line)?.[1]).filter((x) => x !== undefined);
      return { step: w.step, command: w.command, in: w.in, outage_ms: Math.max(0, Math.round(gap - PING_MS)), lost, path: paths.at(-1) ?? null };
    });
    const sent = host.lines.filter((l) => /icmp_seq=\d+/.test(l.line)).length;
    const answered = host.lines.filter((l) => /icmp_seq=\d+ time=/.test(l.line)).length;
    const timeline = [...host.lines.map((l) => ({ ...l, who: "H" })), ...peer.lines.map((l) => ({ ...l, who: "P" }))]
      .filter((l) => !/icmp_seq=\d+ time=/.test(l.line))
      .sort((a, b) => a.t - b.t)
      .map((l) => `${`+${(l.t - t0).toFixed(0)}`.padStart(7)} ms  ${l.who}  ${l.line}`);
    return { steps, timeline, pings: { sent, answered } };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
  }
}
