// Real-kernel test networks: network namespaces with unique names (random suffix), veth pairs,
// routers with Linux NAT (nftables MASQUERADE), and `hipmm host` processes run inside them with
// `ip netns exec`. Everything a Lab creates is deleted by destroy() (call it in `after`, also on
// failure); deleting a namespace deletes its veths and kills nothing else.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Proc } from "../helpers/proc.ts";

export const CLI = join(import.meta.dirname, "..", "e2e", "fixtures", "cli.ts");

function have(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).status === 0;
}

/**
 * Skip reason, or false to run. Needs root and `ip` (and `nft`/`conntrack` when asked); without
 * root the test is skipped with a message unless CI=true (then it runs and fails loudly).
 */
export function netnsSkip(tools: string[] = []): string | false {
  const ci = process.env.CI === "true";
  if (process.getuid?.() !== 0 && !ci) return "network namespace tests need root (skipped: not root, CI unset)";
  const missing = ["ip", ...tools].filter((t) => !have(t));
  if (missing.length && !ci) return `network namespace tests need ${missing.join(", ")} (apt: iproute2 nftables conntrack)`;
  return false;
}

/** Run a command, throw with its stderr when it fails. */
export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status} ${r.stderr}`);
  return r.stdout;
}

export class Lab {
  readonly id = randomBytes(3).toString("hex");
  readonly dir = mkdtempSync(join(tmpdir(), "hipmm-netns-"));
  private readonly names: string[] = [];
  private readonly procs: Proc[] = [];

  /** Create namespace `hm-<id>-<name>` with loopback up; returns its full name. */
  ns(name: string): string {
    const full = `hm-${this.id}-${name}`;
    sh("ip", ["netns", "add", full]);
    this.names.push(full);
    this.exec(full, ["ip", "link", "set", "lo", "up"]);
    return full;
  }

  exec(ns: string, argv: string[]): string {
    return sh("ip", ["netns", "exec", ns, ...argv]);
  }

  /** Like exec, without blocking the event loop (use while streams run: spawnSync would stall them). */
  run(ns: string, argv: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const c = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
      let out = "";
      let err = "";
      c.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
      });
      c.stderr.setEncoding("utf8").on("data", (d: string) => {
        err += d;
      });
      c.on("error", reject);
      c.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(" ")} in ${ns}: exit ${code} ${err}`))));
    });
  }

  /**
   * Run shell command `cmd` in `ns` and return when the kernel change it made happened, on the
   * performance.now() clock: the wall clock read inside the namespace right after the command
   * (so the time to spawn `ip netns exec` and a shell under load is not counted as outage).
   */
  async change(ns: string, cmd: string): Promise<number> {
    const out = await this.run(ns, ["sh", "-c", `${cmd} && date +%s%N`]);
    const wallMs = Number(BigInt(out.trim().split("\n").pop()!) / 1000n) / 1000;
    return Math.min(performance.now(), wallMs - performance.timeOrigin);
  }

  /** veth pair `ifA`@nsA ↔ `ifB`@nsB, addresses given as CIDR (or undefined), both up. */
  link(nsA: string, ifA: string, cidrA: string | undefined, nsB: string, ifB: string, cidrB: string | undefined): void {
    sh("ip", ["-n", nsA, "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB]);
    for (const [ns, ifn, cidr] of [
      [nsA, ifA, cidrA],
      [nsB, ifB, cidrB],
    ] as const) {
      if (cidr) this.exec(ns, ["ip", "addr", "add", cidr, "dev", ifn]);
      this.exec(ns, ["ip", "link", "set", ifn, "up"]);
    }
  }

  /** Turn `ns` into a NAT router: forwarding on, UDP leaving `outIf` masqueraded to `ports`. */
  nat(ns: string, outIf: string, ports: string): void {
    this.exec(ns, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    this.exec(ns, ["nft", "add", "table", "ip", "nat"]);
    this.exec(ns, ["nft", "add chain ip nat post { type nat hook postrouting priority 100 ; }"]);
    this.natPorts(ns, outIf, ports);
  }

  /** Replace the masquerade rule (new public port range) and flush conntrack: a NAT rebinding. */
  natPorts(ns: string, outIf: string, ports: string): void {
    this.exec(ns, ["nft", "flush", "chain", "ip", "nat", "post"]);
    this.exec(ns, ["nft", `add rule ip nat post oifname "${outIf}" meta l4proto udp masquerade to :${ports} random`]);
  }

  /** A NAT rebinding while traffic runs: new public port range, conntrack flushed (async). */
  async rebind(ns: string, outIf: string, ports: string): Promise<void> {
    await this.run(ns, ["nft", `flush chain ip nat post ; add rule ip nat post oifname "${outIf}" meta l4proto udp masquerade to :${ports} random`]);
    await this.run(ns, ["conntrack", "-F"]);
  }

  /** Generate a host identity; returns [key file, HIT]. */
  keygen(name: string): [string, string] {
    const file = join(this.dir, `${name}.key`);
    const hit = sh(process.execPath, ["--import", "tsx", CLI, "keygen", "-o", file]).trim();
    return [file, hit];
  }

  /** `hipmm <args>` inside `ns` (TypeScript sources, no dist/ needed). */
  hipmm(ns: string, args: string[]): Proc {
    const p = new Proc(["--import", "tsx", CLI, ...args], 20_000, ["ip", "netns", "exec", ns]);
    this.procs.push(p);
    return p;
  }

  /** Kill the processes, delete the namespaces (and with them the veths) and the temp dir. */
  async destroy(): Promise<void> {
    for (const p of this.procs) p.kill();
    await Promise.all(this.procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 2000))])));
    for (const n of this.names.splice(0)) spawnSync("ip", ["netns", "del", n]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
