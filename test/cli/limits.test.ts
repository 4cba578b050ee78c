// `--limit NAME=N`: the limits against hostile peers set from the command line reach the host
// (HipLimits, docs/PROTOCOL.md §7.9) and the FA (FaConfig, docs/OPERATIONS.md). Real processes:
// a `hipmm host` with maxAssociations=1 refuses a second peer and counts it; a `hipmm fa` with
// maxLeases=1 answers a second host FAD FA_FULL. Bad names and values: usage errors (exit 2).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { denoPath, denoSkip, runDeno } from "../helpers/deno.ts";
import { freeUdpPort } from "../helpers/net.ts";
import { Proc } from "../helpers/proc.ts";
import { spawnFa } from "../tunnel/harness.ts";
import { CLI, hipmm } from "./run.ts";

test("hipmm host --limit maxAssociations=1: the second peer is refused and counted (hip.limit_associations)", { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-limits-"));
  let p: Proc | undefined;
  const rng = new SeededRng(91);
  const peers = [HostIdentity.generate(rng), HostIdentity.generate(rng)];
  const hosts = await Promise.all(peers.map((identity) => startNodeHost({ identity, listen: ["127.0.0.1:0"], hip: { puzzleK: 0 } })));
  try {
    const key = join(dir, "a.key");
    assert.equal((await hipmm(["keygen", "-o", key])).code, 0);
    p = new Proc(["--import", "tsx", CLI, "host", "--id", key, "--listen", "127.0.0.1:0", "--k", "0", "--limit", "maxAssociations=1", "--limit", "r1Global.ratePerSec=50"], 25_000);
    const port = Number((await p.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1]);
    const to = { ip: "127.0.0.1", port };
    const hit = await hosts[0].connect(to, undefined, { timeoutMs: 5000 });
    // ESP makes the first association ESTABLISHED (an R2-SENT one would be evicted for the next).
    hosts[0].send(hit, 5000, 5000, new TextEncoder().encode("first\n"));
    await p.waitFor("out", /first/);
    await assert.rejects(hosts[1].connect(to, undefined, { timeoutMs: 1500 }));
    const host = p;
    let drops: Record<string, number> = {};
    for (let i = 0; i < 50 && !(drops["hip.limit_associations"] > 0); i++) {
      const before = host.err.length;
      host.child.kill("SIGUSR1");
      for (let j = 0; j < 100 && !host.err.slice(before).includes('"cmd"'); j++) await new Promise((r) => setTimeout(r, 20));
      const line = host.err.slice(before).split("\n").find((l) => l.startsWith("{") && l.includes('"cmd"'));
      if (line) drops = (JSON.parse(line) as { drops: Record<string, number> }).drops;
    }
    assert.ok(drops["hip.limit_associations"] > 0, `refused and counted: ${JSON.stringify(drops)}`);
    p.child.stdin.end();
    assert.equal(await p.exited, 0);
  } finally {
    p?.kill();
    await Promise.all(hosts.map((h) => h.close()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hipmm host --limit: unknown names, fractions and zeros are usage errors (exit 2) naming the settable limits", async () => {
  for (const [arg, want] of [
    ["bogus=3", /NAME one of maxAssociations, .*workerIoBacklog/],
    ["maxHalfOpen=0", /want at least 1/],
    ["maxSas=1.5", /want an integer/],
    ["r1Global=5", /NAME one of/],
    ["maxAssociations", /want NAME=N/],
    ["prefixV4=33", /want at most 32/],
  ] as const) {
    const r = await hipmm(["host", "--id", "/nonexistent", "--listen", "127.0.0.1:0", "--limit", arg]);
    assert.equal(r.code, 2, arg);
    assert.match(r.stderr, want, arg);
  }
});

test("hipmm fa --limit maxLeases=1: the first host leases, the second is refused FA_FULL", { timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-limits-"));
  const procs: Proc[] = [];
  try {
    const keys = ["a.key", "b.key"].map((f) => join(dir, f));
    for (const k of keys) assert.equal((await hipmm(["keygen", "-o", k])).code, 0);
    const faPort = await freeUdpPort();
    const fa = new Proc(["--import", "tsx", CLI, "fa", "--id", join(dir, "fa.key"), "--udp", `127.0.0.1:${faPort}`, "--puzzle", "off", "--limit", "maxLeases=1", "--limit", "fadPerSecond=50"], 30_000);
    procs.push(fa);
    await fa.waitFor("out", /fa ready/);
    const host = (key: string) => new Proc(["--import", "tsx", CLI, "host", "--id", key, "--listen", "127.0.0.1:0", "--fa", `127.0.0.1:${faPort}`, "--k", "2"], 30_000);
    const a = host(keys[0]);
    procs.push(a);
    await a.waitFor("err", /leased 127\.0\.0\.1:\d+ from FA/);
    const b = host(keys[1]);
    procs.push(b);
    await b.waitFor("err", /FA refused: FA_FULL/);
    assert.doesNotMatch(b.err, /leased /);
  } finally {
    for (const p of procs) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("hipmm fa --limit: only FA limits, integers where counted, 0 only for maxLeases (usage errors, exit 2)", async () => {
  for (const [arg, want] of [
    ["maxAssociations=3", /NAME one of maxLeases, leasesPerSource/],
    ["leasesPerSource=0", /want at least 1/],
    ["leasesPerHit=1.5", /want an integer/],
    ["puzzleKMax=41", /at most 40/],
  ] as const) {
    const r = await hipmm(["fa", "--id", "/nonexistent/fa.key", "--udp", "127.0.0.1:0", "--limit", arg]);
    assert.equal(r.code, 2, `${arg}: ${r.stderr}`);
    assert.match(r.stderr, want, arg);
  }
});

test("deno FA (src/cli/fa-deno.ts) takes the same --limit: a bad one is exit 2; maxLeases=1 refuses the second host FA_FULL", { skip: denoSkip(), timeout: 60_000 }, async () => {
  const bad = await runDeno(["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--limit", "leasesPerSource=0"], { timeoutMs: 30_000 });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--limit leasesPerSource=0: want at least 1/);
  const fa = await spawnFa(denoPath, ["run", "--unstable-net", "-A", "src/cli/fa-deno.ts", "--udp", "127.0.0.1:0", "--puzzle", "off", "--limit", "maxLeases=1"], 45_000);
  const rng = new SeededRng(92);
  const hosts: RuntimeHost[] = [];
  try {
    const faEvent = (h: RuntimeHost, type: string) =>
      new Promise<string>((resolve) =>
        h.on("event", (ev) => {
          if (ev.type === "fa" && ev.ev.type === type) resolve(ev.ev.type === "refused" ? ev.ev.reasonName : type);
        }),
      );
    for (let i = 0; i < 2; i++) {
      const h = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, fa: { fas: [{ locator: fa.ready.udp[0] }], addrType: 4, spis: 16 } });
      hosts.push(h);
      assert.equal(await (i === 0 ? faEvent(h, "leased") : faEvent(h, "refused")), i === 0 ? "leased" : "FA_FULL");
    }
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    await fa.kill();
  }
});
