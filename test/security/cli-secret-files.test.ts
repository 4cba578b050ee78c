// Files holding secrets (identity keyfiles, tshark esp_sa keys) are created mode 0600 by the
// call that creates them, even with umask 0, and are never chmod-ed afterwards (issue 9 item 8):
// real `hipmm` processes under `sh -c "umask 0; …"`, and under strace, where every open that
// creates a file in the test directory must carry mode 0600 and no chmod-family call may appear.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, ROOT } from "../cli/run.ts";

const mode = (p: string) => statSync(p).mode & 0o777;

/** `hipmm <args>` with umask 0, optionally under strace writing `trace`. */
function run(args: string[], trace?: string): { status: number | null; stderr: string } {
  const node = [process.execPath, "--import", "tsx", CLI, ...args];
  const argv = trace ? ["strace", "-f", "-qq", "-e", "trace=%file,fchmod", "-o", trace, ...node] : node;
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("sh", ["-c", `umask 0 && exec ${quoted}`], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

const haveStrace = spawnSync("strace", ["-V"], { encoding: "utf8" }).status === 0;

test("umask 0: keygen, keygen --force over a 0666 file, sample --esp-sa over a 0666 file: all 0600", () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-secret-"));
  try {
    const a = join(dir, "a.key");
    let r = run(["keygen", "-o", a]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(mode(a), 0o600);

    const b = join(dir, "b.key");
    writeFileSync(b, "old", { mode: 0o666 });
    r = run(["keygen", "--force", "-o", b]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(mode(b), 0o600, "replaced by a new 0600 file, not the old inode");
    assert.notEqual(readFileSync(b, "utf8"), "old");

    const sa = join(dir, "s.esp_sa");
    writeFileSync(sa, "", { mode: 0o666 });
    r = run(["sample", "--esp", "--pcap", join(dir, "s.pcap"), "--esp-sa", sa]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(mode(sa), 0o600);
    assert.match(readFileSync(sa, "utf8"), /"0x[0-9a-f]+"/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("strace: the keyfile and the esp_sa file are created with mode 0600 in the open itself, never chmod-ed", { skip: haveStrace || process.env.CI === "true" ? false : "strace not installed (apt-get install strace)" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-secret-"));
  try {
    const runs: [string, string[]][] = [
      ["keygen", ["keygen", "-o", join(dir, "k.key")]],
      ["keygen --force", ["keygen", "--force", "-o", join(dir, "k.key")]],
      ["sample --esp-sa", ["sample", "--esp", "--pcap", join(dir, "e.pcap"), "--esp-sa", join(dir, "e.esp_sa")]],
    ];
    for (const [what, args] of runs) {
      const trace = join(dir, "trace.log");
      const r = run(args, trace);
      assert.equal(r.status, 0, `${what}: ${r.stderr}`);
      const calls = readFileSync(trace, "utf8").split("\n");
      assert.deepEqual(calls.filter((l) => /\b(f?chmod(at2?)?)\(/.test(l)), [], `${what}: chmod calls`);
      const creates = calls.filter((l) => l.includes(dir) && /O_CREAT/.test(l) && !l.includes(".pcap"));
      assert.ok(creates.length >= 1, `${what}: no file created in ${dir}?\n${calls.filter((l) => l.includes(dir)).join("\n")}`);
      for (const c of creates) assert.match(c, /O_EXCL.*, 0600\) = \d+$/, `${what}: ${c}`);
      assert.equal(mode(args.at(-1)!), 0o600);
      rmSync(trace);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
