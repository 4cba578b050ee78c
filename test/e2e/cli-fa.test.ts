// `hipmm host --fa` against a `hipmm fa` process on loopback: host A leases an address (shared
// IPv4 locator + SPI range) and, with --privacy, shows only that; host B connects to A's HIT at
// the leased locator (the FA relays the base exchange by HIT and the ESP by SPI, draft §4.4) and
// lines flow both ways through the FA.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freeUdpPort as freePort } from "../helpers/net.ts";
import { Proc as BaseProc } from "../helpers/proc.ts";

const CLI = join(import.meta.dirname, "fixtures", "cli.ts");

class Proc extends BaseProc {
  constructor(args: string[]) {
    super(["--import", "tsx", CLI, ...args], 15_000);
  }
}

test("hipmm host --fa --privacy behind a hipmm fa process: B reaches A through the FA, lines both ways", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-fa-"));
  const procs: Proc[] = [];
  try {
    const keys = ["a.key", "b.key"].map((f) => join(dir, f));
    const hits = keys.map((k) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "keygen", "-o", k], { encoding: "utf8", timeout: 20_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    });
    const faPort = await freePort();
    const fa = new Proc(["fa", "--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${faPort}`, "--puzzle", "off", "--log", "json"]);
    procs.push(fa);
    await fa.waitFor("out", /fa ready/);
    const a = new Proc(["host", "--id", keys[0], "--listen", "127.0.0.1:0", "--fa", `127.0.0.1:${faPort}`, "--privacy", "--k", "2"]);
    procs.push(a);
    const leased = (await a.waitFor("err", /leased (127\.0\.0\.1:\d+) from FA/))[1];
    assert.equal(leased, `127.0.0.1:${faPort}`, "shared IPv4 locator of the FA");
    const b = new Proc(["host", "--id", keys[1], "--listen", "127.0.0.1:0", "--connect", `${hits[0]}@${leased}`, "--k", "2"]);
    procs.push(b);
    await b.waitFor("err", new RegExp(`established ${hits[0]} at 127\\.0\\.0\\.1:${faPort}`));
    b.child.stdin.write("hello A via the FA\n");
    await a.waitFor("out", /hello A via the FA\n/);
    a.child.stdin.write("hello B from behind the FA\n");
    await b.waitFor("out", /hello B from behind the FA\n/);
    // A never showed its own address: B's data path goes to the leased locator.
    assert.doesNotMatch(b.err, new RegExp(`path [^\\n]*→ 127\\.0\\.0\\.1:(?!${faPort}\\b)`));
    assert.match(b.err, new RegExp(`path [^\\n]*→ 127\\.0\\.0\\.1:${faPort}`));
    a.child.stdin.end();
    b.child.stdin.end();
    assert.equal(await a.exited, 0);
    assert.equal(await b.exited, 0);
    fa.child.kill("SIGTERM");
    await fa.exited;
    const stop = fa.out.split("\n").filter((l) => l.includes("fa stopping")).join("");
    assert.ok(stop.length > 0, fa.out);
  } finally {
    for (const p of procs) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an IPv6-only hipmm fa (--pool6): hipmm host --fa gets a dedicated IPv6 lease by default and is reached there; --fa-addr-type 4 is refused", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-fa6-"));
  const procs: Proc[] = [];
  try {
    const keys = ["a.key", "b.key"].map((f) => join(dir, f));
    const hits = keys.map((k) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "keygen", "-o", k], { encoding: "utf8", timeout: 20_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    });
    const [faPort, poolPort] = [await freePort("::1"), await freePort("::1")];
    const fa = new Proc(["fa", "--id", join(dir, "fa.key"), "--udp", `[::1]:${faPort}`, "--pool6", `[::1]:${poolPort}-${poolPort}`, "--puzzle", "off", "--log", "json"]);
    procs.push(fa);
    await fa.waitFor("out", /fa ready/);
    // Asking for a shared IPv4 locator (the default before --fa-addr-type) gets NO_ADDRESSES here.
    const v4 = new Proc(["host", "--id", keys[1], "--listen", "[::1]:0", "--fa", `[::1]:${faPort}`, "--fa-addr-type", "4", "--no-watch"]);
    procs.push(v4);
    await v4.waitFor("err", /FA refused: NO_ADDRESSES/);
    v4.child.stdin.end();
    assert.equal(await v4.exited, 0);
    const a = new Proc(["host", "--id", keys[0], "--listen", "[::1]:0", "--fa", `[::1]:${faPort}`, "--k", "2", "--no-watch"]);
    procs.push(a);
    const leased = (await a.waitFor("err", /leased (\[::1\]:\d+) from FA/))[1];
    assert.equal(leased, `[::1]:${poolPort}`, "the dedicated locator of the FA's pool");
    const b = new Proc(["host", "--id", keys[1], "--listen", "[::1]:0", "--connect", `${hits[0]}@${leased}`, "--k", "2", "--no-watch"]);
    procs.push(b);
    await b.waitFor("err", new RegExp(`established ${hits[0]} at \\[::1\\]:${poolPort}`));
    b.child.stdin.write("hello A at the pool locator\n");
    await a.waitFor("out", /hello A at the pool locator\n/);
    a.child.stdin.write("hello B\n");
    await b.waitFor("out", /hello B\n/);
    a.child.stdin.end();
    b.child.stdin.end();
    assert.equal(await a.exited, 0);
    assert.equal(await b.exited, 0);
  } finally {
    for (const p of procs) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
