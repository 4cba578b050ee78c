// Inner protocols over real loopback UDP: two hipmm hosts ping each other's HIT (ICMPv6 echo
// inside BEET ESP) through the library (in-process and Worker data planes) and through
// `hipmm host --ping` / `--icmp print|off` processes; a raw TCP segment reaches the app as bytes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { DataPlaneChoice } from "../../src/runtime/host.ts";
import type { InnerEvent } from "../../src/runtime/inner.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { beetChecksum } from "../../src/wire/icmpv6.ts";
import { Proc } from "../helpers/proc.ts";

const CLI = join(import.meta.dirname, "fixtures", "cli.ts");
const enc = new TextEncoder();

for (const [name, dp] of [["in-process", undefined], ["worker", "worker"]] as [string, DataPlaneChoice | undefined][]) {
  test(`library (${name} data plane): hosts ping each other's HIT, replies carry the data`, { timeout: 30_000 }, async () => {
    const rng = new SeededRng(name.length);
    const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 }, dataPlane: dp });
    const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
    try {
      await a.connect(b.locals[0], b.hit, { timeoutMs: 10_000 });
      const seen: InnerEvent[] = [];
      b.on("inner", (ev) => seen.push(ev));
      const r1 = await a.ping(b.hit, { data: enc.encode("a to b") });
      assert.equal(hitToString(r1.peerHit), hitToString(b.hit));
      assert.deepEqual(r1.data, enc.encode("a to b"));
      assert.ok(r1.rttMs >= 0);
      assert.equal(seen[0]?.icmpv6?.type, 128);
      assert.equal(seen[0]?.echo, "answered");
      const r2 = await b.ping(a.hit, { seq: 4242, data: enc.encode("b to a") });
      assert.equal(r2.sequence, 4242);
      assert.deepEqual(r2.data, enc.encode("b to a"));
      // Three in flight at once: each resolves with its own reply.
      const rs = await Promise.all([1, 2, 3].map((i) => a.ping(b.hit, { data: new Uint8Array(i) })));
      assert.deepEqual(rs.map((r) => r.data.length), [1, 2, 3]);
      assert.equal(b.stack.counters["icmpv6.echo.replied"], 4);
      // UDP datagrams keep arriving as "message", unchanged.
      const msg = new Promise<string>((resolve) => b.on("message", (m) => resolve(new TextDecoder().decode(m.data))));
      assert.equal(a.send(b.hit, 7, 7, enc.encode("udp still")), "sent");
      assert.equal(await msg, "udp still");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

test("library: an inner TCP segment (next header 6) is delivered to the app as bytes", { timeout: 30_000 }, async () => {
  const rng = new SeededRng(6);
  const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
  try {
    await a.connect(b.locals[0], b.hit, { timeoutMs: 10_000 });
    // TCP SYN 40000 → 22 with MSS option, checksum over the HIT pseudo-header (RFC 9293 §3.1).
    const syn = Uint8Array.from([0x9c, 0x40, 0x00, 0x16, 1, 2, 3, 4, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff, 0, 0, 0, 0, 2, 4, 0x05, 0x78]);
    const c = beetChecksum(a.hit, b.hit, 6, syn, 16);
    syn[16] = c >> 8;
    syn[17] = c & 0xff;
    const got = new Promise<InnerEvent>((resolve) => b.on("inner", resolve));
    assert.equal(a.sendInner(b.hit, 6, syn), "sent");
    const ev = await got;
    assert.equal(ev.nextHeader, 6);
    assert.deepEqual(ev.payload, syn);
    assert.equal(hitToString(ev.peerHit), hitToString(a.hit));
    assert.equal(ev.icmpv6, undefined);
    assert.equal(b.stack.counters["inner.rx.6"], 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

function keygen(dir: string, name: string): { key: string; hit: string } {
  const key = join(dir, `${name}.key`);
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "keygen", "-o", key], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return { key, hit: r.stdout.trim() };
}

test("hipmm host: --ping to the peer HIT, the peer prints (--icmp print) and answers; --icmp off does not answer", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-inner-"));
  const A = keygen(dir, "a");
  const B = keygen(dir, "b");
  const procs: Proc[] = [];
  const host = (args: string[]) => {
    const p = new Proc(["--import", "tsx", CLI, "host", ...args], 20_000);
    procs.push(p);
    return p;
  };
  try {
    const b = host(["--id", B.key, "--listen", "127.0.0.1:0", "--k", "2", "--icmp", "print"]);
    const port = (await b.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    const a = host(["--id", A.key, "--listen", "127.0.0.1:0", "--connect", `${B.hit}@127.0.0.1:${port}`, "--ping", "3", "--ping-interval", "100", "--ping-size", "16"]);
    a.child.stdin.end(); // as `< /dev/null`: the pings, not stdin, decide when it stops
    assert.equal(await a.exited, 0, a.err);
    for (const seq of [1, 2, 3]) assert.match(a.err, new RegExp(`24 bytes from ${B.hit}: icmp_seq=${seq} time=\\d+\\.\\d+ ms`));
    assert.match(a.err, /3 packets transmitted, 3 received, 0% packet loss/);
    await b.waitFor("err", new RegExp(`inner ${A.hit} next-header 58 24 bytes: icmpv6 echo-request code=0 id=0x[0-9a-f]{4} seq=3 \\(answered\\)`));
    b.child.stdin.end();
    assert.equal(await b.exited, 0);

    const off = host(["--id", B.key, "--listen", "127.0.0.1:0", "--k", "2", "--icmp", "off"]);
    const port2 = (await off.waitFor("err", /listening on 127\.0\.0\.1:(\d+)/))[1];
    const a2 = host(["--id", A.key, "--listen", "127.0.0.1:0", "--connect", `${B.hit}@127.0.0.1:${port2}`, "--ping", "1"]);
    assert.equal(await a2.exited, 1, a2.err);
    assert.match(a2.err, /1 packets transmitted, 0 received, 100% packet loss/);
    assert.match(a2.err, /hipmm: no reply for icmp_seq=1\n/);
    assert.doesNotMatch(off.err, /inner /, "off: nothing printed");
    off.child.stdin.end();
    assert.equal(await off.exited, 0);
    // Bad option values are usage errors.
    const bad = host(["--id", A.key, "--listen", "127.0.0.1:0", "--icmp", "loud"]);
    assert.equal(await bad.exited, 2);
    assert.match(bad.err, /--icmp takes answer, print or off/);
  } finally {
    for (const p of procs) p.kill();
  }
});
