// The cutehip harness (../shared/interop/cutehip, README there) driven from node:test: a private
// copy of its scripts whose namespace / interface names carry a random prefix (so runs never
// collide with each other or with a hand-started harness), cutehip up/down, and the processes
// of one cell (tcpdump, `hipmm host`, the echo application) in those namespaces.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../helpers/tshark.ts";

export const HARNESS = process.env.HIPMM_CUTEHIP_HARNESS ?? join(repoRoot, "..", "shared", "interop", "cutehip");
export const TARBALL = "cutehip-cb397ab7.tar.gz";
export const PY = "/usr/bin/python3";
export const CLI = join(repoRoot, "test", "interop", "cutehip", "hipmm-cli.ts");
export const ECHO = join(repoRoot, "test", "interop", "cutehip", "echo.py");
/** Addresses of the harness topology (README §1). */
export const OUR_ADDR = "10.77.0.18";
export const CUTEHIP_UDP = "10.77.0.17:10500";

/** Why the test cannot run here, or undefined. */
export function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (network namespaces)";
  if (!existsSync(join(HARNESS, TARBALL))) return `cutehip harness not found at ${HARNESS} (set HIPMM_CUTEHIP_HARNESS)`;
  if (spawnSync(PY, ["-c", "import Cryptodome, netifaces"]).status !== 0) return "python3-pycryptodome / python3-netifaces missing";
  for (const c of ["ip", "ifconfig", "tcpdump", "openssl"]) if (spawnSync("sh", ["-c", `command -v ${c}`]).status !== 0) return `${c} missing`;
  return undefined;
}

/** One private copy of the harness: scripts with prefixed names, the cutehip tree, a RUN dir. */
export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), "hipmm-cutehip-"));
  readonly prefix = `c${randomBytes(2).toString("hex")}_`;
  readonly scripts = join(this.dir, "h");
  readonly tree = join(this.dir, "src", "cutehip");
  readonly ns = { a: `${this.prefix}a`, br: `${this.prefix}br`, b: `${this.prefix}b` };

  constructor() {
    mkdirSync(this.scripts);
    for (const f of readdirSync(HARNESS)) {
      if (!/\.(sh|py)$/.test(f)) continue;
      // ch_a / ch_br / ch_b (and their interfaces ch_a0, ch_br0, ...) → <prefix>a, ...
      let text = readFileSync(join(HARNESS, f), "utf8").replace(/\bch_/g, this.prefix);
      // Under load cutehip may need more than 10 s to bring hip0 up; and `ip … | grep -q` under
      // `set -o pipefail` fails when grep's early exit SIGPIPEs ip: let grep read everything.
      if (f === "up.sh") text = text.replace("seq 1 40", "seq 1 400").replaceAll('grep -q "inet6 2001:"', 'grep "inet6 2001:" >/dev/null');
      writeFileSync(join(this.scripts, f), text, { mode: 0o755 });
    }
    mkdirSync(join(this.dir, "src"));
    execFileSync("tar", ["-xzf", join(HARNESS, TARBALL), "-C", join(this.dir, "src")]);
  }

  run(name: string): string {
    return join(this.dir, `run-${name}`);
  }

  /** up.sh; returns cutehip's HIT. Throws with the script's output on failure. */
  up(run: string, args: string[]): string {
    const r = spawnSync("bash", [join(this.scripts, "up.sh"), this.tree, ...args], { env: { ...process.env, RUN: run }, encoding: "utf8", timeout: 180_000 });
    if (r.status !== 0) {
      this.down(run);
      throw new Error(`up.sh ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}\n${tail(join(run, "cutehip.out"))}`);
    }
    const env = readFileSync(join(run, "env"), "utf8");
    return /CUTEHIP_HIT=(\S+)/.exec(env)![1];
  }

  down(run: string): void {
    spawnSync("bash", [join(this.scripts, "down.sh")], { env: { ...process.env, RUN: run }, timeout: 60_000 });
  }

  /** Remove everything (kept with HIPMM_CUTEHIP_KEEP=1 for inspection); namespaces must already be down. */
  cleanup(): void {
    if (process.env.HIPMM_CUTEHIP_KEEP) console.error(`cutehip interop: files kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

export function tail(file: string, n = 40): string {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").split("\n").slice(-n).join("\n");
}

/** A child process in a namespace whose output is collected; waits are bounded. */
export class NsProc {
  out = "";
  err = "";
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(ns: string, argv: string[]) {
    this.child = spawn("ip", ["netns", "exec", ns, ...argv], { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => {
      this.out += d;
    });
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => {
      this.err += d;
    });
    this.exited = new Promise((r) => this.child.on("close", (code) => r(code)));
  }

  async waitFor(where: "out" | "err", re: RegExp, ms: number, what = String(re)): Promise<void> {
    await until(() => re.test(this[where]), ms, () => `timeout waiting for ${what}:\nstdout: ${this.out}\nstderr: ${this.err}`);
  }

  /** SIGTERM, then SIGKILL after `ms`; resolves when the process is gone. */
  async stop(ms = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const t = setTimeout(() => this.child.kill("SIGKILL"), ms);
    await this.exited;
    clearTimeout(t);
  }
}

/** Poll `cond` every 50 ms for at most `ms`; throws `msg()` on timeout. */
export async function until(cond: () => boolean, ms: number, msg: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(msg());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Bridge log lines appended since byte `from` (bridge.py logs every packet it converts). */
export function bridgeLines(run: string, from: number): string[] {
  const f = join(run, "bridge.log");
  if (!existsSync(f)) return [];
  return readFileSync(f).subarray(from).toString("utf8").split("\n");
}

export function fileSize(f: string): number {
  return existsSync(f) ? statSync(f).size : 0;
}
