// `hipmm host --limit NAME=N`: the limits against hostile peers (docs/PROTOCOL.md §7.9) set from the
// command line reach the host. A real `hipmm host` process with maxAssociations=1: a second peer
// is refused and the refusal shows in its SIGUSR1 counters. Bad names and values: usage errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { Proc } from "../helpers/proc.ts";
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
  ] as const) {
    const r = await hipmm(["host", "--id", "/nonexistent", "--listen", "127.0.0.1:0", "--limit", arg]);
    assert.equal(r.code, 2, arg);
    assert.match(r.stderr, want, arg);
  }
});
