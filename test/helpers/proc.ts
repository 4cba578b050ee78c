// A long-running child process (a `hipmm` command) whose output tests wait on line by line.
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";

export class Proc {
  out = "";
  err = "";
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  /**
   * `node <argv…>`, e.g. `new Proc([BIN, "host", …])` or `new Proc(["--import", "tsx", CLI, …])`;
   * `wrap` runs it through another command, e.g. `["ip", "netns", "exec", NS]`.
   */
  constructor(argv: string[], readonly defaultWaitMs = 15_000, wrap: string[] = []) {
    const [cmd, ...pre] = [...wrap, process.execPath];
    this.child = spawn(cmd, [...pre, ...argv], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => {
      this.out += d;
    });
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => {
      this.err += d;
    });
    this.exited = new Promise((r) => this.child.on("close", (code) => r(code)));
  }

  /** Resolves with the first match of `re` in stdout/stderr; rejects after `ms` (bounded polling). */
  async waitFor(where: "out" | "err", re: RegExp, ms = this.defaultWaitMs): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this[where].match(re);
      if (m) return m;
      if (Date.now() > end) throw new Error(`timeout waiting for ${re} in ${where}: out=${this.out} err=${this.err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** `p` (a `hipmm host`) gets a line `${tag} ${i}` on stdin every 100 ms (at most 15 s) until its stderr matches `re`. */
export async function typeUntil(p: Proc, re: RegExp, tag: string): Promise<void> {
  const end = Date.now() + 15_000;
  for (let i = 0; !re.test(p.err) && Date.now() < end; i++) {
    p.child.stdin.write(`${tag} ${i}\n`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(p.err, re, `stderr:\n${p.err}`);
}

/** `hipmm keygen -o dir/name` (bin/hipmm.js `bin`) for each of `names`: the keyfiles, each checked
 *  mode 0600, and their HITs. */
export function keygenFiles(bin: string, dir: string, names: readonly string[]): { keys: string[]; hits: string[] } {
  const keys = names.map((f) => join(dir, f));
  const hits = keys.map((k) => {
    const r = spawnSync(process.execPath, [bin, "keygen", "-o", k], { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(k).mode & 0o777, 0o600, `${k}: mode 0600`);
    return r.stdout.trim();
  });
  return { keys, hits };
}
